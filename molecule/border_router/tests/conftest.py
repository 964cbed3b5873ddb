# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures: the lab's host vars (written by lab/labctl.py), the site plan, and runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIO = Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parent.parent))
INVENTORY = SCENARIO / "inventory"
REPO = SCENARIO.parent.parent
sys.path.insert(0, str(REPO / "tests"))

from labtest import LabView, ask, dig, recap, run, wait_for  # noqa: E402

VIEW = LabView(INVENTORY)
HOSTVARS, PLAN, LAB, ZONE, NAT64 = VIEW.hostvars, VIEW.plan, VIEW.config, VIEW.zone, VIEW.nat64
node, addr, embed, extract = VIEW.node, VIEW.addr, VIEW.embed, VIEW.extract
ROUTERS = ("br1", "br2")
ENGINES = {"br1": "unbound", "br2": "bind"}


def resolver(router: str) -> str:
    """The router's address in the plan's resolver list (what RDNSS and resolv.conf name)."""
    return PLAN["hosts"][router]["ipv6"]


def ansible_playbook(
    *args: str, check: bool = True, callback: str | None = None, mitogen: bool = False
) -> subprocess.CompletedProcess:
    """Run ansible-playbook from the repository with this scenario's inventory (another stdout callback, the Mitogen
    strategy)."""
    return VIEW.ansible(*args, check=check, callback=callback, mitogen=mitogen)


def podman(*args: str) -> str:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def plan() -> dict:
    return PLAN


__all__ = [
    "ENGINES",
    "HOSTVARS",
    "INVENTORY",
    "LAB",
    "NAT64",
    "PLAN",
    "REPO",
    "ROUTERS",
    "SCENARIO",
    "ZONE",
    "addr",
    "ansible_playbook",
    "ask",
    "dig",
    "embed",
    "extract",
    "node",
    "podman",
    "recap",
    "resolver",
    "run",
    "wait_for",
]
