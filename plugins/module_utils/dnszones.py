# SPDX-License-Identifier: GPL-3.0-or-later
"""Reverse DNS zone and PTR names for prefixes and addresses.

Names are returned without the trailing dot.
"""

from __future__ import annotations

from .netparse import Address, Network, parse_address, parse_prefix

__all__ = ["classless_zone", "ptr_name", "reverse_zones", "zone_of"]


def _zone(network_address: Address, labels: int) -> str:
    """Zone name keeping the last ``labels`` digit labels of the address's reverse pointer."""
    parts = network_address.reverse_pointer.split(".")
    digits = len(parts) - 2  # strip "ip6.arpa" / "in-addr.arpa"
    return ".".join(parts[digits - labels :])


def reverse_zones(prefix: str | Network) -> list[str]:
    """Reverse zones that together cover exactly ``prefix`` (more precisely, its address space), in address order.

    IPv6 zones are cut on nibble boundaries, so a prefix that is not a multiple of 4 bits long expands to
    the next boundary (a /29 gives 8 zones of /32, a /47 gives 2 zones of /48); ``::/0`` gives ``ip6.arpa``.

    IPv4 zones are cut on octet boundaries: /0 to /24 expand to the next boundary (a /22 gives 4 zones of
    /24, a /9 gives 128 zones of /16). A /25 to /32 yields its enclosing /24 zone: delegating part of a
    /24 (RFC 2317 classless delegation, CNAMEs into a child zone) is done by the parent zone's operator,
    not by the holder of the smaller prefix.
    """
    net = parse_prefix(prefix)
    digit_bits = 4 if net.version == 6 else 8
    if net.version == 4 and net.prefixlen > 24:
        net = net.supernet(new_prefix=24)
    labels = -(-net.prefixlen // digit_bits)  # ceiling division
    subnets = net.subnets(new_prefix=labels * digit_bits) if net.prefixlen % digit_bits else [net]
    return [_zone(sub.network_address, labels) for sub in subnets]


def ptr_name(address: str | Address) -> str:
    """PTR owner name of ``address``: the ``ipaddress`` reverse pointer."""
    addr = parse_address(address)
    if addr.version == 6:
        # Same name as IPv6Address.reverse_pointer, which formats and re-parses the address first and so
        # costs 7 us; plans with 100k VMs make one per VM. The unit tests compare both.
        return ".".join(f"{int(addr):032x}"[::-1]) + ".ip6.arpa"
    return addr.reverse_pointer


def classless_zone(prefix: str | Network) -> dict | None:
    """RFC 2317 classless delegation of an IPv4 prefix longer than /24, None for /24 or shorter.

    The child zone is named ``<first>-<length>.<enclosing /24 zone>`` (RFC 4183's form, free of the ``/`` that
    RFC 2317's examples use and that file names and tools stumble on). The holder of the /24 must publish, in its
    own zone, a CNAME from each address's name to the same label under the child zone, and NS records for the
    child; ``parent_records`` lists them (without the NS, which name the child's servers).
    """
    net = parse_prefix(prefix, 4)
    if net.prefixlen <= 24:
        return None
    parent = reverse_zones(net)[0]
    first = int(net.network_address) & 0xFF
    name = f"{first}-{net.prefixlen}.{parent}"
    cnames = [
        {"name": f"{last}.{parent}", "type": "CNAME", "value": f"{last}.{name}"}
        for last in range(first, first + net.num_addresses)
    ]
    return {"name": name, "parent": parent, "parent_records": cnames}


def zone_of(name: str, zones: list[str]) -> str | None:
    """The zone of ``zones`` that holds ``name``: the longest one that is ``name`` or a parent of it."""
    best = None
    for zone in zones:
        if (name == zone or name.endswith("." + zone)) and (best is None or len(zone) > len(best)):
            best = zone
    return best
