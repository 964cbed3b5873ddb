# SPDX-License-Identifier: GPL-3.0-or-later
"""sw1 is the L2 device of the servers network: traffic crosses it, and its guards bite.

Every guard is shown biting with a control beside it: the same crafted packet from a port the guard allows (or
the same sender with an allowed value) does arrive, so an empty capture means the switch dropped the packet,
not that the capture saw nothing.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import subprocess

import pytest
from conftest import PLAN, PROBE, SCENARIO, VIEW, addr, node, recap, run, wait_for

SW1 = PLAN["switches"]["sw1"]
BRIDGE = SW1["bridges"]["servers"]["name"]
PORT = {(p["node"], p["network"]): name for name, p in SW1["ports"].items()}
CLIENT1, CLIENT2 = addr("client1", "servers"), addr("client2", "servers")
BR1_SERVERS = PLAN["hosts"]["br1"]["addresses"]["servers"]
BR1_IFACE = VIEW.hostvars["br1"]["lab_interfaces"]["servers"]
SERVERS = ipaddress.IPv6Network(PLAN["networks"]["servers"]["prefix"])


def reaches(source: str, target: str) -> bool:
    return node(source).run(f"ping -c1 -W2 {target}").rc == 0


def from_mac(captured: list[dict], mac: str, kinds: tuple[str, ...] = ()) -> list[dict]:
    return [p for p in captured if p["mac"] == mac and (not kinds or p["kind"] in kinds)]


# --- traffic crosses the switch ----------------------------------------------------------------------------------


def test_the_switch_learns_client1_and_br1_on_their_planned_ports():
    assert reaches("client1", BR1_SERVERS)
    fdb = json.loads(run(node("sw1"), f"bridge -j fdb show br {BRIDGE}").stdout)
    learned = {entry["mac"]: entry["ifname"] for entry in fdb if entry.get("state") != "permanent"}
    assert learned.get(PROBE.mac("client1")) == PORT[("client1", "servers")], fdb
    assert learned.get(PROBE.mac("br1", BR1_IFACE)) == PORT[("br1", "servers")], fdb


def test_taking_the_bridge_down_cuts_client1_off_from_br1_and_bringing_it_up_restores_the_path():
    assert reaches("client1", BR1_SERVERS)
    try:
        run(node("sw1"), f"ip link set {BRIDGE} down")
        assert not reaches("client1", BR1_SERVERS)
    finally:
        run(node("sw1"), f"ip link set {BRIDGE} up")
    restored, _ = wait_for(lambda: reaches("client1", BR1_SERVERS), timeout=20)
    assert restored


# --- RA guard ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["plain", "destopt", "frag"], ids=["plain", "behind-extension-header", "fragmented"])
def test_a_rogue_ra_from_client1_does_not_reach_client2_while_a_routers_does(form):
    """An RA with a prefix and a PREF64 option; behind a destination-options header, and fragmented so that the
    ICMPv6 header is in the second fragment (both RFC 7113)."""
    client1, br1 = PROBE.mac("client1"), PROBE.mac("br1", BR1_IFACE)
    args = ["ra"] if form == "plain" else ["ra", f"--{form}"]
    fragmented = form == "frag"

    def send() -> None:
        PROBE.send("client1", *args)
        PROBE.send("br1", "--iface", BR1_IFACE, *args)

    captured = PROBE.capture("client2", send, f"ether src {client1} or ether src {br1}")
    kinds = ("fragment",) if fragmented else ("ra",)
    assert from_mac(captured, br1, kinds), captured  # the control: the same RA from a router port arrives
    assert not from_mac(captured, client1), captured


def test_br1s_own_router_advertisement_still_reaches_client2():
    # radvd on br1 (prepare.yml); rdisc6 solicits and prints the advertised prefix.
    out = run(node("client2"), "rdisc6 -1 -w 3000 -r 3 eth0").stdout
    assert str(SERVERS) in out.replace(" ", ""), out


# --- DHCPv6 guard -----------------------------------------------------------------------------------------------


def test_a_rogue_dhcpv6_server_on_client1_does_not_reach_client2():
    client1 = PROBE.mac("client1")
    target = run(node("client2"), "ip -6 -o addr show dev eth0 scope link").stdout.split()[3].split("/")[0]

    def send() -> None:
        to = ["--dst", target, "--dst-mac", PROBE.mac("client2")]
        PROBE.send("client1", "dhcpv6-reply", *to)
        PROBE.send("client1", "dhcpv6-reply", *to, "--sport", "5470")  # the control: not port 547

    captured = PROBE.capture("client2", send, f"ether src {client1} and udp")
    assert {p.get("sport") for p in from_mac(captured, client1)} == {5470}, captured


# --- source guard -----------------------------------------------------------------------------------------------


def test_client1_sending_from_an_address_not_its_own_reaches_no_one():
    client1 = PROBE.mac("client1")
    spoofed = str(SERVERS.network_address + 0x999)

    def send() -> None:
        to = ["--dst", CLIENT2, "--dst-mac", PROBE.mac("client2")]
        PROBE.send("client1", "echo", "--src", spoofed, *to)
        PROBE.send("client1", "echo", "--src", CLIENT1, *to)  # the control: its planned address

    captured = PROBE.capture("client2", send, f"ether src {client1} and icmp6")
    sources = {p["src"] for p in from_mac(captured, client1, ("echo",))}
    assert sources == {CLIENT1}, captured


def test_client1_cannot_claim_client2s_address_in_a_neighbor_advertisement():
    client1 = PROBE.mac("client1")

    def send() -> None:
        PROBE.send("client1", "na", "--target", CLIENT2)
        PROBE.send("client1", "na", "--target", CLIENT1)  # the control: its own address

    captured = PROBE.capture("br1", send, f"ether src {client1} and icmp6", iface=BR1_IFACE)
    assert len(from_mac(captured, client1, ("na",))) == 3, captured  # only the three with its own target


# --- LLDP -------------------------------------------------------------------------------------------------------


def lldp_neighbors(name: str) -> dict[str, dict[str, str]]:
    """{port: {name, mgmt-ip}} from lldpcli's key-value output."""
    found: dict[str, dict[str, str]] = {}
    for line in node(name).run("lldpcli -f keyvalue show neighbors").stdout.splitlines():
        key, _, value = line.partition("=")
        parts = key.split(".")
        if len(parts) == 4 and parts[0] == "lldp" and parts[2] == "chassis" and parts[3] in ("name", "mgmt-ip"):
            # The chassis name is the node's FQDN; the plan's name is its first label.
            found.setdefault(parts[1], {})[parts[3]] = value.split(".")[0] if parts[3] == "name" else value
    return found


def test_sw1_lists_br1_br2_and_client1_with_their_ipv6_management_addresses():
    want = {
        PORT[("br1", "servers")]: {"name": "br1", "mgmt-ip": PLAN["hosts"]["br1"]["ipv6"]},
        PORT[("br2", "servers")]: {"name": "br2", "mgmt-ip": PLAN["hosts"]["br2"]["ipv6"]},
        PORT[("client1", "servers")]: {"name": "client1", "mgmt-ip": CLIENT1},
    }
    seen, _ = wait_for(lambda: (n := lldp_neighbors("sw1")) and all(n.get(p) == v for p, v in want.items()), 45)
    assert seen, lldp_neighbors("sw1")


def test_sw1_advertises_its_management_address_never_a_link_local_one():
    port = "eth0"
    seen, _ = wait_for(lambda: lldp_neighbors("client1").get(port), 45)
    assert seen == {"name": "sw1", "mgmt-ip": SW1["management"]["ipv6"]}, lldp_neighbors("client1")


def test_lldp_runs_on_site_interfaces_only_never_on_a_routers_uplink():
    out = run(node("br1"), "lldpcli -f keyvalue show interfaces").stdout
    interfaces = {line.split(".")[1] for line in out.splitlines() if line.startswith("lldp.")}
    site = set(VIEW.hostvars["br1"]["ipv6_host_interfaces"].values())
    assert interfaces == site, out  # mgmt, servers and vms; not inet4 and inet6


# --- MLD snooping with a querier ----------------------------------------------------------------------------------


def solicited_node(address: str) -> str:
    low = int(ipaddress.IPv6Address(address)) & 0xFFFFFF
    return str(ipaddress.IPv6Address((0xFF02 << 112) | (1 << 32) | (0xFF << 24) | low))


def mdb_timer(group: str, port: str) -> float | None:
    """Seconds left before the snooping switch forgets that ``port`` listens to ``group`` (None: it does not)."""
    out = json.loads(run(node("sw1"), f"bridge -j -s mdb show dev {BRIDGE}").stdout or "[]")
    entries = [e for block in out for e in block.get("mdb", []) if e.get("grp") == group and e.get("port") == port]
    return float(entries[0]["timer"]) if entries else None


SHORT_TIMERS = {
    "mcast_query_interval": 300,
    "mcast_query_response_interval": 100,
    "mcast_startup_query_interval": 300,
    "mcast_membership_interval": 700,
    "mcast_querier_interval": 650,
}
SHOWN_AS = {k: k.replace("interval", "intvl") for k in SHORT_TIMERS}


def test_the_querier_keeps_client2s_group_past_the_membership_interval_and_without_it_the_entry_expires():
    sw1, group, port = node("sw1"), solicited_node(CLIENT2), PORT[("client2", "servers")]
    listening, _ = wait_for(lambda: mdb_timer(group, port) is not None, timeout=20)
    assert listening, f"{group} is not on {port}"
    data = json.loads(run(sw1, f"ip -d -j link show {BRIDGE}").stdout)[0]["linkinfo"]["info_data"]
    before = {k: data[SHOWN_AS[k]] for k in SHORT_TIMERS} | {"mcast_querier": data["mcast_querier"]}
    assert before["mcast_querier"] == 1

    def set_bridge(values: dict) -> None:
        run(sw1, f"ip link set {BRIDGE} type bridge " + " ".join(f"{k} {v}" for k, v in values.items()))

    try:
        # A membership interval of 7 s instead of 260 s. Restarting the querier sends queries at once, so that the
        # reports that answer them set the entries' timers to the new interval.
        set_bridge(SHORT_TIMERS)
        set_bridge({"mcast_querier": 0})
        set_bridge({"mcast_querier": 1})
        refreshed, _ = wait_for(lambda: (t := mdb_timer(group, port)) is not None and t <= 7.0, timeout=15)
        assert refreshed, f"{group} on {port}: timer {mdb_timer(group, port)}"
        run(node("client2"), "sleep 16")  # more than twice the membership interval
        assert mdb_timer(group, port) is not None  # the querier's queries keep it
        assert reaches("client1", CLIENT2)
        set_bridge({"mcast_querier": 0})
        expired, took = wait_for(lambda: mdb_timer(group, port) is None, timeout=20)
        assert expired, f"{group} still on {port} after {took:.0f} s without a querier"
    finally:
        set_bridge(before)
        set_bridge({"mcast_querier": 0})
        set_bridge(before)  # the querier restarts: its queries give the entries the full interval again


# --- the switch itself --------------------------------------------------------------------------------------------


def test_sw1_has_no_ipv4_and_no_address_on_the_networks_it_bridges():
    assert run(node("sw1"), "ip -4 -o addr show scope global").stdout.strip() == ""
    for bridge in SW1["bridges"].values():
        assert run(node("sw1"), f"ip -6 -o addr show dev {bridge['name']} scope global").stdout.strip() == ""
        assert run(node("sw1"), f"ip -6 -o addr show dev {bridge['name']} scope link").stdout.strip() != ""
    for port in SW1["ports"]:
        assert run(node("sw1"), f"ip -6 -o addr show dev {port}").stdout.strip() == ""


def test_ssh_on_sw1_answers_the_jump_prefix_only():
    # From br1 on the management network: its plan address is inside the jump prefix, its link-local one is not.
    target = run(node("sw1"), "ip -6 -o addr show dev eth0 scope link").stdout.split()[3].split("/")[0]
    jump = run(node("br1"), f"nc -6 -z -w 3 -s {PLAN['hosts']['br1']['ipv6']} {SW1['management']['ipv6']} 22")
    assert jump.rc == 0, jump.stderr
    outside = run(node("br1"), f"nc -6 -z -w 3 {target}%eth0 22", ok=False)
    assert outside.rc != 0
    with socket.create_connection((SW1["management"]["ipv6"], 22), timeout=5) as sock:  # the jump host itself
        assert sock.recv(4) == b"SSH-"


# --- consent, check mode ------------------------------------------------------------------------------------------


def test_without_consent_a_guard_change_is_shown_and_nothing_is_written():
    guard = "/etc/nftables.d/switch.nft"
    run(node("sw1"), f"mv {guard} {guard}.saved")
    try:
        proc = VIEW.ansible(
            str(SCENARIO / "converge.yml"), "--limit", "sw1", "-e", "ipv6_host_allow_disruption=false", check=False
        )
        assert proc.returncode != 0
        assert "ipv6_host_allow_disruption" in proc.stdout, proc.stdout[-3000:]
        assert node("sw1").run(f"test -e {guard}").rc != 0
    finally:
        run(node("sw1"), f"mv {guard}.saved {guard}")


def test_check_mode_with_diff_reports_no_changes():
    proc = VIEW.ansible(str(SCENARIO / "converge.yml"), "--check", "--diff")
    for name, counts in recap(proc.stdout).items():
        assert counts["changed"] == 0 and counts["failed"] == 0, (name, proc.stdout[-6000:])


# --- a VLAN-aware switch: rendered, compared with golden files, not applied here ----------------------------------


def test_a_vlan_aware_switch_renders_its_golden_files(tmp_path):
    VIEW.ansible(str(SCENARIO / "render_vlan.yml"), env={"SWITCH_RENDER_OUT": str(tmp_path)})
    golden = SCENARIO / "golden"
    rendered = sorted(p.name for p in tmp_path.iterdir())
    assert rendered == sorted(p.name for p in golden.iterdir() if p.name != "site.yml")
    for name in rendered:
        assert (tmp_path / name).read_text() == (golden / name).read_text(), name
    # The guard table of that switch loads (nft -c, in sw1: the bridge family is the same there).
    run(node("sw1"), "mkdir -p /tmp/golden")
    subprocess.run(
        ["podman", "cp", str(tmp_path / "switch.nft"), f"{VIEW.hostvars['sw1']['lab_container']}:/tmp/golden/"],
        check=True,
    )
    run(node("sw1"), "nft -c -f /tmp/golden/switch.nft")
