# SPDX-License-Identifier: GPL-3.0-or-later
"""The switch's bridge helper, run for real in a network namespace: bridges, ports, MLD knobs and sysctls."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from ansible_collections.ipv6only.datacenter.plugins.module_utils import switch_bridges

HELPER = Path(switch_bridges.__file__)
OPTIONS = {"mcast_snooping": 1, "mcast_querier": 1, "mcast_mld_version": 2, "mcast_query_interval": 12500}


def config(**bridges) -> dict:
    return {"bridges": [{"name": name, "ports": ports, "options": OPTIONS} for name, ports in bridges.items()]}


@pytest.fixture
def netns():
    """A namespace with veth pairs swp1-swp3 (the switch's ports; their peers stay in the namespace, down)."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    name = f"ut-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        for k in (1, 2, 3):
            subprocess.run(
                ["ip", "-n", name, "link", "add", f"swp{k}", "type", "veth", "peer", "name", f"peer{k}"], check=True
            )
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def helper(ns: str, tmp_path: Path, cfg: dict, action: str, previous: dict | None = None):
    path = tmp_path / "bridges.json"
    path.write_text(json.dumps(cfg))
    args = ["--config", str(path)]
    if previous is not None:
        (tmp_path / "previous.json").write_text(json.dumps(previous))
        args += ["--previous", str(tmp_path / "previous.json")]
    return subprocess.run(
        ["ip", "netns", "exec", ns, "/usr/bin/python3", str(HELPER), *args, action],
        capture_output=True,
        text=True,
        check=False,
    )


def link(ns: str, dev: str) -> dict:
    out = subprocess.run(["ip", "-n", ns, "-d", "-j", "link", "show", "dev", dev], check=True, capture_output=True)
    return json.loads(out.stdout)[0]


def sysctl(ns: str, dev: str, key: str) -> str:
    cmd = ["ip", "netns", "exec", ns, "cat", f"/proc/sys/net/ipv6/conf/{dev}/{key}"]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def test_the_helper_builds_the_bridges_then_finds_nothing_to_do(netns, tmp_path):
    cfg = config(**{"br-servers": ["swp1", "swp2"], "br-vms": ["swp3"]})
    planned = helper(netns, tmp_path, cfg, "plan")
    assert planned.returncode == 0, planned.stderr
    changes = json.loads(planned.stdout)["changes"]
    assert changes[:4] == [
        "+ bridge br-servers",
        "~ br-servers accept_ra 0",
        "~ br-servers autoconf 0",
        "up br-servers",
    ]
    assert changes[-3:] == ["~ swp3 disable_ipv6 1", "+ swp3 on br-vms", "up swp3"]
    assert subprocess.run(["ip", "-n", netns, "link", "show", "br-servers"], capture_output=True).returncode != 0

    applied = helper(netns, tmp_path, cfg, "apply")
    assert applied.returncode == 0, applied.stderr
    bridge = link(netns, "br-servers")
    data = bridge["linkinfo"]["info_data"]
    assert (data["mcast_snooping"], data["mcast_querier"], data["mcast_mld_version"]) == (1, 1, 2)
    assert data["mcast_query_intvl"] == 12500
    assert "UP" in bridge["flags"]
    assert (sysctl(netns, "br-servers", "accept_ra"), sysctl(netns, "br-servers", "autoconf")) == ("0", "0")
    assert [link(netns, p).get("master") for p in ("swp1", "swp2", "swp3")] == ["br-servers", "br-servers", "br-vms"]
    assert sysctl(netns, "swp1", "disable_ipv6") == "1"

    again = helper(netns, tmp_path, cfg, "plan")
    assert json.loads(again.stdout) == {"changed": False, "changes": []}


def test_drift_is_set_back_and_ports_and_bridges_no_longer_planned_are_released(netns, tmp_path):
    first = config(**{"br-servers": ["swp1", "swp2"], "br-vms": ["swp3"]})
    assert helper(netns, tmp_path, first, "apply").returncode == 0
    subprocess.run(["ip", "-n", netns, "link", "set", "br-servers", "type", "bridge", "mcast_querier", "0"], check=True)
    subprocess.run(["ip", "-n", netns, "link", "set", "swp1", "down"], check=True)

    second = config(**{"br-servers": ["swp1"]})
    planned = helper(netns, tmp_path, second, "plan", previous=first)
    assert json.loads(planned.stdout)["changes"] == [
        "~ br-servers mcast_querier 0 -> 1",
        "up swp1",
        "- swp2 from br-servers",
        "- bridge br-vms",
    ]
    applied = helper(netns, tmp_path, second, "apply", previous=first)
    assert applied.returncode == 0, applied.stderr
    assert link(netns, "swp2").get("master") is None
    assert subprocess.run(["ip", "-n", netns, "link", "show", "br-vms"], capture_output=True).returncode != 0
    assert link(netns, "br-servers")["linkinfo"]["info_data"]["mcast_querier"] == 1


def test_a_missing_port_or_a_taken_name_is_one_clear_error_and_changes_nothing(netns, tmp_path):
    missing = helper(netns, tmp_path, config(**{"br-servers": ["swp1", "swp9"]}), "apply")
    assert missing.returncode == 1
    assert "port swp9 of br-servers: no such interface here (there are: lo, peer1, peer2, peer3, swp1, swp2, swp3)" in (
        missing.stderr
    )
    assert subprocess.run(["ip", "-n", netns, "link", "show", "br-servers"], capture_output=True).returncode != 0
    taken = helper(netns, tmp_path, config(**{"swp3": ["swp1"]}), "apply")
    assert "bridge swp3: the name is taken by an interface of kind veth" in taken.stderr
    twice = helper(netns, tmp_path, config(**{"br-a": ["swp1"], "br-b": ["swp1"]}), "plan")
    assert "port swp1: on two bridges, br-a and br-b" in twice.stderr
