# SPDX-License-Identifier: GPL-3.0-or-later
"""The 1:n proxies in the plan: their addresses, the VMs behind them, their names and the records published."""

from __future__ import annotations

import pytest
from sites import proxy_site

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan


def problems(site: dict) -> list[str]:
    with pytest.raises(PlanError) as caught:
        build_plan(site)
    return caught.value.problems


def forward(plan: dict) -> list[dict]:
    return next(z for z in plan["dns"]["zones"] if z["name"] == plan["domain"])["records"]


def test_the_backends_name_their_services_names_and_the_routers_sources():
    plan = build_plan(proxy_site())
    assert plan["proxy"]["ipv4"] == ["198.51.100.42"]
    assert plan["proxy"]["proxy_protocol_port"] == 8443
    blog, mail = plan["proxy"]["backends"]
    assert blog == {
        "name": "blog",
        "ipv6": "2001:db8:100:2::b",
        "network": "vms",
        "hostnames": ["blog.t.example.net"],
        "services": ["http", "https"],
        "ports": [80, 443],
        # br1 is on the vms network and connects from there; br2 is not and connects from its primary address.
        "sources": {"br1": "2001:db8:100:2::11", "br2": "2001:db8:100:1::12"},
    }
    assert mail["services"] == ["http", "smtp"]  # in the order of PROXY_SERVICES, whatever the model's
    assert plan["vms"]["mail"]["hostnames"] == ["mail.t.example.net", "www.customer.example"]
    assert plan["vms"]["shop"]["hostnames"] == []


def test_names_in_the_zone_get_a_to_the_proxies_aaaa_to_the_vm_and_mx_with_smtp():
    records = forward(build_plan(proxy_site()))
    blog = [r for r in records if r["name"] == "blog.t.example.net"]
    assert blog == [
        {"name": "blog.t.example.net", "type": "AAAA", "value": "2001:db8:100:2::b"},
        {"name": "blog.t.example.net", "type": "A", "value": "198.51.100.42"},
    ]
    mail = [r for r in records if r["name"] == "mail.t.example.net"]
    assert {"name": "mail.t.example.net", "type": "MX", "value": "10 mail.t.example.net"} in mail
    assert {"name": "mail.t.example.net", "type": "A", "value": "198.51.100.42"} in mail
    assert not any(r["type"] == "MX" for r in blog)


def test_a_name_outside_the_site_lists_what_its_owner_must_publish():
    plan = build_plan(proxy_site())
    assert plan["proxy"]["external_records"] == [
        {"name": "www.customer.example", "type": "A", "value": "198.51.100.42", "vm": "mail"},
        {"name": "www.customer.example", "type": "AAAA", "value": "2001:db8:100:2::c", "vm": "mail"},
        {"name": "www.customer.example", "type": "MX", "value": "10 www.customer.example", "vm": "mail"},
    ]
    assert not any(r["name"] == "www.customer.example" for zone in plan["dns"]["zones"] for r in zone["records"])


def test_a_name_claimed_by_two_vms_is_refused():
    site = proxy_site()
    site["vms"][2]["hostnames"] = ["www.customer.example"]
    assert problems(site) == [
        "site.vms[3].hostnames[1]: www.customer.example: already served by site.vms[2]: a name leads to one VM"
    ]


@pytest.mark.parametrize(
    ("name", "owner"),
    [
        ("br1.t.example.net", "site.hosts[0]"),
        ("shop.t.example.net", "site.vms[1]"),
        ("ns1.t.example.net", "name server ns1"),
    ],
)
def test_a_name_of_another_node_is_refused(name, owner):
    site = proxy_site()
    site["vms"][2]["hostnames"] = [name]
    assert problems(site) == [f"site.vms[2].hostnames[0]: {name}: is the name of {owner}"]


@pytest.mark.parametrize("name", ["Blog.t.example.net", "blog.t.example.net.", "-x.example", "a b.example", ""])
def test_a_hostname_is_a_dns_name(name):
    site = proxy_site()
    site["vms"][2]["hostnames"] = [name]
    assert problems(site)[0].startswith("site.vms[2].hostnames[0]: ")
    assert "must be a DNS name" in problems(site)[0]


def test_an_unknown_protocol_is_refused():
    site = proxy_site()
    site["vms"][2]["proxy"] = ["http", "imap"]
    assert problems(site) == ["site.vms[2].proxy[1]: imap: must be one of http, https, smtp"]


def test_a_mapped_vm_cannot_also_sit_behind_the_proxies():
    site = proxy_site()
    site["vms"][1]["proxy"] = ["http"]
    assert problems(site) == [
        'site.vms[1].proxy: ["http"]: not with ipv4_mapping: the mapping already carries every port of the VM to '
        "IPv4 clients; drop one of them"
    ]


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("192.0.2.1", "outside site.ipv4_pool 198.51.100.0/26"),
        ("198.51.100.5", "inside a network's ipv4 subnet"),
        ("198.51.100.61", "inside the NAT64 pool4 block 198.51.100.60/30"),
        ("198.51.100.53", "already used by site.nameservers[0]"),
        ("2001:db8::1", "not an IPv4 address"),
    ],
)
def test_a_proxy_address_is_a_free_address_of_the_pool(address, rule):
    assert problems(proxy_site(proxy={"ipv4": [address]})) == [f"site.proxy.ipv4[0]: {address}: {rule}"]


def test_a_proxy_address_never_moves_an_automatic_mapping():
    without = build_plan(proxy_site(proxy={"ipv4": ["198.51.100.42"]}))
    taken = without["vms"]["shop"]["ipv4_mapping"]
    found = problems(proxy_site(proxy={"ipv4": [taken]}))
    assert len(found) == 1
    assert found[0].startswith(f"site.proxy.ipv4[0]: {taken}: is the automatic ipv4_mapping of VM shop")
    assert "giving it to a proxy would renumber that VM" in found[0]


def test_the_proxies_need_an_address_a_border_router_and_a_free_backend_port():
    site = proxy_site(proxy={"ipv4": [], "proxy_protocol_port": 443})
    for host in site["hosts"]:
        host.pop("role", None)
    site["nameservers"] = []
    assert problems(site) == [
        "site.proxy.ipv4: []: empty: the proxies need at least one address",
        "site.proxy.proxy_protocol_port: 443: must be a port 1-65535 other than 25, 80 and 443, which the VMs "
        "serve to IPv6 clients directly",
        'site.proxy: {"ipv4": [], "proxy_protocol_port": 443}: no host with role border_router: the proxies run on '
        "the border routers",
    ]


def test_hostnames_need_proxy_and_proxy_needs_the_site_addresses():
    site = proxy_site()
    del site["proxy"]
    site["vms"][0]["hostnames"] = ["web.t.example.net"]
    assert problems(site) == [
        'site.vms[0].hostnames: ["web.t.example.net"]: needs proxy: only the proxies route by name',
        'site.vms[2].proxy: ["http", "https"]: needs site.proxy.ipv4: the addresses the proxies serve on',
        'site.vms[3].proxy: ["smtp", "http"]: needs site.proxy.ipv4: the addresses the proxies serve on',
    ]
