# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures: the lab's host vars (written by lab/labctl.py), the site plan, and runners."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SCENARIO = Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parent.parent))
INVENTORY = SCENARIO / "inventory"
REPO = SCENARIO.parent.parent
sys.path.insert(0, str(REPO / "tests"))

from labtest import LabView, recap, run, wait_for  # noqa: E402

VIEW = LabView(INVENTORY)
PLAN = VIEW.plan
node, addr = VIEW.node, VIEW.addr


__all__ = ["INVENTORY", "PLAN", "REPO", "SCENARIO", "VIEW", "addr", "node", "recap", "run", "wait_for"]
