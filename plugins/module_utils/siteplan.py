# SPDX-License-Identifier: GPL-3.0-or-later
"""Turn the site model (inventory ``site``) into the address plan every role renders from.

``build_plan`` validates the whole model first and reports every problem in one ``PlanError``; only a
valid model is planned. Addresses are handled as integers so 100k VMs plan in about a second.
"""

from __future__ import annotations

import bisect
import dataclasses
import gc
import ipaddress
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

from . import rfc6052
from .dnszones import classless_zone, ptr_name, reverse_zones, zone_of
from .errors import PlanError, show
from .netparse import parse_address, parse_prefix

try:
    import netaddr
except ImportError:  # only MAC addresses need it; a VM with a mac is then refused with a clear error
    netaddr = None

__all__ = ["PROXY_SERVICES", "SITE_SPEC", "build_plan", "eui64", "normalize_mac", "site_spec_markdown"]

PROXY_SERVICES = ("http", "https", "smtp")
PROXY_PORTS = {"http": 80, "https": 443, "smtp": 25}
HOST_ROLES = ("server", "border_router", "switch", "hypervisor", "storage")
ROUTER_ROLES = ("border_router",)
PORT_KINDS = ("host", "router", "dhcpv6-server", "jump", "hypervisor")
GUARDED_KINDS = ("host", "dhcpv6-server", "jump")  # source guard: the port's planned addresses only
MAPPING_PROTOCOLS = ("tcp", "udp")
_PORT_RANGE = re.compile(r"([0-9]{1,5})(?:-([0-9]{1,5}))?")
# The broadest site prefix: an LIR's allocation.
SITE_PREFIX_MIN_LENGTH = 29


def _field(
    type_: str,
    description: str,
    *,
    required: bool = False,
    default: object = None,
    elements: str | None = None,
    options: dict[str, dict] | None = None,
) -> dict:
    """One SITE_SPEC entry; every entry has type, required, default and description."""
    field = {"type": type_, "required": required, "default": default, "description": description}
    if elements is not None:
        field["elements"] = elements
    if options is not None:
        field["options"] = options
    return field


_ID_HELP = (
    "An integer; a decimal or `0x` hex string is accepted too. Never write a leading zero: YAML reads `012` as "
    "the octal 10 (`make test`'s yamllint refuses it)."
)
_NETWORK_SPEC = {
    "name": _field("str", "Network name, a hostname label.", required=True),
    "id": _field(
        "int",
        "Subnet number: the network is this /64 of `prefix` (id 18 or 0x12 under a /48 gives `…:12::/64`). " + _ID_HELP,
        required=True,
    ),
    "ipv4": _field(
        "str",
        "IPv4 subnet from `ipv4_pool`, /30 or shorter, making this a dual-stack segment. "
        "Its first usable address is the gateway.",
    ),
    "vlan": _field(
        "int",
        "802.1Q VLAN id, 1 to 4094, unique in the site: switches then render one VLAN-aware bridge with this "
        "id as the access ports' PVID instead of one bridge per network.",
    ),
}
_HOST_SPEC = {
    "name": _field("str", "Host name, a hostname label, unique among hosts and VMs.", required=True),
    "network": _field("str", "Name of the network the host is addressed on.", required=True),
    "id": _field(
        "int",
        "Interface identifier, 1 to 2^64-1: the host's address is its network's /64 + id. " + _ID_HELP,
        required=True,
    ),
    "networks": _field(
        "list",
        "Names of further networks the host is attached to (a router's other segments), each once and not "
        "`network` again. The host takes the same `id` on each of them; the plan lists every address in the "
        "host's `addresses` (`network` first, then these in order). Only the `network` address gets DNS records.",
        default=[],
        elements="str",
    ),
    "role": _field(
        "str",
        "What the host is: `server`, `border_router`, `switch`, `hypervisor` or `storage`. A switch port of kind "
        "`router` must lead to a `border_router`, and each of `switches[]` must be a `switch`.",
        default="server",
    ),
}
_MAPPING_PORTS_SPEC = {
    "proto": _field("str", "`tcp` or `udp`.", required=True),
    "port": _field("int or str", 'A port, 1 to 65535, or an ascending range `"N-M"`.', required=True),
}
_VM_SPEC = {
    "name": _field("str", "VM name, a hostname label, unique among hosts and VMs.", required=True),
    "network": _field("str", "Name of the network the VM is attached to.", required=True),
    "mac": _field(
        "str",
        "Unicast MAC in any usual notation (`06:00:84:41:f2:50`, `06-00-84-41-F2-50`, `0600.8441.f250`, "
        "`06008441f250`); the plan gives it as `xx:xx:xx:xx:xx:xx`. Without `id`, the VM's IPv6 address is its "
        "modified EUI-64 address. A VM needs `mac` or `id`. Reading it needs the Python library netaddr.",
    ),
    "id": _field(
        "int",
        "Static interface identifier, 1 to 2^64-1; wins over `mac` for the address. " + _ID_HELP,
    ),
    "ipv4": _field(
        "bool or str",
        "Dual-stack IPv4 from the network's `ipv4` subnet: `true` takes the next free address in list "
        "order (network, gateway and broadcast excluded); a string asks for that address.",
        default=False,
    ),
    "ipv4_mapping": _field(
        "bool or str",
        "Public IPv4 address that the NAT64 maps to the VM's IPv6 address (RFC 7757 EAM): `true` takes the "
        "lowest free address of `ipv4_pool` outside network subnets and pool4, after the explicit ones; a string "
        "asks for that address. The VM's name also resolves to it (an A record).",
        default=False,
    ),
    "ipv4_mapping_ports": _field(
        "list",
        "What the mapping forwards, when not every port: a list of `{proto: tcp|udp, port: N}` or "
        '`{proto: tcp|udp, port: "N-M"}`. ICMP is always forwarded. Left out, the whole IPv4 address is '
        "forwarded (the product is a whole address) and the VM's own firewall decides. Needs `ipv4_mapping`; "
        "the border routers enforce it with Tayga (Jool translates before nftables sees the packet).",
        elements="dict",
        options=_MAPPING_PORTS_SPEC,
    ),
    "proxy": _field(
        "list",
        "Services that the border routers proxy from `site.proxy.ipv4` to the VM's IPv6 address, for IPv4 clients: "
        "any of `http` (by Host), `https` (by SNI, passed through) and `smtp` (a relay for the VM's names). Not "
        "with `ipv4_mapping`, which already carries every port.",
        default=[],
        elements="str",
    ),
    "hostnames": _field(
        "list",
        "The names the VM serves behind the proxies, unique across VMs. Default: `<name>.<domain>`. Names in "
        "`domain` are published in the site's zone (A to the proxies, AAAA to the VM, MX with `smtp`); for any other "
        "name the plan lists the records its owner must publish (`proxy.external_records`).",
        elements="str",
    ),
}
_PROXY_SPEC = {
    "ipv4": _field(
        "list",
        "The proxies' addresses in `ipv4_pool`, outside network subnets, pool4 and every `ipv4_mapping` (an "
        "automatic mapping is never moved). Every border router serves every one of them, and announces each as a "
        "/32 (NO_EXPORT) while its HAProxy runs.",
        required=True,
        elements="str",
    ),
    "proxy_protocol_port": _field(
        "int",
        "The VMs' port for HTTPS from the proxies with a PROXY v2 header (the client's IPv4), separate from 443 so "
        "that IPv6 clients still reach 443 directly. The VMs open it to the border routers only.",
        default=8443,
    ),
}
_CUSTOMER_SPEC = {
    "name": _field("str", "Customer name, a hostname label.", required=True),
    "id": _field("int", "The customer's routed /48 is the id-th /48 of `customer_prefix`. " + _ID_HELP, required=True),
    "nameservers": _field(
        "list",
        "Host names of the customer's own name servers: the site delegates the reverse zone of the customer's /48 "
        "to them. Without them, the site does not serve that zone.",
        default=[],
        elements="str",
    ),
}
_NAMESERVER_SPEC = {
    "name": _field("str", "The name server's host label in `domain` (`ns1` gives `ns1.<domain>`).", required=True),
    "host": _field(
        "str", "The border router (`hosts[].role: border_router`) that serves on these addresses.", required=True
    ),
    "ipv6": _field(
        "str",
        "Its IPv6 address: in `prefix`, outside every network's /64 and the NAT64 prefix (the router holds it on its "
        "loopback; the site aggregate routes it).",
        required=True,
    ),
    "ipv4": _field(
        "str",
        "Its IPv4 address: in `ipv4_pool`, outside network subnets, pool4 and every `ipv4_mapping`. Giving it never "
        "renumbers a VM's automatic mapping: an address one of them holds is refused.",
        required=True,
    ),
}

_PORT_SPEC = {
    "port": _field(
        "str", "The switch's interface for this port (1-15 of `A-Za-z0-9_.-`), unique on the switch.", required=True
    ),
    "kind": _field(
        "str",
        "`host` (guarded: no RA, no DHCPv6 server, only the node's planned source addresses), `dhcpv6-server` (a "
        "host that may answer DHCPv6), `router` (sends RAs; leads to a `border_router`), `jump` (the jump host: "
        "guarded like a host, with `address` as its one source) or `hypervisor` (VM trunks: not yet).",
        required=True,
    ),
    "network": _field(
        "str", "The network this port is an access port of; the node must be attached to it.", required=True
    ),
    "node": _field("str", "The site host or VM at the far end (not for `jump` ports)."),
    "interface": _field("str", "The node's interface on this port (not for `jump` ports)."),
    "address": _field(
        "str", "`jump` ports only: the jump host's IPv6 address in the network, the port's one allowed source."
    ),
}
_SWITCH_SPEC = {
    "name": _field("str", "A site host with role `switch`.", required=True),
    "ports": _field("list", "Its access ports.", required=True, elements="dict", options=_PORT_SPEC),
}

# The single source of truth for the site model: build_plan checks types, required and unknown keys
# against it, and site_spec_markdown() renders it for the README.
SITE_SPEC: dict[str, dict] = {
    "name": _field(
        "str", "Site name, a hostname label: `a-z`, `0-9` and `-` inside, at most 63 characters.", required=True
    ),
    "domain": _field(
        "str", "DNS domain of the hosts and VMs: dot-separated hostname labels, no trailing dot.", required=True
    ),
    "prefix": _field(
        "str",
        "Site IPv6 aggregate, /29 to /64 (no site is larger than an LIR's allocation; the border routers announce "
        "it). Each network is one of its /64s.",
        required=True,
    ),
    "nat64_prefix": _field(
        "str",
        "NAT64/DNS64 prefix (RFC 6052): a /32, /40, /48, /56, /64 or /96 with bits 64-71 zero, such as a /96 "
        "of `prefix`. `64:ff9b::/96` is allowed (the plan says `nat64.well_known: true`), as is a prefix from "
        "`64:ff9b:1::/48` (RFC 8215). Must not overlap a network or `customer_prefix`.",
        required=True,
    ),
    "nat64_pool4_size": _field(
        "int",
        "IPv4 addresses in the NAT64 pool4, a power of two: the aligned block at the top of `ipv4_pool`.",
        default=4,
    ),
    "ipv4_pool": _field(
        "str",
        "All the IPv4 the site owns. Network `ipv4` subnets, pool4 and `ipv4_mapping` addresses come from it.",
        required=True,
    ),
    "customer_prefix": _field(
        "str",
        "IPv6 prefix, /48 or shorter and outside `prefix`, from which customers' routed /48s are carved.",
        required=True,
    ),
    "jump_prefix": _field(
        "str",
        "Source prefix allowed to SSH to managed nodes. Default: the /64 of `management_network`. It may not "
        "cover the NAT64 prefix (IPv4 clients arrive from there), be broader than `prefix` or overlap "
        "`customer_prefix`.",
    ),
    "management_network": _field(
        "str", "Network on which the hosts are managed; must exist when there are hosts.", default="mgmt"
    ),
    "allow_documentation_prefixes": _field(
        "bool",
        "Allow the documentation and benchmarking ranges (`2001:db8::/32`, `3fff::/20`, `192.0.2.0/24`, "
        "`198.51.100.0/24`, `203.0.113.0/24`, `198.18.0.0/15`, `2001:2::/48`) wherever special-purpose ranges are "
        "refused, such as in BGP exports. For labs and examples only: never on a real site.",
        default=False,
    ),
    "resolvers": _field(
        "list",
        "Names of the hosts whose IPv6 addresses serve DNS64 to the site, in order of preference.",
        default=[],
        elements="str",
    ),
    "networks": _field(
        "list", "The site's L2 segments, each a /64 of `prefix`.", default=[], elements="dict", options=_NETWORK_SPEC
    ),
    "hosts": _field(
        "list",
        "Managed machines (border routers, hypervisors) with static addresses.",
        default=[],
        elements="dict",
        options=_HOST_SPEC,
    ),
    "vms": _field("list", "Virtual machines.", default=[], elements="dict", options=_VM_SPEC),
    "customers": _field(
        "list",
        "Customers, each routed a /48 from `customer_prefix`. They run their own reverse DNS.",
        default=[],
        elements="dict",
        options=_CUSTOMER_SPEC,
    ),
    "nameservers": _field(
        "list",
        "The site's authoritative name servers, one per border router: its forward zone (`domain`) and the reverse "
        "zones of `prefix` and `ipv4_pool` are served on these addresses only, signed with DNSSEC.",
        default=[],
        elements="dict",
        options=_NAMESERVER_SPEC,
    ),
    "proxy": _field(
        "dict",
        "The 1:n proxies on the border routers, for the VMs' `proxy` services.",
        options=_PROXY_SPEC,
    ),
    "switches": _field(
        "list",
        "The site's switches and their port map: which node's interface sits on which port, and what the port "
        "may send. Switches bridge each network they carry and guard every port that is not a router's.",
        default=[],
        elements="dict",
        options=_SWITCH_SPEC,
    ),
}


def site_spec_markdown() -> str:
    """Render SITE_SPEC as a Markdown table, one row per key, list items as ``site.vms[].name``."""
    rows = ["| Key | Type | Required | Default | Description |", "| --- | --- | --- | --- | --- |"]

    def walk(spec: dict[str, dict], prefix: str) -> None:
        for key, field in spec.items():
            kind = field["type"] + (f" of {field['elements']}" if "elements" in field else "")
            required = "yes" if field["required"] else "no"
            default = "" if field["required"] else f"`{show(field['default'])}`"
            description = field["description"].replace("|", "\\|")
            rows.append(f"| `{prefix}{key}` | {kind} | {required} | {default} | {description} |")
            if "options" in field:
                walk(field["options"], f"{prefix}{key}{'[]' if field['type'] == 'list' else ''}.")

    walk(SITE_SPEC, "site.")
    return "\n".join(rows) + "\n"


# --- small reusable helpers -------------------------------------------------------------------------------

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_LABEL_RULE = "must be a hostname label: a-z, 0-9 and '-' (not first or last), at most 63 characters"
_MAC_RULE = (
    "must be a MAC address: 6 hex octets as xx:xx:xx:xx:xx:xx or xx-xx-xx-xx-xx-xx, "
    "Cisco's xxxx.xxxx.xxxx, xxxxxx-xxxxxx, or 12 hex digits"
)
_IID_BITS = 64
_IFNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,14}")
_IFNAME_RULE = "must be an interface name: 1 to 15 of A-Z, a-z, 0-9, '_', '.' and '-', not starting with a symbol"


def _parse_mac(mac: object) -> tuple[int, str, None] | tuple[None, None, str]:
    """(modified EUI-64 interface identifier, normalized MAC, None) or (None, None, rule). netaddr reads every
    notation an operator pastes and computes the identifier (RFC 4291 appendix A: ff:fe inserted, U/L inverted)."""
    if netaddr is None:
        return None, None, "needs the Python library netaddr to read a MAC address (pip install netaddr)"
    if not isinstance(mac, str):
        return None, None, _MAC_RULE
    try:
        eui = netaddr.EUI(mac)
    except (netaddr.AddrFormatError, TypeError, ValueError):
        return None, None, _MAC_RULE
    if eui.version != 48:
        return None, None, _MAC_RULE
    value = int(eui)
    if value >> 40 & 1:
        return None, None, "multicast MAC (I/G bit set) cannot be a unicast interface address"
    if value == 0:
        return None, None, "all-zero MAC cannot be an interface address"
    return int(eui.modified_eui64()), str(eui.format(netaddr.mac_unix_expanded)), None


def normalize_mac(mac: str) -> str:
    """Lower-case, ``:``-separated form of a unicast MAC; PlanError names the value and the rule."""
    _, normalized, rule = _parse_mac(mac)
    if rule:
        raise PlanError(f"mac {show(mac)}: {rule}")
    return normalized


def eui64(mac: str, prefix: str | ipaddress.IPv6Network) -> ipaddress.IPv6Address:
    """SLAAC (modified EUI-64) address of ``mac`` in the /64 ``prefix``."""
    try:
        net = parse_prefix(prefix, 6)
    except PlanError as e:
        raise PlanError(f"prefix {e}") from None
    if net.prefixlen != 64:
        raise PlanError(f"prefix {prefix}: EUI-64 addresses need a /64")
    iid, _, rule = _parse_mac(mac)
    if rule:
        raise PlanError(f"mac {show(mac)}: {rule}")
    return ipaddress.IPv6Address(int(net.network_address) | iid)


def _v6(value: int) -> str:
    return str(ipaddress.IPv6Address(value))


def _v4(value: int) -> str:
    return str(ipaddress.IPv4Address(value))


def _net6(value: int, length: int) -> str:
    return f"{_v6(value)}/{length}"


def _net4(start: int, length: int) -> str:
    return f"{_v4(start)}/{length}"


def _overlaps(a: int, a_len: int, b: int, b_len: int, bits: int = 128) -> bool:
    """Aligned prefixes overlap exactly when one contains the other."""
    shift = bits - min(a_len, b_len)
    return a >> shift == b >> shift


# --- structural validation driven by SITE_SPEC -----------------------------------------------------------


class _Bad(Exception):
    """A value has the wrong type; carries the rule."""


def _to_str(value: object) -> str:
    if type(value) is not str:
        raise _Bad("must be a string")
    return value


_INT_TEXT = re.compile(r"(-?)(?:0[xX]([0-9a-fA-F]+)|([0-9]+))")


# More digits than any id (2^64) or size has: refused before Python converts (it refuses over 4300 digits itself).
_MAX_DIGITS = 40


def _to_int(value: object) -> int:
    if type(value) is str and (match := _INT_TEXT.fullmatch(value)):
        sign, hex_digits, digits = match.groups()
        if sign:
            raise _Bad("must not be negative")
        if len(hex_digits or digits) > _MAX_DIGITS:
            raise _Bad(f"too large: more than {_MAX_DIGITS} digits")
        return int(hex_digits, 16) if hex_digits else int(digits)
    if type(value) is not int:  # bool is a subclass of int, so compare the exact type
        raise _Bad("must be a non-negative integer (a decimal or 0x hex string is accepted too)")
    if value < 0:
        raise _Bad("must not be negative")
    return value


def _to_bool_or_str(value: object) -> bool | str:
    if type(value) is not bool and type(value) is not str:
        raise _Bad("must be true, false or an address string")
    return value


def _to_int_or_str(value: object) -> int | str:
    if type(value) is not int and type(value) is not str:
        raise _Bad("must be an integer or a string")
    return value


def _to_bool(value: object) -> bool:
    if type(value) is not bool:
        raise _Bad("must be true or false")
    return value


def _to_list(value: object) -> list:
    if type(value) is not list:
        raise _Bad("must be a list")
    return value


def _to_dict(value: object) -> dict:
    if type(value) is not dict:
        raise _Bad("must be a mapping")
    return value


_CONVERT = {
    "str": _to_str,
    "int": _to_int,
    "int or str": _to_int_or_str,
    "bool": _to_bool,
    "bool or str": _to_bool_or_str,
    "list": _to_list,
    "dict": _to_dict,
}


def _compile(spec: dict[str, dict]) -> tuple[dict[str, tuple], tuple[str, ...], dict[str, object], str]:
    fields = {k: (_CONVERT[f["type"]], f.get("elements") == "str", f["required"]) for k, f in spec.items()}
    required = tuple(k for k, f in spec.items() if f["required"])
    # A None default means "absent": leave the key out so `"key" in item` still tells whether it was given.
    defaults = {k: f["default"] for k, f in spec.items() if f["default"] is not None}
    return fields, required, defaults, ", ".join(spec)


_SPECS = (
    SITE_SPEC,
    _NETWORK_SPEC,
    _HOST_SPEC,
    _VM_SPEC,
    _MAPPING_PORTS_SPEC,
    _CUSTOMER_SPEC,
    _NAMESERVER_SPEC,
    _PROXY_SPEC,
    _SWITCH_SPEC,
    _PORT_SPEC,
)
_COMPILED = {id(s): _compile(s) for s in _SPECS}


def _check_mapping(raw: object, spec: dict[str, dict], path: str, problems: list[str]) -> dict | None:
    """Type-check ``raw`` against ``spec``. Returns the values that passed, with defaults filled in.

    A key that is missing, null or has a bad value is left out, so later checks skip it instead of
    reporting the same mistake again; they look at ``raw`` to tell a bad value from an absent one.
    """
    if type(raw) is not dict:
        problems.append(f"{path}: {show(raw)}: must be a mapping")
        return None
    fields, required, defaults, expected = _COMPILED[id(spec)]
    out = {}
    for key, value in raw.items():
        field = fields.get(key)
        if field is None:
            problems.append(f"{path}.{show(key)}: unknown key, expected one of {expected}")
            continue
        if value is None and not field[2]:
            continue  # YAML `key:` without a value leaves an optional key unset
        try:
            out[key] = field[0](value)
        except _Bad as bad:
            problems.append(f"{path}.{key}: {show(value)}: {bad}")
            continue
        if field[1]:
            for i, element in enumerate(value):
                if type(element) is not str:
                    problems.append(f"{path}.{key}[{i}]: {show(element)}: must be a string")
                    del out[key]
                    break
    for key in required:
        if key not in raw:
            problems.append(f"{path}.{key}: missing required key")
    for key, default in defaults.items():
        if raw.get(key) is None:  # absent, or YAML `key:` with no value: the default
            out[key] = list(default) if type(default) is list else default
    return out


class _BrokenNames:
    """The names of a site list that cannot be looked up: a reference to an unknown name is reported unless it may
    mean one of them. An item with no name at all may be any; a name that is not a string is matched by its text.
    So one broken name stays one problem, while a typo elsewhere is still reported."""

    def __init__(self, items: object) -> None:
        self.any = items is not None and type(items) is not list
        self.texts: set[str] = set()
        for item in items if type(items) is list else []:
            name = item.get("name") if type(item) is dict else None
            if name is None:
                self.any = True
            elif type(name) is not str:
                self.texts.add(show(name))

    def may_be(self, name: object) -> bool:
        return self.any or show(name) in self.texts


# --- the planner -----------------------------------------------------------------------------------------


class _Network:
    __slots__ = ("auto", "base", "explicit", "id", "index", "name", "v4", "v4_given", "vlan", "vlan_given")

    def __init__(self, index: int, name: str | None) -> None:
        self.index = index
        self.name = name
        self.id: int | None = None
        self.base: int | None = None  # first address of its /64 when valid
        self.v4: tuple[int, int, int] | None = None  # (first, last, prefixlen) when valid
        self.v4_given = False
        self.vlan: int | None = None
        self.vlan_given = False
        self.auto: list[int] = []  # indexes of VMs wanting an automatic dual-stack address
        self.explicit: set[int] = set()

    @property
    def path(self) -> str:
        return f"site.networks[{self.index}]"


@dataclasses.dataclass(slots=True)
class _Vm:
    """A valid VM. ``ipv4`` and ``mapping`` are an int address or None; True until allocated."""

    name: str
    net: _Network
    address: int
    mac: str | None
    ipv4: bool | int | None
    mapping: bool | int | None
    ports: list[dict] | None
    proxy: list[str]
    hostnames: list[str] | None  # None: the default, <name>.<domain>


class _Planner:
    def __init__(self, raw: object) -> None:
        self.problems: list[str] = []
        site = _check_mapping(raw, SITE_SPEC, "site", self.problems)
        if site is None:
            raise PlanError(self.problems)
        self.site = site
        self.raw = raw

    def fail(self, path: str, value: object, rule: str) -> None:
        self.problems.append(f"{path}: {show(value)}: {rule}")

    def parse(self, path: str, value: object, parser: Callable[..., Any], *args: object) -> Any:
        """Run a parser that raises PlanError ``<value>: <rule>``; record the problem under ``path``."""
        if value is None:
            return None
        try:
            return parser(value, *args)
        except PlanError as e:
            self.problems.extend(f"{path}: {p}" for p in e.problems)
            return None

    def items(self, key: str) -> list[tuple[int, dict, dict]]:
        """(index, raw item, checked item) for the list ``site.<key>``, skipping items that are not mappings."""
        raw_items = self.site.get(key) or []
        options = SITE_SPEC[key]["options"]
        out = []
        for i, raw in enumerate(raw_items):
            item = _check_mapping(raw, options, f"site.{key}[{i}]", self.problems)
            if item is not None:
                out.append((i, raw, item))
        return out

    def check_name(self, path: str, name: str | None) -> bool:
        if name is None:
            return False
        if not _LABEL.fullmatch(name):
            self.fail(path, name, _LABEL_RULE)
            return False
        return True

    # -- validation ------------------------------------------------------------------------------------

    def validate(self) -> None:
        self.validate_site()
        self.validate_networks()
        self.validate_pool_blocks()
        self.validate_nodes()
        self.validate_customers()
        self.validate_references()
        self.validate_switches()
        self.validate_nameservers()
        self.validate_proxy()
        self.validate_capacity()
        if self.problems:
            raise PlanError(self.problems)

    def validate_site(self) -> None:
        site = self.site
        self.check_name("site.name", site.get("name"))
        self.domain = domain = site.get("domain")
        if domain is not None and (len(domain) > 253 or not all(_LABEL.fullmatch(p) for p in domain.split("."))):
            self.fail(
                "site.domain", domain, "must be dot-separated hostname labels, no trailing dot, at most 253 characters"
            )
            self.domain = None

        self.prefix = prefix = self.parse("site.prefix", site.get("prefix"), parse_prefix, 6)
        if prefix is not None and prefix.prefixlen > 64:
            self.fail("site.prefix", site["prefix"], "must be /64 or shorter: each network is one of its /64s")
            self.prefix = prefix = None
        elif prefix is not None and prefix.prefixlen < SITE_PREFIX_MIN_LENGTH:
            self.fail(
                "site.prefix",
                site["prefix"],
                f"must be /{SITE_PREFIX_MIN_LENGTH} or longer: no site is larger than an LIR's allocation, and the "
                "border routers announce this prefix",
            )
            self.prefix = prefix = None

        self.nat64 = nat64 = self.parse(
            "site.nat64_prefix",
            site.get("nat64_prefix"),
            rfc6052.validate_prefix,
            bool(site.get("allow_documentation_prefixes")),
        )

        self.customer_prefix = cp = self.parse("site.customer_prefix", site.get("customer_prefix"), parse_prefix, 6)
        if cp is not None and cp.prefixlen > 48:
            self.fail("site.customer_prefix", site["customer_prefix"], "must be /48 or shorter: customers get /48s")
            self.customer_prefix = cp = None
        if cp is not None and prefix is not None and cp.overlaps(prefix):
            self.fail("site.customer_prefix", site["customer_prefix"], f"overlaps site.prefix {prefix}")
        if cp is not None and nat64 is not None and cp.overlaps(nat64):
            self.fail("site.nat64_prefix", site["nat64_prefix"], f"overlaps site.customer_prefix {cp}")

        self.pool = pool = self.parse("site.ipv4_pool", site.get("ipv4_pool"), parse_prefix, 4)
        self.pool4 = None  # (first, last, size)
        size = site.get("nat64_pool4_size")
        if size is not None and (size == 0 or size & (size - 1)):
            self.fail("site.nat64_pool4_size", size, "must be a power of two (pool4 is an aligned block)")
        elif size is not None and pool is not None:
            if size > pool.num_addresses:
                self.fail(
                    "site.nat64_pool4_size",
                    size,
                    f"larger than site.ipv4_pool {pool} ({pool.num_addresses} addresses)",
                )
            else:
                last = int(pool.broadcast_address)
                self.pool4 = (last - size + 1, last, size)
                self.pool4_text = _net4(last - size + 1, 33 - size.bit_length())

        if nat64 is not None and prefix is not None and nat64.prefixlen <= prefix.prefixlen and nat64.overlaps(prefix):
            # Reported once here rather than once per network below.
            self.fail("site.nat64_prefix", site["nat64_prefix"], f"contains site.prefix {prefix}")
            self.nat64 = None

        self.jump_prefix = jump = self.parse("site.jump_prefix", site.get("jump_prefix"), parse_prefix, 6)
        # SSH and other trust are keyed on the jump prefix. IPv4 clients of a mapped VM arrive from the NAT64
        # prefix: inside the jump prefix they would be trusted as the jump host, and reach SSH on every mapped VM.
        if jump is not None and nat64 is not None and jump.overlaps(nat64):
            self.fail(
                "site.jump_prefix",
                site["jump_prefix"],
                f"covers the NAT64 prefix {nat64}, from which the whole IPv4 internet arrives; use the jump hosts' "
                "own /64 (the default, the management network's), or a NAT64 prefix outside it",
            )
        if jump is not None and prefix is not None and jump.prefixlen < prefix.prefixlen:
            self.fail("site.jump_prefix", site["jump_prefix"], f"broader than site.prefix {prefix}")
        if jump is not None and cp is not None and jump.overlaps(cp):
            self.fail("site.jump_prefix", site["jump_prefix"], f"overlaps site.customer_prefix {cp}: customers' space")

    def validate_networks(self) -> None:
        prefix, nat64 = self.prefix, self.nat64
        # A reference to an unknown network may point at one whose name is broken; that is already
        # reported, and one broken network must not produce a problem for each of its 10k VMs.
        self.broken_networks = _BrokenNames(self.raw.get("networks"))
        self.networks: list[_Network] = []
        self.network_by_name: dict[str, _Network] = {}
        by_id: dict[int, _Network] = {}
        by_vlan: dict[int, _Network] = {}
        subnet_bits = 64 - prefix.prefixlen if prefix is not None else None
        base = int(prefix.network_address) if prefix is not None else 0
        for i, raw, item in self.items("networks"):
            path = f"site.networks[{i}]"
            name = item.get("name")
            net = _Network(i, name)
            self.networks.append(net)
            self.check_name(f"{path}.name", name)
            if name is not None:
                if name in self.network_by_name:
                    other = self.network_by_name[name]
                    self.fail(f"{path}.name", name, f"duplicate network name (also {other.path})")
                else:
                    self.network_by_name[name] = net
            net_id = item.get("id")
            if net_id is not None and subnet_bits is not None:
                if net_id >> subnet_bits:
                    self.fail(
                        f"{path}.id",
                        raw["id"],
                        f"does not fit in the {subnet_bits} subnet bits of site.prefix {prefix}",
                    )
                elif net_id in by_id:
                    other = by_id[net_id]
                    self.fail(f"{path}.id", raw["id"], f"same subnet as {other.path} ({other.name})")
                else:
                    by_id[net_id] = net
                    net.id = net_id
                    net.base = base | net_id << 64
                    if nat64 is not None and _overlaps(net.base, 64, int(nat64.network_address), nat64.prefixlen):
                        self.fail(
                            "site.nat64_prefix",
                            self.site["nat64_prefix"],
                            f"overlaps {path} ({name}) {_net6(net.base, 64)}",
                        )
            vlan = item.get("vlan")
            net.vlan_given = raw.get("vlan") is not None
            if vlan is not None and not 1 <= vlan <= 4094:
                self.fail(f"{path}.vlan", raw["vlan"], "must be a VLAN id from 1 to 4094")
            elif vlan is not None and vlan in by_vlan:
                other = by_vlan[vlan]
                self.fail(f"{path}.vlan", raw["vlan"], f"same VLAN as {other.path} ({other.name})")
            elif vlan is not None:
                by_vlan[vlan] = net
                net.vlan = vlan
            net.v4_given = raw.get("ipv4") is not None
            subnet = self.parse(f"{path}.ipv4", item.get("ipv4"), parse_prefix, 4)
            if subnet is not None:
                if subnet.prefixlen > 30:
                    self.fail(
                        f"{path}.ipv4",
                        raw["ipv4"],
                        "must be /30 or shorter: network, gateway and broadcast are reserved",
                    )
                else:
                    net.v4 = (int(subnet.network_address), int(subnet.broadcast_address), subnet.prefixlen)

    def validate_pool_blocks(self) -> None:
        """Network IPv4 subnets must sit in ipv4_pool, clear of pool4 and of each other (sort and sweep)."""
        pool, pool4 = self.pool, self.pool4
        candidates = []
        for net in self.networks:
            if net.v4 is None:
                continue
            first, last, length = net.v4
            subnet = _net4(first, length)
            if pool is None:
                net.v4 = None
            elif not (int(pool.network_address) <= first and last <= int(pool.broadcast_address)):
                self.fail(f"{net.path}.ipv4", subnet, f"outside site.ipv4_pool {pool}")
                net.v4 = None
            elif pool4 is not None and last >= pool4[0]:
                self.fail(
                    f"{net.path}.ipv4",
                    subnet,
                    f"overlaps the NAT64 pool4 block {self.pool4_text} "
                    f"(the top {pool4[2]} addresses of site.ipv4_pool)",
                )
                net.v4 = None
            else:
                candidates.append(net)
        # Aligned blocks either nest or are disjoint, so comparing with the widest block so far is enough.
        candidates.sort(key=lambda n: (n.v4[0], -n.v4[1]))
        self.subnets: list[_Network] = []
        for net in candidates:
            if self.subnets and net.v4[0] <= self.subnets[-1].v4[1]:
                other = self.subnets[-1]
                self.fail(
                    f"{net.path}.ipv4",
                    _net4(net.v4[0], net.v4[2]),
                    f"overlaps {other.path}.ipv4 {_net4(other.v4[0], other.v4[2])}",
                )
                net.v4 = None
            else:
                self.subnets.append(net)
        self.subnet_starts = [n.v4[0] for n in self.subnets]

    def in_subnet(self, value: int) -> bool:
        k = bisect.bisect_right(self.subnet_starts, value) - 1
        return k >= 0 and value <= self.subnets[k].v4[1]

    def validate_nodes(self) -> None:
        """Hosts and VMs: names share the DNS namespace, addresses share the site prefix."""
        fail = self.fail
        names: dict[str, str] = {}
        addresses: dict[int | tuple[str, int], str] = {}  # by address, or (network, id) without a prefix
        macs: dict[str, str] = {}
        self.ipv4_taken: dict[int, str] = {}
        network_by_name = self.network_by_name
        domain = self.domain
        max_name = 252 - len(domain) if domain is not None else 63
        # valid hosts: (name, network, address, extra (network, address) pairs in list order)
        self.hosts: list[tuple[str, _Network, int, list[tuple[_Network, int]]]] = []
        self.vms: list[_Vm] = []
        self.mapping_auto: list[_Vm] = []
        self.mapping_explicit: set[int] = set()
        self.host_roles: dict[str, str] = {}

        for kind in ("hosts", "vms"):
            is_vm = kind == "vms"
            for i, raw, item in self.items(kind):
                path = f"site.{kind}[{i}]"
                name = item.get("name")
                valid = self.check_name(f"{path}.name", name)
                if name is not None:
                    if name in names:
                        fail(f"{path}.name", name, f"duplicate name (also {names[name]})")
                        valid = False
                    else:
                        names[name] = path
                    if len(name) > max_name:
                        fail(f"{path}.name", name, f"{name}.{domain} would be longer than 253 characters")
                        valid = False

                network = item.get("network")
                net = network_by_name.get(network) if network is not None else None
                if network is not None and net is None and not self.broken_networks.may_be(network):
                    fail(f"{path}.network", network, "no such network in site.networks")

                iid = item.get("id")
                if iid == 0:
                    fail(f"{path}.id", raw["id"], "must be at least 1: id 0 is the subnet-router anycast address")
                    iid = None
                elif iid is not None and iid >> _IID_BITS:
                    fail(f"{path}.id", raw["id"], f"does not fit in the {_IID_BITS} interface-identifier bits")
                    iid = None
                source = "id"

                mac = None
                if is_vm:
                    if "mac" in item:
                        mac_iid, mac, rule = _parse_mac(item["mac"])
                        if rule:
                            fail(f"{path}.mac", item["mac"], rule)
                        elif mac in macs:
                            fail(f"{path}.mac", item["mac"], f"duplicate MAC (also {macs[mac]})")
                            mac = None  # its EUI-64 address would collide too; one problem is enough
                        else:
                            macs[mac] = path
                        if raw.get("id") is None and mac is not None:
                            iid, source = mac_iid, "mac"
                    if raw.get("mac") is None and raw.get("id") is None:
                        self.problems.append(f"{path}: needs mac (EUI-64 address) or id (static address)")

                address = None
                if iid is not None and net is not None and net.base is not None:
                    address = net.base | iid
                    other = addresses.get(address)
                    if other is None:
                        addresses[address] = path
                    else:
                        fail(f"{path}.{source}", raw[source], f"address {_v6(address)} already used by {other}")
                        address = None
                elif iid is not None and net is not None:
                    # No address without the network's prefix (reported already), but the same interface id
                    # twice on one network is a duplicate all the same: a broken prefix must not hide it.
                    other = addresses.get((net.name, iid))
                    if other is None:
                        addresses[(net.name, iid)] = path
                    else:
                        fail(
                            f"{path}.{source}",
                            raw[source],
                            f"interface id {iid:#x} on {net.name} already used by {other}",
                        )
                valid = valid and address is not None

                if not is_vm:
                    extras = self.check_host_networks(path, item, network, iid, addresses)
                    role = item.get("role")
                    if role is not None and role not in HOST_ROLES:
                        fail(f"{path}.role", role, f"must be one of {', '.join(HOST_ROLES)}")
                    elif name is not None:
                        self.host_roles[name] = role
                    if valid and extras is not None:
                        self.hosts.append((name, net, address, extras))
                    continue

                ipv4 = self.check_vm_ipv4(path, item.get("ipv4"), net)
                mapping = self.check_vm_mapping(path, item.get("ipv4_mapping"))
                ports = self.check_vm_mapping_ports(path, item.get("ipv4_mapping_ports"), raw.get("ipv4_mapping"))
                proxy = item.get("proxy") or []
                seen = set()
                for k, service in enumerate(proxy):
                    if service not in PROXY_SERVICES:
                        fail(f"{path}.proxy[{k}]", service, f"must be one of {', '.join(PROXY_SERVICES)}")
                    elif service in seen:
                        fail(f"{path}.proxy[{k}]", service, "listed twice")
                    seen.add(service)
                if proxy and raw.get("ipv4_mapping") not in (None, False):
                    fail(
                        f"{path}.proxy",
                        proxy,
                        "not with ipv4_mapping: the mapping already carries every port of the VM to IPv4 clients; "
                        "drop one of them",
                    )
                hostnames = self.check_vm_hostnames(path, item.get("hostnames"), proxy)

                if valid:
                    planned = _Vm(name, net, address, mac, ipv4, mapping, ports, proxy, hostnames)
                    self.vms.append(planned)
                    if ipv4 is True:
                        net.auto.append(planned)
                    if mapping is True:
                        self.mapping_auto.append(planned)
        self.names = names
        self.claimed = addresses

    def check_host_networks(
        self, path: str, item: dict, primary: str | None, iid: int | None, addresses: dict[int | tuple[str, int], str]
    ) -> list[tuple[_Network, int]] | None:
        """Validate a host's extra ``networks`` and claim its address on each: the (network, address) pairs,
        or None when one of them is wrong. Names of networks that are themselves broken are skipped quietly.
        """
        extras: list[tuple[_Network, int]] = []
        ok = True
        seen: set[str] = set()
        for k, name in enumerate(item.get("networks") or ()):
            entry = f"{path}.networks[{k}]"
            if name == primary:
                self.fail(entry, name, f"is already the host's network ({path}.network)")
                ok = False
                continue
            if name in seen:
                self.fail(entry, name, "listed twice")
                ok = False
                continue
            seen.add(name)
            net = self.network_by_name.get(name)
            if net is None:
                if not self.broken_networks.may_be(name):
                    self.fail(entry, name, "no such network in site.networks")
                ok = False
                continue
            if iid is None or net.base is None:
                ok = False  # the id or the network is wrong; already reported
                continue
            address = net.base | iid
            other = addresses.get(address)
            if other is not None:
                self.fail(entry, name, f"address {_v6(address)} already used by {other}")
                ok = False
                continue
            addresses[address] = entry
            extras.append((net, address))
        return extras if ok else None

    def check_vm_ipv4(self, path: str, ipv4: bool | str | None, net: _Network | None) -> bool | int | None:
        """Validate a VM's dual-stack ``ipv4``: True (allocate later), the explicit address, or None."""
        if ipv4 is None or ipv4 is False:
            return None
        value = None
        if ipv4 is not True:
            value = self.parse(f"{path}.ipv4", ipv4, parse_address, 4)
            if value is None:
                return None
        if net is None:
            return None
        if not net.v4_given:
            self.fail(f"{path}.ipv4", ipv4, f"{net.path} ({net.name}) has no ipv4 subnet")
            return None
        if net.v4 is None:
            return None  # the subnet itself is wrong; already reported
        if value is None:
            return True
        value = int(value)
        first, last, length = net.v4
        rule = None
        if not first <= value <= last:
            rule = f"outside {net.path}.ipv4 {_net4(first, length)}"
        elif value == first:
            rule = f"is the network address of {net.path}.ipv4"
        elif value == first + 1:
            rule = f"is the gateway of {net.path}.ipv4"
        elif value == last:
            rule = f"is the broadcast address of {net.path}.ipv4"
        elif value in self.ipv4_taken:
            rule = f"already used by {self.ipv4_taken[value]}"
        if rule:
            self.fail(f"{path}.ipv4", ipv4, rule)
            return None
        self.ipv4_taken[value] = path
        net.explicit.add(value)
        return value

    def check_vm_mapping(self, path: str, mapping: bool | str | None) -> bool | int | None:
        """Validate a VM's ``ipv4_mapping``: True (allocate later), the explicit address, or None."""
        if mapping is None or mapping is False:
            return None
        if mapping is True:
            return True
        value = self.parse(f"{path}.ipv4_mapping", mapping, parse_address, 4)
        pool = self.pool
        if value is None or pool is None:
            return None
        value = int(value)
        rule = self.pool_address_problem(
            value, "inside a network's ipv4 subnet: mapping addresses come from the rest of site.ipv4_pool"
        )
        if rule:
            self.fail(f"{path}.ipv4_mapping", mapping, rule)
            return None
        self.ipv4_taken[value] = path
        self.mapping_explicit.add(value)
        return value

    def pool_address_problem(self, value: int, in_subnet_rule: str) -> str | None:
        """Why a single address of ``ipv4_pool`` (a mapping, a name server's) cannot be ``value``, or None: it must be
        in the pool, outside the networks' subnets and pool4, and held by nothing else."""
        pool, pool4 = self.pool, self.pool4
        if not int(pool.network_address) <= value <= int(pool.broadcast_address):
            return f"outside site.ipv4_pool {pool}"
        if self.in_subnet(value):
            return in_subnet_rule
        if pool4 is not None and value >= pool4[0]:
            return f"inside the NAT64 pool4 block {self.pool4_text}"
        if value in self.ipv4_taken:
            return f"already used by {self.ipv4_taken[value]}"
        return None

    def check_vm_hostnames(self, path: str, hostnames: list | None, proxy: list) -> list[str] | None:
        """Validate a VM's ``hostnames``: DNS names (lower case, no trailing dot), each once; None for the default."""
        if hostnames is None:
            return None
        if not proxy:
            self.fail(f"{path}.hostnames", hostnames, "needs proxy: only the proxies route by name")
            return None
        if not hostnames:
            self.fail(f"{path}.hostnames", hostnames, "empty: leave the key out for <name>.<domain>")
            return None
        names: list[str] = []
        for k, name in enumerate(hostnames):
            if not _is_hostname(name):
                self.fail(
                    f"{path}.hostnames[{k}]",
                    name,
                    "must be a DNS name: dot-separated hostname labels (lower case), no trailing dot, at most 253 "
                    "characters",
                )
            elif name in names:
                self.fail(f"{path}.hostnames[{k}]", name, "listed twice")
            else:
                names.append(name)
        return names if len(names) == len(hostnames) else None

    def check_vm_mapping_ports(self, path: str, ports: list | None, mapping: object) -> list[dict] | None:
        """Validate a VM's ``ipv4_mapping_ports``: None (every port) or ``{proto, first, last}`` sorted by
        protocol and port, with no two ranges of one protocol overlapping (nftables refuses that)."""
        if ports is None:
            return None
        path = f"{path}.ipv4_mapping_ports"
        if mapping is None or mapping is False:
            self.fail(path, ports, "needs ipv4_mapping: only a mapped address has ports to forward")
            return None
        if not ports:
            self.fail(path, ports, "empty: leave the key out to forward every port, or list the ports to forward")
            return None
        ranges: list[tuple[str, int, int, str, object]] = []
        for k, raw in enumerate(ports):
            entry_path = f"{path}[{k}]"
            entry = _check_mapping(raw, _MAPPING_PORTS_SPEC, entry_path, self.problems)
            if entry is None or len(entry) != 2 or len(raw) != 2:
                continue  # reported: not a mapping, a missing or unknown key, a wrong type
            proto, port = entry["proto"], entry["port"]
            if proto not in MAPPING_PROTOCOLS:
                self.fail(f"{entry_path}.proto", proto, "must be tcp or udp (ICMP is always forwarded)")
                continue
            span = _port_range(port)
            if span is None:
                self.fail(f"{entry_path}.port", port, 'must be a port 1-65535 or a range "N-M" with N < M')
                continue
            ranges.append((proto, span[0], span[1], entry_path, port))
        if len(ranges) < len(ports):
            return None
        ranges.sort()
        for before, after in itertools.pairwise(ranges):
            if before[0] == after[0] and after[1] <= before[2]:
                self.fail(f"{after[3]}.port", after[4], f"overlaps {before[3]} ({before[0]} {before[4]})")
                return None
        return [{"proto": proto, "first": first, "last": last} for proto, first, last, _, _ in ranges]

    def validate_customers(self) -> None:
        cp = self.customer_prefix
        bits = 48 - cp.prefixlen if cp is not None else None
        names: dict[str, str] = {}
        ids: dict[int, tuple[str, str]] = {}
        self.customers: list[tuple[str, int, list[str]]] = []
        for i, raw, item in self.items("customers"):
            path = f"site.customers[{i}]"
            name = item.get("name")
            valid = self.check_name(f"{path}.name", name)
            if name is not None:
                if name in names:
                    self.fail(f"{path}.name", name, f"duplicate customer name (also {names[name]})")
                    valid = False
                else:
                    names[name] = path
            cid = item.get("id")
            if cid is not None and bits is not None:
                if cid >> bits:
                    self.fail(
                        f"{path}.id",
                        raw["id"],
                        f"does not fit in the {bits} bits of site.customer_prefix {cp} (one /48 per id)",
                    )
                elif cid in ids:
                    self.fail(f"{path}.id", raw["id"], f"same /48 as {ids[cid][0]} ({ids[cid][1]})")
                elif valid:
                    ids[cid] = (path, name)
                    self.customers.append((name, cid, self.check_customer_nameservers(path, item)))

    def check_customer_nameservers(self, path: str, item: dict) -> list[str]:
        servers = []
        for k, server in enumerate(item.get("nameservers") or []):
            if not _is_hostname(server.removesuffix(".")):
                self.fail(f"{path}.nameservers[{k}]", server, "must be a host name: dot-separated hostname labels")
            elif server.removesuffix(".") in servers:
                self.fail(f"{path}.nameservers[{k}]", server, "listed twice")
            else:
                servers.append(server.removesuffix("."))
        return servers

    def validate_references(self) -> None:
        site = self.site
        hosts = {name: address for name, _, address, _ in self.hosts}
        broken_hosts = _BrokenNames(self.raw.get("hosts"))
        self.resolvers = []
        seen = set()
        for k, name in enumerate(site.get("resolvers") or []):
            if name in seen:
                self.fail(f"site.resolvers[{k}]", name, "listed twice")
            elif name not in hosts:
                if self.names.get(name, "").startswith("site.hosts[") or broken_hosts.may_be(name):
                    continue  # the host may be one with its own problems; already reported
                self.fail(f"site.resolvers[{k}]", name, "no such host in site.hosts")
            else:
                self.resolvers.append(hosts[name])
            seen.add(name)
        mgmt = site.get("management_network")
        self.management = self.network_by_name.get(mgmt) if mgmt is not None else None
        if mgmt is not None and self.management is None and site.get("hosts") and not self.broken_networks.may_be(mgmt):
            self.fail("site.management_network", mgmt, "no such network in site.networks (needed when there are hosts)")

    def validate_switches(self) -> None:
        """The port map: every port once, each leading to a node attached to the port's network, routers' RAs
        only from router ports. Ports that refer to a node or network with its own problem are skipped."""
        hosts = {name: (net, address, extras) for name, net, address, extras in self.hosts}
        vms = {vm.name: vm for vm in self.vms}
        broken_hosts, broken_vms = _BrokenNames(self.raw.get("hosts")), _BrokenNames(self.raw.get("vms"))
        mgmt = self.management
        taken: dict[tuple[str, str], str] = {}  # (node, interface) -> the port that has it
        switch_names: dict[str, str] = {}
        self.switches: list[tuple[str, list[dict]]] = []
        for i, _raw, item in self.items("switches"):
            path = f"site.switches[{i}]"
            name = item.get("name")
            valid = name is not None
            if name in switch_names:
                self.fail(f"{path}.name", name, f"duplicate switch (also {switch_names[name]})")
                valid = False
            elif name is not None:
                switch_names[name] = path
            if name is not None and name not in hosts:
                valid = False
                if not (self.names.get(name, "").startswith("site.hosts[") or broken_hosts.may_be(name)):
                    self.fail(f"{path}.name", name, "no such host in site.hosts")
            elif name is not None:
                role = self.host_roles.get(name)
                net, _, extras = hosts[name]
                if role != "switch":
                    self.fail(f"{path}.name", name, f"is a host with role {role}: a switch needs role switch")
                    valid = False
                if extras or (mgmt is not None and net is not mgmt):
                    self.fail(
                        f"{path}.name",
                        name,
                        "a switch is addressed on the management network only (its host entry's network, with no "
                        "further networks): it bridges the other networks without an address on them",
                    )
                    valid = False
            ports: list[dict] = []
            port_names: dict[str, str] = {}
            vlans: set[bool] = set()
            for k, raw_port in enumerate(item.get("ports") or []):
                entry = f"{path}.ports[{k}]"
                port = _check_mapping(raw_port, _PORT_SPEC, entry, self.problems)
                if port is None:
                    valid = False
                    continue
                checked = self.check_port(entry, port, name, hosts, vms, (broken_hosts, broken_vms), port_names, taken)
                if checked is None:
                    valid = False
                else:
                    ports.append(checked)
                    vlans.add(self.network_by_name[checked["network"]].vlan_given)
            if len(vlans) > 1:
                self.fail(
                    f"{path}.ports",
                    name,
                    "carries networks with and without a vlan: a VLAN-aware switch needs a vlan on every network it "
                    "carries (or none, for one bridge per network)",
                )
                valid = False
            if valid:
                self.switches.append((name, ports))

    def check_port(
        self,
        path: str,
        port: dict,
        switch: str | None,
        hosts: dict,
        vms: dict,
        broken_nodes: tuple[_BrokenNames, ...],
        port_names: dict[str, str],
        taken: dict[tuple[str, str], str],
    ) -> dict | None:
        """One port of the map, checked: the plan's port entry, or None when something is wrong (reported)."""
        ok = True
        name, kind, network = port.get("port"), port.get("kind"), port.get("network")
        if name is not None:
            if not _IFNAME.fullmatch(name):
                self.fail(f"{path}.port", name, _IFNAME_RULE)
                ok = False
            elif name in port_names:
                self.fail(f"{path}.port", name, f"claimed twice on switch {switch} (also {port_names[name]})")
                ok = False
            else:
                port_names[name] = path
        if kind == "hypervisor":
            self.fail(
                f"{path}.kind",
                kind,
                "not yet: hypervisor trunks that carry VM addresses come with the hypervisor work; until then a VM "
                "sits on a host port of its own",
            )
            ok = False
        elif kind is not None and kind not in PORT_KINDS:
            self.fail(f"{path}.kind", kind, f"must be one of {', '.join(k for k in PORT_KINDS if k != 'hypervisor')}")
            ok = False
        net = self.network_by_name.get(network) if network is not None else None
        if network is not None and net is None:
            if not self.broken_networks.may_be(network):
                self.fail(f"{path}.network", network, "no such network in site.networks")
            ok = False
        elif net is not None and len(net.name) > 12:
            self.fail(
                f"{path}.network",
                network,
                f"a switched network's name is at most 12 characters: its bridge br-{network} must fit the "
                "kernel's 15-byte interface names",
            )
            ok = False
        if not ok or kind is None or name is None or net is None or net.base is None:
            return None

        node, interface, address = port.get("node"), port.get("interface"), port.get("address")
        if kind == "jump":
            for key in ("node", "interface"):
                if port.get(key) is not None:
                    self.fail(f"{path}.{key}", port[key], "not for a jump port: its far end is the jump host")
                    ok = False
            if address is None:
                self.problems.append(f"{path}.address: missing: a jump port needs the jump host's address")
                return None
            parsed = self.parse(f"{path}.address", address, parse_address, 6)
            if parsed is None:
                return None
            value = int(parsed)
            if value >> 64 != net.base >> 64:
                self.fail(f"{path}.address", address, f"outside {network} {_net6(net.base, 64)}")
                return None
            if value == net.base:
                self.fail(f"{path}.address", address, "is the subnet-router anycast address")
                return None
            if value in self.claimed:
                self.fail(f"{path}.address", address, f"already the address of {self.claimed[value]}")
                return None
            addresses = [_v6(value)]
        else:
            if address is not None:
                self.fail(f"{path}.address", address, "only for a jump port: other ports take the node's addresses")
                ok = False
            if node is None:
                self.problems.append(f"{path}.node: missing: a {kind} port leads to a site host or VM")
                return None
            if interface is None:
                self.problems.append(f"{path}.interface: missing: the node's interface on this port")
                return None
            if not _IFNAME.fullmatch(interface):
                self.fail(f"{path}.interface", interface, _IFNAME_RULE)
                return None
            if node == switch:
                self.fail(f"{path}.node", node, "is the switch itself")
                return None
            if node in hosts:
                primary, primary_address, extras = hosts[node]
                on = {primary.name: primary_address} | {n.name: a for n, a in extras}
            elif node in vms:
                on = {vms[node].net.name: vms[node].address}
            else:
                if not (node in self.names or any(broken.may_be(node) for broken in broken_nodes)):
                    self.fail(f"{path}.node", node, "no such host or VM in the site")
                return None
            if network not in on:
                self.fail(f"{path}.network", network, f"{node} is not attached to it (its networks: {', '.join(on)})")
                return None
            if kind == "router" and self.host_roles.get(node) not in ROUTER_ROLES:
                role = self.host_roles.get(node, "a VM")
                self.fail(
                    f"{path}.kind",
                    kind,
                    f"{node} is not a router ({role}): router ports, the only ones whose RAs pass, lead to a host "
                    "with role border_router",
                )
                return None
            if (node, interface) in taken:
                self.fail(
                    f"{path}.interface", interface, f"{node}'s {interface} is already on {taken[(node, interface)]}"
                )
                return None
            taken[(node, interface)] = path
            addresses = [_v6(on[network])]
        if not ok:
            return None
        return {
            "port": name,
            "kind": kind,
            "network": network,
            "node": node,
            "interface": interface,
            "bridge": f"br-{network}",
            "vlan": net.vlan,
            # What the port may send: RAs only from routers, DHCPv6 server messages only from DHCPv6 servers,
            # and from guarded ports only these sources (link-local and :: always).
            "router_advertisements": kind == "router",
            "dhcpv6_server": kind == "dhcpv6-server",
            "source_guard": kind in GUARDED_KINDS,
            "addresses": addresses if kind in GUARDED_KINDS else [],
        }

    def validate_nameservers(self) -> None:
        """One authoritative name server per border router, on a loopback IPv6 of the site prefix and an IPv4 of
        the pool that nothing else holds."""
        hosts = {name for name, _, _, _ in self.hosts}
        broken_hosts = _BrokenNames(self.raw.get("hosts"))
        prefix, pool, nat64 = self.prefix, self.pool, self.nat64
        names: dict[str, str] = {}
        on_host: dict[str, str] = {}
        taken6: dict[int, str] = {}
        self.nameservers: list[dict] = []
        self.held_ipv4: dict[int, tuple[str, str]] = {}  # address -> (path, "a name server" or "a proxy")
        for i, _raw, item in self.items("nameservers"):
            path = f"site.nameservers[{i}]"
            valid = self.check_name(f"{path}.name", item.get("name"))
            name, host = item.get("name"), item.get("host")
            if name is not None and name in names:
                self.fail(f"{path}.name", name, f"duplicate name server (also {names[name]})")
                valid = False
            elif name is not None and name in self.names:
                self.fail(f"{path}.name", name, f"already the name of {self.names[name]}: its records would clash")
                valid = False
            elif name is not None:
                names[name] = path
            if host is not None and host not in hosts:
                if not (self.names.get(host, "").startswith("site.hosts[") or broken_hosts.may_be(host)):
                    self.fail(f"{path}.host", host, "no such host in site.hosts")
                valid = False
            elif host is not None and self.host_roles.get(host) not in ROUTER_ROLES:
                self.fail(f"{path}.host", host, f"is a {self.host_roles.get(host)}: name servers run on border routers")
                valid = False
            elif host is not None and host in on_host:
                self.fail(f"{path}.host", host, f"already serves {on_host[host]}: one name server per border router")
                valid = False
            elif host is not None:
                on_host[host] = path

            ipv6 = self.parse(f"{path}.ipv6", item.get("ipv6"), parse_address, 6)
            if ipv6 is not None and prefix is not None:
                value = int(ipv6)
                rule = None
                if ipv6 not in prefix:
                    rule = f"outside site.prefix {prefix}"
                elif (net := next((n for n in self.networks if n.base == value >> 64 << 64), None)) is not None:
                    rule = f"inside {net.path} ({net.name}): a name server's address is on its router's loopback"
                elif nat64 is not None and ipv6 in nat64:
                    rule = f"inside the NAT64 prefix {nat64}"
                elif value in taken6:
                    rule = f"already used by {taken6[value]}"
                if rule:
                    self.fail(f"{path}.ipv6", item["ipv6"], rule)
                    ipv6 = None
                else:
                    taken6[value] = path

            ipv4 = self.parse(f"{path}.ipv4", item.get("ipv4"), parse_address, 4)
            if ipv4 is not None and pool is not None:
                value = int(ipv4)
                rule = self.pool_address_problem(value, "inside a network's ipv4 subnet")
                if rule:
                    self.fail(f"{path}.ipv4", item["ipv4"], rule)
                    ipv4 = None
                else:
                    self.ipv4_taken[value] = path
                    self.held_ipv4[value] = (f"{path}.ipv4", "a name server")
            if valid and ipv6 is not None and ipv4 is not None:
                self.nameservers.append({"name": name, "host": host, "ipv6": int(ipv6), "ipv4": int(ipv4)})

    def validate_proxy(self) -> None:
        """The proxies' IPv4 addresses (single pool addresses that nothing else holds), the VMs behind them, and
        their names: each served by one VM, none the name of another node."""
        raw = self.site.get("proxy")
        proxy = _check_mapping(raw, _PROXY_SPEC, "site.proxy", self.problems) if raw is not None else None
        self.proxy_ipv4: list[int] = []
        self.proxy_port = 8443
        if proxy is not None:
            for k, address in enumerate(proxy.get("ipv4") or []):
                path = f"site.proxy.ipv4[{k}]"
                value = self.parse(path, address, parse_address, 4)
                if value is None or self.pool is None:
                    continue
                value = int(value)
                rule = self.pool_address_problem(value, "inside a network's ipv4 subnet")
                if rule:
                    self.fail(path, address, rule)
                    continue
                self.ipv4_taken[value] = path
                self.held_ipv4[value] = (path, "a proxy")
                self.proxy_ipv4.append(value)
            if proxy.get("ipv4") == []:
                self.fail("site.proxy.ipv4", [], "empty: the proxies need at least one address")
            port = proxy.get("proxy_protocol_port")
            if port is not None and (not 1 <= port <= 65535 or port in (25, 80, 443)):
                self.fail(
                    "site.proxy.proxy_protocol_port",
                    port,
                    "must be a port 1-65535 other than 25, 80 and 443, which the VMs serve to IPv6 clients directly",
                )
            elif port is not None:
                self.proxy_port = port
            if not any(role in ROUTER_ROLES for role in self.host_roles.values()):
                self.fail("site.proxy", raw, "no host with role border_router: the proxies run on the border routers")
        names = {f"{name}.{self.domain}": path for name, path in self.names.items()}
        names |= {f"{ns['name']}.{self.domain}": f"name server {ns['name']}" for ns in self.nameservers}
        served: dict[str, str] = {}
        for vm in self.vms:
            if not vm.proxy or self.domain is None:
                continue
            path = self.names[vm.name]
            if raw is None:
                self.fail(f"{path}.proxy", vm.proxy, "needs site.proxy.ipv4: the addresses the proxies serve on")
            for k, hostname in enumerate(vm.hostnames or [f"{vm.name}.{self.domain}"]):
                where = f"{path}.hostnames[{k}]"
                if hostname in served:
                    self.fail(where, hostname, f"already served by {served[hostname]}: a name leads to one VM")
                elif names.get(hostname, path) != path:
                    self.fail(where, hostname, f"is the name of {names[hostname]}")
                else:
                    served[hostname] = path

    def check_no_mapping_renumbered(self) -> None:
        """A name server's or proxy's IPv4 must not be one that a VM's automatic mapping holds: taking it would move
        that VM, and every later one, to another address."""
        if not (self.held_ipv4 and self.mapping_auto and self.pool is not None and self.pool4 is not None):
            return
        without = self.free_mapping_addresses(skip=False)
        for vm in self.mapping_auto:
            value = next(without, None)
            if value in self.held_ipv4:
                path, holder = self.held_ipv4[value]
                self.fail(
                    path,
                    _v4(value),
                    f"is the automatic ipv4_mapping of VM {vm.name} when the name servers' and proxies' addresses are "
                    f"left out: giving it to {holder} would renumber that VM and the automatic ones after it. Choose "
                    f"an address no automatic mapping takes, or, if {vm.name} is new, give it an explicit ipv4_mapping",
                )

    def validate_capacity(self) -> None:
        """One problem per block that is too small, with the numbers needed to resize it."""
        for net in self.subnets:
            needed = len(net.auto) + len(net.explicit)
            free = net.v4[1] - net.v4[0] + 1 - 3
            if needed > free:
                self.fail(
                    f"{net.path}.ipv4",
                    _net4(net.v4[0], net.v4[2]),
                    f"too small: {needed} dual-stack VMs need addresses but {free} are free "
                    "(network, gateway and broadcast excluded)",
                )
        pool, pool4 = self.pool, self.pool4
        if pool is None or pool4 is None:
            return
        covered = sum(n.v4[1] - n.v4[0] + 1 for n in self.subnets)
        self.outside_subnets = pool.num_addresses - covered
        mappings = len(self.mapping_auto) + len(self.mapping_explicit)
        needed = pool4[2] + mappings + len(self.held_ipv4)
        if needed > self.outside_subnets:
            servers = len(self.held_ipv4) - len(self.proxy_ipv4)
            servers = (f" + {servers} name servers" if servers else "") + (
                f" + {len(self.proxy_ipv4)} proxies" if self.proxy_ipv4 else ""
            )
            self.fail(
                "site.ipv4_pool",
                self.site["ipv4_pool"],
                f"too small: {needed} addresses needed ({pool4[2]} pool4 + {mappings} ipv4_mapping{servers}) "
                f"but {self.outside_subnets} free outside network subnets",
            )
        elif not self.problems:
            self.check_no_mapping_renumbered()

    # -- planning (only reached with a valid model) ----------------------------------------------------

    def allocate(self) -> None:
        """Give the VMs that asked for ``true`` their addresses, in list order, after the explicit ones."""
        for net in self.subnets:
            candidate = net.v4[0] + 2  # after the network address and the gateway
            for vm in net.auto:
                while candidate in net.explicit:
                    candidate += 1
                vm.ipv4 = candidate
                candidate += 1
        if self.mapping_auto:
            free = self.free_mapping_addresses()
            for vm in self.mapping_auto:
                vm.mapping = next(free)

    def free_mapping_addresses(self, skip: bool = True) -> Iterator[int]:
        """Pool addresses outside network subnets, pool4 and explicit mappings (and the name servers' unless
        ``skip`` is false), lowest first."""
        blocked = [(n.v4[0], n.v4[1]) for n in self.subnets] + [self.pool4[:2]]
        blocked.sort()
        value, last = int(self.pool.network_address), int(self.pool.broadcast_address)
        k = 0
        while value <= last:
            while k < len(blocked) and blocked[k][1] < value:
                k += 1
            if k < len(blocked) and blocked[k][0] <= value:
                value = blocked[k][1] + 1
                continue
            if value not in self.mapping_explicit and not (skip and value in self.held_ipv4):
                yield value
            value += 1

    def plan(self) -> dict:
        self.allocate()
        site, domain = self.site, self.domain
        pool, pool4, nat64 = self.pool, self.pool4, self.nat64

        networks = {}
        for net in self.networks:
            ipv4 = None
            if net.v4 is not None:
                first, _, length = net.v4
                ipv4 = {"subnet": _net4(first, length), "gateway": _v4(first + 1), "prefixlen": length}
            networks[net.name] = {
                "name": net.name,
                "id": net.id,
                "prefix": _net6(net.base, 64),
                "ipv4": ipv4,
                "vlan": net.vlan,
            }

        records = []
        hosts = {}
        for name, net, address, extras in self.hosts:
            fqdn = f"{name}.{domain}"
            ipv6 = _v6(address)
            addresses = {net.name: ipv6}
            for extra, extra_address in extras:
                addresses[extra.name] = _v6(extra_address)
            hosts[name] = {
                "name": name,
                "network": net.name,
                "ipv6": ipv6,
                "addresses": addresses,
                "prefixlen": 64,
                "fqdn": fqdn,
                "role": self.host_roles[name],
            }
            # Only the primary address is named in DNS; the extra ones are the host's other interfaces.
            records.append({"name": fqdn, "type": "AAAA", "value": ipv6})
            records.append({"name": ptr_name(ipaddress.IPv6Address(address)), "type": "PTR", "value": fqdn})

        vms = {}
        eam = []
        routers = [name for name, _, _, _ in self.hosts if self.host_roles[name] in ROUTER_ROLES]
        proxy4 = [_v4(value) for value in self.proxy_ipv4]
        backends, external = [], []
        for vm in self.vms:
            fqdn = f"{vm.name}.{domain}"
            ipv6 = _v6(vm.address)
            ipv4 = _v4(vm.ipv4) if vm.ipv4 is not None else None
            mapping = _v4(vm.mapping) if vm.mapping is not None else None
            vms[vm.name] = {
                "name": vm.name,
                "network": vm.net.name,
                "ipv6": ipv6,
                "addresses": {vm.net.name: ipv6},
                "prefixlen": 64,
                "mac": vm.mac,
                "ipv4": ipv4,
                "ipv4_mapping": mapping,
                "ipv4_mapping_ports": vm.ports if mapping is not None else None,
                "proxy": list(vm.proxy),
                "hostnames": (vm.hostnames or [fqdn]) if vm.proxy else [],
                "fqdn": fqdn,
            }
            # Forward records first, then their PTRs, in the same order.
            records.append({"name": fqdn, "type": "AAAA", "value": ipv6})
            if ipv4 is not None:
                records.append({"name": fqdn, "type": "A", "value": ipv4})
            if mapping is not None:
                # The VM's public name also resolves to its mapping address, so IPv4-only clients reach it
                # through the NAT64's EAM entry.
                records.append({"name": fqdn, "type": "A", "value": mapping})
                eam.append({"ipv4": mapping, "ipv6": ipv6, "vm": vm.name, "ports": vm.ports})
            records.append({"name": ptr_name(ipaddress.IPv6Address(vm.address)), "type": "PTR", "value": fqdn})
            if ipv4 is not None:
                records.append({"name": ptr_name(ipaddress.IPv4Address(vm.ipv4)), "type": "PTR", "value": fqdn})
            if mapping is not None:
                records.append({"name": ptr_name(ipaddress.IPv4Address(vm.mapping)), "type": "PTR", "value": fqdn})
            if vm.proxy:
                hostnames = vms[vm.name]["hostnames"]
                backends.append(
                    {
                        "name": vm.name,
                        "ipv6": ipv6,
                        "network": vm.net.name,
                        "hostnames": hostnames,
                        "services": [s for s in PROXY_SERVICES if s in vm.proxy],
                        # Their public ports, which IPv6 clients reach directly.
                        "ports": [PROXY_PORTS[s] for s in PROXY_SERVICES if s in vm.proxy],
                        # The address each router's proxies connect from: the only ones the VM may trust for a
                        # client's IPv4 (X-Forwarded-For, PROXY v2).
                        "sources": {
                            router: hosts[router]["addresses"].get(vm.net.name, hosts[router]["ipv6"])
                            for router in routers
                        },
                    }
                )
                for hostname in hostnames:
                    named = [{"name": hostname, "type": "A", "value": address} for address in proxy4]
                    if hostname != fqdn:
                        named.append({"name": hostname, "type": "AAAA", "value": ipv6})
                    if "smtp" in vm.proxy:
                        named.append({"name": hostname, "type": "MX", "value": f"10 {hostname}"})
                    if hostname == domain or hostname.endswith("." + domain):
                        records += named
                    else:
                        external += [{**record, "vm": vm.name} for record in named]

        customers = {}
        cp_base = int(self.customer_prefix.network_address)
        for name, cid, servers in self.customers:
            customers[name] = {
                "name": name,
                "id": cid,
                "prefix": _net6(cp_base | cid << 80, 48),
                "nameservers": servers,
            }

        nameservers = []
        for ns in self.nameservers:
            fqdn = f"{ns['name']}.{domain}"
            ipv6, ipv4 = _v6(ns["ipv6"]), _v4(ns["ipv4"])
            nameservers.append({"name": ns["name"], "fqdn": fqdn, "host": ns["host"], "ipv6": ipv6, "ipv4": ipv4})
            records += [
                {"name": fqdn, "type": "AAAA", "value": ipv6},
                {"name": fqdn, "type": "A", "value": ipv4},
                {"name": ptr_name(ipaddress.IPv6Address(ns["ipv6"])), "type": "PTR", "value": fqdn},
                {"name": ptr_name(ipaddress.IPv4Address(ns["ipv4"])), "type": "PTR", "value": fqdn},
            ]

        switches = {}
        for name, ports in self.switches:
            bridges: dict[str, dict] = {}
            for port in ports:
                network = networks[port["network"]]
                bridge = bridges.setdefault(
                    port["network"],
                    {
                        "name": port["bridge"],
                        "network": network["name"],
                        "prefix": network["prefix"],
                        "vlan": network["vlan"],
                        "ports": [],
                    },
                )
                bridge["ports"].append(port["port"])
            switches[name] = {
                "name": name,
                "management": {"network": hosts[name]["network"], "ipv6": hosts[name]["ipv6"]},
                "vlan_aware": any(port["vlan"] is not None for port in ports),
                "bridges": bridges,
                "ports": {port["port"]: port for port in ports},
            }

        jump = self.jump_prefix
        if jump is None and self.management is not None:
            jump = _net6(self.management.base, 64)
        mapping_used = len(self.mapping_auto) + len(self.mapping_explicit)
        return {
            "name": site["name"],
            "domain": domain,
            "prefix": str(self.prefix),
            "customer_prefix": str(self.customer_prefix),
            "jump_prefix": str(jump) if jump is not None else None,
            "management_network": site["management_network"],
            "allow_documentation_prefixes": site["allow_documentation_prefixes"],
            "networks": networks,
            "hosts": hosts,
            "vms": vms,
            "customers": customers,
            "switches": switches,
            "nat64": {
                "prefix": str(nat64),
                "well_known": nat64 == rfc6052.WELL_KNOWN_PREFIX,
                "pool4": self.pool4_text,
                "eam": eam,
            },
            "ipv4": {
                "pool": str(pool),
                "pool4": self.pool4_text,
                "mapping_used": mapping_used,
                "mapping_free": self.outside_subnets - pool4[2] - mapping_used - len(self.held_ipv4),
            },
            "proxy": {
                "ipv4": proxy4,
                "proxy_protocol_port": self.proxy_port,
                "backends": backends,
                # The ports the proxies listen on: those of the services some VM has.
                "ports": sorted({port for backend in backends for port in backend["ports"]}),
                "external_records": external,
            },
            "nameservers": nameservers,
            "dns": {
                "resolvers": [_v6(a) for a in self.resolvers],
                "records": records,
                **_zones(domain, self.prefix, pool, self.customer_prefix, customers, nameservers, records),
                "dns64_reverse_zones": reverse_zones(nat64),
            },
        }


def _zones(
    domain: str,
    prefix: ipaddress.IPv6Network,
    pool: ipaddress.IPv4Network,
    customer_prefix: ipaddress.IPv6Network,
    customers: dict,
    nameservers: list[dict],
    records: list[dict],
) -> dict:
    """The site's authoritative zones and their records: the forward zone, the reverse zones of the prefix, of the
    pool (RFC 2317 classless when it is longer than /24) and of the customer space (delegations only), each with the
    name servers at its apex; and the records a parent must publish (the classless CNAMEs and the child's NS)."""
    apex_ns = [ns["fqdn"] for ns in nameservers]
    classless = classless_zone(pool)
    reverse6 = reverse_zones(prefix)
    reverse4 = [classless["name"]] if classless else reverse_zones(pool)
    zones = {domain: ("forward", [])}
    for name in [*reverse6, *reverse4, *reverse_zones(customer_prefix)]:
        zones[name] = ("reverse", [])
    for zone in zones:
        zones[zone][1].extend({"name": zone, "type": "NS", "value": ns} for ns in apex_ns)
    for record in records:
        name = record["name"]
        if record["type"] != "PTR":
            zones[domain][1].append(record)
        elif name.endswith(".ip6.arpa"):
            zones[reverse6[0] if len(reverse6) == 1 else zone_of(name, reverse6)][1].append(record)
        elif classless:
            # The pool's PTRs live in the child zone, under the label the parent's CNAME points to.
            last, _, parent = name.partition(".")
            zones[classless["name"]][1].append({**record, "name": f"{last}.{classless['name']}"})
        else:
            zones[zone_of(name, reverse4)][1].append(record)
    for customer in customers.values():
        delegated = reverse_zones(customer["prefix"])[0]
        parent = zone_of(delegated, reverse_zones(customer_prefix))
        zones[parent][1].extend({"name": delegated, "type": "NS", "value": ns} for ns in customer["nameservers"])
    # What the parents publish: each zone's NS (a delegation), the name servers' addresses as glue, and the
    # classless CNAMEs of the pool. Grouped by parent: each zone's name less its first label, the outermost ones
    # only (a delegation may sit deeper than one label below its parent's apex).
    parent_records = [{"name": zone, "type": "NS", "value": ns} for zone in zones for ns in apex_ns]
    parent_records += [
        {"name": ns["fqdn"], "type": kind, "value": ns[family]}
        for ns in nameservers
        for kind, family in (("AAAA", "ipv6"), ("A", "ipv4"))
    ]
    if classless:
        parent_records += classless["parent_records"]
    candidates = {zone.partition(".")[2] for zone in zones}
    parents = sorted(p for p in candidates if not any(p != q and p.endswith("." + q) for q in candidates))
    parent_zones = {parent: [] for parent in parents}
    for record in parent_records:
        parent = zone_of(record["name"], parents)
        if parent is not None:
            parent_zones[parent].append(record)
    return {
        "zones": [{"name": name, "kind": kind, "records": recs} for name, (kind, recs) in zones.items()],
        "reverse_zones": [*reverse6, *reverse4],
        "parent_records": parent_records,
        "parent_zones": [{"name": name, "records": recs} for name, recs in parent_zones.items()],
    }


def _is_hostname(name: str) -> bool:
    return len(name) <= 253 and all(_LABEL.fullmatch(label) for label in name.split("."))


def _port_range(port: object) -> tuple[int, int] | None:
    """A port (int, or its digits) or a range ``"N-M"``, as (first, last); None when it is neither."""
    if type(port) is int:
        first = last = port
    elif type(port) is str and (match := _PORT_RANGE.fullmatch(port)):
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if match.group(2) is not None and last <= first:
            return None
    else:
        return None
    return (first, last) if 1 <= first <= last <= 65535 else None


def build_plan(site: dict) -> dict:
    """Validate the site model (the value of ``site``, see SITE_SPEC) and return the address plan.

    Raises one PlanError listing every problem, each as ``<key path>: <value>: <rule>``; checks that depend
    on an input already reported as wrong are skipped. The plan holds only str, int, bool, None, list and
    dict, with names and zones written without a trailing dot:

    - ``name``, ``domain``, ``prefix``, ``customer_prefix``, ``jump_prefix``, ``management_network``
    - ``networks``/``hosts``/``vms``/``customers``: dicts by name, in model order (see the unit tests); each host
      has ``addresses``, ``{network: ipv6}`` for its ``network`` and then its extra ``networks`` in order
    - ``nat64``: ``prefix``, ``well_known``, ``pool4``, ``eam`` (``ipv4``/``ipv6``/``vm``/``ports`` per mapped VM,
      ``ports`` None for every port or the VM's ``ipv4_mapping_ports``)
    - ``ipv4``: ``pool``, ``pool4``, ``mapping_used``, ``mapping_free``
    - ``proxy``: ``ipv4`` (the proxies' addresses), ``proxy_protocol_port``, ``backends`` (per proxied VM:
      ``name``/``ipv6``/``network``/``hostnames``/``services``, and ``sources``: each border router's address the
      proxies connect from) and ``external_records`` (names outside ``domain``: what their owner must publish)
    - ``dns``: ``resolvers`` (addresses), ``records`` (hosts then VMs; per node AAAA, A, mapping A, then
      their PTRs), ``reverse_zones`` (site prefix and ``ipv4_pool``; customers run their own) and
      ``dns64_reverse_zones`` (the NAT64 prefix)
    """
    # The plan allocates hundreds of thousands of small dicts and strings and creates no reference cycles;
    # the cyclic collector would rescan the growing heap again and again, which doubles the time for 100k VMs.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        planner = _Planner(site)
        planner.validate()
        return planner.plan()
    finally:
        if gc_was_enabled:
            gc.enable()
