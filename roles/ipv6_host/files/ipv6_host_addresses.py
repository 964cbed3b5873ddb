#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Managed by the Ansible role ipv6only.datacenter.ipv6_host; local changes are overwritten.
"""Put a node's static IPv6 addresses on the right interfaces and remove its IPv4 addresses.

    ipv6-host-addresses [--config FILE|- | --config-json JSON] plan     print the pending changes, change nothing
    ipv6-host-addresses [--config FILE|- | --config-json JSON] apply    make them, print what was done

The config (JSON, from FILE, stdin or the command line; the comments are not part of it):

    {"addresses": {"mgmt": "2001:db8:100:1::31"},      # plan network -> this node's address there
     "prefixes": {"mgmt": "2001:db8:100:1::/64"},       # plan network -> its prefix
     "prefixlen": 64,
     "interfaces": {"mgmt": "eth0"},                    # optional, per network
     "remove_ipv4": true,
     "ipv4_allowed": ["198.51.100.10", "198.18.0.0/15"]}

An address whose network is not in `interfaces` goes on the interface that already holds an address in its
`prefix`, else the one with an on-link route for the prefix (learnt from a router advertisement),
else the node's only non-loopback interface; otherwise it is an error naming the candidates.
IPv4 addresses are removed from every interface except loopback, unless an `ipv4_allowed` entry
(an address, or a network that contains it) keeps them. Nothing else is touched: link-local,
SLAAC and other IPv6 addresses stay.

The role pipes this script to `python3 -` with `--config-json` to run `plan` (also in check mode)
and `apply`, and installs it with ipv6-host-addresses.service, which runs `apply` with the role's
resolved config (/etc/ipv6-host/addresses.json) at boot. Only the standard library and
iproute2 (`ip -j`) are needed. Exit status: 0 success, 1 error (message on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import subprocess
import sys


class ConfigError(Exception):
    pass


def ip_json(*args: str) -> list:
    proc = subprocess.run(["ip", "-j", *args], capture_output=True, text=True, check=False)
    if proc.returncode:
        raise ConfigError(f"ip -j {' '.join(args)} failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout or "[]")


def read_state() -> dict:
    """{"links": {ifname: {"loopback": bool, "addrs": [(family, IPv*Interface)]}}, "routes6": [(dst, dev)]}"""
    links = {}
    for link in ip_json("address", "show"):
        addrs = []
        for info in link.get("addr_info", []):
            if info.get("family") in ("inet", "inet6"):
                addrs.append(ipaddress.ip_interface(f"{info['local']}/{info['prefixlen']}"))
        links[link["ifname"]] = {"loopback": link.get("link_type") == "loopback", "addrs": addrs}
    routes6 = []
    for route in ip_json("-6", "route", "show"):
        dst, dev = route.get("dst"), route.get("dev")
        if dst and dev and dst != "default" and "/" in dst:
            routes6.append((ipaddress.ip_network(dst, strict=False), dev))
    return {"links": links, "routes6": routes6}


def resolve_interface(network: str, prefix: str, wanted: str | None, state: dict) -> str:
    links = state["links"]
    if wanted:
        if wanted not in links:
            raise ConfigError(f"network {network}: interface {wanted} does not exist (have {', '.join(links)})")
        return wanted
    prefix = ipaddress.ip_network(prefix)
    candidates = [name for name, link in links.items() if not link["loopback"]]
    holding = sorted(
        name
        for name in candidates
        if any(a.version == 6 and a.ip in prefix and not a.ip.is_link_local for a in links[name]["addrs"])
    )
    if len(holding) == 1:
        return holding[0]
    if not holding:
        onlink = sorted({dev for dst, dev in state["routes6"] if dst == prefix and dev in candidates})
        if len(onlink) == 1:
            return onlink[0]
        if not onlink and len(candidates) == 1:
            return candidates[0]
        holding = onlink or candidates
    raise ConfigError(
        f"network {network} ({prefix}): cannot tell which interface it is on "
        f"(candidates: {', '.join(sorted(holding)) or 'none'}); name it in ipv6_host_interfaces"
    )


def ipv4_allowed(addr: ipaddress.IPv4Interface, allowed: list) -> bool:
    if addr.ip.is_loopback:
        return True
    for item in allowed:
        net = ipaddress.ip_network(item, strict=False)
        if net.version == 4 and addr.ip in net:
            return True
    return False


def plan(config: dict, state: dict) -> dict:
    """Return the interface of each network and the changes that would make `state` match `config`."""
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
        for name, link in links.items():
            if link["loopback"]:
                continue
            for addr in link["addrs"]:
                if addr.version == 4 and not ipv4_allowed(addr, allowed):
                    remove.append({"interface": name, "address": addr.with_prefixlen})
    changes = [f"+ {c['interface']} {c['address']}" for c in add] + [
        f"- {c['interface']} {c['address']}" for c in remove
    ]
    return {"interfaces": interfaces, "add": add, "remove": remove, "changes": changes, "changed": bool(changes)}


def run_ip(*args: str) -> None:
    proc = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if proc.returncode:
        raise ConfigError(f"ip {' '.join(args)} failed: {proc.stderr.strip()}")


def apply(config: dict) -> dict:
    todo = plan(config, read_state())
    # Add the IPv6 addresses before removing anything, so the node never has neither.
    for change in todo["add"]:
        stale = [c for c in todo["remove"] if c["interface"] == change["interface"]]
        for c in stale:
            if ipaddress.ip_interface(c["address"]).ip == ipaddress.ip_interface(change["address"]).ip:
                run_ip("address", "del", c["address"], "dev", c["interface"])
        run_ip("address", "add", change["address"], "dev", change["interface"])
    for change in todo["remove"]:
        # It may be gone already: deleting a primary IPv4 address removes its secondaries. Checked below.
        with contextlib.suppress(ConfigError):
            run_ip("address", "del", change["address"], "dev", change["interface"])
    left = plan(config, read_state())
    if left["changed"]:
        raise ConfigError(f"changes still pending after apply: {'; '.join(left['changes'])}")
    return todo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--config", default="/etc/ipv6-host/addresses.json", help="JSON config file, or - for stdin")
    source.add_argument("--config-json", help="the JSON config itself")
    parser.add_argument("action", choices=["plan", "apply"])
    args = parser.parse_args(argv)
    try:
        if args.config_json is not None:
            config = json.loads(args.config_json)
        elif args.config == "-":
            config = json.load(sys.stdin)
        else:
            with open(args.config, encoding="utf-8") as fh:
                config = json.load(fh)
        result = plan(config, read_state()) if args.action == "plan" else apply(config)
    except (ConfigError, OSError, ValueError, KeyError) as exc:
        print(f"ipv6-host-addresses: {exc}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
