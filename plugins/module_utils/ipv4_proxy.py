# SPDX-License-Identifier: GPL-3.0-or-later
"""The builder of the ipv4_proxy role: the 1:n proxies that let IPv4 clients reach IPv6-only VMs.

``build(plan, options, facts)`` returns what the role renders on one border router: the proxy addresses it holds
on its loopback while HAProxy runs (and BIRD announces), HAProxy's frontends (HTTP by Host, HTTPS by SNI passed
through, SMTP into the local Postfix), one backend per VM and service with the router's own source address, and
the Postfix relay for the VMs' mail names. Every router serves every proxy address: upstream may send traffic for
any of them to either. The options are declared once, in ``OPTIONS`` (see ``contract.py``). Standard library only.

Mail goes through Postfix rather than HAProxy alone: SMTP carries no name before the recipient, so one shared
address can only be told apart per recipient domain, by a relay that refuses unknown recipients at RCPT (address
verification against the VM) and so never accepts mail it would have to bounce.
"""

from __future__ import annotations

from .configtext import path_problem, word_problem
from .contract import Option, OptionTable, Section
from .errors import PlanError, show

__all__ = ["OPTIONS", "build"]

OPTIONS = OptionTable(
    role="ipv4_proxy",
    short_description="The 1:n IPv4 proxies to the IPv6-only VMs: HTTP by Host, HTTPS by SNI, SMTP",
    description=(
        "Serves the plan's proxy addresses (C(proxy.ipv4)) on this border router for IPv4 clients only: HTTP routed "
        "by Host to the VM's IPv6 address with the client's IPv4 in X-Forwarded-For, HTTPS routed by SNI and passed "
        "through (the router holds no keys) to the VM's C(proxy_protocol_port) with a PROXY v2 header, and SMTP "
        "into a local Postfix that relays the VMs' mail names to them over IPv6 and refuses unknown recipients at "
        "RCPT.",
        "The addresses sit on the loopback only while HAProxy runs (a drop-in of its unit), and BIRD announces each "
        "as a /32 with NO_EXPORT while it is there: stopping HAProxy on one router moves the traffic to the other.",
        "The VMs must trust a client address (X-Forwarded-For, PROXY v2) only from the plan's "
        "C(proxy.backends[].sources), and open C(proxy_protocol_port) to them only.",
        "Changes that can cut the router off (its addresses, routes and firewall) need "
        "O(ipv6_host_allow_disruption=true), the consent flag of every role of the collection.",
    ),
    entry_points=(
        ("main", "The IPv4 proxies on this border router"),
        ("check", "Compute and check this router's proxies, changing nothing"),
    ),
    items=(
        Section("the router in the site plan"),
        Option(
            "router",
            "str",
            "{{ inventory_hostname }}",
            "The border router (C(site.hosts[].name), role C(border_router)) these proxies run on.",
            jinja=True,
        ),
        Option(
            "plan",
            "dict",
            {},
            "The site plan. Empty means the plan of the run (computed once, see M(ipv6only.datacenter.site_plan)).",
        ),
        Section("HAProxy"),
        Option(
            "sni_wait",
            "int",
            5,
            (
                "Seconds HTTPS waits for the whole ClientHello (C(tcp-request inspect-delay)): a connection is routed "
                "only once its SNI is found, since a post-quantum key share spreads the hello over two TCP segments "
                "(haproxy#3148).",
            ),
        ),
        Option("http_timeout", "int", 60, "Seconds an HTTP or HTTPS client or server may stay silent."),
        Option(
            "smtp_timeout",
            "int",
            300,
            "Seconds an SMTP client or server may stay silent (RFC 5321 section 4.5.3.2 asks for 5 minutes).",
        ),
        Option("maxconn", "int", 4096, "Connections HAProxy accepts at once, over every frontend."),
        Section("Postfix"),
        Option(
            "relay_port",
            "int",
            10025,
            "Port on 127.0.0.1 where Postfix takes the mail HAProxy passes on (with a PROXY v2 header).",
        ),
        Option(
            "message_size_limit", "int", 26214400, "Largest message the relay accepts, bytes (C(message_size_limit))."
        ),
        Option("postfix_dir", "path", "/etc/postfix", "Postfix's configuration directory.", syntax=path_problem),
        Section("packages"),
        Option(
            "packages",
            "list",
            ["haproxy", "postfix"],
            "Packages the role needs.",
            elements="str",
            syntax=word_problem,
        ),
    ),
)


def build(plan: dict, options: dict, facts: dict) -> dict:
    """The ipv4_proxy role's configuration of border router ``options["router"]``; raises PlanError."""
    router = options["router"]
    host = plan["hosts"].get(router)
    if host is None or host["role"] != "border_router":
        routers = ", ".join(n for n, h in plan["hosts"].items() if h["role"] == "border_router") or "none"
        raise PlanError(
            [f"ipv4_proxy_router {show(router)}: not a border router of the site plan (border routers: {routers})"]
        )
    proxy = plan["proxy"]
    problems = []
    if not proxy["ipv4"]:
        problems.append("site.proxy.ipv4: not set in the site model: the proxies have no address to serve on")
    for key, low, high in (
        ("sni_wait", 1, 60),
        ("http_timeout", 1, 3600),
        ("smtp_timeout", 60, 3600),
        ("maxconn", 1, 1000000),
        ("relay_port", 1024, 65535),
        ("message_size_limit", 1024, 2**31 - 1),
    ):
        if not low <= options[key] <= high:
            problems.append(f"ipv4_proxy_{key} {options[key]}: must be {low} to {high}")
    if problems:
        raise PlanError(problems)

    def servers(service: str, port: int) -> list[dict]:
        return [
            {
                "name": vm["name"],
                "hostnames": vm["hostnames"],
                "ipv6": vm["ipv6"],
                "port": port,
                "source": vm["sources"][router],
            }
            for vm in proxy["backends"]
            if service in vm["services"]
        ]

    services = {
        "http": servers("http", 80),
        "https": servers("https", proxy["proxy_protocol_port"]),
        "smtp": servers("smtp", 25),
    }
    return {
        "router": router,
        "fqdn": host["fqdn"],
        "addresses": proxy["ipv4"],
        **services,
        # Only the ports of services some VM has (the router's firewall opens the same): nothing else listens.
        "ports": proxy["ports"],
        "sni_wait": options["sni_wait"],
        "http_timeout": options["http_timeout"],
        "smtp_timeout": options["smtp_timeout"],
        "maxconn": options["maxconn"],
        "relay": {
            "port": options["relay_port"],
            "dir": options["postfix_dir"],
            "message_size_limit": options["message_size_limit"],
            "domains": [name for vm in services["smtp"] for name in vm["hostnames"]],
            "transport": [
                {"domain": name, "nexthop": f"[{vm['ipv6']}]:25"} for vm in services["smtp"] for name in vm["hostnames"]
            ],
        },
        "packages": options["packages"],
    }
