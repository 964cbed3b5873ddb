# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab under test: LAB_INVENTORY (default inventories/lab, the one `make lab` builds)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from labtest import LabView  # noqa: E402

VIEW = LabView(Path(os.environ.get("LAB_INVENTORY", REPO / "inventories" / "lab")))


@pytest.fixture(scope="session")
def lab() -> LabView:
    return VIEW
