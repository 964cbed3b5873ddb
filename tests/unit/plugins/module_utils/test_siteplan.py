# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import gc
import ipaddress
import json

import pytest

from ansible_collections.ipv6only.datacenter.plugins.module_utils import siteplan
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError

LABEL_RULE = "must be a hostname label: a-z, 0-9 and '-' (not first or last), at most 63 characters"
INT_RULE = "must be a non-negative integer (a decimal or 0x hex string is accepted too)"
MAC_RULE = (
    "must be a MAC address: 6 hex octets as xx:xx:xx:xx:xx:xx or xx-xx-xx-xx-xx-xx, "
    "Cisco's xxxx.xxxx.xxxx, xxxxxx-xxxxxx, or 12 hex digits"
)
MULTICAST_RULE = "multicast MAC (I/G bit set) cannot be a unicast interface address"


def example_site() -> dict:
    """The site model from the design notes."""
    return {
        "name": "zrh1",
        "domain": "zrh1.example.net",
        "prefix": "2001:db8:100::/48",
        "nat64_prefix": "2001:db8:100:64::/96",
        "ipv4_pool": "198.51.100.0/26",
        "customer_prefix": "2001:db8:8000::/36",
        "allow_documentation_prefixes": True,
        "resolvers": ["br1", "br2"],
        "networks": [
            {"name": "mgmt", "id": 1},
            {"name": "vms", "id": 2, "ipv4": "198.51.100.0/27"},
        ],
        "hosts": [
            {"name": "br1", "network": "mgmt", "id": 1, "networks": ["vms"]},
            {"name": "br2", "network": "mgmt", "id": 2},
        ],
        "vms": [
            {"name": "web1", "network": "vms", "mac": "06:00:84:41:f2:50", "ipv4": True},
            {"name": "db1", "network": "vms", "id": 7},
            {"name": "shop", "network": "vms", "id": 9, "ipv4_mapping": True},
        ],
        "customers": [{"name": "acme", "id": 1}],
    }


def problems(site: object) -> list[str]:
    with pytest.raises(PlanError) as e:
        siteplan.build_plan(site)
    return e.value.problems


# --- the plan ---------------------------------------------------------------------------------------------


def test_example_plan():
    plan = siteplan.build_plan(example_site())
    assert plan["name"] == "zrh1"
    assert plan["domain"] == "zrh1.example.net"
    assert plan["prefix"] == "2001:db8:100::/48"
    assert plan["customer_prefix"] == "2001:db8:8000::/36"
    assert plan["jump_prefix"] == "2001:db8:100:1::/64"
    assert plan["management_network"] == "mgmt"
    assert plan["networks"] == {
        "mgmt": {"name": "mgmt", "id": 1, "prefix": "2001:db8:100:1::/64", "ipv4": None, "vlan": None},
        "vms": {
            "name": "vms",
            "id": 2,
            "prefix": "2001:db8:100:2::/64",
            "ipv4": {"subnet": "198.51.100.0/27", "gateway": "198.51.100.1", "prefixlen": 27},
            "vlan": None,
        },
    }
    assert plan["hosts"]["br1"] == {
        "name": "br1",
        "network": "mgmt",
        "ipv6": "2001:db8:100:1::1",
        "addresses": {"mgmt": "2001:db8:100:1::1", "vms": "2001:db8:100:2::1"},
        "prefixlen": 64,
        "fqdn": "br1.zrh1.example.net",
        "role": "server",
    }
    assert plan["hosts"]["br2"]["addresses"] == {"mgmt": "2001:db8:100:1::2"}
    assert plan["vms"]["web1"] == {
        "name": "web1",
        "network": "vms",
        "ipv6": "2001:db8:100:2:400:84ff:fe41:f250",
        "addresses": {"vms": "2001:db8:100:2:400:84ff:fe41:f250"},
        "prefixlen": 64,
        "mac": "06:00:84:41:f2:50",
        "ipv4": "198.51.100.2",
        "ipv4_mapping": None,
        "ipv4_mapping_ports": None,
        "proxy": [],
        "hostnames": [],
        "fqdn": "web1.zrh1.example.net",
    }
    assert plan["vms"]["db1"]["ipv6"] == "2001:db8:100:2::7"
    assert plan["vms"]["db1"]["mac"] is None
    assert plan["vms"]["shop"]["ipv4_mapping"] == "198.51.100.32"
    assert plan["customers"] == {"acme": {"name": "acme", "id": 1, "prefix": "2001:db8:8001::/48", "nameservers": []}}
    assert plan["nat64"] == {
        "prefix": "2001:db8:100:64::/96",
        "well_known": False,
        "pool4": "198.51.100.60/30",
        "eam": [{"ipv4": "198.51.100.32", "ipv6": "2001:db8:100:2::9", "vm": "shop", "ports": None}],
    }
    # 64 in the pool - 32 in the subnet - 4 in pool4 - 1 mapping
    assert plan["ipv4"] == {
        "pool": "198.51.100.0/26",
        "pool4": "198.51.100.60/30",
        "mapping_used": 1,
        "mapping_free": 27,
    }
    assert plan["proxy"] == {
        "ipv4": [],
        "proxy_protocol_port": 8443,
        "backends": [],
        "ports": [],
        "external_records": [],
    }
    assert plan["dns"]["resolvers"] == ["2001:db8:100:1::1", "2001:db8:100:1::2"]
    # The /26 pool is an RFC 2317 classless zone: the site does not own the /24.
    assert plan["dns"]["reverse_zones"] == ["0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa", "0-26.100.51.198.in-addr.arpa"]
    assert plan["dns"]["dns64_reverse_zones"] == ["0.0.0.0.0.0.0.0.4.6.0.0.0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa"]


def test_example_records_in_order():
    records = siteplan.build_plan(example_site())["dns"]["records"]

    def ptr(address):
        return ipaddress.ip_address(address).reverse_pointer

    br1, br2, web1, db1, shop = (f"{n}.zrh1.example.net" for n in ("br1", "br2", "web1", "db1", "shop"))
    # br1's address on vms (its extra network) gets no records: only a host's primary address is named.
    assert records == [
        {"name": br1, "type": "AAAA", "value": "2001:db8:100:1::1"},
        {"name": ptr("2001:db8:100:1::1"), "type": "PTR", "value": br1},
        {"name": br2, "type": "AAAA", "value": "2001:db8:100:1::2"},
        {"name": ptr("2001:db8:100:1::2"), "type": "PTR", "value": br2},
        {"name": web1, "type": "AAAA", "value": "2001:db8:100:2:400:84ff:fe41:f250"},
        {"name": web1, "type": "A", "value": "198.51.100.2"},
        {"name": ptr("2001:db8:100:2:400:84ff:fe41:f250"), "type": "PTR", "value": web1},
        {"name": "2.100.51.198.in-addr.arpa", "type": "PTR", "value": web1},
        {"name": db1, "type": "AAAA", "value": "2001:db8:100:2::7"},
        {"name": ptr("2001:db8:100:2::7"), "type": "PTR", "value": db1},
        {"name": shop, "type": "AAAA", "value": "2001:db8:100:2::9"},
        # The public name of a mapped VM resolves to its mapping address too.
        {"name": shop, "type": "A", "value": "198.51.100.32"},
        {"name": ptr("2001:db8:100:2::9"), "type": "PTR", "value": shop},
        {"name": "32.100.51.198.in-addr.arpa", "type": "PTR", "value": shop},
    ]


def test_plan_is_json_and_input_is_untouched():
    site = example_site()
    plan = siteplan.build_plan(site)
    assert json.loads(json.dumps(plan)) == plan
    assert site == example_site()


def test_minimal_site():
    keep = ("name", "domain", "prefix", "nat64_prefix", "allow_documentation_prefixes")
    site = {k: v for k, v in example_site().items() if k in keep}
    site |= {"ipv4_pool": "198.51.100.0/30", "customer_prefix": "2001:db8:8000::/36", "nat64_pool4_size": 1}
    plan = siteplan.build_plan(site)
    assert plan["networks"] == plan["hosts"] == plan["vms"] == plan["customers"] == {}
    assert plan["jump_prefix"] is None  # no management network and no hosts to manage
    assert plan["nat64"]["pool4"] == "198.51.100.3/32"
    assert plan["ipv4"]["mapping_free"] == 3
    assert plan["dns"]["records"] == []
    assert plan["proxy"]["backends"] == []


@pytest.mark.parametrize("network_id", [18, "18", "0x12", "0X12"])
def test_ids_are_numbers_however_written(network_id):
    site = example_site()
    site["networks"][1]["id"] = network_id
    site["vms"][1]["id"] = "0x10"
    plan = siteplan.build_plan(site)
    assert plan["networks"]["vms"]["id"] == 18
    assert plan["networks"]["vms"]["prefix"] == "2001:db8:100:12::/64"
    assert plan["vms"]["db1"]["ipv6"] == "2001:db8:100:12::10"


def test_null_optional_keys_are_unset():
    site = example_site()
    site |= {"jump_prefix": None, "resolvers": None, "customers": None}
    site["networks"][0]["ipv4"] = None
    site["hosts"][0]["networks"] = None
    site["vms"][1] |= {"mac": None, "ipv4": None, "ipv4_mapping": None, "proxy": None}
    plan = siteplan.build_plan(site)
    assert plan["hosts"]["br1"]["addresses"] == {"mgmt": "2001:db8:100:1::1"}
    assert plan["jump_prefix"] == "2001:db8:100:1::/64"
    assert plan["dns"]["resolvers"] == []
    assert plan["customers"] == {}
    assert plan["networks"]["mgmt"]["ipv4"] is None
    assert plan["vms"]["db1"] == siteplan.build_plan(example_site())["vms"]["db1"]


def test_null_required_keys_are_wrong():
    site = example_site()
    site["prefix"] = None
    site["vms"][1]["id"] = None  # db1 then has neither mac nor id
    assert problems(site) == [
        "site.prefix: null: must be a string",
        "site.vms[1]: needs mac (EUI-64 address) or id (static address)",
    ]


def test_vm_with_mac_and_id_takes_the_id_and_records_the_mac():
    site = example_site()
    site["vms"][1]["mac"] = "06-00-84-41-F2-51"
    vm = siteplan.build_plan(site)["vms"]["db1"]
    assert vm["ipv6"] == "2001:db8:100:2::7"
    assert vm["mac"] == "06:00:84:41:f2:51"


def test_host_addresses_on_several_networks():
    site = example_site()
    site["networks"].append({"name": "servers", "id": "0x10"})
    site["hosts"][0]["networks"] = ["servers", "vms"]
    site["hosts"][1]["networks"] = ["vms"]
    plan = siteplan.build_plan(site)
    br1, br2 = plan["hosts"]["br1"], plan["hosts"]["br2"]
    # The primary network first, then the extra ones in list order; the same interface id on each.
    assert list(br1["addresses"].items()) == [
        ("mgmt", "2001:db8:100:1::1"),
        ("servers", "2001:db8:100:10::1"),
        ("vms", "2001:db8:100:2::1"),
    ]
    assert br2["addresses"] == {"mgmt": "2001:db8:100:1::2", "vms": "2001:db8:100:2::2"}
    assert (br1["network"], br1["ipv6"]) == ("mgmt", "2001:db8:100:1::1")
    assert plan["dns"]["resolvers"] == ["2001:db8:100:1::1", "2001:db8:100:1::2"]
    # Only the primary addresses are in DNS.
    named = {r["value"] for r in plan["dns"]["records"] if r["type"] == "AAAA"}
    assert not named & {"2001:db8:100:10::1", "2001:db8:100:2::1", "2001:db8:100:2::2"}
    assert plan["dns"]["records"] == siteplan.build_plan(example_site())["dns"]["records"]


def test_host_without_extra_networks_has_its_primary_address():
    site = example_site()
    del site["hosts"][0]["networks"]
    host = siteplan.build_plan(site)["hosts"]["br1"]
    assert host["addresses"] == {"mgmt": host["ipv6"]}


def test_extra_address_collides_with_a_vm_static_id():
    # br1 is ::1 on vms too, so a VM with the static id 1 there takes an address that is already used.
    site = change(example_site(), ("vms", 1, "id", "0x1"))
    assert problems(site) == [
        "site.vms[1].id: 0x1: address 2001:db8:100:2::1 already used by site.hosts[0].networks[0]"
    ]


def test_explicit_ipv4_is_reserved_before_automatic_ones():
    site = example_site()
    site["vms"][1]["ipv4"] = "198.51.100.2"
    site["vms"][2]["ipv4"] = True
    vms = siteplan.build_plan(site)["vms"]
    assert [vms[n]["ipv4"] for n in ("web1", "db1", "shop")] == ["198.51.100.3", "198.51.100.2", "198.51.100.4"]


def test_explicit_mapping_is_reserved_before_automatic_ones():
    site = example_site()
    site["vms"][1]["ipv4_mapping"] = "198.51.100.32"
    site["vms"][0]["ipv4_mapping"] = True
    plan = siteplan.build_plan(site)
    assert plan["vms"]["web1"]["ipv4_mapping"] == "198.51.100.33"
    assert plan["vms"]["db1"]["ipv4_mapping"] == "198.51.100.32"
    assert plan["vms"]["shop"]["ipv4_mapping"] == "198.51.100.34"
    assert [e["vm"] for e in plan["nat64"]["eam"]] == ["web1", "db1", "shop"]
    assert plan["ipv4"]["mapping_used"] == 3


def test_mapping_ports_are_sorted_ranges_and_the_default_is_every_port():
    site = example_site()
    site["vms"][2]["ipv4_mapping_ports"] = [
        {"proto": "udp", "port": "5060"},
        {"proto": "tcp", "port": 443},
        {"proto": "tcp", "port": "80-81"},
        {"proto": "udp", "port": 443},  # another protocol: no overlap
    ]
    plan = siteplan.build_plan(site)
    ports = [
        {"proto": "tcp", "first": 80, "last": 81},
        {"proto": "tcp", "first": 443, "last": 443},
        {"proto": "udp", "first": 443, "last": 443},
        {"proto": "udp", "first": 5060, "last": 5060},
    ]
    assert plan["vms"]["shop"]["ipv4_mapping_ports"] == ports
    assert plan["nat64"]["eam"][0]["ports"] == ports
    site["vms"][2]["ipv4_mapping_ports"] = None
    assert siteplan.build_plan(site)["nat64"]["eam"][0]["ports"] is None


def test_automatic_mappings_skip_subnets_and_pool4():
    site = example_site()
    site["ipv4_pool"] = "198.51.100.0/28"
    site["networks"][1]["ipv4"] = "198.51.100.4/30"
    site["vms"] = [
        {"name": f"vm{n}", "network": "vms", "id": n + 10, "ipv4_mapping": True} for n in range(8)
    ]  # fmt: skip
    plan = siteplan.build_plan(site)
    mapped = [plan["vms"][f"vm{n}"]["ipv4_mapping"] for n in range(8)]
    assert mapped == [f"198.51.100.{n}" for n in (0, 1, 2, 3, 8, 9, 10, 11)]
    assert plan["nat64"]["pool4"] == "198.51.100.12/30"
    assert plan["ipv4"]["mapping_free"] == 0


def test_well_known_nat64_prefix_is_allowed_and_flagged():
    site = example_site()
    site["nat64_prefix"] = "64:ff9b::/96"
    plan = siteplan.build_plan(site)
    assert plan["nat64"]["well_known"] is True
    assert plan["nat64"]["prefix"] == "64:ff9b::/96"
    assert plan["dns"]["dns64_reverse_zones"] == ["0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa"]


def test_jump_prefix_and_management_network():
    site = example_site()
    site["jump_prefix"] = "2001:db8:ffff::/48"
    assert siteplan.build_plan(site)["jump_prefix"] == "2001:db8:ffff::/48"
    site = example_site()
    site["networks"][0]["name"] = "oob"
    site["hosts"][0]["network"] = site["hosts"][1]["network"] = "oob"
    site["management_network"] = "oob"
    plan = siteplan.build_plan(site)
    assert (plan["management_network"], plan["jump_prefix"]) == ("oob", "2001:db8:100:1::/64")


@pytest.mark.parametrize(("customer_id", "prefix"), [(0, "2001:db8:8000::/48"), ("0xfff", "2001:db8:8fff::/48")])
def test_customer_prefixes(customer_id, prefix):
    site = example_site()
    site["customers"][0]["id"] = customer_id
    assert siteplan.build_plan(site)["customers"]["acme"]["prefix"] == prefix


@pytest.mark.parametrize(("size", "pool4"), [(1, "198.51.100.63/32"), ("0x10", "198.51.100.48/28")])
def test_pool4_is_the_top_aligned_block(size, pool4):
    site = example_site()
    site["nat64_pool4_size"] = size
    assert siteplan.build_plan(site)["nat64"]["pool4"] == pool4


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        siteplan.build_plan(example_site())
        assert gc.isenabled() is enabled
        problems(change(example_site(), ("name", "ZRH")))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


# --- helpers ----------------------------------------------------------------------------------------------


def test_eui64():
    assert siteplan.eui64("06:00:84:41:f2:50", "2001:db8:100:2::/64") == ipaddress.IPv6Address(
        "2001:db8:100:2:400:84ff:fe41:f250"
    )
    # RFC 4291 appendix A: the universal/local bit is inverted.
    assert siteplan.eui64("00-1B-21-AA-BB-CC", ipaddress.IPv6Network("fe80::/64")) == ipaddress.IPv6Address(
        "fe80::21b:21ff:feaa:bbcc"
    )


@pytest.mark.parametrize(
    ("mac", "prefix", "message"),
    [
        ("06:00:84:41:f2:50", "2001:db8::/48", "prefix 2001:db8::/48: EUI-64 addresses need a /64"),
        ("06:00:84:41:f2:50", "2001:db8::1/64", "prefix 2001:db8::1/64: host bits must be zero"),
        ("01:00:5e:00:00:01", "2001:db8::/64", f"mac 01:00:5e:00:00:01: {MULTICAST_RULE}"),
        ("06:00:84:41:f2", "2001:db8::/64", f"mac 06:00:84:41:f2: {MAC_RULE}"),
    ],
)
def test_eui64_errors(mac, prefix, message):
    with pytest.raises(PlanError) as e:
        siteplan.eui64(mac, prefix)
    assert e.value.problems == [message]


@pytest.mark.parametrize(
    ("mac", "normalized"),
    [
        ("06:00:84:41:F2:50", "06:00:84:41:f2:50"),
        ("06-00-84-41-f2-50", "06:00:84:41:f2:50"),
        ("0600.8441.f250", "06:00:84:41:f2:50"),
        ("060084-41f250", "06:00:84:41:f2:50"),
        ("06008441F250", "06:00:84:41:f2:50"),
        ("6:0:84:41:f2:50", "06:00:84:41:f2:50"),
    ],
)
def test_normalize_mac(mac, normalized):
    assert siteplan.normalize_mac(mac) == normalized


@pytest.mark.parametrize(
    ("mac", "message"),
    [
        ("00:00:00:00:00:00", "mac 00:00:00:00:00:00: all-zero MAC cannot be an interface address"),
        ("ff:ff:ff:ff:ff:ff", f"mac ff:ff:ff:ff:ff:ff: {MULTICAST_RULE}"),
        ("06:00-84:41:f2:50", f"mac 06:00-84:41:f2:50: {MAC_RULE}"),
        ("06:00:84:41:f2:50:00:01", f"mac 06:00:84:41:f2:50:00:01: {MAC_RULE}"),
        ("0600.8441.f25g", f"mac 0600.8441.f25g: {MAC_RULE}"),
        (None, f"mac null: {MAC_RULE}"),
        (6, f"mac 6: {MAC_RULE}"),
    ],
)
def test_normalize_mac_errors(mac, message):
    with pytest.raises(PlanError) as e:
        siteplan.normalize_mac(mac)
    assert e.value.problems == [message]


def test_the_same_mac_in_two_notations_is_a_duplicate():
    site = example_site()
    site["vms"].append({"name": "web2", "network": "vms", "mac": "0600.8441.F250"})
    assert problems(site) == ["site.vms[3].mac: 0600.8441.F250: duplicate MAC (also site.vms[0])"]


def test_without_netaddr_a_mac_is_refused_with_what_to_install(monkeypatch):
    monkeypatch.setattr(siteplan, "netaddr", None)
    found = problems(example_site())
    assert found == [
        "site.vms[0].mac: 06:00:84:41:f2:50: needs the Python library netaddr to read a MAC address "
        "(pip install netaddr)"
    ]
    plan = siteplan.build_plan({**example_site(), "vms": [{"name": "db1", "network": "vms", "id": 7}]})
    assert plan["vms"]["db1"]["ipv6"] == "2001:db8:100:2::7"  # static ids plan without it


# --- the spec ---------------------------------------------------------------------------------------------


def _fields(spec, prefix="site."):
    for key, field in spec.items():
        yield f"{prefix}{key}", field
        if "options" in field:
            yield from _fields(field["options"], f"{prefix}{key}{'[]' if field['type'] == 'list' else ''}.")


def test_every_spec_entry_is_documented():
    for path, field in _fields(siteplan.SITE_SPEC):
        assert {"type", "required", "default", "description"} <= field.keys(), path
        assert field["type"] in {"str", "int", "int or str", "bool", "bool or str", "list", "dict"}, path
        assert field["description"].endswith("."), path
        assert not (field["required"] and field["default"] is not None), path
        assert ("elements" in field) == (field["type"] == "list"), path
        assert ("options" in field) == (field.get("elements") == "dict" or field["type"] == "dict"), path


def test_spec_covers_the_example():
    site = example_site()
    assert site.keys() <= siteplan.SITE_SPEC.keys()
    for key in ("networks", "hosts", "vms", "customers"):
        for item in site[key]:
            assert item.keys() <= siteplan.SITE_SPEC[key]["options"].keys()


def test_spec_markdown_has_a_row_per_key():
    markdown = siteplan.site_spec_markdown()
    lines = markdown.splitlines()
    assert lines[0] == "| Key | Type | Required | Default | Description |"
    paths = [path for path, _ in _fields(siteplan.SITE_SPEC)]
    assert len(lines) == 2 + len(paths)
    for path, line in zip(paths, lines[2:], strict=True):
        assert line.startswith(f"| `{path}` |")
    assert "| `site.vms[].proxy` | list of str | no | `[]` |" in markdown
    assert "| `site.nat64_pool4_size` | int | no | `4` |" in markdown


# --- every validation rule --------------------------------------------------------------------------------

DELETE = object()
TOP_KEYS = (
    "name, domain, prefix, nat64_prefix, nat64_pool4_size, ipv4_pool, customer_prefix, jump_prefix, "
    "management_network, allow_documentation_prefixes, resolvers, networks, hosts, vms, customers, nameservers, "
    "proxy, switches"
)
LONG_DOMAIN = ".".join(c * 63 for c in "abc")


def change(site: dict, *edits: tuple) -> dict:
    """Apply edits (path..., value): set the value, DELETE the key, or append to a list (path ending in +)."""
    for *path, value in edits:
        target = site
        for key in path[:-1]:
            target = target[key]
        if path[-1] == "+":
            target.append(value)
        elif value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return site


def vm(name, **keys):
    return {"name": name, "network": "vms", **keys}


CASES = {
    # structure, driven by SITE_SPEC
    "unknown top key": ([("nat46", 1)], [f"site.nat46: unknown key, expected one of {TOP_KEYS}"]),
    "wrong type": ([("prefix", 5)], ["site.prefix: 5: must be a string"]),
    "list expected": ([("networks", "mgmt")], ["site.networks: mgmt: must be a list"]),
    "bool expected": ([("vms", 0, "ipv4", 5)], ["site.vms[0].ipv4: 5: must be true, false or an address string"]),
    "string elements": ([("resolvers", [1])], ["site.resolvers[0]: 1: must be a string"]),
    "item not a mapping": ([("networks", "+", 42)], ["site.networks[2]: 42: must be a mapping"]),
    "unknown network key": (
        [("networks", 1, "vid", 5)],
        ["site.networks[1].vid: unknown key, expected one of name, id, ipv4, vlan"],
    ),
    "unknown vm key": (
        [("vms", 0, "ipv6", "2001:db8:100:2::1")],
        [
            "site.vms[0].ipv6: unknown key, expected one of "
            "name, network, mac, id, ipv4, ipv4_mapping, ipv4_mapping_ports, proxy, hostnames"
        ],
    ),
    "missing host key": ([("hosts", 1, "id", DELETE)], ["site.hosts[1].id: missing required key"]),
    "unknown host key": (
        [("hosts", 1, "vlan", 5)],
        ["site.hosts[1].vlan: unknown key, expected one of name, network, id, networks, role"],
    ),
    "host networks not a list": ([("hosts", 0, "networks", "vms")], ["site.hosts[0].networks: vms: must be a list"]),
    "host networks element": (
        [("hosts", 0, "networks", ["vms", 2])],
        ["site.hosts[0].networks[1]: 2: must be a string"],
    ),
    # names
    "site name": ([("name", "ZRH_1")], [f"site.name: ZRH_1: {LABEL_RULE}"]),
    "site name too long": ([("name", "z" * 64)], [f"site.name: {'z' * 64}: {LABEL_RULE}"]),
    "site name hyphen": ([("name", "zrh-")], [f"site.name: zrh-: {LABEL_RULE}"]),
    "domain": (
        [("domain", "zrh1.example.net.")],
        [
            "site.domain: zrh1.example.net.: "
            "must be dot-separated hostname labels, no trailing dot, at most 253 characters"
        ],
    ),
    "network name": (
        [("networks", "+", {"name": "Bad_Net", "id": 3})],
        [f"site.networks[2].name: Bad_Net: {LABEL_RULE}"],
    ),
    "vm name": ([("vms", 1, "name", "db 1")], [f"site.vms[1].name: db 1: {LABEL_RULE}"]),
    "customer name": ([("customers", 0, "name", "Acme")], [f"site.customers[0].name: Acme: {LABEL_RULE}"]),
    "fqdn too long": (
        [("domain", LONG_DOMAIN), ("vms", 1, "name", "d" * 62)],
        [f"site.vms[1].name: {'d' * 62}: {'d' * 62}.{LONG_DOMAIN} would be longer than 253 characters"],
    ),
    "duplicate network name": (
        [("networks", "+", {"name": "vms", "id": 3})],
        ["site.networks[2].name: vms: duplicate network name (also site.networks[1])"],
    ),
    "host and vm share names": (
        [("vms", 1, "name", "br1")],
        ["site.vms[1].name: br1: duplicate name (also site.hosts[0])"],
    ),
    "duplicate host name": (
        [("resolvers", ["br1"]), ("hosts", 1, "name", "br1")],
        ["site.hosts[1].name: br1: duplicate name (also site.hosts[0])"],
    ),
    "duplicate customer name": (
        [("customers", "+", {"name": "acme", "id": 2})],
        ["site.customers[1].name: acme: duplicate customer name (also site.customers[0])"],
    ),
    # site prefixes
    "prefix unparseable": ([("prefix", "2001:db8:100::/129")], ["site.prefix: 2001:db8:100::/129: not an IPv6 prefix"]),
    "prefix host bits": (
        [("prefix", "2001:db8:100::1/48")],
        ["site.prefix: 2001:db8:100::1/48: host bits must be zero"],
    ),
    "prefix ipv4": ([("prefix", "198.51.100.0/24")], ["site.prefix: 198.51.100.0/24: not an IPv6 prefix"]),
    "prefix too long": (
        [("prefix", "2001:db8:100::/80")],
        ["site.prefix: 2001:db8:100::/80: must be /64 or shorter: each network is one of its /64s"],
    ),
    "nat64 u-octet": (
        [("nat64_prefix", "2001:db8:122:344:ff00::/96")],
        [
            "site.nat64_prefix: nat64 prefix 2001:db8:122:344:ff00::/96: "
            "bits 64-71 (u-octet) must be zero (RFC 6052 section 2.2)"
        ],
    ),
    "nat64 length": (
        [("nat64_prefix", "2001:db8:100:64::/80")],
        [
            "site.nat64_prefix: nat64 prefix 2001:db8:100:64::/80: "
            "length must be one of /32, /40, /48, /56, /64, /96 (RFC 6052 section 2.2)"
        ],
    ),
    "nat64 overlaps a network": (
        [("nat64_prefix", "2001:db8:100:2::/96")],
        ["site.nat64_prefix: 2001:db8:100:2::/96: overlaps site.networks[1] (vms) 2001:db8:100:2::/64"],
    ),
    "nat64 overlaps two networks": (
        [("nat64_prefix", "2001:db8:100::/56")],
        [
            "site.nat64_prefix: 2001:db8:100::/56: overlaps site.networks[0] (mgmt) 2001:db8:100:1::/64",
            "site.nat64_prefix: 2001:db8:100::/56: overlaps site.networks[1] (vms) 2001:db8:100:2::/64",
        ],
    ),
    "nat64 contains the site": (
        [("nat64_prefix", "2001:db8::/32"), ("customer_prefix", "2001:db9:8000::/36")],
        ["site.nat64_prefix: 2001:db8::/32: contains site.prefix 2001:db8:100::/48"],
    ),
    "nat64 overlaps customers": (
        [("nat64_prefix", "2001:db8:8000:64::/96")],
        ["site.nat64_prefix: 2001:db8:8000:64::/96: overlaps site.customer_prefix 2001:db8:8000::/36"],
    ),
    "customer prefix too long": (
        [("customer_prefix", "2001:db8:8000::/56")],
        ["site.customer_prefix: 2001:db8:8000::/56: must be /48 or shorter: customers get /48s"],
    ),
    "customer prefix overlaps the site": (
        [("customer_prefix", "2001:db8:100::/40")],
        [
            "site.customer_prefix: 2001:db8:100::/40: overlaps site.prefix 2001:db8:100::/48",
            "site.nat64_prefix: 2001:db8:100:64::/96: overlaps site.customer_prefix 2001:db8:100::/40",
        ],
    ),
    "customer prefix ipv4": (
        [("customer_prefix", "10.0.0.0/8")],
        ["site.customer_prefix: 10.0.0.0/8: not an IPv6 prefix"],
    ),
    "jump prefix host bits": (
        [("jump_prefix", "2001:db8:100:1::1/64")],
        ["site.jump_prefix: 2001:db8:100:1::1/64: host bits must be zero"],
    ),
    "jump prefix ipv4": ([("jump_prefix", "192.0.2.0/24")], ["site.jump_prefix: 192.0.2.0/24: not an IPv6 prefix"]),
    # IPv4 pool and pool4
    "pool ipv6": ([("ipv4_pool", "2001:db8::/64")], ["site.ipv4_pool: 2001:db8::/64: not an IPv4 prefix"]),
    "pool host bits": ([("ipv4_pool", "198.51.100.1/26")], ["site.ipv4_pool: 198.51.100.1/26: host bits must be zero"]),
    "pool4 not a power of two": (
        [("nat64_pool4_size", 3)],
        ["site.nat64_pool4_size: 3: must be a power of two (pool4 is an aligned block)"],
    ),
    "pool4 zero": (
        [("nat64_pool4_size", 0)],
        ["site.nat64_pool4_size: 0: must be a power of two (pool4 is an aligned block)"],
    ),
    "pool4 negative": ([("nat64_pool4_size", -4)], ["site.nat64_pool4_size: -4: must not be negative"]),
    "pool4 too big": (
        [("nat64_pool4_size", 128)],
        ["site.nat64_pool4_size: 128: larger than site.ipv4_pool 198.51.100.0/26 (64 addresses)"],
    ),
    "pool too small": (
        [
            ("ipv4_pool", "198.51.100.0/28"),
            ("networks", 1, "ipv4", "198.51.100.0/29"),
            *(("vms", "+", vm(f"m{n}", id=100 + n, ipv4_mapping=True)) for n in range(4)),
        ],
        [
            "site.ipv4_pool: 198.51.100.0/28: too small: 9 addresses needed (4 pool4 + 5 ipv4_mapping) "
            "but 8 free outside network subnets"
        ],
    ),
    # networks
    "network id too big": (
        [("networks", "+", {"name": "big", "id": "0x10000"})],
        ["site.networks[2].id: 0x10000: does not fit in the 16 subnet bits of site.prefix 2001:db8:100::/48"],
    ),
    "network id collision": (
        [("networks", "+", {"name": "dup", "id": "0x2"})],
        ["site.networks[2].id: 0x2: same subnet as site.networks[1] (vms)"],
    ),
    "network id 18 is 0x12": (
        [("networks", "+", {"name": "a", "id": 18}), ("networks", "+", {"name": "b", "id": "0x12"})],
        ["site.networks[3].id: 0x12: same subnet as site.networks[2] (a)"],
    ),
    "network id negative": ([("networks", 1, "id", -1)], ["site.networks[1].id: -1: must not be negative"]),
    "network id negative hex": ([("networks", 1, "id", "-0x1")], ["site.networks[1].id: -0x1: must not be negative"]),
    "network id bool": ([("networks", 1, "id", True)], [f"site.networks[1].id: true: {INT_RULE}"]),
    "network id float": ([("networks", 1, "id", 2.0)], [f"site.networks[1].id: 2.0: {INT_RULE}"]),
    "network id underscore": ([("networks", 1, "id", "1_0")], [f"site.networks[1].id: 1_0: {INT_RULE}"]),
    "network id bare 0x": ([("networks", 1, "id", "0x")], [f"site.networks[1].id: 0x: {INT_RULE}"]),
    "network id spaces": ([("networks", 1, "id", " 2")], [f'site.networks[1].id: " 2": {INT_RULE}']),
    "network ipv4 unparseable": (
        [("networks", 1, "ipv4", "198.51.100.0/33")],
        ["site.networks[1].ipv4: 198.51.100.0/33: not an IPv4 prefix"],
    ),
    "network ipv4 host bits": (
        [("networks", 1, "ipv4", "198.51.100.1/27")],
        ["site.networks[1].ipv4: 198.51.100.1/27: host bits must be zero"],
    ),
    "network ipv4 too small to route": (
        [("networks", 1, "ipv4", "198.51.100.0/31")],
        ["site.networks[1].ipv4: 198.51.100.0/31: must be /30 or shorter: network, gateway and broadcast are reserved"],
    ),
    "network ipv4 outside pool": (
        [("networks", 1, "ipv4", "203.0.113.0/27")],
        ["site.networks[1].ipv4: 203.0.113.0/27: outside site.ipv4_pool 198.51.100.0/26"],
    ),
    "network ipv4 overlaps pool4": (
        [("networks", 1, "ipv4", "198.51.100.32/27")],
        [
            "site.networks[1].ipv4: 198.51.100.32/27: overlaps the NAT64 pool4 block 198.51.100.60/30 "
            "(the top 4 addresses of site.ipv4_pool)"
        ],
    ),
    "network ipv4 inside another": (
        [("networks", "+", {"name": "dmz", "id": 3, "ipv4": "198.51.100.16/28"})],
        ["site.networks[2].ipv4: 198.51.100.16/28: overlaps site.networks[1].ipv4 198.51.100.0/27"],
    ),
    "network ipv4 around another": (
        [
            ("networks", 1, "ipv4", "198.51.100.16/28"),
            ("networks", "+", {"name": "dmz", "id": 3, "ipv4": "198.51.100.0/27"}),
        ],
        ["site.networks[1].ipv4: 198.51.100.16/28: overlaps site.networks[2].ipv4 198.51.100.0/27"],
    ),
    "network ipv4 equal": (
        [("networks", "+", {"name": "dmz", "id": 3, "ipv4": "198.51.100.0/27"})],
        ["site.networks[2].ipv4: 198.51.100.0/27: overlaps site.networks[1].ipv4 198.51.100.0/27"],
    ),
    "network ipv4 too small": (
        [
            ("networks", 1, "ipv4", "198.51.100.0/29"),
            *(("vms", "+", vm(f"d{n}", id=100 + n, ipv4=True)) for n in range(6)),
        ],
        [
            "site.networks[1].ipv4: 198.51.100.0/29: too small: 7 dual-stack VMs need addresses but 5 are free "
            "(network, gateway and broadcast excluded)"
        ],
    ),
    # references
    "unknown network": (
        [("hosts", 0, "network", "nope")],
        ["site.hosts[0].network: nope: no such network in site.networks"],
    ),
    "unknown extra network": (
        [("hosts", 0, "networks", ["vms", "nope"])],
        ["site.hosts[0].networks[1]: nope: no such network in site.networks"],
    ),
    "unknown extra network and unknown network": (
        [("hosts", 1, "network", "oob"), ("hosts", 1, "networks", ["dmz"])],
        [
            "site.hosts[1].network: oob: no such network in site.networks",
            "site.hosts[1].networks[0]: dmz: no such network in site.networks",
        ],
    ),
    "extra network twice": (
        [("hosts", 0, "networks", ["vms", "vms"])],
        ["site.hosts[0].networks[1]: vms: listed twice"],
    ),
    "unknown extra network twice": (
        [("hosts", 0, "networks", ["nope", "nope"])],
        [
            "site.hosts[0].networks[0]: nope: no such network in site.networks",
            "site.hosts[0].networks[1]: nope: listed twice",
        ],
    ),
    "extra network is the primary one": (
        [("hosts", 0, "networks", ["mgmt", "vms"])],
        ["site.hosts[0].networks[0]: mgmt: is already the host's network (site.hosts[0].network)"],
    ),
    "management network missing": (
        [("management_network", "oob")],
        ["site.management_network: oob: no such network in site.networks (needed when there are hosts)"],
    ),
    "resolver unknown": ([("resolvers", ["br1", "nobody"])], ["site.resolvers[1]: nobody: no such host in site.hosts"]),
    "resolver is a vm": ([("resolvers", ["web1"])], ["site.resolvers[0]: web1: no such host in site.hosts"]),
    "resolver twice": ([("resolvers", ["br1", "br1"])], ["site.resolvers[1]: br1: listed twice"]),
    # host and VM addresses
    "host id zero": (
        [("hosts", 0, "id", 0)],
        ["site.hosts[0].id: 0: must be at least 1: id 0 is the subnet-router anycast address"],
    ),
    "host id too big": (
        [("hosts", 0, "id", 2**64)],
        ["site.hosts[0].id: 18446744073709551616: does not fit in the 64 interface-identifier bits"],
    ),
    "vm collides with host": (
        [("vms", 1, "network", "mgmt"), ("vms", 1, "id", 1)],
        ["site.vms[1].id: 1: address 2001:db8:100:1::1 already used by site.hosts[0]"],
    ),
    "vm static id collides with an extra host address": (
        [("vms", 2, "id", 1)],
        ["site.vms[2].id: 1: address 2001:db8:100:2::1 already used by site.hosts[0].networks[0]"],
    ),
    "vm eui-64 collides with an extra host address": (
        [
            ("hosts", 1, "id", "0xfffe000007"),
            ("hosts", 1, "networks", ["vms"]),
            ("vms", "+", vm("web2", mac="02:00:00:00:00:07")),
        ],
        [
            "site.vms[3].mac: 02:00:00:00:00:07: "
            "address 2001:db8:100:2:0:ff:fe00:7 already used by site.hosts[1].networks[0]"
        ],
    ),
    "host collides with an extra host address": (
        [("hosts", "+", {"name": "br3", "network": "vms", "id": 1})],
        ["site.hosts[2].id: 1: address 2001:db8:100:2::1 already used by site.hosts[0].networks[0]"],
    ),
    "extra host address collides with a host": (
        [
            ("hosts", 0, "network", "vms"),
            ("hosts", 0, "networks", DELETE),
            ("hosts", 1, "id", 1),
            ("hosts", 1, "networks", ["vms"]),
        ],
        ["site.hosts[1].networks[0]: vms: address 2001:db8:100:2::1 already used by site.hosts[0]"],
    ),
    "extra host addresses collide": (
        [("hosts", 1, "id", 1), ("hosts", 1, "network", "vms"), ("hosts", 1, "networks", ["mgmt"])],
        [
            "site.hosts[1].id: 1: address 2001:db8:100:2::1 already used by site.hosts[0].networks[0]",
            "site.hosts[1].networks[0]: mgmt: address 2001:db8:100:1::1 already used by site.hosts[0]",
        ],
    ),
    "static collides with eui-64": (
        [("vms", 1, "id", "0x40084fffe41f250")],
        ["site.vms[1].id: 0x40084fffe41f250: address 2001:db8:100:2:400:84ff:fe41:f250 already used by site.vms[0]"],
    ),
    "eui-64 collides with static": (
        [("vms", 1, "id", 0xFFFE000007), ("vms", "+", vm("web2", mac="02:00:00:00:00:07"))],
        ["site.vms[3].mac: 02:00:00:00:00:07: address 2001:db8:100:2:0:ff:fe00:7 already used by site.vms[1]"],
    ),
    "vm without mac or id": (
        [("vms", 1, "id", DELETE)],
        ["site.vms[1]: needs mac (EUI-64 address) or id (static address)"],
    ),
    "mac format": ([("vms", 0, "mac", "06:00:84:41:f2")], [f"site.vms[0].mac: 06:00:84:41:f2: {MAC_RULE}"]),
    "mac mixed separators": (
        [("vms", 0, "mac", "06:00-84:41:f2:50")],
        [f"site.vms[0].mac: 06:00-84:41:f2:50: {MAC_RULE}"],
    ),
    "mac not a string": ([("vms", 0, "mac", 6)], ["site.vms[0].mac: 6: must be a string"]),
    "mac multicast": (
        [("vms", 0, "mac", "01:00:5e:00:00:01")],
        ["site.vms[0].mac: 01:00:5e:00:00:01: multicast MAC (I/G bit set) cannot be a unicast interface address"],
    ),
    "mac zero": (
        [("vms", 0, "mac", "00:00:00:00:00:00")],
        ["site.vms[0].mac: 00:00:00:00:00:00: all-zero MAC cannot be an interface address"],
    ),
    "mac duplicate": (
        [("vms", 1, "mac", "06-00-84-41-F2-50")],
        ["site.vms[1].mac: 06-00-84-41-F2-50: duplicate MAC (also site.vms[0])"],
    ),
    "mac duplicate without id": (
        [("vms", "+", vm("web2", mac="06:00:84:41:f2:50"))],
        ["site.vms[3].mac: 06:00:84:41:f2:50: duplicate MAC (also site.vms[0])"],
    ),
    # VM IPv4
    "ipv4 without subnet": (
        [("vms", 1, "network", "mgmt"), ("vms", 1, "ipv4", True)],
        ["site.vms[1].ipv4: true: site.networks[0] (mgmt) has no ipv4 subnet"],
    ),
    "ipv4 outside subnet": (
        [("vms", 1, "ipv4", "198.51.100.40")],
        ["site.vms[1].ipv4: 198.51.100.40: outside site.networks[1].ipv4 198.51.100.0/27"],
    ),
    "ipv4 network address": (
        [("vms", 1, "ipv4", "198.51.100.0")],
        ["site.vms[1].ipv4: 198.51.100.0: is the network address of site.networks[1].ipv4"],
    ),
    "ipv4 gateway": (
        [("vms", 1, "ipv4", "198.51.100.1")],
        ["site.vms[1].ipv4: 198.51.100.1: is the gateway of site.networks[1].ipv4"],
    ),
    "ipv4 broadcast": (
        [("vms", 1, "ipv4", "198.51.100.31")],
        ["site.vms[1].ipv4: 198.51.100.31: is the broadcast address of site.networks[1].ipv4"],
    ),
    "ipv4 unparseable": ([("vms", 1, "ipv4", "300.1.1.1")], ["site.vms[1].ipv4: 300.1.1.1: not an IPv4 address"]),
    "ipv4 duplicate": (
        [("vms", 1, "ipv4", "198.51.100.10"), ("vms", 2, "ipv4", "198.51.100.10")],
        ["site.vms[2].ipv4: 198.51.100.10: already used by site.vms[1]"],
    ),
    "mapping outside pool": (
        [("vms", 2, "ipv4_mapping", "203.0.113.5")],
        ["site.vms[2].ipv4_mapping: 203.0.113.5: outside site.ipv4_pool 198.51.100.0/26"],
    ),
    "mapping inside a subnet": (
        [("vms", 2, "ipv4_mapping", "198.51.100.5")],
        [
            "site.vms[2].ipv4_mapping: 198.51.100.5: inside a network's ipv4 subnet: "
            "mapping addresses come from the rest of site.ipv4_pool"
        ],
    ),
    "mapping inside pool4": (
        [("vms", 2, "ipv4_mapping", "198.51.100.61")],
        ["site.vms[2].ipv4_mapping: 198.51.100.61: inside the NAT64 pool4 block 198.51.100.60/30"],
    ),
    "mapping duplicate": (
        [("vms", 1, "ipv4_mapping", "198.51.100.40"), ("vms", 2, "ipv4_mapping", "198.51.100.40")],
        ["site.vms[2].ipv4_mapping: 198.51.100.40: already used by site.vms[1]"],
    ),
    "ipv4 empty": ([("vms", 1, "ipv4", "")], ['site.vms[1].ipv4: "": not an IPv4 address']),
    "mapping unparseable": (
        [("vms", 2, "ipv4_mapping", "shop")],
        ['site.vms[2].ipv4_mapping: "shop": not an IPv4 address'],
    ),
    "proxy": (
        [("vms", 1, "proxy", ["http", "ftp", "http"])],
        [
            "site.vms[1].proxy[1]: ftp: must be one of http, https, smtp",
            "site.vms[1].proxy[2]: http: listed twice",
            'site.vms[1].proxy: ["http", "ftp", "http"]: needs site.proxy.ipv4: the addresses the proxies serve on',
        ],
    ),
    "proxy not a list": ([("vms", 2, "proxy", "http")], ["site.vms[2].proxy: http: must be a list"]),
    # customers
    "customer id too big": (
        [("customers", 0, "id", 4096)],
        [
            "site.customers[0].id: 4096: "
            "does not fit in the 12 bits of site.customer_prefix 2001:db8:8000::/36 (one /48 per id)"
        ],
    ),
    # a mapping's ports: tcp or udp, a port or an ascending range, no overlap, only on a mapped VM
    "mapping ports without a mapping": (
        [("vms", 0, "ipv4_mapping_ports", [{"proto": "tcp", "port": 80}])],
        [
            'site.vms[0].ipv4_mapping_ports: [{"proto": "tcp", "port": 80}]: '
            "needs ipv4_mapping: only a mapped address has ports to forward"
        ],
    ),
    "mapping ports empty": (
        [("vms", 2, "ipv4_mapping_ports", [])],
        [
            "site.vms[2].ipv4_mapping_ports: []: "
            "empty: leave the key out to forward every port, or list the ports to forward"
        ],
    ),
    "mapping ports protocol": (
        [("vms", 2, "ipv4_mapping_ports", [{"proto": "icmp", "port": 1}, {"proto": "sctp", "port": 2}])],
        [
            "site.vms[2].ipv4_mapping_ports[0].proto: icmp: must be tcp or udp (ICMP is always forwarded)",
            "site.vms[2].ipv4_mapping_ports[1].proto: sctp: must be tcp or udp (ICMP is always forwarded)",
        ],
    ),
    "mapping ports port": (
        [
            (
                "vms",
                2,
                "ipv4_mapping_ports",
                [{"proto": "tcp", "port": p} for p in (0, 65536, "90-80", "80 ", "8\n0", "http", "1-2-3")],
            )
        ],
        [
            f'site.vms[2].ipv4_mapping_ports[{k}].port: {v}: must be a port 1-65535 or a range "N-M" with N < M'
            for k, v in enumerate(("0", "65536", "90-80", '"80 "', '"8\\n0"', "http", "1-2-3"))
        ],
    ),
    "mapping ports entry": (
        [
            (
                "vms",
                2,
                "ipv4_mapping_ports",
                ["tcp/80", {"proto": "tcp", "port": 80, "to": 8080}, {"proto": "tcp"}, {"proto": "tcp", "port": 1.5}],
            )
        ],
        [
            "site.vms[2].ipv4_mapping_ports[0]: tcp/80: must be a mapping",
            "site.vms[2].ipv4_mapping_ports[1].to: unknown key, expected one of proto, port",
            "site.vms[2].ipv4_mapping_ports[2].port: missing required key",
            "site.vms[2].ipv4_mapping_ports[3].port: 1.5: must be an integer or a string",
        ],
    ),
    "mapping ports overlap": (
        [("vms", 2, "ipv4_mapping_ports", [{"proto": "tcp", "port": "8000-8080"}, {"proto": "tcp", "port": 8080}])],
        ["site.vms[2].ipv4_mapping_ports[1].port: 8080: overlaps site.vms[2].ipv4_mapping_ports[0] (tcp 8000-8080)"],
    ),
    "customer id duplicate": (
        [("customers", "+", {"name": "beta", "id": "0x1"})],
        ["site.customers[1].id: 0x1: same /48 as site.customers[0] (acme)"],
    ),
}


@pytest.mark.parametrize(("edits", "expected"), CASES.values(), ids=CASES.keys())
def test_validation_rule(edits, expected):
    # Exactly these problems: each rule names key path, value and rule, and causes no follow-up noise.
    assert problems(change(example_site(), *edits)) == expected


@pytest.mark.parametrize("key", [k for k, f in siteplan.SITE_SPEC.items() if f["required"]])
def test_missing_required_key(key):
    assert problems(change(example_site(), (key, DELETE))) == [f"site.{key}: missing required key"]


@pytest.mark.parametrize("site", [[], None, "site"])
def test_site_must_be_a_mapping(site):
    assert problems(site) == [f"site: {'[]' if site == [] else 'null' if site is None else site}: must be a mapping"]


@pytest.mark.parametrize(
    "edits",
    [
        [("networks", 1, "name", DELETE)],  # VMs on "vms" would all be "unknown network"
        [("networks", 1, "id", "two")],  # VMs on it get no address; they are not wrong
        [("networks", 1, "ipv4", "2001:db8::/64")],  # web1's ipv4 cannot be checked against it
        [("hosts", 0, "name", DELETE)],  # resolver br1 may be that host
        [("hosts", 0, "id", "one")],  # br1 gets no address on mgmt nor on vms
        [("hosts", 0, "id", 0)],
        [("hosts", 0, "network", "nope")],  # its extra networks are still checked, and are fine
        [("hosts", 0, "networks", ["nope"])],  # resolver br1 is not reported missing
        [("networks", 1, "name", DELETE), ("hosts", 0, "networks", ["vms"])],  # an extra network on a broken one
        [("networks", 1, "id", "two"), ("hosts", 1, "networks", ["vms"])],  # no addresses on vms, not wrong
        [("prefix", "nonsense")],
        [("ipv4_pool", "nonsense")],
        [("customer_prefix", "nonsense")],
    ],
)
def test_broken_inputs_are_reported_once(edits):
    assert len(problems(change(example_site(), *edits))) == 1


def test_many_problems_are_reported_together():
    site = change(
        example_site(),
        ("name", "ZRH1"),
        ("networks", "+", {"name": "big", "id": "0x10000"}),
        ("vms", 0, "mac", "01:00:5e:00:00:01"),
        ("vms", 1, "proxy", ["gopher"]),
        ("customers", 0, "id", -1),
    )
    with pytest.raises(PlanError) as e:
        siteplan.build_plan(site)
    expected = [
        f"site.name: ZRH1: {LABEL_RULE}",
        "site.customers[0].id: -1: must not be negative",
        "site.networks[2].id: 0x10000: does not fit in the 16 subnet bits of site.prefix 2001:db8:100::/48",
        "site.vms[0].mac: 01:00:5e:00:00:01: multicast MAC (I/G bit set) cannot be a unicast interface address",
        "site.vms[1].proxy[0]: gopher: must be one of http, https, smtp",
        'site.vms[1].proxy: ["gopher"]: needs site.proxy.ipv4: the addresses the proxies serve on',
    ]
    assert sorted(e.value.problems) == sorted(expected)
    assert str(e.value) == "6 problems in the site model:\n" + "\n".join(f"- {p}" for p in e.value.problems)


def test_huge_sites_report_each_problem_once():
    # One broken network with many VMs must not produce one problem per VM.
    site = example_site()
    site["vms"] += [vm(f"v{n}", id=100 + n, ipv4=True) for n in range(1000)]
    site["networks"][1]["ipv4"] = "198.51.100.0/28"
    assert problems(site) == [
        "site.networks[1].ipv4: 198.51.100.0/28: too small: 1001 dual-stack VMs need addresses but 13 are free "
        "(network, gateway and broadcast excluded)"
    ]


# --- no crash on a key without a value, or on a huge number ---------------------------------------------------


@pytest.mark.parametrize("key", ["nat64_pool4_size", "management_network", "jump_prefix", "resolvers", "vms"])
def test_a_key_without_a_value_takes_its_default(key):
    site = {**example_site(), key: None}
    assert siteplan.build_plan(site) == siteplan.build_plan({k: v for k, v in example_site().items() if k != key})


def test_a_huge_number_is_refused_by_name():
    site = example_site()
    site["hosts"][0]["id"] = "9" * 5000
    (problem,) = problems(site)
    assert problem.startswith("site.hosts[0].id: 99999") and problem.endswith(
        "(5000 characters): too large: more than 40 digits"
    )


# --- trust never covers the NAT64 prefix ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jump", "rule"),
    [
        ("2001:db8:100::/48", "covers the NAT64 prefix 2001:db8:100:64::/96, from which the whole IPv4 internet"),
        ("2001:db8:100:64::/64", "covers the NAT64 prefix 2001:db8:100:64::/96"),
        ("2001:db8::/32", "broader than site.prefix 2001:db8:100::/48"),
        ("2001:db8:8000:1::/64", "overlaps site.customer_prefix 2001:db8:8000::/36: customers' space"),
    ],
)
def test_the_jump_prefix_trusts_no_ipv4_client_and_no_customer(jump, rule):
    found = problems({**example_site(), "jump_prefix": jump})
    assert any(p.startswith(f"site.jump_prefix: {jump}: ") and rule in p for p in found), found


def test_a_site_prefix_is_no_broader_than_an_lirs_allocation():
    (problem,) = problems({**example_site(), "prefix": "2001:db0::/28", "customer_prefix": "2001:db8:8000::/36"})
    assert problem.startswith("site.prefix: 2001:db0::/28: must be /29 or longer")


def test_a_broken_site_prefix_does_not_hide_a_duplicate_id():
    site = example_site()
    site["prefix"] = "nonsense"
    site["vms"].append({"name": "db2", "network": "vms", "id": 7})
    assert problems(site) == [
        'site.prefix: "nonsense": not an IPv6 prefix',
        "site.vms[3].id: 7: interface id 0x7 on vms already used by site.vms[1]",
    ]


def test_a_name_that_is_not_a_string_does_not_hide_a_typo():
    site = example_site()
    site["networks"][1]["name"] = 5  # was vms
    site["hosts"][1]["network"] = "mgnt"  # a typo of mgmt: reported, where it was silenced before
    found = problems(site)
    assert found[0] == "site.networks[1].name: 5: must be a string"
    assert "site.hosts[1].network: mgnt: no such network in site.networks" in found
    # A network with no name at all may be any: then unknown references stay quiet (one problem, not one per VM).
    del site["networks"][1]["name"]
    assert problems(site) == ["site.networks[1].name: missing required key"]
