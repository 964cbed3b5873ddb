# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of roles/ipv6_host/files/ipv6_host_addresses.py, the node-side address helper of the
ipv6_host role (not an Ansible module: the role pipes it to python3 and installs it for boot)."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
from pathlib import Path

import pytest

HELPER = Path(__file__).resolve().parents[4] / "roles" / "ipv6_host" / "files" / "ipv6_host_addresses.py"
_spec = importlib.util.spec_from_file_location("ipv6_host_addresses", HELPER)
helper = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helper)


def state(links: dict, routes6=()) -> dict:
    """links: {ifname: [addresses with /len]}; 'lo' is the loopback."""
    return {
        "links": {
            name: {"loopback": name == "lo", "addrs": [ipaddress.ip_interface(a) for a in addrs]}
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


def test_plan_keeps_ipv4_when_told():
    st = state({"lo": LO, "eth0": ["2001:db8:100:1::31/64", "10.88.0.5/16"]})
    assert helper.plan(config(remove_ipv4=False), st)["changed"] is False


def test_plan_requires_the_prefix_of_each_network():
    with pytest.raises(helper.ConfigError, match="network vms: no prefix given"):
        helper.plan(config(addresses={"vms": "2001:db8:100:2::7"}), state({"lo": LO, "eth0": []}))


# --- the command line and apply -----------------------------------------------------------------------------------


def test_main_plan_prints_json(monkeypatch, capsys):
    monkeypatch.setattr(helper, "read_state", lambda: state({"lo": LO, "eth0": ["10.0.0.2/24"]}))
    assert helper.main(["--config-json", json.dumps(config()), "plan"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changes"] == ["+ eth0 2001:db8:100:1::31/64", "- eth0 10.0.0.2/24"]


def test_main_reports_errors(monkeypatch, capsys):
    monkeypatch.setattr(helper, "read_state", lambda: state({"lo": LO, "eth0": [], "eth1": []}))
    assert helper.main(["--config-json", json.dumps(config()), "plan"]) == 1
    assert "cannot tell which interface" in capsys.readouterr().err
    assert helper.main(["--config-json", "{not json", "plan"]) == 1


def test_main_reads_a_config_file(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(helper, "read_state", lambda: state({"lo": LO, "eth0": ["2001:db8:100:1::31/64"]}))
    path = tmp_path / "addresses.json"
    path.write_text(json.dumps(config()))
    assert helper.main(["--config", str(path), "plan"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] is False


def test_apply_runs_ip_and_verifies(monkeypatch):
    before = state({"lo": LO, "eth0": ["2001:db8:100:1::31/128", "10.0.0.2/24", "10.0.0.3/24"]})
    after = state({"lo": LO, "eth0": ["2001:db8:100:1::31/64"]})
    states = iter([before, after])
    calls = []

    def fake_ip(*args):
        calls.append(args)
        if args[2] == "10.0.0.3/24":  # removed with its primary already
            raise helper.ConfigError("ip address del failed: Cannot assign requested address")

    monkeypatch.setattr(helper, "read_state", lambda: next(states))
    monkeypatch.setattr(helper, "run_ip", fake_ip)
    done = helper.apply(config())
    assert done["changed"] is True
    # The IPv6 address is fixed before any IPv4 address goes.
    assert calls[:2] == [
        ("address", "del", "2001:db8:100:1::31/128", "dev", "eth0"),
        ("address", "add", "2001:db8:100:1::31/64", "dev", "eth0"),
    ]
    assert ("address", "del", "10.0.0.2/24", "dev", "eth0") in calls


def test_apply_fails_when_changes_remain(monkeypatch):
    stuck = state({"lo": LO, "eth0": ["10.0.0.2/24", "2001:db8:100:1::31/64"]})
    monkeypatch.setattr(helper, "read_state", lambda: stuck)
    monkeypatch.setattr(helper, "run_ip", lambda *args: None)
    with pytest.raises(helper.ConfigError, match=r"changes still pending after apply: - eth0 10.0.0.2/24"):
        helper.apply(config())
