# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import ipaddress
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.netparse import (
    parse_address,
    parse_interface,
    parse_prefix,
)


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
        ("nonsense", None, '"nonsense": not an IPv4 or IPv6 prefix'),
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
        ("198.51.100.0/24", 4, '"198.51.100.0/24": not an IPv4 address'),
        ("2001:db8::1", 4, "2001:db8::1: not an IPv4 address"),
        ("198.51.100.7", 6, "198.51.100.7: not an IPv6 address"),
        ("x", None, '"x": not an IPv4 or IPv6 address'),
        (7, None, "7: not an IPv4 or IPv6 address"),
        (False, 4, "false: not an IPv4 address"),
    ],
)
def test_parse_address_errors(value, version, message):
    with pytest.raises(PlanError) as e:
        parse_address(value, version)
    assert e.value.problems == [message]


# --- strict: the text is an address or a prefix, and nothing rides along -----------------------------------

# ipaddress accepts every one of these (a scope may hold any text); each would reach a rendered config.
SMUGGLED = [
    '2001:db8:8000::%x"; forward-addr: 203.0.113.9 #/36',
    "2001:db8:8000::%a b;\n}/36",
    "64:ff9b::%x/96",
    "fe80::1%eth0",
]


@pytest.mark.parametrize("value", SMUGGLED)
def test_a_scope_is_refused_in_prefixes_and_addresses(value):
    with pytest.raises(PlanError, match=r"not an IPv6 prefix: a scope \(%\) is not allowed"):
        parse_prefix(value, 6)
    with pytest.raises(PlanError, match=r"a scope \(%\) is not allowed"):
        parse_address(value.split("/")[0])


@pytest.mark.parametrize("value", [" 2001:db8::/32", "2001:db8::/32 ", "2001:db8::/32\n", "\t198.51.100.0/24"])
def test_surrounding_whitespace_is_refused_and_shown(value):
    with pytest.raises(PlanError) as caught:
        parse_prefix(value)
    assert caught.value.problems[0].startswith(json.dumps(value))
    assert caught.value.problems[0].endswith("no spaces around it")


@pytest.mark.parametrize(
    "value", ["2001:db8::/32;", "198.51.100.0/24 deny", "198.51.100.0/255.255.255.0", "{2001:db8::}/32"]
)
def test_anything_but_an_address_and_a_length_is_refused(value):
    with pytest.raises(PlanError, match="not an IPv4 or IPv6 prefix"):
        parse_prefix(value)


@given(st.text(min_size=1, max_size=50))
def test_a_parsed_prefix_was_only_an_address_and_a_length(text):
    """Whatever the text, what parses was made of hex digits, ':', '.', and one '/' with a length."""
    try:
        parse_prefix(text)
    except PlanError:
        return
    address, _, length = text.partition("/")
    assert set(address) <= set("0123456789abcdefABCDEF:.") and (not length or length.isdigit())


def test_an_address_with_its_length():
    assert parse_interface("192.0.2.1/24") == ipaddress.ip_interface("192.0.2.1/24")
    with pytest.raises(PlanError, match=r"a scope \(%\) is not allowed"):
        parse_interface("fe80::1%eth0/64")
    with pytest.raises(PlanError, match="not an IPv6 address with a prefix length"):
        parse_interface("192.0.2.1/24", 6)
