# SPDX-License-Identifier: GPL-3.0-or-later
"""plugins/module_utils/node_addresses.py: the pure interface resolver and planner, and the boot helper (the same file)
changing real interfaces in a network namespace, with the venv's pyroute2 and with Debian's (0.7.x), where the
system Python has it."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ansible_collections.ipv6only.datacenter.plugins.module_utils import node_addresses as helper

HELPER = Path(helper.__file__)


def state(links: dict, routes6=()) -> dict:
    """links: {ifname: [addresses with /len]}; 'lo' is the loopback."""
    return {
        "links": {
            name: {"index": None, "loopback": name == "lo", "addrs": [ipaddress.ip_interface(a) for a in addrs]}
            for name, addrs in links.items()
        },
        "routes6": [(ipaddress.ip_network(dst), dev) for dst, dev in routes6],
    }


LO = ["127.0.0.1/8", "::1/128"]
MGMT = "2001:db8:100:1::/64"
SERVERS = "2001:db8:100:10::/64"


def config(**overrides):
    base = {
        "addresses": {"mgmt": "2001:db8:100:1::31"},
        "prefixes": {"mgmt": MGMT, "servers": SERVERS},
        "prefixlen": 64,
        "interfaces": {},
        "remove_ipv4": True,
        "ipv4_allowed": [],
    }
    return base | overrides


# --- interface selection ----------------------------------------------------------------------------------------


def test_resolve_explicit_interface():
    st = state({"lo": LO, "eth0": [], "eth1": []})
    assert helper.resolve_interface("mgmt", MGMT, "eth1", st) == "eth1"


def test_resolve_explicit_interface_must_exist():
    with pytest.raises(helper.ConfigError, match="interface eno9 does not exist"):
        helper.resolve_interface("mgmt", MGMT, "eno9", state({"lo": LO, "eth0": []}))


def test_resolve_by_address_in_prefix():
    st = state({"lo": LO, "eth0": ["2001:db8:100:10::5/64"], "eth1": ["2001:db8:100:1::99/64", "fe80::1/64"]})
    assert helper.resolve_interface("mgmt", MGMT, None, st) == "eth1"
    assert helper.resolve_interface("servers", SERVERS, None, st) == "eth0"


def test_resolve_by_onlink_route():
    st = state(
        {"lo": LO, "eth0": ["fe80::1/64"], "eth1": ["fe80::2/64"]}, routes6=[(MGMT, "eth1"), ("fe80::/64", "eth0")]
    )
    assert helper.resolve_interface("mgmt", MGMT, None, st) == "eth1"


def test_resolve_single_interface():
    assert helper.resolve_interface("mgmt", MGMT, None, state({"lo": LO, "eno1": ["fe80::1/64"]})) == "eno1"


def test_resolve_ambiguous_names_the_candidates():
    with pytest.raises(
        helper.ConfigError, match=r"network mgmt .*candidates: eth0, eth1\); name it in ipv6_host_interfaces"
    ):
        helper.resolve_interface("mgmt", MGMT, None, state({"lo": LO, "eth0": [], "eth1": []}))


def test_resolve_two_interfaces_in_the_prefix_is_an_error():
    st = state({"lo": LO, "eth0": ["2001:db8:100:1::5/64"], "eth1": ["2001:db8:100:1::6/64"]})
    with pytest.raises(helper.ConfigError, match=r"candidates: eth0, eth1"):
        helper.resolve_interface("mgmt", MGMT, None, st)


def test_resolve_link_local_does_not_count():
    st = state({"lo": LO, "eth0": ["fe80::1/64"], "eth1": []})
    with pytest.raises(helper.ConfigError):
        helper.resolve_interface("mgmt", "fe80::/64", None, st)


# --- planning ---------------------------------------------------------------------------------------------------


def test_plan_adds_missing_address():
    got = helper.plan(config(), state({"lo": LO, "eth0": ["fe80::1/64"]}))
    assert got["add"] == [{"interface": "eth0", "address": "2001:db8:100:1::31/64"}]
    assert got["remove"] == [] and got["changed"] is True
    assert got["interfaces"] == {"mgmt": "eth0"}
    assert got["changes"] == ["+ eth0 2001:db8:100:1::31/64"]


def test_plan_is_empty_when_converged():
    got = helper.plan(config(), state({"lo": LO, "eth0": ["2001:db8:100:1::31/64", "fe80::1/64"]}))
    assert got["changed"] is False and got["add"] == [] and got["remove"] == []


def test_plan_fixes_a_wrong_prefix_length():
    got = helper.plan(config(), state({"lo": LO, "eth0": ["2001:db8:100:1::31/128"]}))
    assert got["remove"] == [{"interface": "eth0", "address": "2001:db8:100:1::31/128"}]
    assert got["add"] == [{"interface": "eth0", "address": "2001:db8:100:1::31/64"}]


def test_plan_several_networks():
    cfg = config(addresses={"mgmt": "2001:db8:100:1::31", "servers": "2001:db8:100:10::31"})
    st = state({"lo": LO, "eth0": ["2001:db8:100:1::31/64"], "eth1": ["2001:db8:100:10::99/64"]})
    got = helper.plan(cfg, st)
    assert got["interfaces"] == {"mgmt": "eth0", "servers": "eth1"}
    assert got["add"] == [{"interface": "eth1", "address": "2001:db8:100:10::31/64"}]


def test_plan_removes_ipv4_but_loopback_and_allowed():
    st = state(
        {
            "lo": [*LO, "127.0.0.53/8"],
            "eth0": ["2001:db8:100:1::31/64", "10.88.0.5/16", "198.51.100.10/27", "198.18.3.4/24"],
        }
    )
    got = helper.plan(config(ipv4_allowed=["198.51.100.10", "198.18.0.0/15"]), st)
    assert got["remove"] == [{"interface": "eth0", "address": "10.88.0.5/16"}]
    assert got["changes"] == ["- eth0 10.88.0.5/16"]


def test_plan_removes_ipv4_only_from_site_interfaces_on_a_router():
    st = state({"lo": LO, "eth0": ["2001:db8:100:1::31/64", "10.88.0.5/16"], "eth3": ["198.18.0.11/24"]})
    got = helper.plan(config(remove_ipv4_from="site"), st)
    assert got["changes"] == ["- eth0 10.88.0.5/16"]
    assert helper.plan(config(), st)["changes"] == ["- eth0 10.88.0.5/16", "- eth3 198.18.0.11/24"]
    with pytest.raises(helper.ConfigError, match="remove_ipv4_from 'uplink': must be all or site"):
        helper.plan(config(remove_ipv4_from="uplink"), st)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "non-empty"),
        ("x" * 16, "longer than 15 bytes"),
        ("eth0:1", "not a valid interface name"),
        ("a b", "not a valid interface name"),
        ("..", "not a valid interface name"),
        (7, "non-empty string"),
    ],
)
def test_interface_names_follow_the_kernels_rule(name, rule):
    assert rule in helper.ifname_problem(name)
    assert helper.ifname_problem("eth0.100") is None and helper.ifname_problem("x" * 15) is None


def test_plan_keeps_ipv4_when_told():
    st = state({"lo": LO, "eth0": ["2001:db8:100:1::31/64", "10.88.0.5/16"]})
    assert helper.plan(config(remove_ipv4=False), st)["changed"] is False


def test_plan_requires_the_prefix_of_each_network():
    with pytest.raises(helper.ConfigError, match="network vms: no prefix given"):
        helper.plan(config(addresses={"vms": "2001:db8:100:2::7"}), state({"lo": LO, "eth0": []}))


# --- Ansible's facts -----------------------------------------------------------------------------------------------


def test_state_from_facts_feeds_the_same_resolver():
    facts = {
        "interfaces": ["lo", "eth0", "eth1"],
        "lo": {"device": "lo", "type": "loopback", "ipv4": {"address": "127.0.0.1", "netmask": "255.0.0.0"}},
        "eth0": {"device": "eth0", "ipv6": [{"address": "2001:db8:100:1::99", "prefix": "64"}]},
        "eth1": {"device": "eth1", "ipv4": {"address": "198.18.0.11", "netmask": "255.255.255.0"}},
    }
    st = helper.state_from_facts(facts)
    assert st["links"]["lo"]["loopback"] is True
    assert helper.resolve_interface("mgmt", MGMT, None, st) == "eth0"
    assert [str(a) for a in st["links"]["eth1"]["addrs"]] == ["198.18.0.11/24"]


# --- the real thing: the boot helper in a network namespace ---------------------------------------------------------


# The venv's Python (PyPI's pyroute2) and Debian's (python3-pyroute2 0.7.x, which lab/host-setup.sh installs): the
# helper runs on managed hosts with Debian's, so both must work.
PYTHONS = [sys.executable, "/usr/bin/python3"]


@pytest.fixture
def netns():
    """A network namespace with lo, and a veth pair (eth0, peer0) carrying IPv4 to remove and a stale IPv6 length."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    name = f"ut-{uuid.uuid4().hex[:8]}"
    run = lambda *a: subprocess.run(["ip", "-n", name, *a], check=True, capture_output=True)  # noqa: E731
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        run("link", "set", "lo", "up")
        run("link", "add", "eth0", "type", "veth", "peer", "name", "peer0")
        for dev in ("eth0", "peer0"):
            run("link", "set", dev, "up")
        run("address", "add", "198.18.7.1/24", "dev", "eth0")
        run("address", "add", "198.18.7.2/24", "dev", "eth0")  # a secondary: goes with its primary
        run("address", "add", "2001:db8:100:1::31/128", "dev", "eth0")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def addresses(ns: str, dev: str) -> list[str]:
    out = subprocess.run(["ip", "-n", ns, "-j", "address", "show", "dev", dev], check=True, capture_output=True)
    return sorted(f"{a['local']}/{a['prefixlen']}" for a in json.loads(out.stdout)[0]["addr_info"])


def helper_run(ns: str, python: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ip", "netns", "exec", ns, python, str(HELPER), *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("python", PYTHONS)
def test_helper_plans_then_applies_in_a_namespace(netns, python):
    cfg = json.dumps(config(interfaces={"mgmt": "eth0"}))
    planned = helper_run(netns, python, "--config-json", cfg, "plan")
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["changes"] == [
        "+ eth0 2001:db8:100:1::31/64",
        "- eth0 2001:db8:100:1::31/128",
        "- eth0 198.18.7.1/24",
        "- eth0 198.18.7.2/24",
    ]
    assert "198.18.7.1/24" in addresses(netns, "eth0")  # plan changed nothing
    applied = helper_run(netns, python, "--config-json", cfg, "apply")
    assert applied.returncode == 0, applied.stderr
    assert [a for a in addresses(netns, "eth0") if not a.startswith("fe80:")] == ["2001:db8:100:1::31/64"]
    again = helper_run(netns, python, "--config-json", cfg, "plan")
    assert json.loads(again.stdout)["changed"] is False


@pytest.mark.parametrize("python", PYTHONS)
def test_helper_finds_the_interface_and_reads_a_config_file(netns, python, tmp_path):
    # eth0 and peer0 are both candidates until one holds an address in the prefix.
    path = tmp_path / "addresses.json"
    path.write_text(json.dumps(config(remove_ipv4=False)))
    found = helper_run(netns, python, "--config", str(path), "plan")
    assert json.loads(found.stdout)["interfaces"] == {"mgmt": "eth0"}
    subprocess.run(["ip", "-n", netns, "address", "flush", "dev", "eth0"], check=True)
    ambiguous = helper_run(netns, python, "--config", str(path), "apply")
    assert ambiguous.returncode == 1
    assert "cannot tell which interface it is on (candidates: eth0, peer0)" in ambiguous.stderr
