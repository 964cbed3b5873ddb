# SPDX-License-Identifier: GPL-3.0-or-later
"""The site's zones, served by Knot on both border routers, seen by the site's clients and by both internets.

br1's name server is the primary and signs; br2's transfers with TSIG. The failover (br1 stopped) is in
test_zz_failover.py, which pytest runs after this file.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import PLAN, SCENARIO, VIEW, node, recap, run, wait_for

DOMAIN = PLAN["domain"]
VM1 = PLAN["vms"]["vm1"]
NAME = f"vm1.{DOMAIN}"
SERVERS = {ns["host"]: ns for ns in PLAN["nameservers"]}
TSIG = "/etc/knot/transfer.tsig.conf"


def short(host: str, query: str) -> list[str]:
    return run(node(host), f"dig +short +time=3 +tries=2 {query}").stdout.split()


def soa_serial(address: str, zone: str = DOMAIN) -> int:
    return int(short("client1", f"+norec SOA {zone} @{address}")[2])


# --- resolution -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resolver", PLAN["dns"]["resolvers"])
def test_client1_resolves_vm1_and_its_ptrs_through_each_site_resolver(resolver):
    assert short("client1", f"AAAA {NAME} @{resolver}") == [VM1["ipv6"]]
    assert short("client1", f"A {NAME} @{resolver}") == [VM1["ipv4_mapping"]]  # its mapped IPv4, never synthesized
    assert short("client1", f"-x {VM1['ipv6']} @{resolver}") == [f"{NAME}."]
    ptr4 = short("client1", f"-x {VM1['ipv4_mapping']} @{resolver}")
    assert ptr4[-1] == f"{NAME}." and ".in-addr.arpa." in ptr4[0]  # through the RFC 2317 CNAME


@pytest.mark.parametrize("client", ["inet4-client", "inet6-client"])
def test_both_internets_resolve_the_same_names_through_upstream(client):
    assert short(client, f"AAAA {NAME}") == [VM1["ipv6"]]
    assert short(client, f"-x {VM1['ipv6']}") == [f"{NAME}."]
    assert short(client, f"-x {VM1['ipv4_mapping']}")[-1] == f"{NAME}."
    transport = run(node(client), "cat /etc/resolv.conf").stdout
    assert (":" in transport.split("nameserver", 1)[1].split()[0]) == (client == "inet6-client")


# --- DNSSEC -----------------------------------------------------------------------------------------------------


def anchors() -> str:
    """delv's trust-anchors statement from the DS records the primary published (the local fact)."""
    fact = json.loads(run(node("br1"), "cat /etc/ansible/facts.d/ipv6only_site_dns.fact").stdout)
    lines = []
    for zone, records in fact["ds"].items():
        for record in records:  # "<zone>. DS <key tag> <algorithm> <digest type> <digest>"
            fields = record.split()
            tag, algorithm, digest_type = fields[2:5]
            lines.append(f'"{zone}." static-ds {tag} {algorithm} {digest_type} "{"".join(fields[5:])}";')
    return "trust-anchors {\n" + "\n".join(lines) + "\n};\n"


def install_anchors(host: str) -> str:
    path = "/tmp/site-anchors.conf"
    run(node(host), f"cat > {path} <<'EOF'\n{anchors()}EOF")
    return path


@pytest.mark.parametrize("router", sorted(SERVERS))
def test_delv_validates_the_answers_of_each_name_server_with_the_exported_anchor(router):
    path = install_anchors("client1")
    out = run(node("client1"), f"delv @{SERVERS[router]['ipv6']} -a {path} +root={DOMAIN} AAAA {NAME}").stdout
    assert "; fully validated" in out, out
    assert VM1["ipv6"] in out


def test_a_tampered_answer_fails_validation():
    """The signed zone, transferred with the key, one address changed and served by a throwaway Knot on br2's
    loopback: delv with the same anchor must refuse it."""
    br2 = node("br2")
    # keymgr writes the key as "# alg:name:secret" on the file's first line; it stays inside the container.
    key = f"\"$(sed -n '1s/^# //p' {TSIG})\""
    axfr = run(br2, f"kdig -y {key} AXFR {DOMAIN} @{SERVERS['br1']['ipv6']} +nocomments +nostats").stdout
    # The records, without the transfer's own TSIG record, and with the SOA once (a transfer ends with it again).
    lines = [line for line in axfr.splitlines() if line.strip() and not line.startswith(";")]
    lines = [line for line in lines if line.split()[3:4] != ["TSIG"]]
    if len(lines) > 1 and lines[-1].split()[3:4] == ["SOA"]:
        lines.pop()
    zone = "\n".join(lines) + "\n"
    assert f"{NAME}." in zone and "RRSIG" in zone
    tampered = re.sub(rf"^({re.escape(NAME)}\.\s+\d+\s+IN\s+AAAA\s+)\S+$", r"\g<1>2001:db8:dead::1", zone, flags=re.M)
    assert tampered != zone
    conf = f"""server:
    rundir: /tmp/tampered
    listen: ::1@5300
database:
    storage: /tmp/tampered
zone:
  - domain: {DOMAIN}
    file: /tmp/tampered/zone
    zonefile-load: whole
    semantic-checks: off
    journal-content: none
"""
    run(br2, "rm -rf /tmp/tampered && mkdir -p /tmp/tampered")
    run(br2, f"cat > /tmp/tampered/zone <<'EOF'\n{tampered}EOF")
    run(br2, f"cat > /tmp/tampered/knot.conf <<'EOF'\n{conf}EOF")
    run(br2, "knotd -c /tmp/tampered/knot.conf -d")
    try:
        served, _ = wait_for(lambda: br2.run(f"dig +short -p 5300 AAAA {NAME} @::1").stdout.split(), 10)
        assert served == ["2001:db8:dead::1"]  # the control: the throwaway server does serve the changed address
        path = install_anchors("br2")
        out = run(br2, f"delv @::1 -p 5300 -a {path} +root={DOMAIN} AAAA {NAME}", ok=False)
        assert "fully validated" not in out.stdout
        assert "resolution failed" in out.stderr + out.stdout, out.stdout + out.stderr
    finally:
        br2.run("pkill -f 'knotd -c /tmp/tampered/knot.conf'")


# --- transfers --------------------------------------------------------------------------------------------------


def test_a_transfer_without_the_key_is_refused():
    out = run(node("client1"), f"kdig AXFR {DOMAIN} @{SERVERS['br1']['ipv6']}", ok=False).stdout
    records = [line for line in out.splitlines() if line.strip() and not line.startswith(";")]
    assert records == [], out  # Knot answers an unsigned transfer request with nothing (or REFUSED)
    # The control: with the key, the same request transfers the zone (run on br2, which holds the key).
    key = f"\"$(sed -n '1s/^# //p' {TSIG})\""
    signed = run(node("br2"), f"kdig -y {key} AXFR {DOMAIN} @{SERVERS['br1']['ipv6']} +nocomments").stdout
    assert f"{NAME}." in signed


def test_a_zone_change_reaches_the_secondary_by_notify_within_10_seconds():
    primary, secondary = SERVERS["br1"]["ipv6"], SERVERS["br2"]["ipv6"]
    zonefile = f"/var/lib/knot/zones/{DOMAIN}.zone"
    br1 = node("br1")
    run(br1, f"cp {zonefile} /tmp/zone.saved")
    try:
        run(br1, f"echo 'notify-test.{DOMAIN}. TXT \"changed\"' >> {zonefile} && knotc zone-reload {DOMAIN}")
        arrived, took = wait_for(lambda: short("client1", f"+norec TXT notify-test.{DOMAIN} @{secondary}"), 10)
        assert arrived, f"not on the secondary after {took:.1f} s"
        assert soa_serial(secondary) == soa_serial(primary)
    finally:
        run(br1, f"cp /tmp/zone.saved {zonefile} && knotc zone-reload {DOMAIN}")


# --- exposure ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("client", "family"), [("inet6-client", "ipv6"), ("inet4-client", "ipv4")])
def test_from_outside_only_port_53_answers_on_the_name_server_addresses(client, family):
    address = SERVERS["br1"][family]
    for port in (22, 179, 953, 8953):
        assert node(client).run(f"nc -z -w 2 {address} {port}").rc != 0, port
    assert node(client).run(f"nc -z -w 2 {address} 53").rc == 0


# --- idempotence ------------------------------------------------------------------------------------------------


def test_a_rerun_changes_nothing_and_keeps_the_serial():
    before = soa_serial(SERVERS["br1"]["ipv6"])
    proc = VIEW.ansible(str(SCENARIO / "converge.yml"))
    assert all(c["changed"] == 0 and c["failed"] == 0 for c in recap(proc.stdout).values()), proc.stdout[-5000:]
    assert soa_serial(SERVERS["br1"]["ipv6"]) == before


def test_check_mode_with_diff_reports_no_changes():
    proc = VIEW.ansible(str(SCENARIO / "converge.yml"), "--check", "--diff")
    assert all(c["changed"] == 0 and c["failed"] == 0 for c in recap(proc.stdout).values()), proc.stdout[-5000:]


@pytest.mark.parametrize("router", sorted(SERVERS))
def test_port_53_listens_on_the_name_server_addresses_and_the_resolvers_ipv6_site_addresses_only(router):
    """Knot on its two name-server addresses; the resolver on the router's IPv6 site addresses (and loopback);
    no other IPv4 address, and no wildcard."""
    out = run(node(router), "ss -Hlnut 'sport = :53'").stdout
    addresses = {line.split()[4].rsplit(":", 1)[0].strip("[]") for line in out.splitlines()}
    server = SERVERS[router]
    site = set(PLAN["hosts"][router]["addresses"].values())
    assert {server["ipv6"], server["ipv4"]} <= addresses, addresses
    assert addresses - {server["ipv6"], server["ipv4"]} <= site | {"::1"}, addresses
    assert not addresses & {"*", "0.0.0.0", "::"}, addresses
