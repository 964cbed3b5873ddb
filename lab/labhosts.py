# SPDX-License-Identifier: GPL-3.0-or-later
"""Read the inventory that lab/labctl.py wrote (DIR/hosts.yml): each node's host vars and groups.

Shared by the Molecule tests and the lab benchmarks, so that none of them retypes an address.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def read_hosts(inventory: Path) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Return ({node: host vars}, {group: [nodes]}) from DIR/hosts.yml."""
    hostvars: dict[str, dict] = {}
    groups: dict[str, list[str]] = {}
    for group, body in yaml.safe_load((Path(inventory) / "hosts.yml").read_text())["all"]["children"].items():
        for name, nodevars in (body.get("hosts") or {}).items():
            hostvars.setdefault(name, {}).update(nodevars or {})
            groups.setdefault(group, []).append(name)
    return hostvars, groups
