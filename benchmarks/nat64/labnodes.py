# SPDX-License-Identifier: GPL-3.0-or-later
"""Lab access for the border router benchmarks (benchmarks/nat64 and benchmarks/dns64).

Reads what lab/labctl.py wrote (DIR/hosts.yml, DIR/group_vars/all/{site,lab}.yml), runs commands in the
nodes with `podman exec`, and switches NIC offloads with the legacy ethtool ioctls (the lab image has no
ethtool binary; python3 is there).
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.ipv6only.datacenter.plugins.module_utils import rfc6052  # noqa: E402
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan  # noqa: E402

sys.path.insert(0, str(ROOT / "lab"))
from labhosts import read_hosts  # noqa: E402

__all__ = ["Lab", "all_offloads", "median", "rfc6052"]

# Legacy ethtool get/set commands (linux/ethtool.h); veth maps them onto its feature flags.
_OFFLOADS = {  # name: (get, set)
    "rx-checksum": (0x14, 0x15),
    "tx-checksum": (0x16, 0x17),
    "scatter-gather": (0x18, 0x19),
    "tso": (0x1E, 0x1F),
    "gso": (0x23, 0x24),
    "gro": (0x2B, 0x2C),
}

_ETHTOOL = r"""
import ctypes, fcntl, json, socket, struct, sys
SIOCETHTOOL = 0x8946
def call(ifname, cmd, data=0):
    value = ctypes.create_string_buffer(struct.pack("II", cmd, data))
    ifr = struct.pack("16sP", ifname.encode(), ctypes.addressof(value)).ljust(40, b"\0")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
    return struct.unpack("II", value.raw[:8])[1]
request = json.loads(sys.argv[1])
out = {}
for ifname, settings in request.items():
    out[ifname] = {}
    for name, (get, set_, wanted) in settings.items():
        out[ifname][name] = call(ifname, get)
        if wanted is not None:
            call(ifname, set_, wanted)
print(json.dumps(out))
"""


def lab_arguments(doc: str) -> argparse.ArgumentParser:
    """The options every lab benchmark takes: which lab, which router, how many interleaved repetitions."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--inventory", type=Path, default=ROOT / "inventories" / "lab")
    parser.add_argument("--router", default="br1")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    return parser


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class Lab:
    def __init__(self, inventory: Path) -> None:
        self.inventory = inventory
        hosts = inventory / "hosts.yml"
        if not hosts.is_file():
            raise SystemExit(f"{hosts} not found: bring the lab up (make lab, or molecule converge -s border_router)")
        self.hostvars, self.groups = read_hosts(inventory)
        site = yaml.safe_load((inventory / "group_vars/all/site.yml").read_text())["site"]
        self.plan = build_plan(site)
        self.config = yaml.safe_load((inventory / "group_vars/all/lab.yml").read_text())["lab"]

    def need(self, *nodes: str) -> None:
        missing = [n for n in nodes if n not in self.hostvars]
        if missing:
            raise SystemExit(f"the lab in {self.inventory} lacks {', '.join(missing)}")

    def container(self, node: str) -> str:
        return self.hostvars[node]["lab_container"]

    def addr(self, node: str, network: str) -> str:
        return self.hostvars[node]["lab_addresses"][network]

    def ifname(self, node: str, network: str) -> str:
        return self.hostvars[node]["lab_interfaces"][network]

    def sh(self, node: str, command: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            ["podman", "exec", self.container(node), "sh", "-c", command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode:
            raise RuntimeError(f"{node}: {command}: rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def offloads(self, node: str, settings: dict[str, bool | None]) -> dict[str, dict[str, int]]:
        """Set (True/False) or just read (None) offloads; returns the states before."""
        request = {
            ifname: {name: (*_OFFLOADS[name], None if on is None else int(on)) for name, on in wanted.items()}
            for ifname, wanted in settings.items()
        }
        proc = self.sh(node, f"python3 -c {shlex.quote(_ETHTOOL)} {shlex.quote(json.dumps(request))}")
        return json.loads(proc.stdout)

    def restore_offloads(self, node: str, before: dict[str, dict[str, int]]) -> None:
        # Turn on in reverse order: checksumming and scatter-gather before the segmentation offloads.
        settings = {
            ifname: {name: bool(v) for name, v in reversed(list(states.items()))} for ifname, states in before.items()
        }
        self.offloads(node, settings)


def all_offloads(on: bool | None) -> dict[str, bool | None]:
    # Order matters when turning off: GSO/TSO depend on scatter-gather and checksumming.
    return {name: on for name in ("gro", "gso", "tso", "scatter-gather", "tx-checksum", "rx-checksum")}
