# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures: the lab's host vars (written by lab/labctl.py), the site plan, and runners."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.reversename
import pytest
import testinfra
import yaml

SCENARIO = Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parent.parent))
INVENTORY = SCENARIO / "inventory"
REPO = SCENARIO.parent.parent
sys.path.insert(0, str(REPO / "collections"))

from ansible_collections.ipv6only.datacenter.plugins.module_utils import rfc6052  # noqa: E402
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan  # noqa: E402

sys.path.insert(0, str(REPO / "lab"))
from labhosts import read_hosts  # noqa: E402

HOSTVARS, _ = read_hosts(INVENTORY)
PLAN = build_plan(yaml.safe_load((INVENTORY / "group_vars/all/site.yml").read_text())["site"])
LAB = yaml.safe_load((INVENTORY / "group_vars/all/lab.yml").read_text())["lab"]
ZONE = LAB["internet_zone"]
NAT64 = PLAN["nat64"]["prefix"]
ROUTERS = ("br1", "br2")
ENGINES = {"br1": "unbound", "br2": "bind"}


def node(name: str):
    return testinfra.get_host(f"podman://{HOSTVARS[name]['lab_container']}")


def addr(name: str, network: str) -> str:
    return HOSTVARS[name]["lab_addresses"][network]


def resolver(router: str) -> str:
    """The router's address in the plan's resolver list (what RDNSS and resolv.conf name)."""
    return PLAN["hosts"][router]["ipv6"]


def embed(ipv4: str) -> str:
    return str(rfc6052.embed(ipv4, NAT64))


def extract(ipv6: str) -> str:
    return str(rfc6052.extract(ipv6, NAT64))


def run(host, command: str, ok: bool = True):
    result = host.run(command)
    if ok:
        assert result.rc == 0, f"{command}: rc={result.rc}\n{result.stdout}\n{result.stderr}"
    return result


def ansible_playbook(*args: str, check: bool = True, callback: str | None = None) -> subprocess.CompletedProcess:
    """Run ansible-playbook from the repository with this scenario's inventory (and another stdout callback)."""
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(INVENTORY), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env |= {"ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_FORCE_COLOR": "0"}
    if callback:
        env |= {"ANSIBLE_STDOUT_CALLBACK": callback, "ANSIBLE_LOAD_CALLBACK_PLUGINS": "true"}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if check:
        assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    return proc


def recap(output: str) -> dict[str, dict[str, int]]:
    """{host: {ok: n, changed: n, failed: n, ...}} from a play recap."""
    found = {}
    for line in output.split("PLAY RECAP", 1)[-1].splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[1] == ":":
            found[parts[0]] = {k: int(v) for k, v in (p.split("=") for p in parts[2:] if "=" in p)}
    return found


def wait_for(check, timeout: float, interval: float = 0.5):
    """Call check() until it returns a true value or timeout seconds pass; returns (value, seconds)."""
    start = time.monotonic()
    value = None
    while time.monotonic() - start < timeout:
        value = check()
        if value:
            return value, time.monotonic() - start
        time.sleep(interval)
    return value, time.monotonic() - start


def podman(*args: str) -> str:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def plan() -> dict:
    return PLAN


def ask(server: str, name: str, rdtype: str) -> tuple[str, list[str]]:
    """One query to ``server`` from the jump host, a site client (its address on the management network), read
    with dnspython: (rcode, the answer's records of ``rdtype`` as text). A name may be an address (its PTR name)."""
    if rdtype == "PTR":
        name = dns.reversename.from_address(name)
    response = dns.query.udp_with_fallback(dns.message.make_query(name, rdtype), server, timeout=5)[0]
    wanted = dns.rdatatype.from_text(rdtype)
    found = [rdata.to_text() for rrset in response.answer if rrset.rdtype == wanted for rdata in rrset]
    return dns.rcode.to_text(response.rcode()), found


def dig(host, args: str) -> dict:
    """Run dig and parse the status, the answer section and the server that answered."""
    result = host.run(f"dig +time=3 +tries=2 {args}")
    lines = result.stdout.splitlines()
    status = next((line.split("status: ")[1].split(",")[0] for line in lines if "status: " in line), None)
    answers = []
    in_answer = False
    for line in lines:
        if line.startswith(";; ANSWER SECTION"):
            in_answer = True
            continue
        if in_answer:
            if not line.strip():
                in_answer = False
                continue
            fields = line.split()
            answers.append({"name": fields[0], "type": fields[3], "data": " ".join(fields[4:])})
    server = next((line.split("SERVER: ")[1] for line in lines if "SERVER: " in line), None)
    return {"rc": result.rc, "status": status, "answers": answers, "server": server, "raw": result.stdout}


__all__ = [
    "ENGINES",
    "HOSTVARS",
    "LAB",
    "NAT64",
    "PLAN",
    "ROUTERS",
    "ZONE",
    "addr",
    "ansible_playbook",
    "ask",
    "dig",
    "embed",
    "extract",
    "node",
    "podman",
    "recap",
    "resolver",
    "run",
    "wait_for",
]
