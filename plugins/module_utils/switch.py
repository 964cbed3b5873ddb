# SPDX-License-Identifier: GPL-3.0-or-later
"""The builder of the switch role: a switch's bridges and port guards, from the site plan's port map.

``build(plan, options, facts)`` returns everything the role renders: the bridges for the module ``switch_bridges``
(one per network, MLD snooping with a querier), the guards of the nftables ``bridge`` table (RA guard, DHCPv6
guard, IPv6 source guard per port), and, for a VLAN-aware switch, its systemd-networkd files. The options are
declared once, in ``OPTIONS`` (see ``contract.py``). Standard library only.
"""

from __future__ import annotations

import ipaddress

from .configtext import path_problem, word_problem
from .contract import Option, OptionTable, Section
from .errors import PlanError, show

__all__ = ["OPTIONS", "build"]

GUARD_TABLE = "bridge switch_guard"
# The single bridge of a VLAN-aware switch (systemd-networkd layout).
VLAN_BRIDGE = "br0"
NETWORKD_PREFIX = "50-switch-"

OPTIONS = OptionTable(
    role="switch",
    short_description="An IPv6-only site switch: bridges, RA guard, DHCPv6 guard, source guard and MLD snooping",
    description=(
        "Bridges the networks of this switch's port map (C(site.switches)), one Linux bridge per network, with "
        "M(ipv6only.datacenter.switch_bridges); the unit C(switch-bridges.service) applies the same again at boot. "
        "The switch keeps its one address on the management network (the ipv6_host baseline sets it); its bridges "
        "have only the link-local address the MLD querier needs.",
        "Loads the nftables table C(bridge switch_guard) into the drop-in directory the ipv6_host baseline publishes: "
        "router advertisements only from C(router) ports, matched with C(meta l4proto icmpv6) so that extension "
        "headers do not hide them (RFC 7113), and from every other port no first fragment without its upper-layer "
        "header and no fragment to C(ff02::/16); DHCPv6 server messages (UDP source port 547, RFC 7610) only from "
        "C(dhcpv6-server) ports; and on C(host), C(dhcpv6-server) and C(jump) ports only the node's planned "
        "addresses as IPv6 source and as neighbor advertisement target (link-local and C(::) always), a simple "
        "RFC 7039 source address validation derived from the address plan.",
        "Turns on MLD snooping with a querier (MLDv2) on each bridge: without a querier, snooping forgets the "
        "listeners and breaks neighbour discovery after the membership interval.",
        "When every network of the switch has a C(vlan), renders one VLAN-aware bridge as systemd-networkd files "
        "instead (each port's PVID its network's VLAN), and reloads systemd-networkd. That layout needs 802.1Q "
        "and bridge VLAN filtering in the kernel.",
        "LLDP runs through the ipv6_host baseline, which includes a switch's ports in its LLDP interfaces.",
        "Changes that can cut the management path (the guard table, bridge and port changes) need "
        "O(ipv6_host_allow_disruption=true), the consent flag of every role of the collection.",
        "All options are converted to their declared types before use.",
    ),
    entry_points=(
        ("main", "An IPv6-only site switch"),
        ("check", "Compute and check this switch's configuration, changing nothing"),
    ),
    items=(
        Section("the switch in the site plan"),
        Option(
            "name",
            "str",
            "{{ inventory_hostname }}",
            "Name of this switch in the site plan (C(site.switches[].name), a host with role C(switch)).",
            jinja=True,
        ),
        Option(
            "plan",
            "dict",
            {},
            "The site plan. Empty means the plan of the run (computed once, see M(ipv6only.datacenter.site_plan)).",
        ),
        Section("MLD snooping"),
        Option(
            "mld_snooping",
            "bool",
            True,
            "Forward IPv6 multicast only to the ports that listen (MLD snooping). Off, the bridges flood it.",
        ),
        Option(
            "mld_querier",
            "bool",
            True,
            (
                "Send MLD queries from each bridge. Leave it on unless a router on every switched network is the "
                "querier: without one, snooping forgets the listeners after the membership interval and neighbour "
                "discovery breaks.",
            ),
        ),
        Option("mld_query_interval", "int", 125, "Seconds between general queries (RFC 3810: 125)."),
        Option(
            "mld_membership_interval",
            "int",
            260,
            (
                "Seconds a listener is remembered without a report (RFC 3810: robustness 2 times the query interval "
                "plus the 10 s response interval). Must be longer than the query interval.",
            ),
        ),
        Section("files"),
        Option(
            "bridges_config",
            "path",
            "/etc/switch/bridges.json",
            "Where the bridges' configuration is kept for the boot unit C(switch-bridges.service).",
            syntax=path_problem,
        ),
        Option(
            "networkd_dir",
            "path",
            "/etc/systemd/network",
            "systemd-networkd's directory, for a VLAN-aware switch's files.",
            syntax=path_problem,
        ),
        Section("packages"),
        Option(
            "packages",
            "list",
            ["iproute2", "nftables", "python3"],
            "Packages the switch needs.",
            elements="str",
            syntax=word_problem,
        ),
    ),
)


def _switch(plan: dict, name: str) -> dict:
    switch = (plan.get("switches") or {}).get(name)
    if switch is None:
        known = ", ".join(plan.get("switches") or {}) or "none"
        raise PlanError([f"switch_name {show(name)}: not a switch of the site plan (site.switches: {known})"])
    return switch


def build(plan: dict, options: dict, facts: dict) -> dict:
    """The switch role's configuration of switch ``options["name"]``; raises PlanError listing every problem."""
    switch = _switch(plan, options["name"])
    problems = []
    query, membership = options["mld_query_interval"], options["mld_membership_interval"]
    if not 1 <= query <= 3600:
        problems.append(f"switch_mld_query_interval {query}: must be 1 to 3600 seconds")
    if membership <= query:
        problems.append(
            f"switch_mld_membership_interval {membership}: must be longer than switch_mld_query_interval {query}, "
            "or listeners are forgotten between two queries"
        )
    # The guard table goes into the drop-in directory ipv6_host publishes; None before the baseline ran (the
    # playbook's early check), and the role's tasks refuse to go on without it.
    base = ((facts.get("published") or {}).get("ipv6_host") or {}).get("nftables")
    if problems:
        raise PlanError(problems)

    ports = list(switch["ports"].values())
    # Bridge option values as `ip link` takes them: the intervals in centiseconds.
    bridge_options = {
        "mcast_snooping": int(options["mld_snooping"]),
        "mcast_querier": int(options["mld_querier"]),
        "mcast_mld_version": 2,
        "mcast_query_interval": query * 100,
        "mcast_membership_interval": membership * 100,
    }
    vlan_aware = switch["vlan_aware"]
    sources = sorted((p["port"], a) for p in ports if p["source_guard"] for a in p["addresses"])
    bridges = (
        []
        if vlan_aware
        else [
            {"name": b["name"], "ports": list(b["ports"]), "options": bridge_options}
            for b in switch["bridges"].values()
        ]
    )
    return {
        "name": switch["name"],
        "management": switch["management"],
        "packages": options["packages"],
        "bridges": {"config": options["bridges_config"], "bridges": bridges},
        "guard": {
            "file": f"{base['include_dir']}/switch.nft" if base else None,
            "table": GUARD_TABLE,
            "ports": sorted(switch["ports"]),
            "router_ports": sorted(p["port"] for p in ports if p["router_advertisements"]),
            "dhcpv6_server_ports": sorted(p["port"] for p in ports if p["dhcpv6_server"]),
            "guarded_ports": sorted(p["port"] for p in ports if p["source_guard"]),
            "sources": sources,
            # The same pairs with the address as the 128-bit number nftables compares the raw NA target with.
            "na_targets": [(port, f"0x{int(ipaddress.IPv6Address(a)):032x}") for port, a in sources],
        },
        "networkd": _networkd(switch, options, bridge_options) if vlan_aware else None,
        "extension_points": {"bridges": {b["network"]: b["name"] for b in switch["bridges"].values()}},
    }


def _networkd(switch: dict, options: dict, bridge_options: dict) -> dict:
    """A VLAN-aware switch as systemd-networkd files: one bridge with VLAN filtering, each port untagged in its
    network's VLAN, the bridge itself in every VLAN (so that its MLD querier speaks on each)."""
    ports = sorted(switch["ports"].values(), key=lambda p: p["port"])
    files = [
        {"file": f"{NETWORKD_PREFIX}{VLAN_BRIDGE}.netdev", "kind": "netdev"},
        {"file": f"{NETWORKD_PREFIX}{VLAN_BRIDGE}.network", "kind": "bridge"},
    ] + [
        {"file": f"{NETWORKD_PREFIX}{p['port']}.network", "kind": "port", "port": p["port"], "vlan": p["vlan"]}
        for p in ports
    ]
    return {
        "dir": options["networkd_dir"],
        "prefix": NETWORKD_PREFIX,
        "bridge": VLAN_BRIDGE,
        "vlans": sorted({p["vlan"] for p in ports}),
        "snooping": bool(bridge_options["mcast_snooping"]),
        "querier": bool(bridge_options["mcast_querier"]),
        "files": files,
    }
