# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.netparse import parse_address, parse_prefix


@pytest.mark.parametrize(
    ("value", "version", "expected"),
    [
        ("2001:db8::/32", 6, ipaddress.IPv6Network("2001:db8::/32")),
        ("2001:DB8:0::/32", None, ipaddress.IPv6Network("2001:db8::/32")),
        ("198.51.100.0/24", 4, ipaddress.IPv4Network("198.51.100.0/24")),
        ("198.51.100.7", 4, ipaddress.IPv4Network("198.51.100.7/32")),
        (ipaddress.IPv6Network("2001:db8::/48"), 6, ipaddress.IPv6Network("2001:db8::/48")),
    ],
)
def test_parse_prefix(value, version, expected):
    assert parse_prefix(value, version) == expected


@pytest.mark.parametrize(
    ("value", "version", "message"),
    [
        ("2001:db8::1/32", 6, "2001:db8::1/32: host bits must be zero"),
        ("198.51.100.1/24", None, "198.51.100.1/24: host bits must be zero"),
        ("2001:db8::/129", 6, "2001:db8::/129: not an IPv6 prefix"),
        ("nonsense", None, "nonsense: not an IPv4 or IPv6 prefix"),
        ("198.51.100.0/24", 6, "198.51.100.0/24: not an IPv6 prefix"),
        # The wrong family is the clearer complaint, even with host bits set.
        ("198.51.100.1/24", 6, "198.51.100.1/24: not an IPv6 prefix"),
        ("2001:db8::/32", 4, "2001:db8::/32: not an IPv4 prefix"),
        (ipaddress.IPv6Network("2001:db8::/32"), 4, "2001:db8::/32: not an IPv4 prefix"),
        (32, None, "32: not an IPv4 or IPv6 prefix"),
        (True, 4, "true: not an IPv4 prefix"),
    ],
)
def test_parse_prefix_errors(value, version, message):
    with pytest.raises(PlanError) as e:
        parse_prefix(value, version)
    assert e.value.problems == [message]


def test_parse_address():
    assert parse_address("2001:DB8::1") == ipaddress.IPv6Address("2001:db8::1")
    assert parse_address("198.51.100.7", 4) == ipaddress.IPv4Address("198.51.100.7")
    assert parse_address(ipaddress.IPv4Address("198.51.100.7"), 4) == ipaddress.IPv4Address("198.51.100.7")


@pytest.mark.parametrize(
    ("value", "version", "message"),
    [
        ("198.51.100.0/24", 4, "198.51.100.0/24: not an IPv4 address"),
        ("2001:db8::1", 4, "2001:db8::1: not an IPv4 address"),
        ("198.51.100.7", 6, "198.51.100.7: not an IPv6 address"),
        ("x", None, "x: not an IPv4 or IPv6 address"),
        (7, None, "7: not an IPv4 or IPv6 address"),
        (False, 4, "false: not an IPv4 address"),
    ],
)
def test_parse_address_errors(value, version, message):
    with pytest.raises(PlanError) as e:
        parse_address(value, version)
    assert e.value.problems == [message]
