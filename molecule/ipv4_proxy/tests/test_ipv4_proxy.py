# SPDX-License-Identifier: GPL-3.0-or-later
"""IPv4 clients reach the IPv6-only VMs vm2 and vm3 through one proxy address on both border routers: HTTP by Host,
HTTPS by SNI passed through, SMTP through the routers' relay. Each VM learns the client's IPv4 from the routers only.
The failover (HAProxy stopped on a router) is in test_zz_failover.py, which pytest runs after this file."""

from __future__ import annotations

import re

import pytest
from conftest import PLAN, SCENARIO, VIEW, node, run
from labtest import unchanged
from proxycheck import CA, client_ipv4, delivered, get, logged, send_mail

DOMAIN = PLAN["domain"]
PROXY = PLAN["proxy"]["ipv4"][0]
VMS = ("vm2", "vm3")
ROUTERS = ("br1", "br2")


def name(vm: str) -> str:
    return f"{vm}.{DOMAIN}"


def short(query: str) -> list[str]:
    """dig's answers from inet4-client, through upstream's resolver (a first, cold lookup may time out once)."""
    out = run(node("inet4-client"), f"dig +short +time=3 +tries=3 {query}").stdout
    return [word for line in out.splitlines() if not line.startswith(";") for word in line.split()]


# --- names --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vm", VMS)
def test_the_vms_names_point_at_the_proxy_over_ipv4_and_at_the_vm_over_ipv6(vm):
    assert short(f"A {name(vm)}") == [PROXY]
    assert short(f"AAAA {name(vm)}") == [PLAN["vms"][vm]["ipv6"]]
    assert short(f"MX {name(vm)}") == ["10", f"{name(vm)}."]


# --- HTTP by Host -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vm", VMS)
def test_http_by_host_reaches_each_vm_through_the_one_proxy_address_and_the_vm_logs_the_clients_ipv4(vm):
    marker = f"/http-{vm}"
    assert get(VIEW, f"http://{name(vm)}{marker}")[0] == 0
    rc, body = get(VIEW, f"http://{name(vm)}/")
    assert (rc, body) == (0, vm)
    assert logged(node(vm), f'{client_ipv4(VIEW)} http "{name(vm)}" 80')


def test_an_unknown_host_is_refused_at_the_proxy():
    rc, status = get(VIEW, f"http://{PROXY}/", "-o /dev/null -w '%{http_code}'", "-H 'Host: elsewhere.example'")
    assert (rc, status) == (0, "421")
    for vm in VMS:
        assert "elsewhere.example" not in node(vm).run("cat /var/log/nginx/access.log").stdout


# --- HTTPS by SNI -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vm", VMS)
def test_https_by_sni_presents_the_vms_own_certificate_and_the_vm_logs_the_clients_ipv4_from_proxy_v2(vm):
    rc, body = get(VIEW, f"https://{name(vm)}/")
    assert (rc, body) == (0, vm)  # verified against the lab CA for this very name
    issued = run(
        node("inet4-client"),
        f"openssl s_client -4 -connect {PROXY}:443 -servername {name(vm)} -CAfile {CA} </dev/null 2>/dev/null"
        " | openssl x509 -noout -subject -ext subjectAltName",
    ).stdout
    assert f"CN={name(vm)}" in issued.replace(" ", "") and f"DNS:{name(vm)}" in issued
    assert logged(node(vm), f'{client_ipv4(VIEW)} https "{name(vm)}" {PLAN["proxy"]["proxy_protocol_port"]}')


def test_https_succeeds_fifty_times_in_a_row():
    out = run(
        node("inet4-client"),
        f"for i in $(seq 50); do curl -4 -sS --max-time 10 --cacert {CA} https://{name('vm2')}/ || echo FAILED; done",
        ok=False,
    ).stdout.split()
    assert out.count("vm2") == 50, out


def test_an_unknown_sni_is_refused_at_the_proxy():
    result = node("inet4-client").run(
        f"curl -4 -sS --max-time 10 -k --resolve elsewhere.example:443:{PROXY} https://elsewhere.example/"
    )
    assert result.rc != 0
    result = node("inet4-client").run(f"curl -4 -sS --max-time 10 -k https://{PROXY}/")  # no SNI at all
    assert result.rc != 0


# --- SMTP ---------------------------------------------------------------------------------------------------------


def test_mail_for_a_vm_lands_in_its_mailbox():
    rc, transcript, token = send_mail(VIEW, f"user@{name('vm3')}")
    assert rc == 0, transcript
    # Through the proxy (the MX's A record): a border router's relay answers.
    assert any(f"<-  220 {PLAN['hosts'][r]['fqdn']} ESMTP" in transcript for r in ROUTERS), transcript
    assert delivered(node("vm3"), token)
    assert token not in node("vm2").run("cat /var/mail/user").stdout


def test_the_relay_is_not_open():
    rc, transcript, _ = send_mail(VIEW, "user@other.example", server=PROXY)
    assert rc != 0 and re.search(r"<\*\* 554 5\.7\.1 .*Relay access denied", transcript), transcript


def test_an_unknown_local_user_is_refused_at_rcpt():
    rc, transcript, _ = send_mail(VIEW, f"nobody-here@{name('vm3')}", server=PROXY)
    assert rc != 0 and re.search(r"<\*\* 550 5\.1\.1 ", transcript), transcript


# --- exposure and trust -------------------------------------------------------------------------------------------


def test_the_proxy_address_exposes_exactly_smtp_http_and_https():
    out = run(node("inet4-client"), f"nmap -Pn -sT -p- -T4 -oG - {PROXY}").stdout
    ports = re.search(r"Ports: (.*?)(?:\t|$)", out, re.M).group(1)
    open_ports = sorted(int(entry.split("/")[0]) for entry in ports.split(", ") if "/open/" in entry)
    assert open_ports == [25, 80, 443], out


def test_a_proxy_header_straight_from_an_ipv6_client_is_refused_while_443_serves_it():
    vm2 = PLAN["vms"]["vm2"]["ipv6"]
    client = node("inet6-client")
    port = PLAN["proxy"]["proxy_protocol_port"]
    forged = client.run(f"curl -6 -sS -k --max-time 5 --haproxy-protocol https://[{vm2}]:{port}/")
    assert forged.rc != 0
    # Inside the site, past the border's firewall, the VM's own firewall refuses it too: vm3 is no router.
    forged = node("vm3").run(f"curl -6 -sS -k --max-time 5 --haproxy-protocol https://[{vm2}]:{port}/")
    assert forged.rc != 0
    # The control: the same client reaches the VM's own HTTPS directly, and is logged as itself.
    ok = run(
        client, f"curl -6 -sS --max-time 10 --cacert {CA} --resolve {name('vm2')}:443:[{vm2}] https://{name('vm2')}/"
    )
    assert ok.stdout.strip() == "vm2"
    inet6 = VIEW.hostvars["inet6-client"]["lab_addresses"]["inet6"]
    assert logged(node("vm2"), f'{inet6} https "{name("vm2")}" 443')


def test_a_forged_x_forwarded_for_from_an_ipv6_client_is_not_believed():
    vm2 = PLAN["vms"]["vm2"]["ipv6"]
    run(
        node("inet6-client"),
        f"curl -6 -sS --max-time 10 -H 'X-Forwarded-For: 192.0.2.66' -H 'Host: forged.test' http://[{vm2}]/",
    )
    log = run(node("vm2"), "grep forged.test /var/log/nginx/access.log").stdout
    assert "192.0.2.66" not in log and VIEW.hostvars["inet6-client"]["lab_addresses"]["inet6"] in log


@pytest.mark.parametrize("router", ROUTERS)
def test_each_router_announces_the_proxy_address_to_its_neighbour_only(router):
    out = run(node("upstream"), f"birdc -r show route {PROXY}/32 all").stdout
    peer = VIEW.hostvars[router]["lab_addresses"]["inet4"]
    assert re.search(rf"via {re.escape(peer)} ", out), out
    assert "(65535,65281)" in out  # NO_EXPORT


def test_upstream_learns_the_aggregate_the_pool_and_the_proxy_address_only():
    out = run(node("upstream"), "birdc -r show route where source = RTS_BGP").stdout
    learned = set(re.findall(r"^([0-9a-f.:]+/\d+)\s", out, re.M))
    assert learned == {PLAN["prefix"], PLAN["ipv4"]["pool"], f"{PROXY}/32"}, out


# --- a converged router -------------------------------------------------------------------------------------------


def test_a_rerun_changes_nothing():
    unchanged(VIEW, str(SCENARIO / "converge.yml"))


def test_check_mode_with_diff_reports_no_changes():
    unchanged(VIEW, str(SCENARIO / "converge.yml"), "--check", "--diff")
