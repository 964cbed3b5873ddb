# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ansible_collections.ipv6only.datacenter.plugins.module_utils import rfc6052
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError

# RFC 6052 section 2.4, "Table 2: Text Representation of IPv4-Embedded IPv6 Addresses", for 192.0.2.33.
RFC_6052_TABLE = [
    ("2001:db8::/32", "2001:db8:c000:221::"),
    ("2001:db8:100::/40", "2001:db8:1c0:2:21::"),
    ("2001:db8:122::/48", "2001:db8:122:c000:2:2100::"),
    ("2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"),
    ("2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"),
    ("2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33"),
]
WKP_REFUSAL = (
    "ipv4 192.0.2.33: non-global address (TEST-NET-1, RFC 5737) must not be embedded "
    "in the well-known prefix 64:ff9b::/96 (RFC 6052 section 3.1)"
)


@pytest.mark.parametrize(("prefix", "expected"), RFC_6052_TABLE)
def test_rfc6052_table_embed(prefix, expected):
    assert rfc6052.embed("192.0.2.33", prefix) == ipaddress.IPv6Address(expected)


@pytest.mark.parametrize(("prefix", "expected"), RFC_6052_TABLE)
def test_rfc6052_table_extract(prefix, expected):
    assert rfc6052.extract(expected, prefix) == ipaddress.IPv4Address("192.0.2.33")


def test_rfc6052_table_well_known_row_is_refused():
    # The table's last row, 64:ff9b::192.0.2.33, uses a documentation address that section 3.1 forbids
    # with the well-known prefix outside documentation; we keep the rule.
    with pytest.raises(PlanError) as e:
        rfc6052.embed("192.0.2.33", "64:ff9b::/96")
    assert e.value.problems == [WKP_REFUSAL]
    with pytest.raises(PlanError) as e:
        rfc6052.extract("64:ff9b::192.0.2.33", rfc6052.WELL_KNOWN_PREFIX)
    assert e.value.problems == [f"ipv6 64:ff9b::192.0.2.33 embeds {WKP_REFUSAL}"]


def test_well_known_prefix_carries_global_addresses():
    assert rfc6052.embed("8.8.8.8", "64:ff9b::/96") == ipaddress.IPv6Address("64:ff9b::808:808")
    assert rfc6052.extract("64:ff9b::808:808", "64:ff9b::/96") == ipaddress.IPv4Address("8.8.8.8")
    # Globally reachable exceptions inside 192.0.0.0/24.
    assert rfc6052.embed("192.0.0.9", "64:ff9b::/96") == ipaddress.IPv6Address("64:ff9b::c000:9")
    assert rfc6052.embed("192.0.0.10", "64:ff9b::/96") == ipaddress.IPv6Address("64:ff9b::c000:a")


def test_well_known_prefix_carries_the_rfc7050_discovery_addresses():
    # ipv4only.arpa must be synthesized with whatever prefix the DNS64 uses, although these are not global.
    for address, embedded in (("192.0.0.170", "64:ff9b::c000:aa"), ("192.0.0.171", "64:ff9b::c000:ab")):
        assert rfc6052.special_purpose_ipv4(address) == "NAT64/DNS64 Discovery, RFC 8880"
        assert rfc6052.embed(address, rfc6052.WELL_KNOWN_PREFIX) == ipaddress.IPv6Address(embedded)
        assert rfc6052.extract(embedded, rfc6052.WELL_KNOWN_PREFIX) == ipaddress.IPv4Address(address)
    assert [str(a) for a in rfc6052.RFC7050_DISCOVERY_IPV4] == ["192.0.0.170", "192.0.0.171"]


def test_local_use_prefix_carries_any_ipv4():
    assert rfc6052.embed("10.1.2.3", "64:ff9b:1::/96") == ipaddress.IPv6Address("64:ff9b:1::a01:203")
    assert rfc6052.embed("10.1.2.3", rfc6052.LOCAL_USE_PREFIX) == ipaddress.IPv6Address("64:ff9b:1:a01:2:300::")
    assert rfc6052.extract("64:ff9b:1:a01:2:300::", rfc6052.LOCAL_USE_PREFIX) == ipaddress.IPv4Address("10.1.2.3")


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("0.0.0.0", '"This host on this network", RFC 1122 section 3.2.1.3'),
        ("0.1.2.3", '"This network", RFC 791 section 3.2'),
        ("10.255.255.255", "Private-Use, RFC 1918"),
        ("100.64.0.0", "Shared Address Space, RFC 6598"),
        ("100.127.255.255", "Shared Address Space, RFC 6598"),
        ("127.0.0.1", "Loopback, RFC 1122 section 3.2.1.3"),
        ("169.254.1.1", "Link Local, RFC 3927"),
        ("172.16.0.1", "Private-Use, RFC 1918"),
        ("172.31.255.255", "Private-Use, RFC 1918"),
        ("192.0.0.1", "IPv4 Service Continuity Prefix, RFC 7335"),
        ("192.0.0.8", "IPv4 dummy address, RFC 7600"),
        ("192.0.0.11", "IETF Protocol Assignments, RFC 6890 section 2.1"),
        ("192.0.0.170", "NAT64/DNS64 Discovery, RFC 8880"),
        ("192.0.0.171", "NAT64/DNS64 Discovery, RFC 8880"),
        ("192.0.2.33", "TEST-NET-1, RFC 5737"),
        ("192.88.99.1", "Deprecated 6to4 Relay Anycast, RFC 7526"),
        ("192.168.1.1", "Private-Use, RFC 1918"),
        ("198.18.0.1", "Benchmarking, RFC 2544"),
        ("198.19.255.255", "Benchmarking, RFC 2544"),
        ("198.51.100.1", "TEST-NET-2, RFC 5737"),
        ("203.0.113.1", "TEST-NET-3, RFC 5737"),
        ("240.0.0.1", "Reserved, RFC 1112 section 4"),
        ("255.255.255.254", "Reserved, RFC 1112 section 4"),
        ("255.255.255.255", "Limited Broadcast, RFC 8190 and RFC 919 section 7"),
    ],
)
def test_special_purpose_ipv4_names_the_most_specific_entry(address, name):
    assert rfc6052.special_purpose_ipv4(address) == name
    assert rfc6052.special_purpose_ipv4(ipaddress.IPv4Address(address)) == name


@pytest.mark.parametrize(
    "address",
    ["1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "172.15.255.255",
     "172.32.0.0", "192.0.0.9", "192.0.0.10", "192.0.1.0", "192.31.196.1", "198.17.255.255", "198.20.0.0",
     "223.255.255.255"],
)  # fmt: skip
def test_special_purpose_ipv4_global(address):
    assert rfc6052.special_purpose_ipv4(address) is None


def test_special_purpose_registry_is_explicit():
    assert all(isinstance(net, ipaddress.IPv4Network) and name for net, name in rfc6052.SPECIAL_PURPOSE_IPV4)
    nets = {str(net) for net, _ in rfc6052.SPECIAL_PURPOSE_IPV4}
    assert {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32"} <= nets  # fmt: skip


def test_special_purpose_ipv4_error():
    with pytest.raises(PlanError) as e:
        rfc6052.special_purpose_ipv4("256.0.0.1")
    assert e.value.problems == ["ipv4 256.0.0.1: not an IPv4 address"]


@pytest.mark.parametrize("length", rfc6052.ALLOWED_LENGTHS)
def test_validate_prefix_returns_the_network(length):
    text = f"2001:db8::/{length}"
    assert rfc6052.validate_prefix(text) == ipaddress.IPv6Network(text)
    assert rfc6052.validate_prefix(ipaddress.IPv6Network(text)) == ipaddress.IPv6Network(text)


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        (
            "2001:db8:122:344:ff00::/96",
            "nat64 prefix 2001:db8:122:344:ff00::/96: bits 64-71 (u-octet) must be zero (RFC 6052 section 2.2)",
        ),
        (
            "2001:db8::/33",
            "nat64 prefix 2001:db8::/33: length must be one of /32, /40, /48, /56, /64, /96 (RFC 6052 section 2.2)",
        ),
        (
            "2001:db8::/128",
            "nat64 prefix 2001:db8::/128: length must be one of /32, /40, /48, /56, /64, /96 (RFC 6052 section 2.2)",
        ),
        ("2001:db8::1/96", "nat64 prefix 2001:db8::1/96: host bits must be zero"),
        ("2001:db8:0:0:100::/64", "nat64 prefix 2001:db8:0:0:100::/64: host bits must be zero"),
        ("64:ff9b::/129", "nat64 prefix 64:ff9b::/129: not an IPv6 prefix"),
        ("192.0.2.0/24", "nat64 prefix 192.0.2.0/24: not an IPv6 prefix"),
        (96, "nat64 prefix 96: not an IPv6 prefix"),
        (None, "nat64 prefix null: not an IPv6 prefix"),
    ],
)
def test_validate_prefix_errors(prefix, message):
    with pytest.raises(PlanError) as e:
        rfc6052.validate_prefix(prefix)
    assert e.value.problems == [message]


def test_embed_checks_its_prefix():
    with pytest.raises(PlanError, match=r"^nat64 prefix 2001:db8::/36: length must be one of"):
        rfc6052.embed("192.0.2.33", "2001:db8::/36")


@pytest.mark.parametrize(
    ("ipv4", "message"),
    [
        ("192.0.2.256", "ipv4 192.0.2.256: not an IPv4 address"),
        ("192.0.2.0/24", 'ipv4 "192.0.2.0/24": not an IPv4 address'),
        ("2001:db8::1", "ipv4 2001:db8::1: not an IPv4 address"),
        (True, "ipv4 true: not an IPv4 address"),
        (3221225985, "ipv4 3221225985: not an IPv4 address"),
    ],
)
def test_embed_errors(ipv4, message):
    with pytest.raises(PlanError) as e:
        rfc6052.embed(ipv4, "2001:db8::/32")
    assert e.value.problems == [message]


@pytest.mark.parametrize(
    ("ipv6", "prefix", "message"),
    [
        (
            "2001:db9::1",
            "2001:db8::/32",
            "ipv6 2001:db9::1: not inside nat64 prefix 2001:db8::/32 (RFC 6052 section 2.2)",
        ),
        (
            "2001:db8:c000:221:ff00::",
            "2001:db8::/32",
            "ipv6 2001:db8:c000:221:ff00::: bits 64-71 (u-octet) must be zero (RFC 6052 section 2.2)",
        ),
        ("2001:db8::zz", "2001:db8::/32", 'ipv6 "2001:db8::zz": not an IPv6 address'),
        ("192.0.2.33", "2001:db8::/32", "ipv6 192.0.2.33: not an IPv6 address"),
        (
            "64:ff9b::a00:1",
            "64:ff9b::/96",
            "ipv6 64:ff9b::a00:1 embeds ipv4 10.0.0.1: non-global address (Private-Use, RFC 1918) must not be "
            "embedded in the well-known prefix 64:ff9b::/96 (RFC 6052 section 3.1)",
        ),
    ],
)
def test_extract_errors(ipv6, prefix, message):
    with pytest.raises(PlanError) as e:
        rfc6052.extract(ipv6, prefix)
    assert e.value.problems == [message]


@st.composite
def nat64_prefixes(draw):
    """Any valid RFC 6052 prefix: an allowed length, host bits and u-octet zero, in global unicast space."""
    length = draw(st.sampled_from(rfc6052.ALLOWED_LENGTHS))
    value = draw(st.integers(0, 2**128 - 1))
    value &= ~((1 << (128 - length)) - 1)  # clear the host bits
    value &= ~(0xFF << 56)  # clear the u-octet
    value = (value & ~(0xF << 124)) | (0x3 << 124)  # in 3000::/4: global unicast, no special-purpose space
    return ipaddress.IPv6Network((value, length))


ipv4s = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)


@given(nat64_prefixes(), ipv4s)
def test_extract_inverts_embed(prefix, ipv4):
    assume(
        prefix != rfc6052.WELL_KNOWN_PREFIX
        or rfc6052.special_purpose_ipv4(ipv4) is None
        or ipv4 in rfc6052.RFC7050_DISCOVERY_IPV4
    )
    embedded = rfc6052.embed(ipv4, prefix)
    assert embedded in prefix
    assert int(embedded) >> 56 & 0xFF == 0, "u-octet must stay zero"
    if prefix.prefixlen < 96:
        assert int(embedded) & 0xFFFFFF == 0, "suffix must be zero"
    assert rfc6052.extract(embedded, prefix) == ipv4
    assert rfc6052.extract(str(embedded), str(prefix)) == ipv4


@given(ipv4s.filter(lambda a: rfc6052.special_purpose_ipv4(a) is None))
def test_extract_inverts_embed_for_global_addresses_in_the_well_known_prefix(ipv4):
    assert rfc6052.extract(rfc6052.embed(ipv4, rfc6052.WELL_KNOWN_PREFIX), rfc6052.WELL_KNOWN_PREFIX) == ipv4


@given(ipv4s.filter(lambda a: rfc6052.special_purpose_ipv4(a) is not None and a not in rfc6052.RFC7050_DISCOVERY_IPV4))
def test_well_known_prefix_refuses_every_other_non_global_address(ipv4):
    with pytest.raises(PlanError, match="must not be embedded in the well-known prefix"):
        rfc6052.embed(ipv4, rfc6052.WELL_KNOWN_PREFIX)


@given(nat64_prefixes().filter(lambda p: p.prefixlen < 96), ipv4s, st.integers(1, 2**24 - 1))
def test_extract_ignores_the_suffix(prefix, ipv4, suffix):
    assume(prefix != rfc6052.WELL_KNOWN_PREFIX)
    embedded = ipaddress.IPv6Address(int(rfc6052.embed(ipv4, prefix)) | suffix)
    assert rfc6052.extract(embedded, prefix) == ipv4


@pytest.mark.parametrize(
    ("prefix", "rule"),
    [
        ("::ffff:0:0/96", "overlaps ::/8"),
        ("::/96", "overlaps ::/8"),
        ("ff0e::/96", "overlaps ff00::/8 (multicast"),
        ("fe80::/96", "overlaps fe80::/10 (link-local"),
        ("fd00:64::/96", "overlaps fc00::/7 (unique-local"),
        ("64:ff9b::/64", "the well-known prefix is 64:ff9b::/96 and no other length"),
        ("2001:db8:64::/96", None),
        ("64:ff9b::/96", None),
        ("64:ff9b:1:2::/96", None),
    ],
)
def test_special_purpose_space_is_no_nat64_prefix(prefix, rule):
    if rule is None:
        assert rfc6052.validate_prefix(prefix) == ipaddress.IPv6Network(prefix)
        return
    with pytest.raises(PlanError, match=re.escape(rule)):
        rfc6052.validate_prefix(prefix)


def test_documentation_space_is_a_nat64_prefix_only_in_a_lab():
    with pytest.raises(PlanError, match=r"overlaps 2001:db8::/32 \(documentation, RFC 3849\); set site.allow_doc"):
        rfc6052.validate_prefix("2001:db8:64::/96", allow_documentation=False)
