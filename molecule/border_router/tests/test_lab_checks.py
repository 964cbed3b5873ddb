# SPDX-License-Identifier: GPL-3.0-or-later
"""`make lab-check` (what `make lab` ends with: tests/lab) on this scenario's lab, and that it fails when the
datacenter does not work.

This scenario's lab starts bare (lab.yml: `bare: true`): the routers had only their management address when
site.yml began, as real hosts do, so everything these checks use was put in place by the roles.
"""

from __future__ import annotations

import os
import subprocess

from conftest import INVENTORY, REPO, node, run


def lab_check(*pytest_args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_", "PYTEST_"))}
    env["PYTEST_ADDOPTS"] = " ".join(pytest_args)
    cmd = ["make", "--no-print-directory", "lab-check", f"LAB_INVENTORY={INVENTORY}"]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False)


def test_the_labs_end_to_end_tests_pass():
    proc = lab_check()
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout, proc.stdout[-4000:]


def test_lab_check_fails_when_the_ipv4_web_server_drops_http():
    web = node("inet4-web")
    run(web, "nft add table inet sabotage")
    try:
        run(web, "nft add chain inet sabotage in '{ type filter hook input priority -10; }'")
        run(web, "nft add rule inet sabotage in tcp dport 80 drop")
        proc = lab_check("-x")
    finally:
        run(web, "nft delete table inet sabotage")
    assert proc.returncode != 0, proc.stdout[-4000:]
    assert "FAILED tests/lab/test_datacenter.py::test_client1_fetches_an_ipv4_only_site_through_nat64" in proc.stdout
