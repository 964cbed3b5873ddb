# SPDX-License-Identifier: GPL-3.0-or-later
"""client1 with the stage-1 workarounds of its baseline: the IPv4-only service answers on IPv6 to its network
only, and a CLAT takes IPv4 literals through br1's NAT64, like any NAT64 client. A rerun and check mode change
nothing with the CLAT on."""

from __future__ import annotations

import json
import uuid

from conftest import PLAN, SCENARIO, VIEW, node, run, wait_for
from labtest import unchanged

CLIENT1 = PLAN["hosts"]["client1"]["ipv6"]
WEB4 = VIEW.hostvars["inet4-web"]["lab_addresses"]["inet4"]
UPLINK4 = VIEW.hostvars["br1"]["lab_addresses"]["inet4"]


def test_the_service_answers_on_ipv6_from_its_network():
    out, _ = wait_for(lambda: node("client2").run(f"curl -fsS -m 5 http://[{CLIENT1}]:8080/").stdout, 10)
    assert out.startswith("client1 on 127.0.0.1:8080")


def test_not_from_outside_the_allowed_prefixes():
    """br1 reaches client1 (SSH from the jump host works the same way), but from its management address, outside
    the servers network the shim allows, the port is closed."""
    mgmt = PLAN["hosts"]["br1"]["ipv6"]
    assert node("br1").run(f"curl -fsS -m 5 --interface {mgmt} http://[{CLIENT1}]:8080/").rc != 0
    servers = PLAN["hosts"]["br1"]["addresses"]["servers"]
    assert run(node("br1"), f"curl -fsS -m 5 --interface {servers} http://[{CLIENT1}]:8080/").stdout  # the control


def test_the_audit_counts_it_reachable():
    proc = VIEW.ansible("client1", "-m", "ipv6only.datacenter.ipv4_listeners", tool="ansible", callback="json")
    result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["client1"]
    assert any(lst["summary"].endswith("tcp 127.0.0.1:8080") for lst in result["listeners"])  # it still listens...
    assert result["ipv4_loopback_only"] == [] and result["ipv4_only"] == [], result["msg"]  # ...and is covered


def test_an_ipv4_literal_goes_through_the_clat_from_the_routers_nat64_address():
    path = f"/clat-{uuid.uuid4().hex}"
    run(node("client1"), f"curl -sS -m 10 -o /dev/null http://{WEB4}{path}")
    log = run(node("inet4-web"), f"grep {path} /var/log/nginx/access.log").stdout.split()
    assert log[0] == UPLINK4, log  # the source any NAT64 client of br1 has (nat64_source: uplink)
    # The same as a client without a CLAT, reaching inet4-web by name through DNS64.
    other = f"/dns64-{uuid.uuid4().hex}"
    run(node("client2"), f"curl -sS -m 10 -o /dev/null http://www.v4only.example{other}")
    assert run(node("inet4-web"), f"grep {other} /var/log/nginx/access.log").stdout.split()[0] == log[0]


def test_the_clat_leaves_from_client1s_planned_address():
    """What a switch's source guard admits: the translated packets carry the node's own planned address."""
    assert run(node("client1"), "ip -4 -o address show dev clat").stdout.split()[3] == "192.0.0.1/32"
    ifname = VIEW.hostvars["br1"]["lab_interfaces"]["servers"]
    capture = f"ip6 and tcp and dst host {VIEW.embed(WEB4)}"
    run(node("br1"), f"(timeout 15 tcpdump -l -c 1 -nn -i {ifname} '{capture}' > /tmp/clat.cap 2>/dev/null &)")
    wait_for(lambda: "tcpdump" in node("br1").run("ps -C tcpdump -o comm=").stdout, 5)
    run(node("client1"), f"curl -sS -m 10 -o /dev/null http://{WEB4}/")
    seen, _ = wait_for(lambda: node("br1").run("cat /tmp/clat.cap").stdout.strip(), 10)
    assert seen.split()[2].rsplit(".", 1)[0] == CLIENT1, seen


def test_ipv4_reaches_client1_only_as_replies_on_the_clat():
    rules = run(node("client1"), "nft list chain inet ipv6_host input_ipv4").stdout
    assert 'iifname "clat" ct state established,related accept' in rules
    assert run(node("client1"), "nft list chain inet ipv6_host forward").stdout.count("accept") == 2


def test_a_rerun_changes_nothing():
    unchanged(VIEW, str(SCENARIO / "converge.yml"))


def test_check_mode_with_diff_reports_no_changes():
    unchanged(VIEW, str(SCENARIO / "converge.yml"), "--check", "--diff")
