# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's switched networks: traffic between client1, client2 and the border routers crosses sw1, and sw1's
guards bite (a rogue RA, a rogue DHCPv6 server and a spoofed source from client1 reach neither client2 nor the
routers), each beside a control that does arrive. The Molecule scenario `switch` goes further (fragments, NA
targets, MLD, LLDP); these are the end-to-end checks of the datacenter `make lab` builds."""

from __future__ import annotations

import ipaddress
import json

import pytest
from conftest import VIEW
from labtest import Probe, run

SWITCHES = VIEW.config.get("switches") or []
pytestmark = pytest.mark.skipif(not SWITCHES, reason="this lab wires no network through a switch (lab.switches)")

PROBE = Probe(VIEW)
PLAN = VIEW.plan


def port_of(node: str, network: str) -> tuple[str, str]:
    """(switch, port) of a node's link on a network."""
    for switch in SWITCHES:
        for name, port in PLAN["switches"][switch]["ports"].items():
            if (port["node"], port["network"]) == (node, network):
                return switch, name
    raise AssertionError(f"no port leads to {node} on {network}")


def test_sw1_learns_client1_and_br1_on_their_planned_ports():
    br1 = PLAN["hosts"]["br1"]["addresses"]["servers"]
    run(VIEW.node("client1"), f"ping -c2 -W2 {br1}")
    switch, client_port = port_of("client1", "servers")
    _, router_port = port_of("br1", "servers")
    bridge = PLAN["switches"][switch]["bridges"]["servers"]["name"]
    fdb = json.loads(run(VIEW.node(switch), f"bridge -j fdb show br {bridge}").stdout)
    learned = {entry["mac"]: entry["ifname"] for entry in fdb}
    assert learned.get(PROBE.mac("client1")) == client_port, fdb
    assert learned.get(PROBE.mac("br1", VIEW.hostvars["br1"]["lab_interfaces"]["servers"])) == router_port, fdb


def test_a_rogue_router_advertisement_from_client1_reaches_no_one_while_br1s_does():
    client1 = PROBE.mac("client1")
    iface = VIEW.hostvars["br1"]["lab_interfaces"]["servers"]
    br1 = PROBE.mac("br1", iface)

    def send() -> None:
        PROBE.send("client1", "ra")
        PROBE.send("br1", "--iface", iface, "ra")

    captured = PROBE.capture("client2", send, f"icmp6 and (ether src {client1} or ether src {br1})")
    kinds = {(p["mac"], p["kind"]) for p in captured}
    assert (br1, "ra") in kinds, captured
    assert not any(mac == client1 for mac, _ in kinds), captured


def test_a_dhcpv6_server_on_client1_reaches_no_one():
    client1 = PROBE.mac("client1")
    target = run(VIEW.node("client2"), "ip -6 -o addr show dev eth0 scope link").stdout.split()[3].split("/")[0]

    def send() -> None:
        to = ["--dst", target, "--dst-mac", PROBE.mac("client2")]
        PROBE.send("client1", "dhcpv6-reply", *to)
        PROBE.send("client1", "dhcpv6-reply", *to, "--sport", "5470")

    captured = PROBE.capture("client2", send, f"ether src {client1} and udp")
    assert {p.get("sport") for p in captured} == {5470}, captured  # only the control, from another port than 547


def test_client1_spoofing_an_address_of_its_network_reaches_no_one():
    client1, client2 = VIEW.addr("client1", "servers"), VIEW.addr("client2", "servers")
    spoofed = str(ipaddress.IPv6Network(PLAN["networks"]["servers"]["prefix"]).network_address + 0x999)

    def send() -> None:
        to = ["--dst", client2, "--dst-mac", PROBE.mac("client2")]
        PROBE.send("client1", "echo", "--src", spoofed, *to)
        PROBE.send("client1", "echo", "--src", client1, *to)

    captured = PROBE.capture("client2", send, f"ether src {PROBE.mac('client1')} and icmp6")
    assert {p["src"] for p in captured if p["kind"] == "echo"} == {client1}, captured
