"""Every lab on this machine (`make lab`'s and each Molecule scenario's) on subnets of its own: netavark refuses
overlapping networks, so two labs that share a subnet cannot run at once, and none may touch the host's own."""

from __future__ import annotations

import ipaddress
import itertools
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "lab"))

import labctl  # noqa: E402

TOPOLOGY = REPO / "lab" / "topology.yml"
INVENTORIES = [
    REPO / "inventories" / "lab",
    *(p.parents[2] for p in sorted(REPO.glob("molecule/*/inventory/group_vars/all/lab.yml"))),
]
HOST_OWN = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "fd00::/64", "203.0.113.0/24", "10.255.255.0/24")]


def lab_subnets(inventory: Path) -> dict[str, ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The subnet of every network of the topology that this lab can build (its site model, its lab.yml)."""
    lab = labctl.Lab(TOPOLOGY, inventory)
    nets = {}
    for name in lab.topo["networks"]:
        try:
            nets[f"{lab.name}-{name}"] = lab.net(name).subnet
        except labctl.LabError:
            continue  # a network this lab's slice does not use (no site network, no segment in lab.yml)
    return nets


def test_labs_and_scenarios_never_share_a_subnet_nor_touch_the_hosts_own():
    assert len(INVENTORIES) >= 4, INVENTORIES  # make lab and every scenario
    subnets = {}
    for inventory in INVENTORIES:
        subnets.update(lab_subnets(inventory))
    assert len(subnets) >= 12, subnets
    for (a, net_a), (b, net_b) in itertools.combinations(subnets.items(), 2):
        assert not net_a.overlaps(net_b), f"{a} {net_a} overlaps {b} {net_b}"
    for name, net in subnets.items():
        for own in HOST_OWN:
            assert not net.overlaps(own), f"{name} {net} overlaps the host's own {own}"
