# SPDX-License-Identifier: GPL-3.0-or-later
"""Strings that reach configuration files: each kind keeps to its own syntax (plugins/module_utils/configtext.py),
and every role option that reaches a config declares its rule, so that the option table refuses the rest."""

from __future__ import annotations

import pytest

from ansible_collections.ipv6only.datacenter.plugins.module_utils import border_router, configtext, ipv6_host
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError


@pytest.mark.parametrize("name", ["v4only.example", "v4only.example.", "0.18.198.in-addr.arpa", "_dmarc.example", "a"])
def test_dns_names(name):
    assert configtext.hostname_problem(name) is None


@pytest.mark.parametrize(
    "name", ["", ".", "a..b", "-a.example", "a-.example", 'x"; forward-zone: {', "a b", "a\nb", "x" * 64, 7]
)
def test_not_dns_names(name):
    assert configtext.hostname_problem(name) is not None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2.debian.pool.ntp.org", True),
        ("2001:db8::1", True),
        ("198.51.100.1", True),
        ("fe80::1%eth0", False),
        ("198.51.100.300", False),
        ("ntp server", False),
    ],
)
def test_a_host_is_an_address_or_a_name(value, ok):
    assert (configtext.host_problem(value) is None) is ok


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("tcp dport 80 accept", None),
        ('meta comment "a; b" accept', None),
        ("ip6 saddr { 2001:db8::/32, 2001:db8:1::/48 } accept", None),
        ("tcp dport 22 accept; flush ruleset", "no ';' outside quotes and braces"),
        ("tcp dport 22 accept\nflush ruleset", "on one line"),
        ("accept\0", "on one line"),
        ('meta comment "open accept', "leaves a quote"),
        ("ip6 saddr { ::/0 accept", "leaves a brace open"),
        ("accept } chain evil {", "closes a brace it did not open"),
        ("", "non-empty"),
    ],
)
def test_an_nft_rule_is_one_rule(value, rule):
    found = configtext.nft_rule_problem(value)
    assert (found is None) if rule is None else (rule in found)


@pytest.mark.parametrize(
    ("check", "value", "refused"),
    [
        (configtext.unbound_option_problem, "prefetch: yes", False),
        (configtext.unbound_option_problem, "access-control: ::/0 allow", True),
        (configtext.unbound_option_problem, "access-control-view: ::/0 open", True),
        (configtext.unbound_option_problem, "interface: 0.0.0.0", True),
        (configtext.unbound_option_problem, "interface-automatic: yes", True),
        (configtext.bind_statement_problem, "max-cache-ttl 3600;", False),
        (configtext.bind_statement_problem, "allow-query { any; };", True),
        (configtext.bind_statement_problem, "allow-recursion { any; }", True),
        (configtext.bind_statement_problem, "listen-on-v6 { any; };", True),
        (configtext.bind_statement_problem, "recursion yes;", True),
        (configtext.bind_statement_problem, "max-cache-ttl 3600; recursion yes;", True),
        (configtext.bind_statement_problem, 'also-notify { 2001:db8::53; } ; acl "x" { any; };', True),
        (configtext.bird_problem, "protocol static lab { ipv6; route 2001:db8:ffff::/48 blackhole; }", False),
        (configtext.bird_problem, "protocol bgp leak { ipv6 { export all; }; }", True),
        (configtext.bird_problem, "protocol kernel { ipv4 { import all; }; }", True),
    ],
)
def test_pass_through_entries_set_no_access(check, value, refused):
    assert (check(value) is not None) is refused


def test_daemon_options_are_words():
    assert configtext.words_problem("-F 1 -6") is None
    assert configtext.words_problem('-F 1" ; rm -rf / "') is not None


def test_paths():
    assert configtext.path_problem("/etc/nftables.d") is None
    for bad in ("etc/nft", "/etc/nft d", "/etc/../shadow", '/etc/"x'):
        assert configtext.path_problem(bad) is not None


# Options that reach a config, and a value of each that would have been smuggled into it. Every one is refused by
# the option table (role_config) before anything is rendered.
SMUGGLED = {
    "border_router": {
        "bgp_router_id": "192.0.2.1; protocol bgp leak { ipv6 { export all; }; }",
        "tayga_tun": 'n"\nx',
        "tayga_ipv4_address": "100.127.0.1 ",
        "dns64_forwarders": ["2001:db8::53%x\nforward-addr: 203.0.113.9"],
        "dns64_allow": ["2001:db8:8000::%a b;/36"],
        "ntp_servers": ["ntp.example\nallow all"],
        "unbound_server_options": {"access-control": "::/0 allow"},
        "bind_options": ["allow-recursion { any; };"],
        "bird_extra": "protocol static s { ipv6; route ::/0 blackhole; } protocol bgp x { ipv6 { export all; }; }",
        "forward_rules": ["accept; flush ruleset"],
        "dns64_stub_zones": [{"name": 'evil."; forward-zone: {', "addresses": ["198.51.100.53"]}],
        "bgp_neighbors": [{"name": "up", "address": "2001:db8::1%eth0", "remote_as": 64496}],
        "jool_config_dir": "/etc/jool dir",
    },
    "ipv6_host": {
        "resolvers": ["2001:db8::53\nnameserver 203.0.113.9"],
        "search_domains": ["example.net options ndots:15"],
        "resolv_options": ["edns0 rotate"],
        "ntp_servers": ["ntp.example\nallow"],
        "chrony_daemon_opts": '-F 1"; touch /tmp/x; "',
        "sshd_listen_addresses": ["::%lo"],
        "ssh_allowed_prefixes": ["2001:db8::%x/32"],
        "nftables_input_rules": ["tcp dport 22 accept; flush ruleset"],
        "icmpv6_echo_rate": "50/second\n}",
        "nftables_include_dir": "/etc/nftables.d /tmp",
    },
}


TABLES = {"border_router": border_router.OPTIONS, "ipv6_host": ipv6_host.OPTIONS}


@pytest.mark.parametrize(("role", "name"), [(role, name) for role, values in SMUGGLED.items() for name in values])
def test_every_option_that_reaches_a_config_refuses_what_its_syntax_does_not_allow(role, name):
    table = TABLES[role]
    values = {"name": "br1", "routers": ["br1"], name: SMUGGLED[role][name]}
    with pytest.raises(PlanError) as caught:
        table.convert(values)
    assert len(caught.value.problems) == 1, caught.value.problems
    assert caught.value.problems[0].startswith(table.var(name)), caught.value.problems
