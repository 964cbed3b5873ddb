# SPDX-License-Identifier: GPL-3.0-or-later
"""client1 without the workarounds (its baseline run again with the shim and the CLAT off): the IPv4-only service
is out of IPv6's reach and the audit names the option that fixes it; an IPv4 literal goes nowhere; client1 holds
no IPv4 at all and forwards nothing. The baseline is put back with both on at the end (test_b_with.py)."""

from __future__ import annotations

import json

import pytest
from conftest import PLAN, REPO, VIEW, node, recap, run

CLIENT1 = PLAN["hosts"]["client1"]["ipv6"]
WEB4 = VIEW.hostvars["inet4-web"]["lab_addresses"]["inet4"]
OFF = json.dumps({"ipv6_host_ipv6_shims": [], "ipv6_host_clat": False})


def baseline(*extra: str) -> str:
    proc = VIEW.ansible(str(REPO / "playbooks" / "nodes.yml"), "--limit", "client1", *extra)
    assert all(c["failed"] == 0 for c in recap(proc.stdout).values()), proc.stdout[-5000:]
    return proc.stdout


@pytest.fixture(scope="module", autouse=True)
def without_workarounds():
    baseline("-e", OFF)
    yield
    baseline()


def audit() -> str:
    """The audit's message on client1 (the module ipv6_host runs at the end)."""
    proc = VIEW.ansible("client1", "-m", "ipv6only.datacenter.ipv4_listeners", tool="ansible", callback="json")
    return json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["client1"]["msg"]


def test_the_ipv4_only_service_is_unreachable_over_ipv6():
    assert run(node("client1"), "curl -fsS -m 5 http://127.0.0.1:8080/").stdout.startswith("client1")  # it runs
    assert node("client2").run(f"curl -fsS -m 5 http://[{CLIENT1}]:8080/").rc != 0


def test_the_audit_flags_it_and_names_the_fix():
    out = audit()
    assert "loopback-only IPv4 listener(s), unreachable from ::1: python3[" in out, out
    assert "tcp 127.0.0.1:8080 (fix: ipv6_host_ipv6_shims port 8080)" in out, out


def test_an_ipv4_literal_goes_nowhere():
    assert node("client1").run(f"curl -fsS -m 5 http://{WEB4}/").rc != 0


def test_client1_holds_no_ipv4_and_forwards_nothing():
    client1 = node("client1")
    assert run(client1, "ip -4 -o address show scope global").stdout.strip() == ""
    assert client1.sysctl("net.ipv6.conf.all.forwarding") == 0
    assert "clat" not in run(client1, "ip -o link show").stdout
