"""The lab model of lab/labctl.py, without podman: topology parsing, address derivation, inventory writing."""

from __future__ import annotations

import ipaddress
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "lab"))

import labctl  # noqa: E402
from labhosts import read_hosts  # noqa: E402

TOPOLOGY = REPO / "lab" / "topology.yml"


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    """A copy of the lab's inventory (site model and lab settings) that a test may edit."""
    target = tmp_path / "inventory"
    shutil.copytree(REPO / "inventories" / "lab" / "group_vars", target / "group_vars")
    return target


def edit(path: Path, key: str, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data[key])
    path.write_text(yaml.safe_dump(data))


def topology(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(TOPOLOGY.read_text())
    change(data)
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(data))
    return path


# --- topology parsing -----------------------------------------------------------------------------------------


def test_the_labs_topology_and_inventory_load(inventory):
    lab = labctl.Lab(TOPOLOGY, inventory)
    assert lab.name == "dc"
    assert {"br1", "br2", "client1", "inet4-client"} <= set(lab.topo["nodes"])
    assert lab.container("br1") == "dc-br1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["nodes"]["br1"].update(vlan=5), "topology node br1: unknown keys ['vlan']"),
        (lambda t: t["nodes"]["br1"]["networks"].append("dmz"), "topology node br1: network 'dmz' is not in networks:"),
        (lambda t: t.pop("networks"), "expected a mapping with nodes: and networks:"),
    ],
)
def test_a_wrong_topology_is_refused_by_name(tmp_path, inventory, change, message):
    with pytest.raises(labctl.LabError, match=re.escape(message)):
        labctl.Lab(topology(tmp_path, change), inventory)


@pytest.mark.parametrize("name", ["", "Lab_1", "a-very-long-name"])
def test_the_lab_name_is_short_and_plain(inventory, name):
    edit(inventory / "group_vars/all/lab.yml", "lab", lambda lab: lab.update(name=name))
    with pytest.raises(labctl.LabError, match="must be 1-12 characters"):
        labctl.Lab(TOPOLOGY, inventory)


def test_select_names_the_unknown_nodes(inventory):
    lab = labctl.Lab(TOPOLOGY, inventory)
    assert lab.select("br1, client1") == ["br1", "client1"]
    with pytest.raises(labctl.LabError, match="--nodes: br9 not in the topology"):
        lab.select("br1,br9")


# --- address derivation ---------------------------------------------------------------------------------------


def test_site_nodes_take_their_addresses_from_the_plan(inventory):
    lab = labctl.Lab(TOPOLOGY, inventory)
    br1 = lab.node("br1")
    plan = lab.plan["hosts"]["br1"]
    links = {link.net.name: link for link in br1.links}
    assert [link.ifname for link in br1.links] == [f"eth{i}" for i in range(len(br1.links))]
    for network in ("mgmt", "servers", "vms"):
        assert str(links[network].address) == plan["addresses"][network]
        assert str(links[network].net.subnet) == lab.plan["networks"][network]["prefix"]
        assert links[network].net.site
    assert br1.manage is links["mgmt"]  # the first IPv6 network
    vm1 = lab.node("vm1")
    assert str(vm1.links[0].address) == lab.plan["vms"]["vm1"]["ipv6"]
    assert vm1.links[0].mac == lab.plan["vms"]["vm1"]["mac"]


def test_lab_segments_number_their_nodes_from_lab_yml(inventory):
    lab = labctl.Lab(TOPOLOGY, inventory)
    links = {link.net.name: link for link in lab.node("br1").links}
    assert links["inet4"].address == ipaddress.ip_address("198.18.0.11")
    assert links["inet6"].address == ipaddress.ip_address("2001:db8:ff00::11")
    assert not links["inet4"].net.site
    assert links["inet4"].net.host_address is None  # the host has no IPv4 address: IPv4 nodes use podman
    assert links["inet6"].net.host_address == ipaddress.ip_address("2001:db8:ff00::1")


@pytest.mark.parametrize(
    ("number", "inet4", "inet6"),
    [
        (0, "198.18.0.0/24", "2001:db8:ff00::/64"),
        (5, "198.18.80.0/24", "2001:db8:ff05::/64"),
        (31, "198.19.240.0/24", "2001:db8:ff1f::/64"),
    ],
)
def test_lab_segment_subnets_are_derived_from_the_lab_number(inventory, number, inet4, inet6):
    edit(inventory / "group_vars/all/lab.yml", "lab", lambda lab: lab.update(number=number))
    lab = labctl.Lab(TOPOLOGY, inventory)
    assert (str(lab.net("inet4").subnet), str(lab.net("inet6").subnet)) == (inet4, inet6)
    links = {link.net.name: link for link in lab.node("br1").links}
    assert links["inet4"].address == ipaddress.ip_network(inet4)[11]  # lab.yml: br1 is .11


def test_a_customer_segment_is_the_first_64_of_the_customers_48(inventory):
    lab = labctl.Lab(TOPOLOGY, inventory)
    customer = ipaddress.ip_network(lab.plan["customers"]["viirb"]["prefix"])
    net = lab.net("viirb1-lan")
    assert net.subnet == next(customer.subnets(new_prefix=64))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda lab: lab["segments"]["inet6"]["hosts"].update(br1=1), "is reserved there"),
        (lambda lab: lab["segments"]["inet6"]["hosts"].pop("br1"), "lab.segments.inet6.hosts has no id for node br1"),
        (lambda lab: lab["segments"].pop("inet4"), "lab.segments.inet4 is missing"),
        (lambda lab: lab.update(number=32), "lab.number 32 must be an integer from 0 to 31"),
        (lambda lab: lab.pop("number"), "lab.number None must be an integer"),
    ],
)
def test_a_wrong_lab_segment_is_refused_by_name(inventory, change, message):
    edit(inventory / "group_vars/all/lab.yml", "lab", change)
    with pytest.raises(labctl.LabError, match=message):
        labctl.Lab(TOPOLOGY, inventory).node("br1")


def test_a_site_node_missing_from_the_plan_is_refused(inventory):
    edit(
        inventory / "group_vars/all/site.yml",
        "site",
        lambda site: site.update(
            hosts=[h for h in site["hosts"] if h["name"] != "client1"],
            switches=[
                {"name": "sw1", "ports": [p for p in site["switches"][0]["ports"] if p.get("node") != "client1"]}
            ],
        ),
    )
    with pytest.raises(labctl.LabError, match="node client1 is on site network servers"):
        labctl.Lab(TOPOLOGY, inventory).node("client1")


def test_an_invalid_site_model_is_one_clear_error(inventory):
    edit(inventory / "group_vars/all/site.yml", "site", lambda site: site.update(prefix="2001:db8::/20"))
    with pytest.raises(labctl.LabError, match=r"the site model in .* is invalid"):
        labctl.Lab(TOPOLOGY, inventory).plan  # noqa: B018 (the property computes the plan)


# --- inventory writing ----------------------------------------------------------------------------------------


def test_the_inventory_says_how_to_reach_each_node_and_names_its_site_interfaces(inventory, tmp_path):
    lab = labctl.Lab(TOPOLOGY, inventory)
    nodes = [lab.node(n) for n in ("br1", "client1", "inet4-client")]
    key = tmp_path / "id_ed25519"
    labctl.write_inventory(lab, nodes, key)
    hostvars, groups = read_hosts(inventory)
    assert set(hostvars) == {"br1", "client1", "inet4-client"}
    br1 = hostvars["br1"]
    assert br1["ansible_host"] == lab.plan["hosts"]["br1"]["ipv6"]
    assert br1["ansible_ssh_private_key_file"] == str(key)
    assert br1["lab_container"] == "dc-br1"
    assert br1["lab_jump_address"] == str(lab.net("mgmt").host_address)
    # Only site networks are named for ipv6_host: the one input a bare real host needs.
    assert br1["ipv6_host_interfaces"] == {"mgmt": "eth0", "servers": "eth1", "vms": "eth2"}
    assert br1["lab_addresses"]["inet4"] == "198.18.0.11"
    client = hostvars["inet4-client"]  # IPv4-only: the jump host has no address there
    assert client["ansible_connection"] == "containers.podman.podman"
    assert client["ansible_host"] == "dc-inet4-client"
    assert "ipv6_host_interfaces" not in client
    assert groups["border_routers"] == ["br1"]
    assert not (inventory / "hosts.tmp").exists()
    assert hostvars["client1"]["lab_jump_address"] == "2001:db8:100:10::1"  # the jump port on servers, behind sw1


# --- switched networks: wired from the port map ---------------------------------------------------------------


def test_switched_networks_are_wired_from_the_port_map(inventory):
    lab = labctl.Lab(TOPOLOGY, inventory)
    client1 = lab.node("client1")
    link = client1.links[0]
    assert (link.net.name, link.ifname, str(link.address)) == ("servers", "eth0", "2001:db8:100:10::101")
    assert (link.attached.podman, link.attached.subnet) == ("dc-sw1-swp3", None)  # a wire: no addresses of its own
    assert client1.manage is link
    br1 = {link.net.name: link for link in lab.node("br1").links}
    assert br1["mgmt"].wire is None  # not switched: the podman network of the segment
    assert br1["servers"].attached.podman == "dc-sw1-swp1"
    sw1 = lab.node("sw1")
    assert [(p.ifname, p.attached.podman) for p in sw1.ports][:2] == [("swp1", "dc-sw1-swp1"), ("swp2", "dc-sw1-swp2")]
    jump = {p.ifname: p.attached for p in sw1.ports}["swp8"]
    assert (jump.podman, str(jump.host_address)) == ("dc-sw1-swp8", "2001:db8:100:10::1")


def test_the_wires_appear_in_the_podman_arguments_without_addresses(inventory):
    lab = labctl.Lab(TOPOLOGY, inventory)
    args = labctl.node_args(lab, lab.node("sw1"), "image")
    assert "dc-sw1-swp3:interface_name=swp3" in args
    assert any(a.startswith("dc-mgmt:ip6=2001:db8:100:1::21,") for a in args)
    vm1 = labctl.node_args(lab, lab.node("vm1"), "image")
    assert "dc-sw1-swp7:interface_name=eth0,mac=06:00:00:00:02:01" in vm1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda site: site["switches"][0]["ports"].pop(2),
            "node client1 is on servers, which a switch of the lab bridges, but no port",
        ),
        (
            lambda site: site["switches"][0]["ports"][2].update(interface="eth7"),
            "sw1 port swp3 leads to client1's eth7, but servers is client1's eth0 in the topology",
        ),
    ],
)
def test_a_port_map_that_does_not_match_the_wiring_is_refused_by_name(inventory, change, message):
    edit(inventory / "group_vars/all/site.yml", "site", change)
    with pytest.raises(labctl.LabError, match=message):
        labctl.Lab(TOPOLOGY, inventory).node("client1")


def test_a_switched_network_without_a_jump_port_leaves_its_nodes_unreachable_and_says_so(inventory):
    edit(inventory / "group_vars/all/site.yml", "site", lambda site: site["switches"][0]["ports"].pop(7))
    lab = labctl.Lab(TOPOLOGY, inventory)
    with pytest.raises(labctl.LabError, match="servers is switched, but no jump port of the port map is on it"):
        labctl.jump_address(lab, lab.node("client1").manage)


def test_a_lab_switch_must_be_a_switch_of_the_site(inventory):
    edit(inventory / "group_vars/all/lab.yml", "lab", lambda lab: lab.update(switches=["hv1"]))
    with pytest.raises(labctl.LabError, match=r"lab\.switches: 'hv1' must be a switch of the site model"):
        labctl.Lab(TOPOLOGY, inventory).node("client1")
