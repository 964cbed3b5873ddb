# SPDX-License-Identifier: GPL-3.0-or-later
"""Assertion 8: stopping br1 (its daemons, then its container) does not stop the service.

Within 30 s, new DNS lookups and new NAT64 connections from client1 work through br2. Runs after
test_border_router.py (pytest orders files by name), because it takes br1 away.
"""

from __future__ import annotations

import uuid

from conftest import HOSTVARS, ZONE, addr, dig, extract, node, podman, resolver, run, wait_for

BUDGET = 30  # seconds, from the issue
WEB4 = addr("inet4-web", "inet4")


def served_by_br2() -> bool:
    """One new lookup and one new connection from client1, both through br2."""
    client = node("client1")
    answer = dig(client, f"AAAA www.{ZONE} +time=2 +tries=1")
    aaaa = [a["data"] for a in answer["answers"] if a["type"] == "AAAA"]
    if answer["status"] != "NOERROR" or not aaaa or extract(aaaa[0]) != WEB4:
        return False
    if not (answer["server"] or "").startswith(resolver("br2")):
        return False
    token = f"failover-{uuid.uuid4().hex}"
    if client.run(f"curl -6 -fsS -m 4 -o /dev/null http://www.{ZONE}/?{token}").rc != 0:
        return False
    seen = node("inet4-web").run(f"grep -F -- '{token}' /var/log/nginx/access.log").stdout.split()
    return bool(seen) and seen[0] == addr("br2", "inet4")


def served_by_br1() -> bool:
    token = f"back-{uuid.uuid4().hex}"
    if node("client1").run(f"curl -6 -fsS -m 4 -o /dev/null http://www.{ZONE}/?{token}").rc != 0:
        return False
    seen = node("inet4-web").run(f"grep -F -- '{token}' /var/log/nginx/access.log").stdout.split()
    return bool(seen) and seen[0] == addr("br1", "inet4")


def test_stopping_br1s_daemons_fails_over_to_br2():
    br1 = node("br1")
    assert served_by_br1(), "precondition: client1 uses br1"
    engine_unit = "unbound.service"
    run(br1, f"systemctl stop tayga.service {engine_unit}")
    try:
        ok, seconds = wait_for(served_by_br2, BUDGET)
        print(f"failover after stopping br1's daemons: {seconds:.1f} s")
        assert ok, f"client1 not served through br2 within {BUDGET} s of stopping tayga and unbound on br1"
        # radvd follows Tayga: a router without its translator stops being a default router.
        assert br1.run("systemctl is-active radvd.service").stdout.strip() != "active"
    finally:
        run(br1, f"systemctl start tayga.service {engine_unit}")
    ok, seconds = wait_for(served_by_br1, 60)
    print(f"br1 serves again {seconds:.1f} s after its daemons restarted")
    assert ok, "br1 did not take over again after its daemons came back"


def test_stopping_br1s_container_fails_over_to_br2():
    container = HOSTVARS["br1"]["lab_container"]
    podman("stop", "--time", "10", container)
    try:
        ok, seconds = wait_for(served_by_br2, BUDGET)
        print(f"failover after stopping the br1 container: {seconds:.1f} s")
        assert ok, f"client1 not served through br2 within {BUDGET} s of stopping container {container}"
    finally:
        podman("start", container)
    ok, seconds = wait_for(served_by_br1, 90, interval=2)
    print(f"br1 serves again {seconds:.1f} s after its container restarted")
    assert ok, "br1 did not come back after its container restarted"
