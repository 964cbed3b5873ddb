# SPDX-License-Identifier: GPL-3.0-or-later
"""Everything the border router role renders, computed and checked in one place.

``router_config(plan, router, options, facts)`` turns the site plan, the role's options and a few
host facts into one plain dictionary that the role's templates only print: Tayga and Jool NAT64
(with RFC 7757 EAM for the plan's ``ipv4_mapping`` VMs), Unbound or BIND DNS64, radvd with RDNSS
and PREF64 (RFC 8781), nftables and BIRD 2. Every rule that would otherwise surface as a daemon
refusing its config (or worse, accepting it) is checked here first, and all problems are reported
together in one ``PlanError``, before the role changes anything.

Standard library only, no Ansible imports: the role reaches it through the
``ipv6only.datacenter.border_router_config`` filter, and the unit tests call it directly.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from typing import Any

from . import rfc6052
from .configtext import (
    address_rule,
    bind_statement_problem,
    bird_problem,
    host_problem,
    hostname_problem,
    nft_rule_problem,
    path_problem,
    prefix_rule,
    unbound_option_problem,
    word_problem,
)
from .contract import Option, OptionTable, Section
from .errors import PlanError, show
from .jool import jool_nat64_config, jool_siit_config
from .netparse import parse_prefix
from .node_addresses import (
    INTERFACES_VAR,
    ConfigError,
    ifname_problem,
    named_interfaces,
    resolve_interface,
    state_from_facts,
)

__all__ = [
    "DEFAULT_LOCAL_PORT_RANGE",
    "DNS64_ENGINES",
    "NAT64_ENGINES",
    "OPTIONS",
    "PREF64_LENGTHS",
    "PREF64_MAX_LIFETIME",
    "build",
    "check_pool4_ports",
    "check_pref64",
    "check_resolver_acl",
    "check_wkp_backends",
    "jool_nat64_config",
    "jool_siit_config",
    "parse_port_range",
    "pool4_slice",
    "pref64_lifetime",
    "reads",
    "router_config",
    "unbound_nodefault_zones",
]

NAT64_ENGINES = ("tayga", "jool")
DNS64_ENGINES = ("unbound", "bind")
NAT64_SOURCES = ("uplink", "pool4")
BGP_IMPORT_MODES = ("default", "full")
RA_PREFERENCES = ("auto", "low", "medium", "high")
# RFC 8781 section 4: the Prefix Length Code can only express these lengths.
PREF64_LENGTHS = (32, 40, 48, 56, 64, 96)
# RFC 8781 section 4: a 13-bit "scaled lifetime" in units of 8 seconds, so at most 8191 * 8.
PREF64_MAX_LIFETIME = 8191 * 8
# Linux's default net.ipv4.ip_local_port_range.
DEFAULT_LOCAL_PORT_RANGE = (32768, 60999)
# Shorter than this, an ACL entry opens the resolver to a large part of the internet.
OPEN_RESOLVER_MIN_LENGTH = {4: 16, 6: 29}

# Special-purpose ranges (RFC 6890 registries) a border router must never announce: an export that overlaps one in
# either direction (inside it, or covering it, as fc00::/6 or 2000::/3 would) is refused. The export filter also
# accepts only the exact aggregates, so these are a second line of defence that is easy to audit.
NEVER_EXPORT6 = ("::/8", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "fc00::/7", "fe80::/10", "ff00::/8")
# Documentation and benchmarking ranges: never announced either, unless the site says it is a lab
# (site.allow_documentation_prefixes).
DOCUMENTATION6 = tuple(str(net) for net, _ in rfc6052.DOCUMENTATION_IPV6)
DOCUMENTATION4 = ("192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24")
# Longer than these, transit providers filter an announcement: it is made, with a warning.
TRANSIT_MAX_LENGTH = {6: 48, 4: 24}
# Martians refused on import (RFC 6890 registries, plus the site's own space added per router).
BOGONS6 = (
    "::/8",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001:2::/48",
    "2001:10::/28",
    "2001:20::/28",
    "2002::/16",
    "3fff::/20",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
)
BOGONS4 = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
)
# The same special-purpose IPv4 ranges are never announced either.
NEVER_EXPORT4 = BOGONS4
# Reverse zones Unbound answers itself by default (RFC 6303, RFC 6761, RFC 7793, RFC 8375...): a stub
# zone at or below one of them is shadowed unless the default zone is turned off with `nodefault`.
_UNBOUND_DEFAULT_ZONES = (
    ("0.0.0.0/8", "0.in-addr.arpa"),
    ("10.0.0.0/8", "10.in-addr.arpa"),
    ("127.0.0.0/8", "127.in-addr.arpa"),
    ("169.254.0.0/16", "254.169.in-addr.arpa"),
    *((f"172.{n}.0.0/16", f"{n}.172.in-addr.arpa") for n in range(16, 32)),
    ("192.0.2.0/24", "2.0.192.in-addr.arpa"),
    ("192.168.0.0/16", "168.192.in-addr.arpa"),
    ("198.51.100.0/24", "100.51.198.in-addr.arpa"),
    ("203.0.113.0/24", "113.0.203.in-addr.arpa"),
    *((f"100.{n}.0.0/16", f"{n}.100.in-addr.arpa") for n in range(64, 128)),
    ("255.255.255.255/32", "255.255.255.255.in-addr.arpa"),
    ("2001:db8::/32", "8.b.d.0.1.0.0.2.ip6.arpa"),
    ("fd00::/8", "d.f.ip6.arpa"),
    *((f"fe{n}0::/12", f"{n}.e.f.ip6.arpa") for n in "89ab"),
)
_UNBOUND_DEFAULT_NAMES = ("test", "invalid", "onion", "local", "localhost", "home.arpa", "resolver.arpa")


# --- small checks, each usable on its own ----------------------------------------------------------------


def parse_port_range(value: object, what: str = "port range") -> tuple[int, int]:
    """``"61001-65535"``, ``"32768 60999"`` (the /proc format), ``[a, b]`` or ``(a, b)`` -> (a, b)."""
    parts: list[Any]
    if isinstance(value, str):
        parts = value.replace("-", " ").replace("\t", " ").split()
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        raise PlanError(f"{what} {show(value)}: must be 'FIRST-LAST'")
    try:
        low, high = (int(p) for p in parts)
    except (TypeError, ValueError):
        raise PlanError(f"{what} {show(value)}: must be 'FIRST-LAST', two port numbers") from None
    if not 1 <= low <= high <= 65535:
        raise PlanError(f"{what} {show(value)}: ports must satisfy 1 <= FIRST <= LAST <= 65535")
    return low, high


def check_pool4_ports(ports: object, local_port_range: object = DEFAULT_LOCAL_PORT_RANGE) -> list[str]:
    """NAT64 pool4 ports must not overlap the kernel's ephemeral ports (``net.ipv4.ip_local_port_range``).

    Jool translates outside conntrack: a pool4 port that the router also hands to its own sockets makes
    those connections (BGP, DNS recursion) hang.
    """
    try:
        low, high = parse_port_range(ports, "pool4 ports")
        eph_low, eph_high = parse_port_range(local_port_range, "ip_local_port_range")
    except PlanError as exc:
        return list(exc.problems)
    if low <= eph_high and eph_low <= high:
        return [
            f"pool4 ports {low}-{high}: overlap the ephemeral ports {eph_low}-{eph_high} "
            "(net.ipv4.ip_local_port_range), so the router's own connections would collide with "
            f"translated ones; use ports outside {eph_low}-{eph_high}, for example {eph_high + 1}-65535"
            if eph_high < 65535
            else f"pool4 ports {low}-{high}: overlap the ephemeral ports {eph_low}-{eph_high}"
        ]
    return []


def pref64_lifetime(max_ra_interval: int) -> int:
    """Default PREF64 lifetime: 3 x MaxRtrAdvInterval rounded up to a multiple of 8 s (RFC 8781 section 4.1)."""
    return min(PREF64_MAX_LIFETIME, -(-3 * int(max_ra_interval) // 8) * 8)


def check_pref64(prefix: object, lifetime: object, max_ra_interval: int | None = None) -> list[str]:
    """PREF64 option (RFC 8781): prefix length codable, lifetime a multiple of 8 s up to 65528 s."""
    problems = []
    try:
        net = ipaddress.IPv6Network(str(prefix))
    except ValueError:
        problems.append(f"PREF64 prefix {show(prefix)}: not an IPv6 prefix")
    else:
        if net.prefixlen not in PREF64_LENGTHS:
            lengths = ", ".join(f"/{n}" for n in PREF64_LENGTHS)
            problems.append(f"PREF64 prefix {net}: length must be one of {lengths} (RFC 8781 section 4)")
    if type(lifetime) is not int or lifetime <= 0:
        problems.append(f"PREF64 lifetime {show(lifetime)}: must be a positive number of seconds")
    else:
        if lifetime % 8:
            problems.append(
                f"PREF64 lifetime {lifetime}: must be a multiple of 8 s, the unit of the scaled lifetime "
                f"(RFC 8781 section 4); use {lifetime + 8 - lifetime % 8}"
            )
        if lifetime > PREF64_MAX_LIFETIME:
            problems.append(
                f"PREF64 lifetime {lifetime}: at most {PREF64_MAX_LIFETIME} s (13 bits of 8 s, RFC 8781 section 4)"
            )
        if max_ra_interval is not None and lifetime < max_ra_interval:
            problems.append(
                f"PREF64 lifetime {lifetime}: shorter than MaxRtrAdvInterval {max_ra_interval} s, so hosts would "
                "lose the prefix between two advertisements (RFC 8781 section 4.1)"
            )
    return problems


def check_resolver_acl(prefixes: list, force: bool = False, min_length6: int = 29) -> list[str]:
    """The resolver's ACL as the daemon gets it: the prefixes merged (adjacent ones join, as ``2001::/16`` and
    ``2000::/16`` make ``2000::/15``), and no merged prefix broader than ``min_length6`` for IPv6 (an LIR's /29)
    or /16 for IPv4, unless ``force``. Each entry must be a prefix."""
    problems, nets = [], []
    for value in prefixes:
        try:
            nets.append(parse_prefix(value))
        except PlanError:
            problems.append(f"resolver client {show(value)}: not an IPv4 or IPv6 prefix with host bits zero")
    if force:
        return problems
    limits = {6: min_length6, 4: OPEN_RESOLVER_MIN_LENGTH[4]}
    for version in (6, 4):
        for merged in ipaddress.collapse_addresses(n for n in nets if n.version == version):
            if merged.prefixlen < limits[version]:
                parts = [str(n) for n in nets if n.version == version and n.subnet_of(merged)]
                made = f" (merged from {', '.join(parts)})" if parts != [str(merged)] else ""
                problems.append(
                    f"resolver client {merged}{made}: opens the DNS64 resolver to a large part of the internet "
                    f"(broader than /{limits[version]}; an open resolver is abused for amplification, RFC 5358); "
                    "only the site's and the customers' prefixes belong here. Set border_router_dns64_allow_force: "
                    "true to insist"
                )
    return problems


def check_wkp_backends(prefix: object, ipv4s: list, engine: str = "tayga") -> list[str]:
    """RFC 6052 section 3.1: the well-known prefix must not carry non-global IPv4, and Tayga enforces it."""
    if str(prefix) != str(rfc6052.WELL_KNOWN_PREFIX):
        return []
    problems = []
    for value in ipv4s:
        try:
            net = ipaddress.IPv4Network(str(value), strict=False)
        except ValueError:
            problems.append(f"IPv4 back end {show(value)}: not an IPv4 address")
            continue
        name = rfc6052.special_purpose_ipv4(net.network_address)
        if name is not None:
            problems.append(
                f"nat64 prefix {prefix}: the well-known prefix must not carry non-global IPv4 such as "
                f"{value} ({name}); RFC 6052 section 3.1 forbids it and {engine} drops those packets. "
                "Use a network-specific prefix (a /96 of the site prefix) or 64:ff9b:1::/48 (RFC 8215)"
            )
    return problems


def pool4_slice(pool4: str, index: int, count: int) -> str:
    """The part of ``pool4`` that router ``index`` of ``count`` translates to (an aligned block)."""
    net = ipaddress.IPv4Network(pool4)
    bits = max(0, (count - 1).bit_length())
    if net.prefixlen + bits > 32:
        raise PlanError(f"pool4 {pool4}: too small to give each of {count} border routers its own addresses")
    return str(list(net.subnets(prefixlen_diff=bits))[index])


def unbound_nodefault_zones(zones: list[str]) -> list[str]:
    """Unbound's built-in local zones that would shadow the given stub zones."""
    out = []
    for zone in zones:
        name = zone.rstrip(".").lower()
        for _, default in _UNBOUND_DEFAULT_ZONES:
            if (name == default or name.endswith("." + default)) and default not in out:
                out.append(default)
        for default in _UNBOUND_DEFAULT_NAMES:
            if (name == default or name.endswith("." + default)) and default not in out:
                out.append(default)
    return out


# --- the whole router ------------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    """An integer, not a bool (Ansible passes tagged subclasses of int, so no exact type check)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: object) -> object:
    """An int, or a string of digits (extra vars arrive as strings) as an int; anything else unchanged."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _net(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(str(value))


class _Builder:
    def __init__(self, plan: dict, router: str, options: dict, facts: dict) -> None:
        self.plan, self.router, self.opt, self.facts = plan, router, options, facts or {}
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(f"border router {self.router}: {message}")

    def extend(self, messages: list[str]) -> None:
        for m in messages:
            self.fail(m)

    def option(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.opt.get(key)
        if value not in choices:
            self.fail(f"border_router_{key} {show(value)}: not supported, must be one of {', '.join(choices)}")
            return choices[0]
        return value

    # -- the parts --------------------------------------------------------------------------------------

    def build(self) -> dict:
        plan = self.plan
        host = (plan.get("hosts") or {}).get(self.router)
        if host is None:
            raise PlanError(f"border router {self.router}: not in the site plan's hosts (add it to site.hosts)")
        self.nat64_engine = self.option("nat64_engine", NAT64_ENGINES)
        self.dns64_engine = self.option("dns64_engine", DNS64_ENGINES)
        self.nat64_source = self.option("nat64_source", NAT64_SOURCES)
        self.bgp_import = self.option("bgp_import", BGP_IMPORT_MODES)
        self.ra_pref_opt = self.option("ra_preference", RA_PREFERENCES)
        try:
            self.nat64 = rfc6052.validate_prefix(plan["nat64"]["prefix"])
        except PlanError as exc:
            raise PlanError([f"border router {self.router}: {p}" for p in exc.problems]) from None
        self.routers = list(self.opt.get("routers") or [self.router])
        if self.router not in self.routers:
            self.routers.append(self.router)
        self.index = self.routers.index(self.router)

        self.addresses = dict(host.get("addresses") or {host["network"]: host["ipv6"]})
        self.site6 = _net(plan["prefix"])
        self.customer6 = _net(plan["customer_prefix"]) if plan.get("customer_prefix") else None
        self.pool = _net(plan["ipv4"]["pool"])
        self.jump = _net(plan["jump_prefix"]) if plan.get("jump_prefix") else None
        if self.jump is None:
            self.fail("the plan has no jump_prefix, so SSH could not be allowed from anywhere (set site.jump_prefix)")

        self.state = state_from_facts(self.facts)
        self.present = {name: link["addrs"] for name, link in self.state["links"].items()}
        interfaces = self.interfaces()
        uplinks = self.uplinks(interfaces)
        nat64 = self.nat64_config(uplinks)
        dns64 = self.dns64_config()
        config = {
            "router": self.router,
            "fqdn": host.get("fqdn", self.router),
            "index": self.index,
            "routers": self.routers,
            "addresses": self.addresses,
            "interfaces": interfaces,
            "uplinks": uplinks,
            "nat64": nat64,
            "dns64": dns64,
            "ntp": self.ntp_config(dns64["acl"]),
            "ra": self.ra_config(interfaces),
            "bgp": self.bgp_config(uplinks, nat64),
        }
        config["firewall"] = self.firewall_config(config)
        if self.problems:
            raise PlanError(self.problems)
        if self.warnings:
            config["warnings"] = self.warnings
        return config

    def interfaces(self) -> list[dict]:
        """Downstream (site) interfaces: named in ipv6_host_interfaces, else where ipv6_host put the plan's
        address (it publishes the interface of each network), else found by the collection's one interface resolver
        (node_addresses.resolve_interface) in the facts."""
        # The node's one map of interfaces (ipv6_host_interfaces), and the deprecated border_router_interfaces.
        named = {**(self.facts.get(INTERFACES_VAR) or {}), **(self.opt.get("interfaces") or {})}
        explicit = named_interfaces(named, self.addresses, self.problems)
        published = ((self.facts.get("published") or {}).get("ipv6_host") or {}).get("interfaces") or {}
        networks = self.plan.get("networks") or {}
        out = []
        for net_name, address in self.addresses.items():
            network = networks.get(net_name)
            if network is None:
                self.fail(f"network {net_name}: not in the site plan")
                continue
            ifname = explicit.get(net_name) or published.get(net_name)
            if ifname is None:
                try:
                    ifname = resolve_interface(net_name, network["prefix"], None, self.state)
                except ConfigError as exc:
                    self.fail(
                        f"network {net_name}: no interface carries the plan's address {address} yet; name the "
                        f"interface of each network in {INTERFACES_VAR} (host_vars) ({exc})"
                    )
                    continue
            ipv4 = network.get("ipv4") or None
            out.append(
                {
                    "network": net_name,
                    "ifname": ifname,
                    "address": address,
                    "prefix": network["prefix"],
                    "ipv4": ipv4,
                }
            )
        return out

    def uplinks(self, interfaces: list[dict]) -> list[dict]:
        """Uplink interfaces: those on-link with a BGP neighbor, or named in border_router_uplink_interfaces."""
        present = self.present
        downstream = {i["ifname"] for i in interfaces}
        names = list(self.opt.get("uplink_interfaces") or [])
        neighbors = self.opt.get("bgp_neighbors") or []
        if not names:
            for neighbor in neighbors:
                try:
                    peer = ipaddress.ip_address(str(neighbor.get("address")))
                except ValueError:
                    continue  # reported by bgp_config
                for ifname, addrs in present.items():
                    if ifname not in names and ifname not in downstream and any(peer in a.network for a in addrs):
                        names.append(ifname)
        out = []
        for ifname in names:
            if ifname in downstream:
                self.fail(f"uplink {ifname}: is also a site (downstream) interface")
                continue
            addrs = present.get(ifname, [])
            v4 = [a for a in addrs if a.version == 4]
            v6 = [a for a in addrs if a.version == 6 and not a.ip.is_link_local]
            out.append(
                {
                    "ifname": ifname,
                    "ipv4": [str(a) for a in v4],
                    "ipv6": [str(a) for a in v6],
                }
            )
        if not out:
            self.fail(
                "no uplink interface: give border_router_bgp_neighbors on a connected subnet, "
                "or name them in border_router_uplink_interfaces"
            )
        return out

    def nat64_config(self, uplinks: list[dict]) -> dict:
        plan, opt = self.plan, self.opt
        prefix = str(self.nat64)
        eam = list(plan["nat64"].get("eam") or [])
        for entry in eam:
            if ipaddress.ip_address(entry["ipv4"]) not in self.pool:
                self.fail(
                    f"mapping {entry['ipv4']} of VM {entry.get('vm')}: outside the site's IPv4 pool {self.pool}; "
                    "only addresses the site owns (and announces) can be mapped"
                )
            if ipaddress.ip_address(entry["ipv6"]) not in self.site6:
                self.fail(f"mapping of VM {entry.get('vm')}: {entry['ipv6']} is outside the site prefix {self.site6}")

        # Tayga: one IPv4 per IPv6 client from a private dynamic pool, then NAT44 to the uplink or pool4.
        try:
            dyn = ipaddress.IPv4Network(str(opt.get("nat64_dynamic_pool")))
        except ValueError:
            self.fail(f"border_router_nat64_dynamic_pool {show(opt.get('nat64_dynamic_pool'))}: not an IPv4 prefix")
            dyn = ipaddress.IPv4Network("100.127.0.0/16")
        if dyn.prefixlen > 30:
            self.fail(f"border_router_nat64_dynamic_pool {dyn}: /30 or shorter, Tayga needs room for clients")
        clashes = [("the site's IPv4 pool", self.pool)]
        for up in uplinks:
            clashes += [(f"uplink {up['ifname']}", ipaddress.ip_interface(a).network) for a in up["ipv4"]]
        for what, other in clashes:
            if dyn.overlaps(other):
                self.fail(f"border_router_nat64_dynamic_pool {dyn}: overlaps {what} {other}")
        tayga_v4 = opt.get("tayga_ipv4_address") or str(dyn.network_address + 1)
        if ipaddress.ip_address(tayga_v4) not in dyn:
            self.fail(f"border_router_tayga_ipv4_address {tayga_v4}: must be inside the dynamic pool {dyn}")

        # Tayga and RFC 6052: no non-global IPv4 behind the well-known prefix.
        backends = list(opt.get("nat64_ipv4_backends") or [])
        for zone in opt.get("dns64_stub_zones") or []:
            backends += [a for a in zone.get("addresses") or [] if ":" not in str(a)]
        self.extend(check_wkp_backends(prefix, backends, self.nat64_engine))
        tayga_v6 = opt.get("tayga_ipv6_address") or None
        if plan["nat64"].get("well_known") and tayga_v6 is None and rfc6052.special_purpose_ipv4(tayga_v4):
            self.fail(
                f"Tayga's own address {tayga_v4} is not global, so with the well-known prefix Tayga needs "
                "border_router_tayga_ipv6_address (an address of the router outside 64:ff9b::/96)"
            )

        # NAT44 source: the uplink's address, or this router's slice of pool4.
        source = {"mode": self.nat64_source, "slice": None, "peer_slices": []}
        if self.nat64_source == "pool4":
            pool4 = plan["nat64"].get("pool4")
            if not pool4:
                self.fail("border_router_nat64_source pool4: the plan has no nat64.pool4")
            else:
                try:
                    source["slice"] = pool4_slice(pool4, self.index, len(self.routers))
                    for k, peer in enumerate(self.routers):
                        peer_host = (plan.get("hosts") or {}).get(peer)
                        if k == self.index or peer_host is None:
                            continue
                        shared = [
                            (net, addr)
                            for net, addr in (
                                peer_host.get("addresses") or {peer_host["network"]: peer_host["ipv6"]}
                            ).items()
                            if net in self.addresses
                        ]
                        if shared:
                            source["peer_slices"].append(
                                {
                                    "router": peer,
                                    "slice": pool4_slice(pool4, k, len(self.routers)),
                                    "via": shared[0][1],
                                }
                            )
                except PlanError as exc:
                    self.extend(exc.problems)

        # Jool: pool4 ports must stay clear of the kernel's ephemeral ports.
        local_range = self.facts.get("ip_local_port_range") or DEFAULT_LOCAL_PORT_RANGE
        ports = opt.get("nat64_pool4_ports")
        if self.nat64_engine == "jool" or self.nat64_source == "pool4":
            self.extend(check_pool4_ports(ports, local_range))
        jool = None
        if self.nat64_engine == "jool":
            jool = self.jool_config(prefix, eam, source, uplinks, ports)
            for entry in eam:
                if entry.get("ports") is not None:
                    # Jool translates in the prerouting hook and sends the result itself, so no nftables
                    # chain sees the mapped traffic (NICMx/Jool#41): a port limit would be silently ignored.
                    self.fail(
                        f"VM {entry.get('vm')}: ipv4_mapping_ports cannot be enforced with border_router_nat64 "
                        "jool (Jool translates before nftables sees the packet); use tayga, or leave "
                        "ipv4_mapping_ports out and let the VM's firewall decide"
                    )

        return {
            "engine": self.nat64_engine,
            "prefix": prefix,
            "well_known": bool(plan["nat64"].get("well_known")),
            "source": source,
            "eam": eam,
            "mapped4": [e["ipv4"] for e in eam],
            "mapped6": [e["ipv6"] for e in eam],
            "tayga": {
                "tun": opt.get("tayga_tun", "nat64"),
                "ipv4_address": tayga_v4,
                "ipv6_address": tayga_v6,
                "dynamic_pool": str(dyn),
                "maps": [{"ipv4": e["ipv4"], "ipv6": e["ipv6"], "vm": e.get("vm")} for e in eam],
            },
            "jool": jool,
        }

    def jool_config(self, prefix: str, eam: list, source: dict, uplinks: list, ports: object) -> dict:
        instance = str(self.opt.get("jool_instance") or "border")
        try:
            low, high = parse_port_range(ports, "pool4 ports")
        except PlanError:
            low, high = 61001, 65535  # already reported
        if source["slice"]:
            addresses = [source["slice"]]
        else:
            addresses = [str(ipaddress.ip_interface(a).ip) + "/32" for up in uplinks for a in up["ipv4"]][:1]
        pool4 = [
            {"protocol": proto, "prefix": a, "port range": f"{low}-{high}"}
            for a in addresses
            for proto in ("TCP", "UDP")
        ]
        pool4 += [{"protocol": "ICMP", "prefix": a, "port range": f"{low}-{high}"} for a in addresses]
        eamt = [{"ipv6 prefix": f"{e['ipv6']}/128", "ipv4 prefix": f"{e['ipv4']}/32"} for e in eam]
        nat64 = jool_nat64_config(instance, prefix, pool4)
        siit = jool_siit_config(f"{instance}-eam", prefix, eamt, [])
        return {"instance": instance, "nat64": nat64, "siit": siit}

    def resolver_acl(self) -> list[str]:
        """The site, the customers and border_router_dns64_allow, merged; the merged list is what is checked."""
        acl = [str(self.site6)]
        acl += [c["prefix"] for c in (self.plan.get("customers") or {}).values()]
        if self.customer6 is not None:
            acl.append(str(self.customer6))
        acl += [str(value) for value in self.opt.get("dns64_allow") or []]
        min_length = _int(self.opt.get("dns64_acl_min_length", OPEN_RESOLVER_MIN_LENGTH[6]))
        self.extend(check_resolver_acl(acl, bool(self.opt.get("dns64_allow_force")), min_length))
        nets = []
        for value in acl:
            with contextlib.suppress(PlanError):  # reported above
                nets.append(parse_prefix(value))
        v6 = ipaddress.collapse_addresses(n for n in nets if n.version == 6)
        v4 = ipaddress.collapse_addresses(n for n in nets if n.version == 4)
        return [str(n) for n in v6] + [str(n) for n in v4]

    def dns64_config(self) -> dict:
        prefix = str(self.nat64)
        stub_zones = []
        for k, zone in enumerate(self.opt.get("dns64_stub_zones") or []):
            name = str(zone.get("name", "")).rstrip(".")
            addrs = [str(a) for a in zone.get("addresses") or []]
            if not name or not addrs:
                self.fail(f"border_router_dns64_stub_zones[{k}]: needs a name and at least one address")
                continue
            for a in addrs:
                try:
                    ipaddress.ip_address(a)
                except ValueError:
                    self.fail(f"border_router_dns64_stub_zones[{k}] {name}: {a} is not an IP address")
            stub_zones.append({"name": name, "addresses": addrs})
        # The site's own zones, from its authoritative name servers (site_dns): the site resolves its names and
        # PTRs without leaving the site, and their AAAA records are never synthesized.
        site_servers = [ns["ipv6"] for ns in self.plan.get("nameservers") or ()]
        if site_servers:
            taken = {zone["name"] for zone in stub_zones}
            stub_zones += [
                {"name": zone["name"], "addresses": site_servers}
                for zone in self.plan["dns"].get("zones") or ()
                if zone["name"] not in taken
            ]
        forwarders = [str(a) for a in self.opt.get("dns64_forwarders") or []]
        listen = sorted(set(self.addresses.values()), key=ipaddress.ip_address)
        ipv4only = [str(rfc6052.embed(a, self.nat64)) for a in ("192.0.0.170", "192.0.0.171")]
        return {
            "engine": self.dns64_engine,
            "prefix": prefix,
            "exclude": ["::ffff:0:0/96"],
            "listen": listen,
            "acl": self.resolver_acl(),
            "resolvers": list(self.plan["dns"].get("resolvers") or []),
            "stub_zones": stub_zones,
            "forwarders": forwarders,
            "insecure_zones": [z["name"] for z in stub_zones],
            # The NAT64 prefix's reverse zone too: PTR synthesis needs the query to reach the dns64 module.
            "nodefault_zones": unbound_nodefault_zones(
                [z["name"] for z in stub_zones] + list(self.plan["dns"].get("dns64_reverse_zones") or [])
            ),
            "ipv4only_arpa": {"a": ["192.0.0.170", "192.0.0.171"], "aaaa": ipv4only},
            "reverse_zones": list(self.plan["dns"].get("dns64_reverse_zones") or []),
            "dnssec": bool(self.opt.get("dns64_dnssec", True)),
        }

    def ntp_config(self, clients: list[str]) -> dict:
        """Time for the site. Hosts take time from the plan's resolvers (ipv6_host's default), so the routers
        serve it to the resolver's clients from upstream servers of their own (and, through ipv6_host's default,
        from each other: orphan mode keeps them on one time if the upstream is lost)."""
        serve = bool(self.opt.get("ntp_serve", False))
        servers = [str(s) for s in self.opt.get("ntp_servers") or []]
        pools = [str(s) for s in self.opt.get("ntp_pools") or []]
        if serve and not servers + pools:
            self.fail(
                "border_router_ntp_servers [] and border_router_ntp_pools []: a router that serves the site's "
                "time needs at least one upstream time server outside the site"
            )
        own = set(self.addresses.values())
        site_servers = {ipaddress.ip_address(a) for a in [*(self.plan["dns"].get("resolvers") or []), *own]}
        for key, values in (("ntp_servers", servers), ("ntp_pools", pools)):
            for value in values:
                with contextlib.suppress(ValueError):  # a name: resolved by chrony
                    if ipaddress.ip_address(value) in site_servers:
                        self.fail(
                            f"border_router_{key} {value}: is one of the site's own time servers (a border "
                            "router); the routers' upstream time must come from outside the site"
                        )
        return {"serve": serve, "servers": servers, "pools": pools, "allow": clients}

    def ra_config(self, interfaces: list[dict]) -> dict:
        opt = self.opt
        min_int, max_int = _int(opt.get("ra_min_interval")), _int(opt.get("ra_max_interval"))
        if not (_is_int(max_int) and 4 <= max_int <= 65535):
            self.fail(f"border_router_ra_max_interval {show(max_int)}: must be 4 to 65535 s (RFC 8319)")
            max_int = 600
        if not (_is_int(min_int) and 3 <= min_int <= 0.75 * max_int):
            self.fail(
                f"border_router_ra_min_interval {show(min_int)}: must be 3 s to 0.75 x MaxRtrAdvInterval "
                f"({0.75 * max_int:g} s) (RFC 4861 section 6.2.1)"
            )
        lifetime = _int(opt.get("ra_router_lifetime"))
        if lifetime in (None, "auto"):
            lifetime = 3 * max_int
        if not (_is_int(lifetime) and (lifetime == 0 or max_int <= lifetime <= 65535)):
            self.fail(
                f"border_router_ra_router_lifetime {show(lifetime)}: 0 or MaxRtrAdvInterval ({max_int}) to 65535 s"
            )
        pref64 = _int(opt.get("pref64_lifetime"))
        if pref64 in (None, "auto"):
            pref64 = pref64_lifetime(max_int)
        self.extend(check_pref64(str(self.nat64), pref64, max_int))
        rdnss_lifetime = _int(opt.get("rdnss_lifetime"))
        if rdnss_lifetime in (None, "auto"):
            rdnss_lifetime = 3 * max_int  # RFC 8106 section 5.1: at least 3 x MaxRtrAdvInterval by default
        resolvers = list(self.plan["dns"].get("resolvers") or [])
        if not resolvers:
            self.fail("the plan has no DNS64 resolvers (site.resolvers) to announce in RDNSS")
        preference = self.ra_pref_opt
        if preference == "auto":
            preference = "high" if self.index == 0 else "medium"
        wanted = opt.get("ra_networks")
        names = [i["network"] for i in interfaces] if wanted in (None, "all") else list(wanted)
        autonomous = opt.get("ra_autonomous") or {}
        slaac_nets = {vm["network"] for vm in (self.plan.get("vms") or {}).values() if vm.get("mac")}
        out = []
        for iface in interfaces:
            if iface["network"] not in names:
                continue
            out.append(
                {
                    **iface,
                    "autonomous": bool(autonomous.get(iface["network"], iface["network"] in slaac_nets)),
                }
            )
        unknown = sorted(set(names) - {i["network"] for i in interfaces})
        if unknown:
            self.fail(f"border_router_ra_networks: {', '.join(unknown)} not among this router's networks")
        return {
            "interfaces": out,
            "min_interval": min_int,
            "max_interval": max_int,
            "router_lifetime": lifetime,
            "preference": preference,
            "rdnss": resolvers,
            "rdnss_lifetime": rdnss_lifetime,
            "dnssl": [self.plan["domain"]] if self.plan.get("domain") else [],
            "pref64": {"prefix": str(self.nat64), "lifetime": pref64},
        }

    def bgp_config(self, uplinks: list[dict], nat64: dict) -> dict:
        opt = self.opt
        local_as = _int(opt.get("bgp_local_as"))
        if not (_is_int(local_as) and 1 <= local_as <= 4294967295 and local_as != 23456):
            self.fail(f"border_router_bgp_local_as {show(local_as)}: must be an AS number 1 to 4294967295")
        neighbors = []
        for k, item in enumerate(opt.get("bgp_neighbors") or []):
            name = str(item.get("name") or f"peer{k}")
            try:
                address = ipaddress.ip_address(str(item.get("address")))
            except ValueError:
                self.fail(f"border_router_bgp_neighbors[{k}]: address {show(item.get('address'))} is not an IP address")
                continue
            remote_as = _int(item.get("remote_as"))
            if not (_is_int(remote_as) and 1 <= remote_as <= 4294967295):
                self.fail(f"border_router_bgp_neighbors[{k}] {name}: remote_as {show(remote_as)} is not an AS number")
            if not name.replace("_", "").isalnum():
                self.fail(f"border_router_bgp_neighbors[{k}]: name {name} must be letters, digits and _")
            neighbors.append({"name": name, "address": str(address), "family": address.version, "remote_as": remote_as})
        router_id = opt.get("bgp_router_id") or next(
            (str(ipaddress.ip_interface(a).ip) for up in uplinks for a in up["ipv4"]), None
        )
        if router_id is None:
            self.fail("no BGP router id: set border_router_bgp_router_id (the uplink has no IPv4 address)")
        hold, keepalive = _int(opt.get("bgp_hold_time", 9)), _int(opt.get("bgp_keepalive_time", 3))
        if not (_is_int(hold) and (hold == 0 or 3 <= hold <= 65535)):
            self.fail(f"border_router_bgp_hold_time {show(hold)}: must be 0 or 3 to 65535 s (RFC 4271 section 4.2)")
        elif not (_is_int(keepalive) and 1 <= keepalive <= max(1, hold // 3)):
            self.fail(
                f"border_router_bgp_keepalive_time {show(keepalive)}: "
                f"must be 1 s to a third of the hold time ({hold} s)"
            )
        export6 = [str(self.site6)]
        export4 = [str(self.pool)]
        if opt.get("bgp_export_customer_prefix") and self.customer6 is not None:
            export6.append(str(self.customer6))
        lab = bool(self.plan.get("allow_documentation_prefixes"))
        never6 = [*NEVER_EXPORT6, *(() if lab else DOCUMENTATION6)]
        never4 = [*NEVER_EXPORT4, *(() if lab else DOCUMENTATION4)]
        for prefix in export6 + export4:
            net = _net(prefix)
            # The site's own NAT64 prefix may sit inside the aggregate (a /96 of it), but is never announced alone.
            if prefix == nat64["prefix"]:
                self.fail(f"BGP export {prefix}: is the NAT64 prefix, which must never be announced")
            for bad in never6 if net.version == 6 else never4:
                if net.overlaps(_net(bad)):
                    where = "inside" if net.subnet_of(_net(bad)) else "covers"
                    hint = (
                        " (a documentation range: set site.allow_documentation_prefixes for a lab)"
                        if bad in DOCUMENTATION6 + DOCUMENTATION4
                        else ""
                    )
                    self.fail(f"BGP export {prefix}: {where} {bad}, which must never be announced{hint}")
            if net.prefixlen > TRANSIT_MAX_LENGTH[net.version]:
                self.warnings.append(
                    f"BGP export {prefix}: longer than /{TRANSIT_MAX_LENGTH[net.version]}, so transit providers "
                    "filter it; announce a covering prefix or ask the upstream to accept it"
                )
        own6 = [*export6, nat64["prefix"]]
        own4 = [*export4, nat64["tayga"]["dynamic_pool"]]
        return {
            "router_id": router_id,
            "local_as": local_as,
            "neighbors": neighbors,
            "hold_time": hold,
            "keepalive_time": keepalive,
            "import_mode": self.bgp_import,
            "export6": export6,
            "export4": export4,
            # Each proxy address, a /32 for the neighbour only (NO_EXPORT), while HAProxy holds it (ipv4_proxy).
            "proxy4": [f"{address}/32" for address in self.plan["proxy"]["ipv4"]],
            "never_export6": [*never6, *([] if nat64["prefix"] in never6 else [nat64["prefix"]])],
            "never_export4": never4,
            "reject_import6": own6 + [b for b in BOGONS6 if b not in own6],
            "reject_import4": own4 + [b for b in BOGONS4 if b not in own4],
            "max_len6": 48,
            "max_len4": 24,
        }

    def firewall_config(self, config: dict) -> dict:
        nat64 = config["nat64"]
        downstream = [i["ifname"] for i in config["interfaces"]]
        uplinks = [u["ifname"] for u in config["uplinks"]]
        sources6 = [str(self.site6)]
        if self.customer6 is not None:
            sources6.append(str(self.customer6))
        if self.jump is not None:
            sources6.append(str(self.jump))
        native4 = [i["ipv4"]["subnet"] for i in config["interfaces"] if i.get("ipv4")]
        bgp = config["bgp"]["neighbors"]
        clients6 = [a for a in config["dns64"]["acl"] if ":" in a]
        own4 = [str(self.pool)]
        slice4 = nat64["source"]["slice"]
        range4 = None
        if slice4:
            block = ipaddress.IPv4Network(slice4)
            range4 = f"{block.network_address}-{block.broadcast_address}"
        return {
            "site6": str(self.site6),
            "downstream": downstream,
            "uplinks": uplinks,
            "tun": nat64["tayga"]["tun"] if nat64["engine"] == "tayga" else None,
            "site_sources6": [str(n) for n in ipaddress.collapse_addresses(map(_net, sources6))],
            "resolver_clients6": clients6,
            # NTP is served to the resolver's clients (ntp_config's allow is the resolver's ACL).
            "ntp_clients6": clients6 if config["ntp"]["serve"] else [],
            "nat64_prefix": nat64["prefix"],
            "mapped4": nat64["mapped4"],
            "mapped6": nat64["mapped6"],
            # A mapping forwards every port unless its VM lists ipv4_mapping_ports (ICMP always passes).
            "mapped4_open": [e["ipv4"] for e in nat64["eam"] if e.get("ports") is None],
            "mapped4_ports": [
                f"{e['ipv4']} . {p['proto']} . {p['first']}" + (f"-{p['last']}" if p["last"] != p["first"] else "")
                for e in nat64["eam"]
                for p in e.get("ports") or ()
            ],
            "dynamic_pool": nat64["tayga"]["dynamic_pool"],
            "native4": native4,
            "own4": own4,
            "pool4_slice": slice4,
            "pool4_range": range4,
            "peer_slices": [p["slice"] for p in nat64["source"]["peer_slices"]],
            "bgp_peers6": [n["address"] for n in bgp if n["family"] == 6],
            "bgp_peers4": [n["address"] for n in bgp if n["family"] == 4],
            # The site's authoritative name server on this router (site_dns) answers everyone, on its own
            # addresses only; the resolver stays closed to the world.
            "nameserver6": [ns["ipv6"] for ns in self.plan.get("nameservers") or () if ns["host"] == self.router],
            "nameserver4": [ns["ipv4"] for ns in self.plan.get("nameservers") or () if ns["host"] == self.router],
            # The 1:n proxies (ipv4_proxy) on every router: their services, to everyone, on their addresses only.
            "proxy4": self.plan["proxy"]["ipv4"] if self.plan["proxy"]["ports"] else [],
            "proxy_ports": self.plan["proxy"]["ports"],
            # The VMs behind the proxies serve the same services to IPv6 clients directly; never their PROXY port.
            "served6": [
                f"{backend['ipv6']} . {port}" for backend in self.plan["proxy"]["backends"] for port in backend["ports"]
            ],
        }


def router_config(plan: dict, router: str, options: dict, facts: dict | None = None) -> dict:
    """Compute and check everything border router ``router`` renders.

    ``options`` are the role's ``border_router_*`` variables without the prefix; ``facts`` is the
    host's ``ansible_facts`` (interfaces and addresses) plus ``ip_local_port_range``. Raises PlanError listing
    every problem.
    """
    return _Builder(plan, router, options, facts or {}).build()


# --- the role's builder (the role contract: see contract.py) ----------------------------------------------------

# Facts the builder reads, and the setup subsets that hold them (gathered when the play did not).
FACTS = ("interfaces", "processor_vcpus")
GATHER_SUBSET = ("network", "hardware")
_SIZE = re.compile(r"([0-9]{1,12})([kmgKMG]?)")

OPTIONS = OptionTable(
    role="border_router",
    short_description="Border router of an IPv6-only site: NAT64, DNS64, RA with PREF64, nftables, BGP",
    description=(
        "Configures a border router of the site from the site plan: NAT64 (Tayga in the lab, Jool in production) "
        "with RFC 7757 EAM for the plan's ipv4_mapping VMs, DNS64 (Unbound or BIND) and NTP for the site and customer "
        "prefixes only, radvd with the prefix, RDNSS and PREF64 (RFC 8781), nftables rules (anti-spoofing, "
        "forwarding, NAT44) added to the ipv6_host baseline through the chains it publishes, and BGP with the "
        "upstream (BIRD 2).",
        "Everything is computed and checked first by the role's builder (C(plugins/module_utils/border_router.py)), "
        "with every option converted to its declared type; bad input fails before any change. Every configuration "
        "is checked with its daemon's own tool before it is installed.",
        "Changing this role's firewall rules needs "
        "O(ipv6only.datacenter.ipv6_host#role:main:ipv6_host_allow_disruption), the collection's one consent flag.",
        "Supports check mode and diff.",
    ),
    entry_points=(
        ("main", "Border router of an IPv6-only site: NAT64, DNS64, RA with PREF64, nftables, BGP"),
        ("check", "Compute and check this router's configuration, changing nothing (the tier playbook's pre-flight)"),
    ),
    items=(
        Section("identity and inputs"),
        Option(
            "name", "str", "{{ inventory_hostname }}", "Name of this router in the site model (plan.hosts).", jinja=True
        ),
        Option(
            "plan",
            "dict",
            {},
            "The site plan. Empty means the plan of the run (computed once, see M(ipv6only.datacenter.site_plan)).",
        ),
        Option(
            "routers",
            "list",
            "{{ groups['border_routers'] | default([inventory_hostname]) }}",
            (
                "All border routers of the site, in order of preference. The first one advertises a high router "
                "preference (when O(border_router_ra_preference=auto)); in pool4 mode each router takes its own slice "
                "of pool4 by position. Default: the C(border_routers) group.",
            ),
            elements="str",
            jinja=True,
            syntax=hostname_problem,
        ),
        Option(
            "interfaces",
            "dict",
            {},
            "Interface of each plan network on this router; overrides O(ipv6only.datacenter.ipv6_host#role:main:"
            "ipv6_host_interfaces) for this role.",
            deprecated="use ipv6_host_interfaces, the one map of a node's interfaces that every role reads",
        ),
        Option(
            "uplink_interfaces",
            "list",
            [],
            "Uplink (internet-facing) interfaces. Empty: the interfaces on-link with a BGP neighbor.",
            elements="str",
            syntax=ifname_problem,
        ),
        Option(
            "allow_disruption",
            "bool",
            None,
            "Deprecated alias of O(ipv6only.datacenter.ipv6_host#role:main:ipv6_host_allow_disruption); when set, it "
            "is the consent for this role's firewall changes.",
            deprecated="use ipv6_host_allow_disruption, the one consent flag of every role",
        ),
        Option(
            "packages",
            "list",
            ["tayga", "unbound", "bind9", "bind9-dnsutils", "radvd", "bird2", "nftables", "iproute2", "util-linux"],
            "Packages the role needs (baked into the lab image, so installing them is a no-op there).",
            elements="str",
            syntax=word_problem,
        ),
        Section("NAT64"),
        Option(
            "nat64_engine",
            "str",
            "tayga",
            (
                "NAT64 translator: C(tayga) (userspace, TUN; runs anywhere, including the lab) or C(jool) (kernel "
                "module, production). Jool is rendered and validated everywhere but only loaded where its module "
                "exists.",
            ),
            choices=NAT64_ENGINES,
        ),
        Option(
            "nat64_source",
            "str",
            "uplink",
            (
                "Where translated IPv4 traffic comes from: C(uplink) masquerades to the router's own uplink IPv4 "
                "address (each router has its own, so return traffic always comes back to the router that holds the "
                "state); C(pool4) translates to this router's slice of the plan's pool4 (peers' slices are routed to "
                "them).",
            ),
            choices=NAT64_SOURCES,
        ),
        Option(
            "nat64_dynamic_pool",
            "str",
            "100.127.0.0/16",
            (
                "Private IPv4 pool from which Tayga gives each IPv6 client its own IPv4 address, before NAT44. "
                "100.127.0.0/16 is the top of the shared address space (RFC 6598): never routed on the internet, "
                "unlikely to clash with a site, and 65k clients per router. Must not overlap the site's IPv4 pool or "
                "an uplink.",
            ),
            syntax=prefix_rule(4),
        ),
        Option("tayga_tun", "str", "nat64", "Name of Tayga's TUN device.", syntax=ifname_problem),
        Option(
            "tayga_ipv4_address",
            "str",
            "",
            "Tayga's own IPv4 address (ICMP errors come from it). Empty: the first address of the dynamic pool.",
            syntax=address_rule(4),
        ),
        Option(
            "tayga_ipv6_address",
            "str",
            "",
            "Tayga's own IPv6 address; only needed with the well-known prefix (64:ff9b::/96). Empty: none.",
            syntax=address_rule(6),
        ),
        Option(
            "tayga_txqueuelen",
            "int",
            10000,
            (
                "Queue length of Tayga's TUN device (packets waiting for the single-threaded translator). The "
                "kernel's 500 overflows under bursts: with 4 TCP streams through the lab's Tayga, 345 packets dropped "
                "and 77 segments retransmitted at 500, none at 10000 (benchmarks/nat64, offloads off).",
            ),
        ),
        Option(
            "tayga_nice",
            "int",
            0,
            (
                "Scheduling priority of Tayga (systemd C(Nice=)). A negative value keeps the translator on the CPU "
                "on a router that is busy with other work. 0 by default: it made no measurable difference in the lab "
                "(containers lack CAP_SYS_NICE, so systemd cannot apply a negative value there anyway).",
            ),
        ),
        Option(
            "tayga_debug",
            "bool",
            False,
            (
                "Run Tayga with C(-d) (debug messages on stdout, as Debian's own unit does) or quietly "
                "(C(--nodetach)). C(-d) logs only start-up and new dynamic mappings, not packets: the same throughput "
                "in benchmarks/nat64.",
            ),
        ),
        Option(
            "nat64_ipv4_backends",
            "list",
            [],
            (
                "IPv4 destinations that IPv6-only clients must reach through NAT64, beyond the stub zones' servers. "
                "Only used to refuse the well-known prefix when any of them is not globally reachable.",
            ),
            elements="str",
            syntax=prefix_rule(4, host_bits=True),
        ),
        Option(
            "nat64_pool4_ports",
            "str",
            "61001-65535",
            (
                "Ports of the NAT64 pool4 (Jool, and the NAT44 in pool4 mode), C(FIRST-LAST). They must not overlap "
                "the kernel's ephemeral ports (C(net.ipv4.ip_local_port_range), 32768-60999 by default), which the "
                "role checks.",
            ),
        ),
        Option(
            "jool_instance",
            "str",
            "border",
            "Jool instance name (the EAM table goes into a SIIT instance <instance>-eam).",
            syntax=word_problem,
        ),
        Option(
            "jool_packages",
            "list",
            ["jool-dkms", "jool-tools"],
            "Packages for Jool (production hosts). The lab has no Jool: leave it empty there.",
            elements="str",
            syntax=word_problem,
        ),
        Option(
            "jool_config_dir",
            "path",
            "/etc/jool",
            "Directory of Jool's rendered atomic configuration files.",
            syntax=path_problem,
        ),
        Section("DNS64"),
        Option("dns64_engine", "str", "unbound", "DNS64 resolver: C(unbound) or C(bind).", choices=DNS64_ENGINES),
        Option(
            "dns64_allow",
            "list",
            [],
            "Extra prefixes allowed to query the resolver, beyond the site prefix and the customers' prefixes.",
            elements="str",
            syntax=prefix_rule(),
        ),
        Option(
            "dns64_acl_min_length",
            "int",
            29,
            (
                "The broadest IPv6 prefix the resolver's ACL may hold, checked on the merged ACL the daemon gets (the "
                "site prefix, the customers' prefixes and O(border_router_dns64_allow), adjacent ones joined). /29 "
                "is an LIR's allocation. IPv4 entries may be no broader than /16.",
            ),
        ),
        Option(
            "dns64_allow_force",
            "bool",
            False,
            "Accept a resolver ACL broader than O(border_router_dns64_acl_min_length) (IPv6) or /16 (IPv4), such as "
            "C(::/0) in O(border_router_dns64_allow): an open resolver.",
        ),
        Option(
            "dns64_stub_zones",
            "list",
            [],
            (
                "Zones resolved by asking their servers directly, C([{name: example.net, addresses: [192.0.2.53]}]). "
                "The lab points the v4only.example zone and its reverse zone at inet4-web.",
            ),
            elements="dict",
            suboptions=(
                Option("name", "str", None, "Zone name.", required=True, syntax=hostname_problem),
                Option(
                    "addresses",
                    "list",
                    None,
                    "Addresses of the zone's authoritative servers.",
                    elements="str",
                    required=True,
                ),
            ),
        ),
        Option(
            "dns64_forwarders",
            "list",
            [],
            "Forward every other query to these resolvers instead of recursing from the root. Empty: recurse.",
            elements="str",
            syntax=address_rule(),
        ),
        Option(
            "dns64_dnssec",
            "bool",
            True,
            "DNSSEC validation (stub zones are treated as insecure, since they are usually internal).",
        ),
        Option(
            "dns64_threads",
            "int",
            None,
            (
                "Resolver threads (Unbound C(num-threads)). V(null): one per CPU but one, and at least one. A border "
                "router's other CPU work (Tayga is single-threaded, and the kernel forwards and translates in softirq) "
                "needs a core of its own; on the lab's 2 CPUs one Unbound thread answered 15-20% more queries per "
                "CPU-second than two (benchmarks/dns64), with the same cache-hit rate, because the threads no longer "
                "compete with the translator and each other.",
            ),
        ),
        Option(
            "unbound_msg_cache_size",
            "str",
            "64m",
            (
                "Unbound message cache, a number with an optional C(k), C(m) or C(g). The RRset cache is twice this "
                "(Unbound's own advice), and a large cache keeps the benchmarks' cache-hit set (and a real site's "
                "working set) in memory.",
            ),
            syntax=word_problem,
        ),
        Option(
            "unbound_slabs",
            "int",
            2,
            "Unbound slabs per cache: a power of two at least the thread count, so threads rarely contend on a lock.",
        ),
        Option(
            "unbound_queries_per_thread",
            "int",
            4096,
            (
                "Unbound's queries in flight per thread. 4096 (instead of 1024) keeps cache misses flowing when the "
                "authoritative servers are slow; C(outgoing-range) is twice this.",
            ),
        ),
        Option(
            "unbound_qname_minimisation",
            "bool",
            False,
            (
                "QNAME minimisation (RFC 9156): send upstream servers only the labels they need. Off by default for "
                "throughput: with it, Unbound 1.22 asks 3 queries per cache miss instead of 2 (an extra A probe), "
                "which cost 28% of the cache-miss rate in benchmarks/dns64 (10k against 14k queries/s). What it "
                "protects is the full query name from root and TLD servers; turn it on where that matters more than "
                "the miss rate.",
            ),
        ),
        Option(
            "unbound_server_options",
            "dict",
            {},
            'Extra C(server:) options for Unbound, for example C({"serve-expired": "yes"}). '
            "Checked with unbound-checkconf.",
            syntax=unbound_option_problem,
        ),
        Option("bind_max_cache_size", "str", "256m", "BIND cache size (C(max-cache-size)).", syntax=word_problem),
        Option(
            "bind_options",
            "list",
            [],
            'Extra C(options { }) statements for BIND, for example C(["minimal-any yes;"]). '
            "Checked with named-checkconf.",
            elements="str",
            syntax=bind_statement_problem,
        ),
        Section("time"),
        Option(
            "ntp_serve",
            "bool",
            True,
            (
                "Serve NTP to the resolver's clients (the site and the customers), from a drop-in to ipv6_host's "
                "chrony configuration, in orphan mode (C(local stratum 10 orphan)). Hosts take their time from the "
                "border routers by default (O(ipv6only.datacenter.ipv6_host#role:main:ipv6_host_ntp_servers)), so keep "
                "this on unless the site has time servers of its own.",
            ),
        ),
        Option(
            "ntp_servers",
            "list",
            [],
            (
                "The routers' own time, from outside the site: servers (addresses or names). Over IPv6 only, since "
                "ipv6_host runs chronyd -6.",
            ),
            elements="str",
            syntax=host_problem,
        ),
        Option(
            "ntp_pools",
            "list",
            ["2.debian.pool.ntp.org"],
            (
                "The routers' upstream NTP pools (Debian's 2.* pool names have AAAA records). At least one server or "
                "pool is needed to serve time.",
            ),
            elements="str",
            syntax=host_problem,
        ),
        Section("router advertisements"),
        Option(
            "ra_networks",
            "list",
            [],
            "Networks to advertise on. Empty: every site network this router is on.",
            elements="str",
        ),
        Option(
            "ra_min_interval",
            "int",
            10,
            (
                "MinRtrAdvInterval in seconds (3 to 0.75 x MaxRtrAdvInterval). Short, so that hosts learn a change "
                "(and a recovered router) within half a minute; an RA costs one multicast packet.",
            ),
        ),
        Option("ra_max_interval", "int", 30, "MaxRtrAdvInterval in seconds (4 to 65535)."),
        Option(
            "ra_router_lifetime",
            "raw",
            "auto",
            "Router lifetime in seconds, or C(auto): 3 x MaxRtrAdvInterval (RFC 4861's default ratio).",
        ),
        Option(
            "ra_preference",
            "str",
            "auto",
            (
                "Default router preference (RFC 4191): C(auto) gives the first router of O(border_router_routers) "
                "C(high) and the others C(medium), so hosts use one router and fail over to the next.",
            ),
            choices=RA_PREFERENCES,
        ),
        Option(
            "ra_autonomous",
            "dict",
            {},
            (
                "SLAAC (the A flag) per network, for example C({vms: true}). Not listed: on where the plan has VMs "
                "addressed by MAC (EUI-64), off elsewhere (hosts have static addresses).",
            ),
        ),
        Option(
            "rdnss_lifetime", "raw", "auto", "RDNSS lifetime in seconds (RFC 8106), or C(auto): 3 x MaxRtrAdvInterval."
        ),
        Option(
            "pref64_lifetime",
            "raw",
            "auto",
            (
                "PREF64 lifetime in seconds (RFC 8781): a multiple of 8, at most 65528; or C(auto): 3 x "
                "MaxRtrAdvInterval rounded up to 8.",
            ),
        ),
        Section("BGP"),
        Option("bgp_local_as", "int", 64512, "This site's AS number."),
        Option(
            "bgp_router_id",
            "str",
            "",
            "BGP router id. Empty: the router's uplink IPv4 address.",
            syntax=address_rule(4),
        ),
        Option(
            "bgp_neighbors",
            "list",
            [],
            (
                "BGP neighbors, C([{name: upstream4, address: 198.18.0.10, remote_as: 64496}]). IPv4 neighbors carry "
                "the IPv4 pool, IPv6 neighbors the site aggregate.",
            ),
            elements="dict",
            suboptions=(
                Option("name", "str", None, "Protocol name in BIRD (letters, digits, C(_)).", required=True),
                Option("address", "str", None, "Neighbor address.", required=True, syntax=address_rule()),
                Option("remote_as", "int", None, "Neighbor AS number.", required=True),
            ),
        ),
        Option(
            "bgp_hold_time",
            "int",
            9,
            (
                "Hold time in seconds. 9 s (with a 3 s keepalive) instead of BIRD's 240/80: when a router dies, "
                "upstream withdraws its routes within 9 s, so inbound traffic (the mapped IPv4 addresses) fails over "
                "within the 30 s budget.",
            ),
        ),
        Option("bgp_keepalive_time", "int", 3, "Keepalive time in seconds, at most a third of the hold time."),
        Option(
            "bgp_import",
            "str",
            "default",
            (
                "What to import: C(default) (only the default routes, enough for a site with one upstream) or C(full) "
                "(everything except bogons, our own space and too-specific routes).",
            ),
            choices=BGP_IMPORT_MODES,
        ),
        Option(
            "bgp_export_customer_prefix",
            "bool",
            False,
            "Also announce C(site.customer_prefix) (customers' /48s are routed through the site).",
        ),
        Option(
            "bird_extra",
            "str",
            "",
            "Extra BIRD configuration appended to bird.conf. Checked with C(bird -p).",
            syntax=bird_problem,
        ),
        Section("firewall"),
        Option(
            "nftables_include_dir",
            "path",
            "/etc/nftables.d",
            "Directory of the ipv6_host baseline's drop-in rules. ipv6_host now publishes it.",
            deprecated="ipv6_host publishes its drop-in directory (ipv6_host_nftables_include_dir); remove this",
        ),
        Option(
            "forward_rules",
            "list",
            [],
            "Extra nftables rules for the forward chain, for example "
            'C(["ip6 daddr 2001:db8:100:2::/64 tcp dport 443 accept"]).',
            elements="str",
            syntax=nft_rule_problem,
        ),
    ),
)


def _size_bytes(value: str, what: str, problems: list[str]) -> int:
    """Unbound's sizes: a number with an optional k, m or g (powers of 1024)."""
    match = _SIZE.fullmatch(value.strip())
    if not match:
        problems.append(f"{what} {show(value)}: must be a number with an optional k, m or g, such as 64m")
        return 0
    return int(match.group(1)) * 1024 ** " kmg".index(match.group(2).lower() or " ")


def reads(options: dict) -> dict[str, str]:
    """Files of the host the builder needs: the ephemeral port range (Jool's pool4 ports must stay clear of it)."""
    return {"ip_local_port_range": "/proc/sys/net/ipv4/ip_local_port_range"}


def build(plan: dict, options: dict, facts: dict) -> dict:
    """The border_router role's configuration of router ``options["name"]``: ``router_config``, plus what the role's
    templates and tasks print beyond it (tuning, pass-through statements, where the firewall rules go)."""
    files = facts.get("files") or {}
    facts = {
        **facts,
        "ip_local_port_range": (files.get("ip_local_port_range") or "").strip() or DEFAULT_LOCAL_PORT_RANGE,
    }
    opts = {**options, "ra_networks": options["ra_networks"] or "all"}
    problems: list[str] = []
    try:
        config = router_config(plan, options["name"], opts, facts)
    except PlanError as exc:
        problems = list(exc.problems)
        config = None

    # Where this role's firewall rules and time service go: the chains and drop-in directories ipv6_host publishes.
    published = (facts.get("published") or {}).get("ipv6_host") or {}
    base, chrony = published.get("nftables"), published.get("chrony")
    if base and options["nftables_include_dir"] not in (None, base["include_dir"]):
        problems.append(
            f"border_router_nftables_include_dir {options['nftables_include_dir']}: ipv6_host includes rules from "
            f"{base['include_dir']} on this host; remove border_router_nftables_include_dir (deprecated)"
        )
    vcpus = facts.get("processor_vcpus") or 2
    msg_cache = _size_bytes(options["unbound_msg_cache_size"], "border_router_unbound_msg_cache_size", problems)
    if problems:
        raise PlanError(problems)

    config["packages"] = options["packages"]
    config["nftables"] = (
        {
            "file": f"{base['include_dir']}/border_router.nft",
            "table": base["table"],
            "input_chain": base["input_chain"],
            "ipv4_input_chain": base["ipv4_input_chain"],
        }
        if base
        else None
    )
    config["chrony"] = {"file": f"{chrony['conf_dir']}/border_router.conf"} if chrony else None
    # A border router forwards both families: this role owns forwarding. ipv6_host's router profile leaves it alone,
    # and the role refuses a baseline applied with any other profile (which would write forwarding 0).
    config["baseline_profile"] = published.get("profile")
    config["sysctl"] = {
        "file": "/etc/sysctl.d/60-border-router.conf",
        "settings": {"net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1},
    }
    config["nat64"]["tayga"].update(
        txqueuelen=options["tayga_txqueuelen"], nice=options["tayga_nice"], debug=options["tayga_debug"]
    )
    config["nat64"]["jool_packages"] = options["jool_packages"]
    config["nat64"]["jool_instance"] = options["jool_instance"]
    config["nat64"]["jool_config_dir"] = options["jool_config_dir"]
    threads = options["dns64_threads"] or max(int(vcpus) - 1, 1)
    config["dns64"]["service"] = {"unbound": "unbound.service", "bind": "named.service"}[config["dns64"]["engine"]]
    config["dns64"]["unbound"] = {
        "threads": threads,
        "slabs": options["unbound_slabs"],
        "msg_cache_size": options["unbound_msg_cache_size"],
        "rrset_cache_size": 2 * msg_cache,
        "queries_per_thread": options["unbound_queries_per_thread"],
        "outgoing_range": 2 * options["unbound_queries_per_thread"],
        "qname_minimisation": options["unbound_qname_minimisation"],
        "server_options": options["unbound_server_options"],
    }
    config["dns64"]["bind"] = {"max_cache_size": options["bind_max_cache_size"], "options": options["bind_options"]}
    config["bgp"]["extra"] = options["bird_extra"]
    config["firewall"]["forward_rules"] = options["forward_rules"]
    config["firewall"]["pool4_ports"] = options["nat64_pool4_ports"]
    return config
