# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the site plan of a run lives: facts of localhost, written by site_plan and read by role_config."""

from __future__ import annotations

__all__ = ["FINGERPRINT_FACT", "PLAN_FACT", "localhost_fact"]

PLAN_FACT = "ipv6only_site_plan"
FINGERPRINT_FACT = "ipv6only_site_fingerprint"


def localhost_fact(task_vars: dict | None, name: str) -> object:
    """A fact of localhost (implicit or in the inventory), or None before anything set it."""
    hostvars = (task_vars or {}).get("hostvars") or {}
    return hostvars["localhost"].get(name) if "localhost" in hostvars else None
