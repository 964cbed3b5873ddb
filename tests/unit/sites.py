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


def switched_site() -> dict:
    """small_site with sw1 switching servers and vms: br1 routes both, client1 and web1 are hosts on them."""
    site = small_site()
    site["hosts"][0]["networks"] = ["servers", "vms"]
    site["hosts"][0]["role"] = "border_router"
    site["hosts"] += [
        {"name": "sw1", "network": "mgmt", "id": 0x21, "role": "switch"},
        {"name": "client1", "network": "servers", "id": 0x101},
    ]
    site["switches"] = [
        {
            "name": "sw1",
            "ports": [
                {"port": "swp1", "kind": "router", "node": "br1", "interface": "eth1", "network": "servers"},
                {"port": "swp2", "kind": "router", "node": "br1", "interface": "eth2", "network": "vms"},
                {"port": "swp3", "kind": "host", "node": "client1", "interface": "eth0", "network": "servers"},
                {"port": "swp4", "kind": "host", "node": "web1", "interface": "eth0", "network": "vms"},
                {"port": "swp9", "kind": "jump", "network": "servers", "address": "2001:db8:100:10::1"},
            ],
        }
    ]
    return site


def dns_site(**changes) -> dict:
    """small_site with both routers as border routers serving DNS, a mapped VM and a customer with name servers."""
    site = small_site()
    for host in site["hosts"][:2]:
        host["role"] = "border_router"
    site["vms"].append({"name": "shop", "network": "vms", "id": 9, "ipv4_mapping": True})
    site["customers"] = [
        {"name": "acme", "id": 1, "nameservers": ["ns1.acme.example", "ns2.acme.example."]},
        {"name": "beta", "id": 2},
    ]
    site["nameservers"] = [
        {"name": "ns1", "host": "br1", "ipv6": "2001:db8:100:53::1", "ipv4": "198.51.100.53"},
        {"name": "ns2", "host": "br2", "ipv6": "2001:db8:100:53::2", "ipv4": "198.51.100.54"},
    ]
    return site | changes


def proxy_site(**changes) -> dict:
    """dns_site with the proxies on 198.51.100.42: shop keeps its mapping, blog and mail sit behind the proxies."""
    site = dns_site()
    site["proxy"] = {"ipv4": ["198.51.100.42"]}
    site["vms"] += [
        {"name": "blog", "network": "vms", "id": 0xB, "proxy": ["http", "https"]},
        {
            "name": "mail",
            "network": "vms",
            "id": 0xC,
            "proxy": ["smtp", "http"],
            "hostnames": ["mail.t.example.net", "www.customer.example"],
        },
    ]
    return site | changes
