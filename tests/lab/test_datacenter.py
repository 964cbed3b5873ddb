# SPDX-License-Identifier: GPL-3.0-or-later
"""Does the datacenter work? What `make lab` checks after site.yml, from the clients' side: the jump host's SSH,
an IPv6-only server's DNS64, NAT64 and time, the IPv4 internet reaching the mapped VMs, and a border router's
NAT64 and DNS64 failing over to the other one.

Run against any lab inventory: `LAB_INVENTORY=DIR pytest tests/lab` (`make lab-check`). Every node in the
inventory runs (labctl writes only the nodes it started), so a missing node is a failure, never a skip.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import subprocess

import pytest
from conftest import VIEW
from labtest import run, wait_for

ZONE = VIEW.zone
NAT64 = ipaddress.ip_network(VIEW.nat64)
MANAGED = sorted(n for n, v in VIEW.hostvars.items() if "lab_jump_address" in v)
MAPPED = sorted(vm["name"] for vm in VIEW.plan["vms"].values() if vm["ipv4_mapping"] and vm["name"] in VIEW.hostvars)
# What a border router's failover covers: its NAT64 and its resolver, whichever DNS64 engine it runs. radvd stops
# with Tayga (BindsTo=), so it is brought back too.
FAILOVER_UNITS = ("tayga.service", "unbound.service", "named.service")
FAILOVER_BUDGET = 30  # seconds


def inside_nat64(text: str) -> bool:
    try:
        return ipaddress.ip_address(text) in NAT64
    except ValueError:
        return False


@pytest.mark.parametrize("name", MANAGED)
def test_the_jump_host_reaches_each_node_over_ssh_on_ipv6(name):
    hostvars = VIEW.hostvars[name]
    cmd = [
        "ssh",
        "-i",
        hostvars["ansible_ssh_private_key_file"],
        *hostvars["ansible_ssh_common_args"].split(),
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=5",
        f"root@{hostvars['ansible_host']}",
        "true",
    ]
    assert ipaddress.ip_address(hostvars["ansible_host"]).version == 6
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("server", sorted(n for n in VIEW.groups.get("servers", []) if n in VIEW.hostvars))
def test_a_server_holds_no_ipv4_but_its_clats(server):
    """No IPv4 address on an IPv6-only server, except 192.0.0.1 on the device of a CLAT, which the baseline
    publishes (the local fact ipv6only_ipv6_host) when the node has one."""
    host = VIEW.node(server)
    fact = json.loads(run(host, "cat /etc/ansible/facts.d/ipv6only_ipv6_host.fact").stdout)
    clat = fact.get("clat")
    held = {
        (line.split()[1], line.split()[3]) for line in run(host, "ip -4 -o addr show scope global").stdout.splitlines()
    }
    assert held == ({(clat["device"], f"{clat['ipv4']}/32")} if clat else set()), held


def test_dns64_gives_client1_an_address_inside_the_nat64_prefix():
    answers = run(VIEW.node("client1"), f"dig +short +time=2 AAAA www.{ZONE}").stdout.split()
    assert any(inside_nat64(a) for a in answers), f"www.{ZONE}: {answers}, expected an address in {NAT64}"


def test_client1_fetches_an_ipv4_only_site_through_nat64():
    run(VIEW.node("client1"), f"curl -fsS -m 5 -o /dev/null http://www.{ZONE}/")


@pytest.mark.parametrize("resolver", VIEW.plan["dns"]["resolvers"])
def test_each_resolver_serves_client1_synchronised_time(resolver):
    # One NTP exchange as a client; chronyd -Q accepts only a synchronised server and sets no clock.
    run(VIEW.node("client1"), f"chronyd -Q -t 10 'server {resolver} iburst maxsamples 1'")


def test_the_ipv4_internet_works_for_inet4_client():
    client = VIEW.node("inet4-client")
    run(client, f"curl -4 -fsS -m 5 -o /dev/null http://www.{ZONE}/")
    assert run(client, "ip -6 route show default").stdout.strip() == ""


@pytest.mark.parametrize("vm", MAPPED)
def test_inet4_client_reaches_each_mapped_vm_on_its_ipv4(vm):
    run(VIEW.node("inet4-client"), f"curl -4 -fsS -m 5 -o /dev/null http://{VIEW.plan['vms'][vm]['ipv4_mapping']}/")


def test_client1_resolves_and_fetches_through_br2_when_br1_stops_nat64_and_dns64():
    br1, client = VIEW.node("br1"), VIEW.node("client1")
    units = [*FAILOVER_UNITS, "radvd.service"]

    def active() -> list[str]:
        states = br1.run(f"systemctl is-active {' '.join(units)}").stdout.split()
        return [unit for unit, state in zip(units, states, strict=False) if state == "active"]

    def served() -> bool:
        # A name never asked before (the lab's zone has a wildcard), so no resolver answers from its cache.
        name = f"failover-{secrets.token_hex(4)}.bench.{ZONE}"
        answer = client.run(f"dig +short +time=2 +tries=1 AAAA {name} | tail -n 1").stdout.strip()
        fetched = client.run(f"curl -s -o /dev/null -w %{{http_code}} -m 5 http://www.{ZONE}/").stdout.strip()
        return inside_nat64(answer) and fetched == "200"

    was_active = active()
    stop = [unit for unit in was_active if unit in FAILOVER_UNITS]
    assert stop, f"br1 runs none of {', '.join(FAILOVER_UNITS)}"
    try:
        run(br1, f"systemctl stop {' '.join(stop)}")
        ok, took = wait_for(served, FAILOVER_BUDGET)
    finally:
        br1.run(f"systemctl start {' '.join(was_active)}")
        back, _ = wait_for(lambda: active() == was_active, FAILOVER_BUDGET)
    assert ok, f"client1 was not served through br2 within {FAILOVER_BUDGET} s"
    assert back, f"br1 did not bring back {sorted(set(was_active) - set(active()))}"
    print(f"failover in {took:.1f} s")
