# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's own end-to-end checks (`labctl.py summary`, what `make lab` runs) on this scenario's nodes.

This scenario's lab starts bare (lab.yml: `bare: true`): the routers had only their management address
when site.yml began, as real hosts do, so everything these checks use was put in place by the roles.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import INVENTORY, REPO


def test_the_labs_end_to_end_checks_pass():
    cmd = [sys.executable, str(REPO / "lab" / "labctl.py"), "summary", "--strict", "--inventory", str(INVENTORY)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "[FAIL]" not in proc.stdout and "[PASS]" in proc.stdout, proc.stdout[-4000:]
