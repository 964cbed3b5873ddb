#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bring the container lab described by lab/topology.yml up and down, and write its inventory.

    labctl.py image                               build the node image if its recipe changed
    labctl.py image --print-tag                   print the image tag of this checkout's recipe
    labctl.py up [--nodes br1,client1]            (re)create the lab, write DIR/hosts.yml
    labctl.py down                                remove every container and network of the lab
    labctl.py inspect                             nodes, states and addresses
    labctl.py inventory                           rewrite DIR/hosts.yml for the running nodes

Whether the datacenter works is tests/lab's business (`make lab-check`), not this tool's.

All commands take --inventory DIR (default inventories/lab): DIR/group_vars/all/site.yml is the
site model (addresses of site nodes come from its plan) and DIR/group_vars/all/lab.yml names the
lab and numbers the lab-only segments. Everything the tool creates is named <lab>-<thing> and
labelled io.ipv6only.lab=<lab>, and `down` removes exactly that.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
IMAGE_DIR = REPO / "lab" / "image"
IMAGE_REPO = "localhost/ipv6only-lab"
LABEL = "io.ipv6only.lab"
SECTIONS = ("nodes", "networks")
# Where lab-only segments live (labctl derives them, see Lab.segment_subnet): (space, one lab's block, one
# segment). Benchmarking and documentation ranges, away from the host's 192.0.2.0/24, 203.0.113.0/24 and fd00::/64.
LAB_SPACE = {
    4: (ipaddress.ip_network("198.18.0.0/15"), 20, 24),
    6: (ipaddress.ip_network("2001:db8:ff00::/40"), 48, 64),
}
LABS = 32  # lab.number is 0-31: 198.18.0.0/15 holds 32 blocks of /20
# Lab nodes are recreated with new host keys on every `up`: never pin them.
SSH_OPTS = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
BOOT_TIMEOUT = 120  # seconds for systemd and sshd; 14 nodes boot in ~10 s on 2 cores

sys.path.insert(0, str(REPO / "collections"))
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError  # noqa: E402
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan  # noqa: E402

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Subnet = ipaddress.IPv4Network | ipaddress.IPv6Network


class LabError(Exception):
    """A problem the operator must fix; printed without a traceback."""


STARTED = time.monotonic()


def say(msg: str) -> None:
    print(f"[lab {time.monotonic() - STARTED:5.1f}s] {msg}", flush=True)


def podman(*args: str, data: bytes | None = None, check: bool = True) -> str:
    proc = subprocess.run(["podman", *args], input=data, capture_output=True, check=False)
    if check and proc.returncode:
        raise LabError(f"podman {' '.join(args)} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode(errors="replace")


def load_yaml(path: Path, key: str) -> dict:
    try:
        with path.open() as fh:
            value = (yaml.safe_load(fh) or {}).get(key)
    except (OSError, yaml.YAMLError) as exc:
        raise LabError(f"cannot read {path}: {exc}") from exc
    if not isinstance(value, dict):
        raise LabError(f"{path}: expected a mapping under '{key}:'")
    return value


# --- the image ------------------------------------------------------------------------------


def recipe_tag() -> str:
    """Tag = hash of everything that goes into the image (package list, build script, files/)."""
    digest = hashlib.sha256()
    inputs = [IMAGE_DIR / "packages.txt", IMAGE_DIR / "build.sh"]
    inputs += sorted(p for p in (IMAGE_DIR / "files").rglob("*") if p.is_file())
    for path in inputs:
        digest.update(str(path.relative_to(IMAGE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{IMAGE_REPO}:{digest.hexdigest()[:12]}"


def ensure_image() -> str:
    tag = recipe_tag()
    if _exists(tag):
        say(f"image {tag} is up to date (recipe hash matches)")
        return tag
    say(f"building image {tag} (recipe changed or image missing; about 2 minutes)")
    start = time.monotonic()
    result = subprocess.run([str(IMAGE_DIR / "build.sh"), tag, str(IMAGE_DIR / "manifest.txt")], check=False)
    if result.returncode:
        raise LabError(f"image build failed (exit {result.returncode}); see the output above")
    say(f"image built in {time.monotonic() - start:.0f}s")
    # Older recipe builds are 400 MB each; drop them unless a container still uses one.
    for old in podman("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", f"reference={IMAGE_REPO}").split():
        if old != tag:
            podman("rmi", old, check=False)
    return tag


def _exists(tag: str) -> bool:
    return subprocess.run(["podman", "image", "exists", tag], check=False).returncode == 0


# --- the model: topology + inventory -> networks and nodes ---------------------------------------


@dataclass
class Net:
    name: str
    podman: str
    subnet: Subnet | None  # None: a wire (below), which has no addresses of its own
    site: bool = False  # a site network (its prefix from the plan), not a lab-only segment
    # A wire is the cable of one switch port: a podman network without addresses between the switch and one
    # node, or the host for a jump port (whose host bridge then holds the jump address).
    jump: Address | None = None

    @property
    def host_address(self) -> Address | None:
        """The host's address on the bridge (jump host); IPv4 lab networks give the host none."""
        if self.subnet is None:
            return self.jump
        return None if self.subnet.version == 4 else self.subnet.network_address + 1


@dataclass
class Link:
    net: Net  # the network the link is on (its address is planned there)
    ifname: str
    address: Address | None
    mac: str | None = None
    wire: Net | None = None  # on a switched network: the port's wire, which the container is attached to

    @property
    def attached(self) -> Net:
        return self.wire or self.net


@dataclass
class Node:
    name: str
    container: str
    groups: list[str]
    spec: dict
    links: list[Link] = field(default_factory=list)
    ports: list[Link] = field(default_factory=list)  # a switch's ports, each on its wire

    @property
    def manage(self) -> Link | None:
        """The link Ansible uses: `manage_via`, else the first IPv6 one; None = podman connection."""
        via = self.spec.get("manage_via")
        for link in self.links:
            if (link.net.name == via) if via else link.address.version == 6:
                return link
        return None


class Lab:
    NODE_KEYS = frozenset({"profile", "groups", "networks", "dns", "image", "manage_via"})
    CONFIG_KEYS = frozenset({"name", "number", "bare", "segments", "switches", "internet_zone", "upstream_asn"})

    def __init__(self, topology: Path, inventory: Path) -> None:
        self.inventory = inventory
        self.topo = yaml.safe_load(topology.read_text()) if topology.is_file() else None
        if not (isinstance(self.topo, dict) and all(isinstance(self.topo.get(k), dict) for k in SECTIONS)):
            raise LabError(f"{topology}: expected a mapping with nodes: and networks:")
        self.config = load_yaml(inventory / "group_vars/all/lab.yml", "lab")
        self.name = str(self.config.get("name", ""))
        if not self.name.replace("-", "").isalnum() or len(self.name) > 12:
            raise LabError(f"lab.yml: lab.name {self.name!r} must be 1-12 characters of [a-z0-9-]")
        number = self.config.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < LABS:
            raise LabError(f"lab.yml: lab.number {number!r} must be an integer from 0 to {LABS - 1}, one per lab")
        self.number = number
        unknown = set(self.config) - self.CONFIG_KEYS
        if unknown:
            raise LabError(f"lab.yml: unknown keys {sorted(unknown)} (expected {', '.join(sorted(self.CONFIG_KEYS))})")
        self.state = REPO / "lab" / "state" / self.name
        for name, spec in self.topo["nodes"].items():
            unknown = set(spec) - self.NODE_KEYS
            if unknown:
                raise LabError(f"topology node {name}: unknown keys {sorted(unknown)}")
            for net in spec.get("networks", []):
                if net not in self.topo["networks"]:
                    raise LabError(f"topology node {name}: network {net!r} is not in networks:")
        self._plan: dict | None = None
        self._wiring: dict | None = None

    def container(self, node: str) -> str:
        return f"{self.name}-{node}"

    def select(self, nodes: str | None) -> list[str]:
        if not nodes:
            return list(self.topo["nodes"])
        chosen = [n.strip() for n in nodes.split(",") if n.strip()]
        unknown = [n for n in chosen if n not in self.topo["nodes"]]
        if unknown:
            raise LabError(f"--nodes: {', '.join(unknown)} not in the topology ({', '.join(self.topo['nodes'])})")
        return chosen

    @property
    def plan(self) -> dict:
        if self._plan is None:
            site = load_yaml(self.inventory / "group_vars/all/site.yml", "site")
            try:
                self._plan = build_plan(site)
            except PlanError as exc:
                raise LabError(f"the site model in {self.inventory} is invalid:\n{exc}") from exc
        return self._plan

    def net(self, name: str) -> Net:
        spec = self.topo["networks"][name] or {}
        segment = self.config.get("segments", {}).get(name, {})
        if spec.get("site"):
            if name not in self.plan["networks"]:
                raise LabError(f"network {name}: a site network, but the site model has no network {name!r}")
            subnet = ipaddress.ip_network(self.plan["networks"][name]["prefix"])
        elif "customer" in segment:
            customer = self.plan["customers"].get(segment["customer"])
            if customer is None:
                raise LabError(f"lab.segments.{name}.customer: no customer {segment['customer']!r} in the site model")
            subnet = next(ipaddress.ip_network(customer["prefix"]).subnets(new_prefix=64))
        else:
            subnet = self.segment_subnet(name)
        if (subnet.version == 4) != bool(spec.get("ipv4")):
            raise LabError(f"network {name}: subnet {subnet} does not match the topology's ipv4: setting")
        if name not in self.config.get("segments", {}) and not spec.get("site"):
            raise LabError(f"lab.yml: lab.segments.{name} is missing: it numbers the nodes of lab network {name}")
        return Net(name, f"{self.name}-{name}", subnet, bool(spec.get("site")))

    @property
    def wiring(self) -> dict:
        """The switched part of the lab, from the site plan's port map of each switch lab.yml names in
        `switches:` (an opt-in: other labs keep one podman network per segment). Returns
        ``{"ports": {(node, network): (switch, port)}, "jumps": {network: (switch, port)}, "switches": {switch:
        [port, ...]}}``; every port is a wire of its own, so links survive container restarts."""
        if self._wiring is None:
            names = self.config.get("switches") or []
            if not isinstance(names, list):
                raise LabError(f"lab.yml: lab.switches {names!r} must be a list of switch names")
            ports, jumps, switches = {}, {}, {}
            for switch in names:
                planned = (self.plan.get("switches") or {}).get(switch)
                if planned is None or switch not in self.topo["nodes"]:
                    raise LabError(
                        f"lab.yml: lab.switches: {switch!r} must be a switch of the site model (site.switches) and a "
                        "node of the topology"
                    )
                switches[switch] = planned["ports"]
                for port in planned["ports"].values():
                    if port["kind"] == "jump":
                        jumps[port["network"]] = (switch, port)
                    else:
                        ports[(port["node"], port["network"])] = (switch, port)
            self._wiring = {"ports": ports, "jumps": jumps, "switches": switches}
        return self._wiring

    def wire(self, switch: str, port: dict) -> Net:
        jump = ipaddress.ip_address(port["addresses"][0]) if port["kind"] == "jump" else None
        return Net(port["network"], f"{self.name}-{switch}-{port['port']}", None, True, jump)

    def segment_subnet(self, name: str) -> Subnet:
        """A lab-only segment's subnet is derived, never picked: block `lab.number` of LAB_SPACE for its family,
        and in that block the segment's place among the topology's lab-only segments of the family. Labs with
        different numbers never overlap, and none touches the host's own subnets."""
        ipv4 = bool((self.topo["networks"][name] or {}).get("ipv4"))
        space, block_length, segment_length = LAB_SPACE[4 if ipv4 else 6]
        block = ipaddress.ip_network(
            (int(space.network_address) + (self.number << (space.max_prefixlen - block_length)), block_length)
        )
        derived = [
            n
            for n, spec in self.topo["networks"].items()
            if not (spec or {}).get("site")
            and bool((spec or {}).get("ipv4")) == ipv4
            and "customer" not in self.config.get("segments", {}).get(n, {})
        ]
        return ipaddress.ip_network(
            (
                int(block.network_address) + (derived.index(name) << (space.max_prefixlen - segment_length)),
                segment_length,
            )
        )

    def node(self, name: str) -> Node:
        spec = self.topo["nodes"][name]
        node = Node(name, self.container(name), list(spec.get("groups", [])), spec)
        wiring = self.wiring
        switched = {network for (_, network) in wiring["ports"]} | set(wiring["jumps"])
        for index, net_name in enumerate(spec.get("networks", [])):
            net = self.net(net_name)
            address, mac = self.address(name, net)
            reserved = {
                net.subnet.network_address,
                net.host_address,
                net.subnet[-1] if net.subnet.version == 4 else None,
            }
            if address not in net.subnet or address in reserved:
                raise LabError(
                    f"node {name}: address {address} on {net_name} is outside {net.subnet} "
                    f"or is reserved there (network, broadcast or the host bridge's ::1: ids must not be 0 or 1)"
                )
            link = Link(net, f"eth{index}", address, mac)
            if net_name in switched:
                switch, port = wiring["ports"].get((name, net_name), (None, None))
                if port is None:
                    raise LabError(
                        f"node {name} is on {net_name}, which a switch of the lab bridges, but no port of the site "
                        f"model's port map leads to it there (site.switches[].ports: node {name}, network {net_name})"
                    )
                if port["interface"] != link.ifname:
                    raise LabError(
                        f"site.switches: {switch} port {port['port']} leads to {name}'s {port['interface']}, but "
                        f"{net_name} is {name}'s {link.ifname} in the topology (networks are eth0, eth1... in order)"
                    )
                link.wire = self.wire(switch, port)
            node.links.append(link)
        for port in (wiring["switches"].get(name) or {}).values():
            node.ports.append(Link(self.net(port["network"]), port["port"], None, None, self.wire(name, port)))
        return node

    def address(self, node: str, net: Net) -> tuple[Address, str | None]:
        """A site node's address comes from the plan, a lab segment's from lab.yml ids."""
        if net.site:
            host, vm = self.plan["hosts"].get(node), self.plan["vms"].get(node)
            if vm and vm["network"] == net.name:
                return ipaddress.ip_address(vm["ipv6"]), vm.get("mac")
            if host and host["network"] == net.name:
                return ipaddress.ip_address(host["ipv6"]), None
            if host and net.name in (host.get("addresses") or {}):
                return ipaddress.ip_address(host["addresses"][net.name]), None
            raise LabError(
                f"node {node} is on site network {net.name}, but the site plan has no address for it "
                f"there: add it to site.hosts/site.vms (or to the host's networks: list)"
            )
        ids = self.config.get("segments", {}).get(net.name, {}).get("hosts", {})
        if node not in ids:
            raise LabError(f"lab.yml: lab.segments.{net.name}.hosts has no id for node {node}")
        return net.subnet.network_address + int(ids[node]), None

    def resolvers(self, node: Node) -> list[str]:
        dns = node.spec.get("dns", "none")
        if dns == "site":
            return list(self.plan["dns"]["resolvers"])[:3]  # glibc reads at most three
        if dns == "none":
            return []
        if dns not in self.topo["nodes"]:
            raise LabError(f"topology node {node.name}: dns {dns!r} is not site, none or a node")
        # The resolver's address on a network this node shares with it (an IPv4-only client needs its IPv4).
        mine = {link.net.name for link in node.links}
        shared = [link for link in self.node(dns).links if link.net.name in mine]
        return [str((shared or self.node(dns).links)[0].address)]


# --- creating and removing --------------------------------------------------------------------


def lab_containers(lab: Lab) -> dict[str, dict]:
    """This lab's containers, by name (the topology's) and by label (nodes since renamed): name -> inspect."""
    wanted = {lab.container(n) for n in lab.topo["nodes"]}
    labelled = podman("ps", "-a", "--filter", f"label={LABEL}={lab.name}", "--format", "{{.Names}}").split()
    names = sorted((wanted & set(podman("ps", "-a", "--format", "{{.Names}}").split())) | set(labelled))
    return {c["Name"]: c for c in json.loads(podman("inspect", *names))} if names else {}


def lab_networks(lab: Lab) -> dict[str, dict]:
    wanted = {f"{lab.name}-{n}" for n in lab.topo["networks"]}
    labelled = podman("network", "ls", "--filter", f"label={LABEL}={lab.name}", "--format", "{{.Name}}").split()
    names = sorted((wanted & set(podman("network", "ls", "--format", "{{.Name}}").split())) | set(labelled))
    return {n["name"]: n for n in json.loads(podman("network", "inspect", *names))} if names else {}


def remove(lab: Lab, keep_containers: set[str] = frozenset(), keep_networks: set[str] = frozenset()) -> None:
    """Remove this lab's containers and networks, except those to keep; check no bridge is left."""
    doomed = sorted(set(lab_containers(lab)) - keep_containers)
    if doomed:
        say(f"removing containers: {' '.join(doomed)}")
        podman("rm", "--force", "--time", "0", *doomed)
    nets = {name: n for name, n in lab_networks(lab).items() if name not in keep_networks}
    if nets:
        say(f"removing networks: {' '.join(sorted(nets))}")
        podman("network", "rm", "--force", *sorted(nets))
        left = [b for n in nets.values() if (b := n.get("network_interface")) and Path(f"/sys/class/net/{b}").exists()]
        if left:
            raise LabError(f"bridges still present after removing the networks: {', '.join(left)}")


def create_network(lab: Lab, net: Net) -> None:
    args = ["network", "create", "--internal", "--disable-dns", f"--label={LABEL}={lab.name}"]
    if net.subnet is None:
        podman(*args, "--ipam-driver", "none", net.podman)
        return
    args.append(f"--subnet={net.subnet}")
    if net.host_address:
        # Internal networks without DNS get no gateway, hence no host address; the jump host needs ::1.
        args += ["--gateway", str(net.host_address)]
    podman(*args, net.podman)


def host_bridge(net: Net) -> str:
    return json.loads(podman("network", "inspect", net.podman))[0]["network_interface"]


def prepare_wire(net: Net) -> None:
    """A wire's host bridge is a cable: it must pass LLDP (01:80:c2:00:00:0e, which a bridge keeps to itself
    unless group_fwd_mask has bit 14) and must not snoop or answer MLD in the switch's place. A jump wire's host
    bridge holds the jump address. Netavark recreates the bridge when its first container starts: set it each time."""
    bridge = host_bridge(net)
    subprocess.run(
        ["ip", "link", "set", "dev", bridge, "type", "bridge", "group_fwd_mask", "0x4000", "mcast_snooping", "0"],
        check=True,
    )
    if net.jump is not None:
        subprocess.run(["ip", "address", "replace", f"{net.jump}/64", "dev", bridge, "nodad"], check=True)


def check_host_address(net: Net) -> None:
    """The jump host must hold <subnet>::1 on each IPv6 bridge (netavark adds it when the first node starts)."""
    from pyroute2 import IPRoute

    bridge = host_bridge(net)
    address = net.host_address
    with IPRoute() as ipr:
        have = {a.get_attr("IFA_ADDRESS") for i in ipr.link_lookup(ifname=bridge) for a in ipr.get_addr(index=i)}
    if str(address) not in have:
        raise LabError(f"host bridge {bridge} lacks {address}: the jump host could not reach the nodes")


def ensure_keypair(lab: Lab) -> Path:
    key = lab.state / "id_ed25519"
    if not key.exists():
        lab.state.mkdir(parents=True, exist_ok=True)
        cmd = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"ipv6only-lab-{lab.name}", "-f", str(key)]
        subprocess.run(cmd, check=True)
        say(f"generated SSH key {key}")
    return key


def node_files(lab: Lab, node: Node, pubkey: bytes) -> list[tuple[str, bytes, int]]:
    """Files written into the container before boot, as plain files (not podman bind mounts),
    so that roles can later replace them atomically."""
    fqdn = f"{node.name}.{lab.plan['domain']}" if node.links[0].net.site else ""
    names = f"{fqdn} {node.name}" if fqdn else node.name
    hosts = f"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{node.links[0].address}\t{names}\n"
    resolv = "".join(f"nameserver {r}\n" for r in lab.resolvers(node))
    if resolv and node.spec.get("dns") == "site":
        resolv += f"search {lab.plan['domain']}\n"
    return [
        ("root/.ssh/authorized_keys", pubkey, 0o600),
        ("etc/resolv.conf", resolv.encode(), 0o644),
        ("etc/hosts", hosts.encode(), 0o644),
    ]


def node_args(lab: Lab, node: Node, image: str) -> list[str]:
    spec = node.spec
    profile = lab.topo.get("profiles", {}).get(spec.get("profile", "host"))
    if profile is None:
        raise LabError(f"topology node {node.name}: no profile {spec.get('profile')!r}")
    # resolv.conf and hosts are written by node_files(), not bind-mounted by podman.
    args = [f"--name={node.container}", f"--hostname={node.name}", "--systemd=always", "--dns=none", "--no-hosts"]
    args += [f"--label={LABEL}={lab.name}", f"--label={LABEL}.node={node.name}"]
    for link in node.links + node.ports:
        if link.wire is not None:  # a wire has no addresses: labctl or the roles put them on the node
            opts = f"{link.wire.podman}:interface_name={link.ifname}"
        else:
            key = "ip" if link.address.version == 4 else "ip6"
            opts = f"{link.net.podman}:{key}={link.address},interface_name={link.ifname}"
        args += ["--network", opts + (f",mac={link.mac}" if link.mac else "")]
    args += [f"--cap-add={c}" for c in profile.get("cap_add", [])]
    args += [f"--device={d}" for d in profile.get("devices", [])]
    args += [f"--security-opt={o}" for o in profile.get("security_opt", [])]
    return [*args, image if spec.get("image", lab.topo.get("image")) == "recipe" else spec["image"], "/sbin/init"]


def spec_hash(args: list[str], files: list[tuple[str, bytes, int]]) -> str:
    """What a node was created from; `up` keeps a running node whose hash is unchanged."""
    digest = hashlib.sha256(json.dumps(args).encode())
    for path, data, mode in files:
        digest.update(f"{path}:{mode}:".encode() + data)
    return digest.hexdigest()[:16]


def create_node(node: Node, args: list[str], files: list[tuple[str, bytes, int]], spec: str) -> None:
    podman("create", f"--label={LABEL}.spec={spec}", *args)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path, data, mode in files:
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    podman("cp", "-", f"{node.container}:/", data=buf.getvalue())


def wait_ready(node: Node) -> str:
    """Wait for systemd to finish booting, then for sshd to greet on the management address."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    cmd = ["podman", "exec", node.container, "systemctl", "is-system-running", "--wait"]
    state = ""
    # Right after start, systemd's bus may not exist yet: systemctl then prints nothing. Retry until it answers.
    while not state and time.monotonic() < deadline:
        try:
            remaining = max(1.0, deadline - time.monotonic())
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=remaining, check=False)
        except subprocess.TimeoutExpired:
            return "boot timed out"
        state = run.stdout.strip()
        if not state:
            time.sleep(0.5)
    if state not in ("running", "degraded"):
        return f"systemd {state or 'unreachable'}"
    if node.manage is None or node.manage.wire is not None:
        # Behind a switch, sshd answers once the switch role has bridged the ports, as on a real site.
        return state
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((str(node.manage.address), 22), timeout=2) as sock:
                if sock.recv(8).startswith(b"SSH-"):
                    return state
        except OSError:
            time.sleep(0.3)
    return f"{state}, but sshd does not answer on [{node.manage.address}]:22"


def strip_site_addresses(lab: Lab, nodes: list[Node]) -> None:
    """Bare mode: a real host starts with the one address Ansible connects to, not with every address of the
    plan, as podman gives it. Remove every other global address on a site network, then check none is left."""
    for node in nodes:
        for link in node.links:
            if not link.net.site or link is node.manage or link.wire is not None:
                continue
            podman("exec", node.container, "ip", "address", "flush", "dev", link.ifname, "scope", "global")
            left = podman("exec", node.container, "ip", "-o", "address", "show", "dev", link.ifname, "scope", "global")
            if left.strip():
                raise LabError(f"bare mode: {node.name} still has addresses on {link.ifname}: {left.strip()}")
    if nodes:
        say(f"bare mode: {len(nodes)} new nodes keep only their management address on the site networks")


def address_wires(lab: Lab, nodes: list[Node]) -> None:
    """A wire has no addresses for podman to give: put on the node the address it has before Ansible runs (in bare
    mode the management one only, as a real host's installer would; otherwise every planned one)."""
    for node in nodes:
        for link in node.links:
            if link.wire is None or (lab.config.get("bare") and link is not node.manage):
                continue
            cmd = ["ip", "address", "replace", f"{link.address}/{link.net.subnet.prefixlen}", "dev", link.ifname]
            podman("exec", node.container, *cmd)


def jump_address(lab: Lab, link: Link) -> Address | None:
    """The host's address towards a node's management link: its bridge's, or behind a switch the jump port's."""
    if link.wire is None:
        return link.net.host_address
    jump = lab.wiring["jumps"].get(link.net.name)
    if jump is None:
        raise LabError(
            f"{link.net.name} is switched, but no jump port of the port map is on it: the jump host cannot reach "
            "the nodes managed there (add a port of kind jump on that network)"
        )
    return lab.wire(*jump).jump


def write_inventory(lab: Lab, nodes: list[Node], key: Path) -> Path:
    groups: dict[str, dict] = {}
    for node in nodes:
        hostvars = {
            "lab_container": node.container,
            "lab_interfaces": {link.net.name: link.ifname for link in node.links},
            "lab_addresses": {link.net.name: str(link.address) for link in node.links},
            "lab_subnets": {link.net.name: str(link.net.subnet) for link in node.links},
        }
        # The one input a real site gives for a multi-homed node whose interfaces start bare: its wiring.
        site_links = {link.net.name: link.ifname for link in node.links if link.net.site}
        if site_links:
            hostvars["ipv6_host_interfaces"] = site_links
        if node.manage:
            hostvars = {
                "ansible_host": str(node.manage.address),
                "ansible_user": "root",
                "ansible_ssh_private_key_file": str(key),
                "ansible_ssh_common_args": SSH_OPTS,
                "ansible_python_interpreter": "/usr/bin/python3",
                "lab_jump_address": str(jump_address(lab, node.manage)),
                **hostvars,
            }
        else:  # IPv4-only nodes: the host has no address on their network
            hostvars = {
                "ansible_connection": "containers.podman.podman",
                "ansible_host": node.container,
                "ansible_python_interpreter": "/usr/bin/python3",
                **hostvars,
            }
        for group in node.groups or ["ungrouped"]:
            groups.setdefault(group, {"hosts": {}})["hosts"][node.name] = hostvars
            hostvars = {}  # full vars once; later groups just list the host
    path = lab.inventory / "hosts.yml"
    header = (
        f"# Generated by lab/labctl.py for lab '{lab.name}' from lab/topology.yml and the site plan.\n"
        "# Do not edit: `labctl.py up` or `labctl.py inventory` rewrites it.\n"
    )
    body = yaml.safe_dump({"all": {"children": groups}}, sort_keys=False, default_flow_style=False, width=120)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(header + "---\n" + body)
    tmp.replace(path)
    return path


def run_furniture(lab: Lab, nodes: list[Node]) -> None:
    """Configure the lab's internet (upstream, inet4-web, clients) with lab/internet.yml, unless the
    same playbook already ran against these very containers (their ids are part of the stamp)."""
    internet = [n.name for n in nodes if "internet" in n.groups]
    if not internet:
        return
    digest = hashlib.sha256((lab.inventory / "hosts.yml").read_bytes())
    for path in [REPO / "lab" / "internet.yml", *sorted((REPO / "lab" / "templates").glob("*"))]:
        digest.update(path.read_bytes())
    ids = {n: c["Id"] for n, c in running_nodes(lab).items() if n in internet}
    digest.update(json.dumps(ids, sort_keys=True).encode())
    stamp = lab.state / "internet.stamp"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        say("lab internet already configured on these containers (lab/internet.yml unchanged)")
        return
    playbook = shutil.which("ansible-playbook", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    if playbook is None:
        raise LabError("ansible-playbook not found: run labctl with the venv's python (.venv/bin/python)")
    say(f"configuring the lab internet: {', '.join(internet)}")
    # Molecule exports ANSIBLE_* settings of its own (collections path, callbacks): use the repo's config only.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    cmd = [playbook, str(REPO / "lab" / "internet.yml"), "-i", str(lab.inventory), "--limit", ",".join(internet)]
    stamp.unlink(missing_ok=True)
    if subprocess.run(cmd, cwd=REPO, env=env, check=False).returncode:
        raise LabError("lab/internet.yml failed; see the output above")
    stamp.write_text(digest.hexdigest())


# --- commands ---------------------------------------------------------------------------------


def cmd_up(lab: Lab, args: argparse.Namespace) -> int:
    """Converge the lab on the selection: keep running nodes whose spec is unchanged (so a rerun of
    `make lab` is a no-op for Ansible), recreate the rest, remove anything else of this lab."""
    start = time.monotonic()
    nodes = [lab.node(n) for n in lab.select(args.nodes)]  # resolve every address first: bad input changes nothing
    seen: dict[tuple[str, Address], str] = {}
    for node in nodes:
        for link in node.links:
            if (other := seen.setdefault((link.net.name, link.address), node.name)) != node.name:
                raise LabError(f"nodes {other} and {node.name} both have {link.address} on {link.net.name}")
    image = ensure_image()
    key = ensure_keypair(lab)
    pubkey = key.with_suffix(".pub").read_bytes()
    nets = {link.attached.podman: link.attached for node in nodes for link in node.links + node.ports}
    have_nets = {name: [s.get("subnet") for s in n.get("subnets") or []] for name, n in lab_networks(lab).items()}
    keep_nets = {
        name
        for name, net in nets.items()
        if have_nets.get(name) == ([str(net.subnet)] if net.subnet else []) and not args.fresh
    }
    have = lab_containers(lab)
    wanted = {}
    for node in nodes:
        node_spec = node_args(lab, node, image), node_files(lab, node, pubkey)
        # Bare or not is part of what a node was created as: switching the mode recreates it.
        spec = spec_hash(*node_spec) + ("-bare" if lab.config.get("bare") else "")
        wanted[node.container] = (node, *node_spec, spec)
    keep = {
        name
        for name, (node, _, _, spec) in wanted.items()
        if name in have
        and have[name]["State"]["Status"] == "running"
        and have[name]["Config"]["Labels"].get(f"{LABEL}.spec") == spec
        and all(link.attached.podman in keep_nets for link in node.links + node.ports)
    }
    remove(lab, keep, keep_nets)
    if keep:
        say(f"keeping {len(keep)} unchanged running nodes: {' '.join(sorted(keep))}")
    new_nets = [net for name, net in nets.items() if name not in keep_nets]
    if new_nets:
        say(f"creating {len(new_nets)} networks: " + ", ".join(f"{n.podman} {n.subnet or 'wire'}" for n in new_nets))
    for net in new_nets:
        create_network(lab, net)
    created = [name for name in wanted if name not in keep]
    if created:
        say(f"creating {len(created)} nodes from {image}")
        for name in created:
            create_node(*wanted[name])
        podman("start", *created)
    wires = [net for net in nets.values() if net.subnet is None]
    for net in wires:
        prepare_wire(net)
    if wires:
        say(f"{len(wires)} wires pass LLDP and do not snoop MLD; jump ports hold the jump addresses")
    address_wires(lab, [wanted[name][0] for name in created])
    for net in nets.values():
        if net.host_address:
            check_host_address(net)
    say("waiting for systemd and sshd on every node")
    with ThreadPoolExecutor(max_workers=8) as pool:
        states = dict(zip([n.name for n in nodes], pool.map(wait_ready, nodes), strict=True))
    bad = {n: s for n, s in states.items() if s not in ("running", "degraded")}
    if bad:
        raise LabError("nodes did not come up: " + "; ".join(f"{n}: {s}" for n, s in bad.items()))
    degraded = [n for n, s in states.items() if s == "degraded"]
    if degraded:
        say(f"warning: systemd is degraded on {', '.join(degraded)} (see `systemctl --failed` there)")
    if lab.config.get("bare"):
        strip_site_addresses(lab, [wanted[name][0] for name in created])
    say(f"wrote {write_inventory(lab, nodes, key)}")
    run_furniture(lab, nodes)
    cmd_inspect(lab, args)
    say(f"lab '{lab.name}' up with {len(nodes)} nodes in {time.monotonic() - start:.1f}s")
    return 0


def cmd_down(lab: Lab, args: argparse.Namespace) -> int:
    start = time.monotonic()
    remove(lab)
    (lab.inventory / "hosts.yml").unlink(missing_ok=True)
    say(f"lab '{lab.name}' is down ({time.monotonic() - start:.1f}s)")
    return 0


def running_nodes(lab: Lab) -> dict[str, dict]:
    """This lab's containers by node name."""
    return {c["Config"]["Labels"].get(f"{LABEL}.node", name): c for name, c in lab_containers(lab).items()}


def cmd_inspect(lab: Lab, args: argparse.Namespace) -> int:
    found = running_nodes(lab)
    if not found:
        say(f"lab '{lab.name}' has no containers")
        return 1
    width = max(len(c["Name"]) for c in found.values()) + 2
    print(f"{'node':<14}{'container':<{width}}{'state':<10}{'systemd':<10}addresses")
    names = [n for n in lab.topo["nodes"] if n in found]

    def live(name: str) -> tuple[str, dict[str, list[str]]]:
        """systemd's state, and the global addresses each interface really has (in bare mode podman's view
        is not what the node has)."""
        if found[name]["State"]["Status"] != "running":
            return "-", {}
        script = "systemctl is-system-running; ip -j address show scope global"
        out = podman("exec", found[name]["Name"], "sh", "-c", script, check=False).split("\n", 1)
        try:
            links = json.loads(out[1]) if len(out) > 1 else []
        except ValueError:
            links = []
        addrs = {link["ifname"]: [a["local"] for a in link.get("addr_info", []) if "local" in a] for link in links}
        return out[0].strip(), addrs

    with ThreadPoolExecutor(max_workers=8) as pool:
        states = list(pool.map(live, names))
    for name, (state, addrs) in zip(names, states, strict=True):
        c = found[name]
        shown = [f"{link.net.name}={','.join(addrs.get(link.ifname, [])) or '-'}" for link in lab.node(name).links]
        print(f"{name:<14}{c['Name']:<{width}}{c['State']['Status']:<10}{state:<10}{' '.join(shown)}")
    return 0


def cmd_inventory(lab: Lab, args: argparse.Namespace) -> int:
    found = running_nodes(lab)
    selected = [n for n in lab.topo["nodes"] if n in found] or lab.select(args.nodes)
    say(f"wrote {write_inventory(lab, [lab.node(n) for n in selected], ensure_keypair(lab))}")
    return 0


COMMANDS = {"up": cmd_up, "down": cmd_down, "inspect": cmd_inspect, "inventory": cmd_inventory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="labctl.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["image", *COMMANDS])
    parser.add_argument(
        "--inventory",
        type=Path,
        default=REPO / "inventories" / "lab",
        help="inventory dir holding group_vars/all/{site,lab}.yml (default: inventories/lab)",
    )
    parser.add_argument("--topology", type=Path, default=REPO / "lab" / "topology.yml")
    parser.add_argument("--nodes", help="comma-separated subset of the topology's nodes (up, inventory)")
    parser.add_argument("--fresh", action="store_true", help="up: recreate every node, even unchanged ones")
    parser.add_argument(
        "--print-tag", action="store_true", help="image: print the recipe's image tag (exit 2 if it is not built)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "image" and args.print_tag:
            tag = recipe_tag()
            if not _exists(tag):
                raise LabError(f"image {tag} is not built: run `labctl.py image`")
            print(tag)
            return 0
        if args.command == "image":
            ensure_image()
            return 0
        if os.geteuid() != 0:
            raise LabError("the lab uses rootful podman: run as root")
        lab = Lab(args.topology.resolve(), args.inventory.resolve())
        return COMMANDS[args.command](lab, args)
    except LabError as exc:
        print(f"[lab] error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("[lab] interrupted: run `labctl.py up` again, it starts by removing what was left", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
