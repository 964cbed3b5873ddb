# SPDX-License-Identifier: GPL-3.0-or-later
"""The ipv4_proxy role's builder: one border router's HAProxy frontends and backends and its Postfix relay."""

from __future__ import annotations

import pytest
from sites import dns_site, proxy_site

from ansible_collections.ipv6only.datacenter.plugins.module_utils import ipv4_proxy
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan

PLAN = build_plan(proxy_site())


def build(router: str, plan: dict = PLAN, **changes) -> dict:
    values = {o.name: o.default for o in ipv4_proxy.OPTIONS} | {"router": router} | changes
    return ipv4_proxy.build(plan, ipv4_proxy.OPTIONS.convert(values), {})


def test_each_service_has_its_vms_with_this_routers_source_address():
    br1, br2 = build("br1"), build("br2")
    assert br1["addresses"] == ["198.51.100.42"]
    assert br1["ports"] == [25, 80, 443]
    assert [vm["name"] for vm in br1["http"]] == ["blog", "mail"]
    assert [vm["name"] for vm in br1["https"]] == ["blog"]
    assert [vm["name"] for vm in br1["smtp"]] == ["mail"]
    # br1 is on the vms network, br2 reaches it through the site: each connects from its own address there.
    assert br1["http"][0] == {
        "name": "blog",
        "hostnames": ["blog.t.example.net"],
        "ipv6": "2001:db8:100:2::b",
        "port": 80,
        "source": "2001:db8:100:2::11",
    }
    assert br2["http"][0]["source"] == "2001:db8:100:1::12"
    # HTTPS goes to the VM's PROXY v2 port, never to its 443, which serves IPv6 clients directly.
    assert br1["https"][0]["port"] == 8443


def test_the_relay_takes_exactly_the_smtp_vms_names_to_their_vms():
    relay = build("br1")["relay"]
    assert relay["domains"] == ["mail.t.example.net", "www.customer.example"]
    assert relay["transport"] == [
        {"domain": "mail.t.example.net", "nexthop": "[2001:db8:100:2::c]:25"},
        {"domain": "www.customer.example", "nexthop": "[2001:db8:100:2::c]:25"},
    ]
    assert relay["port"] == 10025


def test_only_the_services_some_vm_has_listen():
    site = proxy_site()
    site["vms"] = site["vms"][:3]  # no smtp VM
    config = build("br1", build_plan(site))
    assert config["ports"] == [80, 443]
    assert config["smtp"] == [] and config["relay"]["domains"] == []


@pytest.mark.parametrize(
    ("router", "plan", "changes", "message"),
    [
        ("hv1", PLAN, {}, "ipv4_proxy_router hv1: not a border router of the site plan (border routers: br1, br2)"),
        ("br1", build_plan(dns_site()), {}, "site.proxy.ipv4: not set in the site model"),
        ("br1", PLAN, {"sni_wait": 0}, "ipv4_proxy_sni_wait 0: must be 1 to 60"),
        ("br1", PLAN, {"relay_port": 25}, "ipv4_proxy_relay_port 25: must be 1024 to 65535"),
        ("br1", PLAN, {"smtp_timeout": 10}, "ipv4_proxy_smtp_timeout 10: must be 60 to 3600"),
    ],
)
def test_a_wrong_router_plan_or_option_is_refused_by_name(router, plan, changes, message):
    with pytest.raises(PlanError) as caught:
        build(router, plan, **changes)
    assert message in str(caught.value)
