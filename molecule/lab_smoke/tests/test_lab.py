# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab slice is wired as the topology says, seen from inside the nodes (podman:// backend)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests"))

from labtest import LabView

# Host vars written by lab/labctl.py: container names and addresses, never retyped here.
VIEW = LabView(Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).parent.parent)) / "inventory")
HOSTVARS, node = VIEW.hostvars, VIEW.node


@pytest.mark.parametrize("name", sorted(HOSTVARS))
def test_systemd_is_pid1_and_running(name):
    host = node(name)
    assert host.run("cat /proc/1/comm").stdout.strip() == "systemd"
    assert host.run("systemctl is-system-running").stdout.strip() == "running"


def test_client1_pings_br1_over_the_servers_network():
    br1 = HOSTVARS["br1"]["lab_addresses"]["servers"]
    result = node("client1").run(f"ping -6 -c 1 -W 2 {br1}")
    assert result.rc == 0, result.stdout + result.stderr


def test_client1_is_ipv6_only():
    client1 = node("client1")
    assert client1.run("ip -4 -o addr show scope global").stdout.strip() == ""
    assert client1.run("ip -4 route show").stdout.strip() == ""


def test_inet4_client_has_no_ipv6_internet():
    client = node("inet4-client")
    assert client.run("ip -6 -o addr show scope global").stdout.strip() == ""
    assert client.run("ip -6 route show default").stdout.strip() == ""
    br1 = HOSTVARS["br1"]["lab_addresses"]["inet6"]
    assert client.run(f"ping -6 -c 1 -W 1 {br1}").rc != 0


def test_inet4_client_reaches_br1_over_ipv4():
    br1 = HOSTVARS["br1"]["lab_addresses"]["inet4"]
    assert node("inet4-client").run(f"ping -4 -c 1 -W 2 {br1}").rc == 0


def test_sshd_answers_on_the_management_address():
    client1 = node("client1")
    assert client1.socket("tcp://:::22").is_listening
