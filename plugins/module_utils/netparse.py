# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse addresses and prefixes strictly, with errors that name the value and the rule.

Messages have the form ``<value>: <rule>`` so callers can put a key path in front of them.

Strict means the text is an address or a prefix and nothing else: hex digits, ``:`` and ``.``, and for a prefix
``/`` and a length. Python's ``ipaddress`` also takes an IPv6 scope (``fe80::1%eth0``), whose text may hold
spaces, quotes, ``;``, braces and newlines, and those would reach the configuration files the roles render; and
it takes surrounding whitespace. Both are refused here, and every address or prefix that comes from the site
model, a filter argument or a role option goes through these functions.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import TypeVar

from .errors import PlanError, quoted

__all__ = ["Address", "Network", "parse_address", "parse_interface", "parse_prefix", "quoted"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_KIND = {None: "IPv4 or IPv6", 4: "IPv4", 6: "IPv6"}
_ADDRESS_TEXT = re.compile(r"[0-9A-Fa-f:.]{2,45}")
_PREFIX_TEXT = re.compile(r"[0-9A-Fa-f:.]{2,45}/[0-9]{1,3}")
# What a rejected text may look like, for the message: why it is not an address at all.
_SCOPE_RULE = "a scope (%) is not allowed"
_T = TypeVar("_T")


def _text_problem(value: str, pattern: re.Pattern, what: str) -> str | None:
    if pattern.fullmatch(value):
        return None
    if "%" in value:
        return f"{quoted(value)}: not an {what}: {_SCOPE_RULE}"
    if value != value.strip():
        return f"{quoted(value)}: not an {what}: no spaces around it"
    return f"{quoted(value)}: not an {what}"


def parse_prefix(value: str | Network, version: int | None = None) -> Network:
    """Parse a prefix such as ``2001:db8::/48``; a bare address is its /32 or /128. Host bits must be zero."""
    what = f"{_KIND[version]} prefix"
    if isinstance(value, Network):
        net = value
    elif isinstance(value, str):
        text = (
            value if "/" in value or not _ADDRESS_TEXT.fullmatch(value) else value + ("/32" if "." in value else "/128")
        )
        problem = _text_problem(text, _PREFIX_TEXT, what)
        if problem:
            raise PlanError(problem.replace(quoted(text), quoted(value), 1))
        try:
            net = ipaddress.ip_network(text)
        except ValueError:
            try:
                net = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise PlanError(f"{value}: not an {what}") from None
            if version in (None, net.version):
                raise PlanError(f"{value}: host bits must be zero") from None
    else:
        raise PlanError(f"{quoted(value)}: not an {what}")
    if version not in (None, net.version):
        raise PlanError(f"{value}: not an {what}")
    return net


def _parse_text(value: str, version: int | None, pattern: re.Pattern, what: str, parse: Callable[[str], _T]) -> _T:
    """Parse a string strictly: the text alone (``pattern``), then ``ipaddress`` (``parse``), then the family."""
    problem = _text_problem(value, pattern, what)
    if problem:
        raise PlanError(problem)
    try:
        parsed = parse(value)
    except ValueError:
        raise PlanError(f"{value}: not an {what}") from None
    if version not in (None, parsed.version):
        raise PlanError(f"{value}: not an {what}")
    return parsed


def parse_address(value: str | Address, version: int | None = None) -> Address:
    """Parse a single address (no prefix length)."""
    what = f"{_KIND[version]} address"
    if isinstance(value, str):
        return _parse_text(value, version, _ADDRESS_TEXT, what, ipaddress.ip_address)
    if not isinstance(value, Address) or version not in (None, value.version):
        raise PlanError(f"{quoted(value)}: not an {what}")
    return value


def parse_interface(value: str, version: int | None = None) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    """Parse an address with its prefix length (``192.0.2.1/24``): host bits allowed."""
    what = f"{_KIND[version]} address with a prefix length"
    if not isinstance(value, str):
        raise PlanError(f"{quoted(value)}: not an {what}")
    return _parse_text(value, version, _PREFIX_TEXT, what, ipaddress.ip_interface)
