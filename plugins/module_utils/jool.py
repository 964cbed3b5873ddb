# Copyright: (c) 2025, ipv6only.datacenter contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jool, the kernel NAT64 for production routers: its atomic configurations, and what the running instances
say about themselves.

The role decides whether to recreate the NAT64 instance from the *running* instance (``jool global display``),
never from the last file it rendered: a run interrupted between rendering and applying must not leave the
kernel on the old pool6 for good. Standard library only; the jool_state module runs it on the router.
"""

from __future__ import annotations

import csv

from .errors import PlanError
from .netparse import parse_prefix


def jool_nat64_config(instance: str, pool6: str, pool4: list[dict], tcp_est_timeout: int = 7440) -> dict:
    """Jool stateful NAT64 atomic configuration (``jool file handle``), Jool 4.1 format."""
    return {
        "comment": "Managed by ipv6only.datacenter.border_router; applied atomically with `jool file handle`",
        "instance": instance,
        "framework": "netfilter",
        "global": {
            "pool6": pool6,
            "tcp-est-timeout": tcp_est_timeout,
            "lowest-ipv6-mtu": 1280,
            "logging-bib": False,
            "logging-session": False,
        },
        "pool4": pool4,
    }


def jool_siit_config(instance: str, pool6: str, eamt: list[dict], denylist4: list[str]) -> dict:
    """Jool SIIT atomic configuration carrying the EAM table (RFC 7757) for the mapped VMs."""
    return {
        "comment": "Managed by ipv6only.datacenter.border_router; EAM table for ipv4_mapping VMs (RFC 7757)",
        "instance": instance,
        "framework": "netfilter",
        "global": {"pool6": pool6, "lowest-ipv6-mtu": 1280},
        "eamt": eamt,
        "denylist4": denylist4,
    }


def instance_names(display: str) -> list[str]:
    """The instance names in ``jool[_siit] instance display --csv --no-headers`` (``namespace,name,framework``
    per line). Names are compared whole: ``border`` is not running because ``border-eam`` is."""
    names = []
    for row in csv.reader(display.splitlines()):
        if len(row) == 3 and row[1] not in names:
            names.append(row[1])
    return names


def global_values(display: str) -> dict[str, str]:
    """``jool[_siit] -i NAME global display --csv --no-headers`` as ``{field: value}``. Plateaus are quoted
    (``"65535,32000,…"``), and an unset prefix is an empty value."""
    return {row[0]: row[1] for row in csv.reader(display.splitlines()) if len(row) == 2}


def pool6_changed(running: str | None, wanted: str) -> bool:
    """True when the running instance's pool6 differs from ``wanted``: Jool cannot change the pool6 of a live
    NAT64 instance, so the role removes and recreates it, which drops every session (a planned, announced step).

    Compared as prefixes, so another spelling of the same one (``64:FF9B:0::/96``) is no change. No running
    instance (None) is no change either: the instance is simply created. A running instance whose pool6 cannot be
    read (empty, garbage) is recreated, since nothing says it is right.
    """
    if running is None:
        return False
    try:
        return parse_prefix(running, 6) != parse_prefix(wanted, 6)
    except PlanError:
        return True


def running_state(instance: str, nat64_instances: str, nat64_globals: str, siit_instances: str, pool6: str) -> dict:
    """What the role needs to know of the running Jool: whether each of its two instances exists, the NAT64
    instance's pool6, and whether pool6 forces a recreate. The arguments are the display commands' outputs
    (empty when the command could not run)."""
    siit = f"{instance}-eam"
    nat64_running = instance in instance_names(nat64_instances)
    running_pool6 = global_values(nat64_globals).get("pool6") if nat64_running else None
    return {
        "nat64_running": nat64_running,
        "siit_running": siit in instance_names(siit_instances),
        "running_pool6": running_pool6,
        "recreate": nat64_running and pool6_changed(running_pool6 or "", pool6),
    }
