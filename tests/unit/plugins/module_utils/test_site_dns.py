# SPDX-License-Identifier: GPL-3.0-or-later
"""The site_dns role's builder: one name server's Knot configuration, from the planned zones."""

from __future__ import annotations

import pytest
from sites import dns_site

from ansible_collections.ipv6only.datacenter.plugins.module_utils import site_dns
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan

PLAN = build_plan(dns_site())


def build(name: str, **changes) -> dict:
    values = {o.name: o.default for o in site_dns.OPTIONS} | {"name": name} | changes
    return site_dns.build(PLAN, site_dns.OPTIONS.convert(values), {})


def test_the_first_name_server_is_the_primary_and_signs():
    primary = build("br1")
    assert primary["role"] == "primary"
    assert primary["listen"] == ["2001:db8:100:53::1", "198.51.100.53"]
    assert primary["peers"] == [{"name": "ns2", "address": "2001:db8:100:53::2"}]
    assert primary["routes"] == [
        {"to": "2001:db8:100:53::2/128", "via": "2001:db8:100:1::12"},
        {"to": "198.51.100.54/32", "via": "2001:db8:100:1::12"},
    ]
    assert primary["dnssec"] == {"enabled": True, "algorithm": "ecdsap256sha256"}
    assert primary["soa"]["mname"] == "ns1.t.example.net"
    assert primary["soa"]["rname"] == "hostmaster.t.example.net"
    assert [z["name"] for z in primary["zones"]] == [z["name"] for z in PLAN["dns"]["zones"]]


def test_a_secondary_transfers_from_the_primary_and_does_not_sign():
    secondary = build("br2")
    assert secondary["role"] == "secondary"
    assert secondary["primary"] == {"name": "ns1", "host": "br1", "address": "2001:db8:100:53::1"}
    assert secondary["dnssec"]["enabled"] is False
    assert secondary["routes"][0] == {"to": "2001:db8:100:53::1/128", "via": "2001:db8:100:1::11"}


@pytest.mark.parametrize(
    ("name", "changes", "message"),
    [
        (
            "hv1",
            {},
            r"site_dns_name hv1: no name server of the site plan runs here \(site.nameservers hosts: br1, br2\)",
        ),
        ("br1", {"soa_retry": 3600}, "site_dns_soa_retry 3600: must be shorter than site_dns_soa_refresh 3600"),
        ("br1", {"ttl": 0}, "site_dns_ttl 0: must be 1 to 2147483647 seconds"),
    ],
)
def test_what_the_builder_refuses(name, changes, message):
    with pytest.raises(PlanError, match=message):
        build(name, **changes)
