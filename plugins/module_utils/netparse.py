# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse addresses and prefixes with errors that name the value and the rule.

Messages have the form ``<value>: <rule>`` so callers can put a key path in front of them.
"""

from __future__ import annotations

import ipaddress

from .errors import PlanError, show

__all__ = ["Address", "Network", "parse_address", "parse_prefix"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_KIND = {None: "IPv4 or IPv6", 4: "IPv4", 6: "IPv6"}


def parse_prefix(value: str | Network, version: int | None = None) -> Network:
    """Parse a prefix such as ``2001:db8::/48``; a bare address is its /32 or /128. Host bits must be zero."""
    if isinstance(value, Network):
        net = value
    elif isinstance(value, str):
        try:
            net = ipaddress.ip_network(value)
        except ValueError:
            try:
                net = ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise PlanError(f"{value}: not an {_KIND[version]} prefix") from None
            if version in (None, net.version):
                raise PlanError(f"{value}: host bits must be zero") from None
    else:
        raise PlanError(f"{show(value)}: not an {_KIND[version]} prefix")
    if version not in (None, net.version):
        raise PlanError(f"{value}: not an {_KIND[version]} prefix")
    return net


def parse_address(value: str | Address, version: int | None = None) -> Address:
    """Parse a single address (no prefix length)."""
    if isinstance(value, Address):
        addr = value
    elif isinstance(value, str):
        try:
            addr = ipaddress.ip_address(value)
        except ValueError:
            raise PlanError(f"{value}: not an {_KIND[version]} address") from None
    else:
        raise PlanError(f"{show(value)}: not an {_KIND[version]} address")
    if version not in (None, addr.version):
        raise PlanError(f"{value}: not an {_KIND[version]} address")
    return addr
