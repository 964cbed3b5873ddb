# SPDX-License-Identifier: GPL-3.0-or-later
"""The border routers, seen from real clients with real tools (issue 4's assertions 1-7, 9, 10).

br1 runs Unbound and br2 BIND, so every DNS64 assertion is made against both engines. Failover
(assertion 8) stops br1 and lives in test_zz_failover.py, which pytest runs after this file.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import uuid

import pytest
import yaml
from conftest import (
    ENGINES,
    HOSTVARS,
    INVENTORY,
    NAT64,
    PLAN,
    ROUTERS,
    SCENARIO,
    ZONE,
    addr,
    ansible_playbook,
    ask,
    dig,
    embed,
    extract,
    node,
    recap,
    resolver,
    run,
)

WEB4 = addr("inet4-web", "inet4")
CLIENT4 = addr("inet4-client", "inet4")
VM1 = PLAN["vms"]["vm1"]
ROUTER4 = {r: addr(r, "inet4") for r in ROUTERS}


def access_log_client(host, token: str) -> str:
    """The client address nginx logged for the request that carried ``token``."""
    out = run(host, f"grep -F -- '{token}' /var/log/nginx/access.log").stdout.strip().splitlines()
    assert out, f"no request with {token} in the access log"
    return out[-1].split()[0]


# --- DNS64 synthesis -------------------------------------------------------------------------------------


@pytest.mark.parametrize("router", ROUTERS)
def test_dns64_synthesizes_aaaa_inside_the_nat64_prefix(router):
    rcode, aaaa = ask(resolver(router), f"www.{ZONE}", "AAAA")
    assert rcode == "NOERROR" and aaaa, f"{ENGINES[router]} on {router}: {rcode}, no AAAA"
    for value in aaaa:
        assert ipaddress.ip_address(value) in ipaddress.ip_network(NAT64)
        assert extract(value) == WEB4


def test_client1_resolves_through_its_configured_resolvers():
    """No @server: client1's own resolver configuration (the plan's DNS64 resolvers)."""
    answer = dig(node("client1"), f"AAAA www.{ZONE}")
    assert [extract(a["data"]) for a in answer["answers"] if a["type"] == "AAAA"] == [WEB4], answer["raw"]


# --- NAT64 -------------------------------------------------------------------------------------------------


def test_curl_through_nat64_and_the_server_sees_the_router():
    token = f"nat64-{uuid.uuid4().hex}"
    body = run(node("client1"), f"curl -6 -fsS -m 10 http://www.{ZONE}/?{token}").stdout
    assert f"www.{ZONE}" in body
    seen = access_log_client(node("inet4-web"), token)
    # br1 advertises the higher router preference, so client1 uses it: its uplink address is the client.
    assert seen == ROUTER4["br1"], f"inet4-web saw {seen}, expected br1's uplink {ROUTER4['br1']}"


# --- ipv4only.arpa (RFC 8880) ------------------------------------------------------------------------------


@pytest.mark.parametrize("router", ROUTERS)
def test_ipv4only_arpa_gives_the_sites_prefix(router):
    rcode, got = ask(resolver(router), "ipv4only.arpa", "AAAA")
    assert rcode == "NOERROR"
    assert sorted(got) == sorted([embed("192.0.0.170"), embed("192.0.0.171")])


# --- PTR synthesis ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("router", ROUTERS)
def test_ptr_of_a_synthesized_address_is_the_ipv4_hosts_ptr(router):
    expected = dig(node("inet4-client"), f"@{WEB4} -x {WEB4}")
    names = [a["data"] for a in expected["answers"] if a["type"] == "PTR"]
    assert names, f"inet4-web has no PTR for itself:\n{expected['raw']}"
    assert ask(resolver(router), embed(WEB4), "PTR") == ("NOERROR", names)


# --- Router advertisements, captured on client1 -----------------------------------------------------------


def router_advertisements(host, ifname: str) -> dict[str, str]:
    """{router link-local address: rdisc6 block} for every RA answering one solicitation."""
    out = run(host, f"rdisc6 -m -w 3000 {ifname}").stdout
    blocks = {}
    current: list[str] = []
    for line in out.splitlines():
        current.append(line)
        match = re.match(r"\s*from (\S+)", line)
        if match:
            blocks[match.group(1)] = "\n".join(current)
            current = []
    return blocks


def test_router_advertisements_carry_pref64_and_rdnss():
    client = node("client1")
    blocks = router_advertisements(client, "eth0")
    assert len(blocks) == 2, f"expected RAs from both border routers, got {list(blocks)}"
    plan_prefix = ipaddress.ip_network(NAT64)
    for source, block in blocks.items():
        match = re.search(r"NAT64 prefix\s*:\s*([0-9a-f:]+)/(\d+)", block)
        assert match, f"RA from {source} has no PREF64 option:\n{block}"
        # rdisc6 1.0.7 prints junk in the bits past the prefix length: compare only the prefix bits.
        announced = ipaddress.ip_network(f"{match.group(1)}/{match.group(2)}", strict=False)
        assert announced == plan_prefix, f"RA from {source}: PREF64 {announced}, plan {plan_prefix}"
        rdnss = re.findall(r"Recursive DNS server\s*:\s*(\S+)", block)
        assert sorted(rdnss) == sorted(PLAN["dns"]["resolvers"]), f"RA from {source}: RDNSS {rdnss}"
        assert re.search(r"Prefix\s*:\s*" + re.escape(PLAN["networks"]["servers"]["prefix"]), block), block
    preferences = sorted(re.search(r"Router preference\s*:\s*(\w+)", b).group(1) for b in blocks.values())
    assert preferences == ["high", "medium"]


# --- The IPv4 address as a mapping (RFC 7757) -------------------------------------------------------------


def test_inet4_client_reaches_vm1_on_its_mapped_ipv4():
    token = f"eam-{uuid.uuid4().hex}"
    body = run(node("inet4-client"), f"curl -4 -fsS -m 10 http://{VM1['ipv4_mapping']}/?{token}").stdout
    assert body.strip() == "vm1"
    seen = access_log_client(node("vm1"), token)
    assert seen == embed(CLIENT4), f"vm1 saw {seen}, expected inet4-client embedded: {embed(CLIENT4)}"


def test_vm1_leaves_with_its_mapped_ipv4():
    token = f"eam-out-{uuid.uuid4().hex}"
    run(node("vm1"), f"curl -6 -fsS -m 10 http://www.{ZONE}/?{token}")
    assert access_log_client(node("inet4-web"), token) == VM1["ipv4_mapping"]


def test_unmapped_ipv4_in_the_pool_is_not_forwarded():
    """Inbound IPv4 goes only to mapped addresses."""
    pool = ipaddress.ip_network(PLAN["ipv4"]["pool"])
    unmapped = str(next(a for a in pool.hosts() if str(a) != VM1["ipv4_mapping"] and int(a) % 7 == 3))
    result = node("inet4-client").run(f"curl -4 -sS -m 4 http://{unmapped}/")
    assert result.rc != 0


def mapped4_refused() -> int:
    """Packets both routers dropped for a mapped address on a port its VM does not offer."""
    total = 0
    for router in ROUTERS:
        listing = run(node(router), "nft --json list counter inet border_router mapped4_refused").stdout
        total += next(o["counter"]["packets"] for o in json.loads(listing)["nftables"] if "counter" in o)
    return total


def test_the_mapping_forwards_only_the_vms_ports_and_icmp():
    """vm1 lists ipv4_mapping_ports tcp 80: SSH and any other port stop at the border, ping passes."""
    assert VM1["ipv4_mapping_ports"] == [{"proto": "tcp", "first": 80, "last": 80}]
    client, mapped = node("inet4-client"), VM1["ipv4_mapping"]
    before = mapped4_refused()
    for port in (22, 8080):
        assert client.run(f"nc -4 -z -w 3 {mapped} {port}").rc != 0, f"port {port} of {mapped} answered"
    run(client, f"nc -4 -z -w 5 {mapped} 80")
    run(client, f"ping -4 -c 1 -W 5 {mapped}")
    assert mapped4_refused() >= before + 2, "the routers did not drop the unoffered ports themselves"


# --- No open resolver -------------------------------------------------------------------------------------


@pytest.mark.parametrize("router", ROUTERS)
def test_queries_from_outside_the_site_are_refused(router):
    outsider = node("inet6-client")
    # The address is reachable from the internet: the router answers ping on it...
    run(outsider, f"ping -6 -c 1 -W 3 {resolver(router)}")
    # ...but not DNS: no answer, only a refusal.
    answer = dig(outsider, f"@{resolver(router)} AAAA www.{ZONE} +tries=1")
    assert answer["status"] in (None, "REFUSED"), answer["raw"]
    assert answer["answers"] == [], answer["raw"]


@pytest.mark.parametrize("router", ROUTERS)
def test_the_resolver_itself_refuses_sources_outside_its_acl(router):
    """Past the firewall (a query from the router's own uplink address), the resolver's ACL says REFUSED."""
    answer = dig(node(router), f"-b {addr(router, 'inet6')} @{resolver(router)} AAAA www.{ZONE}")
    assert answer["status"] == "REFUSED", f"{ENGINES[router]} on {router}:\n{answer['raw']}"


@pytest.mark.parametrize("router", ROUTERS)
def test_resolver_listens_on_ipv6_only(router):
    local = run(node(router), "ss -Hlntu sport = :53 | awk '{print $5}'").stdout.split()
    assert local, "nothing listens on port 53"
    assert all(s.startswith("[") for s in local), f"{ENGINES[router]} on {router} listens on IPv4: {local}"
    assert f"[{resolver(router)}]:53" in local


# --- Time: the routers serve the site (the hosts' default time servers) --------------------------------------


def ntp_query(host, server: str, seconds: int = 10):
    """One NTP exchange as a client (chronyd -Q measures and leaves the clock alone). chronyd only accepts a
    synchronised server, so rc 0 means the router answered with time it has from upstream."""
    return host.run(f"chronyd -Q -t {seconds} 'server {server} iburst maxsamples 1'")


@pytest.mark.parametrize("router", ROUTERS)
def test_ntp_routers_serve_synchronised_time_to_the_site(router):
    result = ntp_query(node("client1"), resolver(router))
    assert result.rc == 0, f"{router} gave client1 no usable time:\n{result.stdout}{result.stderr}"
    assert "System clock wrong by" in result.stdout + result.stderr


@pytest.mark.parametrize("router", ROUTERS)
def test_ntp_routers_take_their_time_from_upstream(router):
    out = run(node(router), "chronyc -n sources").stdout
    assert re.search(rf"^\^\*\s+{re.escape(addr('upstream', 'inet6'))}\s", out, re.M), out


def test_ntp_client1_is_synchronised_to_a_border_router():
    # Its first polls may have found the routers not yet synchronised: give it a minute.
    run(node("client1"), "chronyc waitsync 12 0 0 5")
    out = run(node("client1"), "chronyc -n sources").stdout
    selected = re.findall(r"^\^\*\s+(\S+)\s", out, re.M)
    assert selected and selected[0] in {resolver(r) for r in ROUTERS}, out


@pytest.mark.parametrize("router", ROUTERS)
def test_ntp_is_not_served_outside_the_site(router):
    result = ntp_query(node("inet6-client"), resolver(router), 4)
    assert result.rc != 0, f"{router} served time to inet6-client:\n{result.stdout}{result.stderr}"


# --- BGP: what upstream learns -------------------------------------------------------------------------------


def test_bgp_upstream_learns_only_the_aggregate_and_the_pool():
    out = run(node("upstream"), "birdc -r show route where source = RTS_BGP").stdout
    learned = {ipaddress.ip_network(m) for m in re.findall(r"^([0-9a-f.:]+/\d+)\s", out, re.M)}
    # The 1:n proxies' addresses (ipv4_proxy) add a /32 each while HAProxy holds them; this scenario has none, and
    # the ipv4_proxy scenario checks them.
    proxies = {ipaddress.ip_network(f"{address}/32") for address in PLAN["proxy"]["ipv4"]}
    assert learned == {ipaddress.ip_network(PLAN["prefix"]), ipaddress.ip_network(PLAN["ipv4"]["pool"])} | proxies, out
    assert "64:ff9b" not in out and NAT64.split("/")[0] not in out


@pytest.mark.parametrize("router", ROUTERS)
def test_bgp_sessions_are_established(router):
    out = run(node(router), "birdc -r show protocols").stdout
    assert len(re.findall(r"^upstream[46]\s+BGP\s+.*\sup\s+.*Established", out, re.M)) == 2, out


# --- The router profile, set by playbooks/border_routers.yml (the inventory does not) ------------------------


@pytest.mark.parametrize("router", ROUTERS)
def test_forwarding_stays_on_after_the_boot_time_sysctl_pass(router):
    """At boot systemd-sysctl applies every sysctl.d file in lexical order: with two roles writing
    forwarding, the later file won. Only the net.* keys: they belong to the node's own network namespace,
    while a full pass could write the host's keys through the lab's unmasked /proc/sys."""
    host = node(router)
    run(host, "/usr/lib/systemd/systemd-sysctl --prefix=net.")
    assert host.sysctl("net.ipv6.conf.all.forwarding") == 1
    assert host.sysctl("net.ipv4.ip_forward") == 1
    for ifname in HOSTVARS[router]["ipv6_host_interfaces"].values():
        assert host.sysctl(f"net.ipv6.conf.{ifname}.accept_ra") == 0, ifname
        assert host.sysctl(f"net.ipv6.conf.{ifname}.forwarding") == 1, ifname


@pytest.mark.parametrize("router", ROUTERS)
def test_the_uplink_keeps_its_ipv4_and_site_interfaces_have_none(router):
    host = node(router)
    uplink = HOSTVARS[router]["lab_interfaces"]["inet4"]
    assert f"inet {ROUTER4[router]}/" in run(host, f"ip -4 -o address show dev {uplink}").stdout
    for ifname in HOSTVARS[router]["ipv6_host_interfaces"].values():
        assert run(host, f"ip -4 -o address show dev {ifname}").stdout.strip() == "", ifname


# --- Check mode and diff on a converged router -------------------------------------------------------------


def test_check_mode_with_diff_reports_no_changes():
    proc = ansible_playbook(str(SCENARIO / "converge.yml"), "--check", "--diff", "--limit", "border_routers")
    for router in ROUTERS:
        assert recap(proc.stdout)[router]["changed"] == 0, proc.stdout[-6000:]
        assert recap(proc.stdout)[router]["failed"] == 0


def test_a_rerun_with_the_mitogen_strategy_changes_nothing():
    """`make lab` converges with Mitogen, Molecule with the plain strategy (the converge and idempotence steps): the
    same converged site is a no-op under both. An unknown strategy would fail the run, so this one did load."""
    proc = ansible_playbook(str(SCENARIO / "converge.yml"), mitogen=True)
    hosts = recap(proc.stdout)
    assert set(ROUTERS) <= set(hosts), proc.stdout[-3000:]
    assert all(counts["changed"] == 0 and counts["failed"] == 0 for counts in hosts.values()), proc.stdout[-6000:]


# --- A broken value never reaches the running daemon -----------------------------------------------------


def checksum(router: str, path: str) -> str:
    return hashlib.sha256(node(router).file(path).content).hexdigest()


BROKEN = {
    # case: {router: (file the broken value would reach, the task whose validation must refuse it)}
    "dns": {
        "br1": ("/etc/unbound/unbound.conf", "Configure Unbound"),
        "br2": ("/etc/bind/named.conf", "Configure BIND"),
    },
    "routing": {
        "br1": ("/etc/nftables.d/border_router.nft", "Write the border router's nftables rules"),
        "br2": ("/etc/bird/bird.conf", "Configure BIRD"),
    },
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_value_is_refused_and_the_old_config_keeps_serving(case):
    files = BROKEN[case]
    before = {router: checksum(router, path) for router, (path, _) in files.items()}
    proc = ansible_playbook(str(SCENARIO / "broken.yml"), "-e", f"case={case}", check=False)
    assert proc.returncode != 0, proc.stdout[-4000:]
    for router, (_, task) in files.items():
        # The daemon's own checker refused it, in the task that would have installed it.
        failed = re.search(rf"TASK \[[^\]]*{re.escape(task)}\][^\n]*\n(?:.*\n)*?fatal: \[{router}\]", proc.stdout)
        assert failed, f"{router} did not fail in '{task}':\n{proc.stdout[-4000:]}"
        assert recap(proc.stdout)[router]["failed"] == 1, proc.stdout[-4000:]
        assert recap(proc.stdout)[router]["changed"] == 0, proc.stdout[-4000:]
    assert proc.stdout.count("msg: failed to validate") == len(files), proc.stdout[-4000:]
    assert {router: checksum(router, path) for router, (path, _) in files.items()} == before
    # Still serving with the old configuration: DNS64 from both engines, NAT64, BGP.
    for router in ROUTERS:
        answer = dig(node("client1"), f"@{resolver(router)} AAAA www.{ZONE}")
        assert [extract(a["data"]) for a in answer["answers"] if a["type"] == "AAAA"] == [WEB4], answer["raw"]
        out = run(node(router), "birdc -r show protocols").stdout
        assert len(re.findall(r"Established", out)) == 2, out
    run(node("client1"), f"curl -6 -fsS -m 10 -o /dev/null http://www.{ZONE}/")


# --- Input refused before anything changes ------------------------------------------------------------------


def test_bad_input_is_refused_before_any_change():
    """refuse.yml runs the role once per bad input; each must fail in validation, with its message."""
    proc = ansible_playbook(str(SCENARIO / "refuse.yml"), "--limit", "br1")
    assert recap(proc.stdout)["br1"]["changed"] == 0, proc.stdout[-6000:]
    assert proc.stdout.count("REFUSED AS EXPECTED") == 7, proc.stdout[-6000:]


def test_an_extra_var_false_means_false():
    """-e NAME=false is the string "false". The role's option table converts it: the resolver stays closed."""
    opened = ["-e", '{"border_router_dns64_allow": ["::/0"]}', "--limit", "br1"]
    refused = ansible_playbook(
        str(SCENARIO / "preflight.yml"), "-e", "border_router_dns64_allow_force=false", *opened, check=False
    )
    assert refused.returncode != 0, refused.stdout[-3000:]
    assert "opens the DNS64 resolver to a large part of the internet" in refused.stdout, refused.stdout[-3000:]
    # The same input with the flag really set passes the pre-flight: what refused it was the flag, nothing else.
    forced = ansible_playbook(str(SCENARIO / "preflight.yml"), "-e", "border_router_dns64_allow_force=true", *opened)
    assert recap(forced.stdout)["br1"]["changed"] == 0


def test_one_run_computes_the_site_plan_once():
    """converge.yml is two plays (routers; servers and VMs): the first planning task computes, every other reuses."""
    proc = ansible_playbook(str(SCENARIO / "converge.yml"), "--check", callback="ansible.posix.json")
    runs = [
        result
        for play in json.loads(proc.stdout)["plays"]
        for task in play["tasks"]
        if task["task"]["name"].endswith("Plan the site (once per run; reused while the site model is unchanged)")
        for result in task["hosts"].values()
    ]
    assert len(runs) >= 2, f"expected a planning task in each play, found {len(runs)}"
    assert [r["computed"] for r in runs].count(True) == 1, [r.get("msg") for r in runs]
    # The summary selects what the site's IPv4 serves from that plan (JMESPath).
    summary = [
        result["msg"]
        for play in json.loads(proc.stdout)["plays"]
        for task in play["tasks"]
        if task["task"]["name"] == "Summarise the plan"
        for result in task["hosts"].values()
    ]
    assert summary and summary[0][1:] == [
        f"IPv4 1:1 mappings: vm1 = {VM1['ipv4_mapping']}",
        "dual-stack VMs: none",
        "behind the IPv4 proxies (no address): none",
        f"records the owners of names outside {PLAN['domain']} must publish: none",
    ], summary


# --- Jool: rendered and checked, live steps skipped where the module cannot load --------------------------


def test_jool_is_rendered_and_its_live_steps_skipped_then_tayga_comes_back(tmp_path):
    # Jool translates before nftables sees a packet, so the role refuses a mapping limited to some ports.
    proc = ansible_playbook(str(SCENARIO / "jool.yml"), "--limit", "br2", check=False)
    assert proc.returncode != 0
    assert "VM vm1: ipv4_mapping_ports cannot be enforced with border_router_nat64 jool" in proc.stdout
    # The same site with vm1's whole address mapped.
    site = yaml.safe_load((INVENTORY / "group_vars/all/site.yml").read_text())["site"]
    for vm in site["vms"]:
        vm.pop("ipv4_mapping_ports", None)
    (tmp_path / "site.json").write_text(json.dumps({"site": site}))
    proc = ansible_playbook(str(SCENARIO / "jool.yml"), "--limit", "br2", "-e", f"@{tmp_path / 'site.json'}")
    assert "SKIPPED the live Jool steps on br2" in proc.stdout, proc.stdout[-4000:]
    config = json.loads(node("br2").file("/etc/jool/jool.conf").content_string)
    assert config["global"]["pool6"] == NAT64
    assert {p["prefix"] for p in config["pool4"]} == {f"{addr('br2', 'inet4')}/32"}
    siit = json.loads(node("br2").file("/etc/jool/jool_siit.conf").content_string)
    assert siit["eamt"] == [{"ipv6 prefix": f"{VM1['ipv6']}/128", "ipv4 prefix": f"{VM1['ipv4_mapping']}/32"}]
    assert node("br2").run("systemctl is-active tayga.service").stdout.strip() != "active"
    # Back to Tayga: the engine switch works both ways, and br2 translates again.
    ansible_playbook(str(SCENARIO / "converge.yml"), "--limit", "br2")
    assert node("br2").run("systemctl is-active tayga.service radvd.service").stdout.split() == ["active", "active"]
    token = f"br2-{uuid.uuid4().hex}"
    run(node("br2"), f"curl -6 -fsS -m 10 -o /dev/null http://[{embed(WEB4)}]/?{token}")
    assert access_log_client(node("inet4-web"), token) == ROUTER4["br2"]
