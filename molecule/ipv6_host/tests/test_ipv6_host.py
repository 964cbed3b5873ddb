# SPDX-License-Identifier: GPL-3.0-or-later
"""hv1 after the ipv6_host role, seen by clients: the jump host (this machine, <mgmt>::1, inside the
jump prefix), stor1 (same network, outside it), and Ansible itself (the audit module, consent)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCENARIO = Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parent.parent))
REPO = SCENARIO.parent.parent
sys.path.insert(0, str(REPO / "tests"))

from labtest import LabView  # noqa: E402

# Host vars written by lab/labctl.py: container names and addresses, never retyped here.
VIEW = LabView(SCENARIO / "inventory")
HOSTVARS, SITE, node = VIEW.hostvars, VIEW.site, VIEW.node
HV1 = VIEW.addr("hv1", "mgmt")
IFACE = HOSTVARS["hv1"]["lab_interfaces"]["mgmt"]


@pytest.fixture(scope="module")
def hv1():
    return node("hv1")


@pytest.fixture(scope="module")
def stor1():
    return node("stor1")


def run_ansible(*args: str, tool: str = "ansible") -> subprocess.CompletedProcess:
    """ansible or ansible-playbook against the scenario's lab, with JSON output."""
    return VIEW.ansible(*args, tool=tool, check=False, callback="ansible.posix.json")


def playbook(*args: str) -> tuple[subprocess.CompletedProcess, dict]:
    proc = run_ansible(str(SCENARIO / "converge.yml"), *args, tool="ansible-playbook")
    return proc, json.loads(proc.stdout)


def audit(**module_args) -> tuple[int, dict]:
    args = ["-a", json.dumps(module_args)] if module_args else []
    proc = run_ansible("hv1", "-m", "ipv6only.datacenter.ipv4_listeners", *args)
    result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["hv1"]
    return proc.returncode, result


# --- addresses ------------------------------------------------------------------------------------------------


def test_hv1_has_no_ipv4_but_loopback_and_the_allowed(hv1):
    # prepare.yml added 198.18.46.10/24 (to go) and 198.18.47.10/24 (allowed by ipv6_host_ipv4_allowed).
    lines = hv1.run("ip -4 -o address show").stdout.splitlines()
    found = sorted((line.split()[1], line.split()[3]) for line in lines)
    assert found == [(IFACE, "198.18.47.10/24"), ("lo", "127.0.0.1/8")]


def test_hv1_has_its_plan_address(hv1):
    assert f"inet6 {HV1}/64 " in hv1.run(f"ip -6 -o address show dev {IFACE}").stdout


def test_boot_unit_agrees_with_the_running_state(hv1):
    assert hv1.service("ipv6-host-addresses").is_enabled
    result = hv1.run("/usr/local/sbin/ipv6-host-addresses plan")
    assert result.rc == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["interfaces"] == {"mgmt": IFACE}
    assert plan["changed"] is False, plan["changes"]


# --- SSH: from the jump host yes, from elsewhere no --------------------------------------------------------------


def test_ssh_answers_the_jump_host():
    # This machine is the jump host: its source address on the lab bridge is <mgmt>::1, in the jump prefix.
    with socket.create_connection((HV1, 22), timeout=5) as sock:
        assert sock.recv(8).startswith(b"SSH-2.0")


def test_ssh_login_from_the_jump_host():
    hv = HOSTVARS["hv1"]
    cmd = ["ssh", "-i", hv["ansible_ssh_private_key_file"], *hv["ansible_ssh_common_args"].split()]
    cmd += ["-o", "BatchMode=yes", "-o", "ConnectTimeout=5", f"root@{HV1}", "true"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr


def test_ssh_is_dropped_from_outside_the_jump_prefix(stor1):
    # prepare.yml showed that the same command succeeded before the role.
    assert stor1.run(f"nc -z -w3 {HV1} 22").rc != 0


def test_icmpv6_echo_still_answers_outside_the_jump_prefix(stor1):
    # The path from stor1 works; only SSH is filtered.
    result = stor1.run(f"ping -6 -c1 -W2 {HV1}")
    assert result.rc == 0, result.stdout + result.stderr


def test_ipv4_is_dropped(stor1):
    # prepare.yml showed that stor1 could ping hv1's allowed IPv4 address before the role.
    assert stor1.run("ping -4 -c1 -W2 198.18.47.10").rc != 0


def test_sshd_listens_on_ipv6_only(hv1):
    # ss prints [::]:22 for an IPV6_V6ONLY socket, *:22 for a dual-stack one, 0.0.0.0:22 for IPv4.
    listening = {line.split()[3] for line in hv1.run("ss -Hltn sport = :22").stdout.splitlines()}
    assert listening == {"[::]:22"}
    effective = hv1.run("sshd -T").stdout.splitlines()
    assert "addressfamily inet6" in effective


def test_firewall_is_loaded_with_the_jump_prefix(hv1):
    ruleset = hv1.run("nft list table inet ipv6_host")
    assert ruleset.rc == 0, ruleset.stderr
    assert SITE["jump_prefix"] in ruleset.stdout
    assert "policy drop" in ruleset.stdout
    assert hv1.service("nftables").is_enabled


# --- sysctls, resolver, time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("net.ipv6.conf.{iface}.accept_ra", "1"),
        ("net.ipv6.conf.{iface}.autoconf", "0"),
        ("net.ipv6.conf.default.accept_ra", "1"),
        ("net.ipv6.conf.all.forwarding", "0"),
    ],
)
def test_sysctls(hv1, key, value):
    assert hv1.sysctl(key.format(iface=IFACE)) == int(value)


def test_a_sysctl_changed_behind_the_roles_back_is_set_back(hv1):
    # The drop-in is unchanged, so only the comparison with the running values can notice this.
    key = f"net.ipv6.conf.{IFACE}.accept_ra"
    assert hv1.run(f"sysctl -w {key}=0").rc == 0
    proc, out = playbook()
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert out["stats"]["hv1"]["changed"] == 2  # the comparison, and the shared handler that applies the drop-in
    assert hv1.sysctl(key) == 1


def test_resolver_is_the_sites_dns64(hv1):
    resolv = hv1.file("/etc/resolv.conf").content_string
    nameservers = [line.split()[1] for line in resolv.splitlines() if line.startswith("nameserver")]
    assert nameservers == ["2001:db8:460:1::11"]  # br1's plan address: site.resolvers = [br1]
    assert f"search {SITE['domain']}" in resolv


def test_chrony_runs_with_ipv6_servers(hv1):
    assert hv1.service("chrony").is_running
    sources = hv1.run("chronyc -n sources").stdout
    assert "2001:db8:460:1::11" in sources
    assert "-6" in hv1.file("/etc/default/chrony").content_string


# --- the audit module, against a real IPv4-only listener ---------------------------------------------------------


@pytest.fixture
def probes(hv1):
    """A python3 HTTP server on 0.0.0.0:18080 (IPv4 only) and one on [::]:18081 (dual-stack)."""
    units = {"v6host-probe4": "0.0.0.0 18080", "v6host-probe6": ":: 18081"}
    for unit, bind in units.items():
        address, port = bind.split()
        cmd = f"systemd-run --unit={unit} --collect python3 -m http.server --bind {address} {port}"
        assert hv1.run(cmd).rc == 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        listening = hv1.run("ss -ltnH").stdout
        if "0.0.0.0:18080" in listening and "[::]:18081" in listening:
            break
        time.sleep(0.3)
    yield
    for unit in units:
        hv1.run(f"systemctl stop {unit}")


def _ours(entries, port):
    return [e for e in entries if e["proto"] == "tcp" and e["port"] == port]


def test_audit_is_clean_after_the_role():
    rc, result = audit()
    assert rc == 0
    assert result["ipv4_only"] == [], result["msg"]
    assert result["changed"] is False


def test_audit_flags_the_ipv4_only_listener(probes):
    rc, result = audit()
    assert rc == 0
    flagged = _ours(result["ipv4_only"], 18080)
    assert [(e["address"], e["process"]) for e in flagged] == [("0.0.0.0", "python3")]
    assert _ours(result["ipv4_only"], 18081) == []
    assert [e["family"] for e in _ours(result["listeners"], 18081)] == ["ipv6"]


def test_audit_fails_on_the_ipv4_only_listener(probes):
    rc, result = audit(fail_on_ipv4_only=True)
    assert rc != 0 and result["failed"] is True
    assert "python3[" in result["msg"] and "tcp 0.0.0.0:18080" in result["msg"]


def test_audit_allow_list(probes):
    rc, result = audit(fail_on_ipv4_only=True, allow=[{"port": 18080, "proto": "tcp", "process": "python3"}])
    assert rc == 0, result.get("msg")
    assert [e["port"] for e in result["allowed"]] == [18080]


# --- consent and check mode -------------------------------------------------------------------------------------


def test_converged_check_mode_changes_nothing():
    proc, out = playbook("--check", "--diff")
    assert proc.returncode == 0, proc.stderr
    assert out["stats"]["hv1"]["changed"] == 0


def test_converged_run_without_consent_changes_nothing_and_passes():
    # Consent is only needed for a pending change: a converged node must not ask for it.
    proc, out = playbook("-e", json.dumps({"ipv6_host_allow_disruption": False}))
    assert proc.returncode == 0, proc.stderr
    assert out["stats"]["hv1"]["changed"] == 0


def test_firewall_change_without_consent_is_refused(hv1):
    before = hv1.run("nft list table inet ipv6_host").stdout
    extra = {"ipv6_host_allow_disruption": False, "ipv6_host_nftables_input_rules": ["tcp dport 9999 accept"]}
    proc, out = playbook("-e", json.dumps(extra))
    assert proc.returncode != 0
    assert out["stats"]["hv1"]["failures"] == 1 and out["stats"]["hv1"]["changed"] == 0
    messages = [t["hosts"]["hv1"].get("msg", "") for t in out["plays"][0]["tasks"] if "hv1" in t["hosts"]]
    assert any("ipv6_host_allow_disruption=true" in m and "/etc/nftables.conf would change" in m for m in messages)
    # The dry run showed the change, and nothing was written or loaded.
    dry_runs = [t["hosts"]["hv1"] for t in out["plays"][0]["tasks"] if "dry run" in t["task"]["name"]]
    assert any("tcp dport 9999 accept" in d["after"] for r in dry_runs for d in r.get("diff", []))
    assert "9999" not in hv1.file("/etc/nftables.conf").content_string
    assert hv1.run("nft list table inet ipv6_host").stdout == before


def test_firewall_that_would_cut_off_ansible_is_refused_even_with_consent(hv1):
    before = hv1.file("/etc/nftables.conf").content_string
    # A jump prefix that leaves out this machine (<mgmt>::1), which Ansible connects from.
    extra = {"ipv6_host_ssh_allowed_prefixes": ["2001:db8:460:1::40/124"]}
    proc, out = playbook("-e", json.dumps(extra))
    assert proc.returncode != 0
    assert out["stats"]["hv1"]["changed"] == 0
    messages = [t["hosts"]["hv1"].get("msg", "") for t in out["plays"][0]["tasks"] if "hv1" in t["hosts"]]
    assert any(
        "would cut off this Ansible connection" in m and HOSTVARS["hv1"]["lab_jump_address"] in m for m in messages
    )
    assert hv1.file("/etc/nftables.conf").content_string == before


def test_check_mode_without_consent_only_warns():
    extra = {"ipv6_host_allow_disruption": False, "ipv6_host_nftables_input_rules": ["tcp dport 9999 accept"]}
    proc, out = playbook("--check", "-e", json.dumps(extra))
    assert proc.returncode == 0, proc.stdout[-2000:]
    messages = [t["hosts"]["hv1"].get("msg", "") for t in out["plays"][0]["tasks"] if "hv1" in t["hosts"]]
    assert any(m.startswith("check mode: a real run would refuse") for m in messages)


# --- a role built on the role contract (the fixture role of tests/fixtures) -----------------------------------------


@pytest.fixture
def listener(hv1):
    """A python3 HTTP server on [::]:9100 and [::]:9101 of hv1; the fixture role opens 9100 only."""
    for port in (9100, 9101):
        cmd = f"systemd-run --unit=v6host-listen{port} --collect python3 -m http.server --bind :: {port}"
        assert hv1.run(cmd).rc == 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not all(f":{p} " in hv1.run("ss -ltnH").stdout for p in (9100, 9101)):
        time.sleep(0.3)
    yield
    for port in (9100, 9101):
        hv1.run(f"systemctl stop v6host-listen{port}")


def test_the_fixture_role_opens_its_port_to_the_management_network(stor1, listener):
    # stor1 is on the management network but outside the jump prefix: only the fixture role's rule lets it in.
    assert stor1.run(f"nc -z -w3 {HV1} 9100").rc == 0
    assert stor1.run(f"nc -z -w3 {HV1} 9101").rc != 0


def test_the_string_false_from_the_command_line_closes_the_port(stor1, listener):
    # -e service_port_enabled=false is the string "false": the role's option table makes it the boolean false.
    proc, out = playbook("-e", "service_port_enabled=false")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert out["stats"]["hv1"]["changed"] == 2  # the rule file, and the shared handler's nftables reload
    assert stor1.run(f"nc -z -w3 {HV1} 9100").rc != 0
    proc, out = playbook()
    assert proc.returncode == 0 and out["stats"]["hv1"]["changed"] == 2
    assert stor1.run(f"nc -z -w3 {HV1} 9100").rc == 0


def test_ipv6_host_publishes_its_extension_points(hv1):
    published = json.loads(hv1.file("/etc/ansible/facts.d/ipv6only_ipv6_host.fact").content_string)
    assert published["interfaces"] == {"mgmt": IFACE}
    assert published["nftables"]["table"] == "inet ipv6_host"
    assert "/etc/nftables.d/service_port.nft" in hv1.run("ls /etc/nftables.d/*.nft").stdout
