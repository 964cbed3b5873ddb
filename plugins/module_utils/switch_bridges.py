#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A switch's bridges: one per network it carries, its ports enslaved, MLD snooping with a querier.

One file serves two callers:

- the module ``ipv6only.datacenter.switch_bridges`` (check mode and diff), which the switch role runs;
- the boot unit ``switch-bridges.service``: the role installs this very file as ``/usr/local/sbin/switch-bridges``,
  which applies ``/etc/switch/bridges.json`` again at boot.

    switch-bridges [--config FILE] [--previous FILE] plan     print the pending changes, change nothing
    switch-bridges [--config FILE] [--previous FILE] apply    make them, print what was done

The config (JSON; the comments are not part of it):

    {"bridges": [{"name": "br-servers",
                  "ports": ["swp1", "swp3"],
                  "options": {"mcast_snooping": 1, "mcast_querier": 1, "mcast_mld_version": 2, ...}}]}

Each bridge is created if missing, with its options (``ip link ... type bridge`` names, values as ``ip -d -j link``
prints them), and with IPv6 router advertisements and autoconfiguration off before it comes up: the switch has an
address on its management network only, while its bridges keep the link-local address the MLD querier needs. Each
port gets IPv6 disabled (it is a wire into the bridge: an RA heard before it was enslaved leaves no address), is
enslaved to its bridge and brought up; a port that is on a bridge of the config but not listed is released.
A bridge that the previous config had and this one has not is deleted; other bridges are never touched.

The kernel is read with ``ip -details -json link show`` and changed with ``ip link`` (iproute2 5.10 or later, for
``mcast_mld_version``): the knobs are netlink attributes, since ``/sys`` is read-only in containers. The planning
functions are pure. Exit status of the helper: 0 success, 1 error (on stderr).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable

__all__ = ["PORT_SYSCTLS", "SYSCTLS", "ConfigError", "apply", "plan", "read_state"]

IP = "/usr/sbin/ip"
# What a bridge must have before it comes up: no RA processing, no SLAAC address. Link-local stays (MLD querier).
SYSCTLS = {"accept_ra": "0", "autoconf": "0"}
# A port is a wire into the bridge: no IPv6 of its own, so an RA it heard before it was enslaved leaves no address.
PORT_SYSCTLS = {"disable_ipv6": "1"}
_SYSCTL = "/proc/sys/net/ipv6/conf/{name}/{key}"
# The options `ip link set ... type bridge` takes under another name than `ip -d -j link` prints them.
_SHOWN_AS = {
    "mcast_last_member_interval": "mcast_last_member_intvl",
    "mcast_membership_interval": "mcast_membership_intvl",
    "mcast_querier_interval": "mcast_querier_intvl",
    "mcast_query_interval": "mcast_query_intvl",
    "mcast_query_response_interval": "mcast_query_response_intvl",
    "mcast_startup_query_interval": "mcast_startup_query_intvl",
}

Runner = Callable[[list[str]], str]


class ConfigError(Exception):
    """A problem the operator must fix (a missing port, a name taken by something else, a failed change)."""


# --- the state of the kernel -------------------------------------------------------------------------------------
#
# {"links": {ifname: {"kind": "bridge" | other | None, "master": ifname | None, "up": bool,
#                     "options": {bridge option: value}}},
#  "sysctls": {bridge: {key: value}}}


def read_state(run: Runner, read_sysctl: Callable[[str], str | None]) -> dict:
    """Links and their bridge options from ``ip -d -j link show``, and the bridges' IPv6 sysctls."""
    links = {}
    for link in json.loads(run([IP, "-details", "-json", "link", "show"]) or "[]"):
        info = link.get("linkinfo") or {}
        links[link["ifname"]] = {
            "kind": info.get("info_kind"),
            "master": link.get("master"),
            "up": "UP" in (link.get("flags") or []),
            "options": dict(info.get("info_data") or {}) if info.get("info_kind") == "bridge" else {},
        }
    sysctls = {
        name: {key: read_sysctl(_SYSCTL.format(name=name, key=key)) for key in (*SYSCTLS, *PORT_SYSCTLS)}
        for name in links
    }
    return {"links": links, "sysctls": sysctls}


# --- planning (pure) ----------------------------------------------------------------------------------------------


def _option_args(options: dict) -> list[str]:
    return [str(word) for key in sorted(options) for word in (key, options[key])]


def plan(config: dict, state: dict, previous: dict | None = None) -> dict:
    """The commands that make ``state`` match ``config``, as ``ip`` argument lists, and a line per change."""
    links, sysctls = state["links"], state["sysctls"]
    steps: list[tuple[str, list[str] | tuple[str, str]]] = []  # (change, ip argv or (sysctl path, value))
    wanted = {bridge["name"]: bridge for bridge in config.get("bridges", [])}
    owner: dict[str, str] = {}
    for bridge in wanted.values():
        for port in bridge["ports"]:
            if port in owner:
                raise ConfigError(f"port {port}: on two bridges, {owner[port]} and {bridge['name']}")
            owner[port] = bridge["name"]
            if port not in links:
                candidates = ", ".join(sorted(n for n, link in links.items() if link["kind"] != "bridge"))
                raise ConfigError(f"port {port} of {bridge['name']}: no such interface here (there are: {candidates})")
    for name, bridge in wanted.items():
        link = links.get(name)
        options = bridge.get("options", {})
        if link is None:
            steps.append((f"+ bridge {name}", ["link", "add", "name", name, "type", "bridge", *_option_args(options)]))
            current_sysctls = {}
        elif link["kind"] != "bridge":
            raise ConfigError(f"bridge {name}: the name is taken by an interface of kind {link['kind']}")
        else:
            current_sysctls = sysctls.get(name, {})
            have = {k: link["options"].get(_SHOWN_AS.get(k, k)) for k in options}
            stale = {k: v for k, v in options.items() if str(have[k]) != str(v)}
            if stale:
                changes = ", ".join(f"{k} {have[k]} -> {v}" for k, v in sorted(stale.items()))
                steps.append(
                    (f"~ {name} {changes}", ["link", "set", "dev", name, "type", "bridge", *_option_args(stale)])
                )
        for key, value in SYSCTLS.items():
            if current_sysctls.get(key) != value:
                steps.append((f"~ {name} {key} {value}", (_SYSCTL.format(name=name, key=key), value)))
        if link is None or not link["up"]:
            steps.append((f"up {name}", ["link", "set", "dev", name, "up"]))
    for port, bridge in owner.items():
        link = links[port]
        for key, value in PORT_SYSCTLS.items():
            if sysctls.get(port, {}).get(key) != value:
                steps.append((f"~ {port} {key} {value}", (_SYSCTL.format(name=port, key=key), value)))
        if link["master"] != bridge:
            steps.append((f"+ {port} on {bridge}", ["link", "set", "dev", port, "master", bridge]))
        if not link["up"]:
            steps.append((f"up {port}", ["link", "set", "dev", port, "up"]))
    for port, link in sorted(links.items()):
        if link["master"] in wanted and port not in owner:
            steps.append((f"- {port} from {link['master']}", ["link", "set", "dev", port, "nomaster"]))
    for bridge in (previous or {}).get("bridges", []):
        name = bridge["name"]
        if name not in wanted and (links.get(name) or {}).get("kind") == "bridge":
            steps.append((f"- bridge {name}", ["link", "del", "dev", name]))
    changes = [change for change, _ in steps]
    return {"steps": steps, "changes": changes, "changed": bool(changes)}


# --- changing the kernel ------------------------------------------------------------------------------------------


def apply(config: dict, run: Runner, read_sysctl, write_sysctl, previous: dict | None = None) -> dict:
    """Make the changes ``plan`` finds, then check that none is left pending."""
    todo = plan(config, read_state(run, read_sysctl), previous)
    for change, step in todo["steps"]:
        try:
            if isinstance(step, tuple):
                write_sysctl(*step)
            else:
                run([IP, *step])
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", None) or exc
            raise ConfigError(f"{change}: {str(detail).strip()}") from None
    left = plan(config, read_state(run, read_sysctl), previous)
    if left["changed"]:
        raise ConfigError(f"changes still pending after apply: {'; '.join(left['changes'])}")
    return {"changes": todo["changes"], "changed": todo["changed"]}


def run_ip(argv: list[str]) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def read_sysctl(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return None


def write_sysctl(path: str, value: str) -> None:
    with open(path, "w", encoding="ascii") as fh:
        fh.write(value)


# --- the boot helper ----------------------------------------------------------------------------------------------


def _load(path: str | None) -> dict | None:
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make this switch's bridges match its config.")
    parser.add_argument("--config", default="/etc/switch/bridges.json", help="JSON config file")
    parser.add_argument("--previous", help="the config applied before, whose bridges this one may delete")
    parser.add_argument("action", choices=["plan", "apply"])
    args = parser.parse_args(argv)
    try:
        config, previous = _load(args.config), _load(args.previous)
        if config is None:
            raise ConfigError(f"{args.config}: no such file")
        if args.action == "plan":
            result = plan(config, read_state(run_ip, read_sysctl), previous)
            result = {"changes": result["changes"], "changed": result["changed"]}
        else:
            result = apply(config, run_ip, read_sysctl, write_sysctl, previous)
    except (ConfigError, OSError, ValueError, KeyError, subprocess.CalledProcessError) as exc:
        print(f"switch-bridges: {exc}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
