# SPDX-License-Identifier: GPL-3.0-or-later
"""The builder of the ipv6_host role: the baseline of an IPv6-only node, from the site plan.

``build(plan, options, facts)`` returns everything the role renders: the address configuration of the module
``node_addresses``, the sysctls, resolv.conf, chrony, sshd and the nftables baseline, the audit, and the extension
points the role publishes for the roles that build on it (its nftables chains and drop-in directories). The
options are declared once, in ``OPTIONS`` (see ``contract.py``). Standard library only.
"""

from __future__ import annotations

import ipaddress

from .configtext import (
    address_rule,
    host_problem,
    hostname_problem,
    nft_rule_problem,
    path_problem,
    prefix_rule,
    word_problem,
    words_problem,
)
from .contract import Option, OptionTable, Section
from .errors import PlanError, show
from .node_addresses import named_interfaces

__all__ = ["OPTIONS", "PROFILES", "build"]

# Facts the builder reads, and the setup subsets that hold them (gathered when the play did not).
FACTS = ("virtualization_tech_guest", "distribution", "distribution_major_version")
GATHER_SUBSET = ("virtual", "distribution")

NFTABLES_CONFIG = "/etc/nftables.conf"
NFTABLES_TABLE = "inet ipv6_host"
CHRONY_CONF_DIR = "/etc/chrony/conf.d"
# The CLAT (clatd): its device and IPv4 address (RFC 7335), the policy-routing table and conntrack mark of its
# shared-address mode (decimal: clatd refuses hex), and the NAT64 prefix lengths clatd accepts.
CLAT = {"device": "clat", "ipv4": "192.0.0.1", "table": 49575, "config": "/etc/clatd.conf"}
CLAT_PREFIX_LENGTHS = (32, 48, 56, 64, 96)
SHIM_PROXY = "/usr/lib/systemd/systemd-socket-proxyd"
# What each profile sets: accept_ra, IPv6 forwarding (None: left to the router role), and where IPv4 goes.
PROFILES = {
    "host": {"accept_ra": 1, "forwarding": 0, "remove_ipv4_from": "all"},
    "router": {"accept_ra": 0, "forwarding": None, "remove_ipv4_from": "site"},
}
_PROFILE_DECIDES = "ipv6_host_profile decides it (the tier's playbook sets the profile); remove this setting"

OPTIONS = OptionTable(
    role="ipv6_host",
    short_description="Baseline of an IPv6-only node",
    description=(
        "Sets the node's static IPv6 addresses from the site plan on the right interfaces, and removes every IPv4 "
        "address except loopback and an allow-list, with M(ipv6only.datacenter.node_addresses). The unit "
        "C(ipv6-host-addresses.service) applies the same again at boot, so this works in a container and on a real "
        "host whatever owns the network configuration. Disable DHCPv4 in the host's own network configuration.",
        "Sets C(accept_ra), C(autoconf) and C(forwarding) in a sysctl drop-in, points C(/etc/resolv.conf) at the "
        "site's DNS64 resolvers, syncs time over IPv6 with chrony, makes sshd listen on IPv6 only, and loads an "
        "nftables baseline (default-deny input, ICMPv6 as RFC 4890 section 4.4 recommends, SSH from the jump prefix "
        "only, IPv4 dropped except on loopback).",
        "Changes that can cut the jump host off (addresses, firewall rules, loading the firewall for the first time) "
        "need O(ipv6_host_allow_disruption=true), the consent flag of every role of the collection. Without it the "
        "role shows them as a dry run and fails before changing anything; in check mode it only warns.",
        "Finally it runs M(ipv6only.datacenter.ipv4_listeners) and reports services that IPv6 clients cannot reach.",
        "It publishes its extension points as the local fact C(ipv6only_ipv6_host): the nftables table and chains "
        "other roles add rules to (from C(*.nft) files in O(ipv6_host_nftables_include_dir), notifying "
        "C(ipv6only nftables changed)), chrony's drop-in directory, and the interface of each plan network.",
        "All options are converted to their declared types before use, so C(-e ipv6_host_autoconf=false) is false.",
    ),
    entry_points=(
        ("main", "Baseline of an IPv6-only node"),
        ("check", "Compute and check the baseline's configuration of this node, changing nothing"),
    ),
    items=(
        Section("consent"),
        Option(
            "allow_disruption",
            "bool",
            False,
            (
                "Consent to changes that can cut the jump host off this node: firewall rules (including the first "
                "load of the firewall) and addresses. It is the consent flag of every role of the collection.",
                "When false and such a change is pending, the role shows the firewall diff and the address changes, "
                "then fails without changing anything. In check mode it only warns.",
            ),
        ),
        Option(
            "ssh_lockout_check",
            "bool",
            True,
            (
                "Refuse a firewall change, even with consent, when the SSH connection Ansible is using comes from an "
                "address the new firewall would not let in (read from C(SSH_CLIENT)).",
                "Skipped when the connection is not SSH.",
            ),
        ),
        Section("the node in the site plan"),
        Option(
            "name",
            "str",
            "{{ inventory_hostname }}",
            "Name of this node in the site plan (its hosts, then its vms).",
            jinja=True,
        ),
        Option(
            "plan",
            "dict",
            {},
            "The site plan. Empty means the plan of the run (computed once, see M(ipv6only.datacenter.site_plan)).",
        ),
        Option(
            "profile",
            "str",
            "host",
            (
                "What kind of node this is. The tier's playbook sets it, not the inventory: "
                "C(playbooks/border_routers.yml) applies this role with V(router).",
                "V(host): router advertisements accepted (C(accept_ra) 1, for the default route), IPv6 forwarding "
                "off (this role writes 0), IPv4 removed from every interface.",
                "V(router): router advertisements ignored (C(accept_ra) 0), forwarding left to the router role, which "
                "owns it (border_router writes 1 and refuses a baseline that was not applied as a router), and IPv4 "
                "removed only from the interfaces that carry a plan network, so that the uplink keeps its IPv4.",
            ),
            choices=("host", "router"),
        ),
        Section("addresses"),
        Option(
            "interfaces",
            "dict",
            {},
            (
                "Interface of each plan network on this node, for example C({mgmt: eno1, servers: eno2}). This one "
                "host variable names a node's interfaces for every role of the collection (the border router reads "
                "it too): set it in host_vars for a multi-homed node whose interfaces do not hold the plan's "
                "addresses yet.",
                "A network not listed goes on the interface that already holds an address in its prefix, else on "
                "the one with an on-link route for it (from a router advertisement), else on the node's only "
                "non-loopback interface. Anything else is an error that names the candidates.",
            ),
        ),
        Option(
            "remove_ipv4",
            "bool",
            True,
            (
                "Remove IPv4 addresses, except loopback and O(ipv6_host_ipv4_allowed): from every interface, or with "
                "O(ipv6_host_profile=router) from the interfaces that carry a plan network.",
            ),
        ),
        Option(
            "ipv4_allowed",
            "list",
            [],
            (
                "IPv4 addresses, or networks containing them, that are kept, for example C([198.18.0.0/15]).",
                "The IPv4 address of a dual-stack VM from the plan (C(vms[NAME].ipv4)) is always kept.",
            ),
            elements="str",
            syntax=prefix_rule(4, host_bits=True),
        ),
        Section("sysctls"),
        Option(
            "autoconf",
            "bool",
            False,
            "SLAAC (C(autoconf)). Off, so that the node has only the plan's static addresses and link-local.",
        ),
        Option("accept_ra", "raw", None, "Ignored.", deprecated=_PROFILE_DECIDES),
        Option("manage_forwarding", "raw", None, "Ignored.", deprecated=_PROFILE_DECIDES),
        Option("forwarding", "raw", None, "Ignored.", deprecated=_PROFILE_DECIDES),
        Option(
            "sysctl_file",
            "path",
            "/etc/sysctl.d/60-ipv6-host.conf",
            "The sysctl drop-in of this role.",
            syntax=path_problem,
        ),
        Section("name resolution"),
        Option(
            "manage_resolv_conf",
            "bool",
            True,
            "Write C(/etc/resolv.conf). Turn off where systemd-resolved or another tool owns it.",
        ),
        Option(
            "resolvers",
            "list",
            [],
            "Resolvers for C(/etc/resolv.conf). Empty means the plan's C(dns.resolvers), the site's DNS64 resolvers.",
            elements="str",
            syntax=address_rule(),
        ),
        Option(
            "search_domains",
            "list",
            [],
            "Search domains. Empty means the plan's C(domain).",
            elements="str",
            syntax=hostname_problem,
        ),
        Option(
            "resolv_options",
            "list",
            ["edns0", "timeout:1", "attempts:2"],
            (
                "Words of the C(options) line of C(/etc/resolv.conf).",
                "C(timeout:1): when the first resolver (a border router) is dead, a lookup asks the next after 1 s "
                "instead of glibc's 5 s. With the default, every new connection by name waited 5 s until the other "
                "router's neighbour entry for the dead one expired (15 to 45 s later), and client1 in the lab was "
                "served through br2 only after 30 to 35 s; with it, at once.",
            ),
            elements="str",
            syntax=word_problem,
        ),
        Section("time"),
        Option(
            "ntp_servers",
            "list",
            [],
            (
                "NTP servers for chrony. Empty means the plan's C(dns.resolvers) (the border routers, which serve time "
                "with C(border_router_ntp_serve)) other than this node itself, so that a router polls its peer, "
                "never itself.",
            ),
            elements="str",
            syntax=host_problem,
        ),
        Option(
            "chrony_set_clock",
            "bool",
            None,
            (
                "Whether chrony sets the system clock. V(null) means yes, except in a container (no CAP_SYS_TIME "
                "there).",
                "When false, chronyd runs with C(-x) and a drop-in lifts the unit's "
                "C(ConditionCapability=CAP_SYS_TIME), so that it still serves and measures time.",
            ),
        ),
        Option(
            "chrony_daemon_opts",
            "str",
            "-F 1 -6",
            "Options of chronyd (C(DAEMON_OPTS)), apart from C(-x). C(-6) makes it use IPv6 only: no IPv4 socket "
            "at all.",
            syntax=words_problem,
        ),
        Section("SSH"),
        Option(
            "ssh_port", "int", 22, "Port sshd listens on and the firewall opens to O(ipv6_host_ssh_allowed_prefixes)."
        ),
        Option(
            "sshd_listen_addresses",
            "list",
            ["::"],
            "C(ListenAddress) values. C(AddressFamily inet6) is always set, so sshd is IPv6-only whatever is listed.",
            elements="str",
            syntax=address_rule(),
        ),
        Option("sshd_service", "str", "ssh", "Name of the sshd unit (C(ssh) on Debian).", syntax=word_problem),
        Option(
            "ssh_allowed_prefixes",
            "list",
            [],
            "IPv6 prefixes allowed to SSH in. Empty means the plan's C(jump_prefix) (the jump hosts).",
            elements="str",
            syntax=prefix_rule(6),
        ),
        Section("firewall"),
        Option(
            "nftables_input_rules",
            "list",
            [],
            (
                "Extra nftables rules appended to the IPv6 part of the input chain, one rule per item, for example "
                'C(["tcp dport 9100 ip6 saddr 2001:db8::/56 accept"]).',
            ),
            elements="str",
            syntax=nft_rule_problem,
        ),
        Option(
            "nftables_ipv4_input_rules",
            "list",
            [],
            "nftables rules of the chain C(input_ipv4); all other IPv4 input except on loopback is dropped.",
            elements="str",
            syntax=nft_rule_problem,
        ),
        Option(
            "icmpv6_echo_rate",
            "str",
            "50/second burst 100 packets",
            "C(limit rate) of ICMPv6 echo requests. Empty means no limit.",
            syntax=nft_rule_problem,
        ),
        Option(
            "nftables_include_dir",
            "path",
            "/etc/nftables.d",
            (
                "Directory of other roles' C(*.nft) files, included after the baseline table. The role publishes it, "
                "with its chains, as an extension point (the local fact C(ipv6only_ipv6_host)).",
            ),
            syntax=path_problem,
        ),
        Section("stage-1 workarounds"),
        Option(
            "ipv6_shims",
            "list",
            [],
            (
                "Services that listen on IPv4 only (C(127.0.0.1) or C(0.0.0.0)), exposed on C([::]:port) by a "
                "socket-activated C(systemd-socket-proxyd) that forwards each connection to the IPv4 listener, for "
                "example C([{port: 8080, allow: [2001:db8:100:10::/64]}]). TCP only.",
                "The socket sets C(BindIPv6Only=ipv6-only), so it never collides with the service's own IPv4 "
                "socket on the same port, and the firewall opens the port to the prefixes in C(allow) only.",
                "Once exposed, the audit (M(ipv6only.datacenter.ipv4_listeners)) counts the service as reachable.",
            ),
            elements="dict",
            suboptions=(
                Option("port", "int", None, "The IPv6 port, on every address of the node.", required=True),
                Option(
                    "allow",
                    "list",
                    None,
                    "IPv6 prefixes allowed to connect; none may cover the NAT64 prefix.",
                    required=True,
                    elements="str",
                    syntax=prefix_rule(6),
                ),
                Option(
                    "target",
                    "str",
                    "127.0.0.1",
                    "The IPv4 address the service listens on (C(127.0.0.1) for C(0.0.0.0) too).",
                    syntax=address_rule(4),
                ),
                Option("target_port", "int", None, "The service's port. Default: O(ipv6_host_ipv6_shims[].port)."),
            ),
        ),
        Option(
            "clat",
            "bool",
            False,
            (
                "A CLAT (464XLAT, RFC 6877) with clatd, for software with IPv4 literals that DNS64 never sees: "
                "IPv4 to any address leaves translated to the plan's NAT64 prefix (C(plat-prefix), never discovered), "
                "from the node's own planned IPv6 address, which a switch's source guard admits. Debian 13 and later "
                "(Debian 12 has no clatd).",
                "The builder then owns what clatd needs, so that a rerun changes nothing: IPv6 forwarding 1 with "
                "C(accept_ra) 2, C(192.0.0.1) kept on the C(clat) device, IPv4 input on that device only (replies), "
                "and a forward chain that passes only the CLAT's traffic. Turning it off stops clatd and puts them "
                "back.",
            ),
        ),
        Section("audit of IPv4-only listeners"),
        Option(
            "audit_listeners",
            "bool",
            True,
            "Run M(ipv6only.datacenter.ipv4_listeners) at the end and report what it finds.",
        ),
        Option(
            "audit_fail",
            "bool",
            False,
            "Fail when the audit finds an IPv4-only listener not on O(ipv6_host_audit_allow).",
        ),
        Option(
            "audit_include_loopback",
            "bool",
            False,
            "Count listeners on IPv4 loopback only (127.0.0.0/8) as IPv4-only too.",
        ),
        Option(
            "audit_allow",
            "list",
            [],
            "Allow-list of the audit, entries C({port, proto, process}) as in M(ipv6only.datacenter.ipv4_listeners).",
            elements="dict",
            suboptions=(
                Option("port", "int", None, "Port number the listener is bound to.", required=True),
                Option("proto", "str", None, "Protocol. Omit it to match both.", choices=("tcp", "udp")),
                Option("process", "str", None, "Process name as in C(/proc/PID/comm). Omit it to match any."),
            ),
        ),
        Section("LLDP"),
        Option(
            "lldp",
            "bool",
            True,
            (
                "Run lldpd on the node's site interfaces only (those of its plan networks, and a switch's ports from "
                "the port map): never on a router's ISP uplink or towards customers. It advertises the node's plan "
                "address as the management address, never a link-local one.",
            ),
        ),
        Option(
            "lldpd_config",
            "path",
            "/etc/lldpd.d/ipv6_host.conf",
            "lldpd's configuration file written by this role (lldpcli commands).",
            syntax=path_problem,
        ),
        Section("packages"),
        Option(
            "packages",
            "list",
            ["iproute2", "nftables", "chrony", "openssh-server", "python3", "python3-pyroute2", "lldpd"],
            "Packages the role needs; python3-pyroute2 sets the addresses (baked into the lab image: a no-op there).",
            elements="str",
            syntax=word_problem,
        ),
    ),
)


def _node(plan: dict, name: str) -> dict:
    for kind in ("hosts", "vms"):
        if name in (plan.get(kind) or {}):
            return plan[kind][name]
    raise PlanError(
        f"{name} is neither in site.hosts nor in site.vms of site {plan.get('name')}; add it to the site model, "
        "or set ipv6_host_name to its name there"
    )


def build(plan: dict, options: dict, facts: dict) -> dict:
    """The ipv6_host configuration of node ``options["name"]``; raises PlanError listing every problem."""
    name = options["name"]
    node = _node(plan, name)
    problems = []
    addresses = dict(node["addresses"])
    own = set(addresses.values())
    resolvers = list(plan["dns"].get("resolvers") or [])

    allowed = options["ssh_allowed_prefixes"] or ([plan["jump_prefix"]] if plan.get("jump_prefix") else [])
    # Each entry is an IPv6 prefix (the option table's syntax rule checked it). None may cover the NAT64 prefix:
    # the IPv4 internet arrives from it.
    nat64 = ipaddress.IPv6Network(plan["nat64"]["prefix"])
    for value in allowed:
        if ipaddress.IPv6Network(value, strict=False).overlaps(nat64):
            problems.append(
                f"ipv6_host_ssh_allowed_prefixes {show(value)}: covers the NAT64 prefix {nat64}, from which the "
                "whole IPv4 internet arrives (through the mappings); allow the jump hosts' own prefix only"
            )
    if not allowed:
        problems.append(
            f"no SSH source prefix for {name}: the site has no jump_prefix (and no management network) and "
            "ipv6_host_ssh_allowed_prefixes is empty, so the firewall would let nobody in"
        )
    interfaces = named_interfaces(options["interfaces"], addresses, problems)
    shims = _shims(options["ipv6_shims"], nat64, options["ssh_port"], problems)
    clat = options["clat"]
    if clat:
        _check_clat(options["profile"], nat64, facts, problems)
    if problems:
        raise PlanError(problems)

    set_clock = options["chrony_set_clock"]
    if set_clock is None:
        set_clock = "container" not in (facts.get("virtualization_tech_guest") or [])
    profile = PROFILES[options["profile"]]
    accept_ra, autoconf = profile["accept_ra"], int(options["autoconf"])
    forwarding = profile["forwarding"]
    if clat:
        # The CLAT's translated packets leave the tun through the kernel's forwarding path; with forwarding on,
        # router advertisements count only with accept_ra 2. Written here, so clatd finds them set and a rerun
        # leaves them alone.
        accept_ra, forwarding = 2, 1
    settings = {
        f"net.ipv6.conf.{scope}.{key}": value
        for scope in ("all", "default")
        for key, value in (("accept_ra", accept_ra), ("autoconf", autoconf))
    }
    if forwarding is not None:
        settings["net.ipv6.conf.all.forwarding"] = forwarding
    return {
        "packages": options["packages"],
        "addresses": {
            "addresses": addresses,
            "prefixes": {network: plan["networks"][network]["prefix"] for network in addresses},
            "prefixlen": node.get("prefixlen", 64),
            "interfaces": interfaces,
            "remove_ipv4": options["remove_ipv4"],
            "remove_ipv4_from": profile["remove_ipv4_from"],
            "ipv4_allowed": options["ipv4_allowed"]
            + ([node["ipv4"]] if node.get("ipv4") else [])
            + ([CLAT["ipv4"]] if clat else []),
            "boot_config": "/etc/ipv6-host/addresses.json",
        },
        # accept_ra and autoconf apply per interface (conf.all does not change existing ones): all, default,
        # and each interface that carries a plan address. forwarding on conf.all applies to every interface.
        "sysctl": {
            "file": options["sysctl_file"],
            "settings": settings,
            "interface_settings": {"net.ipv6.conf": {"accept_ra": accept_ra, "autoconf": autoconf}},
        },
        "resolv_conf": {
            "manage": options["manage_resolv_conf"],
            "nameservers": options["resolvers"] or resolvers,
            "search": options["search_domains"] or [plan["domain"]],
            "options": options["resolv_options"],
        },
        "chrony": {
            # The plan's resolvers (the border routers, which serve time) other than this node, in plan order.
            "servers": options["ntp_servers"] or [r for r in resolvers if r not in own],
            "set_clock": set_clock,
            "daemon_opts": options["chrony_daemon_opts"] + ("" if set_clock else " -x"),
        },
        "sshd": {
            "port": options["ssh_port"],
            "listen": options["sshd_listen_addresses"],
            "service": options["sshd_service"],
        },
        "ssh": {"allowed": allowed, "lockout_check": options["ssh_lockout_check"]},
        "nftables": {
            "config": NFTABLES_CONFIG,
            "include_dir": options["nftables_include_dir"],
            "input_rules": options["nftables_input_rules"],
            "ipv4_input_rules": options["nftables_ipv4_input_rules"],
            "icmpv6_echo_rate": options["icmpv6_echo_rate"],
            "nat64_prefix": plan["nat64"]["prefix"],
            "shims": shims,
        },
        # systemd-socket-proxyd on [::]:port for each IPv4-only service (units ipv6-shim-<port>).
        "shims": shims,
        "shim_proxy": SHIM_PROXY,
        # clatd's configuration: the plan's NAT64 prefix and this node's planned address (shared with the host),
        # with the shared mode's policy routing and conntrack mark; it leaves the sysctls to this role.
        "clat": {
            "enabled": clat,
            **CLAT,
            "settings": {
                "plat-prefix": plan["nat64"]["prefix"],
                "clat-dev": CLAT["device"],
                "clat-v4-addr": CLAT["ipv4"],
                "clat-v6-addr": node["ipv6"],
                "proxynd-enable": 0,
                "ctmark": CLAT["table"],
                "route-table": CLAT["table"],
                "forwarding-enable": 0,
                "v4-conncheck-enable": 0,
                "cmd-networkctl": "",
                "cmd-ufw": "",
            },
            "address": node["ipv6"],
            "nat64_prefix": plan["nat64"]["prefix"],
            "nat64_address": str(nat64.network_address),
            "packages": ["clatd", "tayga", "nftables", "iproute2"],
        },
        # lldpd on the site interfaces (the resolved interface of each plan network, added by the task) and a
        # switch's ports, advertising the plan address.
        "lldp": {
            "enabled": options["lldp"],
            "config": options["lldpd_config"],
            "management": node["ipv6"],
            "ports": sorted(((plan.get("switches") or {}).get(name) or {}).get("ports") or []),
        },
        "audit": {
            "enabled": options["audit_listeners"],
            "fail": options["audit_fail"],
            "include_loopback": options["audit_include_loopback"],
            "allow": [{k: v for k, v in entry.items() if v is not None} for entry in options["audit_allow"]],
        },
        # What the roles that build on this one use (published as the local fact ipv6only_ipv6_host, with the
        # interface of each plan network added once the addresses are resolved on the host).
        "extension_points": {
            "profile": options["profile"],
            "nftables": {
                "config": NFTABLES_CONFIG,
                "table": NFTABLES_TABLE,
                "input_chain": "input_extra",
                "ipv4_input_chain": "input_ipv4",
                "include_dir": options["nftables_include_dir"],
            },
            "chrony": {"conf_dir": CHRONY_CONF_DIR},
            # What else holds IPv4 here: the CLAT's device and address (the lab's "no IPv4" check reads it).
            "clat": {"device": CLAT["device"], "ipv4": CLAT["ipv4"]} if clat else None,
        },
    }


def _shims(entries: list[dict], nat64: ipaddress.IPv6Network, ssh_port: int, problems: list[str]) -> list[dict]:
    """The checked shims, by port; every problem is appended to ``problems``."""
    shims, ports = [], set()
    for k, entry in enumerate(entries):
        where = f"ipv6_host_ipv6_shims[{k}]"
        port, target_port = entry["port"], entry["target_port"] or entry["port"]
        for key, value in (("port", port), ("target_port", target_port)):
            if value is not None and not 1 <= value <= 65535:
                problems.append(f"{where}.{key} {value}: must be a port 1 to 65535")
        if port == ssh_port:
            problems.append(f"{where}.port {port}: is sshd's port (ipv6_host_ssh_port)")
        elif port in ports:
            problems.append(f"{where}.port {port}: listed twice")
        ports.add(port)
        allow = entry["allow"] or []
        if not allow:
            problems.append(f"{where}.allow: empty: name the prefixes that may connect")
        for value in allow:
            if value and ipaddress.IPv6Network(value, strict=False).overlaps(nat64):
                problems.append(
                    f"{where}.allow {show(value)}: covers the NAT64 prefix {nat64}, from which the whole IPv4 "
                    "internet arrives"
                )
        shims.append(
            {"unit": f"ipv6-shim-{port}", "port": port, "target": f"{entry['target']}:{target_port}", "allow": allow}
        )
    return shims


def _check_clat(profile: str, nat64: ipaddress.IPv6Network, facts: dict, problems: list[str]) -> None:
    if profile != "host":
        problems.append(
            f"ipv6_host_clat true with ipv6_host_profile {profile}: a CLAT is for IPv6-only hosts; a border router "
            "has IPv4 of its own"
        )
    if nat64.prefixlen not in CLAT_PREFIX_LENGTHS:
        problems.append(
            f"ipv6_host_clat true: the plan's NAT64 prefix {nat64} is a /{nat64.prefixlen}, and clatd takes only "
            f"/{', /'.join(map(str, CLAT_PREFIX_LENGTHS))}"
        )
    version = str(facts.get("distribution_major_version") or "")
    if facts.get("distribution") == "Debian" and version.isdigit() and int(version) < 13:
        problems.append(
            f"ipv6_host_clat true on Debian {version}: clatd is packaged from Debian 13 (trixie) on; upgrade the "
            "node, or leave the CLAT off"
        )
