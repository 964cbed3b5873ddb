#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A node's planned IPv6 addresses on the right interfaces, and no stray IPv4 addresses.

One file serves three callers:

- the module ``ipv6only.datacenter.node_addresses`` (check mode and diff), which the ipv6_host role runs;
- the boot unit ``ipv6-host-addresses.service``: the role installs this very file as
  ``/usr/local/sbin/ipv6-host-addresses``, which re-applies ``/etc/ipv6-host/addresses.json`` at boot;
- the collection's one interface resolver (``resolve_interface``), which the border router's builder uses
  too, on the host's facts.

    ipv6-host-addresses [--config FILE|- | --config-json JSON] plan     print the pending changes, change nothing
    ipv6-host-addresses [--config FILE|- | --config-json JSON] apply    make them, print what was done

The config (JSON; the comments are not part of it):

    {"addresses": {"mgmt": "2001:db8:100:1::31"},      # plan network -> this node's address there
     "prefixes": {"mgmt": "2001:db8:100:1::/64"},       # plan network -> its prefix
     "prefixlen": 64,
     "interfaces": {"mgmt": "eth0"},                    # optional, per network
     "remove_ipv4": true,
     "remove_ipv4_from": "all",                         # or "site": only interfaces of plan networks
     "ipv4_allowed": ["198.51.100.10", "198.18.0.0/15"]}

An address whose network is not in ``interfaces`` goes on the interface that already holds an address in the
network's prefix, else on the one with an on-link route for the prefix (learnt from a router advertisement),
else on the node's only non-loopback interface; anything else is an error naming the candidates. IPv4
addresses are removed from every interface except loopback (with ``remove_ipv4_from: site``, only from the
interfaces of plan networks: a router's uplink keeps its IPv4), unless an ``ipv4_allowed`` entry (an address,
or a network that contains it) keeps them. Nothing else is touched: link-local, SLAAC and other IPv6 addresses stay.

The kernel is read and changed over netlink with pyroute2 (Debian's python3-pyroute2; only IPRoute's
get_links, get_addr, get_routes and addr, which Debian 12's 0.7.2 and 13's 0.7.7 have as well as newer
releases). The planning functions are pure. Exit status of the helper: 0 success, 1 error (on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import socket
import sys

try:
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError
except ImportError:  # the module reports missing_required_lib; the helper says so on stderr
    IPRoute = None
    NetlinkError = OSError

__all__ = [
    "INTERFACES_VAR",
    "ConfigError",
    "apply",
    "ifname_problem",
    "ipv4_allowed",
    "named_interfaces",
    "plan",
    "read_state",
    "resolve_interface",
    "state_from_facts",
]

# The one host variable that names a node's interfaces ({network: ifname}), read by every role.
INTERFACES_VAR = "ipv6_host_interfaces"

_IFF_LOOPBACK = 0x8
_RT_TABLE_MAIN = 254
_RTN_UNICAST = 1


class ConfigError(Exception):
    """A problem the operator must fix (a wrong interface name, an ambiguous network, a failed change)."""


# --- the state of the kernel -------------------------------------------------------------------------------------
#
# {"links": {ifname: {"index": int, "loopback": bool, "addrs": [IPv4Interface | IPv6Interface]}},
#  "routes6": [(IPv6Network, ifname)]}      on-link IPv6 routes of the main table


def read_state(ipr) -> dict:
    """The links, their addresses and the on-link IPv6 routes, read over netlink."""
    links, names = {}, {}
    for msg in ipr.get_links():
        name = msg.get_attr("IFLA_IFNAME")
        names[msg["index"]] = name
        links[name] = {"index": msg["index"], "loopback": bool(msg["flags"] & _IFF_LOOPBACK), "addrs": []}
    for msg in ipr.get_addr():
        name = names.get(msg["index"])
        if name is None:
            continue
        local = msg.get_attr("IFA_LOCAL") if msg["family"] == socket.AF_INET else None
        address = local or msg.get_attr("IFA_ADDRESS")
        if address:
            links[name]["addrs"].append(ipaddress.ip_interface(f"{address}/{msg['prefixlen']}"))
    routes6 = []
    for msg in ipr.get_routes(family=socket.AF_INET6):
        dst, dev = msg.get_attr("RTA_DST"), names.get(msg.get_attr("RTA_OIF"))
        table = msg.get_attr("RTA_TABLE") or msg["table"]
        if dst and dev and msg["dst_len"] and table == _RT_TABLE_MAIN and msg["type"] == _RTN_UNICAST:
            routes6.append((ipaddress.ip_network(f"{dst}/{msg['dst_len']}", strict=False), dev))
    return {"links": links, "routes6": routes6}


def state_from_facts(facts: dict) -> dict:
    """The same shape from Ansible's setup facts (``ansible_facts``), which have no routes."""
    links = {}
    for name in facts.get("interfaces") or []:
        entry = facts.get(name) or facts.get(name.replace("-", "_").replace(".", "_")) or {}
        if not isinstance(entry, dict):
            continue
        addrs = []
        ipv4 = [entry["ipv4"]] if isinstance(entry.get("ipv4"), dict) else list(entry.get("ipv4") or [])
        for item in ipv4 + list(entry.get("ipv4_secondaries") or []):
            if item.get("address") and item.get("netmask"):
                addrs.append(ipaddress.ip_interface(f"{item['address']}/{item['netmask']}"))
        for item in entry.get("ipv6") or []:
            if item.get("address") and item.get("prefix") is not None:
                addrs.append(ipaddress.ip_interface(f"{item['address'].split('%')[0]}/{item['prefix']}"))
        links[entry.get("device", name)] = {"index": None, "loopback": entry.get("type") == "loopback", "addrs": addrs}
    if "lo" in links:
        links["lo"]["loopback"] = True
    return {"links": links, "routes6": []}


# --- planning (pure) ----------------------------------------------------------------------------------------------


def ifname_problem(name: object) -> str | None:
    """Why ``name`` cannot be a Linux interface name (the kernel's dev_valid_name), or None."""
    if not isinstance(name, str) or not name:
        return "must be an interface name (a non-empty string)"
    if len(name.encode()) > 15:
        return "is longer than 15 bytes, the kernel's limit for an interface name"
    if name in (".", "..") or any(c in name for c in "/:") or any(c.isspace() for c in name):
        return "is not a valid interface name (no /, : or whitespace, not . or ..)"
    return None


def named_interfaces(named: dict, addresses: dict, problems: list[str]) -> dict:
    """The checked part of a node's ``{network: ifname}`` map: each key one of the node's plan networks
    (``addresses``), each value a valid interface name. Each problem is appended to ``problems``."""
    out = {}
    for network, ifname in named.items():
        where = f"{INTERFACES_VAR}.{network}"
        if network not in addresses:
            problems.append(
                f"{where}: this node has no address on network {network} in the site plan "
                f"(its networks: {', '.join(addresses) or 'none'})"
            )
        elif (rule := ifname_problem(ifname)) is not None:
            problems.append(f"{where} {ifname!r}: {rule}")
        else:
            out[network] = ifname
    return out


def resolve_interface(network: str, prefix: str, wanted: str | None, state: dict) -> str:
    """The interface a plan network is on: ``wanted`` if given, else what the state says (see the module doc)."""
    links = state["links"]
    if wanted:
        if wanted not in links:
            raise ConfigError(f"network {network}: interface {wanted} does not exist (have {', '.join(links)})")
        return wanted
    net = ipaddress.ip_network(prefix)
    candidates = [name for name, link in links.items() if not link["loopback"]]
    holding = sorted(
        name
        for name in candidates
        if any(a.version == 6 and a.ip in net and not a.ip.is_link_local for a in links[name]["addrs"])
    )
    if len(holding) == 1:
        return holding[0]
    if not holding:
        onlink = sorted({dev for dst, dev in state["routes6"] if dst == net and dev in candidates})
        if len(onlink) == 1:
            return onlink[0]
        if not onlink and len(candidates) == 1:
            return candidates[0]
        holding = onlink or candidates
    raise ConfigError(
        f"network {network} ({net}): cannot tell which interface it is on "
        f"(candidates: {', '.join(sorted(holding)) or 'none'}); name it in ipv6_host_interfaces"
    )


def ipv4_allowed(addr: ipaddress.IPv4Interface, allowed: list) -> bool:
    """Loopback, or inside an ``ipv4_allowed`` entry."""
    if addr.ip.is_loopback:
        return True
    for item in allowed:
        net = ipaddress.ip_network(item, strict=False)
        if net.version == 4 and addr.ip in net:
            return True
    return False


def plan(config: dict, state: dict) -> dict:
    """The interface of each network and the changes that would make ``state`` match ``config``."""
    links = state["links"]
    interfaces, add, remove = {}, [], []
    for network, address in sorted(config.get("addresses", {}).items()):
        if network not in config.get("prefixes", {}):
            raise ConfigError(f"network {network}: no prefix given")
        iface = resolve_interface(
            network, config["prefixes"][network], config.get("interfaces", {}).get(network), state
        )
        want = ipaddress.IPv6Interface(f"{address}/{config.get('prefixlen', 64)}")
        interfaces[network] = iface
        have = [a for a in links[iface]["addrs"] if a.version == 6 and a.ip == want.ip]
        for stale in have:
            if stale.network.prefixlen != want.network.prefixlen:
                remove.append({"interface": iface, "address": stale.with_prefixlen})
        if not any(a.network.prefixlen == want.network.prefixlen for a in have):
            add.append({"interface": iface, "address": want.with_prefixlen})
    if config.get("remove_ipv4", True):
        allowed = config.get("ipv4_allowed", [])
        # "site": only where a plan network is (a router's uplink keeps its IPv4); "all": everywhere.
        scope = config.get("remove_ipv4_from", "all")
        if scope not in ("all", "site"):
            raise ConfigError(f"remove_ipv4_from {scope!r}: must be all or site")
        site = set(interfaces.values())
        for name, link in links.items():
            if link["loopback"] or (scope == "site" and name not in site):
                continue
            for addr in link["addrs"]:
                if addr.version == 4 and not ipv4_allowed(addr, allowed):
                    remove.append({"interface": name, "address": addr.with_prefixlen})
    changes = [f"+ {c['interface']} {c['address']}" for c in add] + [
        f"- {c['interface']} {c['address']}" for c in remove
    ]
    return {"interfaces": interfaces, "add": add, "remove": remove, "changes": changes, "changed": bool(changes)}


# --- changing the kernel ------------------------------------------------------------------------------------------


def _change(ipr, state: dict, command: str, change: dict) -> None:
    address = ipaddress.ip_interface(change["address"])
    index = state["links"][change["interface"]]["index"]
    ipr.addr(command, index=index, address=str(address.ip), prefixlen=address.network.prefixlen)


def apply(config: dict, ipr) -> dict:
    """Make the changes ``plan`` finds, IPv6 additions first, and check that none is left pending."""
    state = read_state(ipr)
    todo = plan(config, state)
    # Add the IPv6 addresses before removing anything, so that the node never has neither.
    for change in todo["add"]:
        for stale in todo["remove"]:
            same_ip = ipaddress.ip_interface(stale["address"]).ip == ipaddress.ip_interface(change["address"]).ip
            if stale["interface"] == change["interface"] and same_ip:
                _change(ipr, state, "del", stale)
        try:
            _change(ipr, state, "add", change)
        except NetlinkError as exc:
            raise ConfigError(f"adding {change['address']} to {change['interface']}: {exc}") from None
    for change in todo["remove"]:
        # It may be gone already: deleting a primary IPv4 address removes its secondaries. Checked below.
        with contextlib.suppress(NetlinkError):
            _change(ipr, state, "del", change)
    left = plan(config, read_state(ipr))
    if left["changed"]:
        raise ConfigError(f"changes still pending after apply: {'; '.join(left['changes'])}")
    return todo


# --- the boot helper ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Put the site plan's IPv6 addresses on this node, remove IPv4.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--config", default="/etc/ipv6-host/addresses.json", help="JSON config file, or - for stdin")
    source.add_argument("--config-json", help="the JSON config itself")
    parser.add_argument("action", choices=["plan", "apply"])
    args = parser.parse_args(argv)
    if IPRoute is None:
        print("ipv6-host-addresses: needs pyroute2 (Debian: apt install python3-pyroute2)", file=sys.stderr)
        return 1
    try:
        if args.config_json is not None:
            config = json.loads(args.config_json)
        elif args.config == "-":
            config = json.load(sys.stdin)
        else:
            with open(args.config, encoding="utf-8") as fh:
                config = json.load(fh)
        with IPRoute() as ipr:
            result = plan(config, read_state(ipr)) if args.action == "plan" else apply(config, ipr)
    except (ConfigError, NetlinkError, OSError, ValueError, KeyError) as exc:
        print(f"ipv6-host-addresses: {exc}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
