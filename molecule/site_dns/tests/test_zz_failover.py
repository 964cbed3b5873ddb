# SPDX-License-Identifier: GPL-3.0-or-later
"""With br1 stopped (its resolver and its name server, the primary), every name still resolves through br2, for
the site and for both internets. Runs last: br1 stays stopped."""

from __future__ import annotations

import subprocess

import pytest
from conftest import PLAN, VIEW, run

NAME = f"vm1.{PLAN['domain']}"
VM1 = PLAN["vms"]["vm1"]


@pytest.fixture(scope="module", autouse=True)
def br1_stopped():
    subprocess.run(["podman", "stop", "--time", "5", VIEW.hostvars["br1"]["lab_container"]], check=True)


def answers(node, query: str) -> list[str]:
    """dig's answers; the lines about br1's resolver timing out (client1 asks it first) are dropped."""
    out = run(node, f"dig +short +time=3 +tries=2 {query}").stdout
    return [word for line in out.splitlines() if not line.startswith(";") for word in line.split()]


@pytest.mark.parametrize("client", ["client1", "inet4-client", "inet6-client"])
def test_every_name_resolves_through_br2(client):
    node = VIEW.node(client)
    assert answers(node, f"AAAA {NAME}") == [VM1["ipv6"]]
    assert answers(node, f"-x {VM1['ipv6']}") == [f"{NAME}."]
    assert answers(node, f"-x {VM1['ipv4_mapping']}")[-1] == f"{NAME}."
