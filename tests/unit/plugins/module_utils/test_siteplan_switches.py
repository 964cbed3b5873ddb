# SPDX-License-Identifier: GPL-3.0-or-later
"""The switch port map of the site model: what the plan gives a switch, and what validation refuses."""

from __future__ import annotations

import copy

import pytest
from sites import switched_site

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan


def problems(site: dict) -> list[str]:
    with pytest.raises(PlanError) as caught:
        build_plan(site)
    return caught.value.problems


def port(site: dict, k: int, **changes) -> dict:
    site = copy.deepcopy(site)
    site["switches"][0]["ports"][k].update(changes)
    for key, value in changes.items():
        if value is None:
            del site["switches"][0]["ports"][k][key]
    return site


def test_the_plan_gives_each_switch_its_bridges_ports_and_guards():
    sw1 = build_plan(switched_site())["switches"]["sw1"]
    assert sw1["management"] == {"network": "mgmt", "ipv6": "2001:db8:100:1::21"}
    assert not sw1["vlan_aware"]
    assert sw1["bridges"] == {
        "servers": {
            "name": "br-servers",
            "network": "servers",
            "prefix": "2001:db8:100:10::/64",
            "vlan": None,
            "ports": ["swp1", "swp3", "swp9"],
        },
        "vms": {
            "name": "br-vms",
            "network": "vms",
            "prefix": "2001:db8:100:2::/64",
            "vlan": None,
            "ports": ["swp2", "swp4"],
        },
    }
    router, host, jump = sw1["ports"]["swp1"], sw1["ports"]["swp3"], sw1["ports"]["swp9"]
    assert (router["router_advertisements"], router["source_guard"], router["addresses"]) == (True, False, [])
    assert host == {
        "port": "swp3",
        "kind": "host",
        "network": "servers",
        "node": "client1",
        "interface": "eth0",
        "bridge": "br-servers",
        "vlan": None,
        "router_advertisements": False,
        "dhcpv6_server": False,
        "source_guard": True,
        "addresses": ["2001:db8:100:10::101"],
    }
    assert sw1["ports"]["swp4"]["addresses"] == ["2001:db8:100:2::7"]  # a VM: its planned address
    assert (jump["node"], jump["addresses"], jump["source_guard"]) == (None, ["2001:db8:100:10::1"], True)


def test_a_vlan_on_every_switched_network_makes_the_switch_vlan_aware():
    site = switched_site()
    site["networks"][1]["vlan"] = 10
    site["networks"][2]["vlan"] = 20
    plan = build_plan(site)
    assert plan["switches"]["sw1"]["vlan_aware"]
    assert plan["switches"]["sw1"]["ports"]["swp3"]["vlan"] == 10
    assert plan["networks"]["vms"]["vlan"] == 20


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda s: port(s, 2, port="swp1"),
            "site.switches[0].ports[2].port: swp1: claimed twice on switch sw1 (also site.switches[0].ports[0])",
            id="a port claimed twice",
        ),
        pytest.param(
            lambda s: port(s, 2, network="vms"),
            "site.switches[0].ports[2].network: vms: client1 is not attached to it (its networks: servers)",
            id="a node on a network it is not attached to",
        ),
        pytest.param(
            lambda s: port(s, 2, kind="router"),
            "site.switches[0].ports[2].kind: router: client1 is not a router (server): router ports, the only ones "
            "whose RAs pass, lead to a host with role border_router",
            id="a router port to a non-router",
        ),
        pytest.param(
            lambda s: port(s, 3, kind="router"),
            "site.switches[0].ports[3].kind: router: web1 is not a router (a VM): router ports, the only ones whose "
            "RAs pass, lead to a host with role border_router",
            id="a router port to a VM",
        ),
        pytest.param(
            lambda s: port(s, 2, kind="access"),
            "site.switches[0].ports[2].kind: access: must be one of host, router, dhcpv6-server, jump",
            id="an unknown kind",
        ),
        pytest.param(
            lambda s: port(s, 2, kind="hypervisor"),
            "site.switches[0].ports[2].kind: hypervisor: not yet: hypervisor trunks that carry VM addresses come "
            "with the hypervisor work; until then a VM sits on a host port of its own",
            id="a hypervisor trunk",
        ),
        pytest.param(
            lambda s: port(s, 3, node="client1", interface="eth0", network="servers"),
            "site.switches[0].ports[3].interface: eth0: client1's eth0 is already on site.switches[0].ports[2]",
            id="one node interface on two ports",
        ),
        pytest.param(
            lambda s: port(s, 2, node="client9"),
            "site.switches[0].ports[2].node: client9: no such host or VM in the site",
            id="an unknown node",
        ),
        pytest.param(
            lambda s: port(s, 2, node="sw1", network="mgmt"),
            "site.switches[0].ports[2].node: sw1: is the switch itself",
            id="the switch on its own port",
        ),
        pytest.param(
            lambda s: port(s, 2, port='swp3"; drop'),
            'site.switches[0].ports[2].port: "swp3\\"; drop": must be an interface name: 1 to 15 of A-Z, a-z, '
            "0-9, '_', '.' and '-', not starting with a symbol",
            id="a port name that is no interface name",
        ),
        pytest.param(
            lambda s: port(s, 4, address="2001:db8:100:10::101"),
            "site.switches[0].ports[4].address: 2001:db8:100:10::101: already the address of site.hosts[4]",
            id="a jump address that is a node's",
        ),
        pytest.param(
            lambda s: port(s, 4, address="2001:db8:100:1::99"),
            "site.switches[0].ports[4].address: 2001:db8:100:1::99: outside servers 2001:db8:100:10::/64",
            id="a jump address outside the port's network",
        ),
        pytest.param(
            lambda s: port(s, 4, address=None),
            "site.switches[0].ports[4].address: missing: a jump port needs the jump host's address",
            id="a jump port without its address",
        ),
        pytest.param(
            lambda s: port(s, 4, node="client1"),
            "site.switches[0].ports[4].node: client1: not for a jump port: its far end is the jump host",
            id="a jump port with a node",
        ),
        pytest.param(
            lambda s: port(s, 2, address="2001:db8:100:10::102"),
            "site.switches[0].ports[2].address: 2001:db8:100:10::102: only for a jump port: other ports take the "
            "node's addresses",
            id="an address on a host port",
        ),
    ],
)
def test_a_wrong_port_map_is_one_clear_error(change, expected):
    assert problems(change(switched_site())) == [expected]


def test_a_switch_is_a_host_with_role_switch_on_the_management_network_only():
    site = switched_site()
    site["hosts"][3]["role"] = "server"
    assert problems(site) == ["site.switches[0].name: sw1: is a host with role server: a switch needs role switch"]
    site = switched_site()
    site["hosts"][3]["networks"] = ["servers"]
    assert problems(site) == [
        "site.switches[0].name: sw1: a switch is addressed on the management network only (its host entry's "
        "network, with no further networks): it bridges the other networks without an address on them"
    ]
    site = switched_site()
    site["switches"][0]["name"] = "sw9"
    assert problems(site) == ["site.switches[0].name: sw9: no such host in site.hosts"]


def test_vlans_are_ids_unique_in_the_site_and_on_every_network_of_a_switch_or_none():
    site = switched_site()
    site["networks"][1]["vlan"] = 4095
    site["networks"][2]["vlan"] = 0
    assert problems(site) == [
        "site.networks[1].vlan: 4095: must be a VLAN id from 1 to 4094",
        "site.networks[2].vlan: 0: must be a VLAN id from 1 to 4094",
    ]
    site["networks"][1]["vlan"] = site["networks"][2]["vlan"] = 10
    assert problems(site) == ["site.networks[2].vlan: 10: same VLAN as site.networks[1] (servers)"]
    site["networks"][2]["vlan"] = None
    assert problems(site) == [
        "site.switches[0].ports: sw1: carries networks with and without a vlan: a VLAN-aware switch needs a vlan "
        "on every network it carries (or none, for one bridge per network)"
    ]


def test_an_unknown_host_role_is_refused():
    site = switched_site()
    site["hosts"][0]["role"] = "router"
    assert problems(site)[0] == (
        "site.hosts[0].role: router: must be one of server, border_router, switch, hypervisor, storage"
    )


def test_a_broken_node_is_reported_once_not_again_for_its_port():
    site = switched_site()
    site["hosts"][4]["id"] = 0
    assert problems(site) == ["site.hosts[4].id: 0: must be at least 1: id 0 is the subnet-router anycast address"]


def test_a_broken_vm_list_is_reported_once_and_the_port_map_does_not_crash():
    site = switched_site()
    site["vms"] = "web1"
    assert problems(site) == ["site.vms: web1: must be a list"]
