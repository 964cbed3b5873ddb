# SPDX-License-Identifier: GPL-3.0-or-later
"""Properties of build_plan over generated valid sites."""

from __future__ import annotations

import copy
import ipaddress
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ipv6only.datacenter.plugins.module_utils import siteplan
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError

POOL = ipaddress.IPv4Network("10.0.0.0/16")
SITE_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def written(draw, number: int) -> int | str:
    """An id as a YAML user may write it."""
    style = draw(st.sampled_from(["int", "hex", "dec"]))
    return number if style == "int" else hex(number) if style == "hex" else str(number)


def mac_text(draw, value: int) -> str:
    octets = [f"{value >> shift & 0xFF:02x}" for shift in range(40, -8, -8)]
    text = draw(st.sampled_from([":", "-"])).join(octets)
    return text.upper() if draw(st.booleans()) else text


@st.composite
def sites(draw) -> dict:
    """A valid site: unique names, ids, MACs and explicit addresses that fit their blocks.

    Static ids stay below 2^24, so they cannot equal a modified EUI-64 identifier (which has ff:fe in
    bits 24-39); the planner's own collision checks are tested separately.
    """
    n_nets = draw(st.integers(1, 4))
    net_ids = draw(st.lists(st.integers(0, 0xFFFF), min_size=n_nets + 1, max_size=n_nets + 1, unique=True))
    nat64_subnet = net_ids.pop()
    dual = [draw(st.booleans()) for _ in range(n_nets)]
    networks = []
    for i in range(n_nets):
        net = {"name": "mgmt" if i == 0 else f"net{i}", "id": written(draw, net_ids[i])}
        if dual[i]:
            net["ipv4"] = f"10.0.{i}.0/26"  # 61 usable addresses
        networks.append(net)

    n_hosts = draw(st.integers(0, 4))
    n_vms = draw(st.integers(0, 40))
    ids = draw(st.lists(st.integers(1, 2**24 - 1), min_size=n_hosts + n_vms, max_size=n_hosts + n_vms, unique=True))
    unicast_macs = st.integers(1, 2**48 - 1).map(lambda m: m & ~(1 << 40)).filter(bool)
    macs = draw(st.lists(unicast_macs, min_size=n_vms, max_size=n_vms, unique=True))
    hosts = [{"name": f"host{h}", "network": "mgmt", "id": written(draw, ids.pop())} for h in range(n_hosts)]
    others = [net["name"] for net in networks[1:]]
    for host in hosts:
        # Routers: the same id on further networks, in any order. Host ids are unique, so these addresses are too.
        extra = draw(st.lists(st.sampled_from(others), unique=True)) if others else []
        if extra:
            host["networks"] = extra

    free_in_subnet = {i: draw(st.permutations(range(2, 63))) for i in range(n_nets) if dual[i]}
    free_mappings = draw(st.permutations(range(256)))  # offsets into 10.0.200.0/24, clear of subnets and pool4
    vms = []
    for v in range(n_vms):
        i = draw(st.integers(0, n_nets - 1))
        vm = {"name": f"vm{v}", "network": networks[i]["name"]}
        mode = draw(st.sampled_from(["id", "mac", "both"]))
        if mode != "id":
            vm["mac"] = mac_text(draw, macs[v])
        if mode != "mac":
            vm["id"] = written(draw, ids.pop())
        if dual[i]:
            choice = draw(st.sampled_from([False, True, "explicit", None]))
            if choice == "explicit":
                vm["ipv4"] = f"10.0.{i}.{free_in_subnet[i].pop()}"
            elif choice is not None:
                vm["ipv4"] = choice
        choice = draw(st.sampled_from([False, True, "explicit", None]))
        if choice == "explicit":
            vm["ipv4_mapping"] = f"10.0.200.{free_mappings.pop()}"
        elif choice is not None:
            vm["ipv4_mapping"] = choice
        vms.append(vm)
    draw(st.randoms()).shuffle(vms)  # list order drives allocation; any order is valid

    customer_ids = draw(st.lists(st.integers(0, 4095), max_size=5, unique=True))
    nat64 = draw(
        st.sampled_from([f"2001:db8:100:{nat64_subnet:x}::/96", "64:ff9b::/96", f"64:ff9b:1:{nat64_subnet:x}::/64"])
    )
    site = {
        "name": "gen",
        "domain": "gen.example.net",
        "prefix": "2001:db8:100::/48",
        "nat64_prefix": nat64,
        "nat64_pool4_size": draw(st.sampled_from([1, 2, 4, 16, 256])),
        "ipv4_pool": str(POOL),
        "customer_prefix": "2001:db8:8000::/36",
        "allow_documentation_prefixes": True,
        "networks": networks,
        "hosts": hosts,
        "vms": vms,
        "customers": [{"name": f"c{c}", "id": written(draw, c)} for c in customer_ids],
        "resolvers": [h["name"] for h in hosts if draw(st.booleans())],
    }
    if draw(st.booleans()):
        site["jump_prefix"] = "2001:db8:ffff::/48"
    return site


@SITE_SETTINGS
@given(sites())
def test_plan_is_deterministic_and_leaves_the_input_alone(site):
    pristine = copy.deepcopy(site)
    plan = siteplan.build_plan(site)
    assert site == pristine
    assert siteplan.build_plan(site) == plan
    assert siteplan.build_plan(pristine) == plan
    assert json.loads(json.dumps(plan)) == plan


@SITE_SETTINGS
@given(sites())
def test_no_two_objects_share_an_address(site):
    plan = siteplan.build_plan(site)

    # A host's addresses include its primary ipv6 and its address on every extra network.
    ipv6 = [a for h in plan["hosts"].values() for a in h["addresses"].values()]
    ipv6 += [v["ipv6"] for v in plan["vms"].values()]
    assert len(set(ipv6)) == len(ipv6)
    ipv4 = [v["ipv4"] for v in plan["vms"].values() if v["ipv4"]]
    ipv4 += [v["ipv4_mapping"] for v in plan["vms"].values() if v["ipv4_mapping"]]
    assert len(set(ipv4)) == len(ipv4)
    prefixes = [n["prefix"] for n in plan["networks"].values()]
    assert len(set(prefixes)) == len(prefixes)
    customers = [c["prefix"] for c in plan["customers"].values()]
    assert len(set(customers)) == len(customers)
    ptr_names = [r["name"] for r in plan["dns"]["records"] if r["type"] == "PTR"]
    assert len(set(ptr_names)) == len(ptr_names)


@SITE_SETTINGS
@given(sites())
def test_addresses_sit_in_their_blocks(site):
    plan = siteplan.build_plan(site)
    pool4 = ipaddress.IPv4Network(plan["nat64"]["pool4"])
    nat64 = ipaddress.IPv6Network(plan["nat64"]["prefix"])
    subnets = [ipaddress.IPv4Network(n["ipv4"]["subnet"]) for n in plan["networks"].values() if n["ipv4"]]
    assert pool4.subnet_of(POOL) and pool4.broadcast_address == POOL.broadcast_address
    for net in plan["networks"].values():
        assert not ipaddress.IPv6Network(net["prefix"]).overlaps(nat64)
    for node in [*plan["hosts"].values(), *plan["vms"].values()]:
        assert ipaddress.IPv6Address(node["ipv6"]) in ipaddress.IPv6Network(plan["networks"][node["network"]]["prefix"])
    for host in plan["hosts"].values():
        iid = int(ipaddress.IPv6Address(host["ipv6"])) & (2**64 - 1)
        for name, address in host["addresses"].items():
            address = ipaddress.IPv6Address(address)
            assert address in ipaddress.IPv6Network(plan["networks"][name]["prefix"])
            assert int(address) & (2**64 - 1) == iid  # the same interface identifier on every network
    for vm in plan["vms"].values():
        if vm["ipv4"]:
            subnet = ipaddress.IPv4Network(plan["networks"][vm["network"]]["ipv4"]["subnet"])
            address = ipaddress.IPv4Address(vm["ipv4"])
            assert address in subnet
            assert address not in (subnet.network_address, subnet.network_address + 1, subnet.broadcast_address)
        if vm["ipv4_mapping"]:
            address = ipaddress.IPv4Address(vm["ipv4_mapping"])
            assert address in POOL and address not in pool4
            assert not any(address in subnet for subnet in subnets)
    for customer in plan["customers"].values():
        assert ipaddress.IPv6Network(customer["prefix"]).subnet_of(ipaddress.IPv6Network(plan["customer_prefix"]))
    outside = POOL.num_addresses - sum(s.num_addresses for s in subnets) - pool4.num_addresses
    assert plan["ipv4"]["mapping_used"] + plan["ipv4"]["mapping_free"] == outside


@SITE_SETTINGS
@given(sites())
def test_plan_follows_the_model(site):
    plan = siteplan.build_plan(site)
    assert list(plan["vms"]) == [vm["name"] for vm in site["vms"]]
    assert list(plan["hosts"]) == [host["name"] for host in site["hosts"]]
    for host in site["hosts"]:
        planned = plan["hosts"][host["name"]]
        assert list(planned["addresses"]) == [host["network"], *host.get("networks", [])]
        assert planned["addresses"][host["network"]] == planned["ipv6"]
    for vm in site["vms"]:
        planned = plan["vms"][vm["name"]]
        prefix = plan["networks"][vm["network"]]["prefix"]
        if "id" not in vm:
            assert planned["ipv6"] == str(siteplan.eui64(vm["mac"], prefix))
        assert planned["mac"] == (siteplan.normalize_mac(vm["mac"]) if "mac" in vm else None)
        if isinstance(vm.get("ipv4"), str):
            assert planned["ipv4"] == vm["ipv4"]
        if isinstance(vm.get("ipv4_mapping"), str):
            assert planned["ipv4_mapping"] == vm["ipv4_mapping"]
        assert planned["proxy"] == vm.get("proxy", [])
    assert [e["vm"] for e in plan["nat64"]["eam"]] == [vm["name"] for vm in site["vms"] if vm.get("ipv4_mapping")]
    assert plan["nat64"]["well_known"] == (site["nat64_prefix"] == "64:ff9b::/96")
    assert plan["dns"]["resolvers"] == [plan["hosts"][name]["ipv6"] for name in site["resolvers"]]
    forward = {(r["name"], r["value"]) for r in plan["dns"]["records"] if r["type"] in ("A", "AAAA")}
    reverse = {(r["value"], r["name"]) for r in plan["dns"]["records"] if r["type"] == "PTR"}
    assert {(name, ipaddress.ip_address(value).reverse_pointer) for name, value in forward} == reverse
    # Only primary addresses are named: a host's extra addresses get no records.
    named = {node["ipv6"] for node in [*plan["hosts"].values(), *plan["vms"].values()]}
    assert {r["value"] for r in plan["dns"]["records"] if r["type"] == "AAAA"} == named


@SITE_SETTINGS
@given(sites(), st.data())
def test_a_copied_vm_is_a_duplicate(site, data):
    if not site["vms"]:
        return
    index = data.draw(st.integers(0, len(site["vms"]) - 1))
    site["vms"].append(copy.deepcopy(site["vms"][index]))
    with pytest.raises(PlanError) as e:
        siteplan.build_plan(site)
    copied = f"site.vms[{len(site['vms']) - 1}]"
    assert f"{copied}.name: {site['vms'][index]['name']}: duplicate name (also site.vms[{index}])" in e.value.problems
    assert all(p.startswith(copied) for p in e.value.problems)


@SITE_SETTINGS
@given(sites(), st.data())
def test_a_vm_on_a_router_address_is_a_duplicate(site, data):
    routers = [(h, host) for h, host in enumerate(site["hosts"]) if host.get("networks")]
    if not routers:
        return
    h, host = data.draw(st.sampled_from(routers))
    k = data.draw(st.integers(0, len(host["networks"]) - 1))
    site["vms"].append({"name": "intruder", "network": host["networks"][k], "id": host["id"]})
    address = siteplan.build_plan({**site, "vms": []})["hosts"][host["name"]]["addresses"][host["networks"][k]]
    with pytest.raises(PlanError) as e:
        siteplan.build_plan(site)
    vm = f"site.vms[{len(site['vms']) - 1}]"
    assert e.value.problems == [
        f"{vm}.id: {host['id']}: address {address} already used by site.hosts[{h}].networks[{k}]"
    ]
