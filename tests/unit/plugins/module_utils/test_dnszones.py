# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ipv6only.datacenter.plugins.module_utils.dnszones import ptr_name, reverse_zones
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError


def test_nibble_aligned_ipv6_prefix_is_one_zone():
    assert reverse_zones("2001:db8:100::/48") == ["0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa"]
    assert reverse_zones(ipaddress.IPv6Network("2001:db8:100:2::/64")) == ["2.0.0.0.0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa"]


def test_ipv6_slash_29_expands_to_eight_slash_32_zones_in_address_order():
    assert reverse_zones("2001:db8::/29") == [f"{n:x}.b.d.0.1.0.0.2.ip6.arpa" for n in range(8, 16)]


def test_ipv6_slash_47_expands_to_two_zones():
    assert reverse_zones("2001:db8:100::/47") == [
        "0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa",
        "1.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa",
    ]


def test_ipv6_96_and_128_and_0():
    assert reverse_zones("2001:db8:100:64::/96") == ["0.0.0.0.0.0.0.0.4.6.0.0.0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa"]
    assert reverse_zones("2001:db8::1/128") == [ptr_name("2001:db8::1")]
    assert reverse_zones("::/0") == ["ip6.arpa"]
    assert len(reverse_zones("::/1")) == 8


def test_octet_aligned_ipv4_prefix_is_one_zone():
    assert reverse_zones("198.51.100.0/24") == ["100.51.198.in-addr.arpa"]
    assert reverse_zones("10.0.0.0/8") == ["10.in-addr.arpa"]
    assert reverse_zones("0.0.0.0/0") == ["in-addr.arpa"]


def test_ipv4_slash_22_expands_to_four_zones():
    assert reverse_zones("198.51.100.0/22") == [f"{n}.51.198.in-addr.arpa" for n in range(100, 104)]


def test_ipv4_slash_9_expands_to_128_zones():
    zones = reverse_zones("10.128.0.0/9")
    assert len(zones) == 128
    assert zones[0] == "128.10.in-addr.arpa"
    assert zones[-1] == "255.10.in-addr.arpa"


@pytest.mark.parametrize("prefix", ["198.51.100.64/26", "198.51.100.128/25", "198.51.100.7/32"])
def test_ipv4_longer_than_24_gives_the_enclosing_zone(prefix):
    assert reverse_zones(prefix) == ["100.51.198.in-addr.arpa"]


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("2001:db8::1/64", "2001:db8::1/64: host bits must be zero"),
        ("198.51.100.1/26", "198.51.100.1/26: host bits must be zero"),
        ("2001:db8::/200", "2001:db8::/200: not an IPv4 or IPv6 prefix"),
        ("zone", '"zone": not an IPv4 or IPv6 prefix'),
        (None, "null: not an IPv4 or IPv6 prefix"),
    ],
)
def test_reverse_zones_errors(prefix, message):
    with pytest.raises(PlanError) as e:
        reverse_zones(prefix)
    assert e.value.problems == [message]


def test_ptr_name():
    assert ptr_name("198.51.100.7") == "7.100.51.198.in-addr.arpa"
    assert ptr_name("2001:db8::1") == "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
    assert ptr_name(ipaddress.IPv6Address("::")) == "0." * 32 + "ip6.arpa"


def test_ptr_name_error():
    with pytest.raises(PlanError) as e:
        ptr_name("2001:db8::/64")
    assert e.value.problems == ['"2001:db8::/64": not an IPv4 or IPv6 address']


addresses = st.one_of(
    st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address), st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address)
)


@given(addresses)
def test_ptr_name_is_the_reverse_pointer(address):
    assert ptr_name(address) == address.reverse_pointer
    assert ptr_name(str(address)) == address.reverse_pointer


@given(addresses, st.data())
def test_reverse_zones_cover_exactly_the_prefix(address, data):
    bits = address.max_prefixlen
    length = data.draw(st.integers(0, bits if bits == 128 else 24))
    network_type = ipaddress.IPv6Network if bits == 128 else ipaddress.IPv4Network
    prefix = network_type((int(address) >> (bits - length) << (bits - length), length))
    if prefix.version == 4:
        length = min(length, 24)
    zones = reverse_zones(prefix)
    digit = 4 if prefix.version == 6 else 8
    assert len(zones) == 2 ** (-length % digit)
    assert zones == sorted(set(zones), key=zones.index)  # no duplicates
    # Every address of the prefix falls in exactly one zone: its PTR name ends with that zone.
    owner = ptr_name(address)
    assert sum(owner == zone or owner.endswith("." + zone) for zone in zones) == 1
