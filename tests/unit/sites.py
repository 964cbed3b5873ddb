# SPDX-License-Identifier: GPL-3.0-or-later
"""Small site models for the unit tests of the builders, planned by the real planning library."""

from __future__ import annotations

from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan


def small_site(**changes) -> dict:
    """A site with two border routers (br1 on the vms network too), a hypervisor and a dual-stack VM."""
    site = {
        "name": "t",
        "domain": "t.example.net",
        "prefix": "2001:db8:100::/48",
        "nat64_prefix": "2001:db8:100:64::/96",
        "ipv4_pool": "198.51.100.0/26",
        "customer_prefix": "2001:db8:8000::/36",
        "allow_documentation_prefixes": True,
        "resolvers": ["br1", "br2"],
        "networks": [
            {"name": "mgmt", "id": 1},
            {"name": "servers", "id": 16},
            {"name": "vms", "id": 2, "ipv4": "198.51.100.0/27"},
        ],
        "hosts": [
            {"name": "br1", "network": "mgmt", "id": 0x11, "networks": ["vms"]},
            {"name": "br2", "network": "mgmt", "id": 0x12},
            {"name": "hv1", "network": "mgmt", "id": 0x31},
        ],
        "vms": [{"name": "web1", "network": "vms", "id": 7, "ipv4": True}],
    }
    return site | changes


def small_plan(**changes) -> dict:
    return build_plan(small_site(**changes))
