# SPDX-License-Identifier: GPL-3.0-or-later
"""The site's authoritative DNS in the plan: name servers, zones, classless delegation and customer delegations."""

from __future__ import annotations

import copy

import pytest
from sites import dns_site

from ansible_collections.ipv6only.datacenter.plugins.module_utils.dnszones import classless_zone, zone_of
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan


def zone(plan: dict, name: str) -> list[dict]:
    return next(z for z in plan["dns"]["zones"] if z["name"] == name)["records"]


def problems(site: dict) -> list[str]:
    with pytest.raises(PlanError) as caught:
        build_plan(site)
    return caught.value.problems


def test_the_name_servers_are_in_the_plan_with_glue_and_ptrs():
    plan = build_plan(dns_site())
    assert plan["nameservers"][0] == {
        "name": "ns1",
        "fqdn": "ns1.t.example.net",
        "host": "br1",
        "ipv6": "2001:db8:100:53::1",
        "ipv4": "198.51.100.53",
    }
    forward = zone(plan, "t.example.net")
    assert {"name": "t.example.net", "type": "NS", "value": "ns2.t.example.net"} in forward
    assert {"name": "ns1.t.example.net", "type": "AAAA", "value": "2001:db8:100:53::1"} in forward
    assert {"name": "ns1.t.example.net", "type": "A", "value": "198.51.100.53"} in forward
    assert {"name": "web1.t.example.net", "type": "AAAA", "value": "2001:db8:100:2::7"} in forward
    assert all(r["type"] != "PTR" for r in forward)


def test_each_reverse_record_is_in_its_zone_and_a_pool_longer_than_24_is_classless():
    plan = build_plan(dns_site())
    names = [z["name"] for z in plan["dns"]["zones"]]
    assert names[:3] == ["t.example.net", "0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa", "0-26.100.51.198.in-addr.arpa"]
    reverse4 = zone(plan, "0-26.100.51.198.in-addr.arpa")
    shop = plan["vms"]["shop"]["ipv4_mapping"]
    last = shop.rsplit(".", 1)[1]
    assert {"name": f"{last}.0-26.100.51.198.in-addr.arpa", "type": "PTR", "value": "shop.t.example.net"} in reverse4
    assert {"name": "53.0-26.100.51.198.in-addr.arpa", "type": "PTR", "value": "ns1.t.example.net"} in reverse4
    reverse6 = zone(plan, "0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa")
    assert all(r["name"].endswith(".0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa") for r in reverse6 if r["type"] == "PTR")
    # What the holder of 198.51.100.0/24 must publish: a CNAME per address of the /26, and the child's NS.
    parent = plan["dns"]["parent_records"]
    assert len([r for r in parent if r["type"] == "CNAME"]) == 64
    assert {"name": "53.100.51.198.in-addr.arpa", "type": "CNAME", "value": "53.0-26.100.51.198.in-addr.arpa"} in parent
    assert {"name": "0-26.100.51.198.in-addr.arpa", "type": "NS", "value": "ns1.t.example.net"} in parent


def test_a_pool_of_24_or_shorter_gets_ordinary_zones_and_no_cnames_from_its_parent():
    site = dns_site(ipv4_pool="198.51.100.0/24")
    plan = build_plan(site)
    assert "100.51.198.in-addr.arpa" in [z["name"] for z in plan["dns"]["zones"]]
    assert [r for r in plan["dns"]["parent_records"] if r["type"] == "CNAME"] == []


def test_the_parents_get_delegations_and_glue_grouped_by_parent_zone():
    parents = {z["name"]: z["records"] for z in build_plan(dns_site())["dns"]["parent_zones"]}
    assert sorted(parents) == ["100.51.198.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa", "example.net"]
    assert {"name": "t.example.net", "type": "NS", "value": "ns1.t.example.net"} in parents["example.net"]
    assert {"name": "ns1.t.example.net", "type": "A", "value": "198.51.100.53"} in parents["example.net"]
    delegated = {r["name"] for r in parents["8.b.d.0.1.0.0.2.ip6.arpa"] if r["type"] == "NS"}
    assert delegated == {"0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa", "8.8.b.d.0.1.0.0.2.ip6.arpa"}


def test_a_customer_with_name_servers_gets_its_48_delegated_and_one_without_gets_nothing():
    plan = build_plan(dns_site())
    zones = [z["name"] for z in plan["dns"]["zones"]]
    parent = zone_of("1.0.0.8.8.b.d.0.1.0.0.2.ip6.arpa", zones)
    delegations = [r for r in zone(plan, parent) if r["type"] == "NS" and r["name"] != parent]
    assert delegations == [
        {"name": "1.0.0.8.8.b.d.0.1.0.0.2.ip6.arpa", "type": "NS", "value": "ns1.acme.example"},
        {"name": "1.0.0.8.8.b.d.0.1.0.0.2.ip6.arpa", "type": "NS", "value": "ns2.acme.example"},
    ]
    assert plan["customers"]["beta"]["nameservers"] == []


def test_name_servers_never_renumber_a_vms_automatic_mapping():
    without = build_plan(dns_site(nameservers=[]))
    with_servers = build_plan(dns_site())
    assert {n: v["ipv4_mapping"] for n, v in without["vms"].items()} == {
        n: v["ipv4_mapping"] for n, v in with_servers["vms"].items()
    }
    taken = without["vms"]["shop"]["ipv4_mapping"]
    site = dns_site()
    site["nameservers"][0]["ipv4"] = taken
    assert problems(site) == [
        f"site.nameservers[0].ipv4: {taken}: is the automatic ipv4_mapping of VM shop when the name servers' and "
        "proxies' addresses are left out: giving it to a name server would renumber that VM and the automatic ones "
        "after it. Choose an address no automatic mapping takes, or, if shop is new, give it an explicit ipv4_mapping"
    ]


def test_a_vm_added_after_the_name_servers_skips_their_addresses_or_is_told_what_to_do():
    site = dns_site()
    site["nameservers"][0]["ipv4"] = "198.51.100.40"
    site["vms"].append({"name": "blog", "network": "vms", "id": 10, "ipv4_mapping": True})
    assert build_plan(site)["vms"]["blog"]["ipv4_mapping"] == "198.51.100.33"
    # A plan has no memory: a new VM whose automatic mapping would be a name server's address cannot be told from
    # an old one that would move. The error says so, and an explicit mapping settles it.
    site["nameservers"][0]["ipv4"] = "198.51.100.33"
    assert "if blog is new, give it an explicit ipv4_mapping" in problems(site)[0]
    site["vms"][-1]["ipv4_mapping"] = "198.51.100.34"
    assert build_plan(site)["vms"]["blog"]["ipv4_mapping"] == "198.51.100.34"


def edit(k: int, **changes) -> dict:
    site = copy.deepcopy(dns_site())
    site["nameservers"][k].update(changes)
    return site


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        pytest.param(
            edit(0, host="hv1"),
            "site.nameservers[0].host: hv1: is a server: name servers run on border routers",
            id="not a border router",
        ),
        pytest.param(
            edit(1, host="br1"),
            "site.nameservers[1].host: br1: already serves site.nameservers[0]: one name server per border router",
            id="two on one router",
        ),
        pytest.param(
            edit(0, ipv6="2001:db8:100:2::53"),
            "site.nameservers[0].ipv6: 2001:db8:100:2::53: inside site.networks[2] (vms): a name server's address "
            "is on its router's loopback",
            id="ipv6 in a network",
        ),
        pytest.param(
            edit(0, ipv6="2001:db8:200::53"),
            "site.nameservers[0].ipv6: 2001:db8:200::53: outside site.prefix 2001:db8:100::/48",
            id="ipv6 outside the prefix",
        ),
        pytest.param(
            edit(0, ipv6="2001:db8:100:64::53"),
            "site.nameservers[0].ipv6: 2001:db8:100:64::53: inside the NAT64 prefix 2001:db8:100:64::/96",
            id="ipv6 in the NAT64 prefix",
        ),
        pytest.param(
            edit(1, ipv6="2001:db8:100:53::1"),
            "site.nameservers[1].ipv6: 2001:db8:100:53::1: already used by site.nameservers[0]",
            id="ipv6 twice",
        ),
        pytest.param(
            edit(0, ipv4="198.51.100.5"),
            "site.nameservers[0].ipv4: 198.51.100.5: inside a network's ipv4 subnet",
            id="ipv4 in a subnet",
        ),
        pytest.param(
            edit(0, ipv4="198.51.100.61"),
            "site.nameservers[0].ipv4: 198.51.100.61: inside the NAT64 pool4 block 198.51.100.60/30",
            id="ipv4 in pool4",
        ),
        pytest.param(
            edit(0, ipv4="203.0.113.53"),
            "site.nameservers[0].ipv4: 203.0.113.53: outside site.ipv4_pool 198.51.100.0/26",
            id="ipv4 outside the pool",
        ),
        pytest.param(
            edit(0, name="web1"),
            "site.nameservers[0].name: web1: already the name of site.vms[0]: its records would clash",
            id="a node's name",
        ),
        pytest.param(
            edit(0, ipv6="2001:db8:100:53::1%eth0"),
            'site.nameservers[0].ipv6: "2001:db8:100:53::1%eth0": not an IPv6 address: a scope (%) is not allowed',
            id="a scoped address",
        ),
    ],
)
def test_a_wrong_name_server_is_one_clear_error(site, expected):
    assert problems(site) == [expected]


def test_a_customer_name_server_must_be_a_host_name():
    site = dns_site()
    site["customers"][0]["nameservers"] = ["ns1.acme.example", "ns1 acme; drop"]
    assert problems(site) == [
        "site.customers[0].nameservers[1]: ns1 acme; drop: must be a host name: dot-separated hostname labels"
    ]


def test_classless_zone_and_zone_of():
    assert classless_zone("198.51.100.0/24") is None
    zone = classless_zone("198.51.100.128/25")
    assert zone["name"] == "128-25.100.51.198.in-addr.arpa"
    assert zone["parent_records"][0] == {
        "name": "128.100.51.198.in-addr.arpa",
        "type": "CNAME",
        "value": "128.128-25.100.51.198.in-addr.arpa",
    }
    assert len(zone["parent_records"]) == 128
    assert zone_of("a.b.example", ["example", "b.example"]) == "b.example"
    assert zone_of("b.example", ["b.example"]) == "b.example"
    assert zone_of("xb.example", ["b.example"]) is None
