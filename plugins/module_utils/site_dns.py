# SPDX-License-Identifier: GPL-3.0-or-later
"""The builder of the site_dns role: the site's authoritative name servers (Knot DNS) on the border routers.

``build(plan, options, facts)`` returns everything the role renders for one name server: the addresses it listens
on (only its own, from ``site.nameservers``), whether it is the primary or a secondary, the peers it notifies or
transfers from (TSIG-restricted), the zones of the plan with their records, DNSSEC signing on the primary, and the
routes that reach the other name servers' addresses across the site. The options are declared once, in
``OPTIONS`` (see ``contract.py``). Standard library only.

Knot DNS rather than a second BIND: the DNS64 resolver of a border router may itself be BIND, and two instances
of one daemon share packages, units and paths that the roles would have to keep apart; Knot is a separate package
and unit, signs with automatic key management, and reloads zones from files without touching the resolver.
"""

from __future__ import annotations

from .configtext import path_problem, word_problem
from .contract import Option, OptionTable, Section
from .errors import PlanError, show

__all__ = ["OPTIONS", "build"]

ALGORITHMS = ("ecdsap256sha256", "ecdsap384sha384", "ed25519")
TSIG_KEY = "site_dns_transfer"

OPTIONS = OptionTable(
    role="site_dns",
    short_description="The site's authoritative DNS: forward and reverse zones, signed, on the border routers",
    description=(
        "Serves the site's zones from the plan (C(dns.zones)) with Knot DNS on each border router that "
        "C(site.nameservers) names, on that name server's addresses only: the forward zone C(site.domain), the "
        "reverse zones of C(site.prefix) and C(site.ipv4_pool) (RFC 2317 classless when the pool is longer than "
        "/24), and the customer space with each customer's /48 delegated to the name servers it declares.",
        "The first name server is the primary: it signs the zones (DNSSEC with automatic key management) and "
        "notifies the others, which transfer the signed zones with a TSIG key generated on the primary. Serials "
        "change only when the data does: Knot compares the zone file with what it serves.",
        "Changes that can cut the router off (its addresses, routes and firewall) need "
        "O(ipv6_host_allow_disruption=true), the consent flag of every role of the collection.",
    ),
    entry_points=(
        ("main", "The site's authoritative name server on this border router"),
        ("check", "Compute and check this name server's configuration, changing nothing"),
    ),
    items=(
        Section("the name server in the site plan"),
        Option(
            "name",
            "str",
            "{{ inventory_hostname }}",
            "The host (C(site.nameservers[].host)) this name server runs on.",
            jinja=True,
        ),
        Option(
            "plan",
            "dict",
            {},
            "The site plan. Empty means the plan of the run (computed once, see M(ipv6only.datacenter.site_plan)).",
        ),
        Section("zones"),
        Option(
            "soa_rname",
            "str",
            "",
            "The SOA's responsible mailbox as a domain name (C(hostmaster.example.net)). Empty: hostmaster.<domain>.",
            syntax=word_problem,
        ),
        Option("soa_refresh", "int", 3600, "SOA refresh, seconds: how often secondaries check without a NOTIFY."),
        Option("soa_retry", "int", 600, "SOA retry, seconds."),
        Option("soa_expire", "int", 1209600, "SOA expire, seconds: how long a secondary serves without its primary."),
        Option("soa_minimum", "int", 300, "SOA minimum: the negative-caching TTL, seconds."),
        Option("ttl", "int", 3600, "TTL of the zones' records, seconds."),
        Section("DNSSEC"),
        Option("dnssec", "bool", True, "Sign the zones on the primary, with automatic key management."),
        Option(
            "dnssec_algorithm",
            "str",
            "ecdsap256sha256",
            "Signing algorithm (RFC 8624 recommends ECDSA P-256 or Ed25519).",
            choices=ALGORITHMS,
        ),
        Section("files"),
        Option("zone_dir", "path", "/var/lib/knot/zones", "Where the zone files are written.", syntax=path_problem),
        Option(
            "tsig_file",
            "path",
            "/etc/knot/transfer.tsig.conf",
            "The TSIG key of the transfers, in Knot's syntax (mode 0640, owner root, group knot). Generated on the "
            "primary, copied to the secondaries, never printed.",
            syntax=path_problem,
        ),
        Section("packages"),
        Option(
            "packages",
            "list",
            ["knot", "knot-dnsutils", "knot-dnssecutils"],
            "Packages the role needs (kzonecheck, which checks each zone file, is in knot-dnssecutils).",
            elements="str",
            syntax=word_problem,
        ),
    ),
)


def _server(plan: dict, name: str) -> tuple[dict, list[dict]]:
    servers = list(plan.get("nameservers") or [])
    mine = [ns for ns in servers if ns["host"] == name]
    if not mine:
        hosts = ", ".join(ns["host"] for ns in servers) or "none"
        raise PlanError(
            [f"site_dns_name {show(name)}: no name server of the site plan runs here (site.nameservers hosts: {hosts})"]
        )
    return mine[0], servers


def build(plan: dict, options: dict, facts: dict) -> dict:
    """The site_dns role's configuration of the name server on host ``options["name"]``; raises PlanError."""
    me, servers = _server(plan, options["name"])
    problems = []
    for key in ("soa_refresh", "soa_retry", "soa_expire", "soa_minimum", "ttl"):
        if not 1 <= options[key] <= 2**31 - 1:
            problems.append(f"site_dns_{key} {options[key]}: must be 1 to 2147483647 seconds (RFC 2181)")
    if options["soa_retry"] >= options["soa_refresh"]:
        problems.append(
            f"site_dns_soa_retry {options['soa_retry']}: must be shorter than site_dns_soa_refresh "
            f"{options['soa_refresh']}"
        )
    if problems:
        raise PlanError(problems)
    primary = servers[0]
    peers = [ns for ns in servers if ns is not me]
    hosts = plan["hosts"]
    return {
        "name": me["name"],
        "fqdn": me["fqdn"],
        "role": "primary" if me is primary else "secondary",
        "listen": [me["ipv6"], me["ipv4"]],
        "primary": {"name": primary["name"], "host": primary["host"], "address": primary["ipv6"]},
        # Peers by their name-server IPv6, reached across the management network (see routes).
        "peers": [{"name": ns["name"], "address": ns["ipv6"]} for ns in peers],
        # Traffic for another router's name server that reaches this one (the aggregate and the pool are announced
        # by every router) goes on across the management network; IPv4 too, with an IPv6 next hop (RFC 8950).
        "routes": [
            {"to": f"{ns[family]}/{length}", "via": hosts[ns["host"]]["ipv6"]}
            for ns in peers
            for family, length in (("ipv6", 128), ("ipv4", 32))
        ],
        "tsig": {"name": TSIG_KEY, "file": options["tsig_file"], "algorithm": "hmac-sha256"},
        "soa": {
            "mname": primary["fqdn"],
            "rname": options["soa_rname"] or f"hostmaster.{plan['domain']}",
            "refresh": options["soa_refresh"],
            "retry": options["soa_retry"],
            "expire": options["soa_expire"],
            "minimum": options["soa_minimum"],
        },
        "ttl": options["ttl"],
        "dnssec": {"enabled": options["dnssec"] and me is primary, "algorithm": options["dnssec_algorithm"]},
        "zone_dir": options["zone_dir"],
        "zones": [
            {"name": zone["name"], "file": f"{zone['name']}.zone", "records": zone["records"]}
            for zone in plan["dns"]["zones"]
        ],
        "parent_records": plan["dns"]["parent_records"],
        "packages": options["packages"],
    }
