# SPDX-License-Identifier: GPL-3.0-or-later
"""Stage-1 workarounds as `make lab` builds them: a server with a CLAT (inventories/lab/host_vars) reaches the IPv4
internet by an IPv4 literal through the border routers' NAT64, past sw1's source guard."""

from __future__ import annotations

import json

import pytest
from conftest import VIEW
from labtest import run

SERVERS = sorted(n for n in VIEW.groups.get("servers", []) if n in VIEW.hostvars)


def has_clat(node: str) -> bool:
    fact = VIEW.node(node).run("cat /etc/ansible/facts.d/ipv6only_ipv6_host.fact")
    return fact.rc == 0 and bool(json.loads(fact.stdout).get("clat"))


CLATS = [n for n in SERVERS if has_clat(n)]


@pytest.mark.skipif(not CLATS, reason="no server of this lab has a CLAT")
@pytest.mark.parametrize("server", CLATS)
def test_an_ipv4_literal_works_through_the_clat(server):
    web4 = VIEW.hostvars["inet4-web"]["lab_addresses"]["inet4"]
    run(VIEW.node(server), f"curl -fsS -m 10 -o /dev/null http://{web4}/")
