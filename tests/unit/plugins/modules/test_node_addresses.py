# SPDX-License-Identifier: GPL-3.0-or-later
"""The module ipv6only.datacenter.node_addresses on real interfaces, in a network namespace: check mode changes
nothing and reports the diff, a real run converges and writes the boot configuration, a second run changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
MODULE = "ansible_collections.ipv6only.datacenter.plugins.modules.node_addresses"


@pytest.fixture
def netns():
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    name = f"ut-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        for args in (
            ["link", "add", "eth0", "type", "veth", "peer", "name", "eth1"],
            ["link", "set", "eth0", "up"],
            ["link", "set", "eth1", "up"],
            ["address", "add", "198.18.7.1/24", "dev", "eth0"],
            ["address", "add", "198.18.8.1/24", "dev", "eth1"],
            ["address", "add", "2001:db8:100:10::99/64", "dev", "eth1"],
        ):
            subprocess.run(["ip", "-n", name, *args], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def run_module(ns: str, tmp_path: Path, check: bool = False, **args) -> dict:
    argsfile = tmp_path / f"args-{uuid.uuid4().hex}.json"
    module_args = {**args, "_ansible_check_mode": check, "_ansible_diff": True}
    argsfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": module_args}))
    env = {**os.environ, "PYTHONPATH": str(REPO / "collections")}
    cmd = ["ip", "netns", "exec", ns, sys.executable, "-m", MODULE, str(argsfile)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    return json.loads(proc.stdout)


def global_addresses(ns: str) -> dict[str, list[str]]:
    out = json.loads(subprocess.run(["ip", "-n", ns, "-j", "address"], check=True, capture_output=True).stdout)
    return {
        link["ifname"]: sorted(f"{a['local']}/{a['prefixlen']}" for a in link["addr_info"] if a.get("scope") != "link")
        for link in out
        if link["ifname"] != "lo"
    }


ARGS = {
    "addresses": {"mgmt": "2001:db8:100:1::31", "servers": "2001:db8:100:10::31"},
    "prefixes": {"mgmt": "2001:db8:100:1::/64", "servers": "2001:db8:100:10::/64"},
    "interfaces": {"mgmt": "eth0"},
    "ipv4_allowed": ["198.18.8.0/24"],
}


def test_check_mode_reports_and_changes_nothing(netns, tmp_path):
    before = global_addresses(netns)
    result = run_module(netns, tmp_path, check=True, **ARGS, boot_config=str(tmp_path / "boot.json"))
    assert result["changed"] is True
    # servers is found on eth1, which holds an address in its prefix; eth1's IPv4 is allowed, eth0's is not.
    assert result["interfaces"] == {"mgmt": "eth0", "servers": "eth1"}
    assert result["changes"] == [
        "+ eth0 2001:db8:100:1::31/64",
        "+ eth1 2001:db8:100:10::31/64",
        "- eth0 198.18.7.1/24",
    ]
    assert result["diff"][0]["before"] == "eth0: 198.18.7.1/24\neth1: 198.18.8.1/24 2001:db8:100:10::99/64\n"
    assert (
        result["diff"][0]["after"]
        == "eth0: 2001:db8:100:1::31/64\neth1: 198.18.8.1/24 2001:db8:100:10::31/64 2001:db8:100:10::99/64\n"
    )
    assert global_addresses(netns) == before
    assert not (tmp_path / "boot.json").exists()


def test_apply_converges_writes_the_boot_config_then_changes_nothing(netns, tmp_path):
    boot = tmp_path / "ipv6-host" / "addresses.json"
    first = run_module(netns, tmp_path, **ARGS, boot_config=str(boot))
    assert first["changed"] is True and first["boot_config_changed"] is True, first
    assert global_addresses(netns) == {
        "eth0": ["2001:db8:100:1::31/64"],
        "eth1": ["198.18.8.1/24", "2001:db8:100:10::31/64", "2001:db8:100:10::99/64"],
    }
    written = json.loads(boot.read_text())
    assert written["interfaces"] == {"mgmt": "eth0", "servers": "eth1"}  # resolved, so the boot applies the same
    second = run_module(netns, tmp_path, **ARGS, boot_config=str(boot))
    assert second["changed"] is False and second["changes"] == [], second
    assert run_module(netns, tmp_path, check=True, **ARGS, boot_config=str(boot))["changed"] is False


def test_an_ambiguous_network_fails_naming_the_candidates(netns, tmp_path):
    result = run_module(
        netns, tmp_path, addresses={"vms": "2001:db8:100:2::7"}, prefixes={"vms": "2001:db8:100:2::/64"}
    )
    assert result["failed"] is True
    assert (
        "network vms (2001:db8:100:2::/64): cannot tell which interface it is on (candidates: eth0, eth1)"
        in result["msg"]
    )
    assert "198.18.7.1/24" in global_addresses(netns)["eth0"]
