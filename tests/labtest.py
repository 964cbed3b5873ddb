# SPDX-License-Identifier: GPL-3.0-or-later
"""The one helper set for tests that run against a lab: `make lab`'s end-to-end checks (tests/lab/) and every
Molecule scenario's verify step.

A ``LabView`` reads what lab/labctl.py wrote into an inventory (host vars: containers, addresses, interfaces), the
site model and its plan, and the lab settings; nothing here retypes an address. The free functions are runners and
parsers that do not depend on the lab.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.reversename
import testinfra
import yaml

REPO = Path(__file__).resolve().parent.parent
for path in (REPO / "collections", REPO / "lab"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from labhosts import read_hosts  # noqa: E402


def mitogen_env() -> dict[str, str]:
    """The settings that switch ansible-playbook to the Mitogen strategy, as `make lab` does."""
    spec = importlib.util.find_spec("ansible_mitogen")
    assert spec and spec.origin, "ansible_mitogen is not installed in this venv (requirements-test.txt)"
    strategies = Path(spec.origin).parent / "plugins" / "strategy"
    return {"ANSIBLE_STRATEGY_PLUGINS": str(strategies), "ANSIBLE_STRATEGY": "mitogen_linear"}


from ansible_collections.ipv6only.datacenter.plugins.module_utils import rfc6052  # noqa: E402
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan  # noqa: E402


class LabView:
    """One lab as its inventory describes it."""

    def __init__(self, inventory: Path) -> None:
        self.inventory = Path(inventory).resolve()
        self.hostvars, self.groups = read_hosts(self.inventory)
        self.site = yaml.safe_load((self.inventory / "group_vars/all/site.yml").read_text())["site"]
        self.plan = build_plan(self.site)
        self.config = yaml.safe_load((self.inventory / "group_vars/all/lab.yml").read_text())["lab"]
        self.zone = self.config.get("internet_zone", "v4only.example")
        self.nat64 = self.plan["nat64"]["prefix"]

    def node(self, name: str):
        """A testinfra host for the node's container."""
        return testinfra.get_host(f"podman://{self.hostvars[name]['lab_container']}")

    def addr(self, name: str, network: str) -> str:
        return self.hostvars[name]["lab_addresses"][network]

    def running(self) -> set[str]:
        """The nodes whose containers run (a scenario runs a slice of the topology)."""
        names = {v["lab_container"]: n for n, v in self.hostvars.items()}
        out = subprocess.run(
            ["podman", "ps", "--format", "{{.Names}}"], capture_output=True, text=True, check=True
        ).stdout
        return {names[c] for c in out.split() if c in names}

    def embed(self, ipv4: str) -> str:
        return str(rfc6052.embed(ipv4, self.nat64))

    def extract(self, ipv6: str) -> str:
        return str(rfc6052.extract(ipv6, self.nat64))

    def ansible(
        self,
        *args: str,
        tool: str = "ansible-playbook",
        check: bool = True,
        callback: str | None = None,
        mitogen: bool = False,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess:
        """Run ansible or ansible-playbook from the venv and the repository, with this inventory and the repository's
        config only (Molecule's ANSIBLE_* settings would point elsewhere), another stdout callback if asked, and the
        Mitogen strategy if asked, and ``env`` added to the environment."""
        extra = env or {}
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")} | extra
        env |= {
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": f"{REPO / 'collections'}:{REPO / 'tests' / 'fixtures' / 'collections'}",
            "ANSIBLE_FORCE_COLOR": "0",
        }
        if callback:
            env |= {"ANSIBLE_STDOUT_CALLBACK": callback, "ANSIBLE_LOAD_CALLBACK_PLUGINS": "true"}
        if mitogen:
            env |= mitogen_env()
        cmd = [str(Path(sys.executable).parent / tool), "-i", str(self.inventory), *args]
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200, check=False)
        if check:
            assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
        return proc


class Probe:
    """tests/l2probe.py in lab nodes: crafted link traffic (scapy, in the lab image) sent from one node and captured
    on another, to see what a switch lets through."""

    def __init__(self, view: LabView) -> None:
        self.view = view
        self.installed: set[str] = set()

    def container(self, name: str) -> str:
        container = self.view.hostvars[name]["lab_container"]
        if name not in self.installed:
            subprocess.run(
                ["podman", "cp", str(REPO / "tests" / "l2probe.py"), f"{container}:/usr/local/bin/l2probe"], check=True
            )
            self.installed.add(name)
        return container

    def send(self, name: str, *args: str) -> None:
        cmd = ["podman", "exec", self.container(name), "python3", "/usr/local/bin/l2probe", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 0, f"l2probe {' '.join(args)} on {name}: {proc.stderr[-2000:]}"

    def capture(
        self, name: str, send: Callable[[], object], bpf: str, seconds: float = 3, iface: str = "eth0"
    ) -> list[dict]:
        """What ``name`` receives on ``iface`` matching ``bpf`` while ``send()`` runs: ``[{mac, src, dst, kind,
        sport}]``."""
        sniff = ["sniff", "--seconds", str(seconds), "--filter", bpf]
        cmd = ["podman", "exec", self.container(name), "python3", "/usr/local/bin/l2probe", "--iface", iface, *sniff]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as sniffer:
            ready = sniffer.stdout.readline().strip()
            assert ready == "READY", f"l2probe sniff on {name}: {ready} {sniffer.stderr.read()[-2000:]}"
            send()
            out, err = sniffer.communicate(timeout=seconds + 60)
        assert sniffer.returncode == 0, f"l2probe sniff on {name}: {err[-2000:]}"
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def mac(self, name: str, ifname: str = "eth0") -> str:
        cmd = ["podman", "exec", self.container(name), "cat", f"/sys/class/net/{ifname}/address"]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def run(host, command: str, ok: bool = True):
    """Run a command on a testinfra host; by default it must succeed."""
    result = host.run(command)
    if ok:
        assert result.rc == 0, f"{command}: rc={result.rc}\n{result.stdout}\n{result.stderr}"
    return result


def recap(output: str) -> dict[str, dict[str, int]]:
    """{host: {ok: n, changed: n, failed: n, ...}} from a play recap."""
    found = {}
    for line in output.split("PLAY RECAP", 1)[-1].splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[1] == ":":
            found[parts[0]] = {k: int(v) for k, v in (p.split("=") for p in parts[2:] if "=" in p)}
    return found


def unchanged(view: LabView, playbook: str, *args: str) -> None:
    """A run of ``playbook`` (a rerun, or check mode with ``--check --diff``) changes and fails nothing."""
    proc = view.ansible(playbook, *args)
    assert all(c["changed"] == 0 and c["failed"] == 0 for c in recap(proc.stdout).values()), proc.stdout[-5000:]


def wait_for(check: Callable[[], object], timeout: float, interval: float = 0.5) -> tuple[object, float]:
    """Call check() until it returns a true value or timeout seconds pass; returns (value, seconds)."""
    start = time.monotonic()
    value = None
    while time.monotonic() - start < timeout:
        value = check()
        if value:
            return value, time.monotonic() - start
        time.sleep(interval)
    return value, time.monotonic() - start


def ask(server: str, name: str, rdtype: str) -> tuple[str, list[str]]:
    """One query to ``server`` from the jump host, read with dnspython: (rcode, the answer's records of ``rdtype``
    as text). A name may be an address (its PTR name)."""
    if rdtype == "PTR":
        name = dns.reversename.from_address(name)
    response = dns.query.udp_with_fallback(dns.message.make_query(name, rdtype), server, timeout=5)[0]
    wanted = dns.rdatatype.from_text(rdtype)
    found = [rdata.to_text() for rrset in response.answer if rrset.rdtype == wanted for rdata in rrset]
    return dns.rcode.to_text(response.rcode()), found


def dig(host, args: str) -> dict:
    """Run dig on a node and parse the status, the answer section and the server that answered."""
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
