# SPDX-License-Identifier: GPL-3.0-or-later
"""The builder of the ipv6_host role (plugins/module_utils/ipv6_host.py), on a real plan."""

from __future__ import annotations

import pytest
from sites import small_plan

from ansible_collections.ipv6only.datacenter.plugins.module_utils import ipv6_host
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError

PLAN = small_plan()
CONTAINER = {"virtualization_tech_guest": ["container", "podman"]}


def build(name="hv1", facts=None, **options):
    values = {o.name: o.default for o in ipv6_host.OPTIONS} | {"name": name} | options
    return ipv6_host.build(PLAN, ipv6_host.OPTIONS.convert(values), facts or CONTAINER)


def test_a_host_gets_its_address_the_sites_resolvers_and_the_jump_prefix():
    config = build()
    assert config["addresses"]["addresses"] == {"mgmt": "2001:db8:100:1::31"}
    assert config["addresses"]["prefixes"] == {"mgmt": "2001:db8:100:1::/64"}
    assert config["resolv_conf"]["nameservers"] == ["2001:db8:100:1::11", "2001:db8:100:1::12"]
    assert config["resolv_conf"]["search"] == ["t.example.net"]
    assert config["ssh"]["allowed"] == ["2001:db8:100:1::/64"]
    assert config["chrony"]["servers"] == ["2001:db8:100:1::11", "2001:db8:100:1::12"]


def test_a_router_polls_its_peer_for_time_never_itself():
    config = build("br1")
    assert config["chrony"]["servers"] == ["2001:db8:100:1::12"]
    assert config["addresses"]["addresses"] == {"mgmt": "2001:db8:100:1::11", "vms": "2001:db8:100:2::11"}


def test_a_dual_stack_vm_keeps_its_own_ipv4():
    assert build("web1")["addresses"]["ipv4_allowed"] == ["198.51.100.2"]
    assert build("web1", ipv4_allowed=["198.18.0.0/15"])["addresses"]["ipv4_allowed"] == [
        "198.18.0.0/15",
        "198.51.100.2",
    ]


def test_chrony_sets_the_clock_except_in_a_container():
    assert build()["chrony"]["set_clock"] is False and build()["chrony"]["daemon_opts"] == "-F 1 -6 -x"
    assert build(facts={"virtualization_tech_guest": []})["chrony"]["set_clock"] is True
    assert build(chrony_set_clock="true")["chrony"]["set_clock"] is True


def test_a_host_accepts_router_advertisements_and_does_not_forward():
    config = build()
    assert config["sysctl"]["settings"] == {
        "net.ipv6.conf.all.accept_ra": 1,
        "net.ipv6.conf.default.accept_ra": 1,
        "net.ipv6.conf.all.autoconf": 0,
        "net.ipv6.conf.default.autoconf": 0,
        "net.ipv6.conf.all.forwarding": 0,
    }
    assert config["sysctl"]["interface_settings"] == {"net.ipv6.conf": {"accept_ra": 1, "autoconf": 0}}
    assert config["addresses"]["remove_ipv4_from"] == "all"
    assert config["extension_points"]["profile"] == "host"


def test_a_router_ignores_router_advertisements_and_leaves_forwarding_and_its_uplink_alone():
    config = build("br1", profile="router")
    settings = config["sysctl"]["settings"]
    assert settings["net.ipv6.conf.all.accept_ra"] == 0 and settings["net.ipv6.conf.default.accept_ra"] == 0
    assert not any("forwarding" in key for key in settings)
    assert config["sysctl"]["interface_settings"] == {"net.ipv6.conf": {"accept_ra": 0, "autoconf": 0}}
    assert config["addresses"]["remove_ipv4_from"] == "site"
    assert config["extension_points"]["profile"] == "router"


def test_the_old_sysctl_options_no_longer_decide_anything():
    config = build(accept_ra="0", manage_forwarding="false", forwarding="true")
    assert config["sysctl"] == build()["sysctl"]
    deprecated = {o.name for o in ipv6_host.OPTIONS if o.deprecated}
    assert deprecated == {"accept_ra", "manage_forwarding", "forwarding"}
    with pytest.raises(PlanError, match=r'ipv6_host_profile "switch": must be one of host, router'):
        build(profile="switch")


def test_the_interface_map_names_only_the_nodes_networks_and_valid_names():
    assert build("br1", interfaces={"mgmt": "eno1", "vms": "eno2"})["addresses"]["interfaces"] == {
        "mgmt": "eno1",
        "vms": "eno2",
    }
    with pytest.raises(PlanError) as caught:
        build("br1", interfaces={"servers": "eno3", "vms": "a/b", "mgmt": "a-very-long-name0"})
    text = str(caught.value)
    assert "ipv6_host_interfaces.servers: this node has no address on network servers" in text
    assert "(its networks: mgmt, vms)" in text
    assert "ipv6_host_interfaces.vms 'a/b': is not a valid interface name" in text
    assert "ipv6_host_interfaces.mgmt 'a-very-long-name0': is longer than 15 bytes" in text


def test_extension_points_name_the_chains_and_directories():
    points = build(nftables_include_dir="/etc/nft.d")["extension_points"]
    assert points["nftables"] == {
        "config": "/etc/nftables.conf",
        "table": "inet ipv6_host",
        "input_chain": "input_extra",
        "ipv4_input_chain": "input_ipv4",
        "include_dir": "/etc/nft.d",
    }
    assert points["chrony"] == {"conf_dir": "/etc/chrony/conf.d"}
    assert points["profile"] == "host"


def test_a_node_outside_the_plan_is_refused():
    with pytest.raises(PlanError, match=r"stor9 is neither in site\.hosts nor in site\.vms of site t"):
        build("stor9")


def test_ssh_must_stay_possible_and_over_ipv6():
    plan = {**PLAN, "jump_prefix": None}
    values = {o.name: o.default for o in ipv6_host.OPTIONS} | {"name": "hv1"}
    with pytest.raises(PlanError, match="the firewall would let nobody in"):
        ipv6_host.build(plan, ipv6_host.OPTIONS.convert(values), CONTAINER)
    with pytest.raises(PlanError) as caught:
        build(ssh_allowed_prefixes=["198.18.0.0/15", "nonsense"])
    assert caught.value.problems == [
        'ipv6_host_ssh_allowed_prefixes[0] "198.18.0.0/15": not an IPv6 prefix',
        'ipv6_host_ssh_allowed_prefixes[1] "nonsense": not an IPv6 prefix',
    ]


def test_audit_allow_list_drops_unset_keys():
    config = build(audit_allow=[{"port": "68", "proto": "udp"}])
    assert config["audit"]["allow"] == [{"port": 68, "proto": "udp"}]


def test_no_ssh_allow_list_covers_the_nat64_prefix():
    with pytest.raises(PlanError, match=r"ipv6_host_ssh_allowed_prefixes 2001:db8:100::/48: covers the NAT64 prefix"):
        build(ssh_allowed_prefixes=["2001:db8:100::/48"])
    assert build()["nftables"]["nat64_prefix"] == PLAN["nat64"]["prefix"]  # the firewall drops SSH from it


# --- stage-1 workarounds: IPv6 shims and the CLAT ------------------------------------------------------------


def test_a_shim_exposes_an_ipv4_only_port_on_ipv6_to_its_prefixes_only():
    servers = ["2001:db8:100:10::/64"]
    config = build(ipv6_shims=[{"port": 8080, "allow": servers}, {"port": 80, "target_port": 8081, "allow": servers}])
    assert config["shims"] == [
        {"unit": "ipv6-shim-8080", "port": 8080, "target": "127.0.0.1:8080", "allow": servers},
        {"unit": "ipv6-shim-80", "port": 80, "target": "127.0.0.1:8081", "allow": servers},
    ]
    assert config["nftables"]["shims"] == config["shims"]  # the firewall opens each to its prefixes


@pytest.mark.parametrize(
    ("shims", "problem"),
    [
        ([{"port": 8080}], "ipv6_host_ipv6_shims[0].allow: required"),
        ([{"port": 8080, "allow": []}], "ipv6_host_ipv6_shims[0].allow: empty: name the prefixes that may connect"),
        ([{"port": 22, "allow": ["2001:db8:100::/48"]}], "ipv6_host_ipv6_shims[0].port 22: is sshd's port"),
        ([{"port": 0, "allow": ["2001:db8:100::/48"]}], "ipv6_host_ipv6_shims[0].port 0: must be a port 1 to 65535"),
        (
            [{"port": 8080, "allow": ["2001:db8:100::/48"]}, {"port": 8080, "allow": ["2001:db8:100::/48"]}],
            "ipv6_host_ipv6_shims[1].port 8080: listed twice",
        ),
        (
            [{"port": 8080, "allow": ["2001:db8::/32"]}],
            "ipv6_host_ipv6_shims[0].allow 2001:db8::/32: covers the NAT64 prefix 2001:db8:100:64::/96",
        ),
        (
            [{"port": 8080, "allow": ["10.0.0.0/8"]}],
            'ipv6_host_ipv6_shims[0].allow[0] "10.0.0.0/8": not an IPv6 prefix',
        ),
        (
            [{"port": 8080, "allow": ["::/0"], "target": "::1"}],
            'ipv6_host_ipv6_shims[0].target "::1": not an IPv4 address',
        ),
    ],
)
def test_a_wrong_shim_is_refused_by_name(shims, problem):
    with pytest.raises(PlanError) as caught:
        build(ipv6_shims=shims)
    assert problem in str(caught.value)


def test_without_workarounds_nothing_changes():
    config = build()
    assert config["shims"] == [] and config["clat"]["enabled"] is False
    assert config["extension_points"]["clat"] is None
    assert config["addresses"]["ipv4_allowed"] == []


def test_the_clat_translates_to_the_plans_prefix_from_the_nodes_own_address_and_owns_its_exceptions():
    config = build(clat=True)
    clat = config["clat"]
    assert clat["settings"]["plat-prefix"] == "2001:db8:100:64::/96"  # from the plan, never discovered
    assert clat["settings"]["clat-v6-addr"] == "2001:db8:100:1::31"  # the planned address: the source guard admits it
    assert clat["settings"]["ctmark"] == clat["settings"]["route-table"] == 49575  # decimal: clatd refuses hex
    assert clat["settings"]["forwarding-enable"] == 0  # the role owns the sysctls
    # What clatd needs, written by this role, so that a rerun undoes none of it.
    assert config["sysctl"]["settings"]["net.ipv6.conf.all.forwarding"] == 1
    assert config["sysctl"]["settings"]["net.ipv6.conf.all.accept_ra"] == 2
    assert config["sysctl"]["interface_settings"]["net.ipv6.conf"]["accept_ra"] == 2
    assert config["addresses"]["ipv4_allowed"] == ["192.0.0.1"]
    assert config["extension_points"]["clat"] == {"device": "clat", "ipv4": "192.0.0.1"}


@pytest.mark.parametrize(
    ("options", "facts", "problem"),
    [
        ({"profile": "router"}, CONTAINER, "ipv6_host_clat true with ipv6_host_profile router"),
        (
            {},
            {"distribution": "Debian", "distribution_major_version": "12"},
            "ipv6_host_clat true on Debian 12: clatd is packaged from Debian 13 (trixie) on",
        ),
    ],
)
def test_a_clat_where_it_cannot_run_is_refused(options, facts, problem):
    with pytest.raises(PlanError) as caught:
        build(facts=facts, clat=True, **options)
    assert problem in str(caught.value)
