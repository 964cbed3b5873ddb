# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the border router's pure helpers (plugins/module_utils/border_router.py)."""

from __future__ import annotations

import copy
import ipaddress
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sites import proxy_site, small_plan

from ansible_collections.ipv6only.datacenter.plugins.module_utils import border_router as br
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan

# Two border routers on three networks, a mapped VM and a customer, planned by the real planning library.
PLAN = small_plan(
    hosts=[
        {"name": "br1", "network": "mgmt", "id": 0x11, "networks": ["servers", "vms"]},
        {"name": "br2", "network": "mgmt", "id": 0x12, "networks": ["servers", "vms"]},
    ],
    vms=[{"name": "vm1", "network": "vms", "mac": "06:00:00:00:02:01", "ipv4_mapping": True}],
    customers=[{"name": "acme", "id": 1}],
)

OPTIONS = {
    "routers": ["br1", "br2"],
    "interfaces": {},
    "uplink_interfaces": [],
    "nat64_engine": "tayga",
    "nat64_source": "uplink",
    "nat64_dynamic_pool": "100.127.0.0/16",
    "nat64_ipv4_backends": [],
    "nat64_pool4_ports": "61001-65535",
    "tayga_tun": "nat64",
    "tayga_ipv4_address": "",
    "tayga_ipv6_address": "",
    "jool_instance": "border",
    "dns64_engine": "unbound",
    "dns64_allow": [],
    "dns64_allow_force": False,
    "dns64_stub_zones": [{"name": "v4only.example", "addresses": ["198.18.0.80"]}],
    "dns64_forwarders": [],
    "dns64_dnssec": True,
    "ntp_serve": True,
    "ntp_servers": ["2001:db8:ff00::a"],
    "ntp_pools": [],
    "ra_networks": "all",
    "ra_min_interval": 10,
    "ra_max_interval": 30,
    "ra_router_lifetime": "auto",
    "ra_preference": "auto",
    "ra_autonomous": {},
    "rdnss_lifetime": "auto",
    "pref64_lifetime": "auto",
    "bgp_local_as": 64512,
    "bgp_router_id": "",
    "bgp_neighbors": [
        {"name": "upstream4", "address": "198.18.0.10", "remote_as": 64496},
        {"name": "upstream6", "address": "2001:db8:ff00::a", "remote_as": 64496},
    ],
    "bgp_hold_time": 9,
    "bgp_keepalive_time": 3,
    "bgp_import": "default",
    "bgp_export_customer_prefix": False,
}


def facts(router: str = "br1") -> dict:
    """ansible_facts of a lab router: eth0-2 on the site networks, eth3 IPv4 uplink, eth4 IPv6 uplink."""
    iid = {"br1": "11", "br2": "12"}[router]
    return {
        "interfaces": ["lo", "eth0", "eth1", "eth2", "eth3", "eth4"],
        "lo": {"device": "lo", "ipv4": {"address": "127.0.0.1", "netmask": "255.0.0.0"}},
        "eth0": {"device": "eth0", "ipv6": [{"address": f"2001:db8:100:1::{iid}", "prefix": "64"}]},
        "eth1": {"device": "eth1", "ipv6": [{"address": f"2001:db8:100:10::{iid}", "prefix": "64"}]},
        "eth2": {
            "device": "eth2",
            "ipv6": [
                {"address": f"2001:db8:100:2::{iid}", "prefix": "64"},
                {"address": "fe80::1%eth2", "prefix": "64"},
            ],
        },
        "eth3": {"device": "eth3", "ipv4": {"address": f"198.18.0.{iid}", "netmask": "255.255.255.0"}},
        "eth4": {"device": "eth4", "ipv6": [{"address": f"2001:db8:ff00::{iid}", "prefix": "64"}]},
        "ip_local_port_range": "32768\t60999",
    }


def build(plan=None, router="br1", **changes):
    options = {**OPTIONS, **changes}
    return br.router_config(copy.deepcopy(plan or PLAN), router, options, facts(router))


def problems(plan=None, router="br1", **changes) -> list[str]:
    with pytest.raises(PlanError) as caught:
        build(plan, router, **changes)
    return caught.value.problems


def one_problem(plan=None, router="br1", **changes) -> str:
    found = problems(plan, router, **changes)
    assert len(found) == 1, found
    return found[0]


# --- the whole router ------------------------------------------------------------------------------------


def test_interfaces_are_found_by_the_plans_addresses():
    config = build()
    assert [(i["network"], i["ifname"]) for i in config["interfaces"]] == [
        ("mgmt", "eth0"),
        ("servers", "eth1"),
        ("vms", "eth2"),
    ]
    assert [u["ifname"] for u in config["uplinks"]] == ["eth3", "eth4"]
    assert config["uplinks"][0]["ipv4"] == ["198.18.0.11/24"]


def test_explicit_interfaces_win():
    config = build(interfaces={"mgmt": "mgmt0"}, uplink_interfaces=["wan0"], bgp_router_id="192.0.2.1")
    assert config["interfaces"][0]["ifname"] == "mgmt0"
    assert "no BGP router id" in one_problem(uplink_interfaces=["wan0"])
    assert [u["ifname"] for u in config["uplinks"]] == ["wan0"]


def bare(router: str = "br1") -> dict:
    """A fresh router: only the management address, nothing yet on the other site networks."""
    f = facts(router)
    f["eth1"] = {"device": "eth1", "ipv6": []}
    f["eth2"] = {"device": "eth2", "ipv6": [{"address": "fe80::1%eth2", "prefix": "64"}]}
    return f


def test_a_bare_router_needs_the_one_interface_map():
    with pytest.raises(PlanError) as caught:
        br.router_config(PLAN, "br1", OPTIONS, bare())
    assert "network servers: no interface carries the plan's address 2001:db8:100:10::11 yet; name the " in str(
        caught.value
    )
    assert "in ipv6_host_interfaces (host_vars)" in str(caught.value)
    config = br.router_config(
        PLAN, "br1", OPTIONS, {**bare(), "ipv6_host_interfaces": {"servers": "eth1", "vms": "eth2"}}
    )
    assert [(i["network"], i["ifname"]) for i in config["interfaces"]] == [
        ("mgmt", "eth0"),
        ("servers", "eth1"),
        ("vms", "eth2"),
    ]
    assert [u["ifname"] for u in config["uplinks"]] == ["eth3", "eth4"]


def test_the_interface_map_is_checked():
    named = {"ipv6_host_interfaces": {"servers": "eth1", "vms": "eth 2", "storage": "eth9"}}
    with pytest.raises(PlanError) as caught:
        br.router_config(PLAN, "br1", OPTIONS, {**bare(), **named})
    found = str(caught.value)
    assert "ipv6_host_interfaces.vms 'eth 2': is not a valid interface name" in found
    assert "ipv6_host_interfaces.storage: this node has no address on network storage" in found


def test_nat64_tayga_has_the_plans_prefix_and_eam_maps():
    nat64 = build()["nat64"]
    assert nat64["prefix"] == "2001:db8:100:64::/96"
    assert nat64["tayga"] == {
        "tun": "nat64",
        "ipv4_address": "100.127.0.1",
        "ipv6_address": None,
        "dynamic_pool": "100.127.0.0/16",
        "maps": [{"ipv4": "198.51.100.32", "ipv6": "2001:db8:100:2:400:ff:fe00:201", "vm": "vm1"}],
    }
    assert nat64["mapped4"] == ["198.51.100.32"]
    assert nat64["source"] == {"mode": "uplink", "slice": None, "peer_slices": []}
    assert nat64["jool"] is None


def test_dns64_serves_the_site_and_customers_on_ipv6():
    dns = build()["dns64"]
    assert dns["acl"] == ["2001:db8:100::/48", "2001:db8:8000::/36"]
    assert dns["listen"] == ["2001:db8:100:1::11", "2001:db8:100:2::11", "2001:db8:100:10::11"]
    assert all(ipaddress.ip_address(a).version == 6 for a in dns["listen"])
    assert dns["exclude"] == ["::ffff:0:0/96"]
    assert dns["insecure_zones"] == ["v4only.example"]
    # The NAT64 prefix is inside 2001:db8::/32, whose reverse zone Unbound answers itself by default.
    assert dns["nodefault_zones"] == ["8.b.d.0.1.0.0.2.ip6.arpa"]


def test_ntp_serves_the_resolvers_clients_from_upstream_and_the_peer():
    ntp = build()["ntp"]
    assert ntp == {
        "serve": True,
        "servers": ["2001:db8:ff00::a"],
        "pools": [],
        "allow": ["2001:db8:100::/48", "2001:db8:8000::/36"],
    }
    assert build()["firewall"]["ntp_clients6"] == ntp["allow"]


def test_ntp_needs_an_upstream_outside_the_site():
    assert "needs at least one upstream time server" in one_problem(ntp_servers=[], ntp_pools=[])
    assert build(ntp_servers=[], ntp_pools=["2.debian.pool.ntp.org"])["ntp"]["pools"] == ["2.debian.pool.ntp.org"]
    found = one_problem(ntp_servers=["2001:db8:100:1:0::12"])
    assert found.startswith("border router br1: border_router_ntp_servers 2001:db8:100:1:0::12: is one of the site's")


def test_ntp_not_served():
    config = build(ntp_serve=False, ntp_servers=[])
    assert config["ntp"]["serve"] is False
    assert config["firewall"]["ntp_clients6"] == []


def test_ipv4only_arpa_is_embedded_in_the_sites_prefix():
    """RFC 8880 section 7.2: 192.0.0.170 and 192.0.0.171 under the site's NAT64 prefix."""
    assert build()["dns64"]["ipv4only_arpa"]["aaaa"] == ["2001:db8:100:64::c000:aa", "2001:db8:100:64::c000:ab"]


def test_ipv4only_arpa_follows_a_short_prefix():
    plan = copy.deepcopy(PLAN)
    plan["nat64"]["prefix"] = "2001:db8:100:6400::/56"
    # RFC 6052 /56: 192 in bits 56-63, then the u-octet, then 0.0.170
    assert build(plan)["dns64"]["ipv4only_arpa"]["aaaa"][0] == "2001:db8:100:64c0:0:aa::"


def test_ra_announces_prefix_rdnss_and_pref64():
    ra = build()["ra"]
    assert ra["rdnss"] == ["2001:db8:100:1::11", "2001:db8:100:1::12"]
    assert ra["pref64"] == {"prefix": "2001:db8:100:64::/96", "lifetime": 96}
    assert ra["router_lifetime"] == 90
    assert [(i["network"], i["prefix"], i["autonomous"]) for i in ra["interfaces"]] == [
        ("mgmt", "2001:db8:100:1::/64", False),
        ("servers", "2001:db8:100:10::/64", False),
        ("vms", "2001:db8:100:2::/64", True),  # vm1 is addressed by EUI-64 from its MAC
    ]


def test_ra_preference_auto_prefers_the_first_router():
    assert build(router="br1")["ra"]["preference"] == "high"
    assert build(router="br2")["ra"]["preference"] == "medium"
    assert build(router="br2", ra_preference="low")["ra"]["preference"] == "low"


def test_ra_networks_subset_and_unknown():
    assert [i["network"] for i in build(ra_networks=["servers"])["ra"]["interfaces"]] == ["servers"]
    assert "border_router_ra_networks: storage not among" in one_problem(ra_networks=["storage"])


def test_bgp_exports_only_the_aggregates_and_never_nat64():
    bgp = build()["bgp"]
    assert bgp["export6"] == ["2001:db8:100::/48"]
    assert bgp["export4"] == ["198.51.100.0/26"]
    for prefix in ("64:ff9b::/96", "64:ff9b:1::/48", "fc00::/7", "2001:db8:100:64::/96"):
        assert prefix in bgp["never_export6"]
    assert bgp["router_id"] == "198.18.0.11"
    assert [(n["name"], n["family"]) for n in bgp["neighbors"]] == [("upstream4", 4), ("upstream6", 6)]
    # Our own space and bogons are refused on import.
    assert bgp["reject_import6"][:2] == ["2001:db8:100::/48", "2001:db8:100:64::/96"]
    assert "fc00::/7" in bgp["reject_import6"]
    assert "198.51.100.0/26" in bgp["reject_import4"]


def with_exports(prefix6=None, pool4=None, lab=True) -> dict:
    plan = copy.deepcopy(PLAN)
    plan["allow_documentation_prefixes"] = lab
    if prefix6:
        plan["prefix"] = prefix6
    if pool4:
        plan["ipv4"]["pool"] = pool4
    return plan


@pytest.mark.parametrize(
    ("prefix6", "pool4", "expected"),
    [
        ("fc00::/6", None, "BGP export fc00::/6: covers fc00::/7, which must never be announced"),
        ("2000::/3", None, "BGP export 2000::/3: covers 2001::/23, which must never be announced"),
        ("fd00:1::/48", None, "BGP export fd00:1::/48: inside fc00::/7, which must never be announced"),
        ("::/4", None, "BGP export ::/4: covers ::/8, which must never be announced"),
        (None, "10.1.0.0/24", "BGP export 10.1.0.0/24: inside 10.0.0.0/8, which must never be announced"),
        (None, "100.64.0.0/24", "BGP export 100.64.0.0/24: inside 100.64.0.0/10, which must never be announced"),
        (None, "224.1.0.0/24", "BGP export 224.1.0.0/24: inside 224.0.0.0/4, which must never be announced"),
        (None, "8.0.0.0/5", "BGP export 8.0.0.0/5: covers 10.0.0.0/8, which must never be announced"),
    ],
)
def test_bgp_never_announces_special_purpose_space_in_either_direction(prefix6, pool4, expected):
    assert expected in " ".join(problems(with_exports(prefix6, pool4)))


def test_documentation_ranges_are_announced_only_in_a_lab():
    found = problems(with_exports(lab=False))
    assert (
        "border router br1: BGP export 2001:db8:100::/48: inside 2001:db8::/32, which must never be announced "
        "(a documentation range: set site.allow_documentation_prefixes for a lab)" in found
    )
    assert any(p.startswith("border router br1: BGP export 198.51.100.0/26: inside 198.51.100.0/24") for p in found)
    assert build()["bgp"]["export6"] == ["2001:db8:100::/48"]  # the fixture is a lab


def test_an_export_transit_providers_filter_is_made_with_a_warning():
    warnings = build()["warnings"]
    assert warnings == [
        "BGP export 198.51.100.0/26: longer than /24, so transit providers filter it; announce a covering prefix "
        "or ask the upstream to accept it"
    ]


def test_bgp_customer_prefix_is_opt_in():
    assert build(bgp_export_customer_prefix=True)["bgp"]["export6"] == ["2001:db8:100::/48", "2001:db8:8000::/36"]


def test_firewall_sets():
    fw = build()["firewall"]
    assert fw["downstream"] == ["eth0", "eth1", "eth2"]
    assert fw["uplinks"] == ["eth3", "eth4"]
    assert fw["site_sources6"] == ["2001:db8:100::/48", "2001:db8:8000::/36"]
    assert fw["native4"] == ["198.51.100.0/27"]
    assert fw["bgp_peers4"] == ["198.18.0.10"]
    assert fw["bgp_peers6"] == ["2001:db8:ff00::a"]
    assert fw["tun"] == "nat64"


def with_mapping_ports(ports) -> dict:
    plan = copy.deepcopy(PLAN)
    plan["nat64"]["eam"] = [
        {"ipv4": "198.51.100.32", "ipv6": "2001:db8:100:2:400:ff:fe00:201", "vm": "vm1", "ports": ports},
        {"ipv4": "198.51.100.33", "ipv6": "2001:db8:100:2::33", "vm": "vm2", "ports": None},
    ]
    return plan


def test_a_mapping_forwards_every_port_unless_its_vm_lists_them():
    ports = [{"proto": "tcp", "first": 80, "last": 80}, {"proto": "udp", "first": 1000, "last": 2000}]
    fw = build(with_mapping_ports(ports))["firewall"]
    assert fw["mapped4"] == ["198.51.100.32", "198.51.100.33"]
    assert fw["mapped4_open"] == ["198.51.100.33"]
    assert fw["mapped4_ports"] == ["198.51.100.32 . tcp . 80", "198.51.100.32 . udp . 1000-2000"]
    assert build()["firewall"]["mapped4_open"] == ["198.51.100.32"]  # a plan without ports: every port


def test_mapping_ports_cannot_be_enforced_with_jool():
    ports = [{"proto": "tcp", "first": 80, "last": 80}]
    assert "VM vm1: ipv4_mapping_ports cannot be enforced with border_router_nat64 jool" in one_problem(
        with_mapping_ports(ports), nat64_engine="jool"
    )
    build(with_mapping_ports(None), nat64_engine="jool")  # every port: fine


def test_jump_prefix_outside_the_site_is_a_valid_source():
    plan = copy.deepcopy(PLAN)
    plan["jump_prefix"] = "2001:db8:ffff::/64"
    assert "2001:db8:ffff::/64" in build(plan)["firewall"]["site_sources6"]


def test_pool4_mode_gives_each_router_its_slice_and_routes_the_others():
    one, two = build(nat64_source="pool4"), build(router="br2", nat64_source="pool4")
    assert one["nat64"]["source"]["slice"] == "198.51.100.60/31"
    assert two["nat64"]["source"]["slice"] == "198.51.100.62/31"
    assert one["nat64"]["source"]["peer_slices"] == [
        {"router": "br2", "slice": "198.51.100.62/31", "via": "2001:db8:100:1::12"}
    ]
    assert one["firewall"]["pool4_range"] == "198.51.100.60-198.51.100.61"
    assert one["firewall"]["peer_slices"] == ["198.51.100.62/31"]


def test_extra_vars_as_strings_are_accepted():
    assert build(ra_max_interval="30", ra_min_interval="10", bgp_local_as="64512")["ra"]["max_interval"] == 30


# --- Jool ------------------------------------------------------------------------------------------------


def test_jool_configuration_is_rendered_from_the_same_data():
    jool = build(nat64_engine="jool")["nat64"]["jool"]
    nat64, siit = jool["nat64"], jool["siit"]
    assert nat64["instance"] == "border"
    assert nat64["framework"] == "netfilter"
    assert nat64["global"]["pool6"] == "2001:db8:100:64::/96"
    assert {(p["protocol"], p["prefix"], p["port range"]) for p in nat64["pool4"]} == {
        ("TCP", "198.18.0.11/32", "61001-65535"),
        ("UDP", "198.18.0.11/32", "61001-65535"),
        ("ICMP", "198.18.0.11/32", "61001-65535"),
    }
    assert siit["instance"] == "border-eam"
    assert siit["eamt"] == [{"ipv6 prefix": "2001:db8:100:2:400:ff:fe00:201/128", "ipv4 prefix": "198.51.100.32/32"}]
    assert siit["global"]["pool6"] == nat64["global"]["pool6"]
    assert "recreate" not in jool  # decided on the router, against the running instance (jool_state)
    json.dumps(jool)  # plain JSON values only


def test_jool_pool4_mode_uses_the_slice():
    jool = build(nat64_engine="jool", nat64_source="pool4")["nat64"]["jool"]
    assert {p["prefix"] for p in jool["nat64"]["pool4"]} == {"198.51.100.60/31"}


def test_jool_pool4_overlapping_the_ephemeral_ports_is_refused():
    message = one_problem(nat64_engine="jool", nat64_pool4_ports="32768-65535")
    assert "pool4 ports 32768-65535: overlap the ephemeral ports 32768-60999" in message
    assert "for example 61000-65535" in message


def test_jool_ports_checked_against_the_hosts_own_range():
    options = {**OPTIONS, "nat64_engine": "jool"}
    with pytest.raises(PlanError, match="overlap the ephemeral ports 1024-65000"):
        br.router_config(PLAN, "br1", options, {**facts(), "ip_local_port_range": "1024 65000"})


# --- input that must be refused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("nat64_engine", "nat46", "border_router_nat64_engine nat46: not supported, must be one of tayga, jool"),
        ("dns64_engine", "dnsmasq", "border_router_dns64_engine dnsmasq: not supported, must be one of unbound, bind"),
        ("nat64_source", "cgnat", "border_router_nat64_source cgnat: not supported"),
        ("bgp_import", "all", "border_router_bgp_import all: not supported"),
        ("ra_preference", "highest", "border_router_ra_preference highest: not supported"),
    ],
)
def test_unsupported_names(key, value, expected):
    assert expected in one_problem(**{key: value})


def test_invalid_nat64_prefix_in_the_plan():
    plan = copy.deepcopy(PLAN)
    plan["nat64"]["prefix"] = "2001:db8:100:64::/80"
    message = one_problem(plan)
    assert message.startswith("border router br1: nat64 prefix 2001:db8:100:64::/80: length must be one of")


def test_well_known_prefix_with_non_global_backends_is_refused():
    plan = copy.deepcopy(PLAN)
    plan["nat64"].update(prefix="64:ff9b::/96", well_known=True)
    found = problems(plan)
    assert any(
        "64:ff9b::/96: the well-known prefix must not carry non-global IPv4 such as 198.18.0.80" in p for p in found
    )
    assert any("Benchmarking, RFC 2544" in p for p in found)
    # Tayga's private own address then needs an IPv6 address of its own
    assert any("border_router_tayga_ipv6_address" in p for p in found)


def test_well_known_prefix_with_global_backends_is_fine():
    plan = copy.deepcopy(PLAN)
    plan["nat64"].update(prefix="64:ff9b::/96", well_known=True)
    config = build(
        plan,
        dns64_stub_zones=[{"name": "example.org", "addresses": ["8.8.8.8"]}],
        tayga_ipv6_address="2001:db8:100:1::64",
    )
    assert config["dns64"]["ipv4only_arpa"]["aaaa"] == ["64:ff9b::c000:aa", "64:ff9b::c000:ab"]


def test_mapping_outside_the_ipv4_pool_is_refused():
    plan = copy.deepcopy(PLAN)
    plan["nat64"]["eam"] = [{"ipv4": "203.0.113.7", "ipv6": "2001:db8:100:2::7", "vm": "web"}]
    assert "mapping 203.0.113.7 of VM web: outside the site's IPv4 pool 198.51.100.0/26" in one_problem(plan)


def test_mapping_to_an_address_outside_the_site_is_refused():
    plan = copy.deepcopy(PLAN)
    plan["nat64"]["eam"] = [{"ipv4": "198.51.100.33", "ipv6": "2001:db8:999::7", "vm": "web"}]
    assert "is outside the site prefix" in one_problem(plan)


@pytest.mark.parametrize("prefix", ["::/0", "0.0.0.0/0", "2000::/3", "::/1"])
def test_open_resolver_is_refused_unless_forced(prefix):
    assert "opens the DNS64 resolver to a large part of the internet" in one_problem(dns64_allow=[prefix])
    assert prefix in build(dns64_allow=[prefix], dns64_allow_force=True)["dns64"]["acl"] or prefix in ("::/1",)


def test_resolver_allow_extra_prefix():
    assert build(dns64_allow=["2001:db8:ab::/48", "2001:db8:100:5::/64"])["dns64"]["acl"] == [
        "2001:db8:ab::/48",
        "2001:db8:100::/48",  # the /64 inside the site collapses into it
        "2001:db8:8000::/36",
    ]
    assert "not an IPv4 or IPv6 prefix" in one_problem(dns64_allow=["2001:db8::1/48"])


@pytest.mark.parametrize(
    ("lifetime", "expected"),
    [
        (97, "PREF64 lifetime 97: must be a multiple of 8 s"),
        (65536, "PREF64 lifetime 65536: at most 65528 s"),
        (16, "PREF64 lifetime 16: shorter than MaxRtrAdvInterval 30 s"),
        (0, "PREF64 lifetime 0: must be a positive number of seconds"),
        ("soon", "PREF64 lifetime soon: must be a positive number of seconds"),
    ],
)
def test_bad_pref64_lifetime(lifetime, expected):
    assert expected in one_problem(pref64_lifetime=lifetime)


def test_pref64_length_not_codable():
    assert "length must be one of /32, /40, /48, /56, /64, /96" in br.check_pref64("2001:db8::/80", 96)[0]


def test_dynamic_pool_must_not_overlap_the_site_or_an_uplink():
    assert "overlaps the site's IPv4 pool 198.51.100.0/26" in one_problem(nat64_dynamic_pool="198.51.100.0/24")
    assert "overlaps uplink eth3 198.18.0.0/24" in one_problem(nat64_dynamic_pool="198.18.0.0/16")
    assert "not an IPv4 prefix" in one_problem(nat64_dynamic_pool="2001:db8::/64")
    assert "must be inside the dynamic pool" in one_problem(tayga_ipv4_address="10.9.9.9")


def test_router_missing_from_the_plan():
    with pytest.raises(PlanError, match="border router br9: not in the site plan's hosts"):
        br.router_config(PLAN, "br9", OPTIONS, facts())


def test_unknown_interface_address_is_reported():
    f = facts()
    del f["eth1"]
    f["interfaces"].remove("eth1")
    with pytest.raises(PlanError, match="network servers: no interface carries the plan's address"):
        br.router_config(PLAN, "br1", OPTIONS, f)


def test_no_uplink():
    assert "no uplink interface" in " ".join(problems(bgp_neighbors=[]))


def test_bad_bgp_values():
    found = problems(
        bgp_local_as=0,
        bgp_neighbors=[
            {"name": "up", "address": "not-an-ip", "remote_as": 1},
            {"name": "bad-name", "address": "198.18.0.10", "remote_as": "x"},
        ],
        bgp_hold_time=2,
    )
    text = "\n".join(found)
    assert "border_router_bgp_local_as 0" in text
    assert "address not-an-ip is not an IP address" in text
    assert "remote_as x is not an AS number" in text
    assert "name bad-name must be letters" in text
    assert "border_router_bgp_hold_time 2" in text


def test_keepalive_longer_than_a_third_of_hold():
    assert "border_router_bgp_keepalive_time 5" in one_problem(bgp_keepalive_time=5)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"ra_max_interval": 3}, "border_router_ra_max_interval 3"),
        ({"ra_min_interval": 2}, "border_router_ra_min_interval 2"),
        ({"ra_min_interval": 25}, "border_router_ra_min_interval 25"),
        ({"ra_router_lifetime": 10}, "border_router_ra_router_lifetime 10"),
    ],
)
def test_bad_ra_timers(changes, expected):
    assert expected in one_problem(**changes)


def test_stub_zone_without_servers():
    assert "needs a name and at least one address" in one_problem(dns64_stub_zones=[{"name": "x.example"}])
    assert "not-an-ip is not an IP address" in one_problem(
        dns64_stub_zones=[{"name": "x.example", "addresses": ["not-an-ip"]}]
    )


def test_no_jump_prefix():
    plan = copy.deepcopy(PLAN)
    plan["jump_prefix"] = None
    assert "no jump_prefix" in one_problem(plan)


def test_every_problem_is_reported_at_once():
    found = problems(nat64_engine="x", dns64_engine="y", pref64_lifetime=97, dns64_allow=["::/0"])
    assert len(found) == 4
    assert all(p.startswith("border router br1: ") for p in found)


# --- small helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("61001-65535", (61001, 65535)), ("32768\t60999", (32768, 60999)), ([1, 2], (1, 2)), ((5, 5), (5, 5))],
)
def test_parse_port_range(value, expected):
    assert br.parse_port_range(value) == expected


@pytest.mark.parametrize("value", ["", "1", "a-b", "0-10", "10-5", "1-70000", None, 5])
def test_parse_port_range_errors(value):
    with pytest.raises(PlanError):
        br.parse_port_range(value)


@given(st.integers(1, 65535), st.integers(1, 65535), st.integers(1, 65535), st.integers(1, 65535))
def test_pool4_port_overlap_is_interval_intersection(a, b, c, d):
    pool, eph = tuple(sorted((a, b))), tuple(sorted((c, d)))
    overlaps = pool[0] <= eph[1] and eph[0] <= pool[1]
    assert bool(br.check_pool4_ports(list(pool), list(eph))) is overlaps


@given(st.integers(4, br.PREF64_MAX_LIFETIME))
def test_default_pref64_lifetime_is_always_valid(max_interval):
    lifetime = br.pref64_lifetime(max_interval)
    assert lifetime % 8 == 0
    assert br.check_pref64("2001:db8:64::/96", lifetime, max_interval) == []


@given(st.integers(1, 64), st.integers(0, 5))
def test_pool4_slices_are_disjoint_and_inside_pool4(count, exponent):
    pool4 = ipaddress.IPv4Network(f"198.51.100.0/{26 + exponent}")
    if count > pool4.num_addresses:
        with pytest.raises(PlanError, match="too small"):
            br.pool4_slice(str(pool4), 0, count)
        return
    slices = [ipaddress.IPv4Network(br.pool4_slice(str(pool4), i, count)) for i in range(count)]
    assert all(s.subnet_of(pool4) for s in slices)
    assert len({s.network_address for s in slices}) == count
    assert all(not a.overlaps(b) for i, a in enumerate(slices) for b in slices[i + 1 :])


def test_check_resolver_acl_limits():
    assert br.check_resolver_acl(["2001:db8::/29"]) == []
    assert br.check_resolver_acl(["2001:db8::/28"])
    assert br.check_resolver_acl(["2001::/16"], min_length6=16) == []
    assert br.check_resolver_acl(["10.0.0.0/16"]) == []
    assert br.check_resolver_acl(["10.0.0.0/15"])
    assert br.check_resolver_acl(["::/0"], force=True) == []


def test_the_merged_acl_is_what_is_checked():
    """Each /30 passes alone; together they are a /29, and eight /32s that merge into a /29 pass as well, but
    two adjacent /29s are a /28: refused, naming what they were merged from."""
    assert br.check_resolver_acl([f"2001:{0xDB8 + k:x}::/32" for k in range(8)]) == []
    (problem,) = br.check_resolver_acl(["2001:db0::/29", "2001:db8::/29"])
    assert problem.startswith("resolver client 2001:db0::/28 (merged from 2001:db0::/29, 2001:db8::/29): opens")
    # Adjacent /16s and /15s up to 2000::/3, each passing an entry-by-entry check at /16.
    halves = ["2000::/4", "3000::/4"]
    assert (
        "resolver client 2000::/3 (merged from 2000::/4, 3000::/4)" in br.check_resolver_acl(halves, min_length6=4)[0]
    )


def test_the_site_and_customer_prefixes_are_checked_too():
    plan = copy.deepcopy(PLAN)
    plan["prefix"] = "2001::/16"
    assert "resolver client 2001::/16 (merged from 2001::/16, " in " ".join(problems(plan))


def test_check_wkp_backends_only_applies_to_the_well_known_prefix():
    assert br.check_wkp_backends("2001:db8:64::/96", ["10.0.0.1"]) == []
    assert br.check_wkp_backends("64:ff9b::/96", ["8.8.8.8", "192.0.0.9"]) == []
    assert len(br.check_wkp_backends("64:ff9b::/96", ["10.0.0.1", "192.168.1.0/24"])) == 2
    assert "not an IPv4 address" in br.check_wkp_backends("64:ff9b::/96", ["x"])[0]


@pytest.mark.parametrize(
    ("zones", "expected"),
    [
        (["2.0.192.in-addr.arpa"], ["2.0.192.in-addr.arpa"]),
        (["80.2.0.192.in-addr.arpa."], ["2.0.192.in-addr.arpa"]),
        (["5.4.10.in-addr.arpa"], ["10.in-addr.arpa"]),
        (["3.20.172.in-addr.arpa"], ["20.172.in-addr.arpa"]),
        (["lab.test"], ["test"]),
        (["v4only.example", "0.18.198.in-addr.arpa"], []),
        (["4.6.0.0.0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa"], ["8.b.d.0.1.0.0.2.ip6.arpa"]),
        (["0.0.d.f.ip6.arpa"], ["d.f.ip6.arpa"]),
    ],
)
def test_unbound_nodefault_zones(zones, expected):
    assert br.unbound_nodefault_zones(zones) == expected


# --- the role's builder: router_config plus the role's own options ----------------------------------------------

PUBLISHED = {
    "nftables": {
        "config": "/etc/nftables.conf",
        "table": "inet ipv6_host",
        "input_chain": "input_extra",
        "ipv4_input_chain": "input_ipv4",
        "include_dir": "/etc/nftables.d",
    },
    "chrony": {"conf_dir": "/etc/chrony/conf.d"},
    "interfaces": {"mgmt": "eth0", "servers": "eth1", "vms": "eth2"},
}


def role_build(published=PUBLISHED, files=None, **changes):
    values = {o.name: o.default for o in br.OPTIONS} | {"name": "br1", "routers": ["br1", "br2"]}
    values |= {"bgp_neighbors": OPTIONS["bgp_neighbors"]} | changes
    f = facts() | {"published": {"ipv6_host": published} if published else {}, "files": files or {}}
    return br.build(copy.deepcopy(PLAN), br.OPTIONS.convert(values), f)


def test_role_builder_puts_the_rules_into_the_published_chains():
    config = role_build()
    assert config["nftables"] == {
        "file": "/etc/nftables.d/border_router.nft",
        "table": "inet ipv6_host",
        "input_chain": "input_extra",
        "ipv4_input_chain": "input_ipv4",
    }
    assert config["chrony"] == {"file": "/etc/chrony/conf.d/border_router.conf"}
    assert role_build(published=None)["nftables"] is None  # the role itself refuses to go on without a baseline


def test_role_builder_uses_the_interfaces_ipv6_host_resolved():
    published = {**PUBLISHED, "interfaces": {"mgmt": "eno1", "servers": "eno2", "vms": "eno3"}}
    assert [i["ifname"] for i in role_build(published=published)["interfaces"]] == ["eno1", "eno2", "eno3"]


def test_role_builder_tuning_and_typed_extra_vars():
    config = role_build(unbound_msg_cache_size="32m", dns64_allow_force="false", tayga_nice="-5")
    assert config["dns64"]["unbound"]["rrset_cache_size"] == 64 * 1024**2
    assert config["dns64"]["unbound"]["threads"] == 1  # one per CPU but one; facts() has no processor_vcpus: 2
    assert config["nat64"]["tayga"]["nice"] == -5
    assert config["sysctl"]["settings"] == {"net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1}


def test_the_string_false_keeps_the_resolver_closed():
    # -e border_router_dns64_allow_force=false: before the option table, the string "false" counted as true.
    with pytest.raises(PlanError, match="opens the DNS64 resolver to a large part of the internet"):
        role_build(dns64_allow=["::/0"], dns64_allow_force="false")
    assert "::/0" in role_build(dns64_allow=["::/0"], dns64_allow_force="true")["dns64"]["acl"]


def test_role_builder_refuses_a_drifting_include_dir_and_a_bad_cache_size():
    with pytest.raises(PlanError) as caught:
        role_build(nftables_include_dir="/etc/nft.d", unbound_msg_cache_size="lots")
    assert caught.value.problems == [
        "border_router_nftables_include_dir /etc/nft.d: ipv6_host includes rules from /etc/nftables.d on this "
        "host; remove border_router_nftables_include_dir (deprecated)",
        "border_router_unbound_msg_cache_size lots: must be a number with an optional k, m or g, such as 64m",
    ]


def test_role_builder_reads_the_port_range_and_never_jools_last_rendered_file():
    for engine in ("tayga", "jool"):
        assert br.reads({"nat64_engine": engine, "jool_config_dir": "/etc/jool"}) == {
            "ip_local_port_range": "/proc/sys/net/ipv4/ip_local_port_range"
        }
    with pytest.raises(PlanError, match="overlap the ephemeral ports 30000-62000"):
        role_build(files={"ip_local_port_range": "30000\t62000\n"}, nat64_engine="jool")


# --- the 1:n proxies (ipv4_proxy) -----------------------------------------------------------------------------


def test_the_proxies_open_their_ports_on_their_address_and_each_address_is_announced_as_a_host_route():
    plan = proxy_plan()
    config = build(plan)
    assert config["firewall"]["proxy4"] == ["198.51.100.42"]
    assert config["firewall"]["proxy_ports"] == [25, 80, 443]
    # IPv6 clients reach the same services of the VMs directly, and nothing else of them.
    assert config["firewall"]["served6"] == [
        "2001:db8:100:2::b . 80",
        "2001:db8:100:2::b . 443",
        "2001:db8:100:2::c . 80",
        "2001:db8:100:2::c . 25",
    ]
    assert config["bgp"]["proxy4"] == ["198.51.100.42/32"]
    assert config["bgp"]["export4"] == ["198.51.100.0/26"]  # the /32 is no export of the aggregate kind


def test_without_proxied_vms_nothing_is_opened_or_announced():
    config = build()
    assert config["firewall"]["proxy4"] == [] and config["firewall"]["served6"] == []
    assert config["bgp"]["proxy4"] == []


def proxy_plan() -> dict:
    site = proxy_site()
    site["nameservers"] = []
    return build_plan(site)
