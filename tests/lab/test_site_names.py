# SPDX-License-Identifier: GPL-3.0-or-later
"""The site's names, as `make lab` builds them: the site's clients and both internets resolve a VM's name, its
IPv6 PTR and its mapped IPv4's PTR (through the RFC 2317 CNAME), and each name server answers with signatures."""

from __future__ import annotations

import pytest
from conftest import VIEW
from labtest import run

PLAN = VIEW.plan
pytestmark = pytest.mark.skipif(not PLAN["nameservers"], reason="this lab's site has no name servers")
VMS = [vm for vm in PLAN["vms"].values() if vm["ipv4_mapping"]]


def short(node: str, query: str) -> list[str]:
    return run(VIEW.node(node), f"dig +short +time=3 +tries=2 {query}").stdout.split()


@pytest.mark.parametrize("client", ["client1", "inet4-client", "inet6-client"])
def test_a_mapped_vm_resolves_with_its_ptrs(client):
    for vm in VMS:
        assert short(client, f"AAAA {vm['fqdn']}") == [vm["ipv6"]]
        assert short(client, f"-x {vm['ipv6']}") == [f"{vm['fqdn']}."]
        assert short(client, f"-x {vm['ipv4_mapping']}")[-1] == f"{vm['fqdn']}."


@pytest.mark.parametrize("server", PLAN["nameservers"], ids=lambda ns: ns["name"])
def test_each_name_server_answers_signed(server):
    out = run(VIEW.node("client1"), f"dig +dnssec +norec +time=3 SOA {PLAN['domain']} @{server['ipv6']}").stdout
    assert "status: NOERROR" in out and "RRSIG" in out, out
