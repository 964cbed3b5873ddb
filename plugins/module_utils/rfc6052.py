# SPDX-License-Identifier: GPL-3.0-or-later
"""IPv4-embedded IPv6 addresses (RFC 6052) for NAT64/DNS64.

The standard library has no RFC 6052 embedding for prefixes shorter than /96, so this module is the
one place that does it. All arithmetic is on integers.
"""

from __future__ import annotations

import ipaddress

from .errors import PlanError
from .netparse import parse_address, parse_prefix

__all__ = [
    "ALLOWED_LENGTHS",
    "GLOBAL_EXCEPTIONS_IPV4",
    "LOCAL_USE_PREFIX",
    "RFC7050_DISCOVERY_IPV4",
    "SPECIAL_PURPOSE_IPV4",
    "WELL_KNOWN_PREFIX",
    "embed",
    "extract",
    "special_purpose_ipv4",
    "validate_prefix",
]

WELL_KNOWN_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
# RFC 8215: unlike the well-known prefix, it may carry any IPv4 address, private ones included.
LOCAL_USE_PREFIX = ipaddress.IPv6Network("64:ff9b:1::/48")
ALLOWED_LENGTHS = (32, 40, 48, 56, 64, 96)

_N = ipaddress.IPv4Network
# IANA IPv4 Special-Purpose Address Registry, the entries whose "Globally Reachable" is False.
# Written out rather than taken from ipaddress.is_global, whose answers change between Python versions.
# More specific entries are listed too, so the message names the most precise one.
SPECIAL_PURPOSE_IPV4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_N("0.0.0.0/8"), '"This network", RFC 791 section 3.2'),
    (_N("0.0.0.0/32"), '"This host on this network", RFC 1122 section 3.2.1.3'),
    (_N("10.0.0.0/8"), "Private-Use, RFC 1918"),
    (_N("100.64.0.0/10"), "Shared Address Space, RFC 6598"),
    (_N("127.0.0.0/8"), "Loopback, RFC 1122 section 3.2.1.3"),
    (_N("169.254.0.0/16"), "Link Local, RFC 3927"),
    (_N("172.16.0.0/12"), "Private-Use, RFC 1918"),
    (_N("192.0.0.0/24"), "IETF Protocol Assignments, RFC 6890 section 2.1"),
    (_N("192.0.0.0/29"), "IPv4 Service Continuity Prefix, RFC 7335"),
    (_N("192.0.0.8/32"), "IPv4 dummy address, RFC 7600"),
    (_N("192.0.0.170/31"), "NAT64/DNS64 Discovery, RFC 8880"),
    (_N("192.0.2.0/24"), "TEST-NET-1, RFC 5737"),
    (_N("192.88.99.0/24"), "Deprecated 6to4 Relay Anycast, RFC 7526"),
    (_N("192.168.0.0/16"), "Private-Use, RFC 1918"),
    (_N("198.18.0.0/15"), "Benchmarking, RFC 2544"),
    (_N("198.51.100.0/24"), "TEST-NET-2, RFC 5737"),
    (_N("203.0.113.0/24"), "TEST-NET-3, RFC 5737"),
    (_N("240.0.0.0/4"), "Reserved, RFC 1112 section 4"),
    (_N("255.255.255.255/32"), "Limited Broadcast, RFC 8190 and RFC 919 section 7"),
)
# Registry entries inside 192.0.0.0/24 that ARE globally reachable, so they override it.
GLOBAL_EXCEPTIONS_IPV4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_N("192.0.0.9/32"), "Port Control Protocol Anycast, RFC 7723"),
    (_N("192.0.0.10/32"), "Traversal Using Relays around NAT Anycast, RFC 8155"),
)
del _N
# RFC 7050 section 2.2: a DNS64 synthesizes ipv4only.arpa's 192.0.0.170 and 192.0.0.171 with the prefix it uses,
# the well-known one included, so that hosts can discover that prefix. The only non-global addresses it may carry.
RFC7050_DISCOVERY_IPV4 = (ipaddress.IPv4Address("192.0.0.170"), ipaddress.IPv4Address("192.0.0.171"))
_DISCOVERY_IPV4 = frozenset(int(a) for a in RFC7050_DISCOVERY_IPV4)

_U_OCTET_SHIFT = 56  # bits 64-71 counted from the most significant bit
_REF = "RFC 6052 section 2.2"


def _ranges(table: tuple[tuple[ipaddress.IPv4Network, str], ...]) -> tuple[tuple[int, int, int, str], ...]:
    return tuple((int(n.network_address), int(n.broadcast_address), n.prefixlen, name) for n, name in table)


_SPECIAL_RANGES = _ranges(SPECIAL_PURPOSE_IPV4)
_GLOBAL_RANGES = _ranges(GLOBAL_EXCEPTIONS_IPV4)


def _longest_match(ranges: tuple[tuple[int, int, int, str], ...], value: int) -> str | None:
    best_len, best = -1, None
    for start, end, length, name in ranges:
        if start <= value <= end and length > best_len:
            best_len, best = length, name
    return best


def _parse_ipv4(ipv4: str | ipaddress.IPv4Address) -> int:
    try:
        return int(parse_address(ipv4, 4))
    except PlanError as e:
        raise PlanError(f"ipv4 {e}") from None


def _special_purpose(v4: int) -> str | None:
    if _longest_match(_GLOBAL_RANGES, v4) is not None:
        return None
    return _longest_match(_SPECIAL_RANGES, v4)


def special_purpose_ipv4(addr: str | ipaddress.IPv4Address) -> str | None:
    """Name and RFC of the most specific non-global special-purpose entry ``addr`` falls in, else None."""
    return _special_purpose(_parse_ipv4(addr))


# Special-purpose IPv6 space (RFC 6890 registry and since) that no NAT64 prefix may overlap, apart from the
# well-known prefix itself (exactly 64:ff9b::/96) and prefixes from 64:ff9b:1::/48 (RFC 8215). ::/8 covers
# ::ffff:0:0/96 (IPv4-mapped), ::/96 (IPv4-compatible), loopback and unspecified.
SPECIAL_PURPOSE_IPV6 = (
    (ipaddress.IPv6Network("::/8"), "reserved by the IETF, holding IPv4-mapped and loopback addresses, RFC 4291"),
    (ipaddress.IPv6Network("100::/64"), "discard-only, RFC 6666"),
    (ipaddress.IPv6Network("2001::/23"), "IETF protocol assignments, RFC 2928"),
    (ipaddress.IPv6Network("5f00::/16"), "SRv6 SIDs, RFC 9602"),
    (ipaddress.IPv6Network("fc00::/7"), "unique-local, RFC 4193"),
    (ipaddress.IPv6Network("fe80::/10"), "link-local, RFC 4291"),
    (ipaddress.IPv6Network("ff00::/8"), "multicast, RFC 4291"),
)
DOCUMENTATION_IPV6 = (
    (ipaddress.IPv6Network("2001:db8::/32"), "documentation, RFC 3849"),
    (ipaddress.IPv6Network("3fff::/20"), "documentation, RFC 9637"),
)


def validate_prefix(prefix: str | ipaddress.IPv6Network, allow_documentation: bool = True) -> ipaddress.IPv6Network:
    """Check ``prefix`` is usable as an RFC 6052 prefix and return it as a network: a length RFC 6052 defines, the
    u-octet zero, and no special-purpose space except the well-known prefix and RFC 8215's; documentation space
    only if ``allow_documentation``.

    Raises PlanError ``nat64 prefix <value>: <rule> (<reference>)``.
    """
    try:
        net = parse_prefix(prefix, 6)
    except PlanError as e:
        raise PlanError(f"nat64 prefix {e}") from None
    if net.prefixlen not in ALLOWED_LENGTHS:
        lengths = ", ".join(f"/{n}" for n in ALLOWED_LENGTHS)
        raise PlanError(f"nat64 prefix {prefix}: length must be one of {lengths} ({_REF})")
    if (int(net.network_address) >> _U_OCTET_SHIFT) & 0xFF:
        raise PlanError(f"nat64 prefix {prefix}: bits 64-71 (u-octet) must be zero ({_REF})")
    if net == WELL_KNOWN_PREFIX or net.subnet_of(LOCAL_USE_PREFIX):
        return net
    if net.overlaps(WELL_KNOWN_PREFIX):
        raise PlanError(
            f"nat64 prefix {prefix}: the well-known prefix is 64:ff9b::/96 and no other length (RFC 6052 section 2.1)"
        )
    table = SPECIAL_PURPOSE_IPV6 + (() if allow_documentation else DOCUMENTATION_IPV6)
    for special, name in table:
        if net.overlaps(special):
            hint = "; set site.allow_documentation_prefixes for a lab" if special in dict(DOCUMENTATION_IPV6) else ""
            raise PlanError(f"nat64 prefix {prefix}: overlaps {special} ({name}){hint}")
    return net


def _wkp_problem(v4: int) -> str | None:
    """RFC 6052 section 3.1: the well-known prefix must not carry non-global IPv4 addresses."""
    name = _special_purpose(v4)
    if name is None or v4 in _DISCOVERY_IPV4:
        return None
    return (
        f"ipv4 {ipaddress.IPv4Address(v4)}: non-global address ({name}) must not be embedded "
        f"in the well-known prefix {WELL_KNOWN_PREFIX} (RFC 6052 section 3.1)"
    )


def _split(length: int) -> tuple[int, int]:
    """Bits of the IPv4 address placed before and after the u-octet under a /``length`` prefix (< 96)."""
    before = 64 - length
    return before, 32 - before


def embed(ipv4: str | ipaddress.IPv4Address, prefix: str | ipaddress.IPv6Network) -> ipaddress.IPv6Address:
    """Embed ``ipv4`` in ``prefix`` (RFC 6052 section 2.2); the u-octet and the suffix are zero.

    The well-known prefix refuses non-global IPv4 addresses (RFC 6052 section 3.1), except the two
    RFC 7050 discovery addresses in RFC7050_DISCOVERY_IPV4.
    """
    net = validate_prefix(prefix)
    v4 = _parse_ipv4(ipv4)
    if net == WELL_KNOWN_PREFIX and (problem := _wkp_problem(v4)):
        raise PlanError(problem)
    base = int(net.network_address)
    length = net.prefixlen
    if length == 96:
        return ipaddress.IPv6Address(base | v4)
    _, after = _split(length)
    high = v4 >> after
    low = v4 & ((1 << after) - 1)
    return ipaddress.IPv6Address(base | (high << 64) | (low << (_U_OCTET_SHIFT - after)))


def extract(ipv6: str | ipaddress.IPv6Address, prefix: str | ipaddress.IPv6Network) -> ipaddress.IPv4Address:
    """Return the IPv4 address embedded in ``ipv6`` under ``prefix`` (RFC 6052 section 2.2).

    The suffix bits are ignored, as RFC 6052 reserves them for future extensions. The well-known prefix
    rule of ``embed`` applies here too.
    """
    net = validate_prefix(prefix)
    try:
        addr = parse_address(ipv6, 6)
    except PlanError as e:
        raise PlanError(f"ipv6 {e}") from None
    if addr not in net:
        raise PlanError(f"ipv6 {ipv6}: not inside nat64 prefix {net} ({_REF})")
    value = int(addr)
    if (value >> _U_OCTET_SHIFT) & 0xFF:
        raise PlanError(f"ipv6 {ipv6}: bits 64-71 (u-octet) must be zero ({_REF})")
    length = net.prefixlen
    if length == 96:
        v4 = value & 0xFFFFFFFF
    else:
        before, after = _split(length)
        high = (value >> 64) & ((1 << before) - 1)
        low = (value >> (_U_OCTET_SHIFT - after)) & ((1 << after) - 1)
        v4 = (high << after) | low
    if net == WELL_KNOWN_PREFIX and (problem := _wkp_problem(v4)):
        raise PlanError(f"ipv6 {ipv6} embeds {problem}")
    return ipaddress.IPv4Address(v4)
