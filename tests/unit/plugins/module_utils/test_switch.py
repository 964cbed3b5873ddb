# SPDX-License-Identifier: GPL-3.0-or-later
"""The switch role's builder: bridges, guards and the VLAN-aware layout, from a planned port map."""

from __future__ import annotations

import pytest
from sites import switched_site

from ansible_collections.ipv6only.datacenter.plugins.module_utils import switch
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan

BASELINE = {"published": {"ipv6_host": {"nftables": {"include_dir": "/etc/nftables.d"}}}}


def options(**changes) -> dict:
    return switch.OPTIONS.convert({"name": "sw1", **changes})


def test_bridges_and_guards_come_from_the_port_map():
    config = switch.build(build_plan(switched_site()), options(), BASELINE)
    assert config["management"] == {"network": "mgmt", "ipv6": "2001:db8:100:1::21"}
    knobs = {
        "mcast_snooping": 1,
        "mcast_querier": 1,
        "mcast_mld_version": 2,
        "mcast_query_interval": 12500,
        "mcast_membership_interval": 26000,
    }
    assert config["bridges"] == {
        "config": "/etc/switch/bridges.json",
        "bridges": [
            {"name": "br-servers", "ports": ["swp1", "swp3", "swp9"], "options": knobs},
            {"name": "br-vms", "ports": ["swp2", "swp4"], "options": knobs},
        ],
    }
    assert config["guard"] == {
        "file": "/etc/nftables.d/switch.nft",
        "table": "bridge switch_guard",
        "ports": ["swp1", "swp2", "swp3", "swp4", "swp9"],
        "router_ports": ["swp1", "swp2"],
        "dhcpv6_server_ports": [],
        "guarded_ports": ["swp3", "swp4", "swp9"],
        "sources": [
            ("swp3", "2001:db8:100:10::101"),
            ("swp4", "2001:db8:100:2::7"),
            ("swp9", "2001:db8:100:10::1"),
        ],
        "na_targets": [
            ("swp3", "0x20010db8010000100000000000000101"),
            ("swp4", "0x20010db8010000020000000000000007"),
            ("swp9", "0x20010db8010000100000000000000001"),
        ],
    }
    assert config["networkd"] is None
    assert config["extension_points"] == {"bridges": {"servers": "br-servers", "vms": "br-vms"}}


def test_mld_timers_are_options_in_seconds():
    config = switch.build(
        build_plan(switched_site()), options(mld_query_interval=5, mld_membership_interval=12), BASELINE
    )
    knobs = config["bridges"]["bridges"][0]["options"]
    assert (knobs["mcast_query_interval"], knobs["mcast_membership_interval"]) == (500, 1200)


@pytest.mark.parametrize(
    ("changes", "facts", "message"),
    [
        ({"name": "br1"}, BASELINE, r"switch_name br1: not a switch of the site plan \(site.switches: sw1\)"),
        (
            {"mld_membership_interval": 125},
            BASELINE,
            "switch_mld_membership_interval 125: must be longer than switch_mld_query_interval 125",
        ),
    ],
)
def test_what_the_builder_refuses(changes, facts, message):
    with pytest.raises(PlanError, match=message):
        switch.build(build_plan(switched_site()), options(**changes), facts)


def test_without_the_baseline_the_guard_has_no_file_and_the_role_stops():
    assert switch.build(build_plan(switched_site()), options(), {})["guard"]["file"] is None


def test_a_vlan_on_every_network_gives_one_vlan_aware_bridge_in_networkd_files():
    site = switched_site()
    site["networks"][1]["vlan"] = 10
    site["networks"][2]["vlan"] = 20
    config = switch.build(build_plan(site), options(), BASELINE)
    assert config["bridges"]["bridges"] == []  # nothing for the netlink path: systemd-networkd owns the layout
    networkd = config["networkd"]
    assert networkd["vlans"] == [10, 20]
    assert [f["file"] for f in networkd["files"]] == [
        "50-switch-br0.netdev",
        "50-switch-br0.network",
        "50-switch-swp1.network",
        "50-switch-swp2.network",
        "50-switch-swp3.network",
        "50-switch-swp4.network",
        "50-switch-swp9.network",
    ]
    assert networkd["files"][4] == {"file": "50-switch-swp3.network", "kind": "port", "port": "swp3", "vlan": 10}
    # The guards do not depend on the layout: they match the ingress port.
    assert config["guard"]["router_ports"] == ["swp1", "swp2"]
