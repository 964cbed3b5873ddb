#!/usr/bin/python
# Copyright: (c) 2025, ipv6only.datacenter contributors
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

DOCUMENTATION = r"""
---
module: ipv4_listeners
short_description: Find services that listen on IPv4 only and so cannot be reached on an IPv6-only host
version_added: "1.0.0"
description:
  - Reads the host's listening sockets (TCP sockets in state C(LISTEN) and unconnected bound UDP sockets)
    from the kernel's socket diagnostics over netlink (C(sock_diag), what C(ss) uses), with pyroute2, and
    maps each socket to its process through C(/proc/PID/fd).
  - Reports every listener, and separately the services that listen on IPv4 only. A service bound to
    C(0.0.0.0), to a specific IPv4 address, or to an IPv4-mapped IPv6 address (C(::ffff:a.b.c.d)) is
    IPv4-only unless an IPv6 listener on the same port and protocol covers it.
  - An IPv6 listener on C(::) covers every IPv4 listener on the same port and protocol, whether or not it
    has C(IPV6_V6ONLY) (RV(listeners[].v6only); without it, it serves IPv4 clients too). A non-loopback
    IPv6 listener covers a non-loopback IPv4 listener; only C(::) or C(::1) covers a loopback
    (C(127.0.0.0/8)) IPv4 listener.
  - Loopback-only IPv4 listeners are reported in RV(ipv4_loopback_only) rather than RV(ipv4_only),
    because they are no exposure problem but they break local clients that resolve C(localhost) to
    C(::1) first. Set O(include_loopback=true) to treat them like every other IPv4-only listener.
  - The module only reads; it never changes anything, so it is safe in check mode.
  - Mapping sockets to processes needs root for other users' processes. Without it, RV(listeners[].process)
    and RV(listeners[].pid) are V(null) for sockets the module cannot see.
author:
  - ipv6only.datacenter contributors
options:
  fail_on_ipv4_only:
    description:
      - Fail when at least one IPv4-only listener that is not on O(allow) exists.
      - The failure message names the process, address, port and protocol of every offender.
    type: bool
    default: false
  include_loopback:
    description:
      - Also treat listeners bound only to IPv4 loopback (C(127.0.0.0/8)) as IPv4-only, so that they
        appear in RV(ipv4_only) and make O(fail_on_ipv4_only) fail.
      - They are always listed in RV(ipv4_loopback_only), whatever this option says.
    type: bool
    default: false
  allow:
    description:
      - Allow-list of IPv4-only listeners that are expected and must not count as offenders.
      - An entry matches a listener when every key given in the entry matches it.
      - Allowed listeners are returned in RV(allowed) instead of RV(ipv4_only) and RV(ipv4_loopback_only).
    type: list
    elements: dict
    default: []
    suboptions:
      port:
        description: Port number the listener is bound to.
        type: int
        required: true
      proto:
        description: Protocol. Omit it to match both.
        type: str
        choices: [tcp, udp]
      process:
        description: Process name as in C(/proc/PID/comm) (at most 15 characters). Omit it to match any process.
        type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads the kernel's socket tables and C(/proc).
  diff_mode:
    support: none
  platform:
    platforms: linux
requirements:
  - pyroute2 0.7 or newer on the managed node (Debian package C(python3-pyroute2))
notes:
  - The sockets are those of the network namespace the module runs in (for a container, the container's).
  - Several sockets bound to the same address, port and protocol by the same process (C(SO_REUSEPORT), or
    one socket shared by forked workers) are reported once, with every PID in RV(listeners[].pids).
seealso:
  - name: RFC 4291 section 2.5.5.2 (IPv4-mapped IPv6 addresses)
    description: Why a socket bound to C(::ffff:0.0.0.0) accepts IPv4 clients only.
    link: https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5.2
"""

EXAMPLES = r"""
- name: Audit the listeners of an IPv6-only host
  ipv6only.datacenter.ipv4_listeners:
  register: audit

- name: Show the services that IPv6 clients cannot reach
  ansible.builtin.debug:
    msg: "{{ audit.ipv4_only | map(attribute='summary') | list }}"

- name: Fail on any IPv4-only listener except the DHCP client and a legacy agent on 127.0.0.1:8125
  ipv6only.datacenter.ipv4_listeners:
    fail_on_ipv4_only: true
    include_loopback: true
    allow:
      - {port: 68, proto: udp, process: dhclient}
      - {port: 8125, proto: udp}
"""

RETURN = r"""
listeners:
  description: Every listening socket, sorted by protocol, port, family and address.
  returned: always
  type: list
  elements: dict
  contains:
    proto:
      description: V(tcp) or V(udp).
      type: str
      sample: tcp
    family:
      description:
        - Address family of the clients the socket is for. V(ipv4) for C(AF_INET) sockets and for IPv6 sockets
          bound to an IPv4-mapped address, V(ipv6) otherwise.
      type: str
      sample: ipv4
    address:
      description: Bound address. IPv4-mapped addresses are shown as the IPv4 address they map.
      type: str
      sample: 0.0.0.0
    port:
      description: Bound port.
      type: int
      sample: 8080
    mapped:
      description: Whether the socket is an IPv6 socket bound to an IPv4-mapped address (C(::ffff:a.b.c.d)).
      type: bool
      sample: false
    v6only:
      description: For an IPv6 socket, whether it has C(IPV6_V6ONLY) (without, it accepts IPv4 too); V(null) for IPv4.
      type: bool
      sample: true
    process:
      description: Name of the owning process (C(/proc/PID/comm)), V(null) if unknown.
      type: str
      sample: python3
    pid:
      description: Lowest PID holding the socket, V(null) if unknown.
      type: int
      sample: 4242
    user:
      description: The user owning the socket (its name, or its uid when it has none), from the kernel.
      type: str
      sample: www-data
    pids:
      description: Every PID holding a socket with this protocol, address and port.
      type: list
      elements: int
      sample: [4242]
    summary:
      description:
        - One-line description, C(PROCESS[PID] PROTO ADDRESS:PORT), addresses in brackets for IPv6. When the
          process cannot be seen, C(a process of USER) instead of C(PROCESS[PID]).
      type: str
      sample: python3[4242] tcp 0.0.0.0:8080
ipv4_only:
  description:
    - Listeners that IPv6 clients cannot reach and that no O(allow) entry matches, in the format of
      RV(listeners). With O(include_loopback=true), loopback-only listeners are included too.
  returned: always
  type: list
  elements: dict
  sample:
    - {proto: tcp, family: ipv4, address: 0.0.0.0, port: 8080, mapped: false, v6only: null, user: www-data,
       process: python3, pid: 4242, pids: [4242], summary: "python3[4242] tcp 0.0.0.0:8080"}
ipv4_loopback_only:
  description:
    - Listeners bound only to IPv4 loopback (C(127.0.0.0/8)) with no C(::1) or C(::) listener on the same port
      and protocol, and that no O(allow) entry matches, in the format of RV(listeners).
  returned: always
  type: list
  elements: dict
allowed:
  description: IPv4-only and loopback-only listeners that an O(allow) entry matched, in the format of RV(listeners).
  returned: always
  type: list
  elements: dict
msg:
  description: Human-readable summary, naming every offender.
  returned: always
  type: str
  sample: >-
    1 IPv4-only listener(s) not on the allow-list: python3[4242] tcp 0.0.0.0:8080
    (fix: ipv6_host_ipv6_shims port 8080)
"""

import ipaddress  # noqa: E402 (Ansible modules import after DOCUMENTATION)

from ansible.module_utils.basic import AnsibleModule, missing_required_lib  # noqa: E402

from ansible_collections.ipv6only.datacenter.plugins.module_utils import listening_sockets  # noqa: E402

IPV4_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


def _summary(listener: dict) -> str:
    if listener["pid"] is not None:
        who = f"{listener['process']}[{listener['pid']}]"
    elif listener.get("user") is not None:
        # The kernel names the socket's owner even where /proc/PID/fd is closed to us (no CAP_SYS_PTRACE).
        who = f"a process of {listener['user']}"
    else:
        who = "unknown process"
    host = f"[{listener['address']}]" if ":" in listener["address"] else listener["address"]
    return f"{who} {listener['proto']} {host}:{listener['port']}"


def attach_owners(sockets: list[dict], owners: dict[int, list[tuple[int, str]]]) -> list[dict]:
    """Turn raw sockets into listeners: add process/pid(s), merge duplicates, sort, add a summary.

    Sockets with the same proto, family, address, port, mapped flag and process are one listener.
    """
    merged: dict[tuple, dict] = {}
    for sock in sockets:
        procs = owners.get(sock["inode"], [])
        process = procs[0][1] if procs else None
        key = (sock["proto"], sock["family"], sock["address"], sock["port"], sock["mapped"], sock["v6only"], process)
        fields = ("proto", "family", "address", "port", "mapped", "v6only", "user")
        entry = merged.setdefault(key, {k: sock[k] for k in fields} | {"process": process, "pids": []})
        entry["pids"] = sorted(set(entry["pids"]) | {pid for pid, _comm in procs})
    listeners = []
    for entry in merged.values():
        entry["pid"] = entry["pids"][0] if entry["pids"] else None
        entry["summary"] = _summary(entry)
        listeners.append(entry)
    listeners.sort(
        key=lambda e: (e["proto"], e["port"], e["family"], ipaddress.ip_address(e["address"]), e["process"] or "")
    )
    return listeners


def gather(proc_root: str = "/proc") -> list[dict]:
    """Every listening socket of this network namespace, with its process."""
    return attach_owners(listening_sockets.read_sockets(), listening_sockets.socket_owners(proc_root))


def _is_loopback_v4(listener: dict) -> bool:
    return ipaddress.ip_address(listener["address"]) in IPV4_LOOPBACK


def _covers(v6: dict, v4: dict) -> bool:
    """Whether an IPv6 listener serves the clients that the IPv4 listener `v4` was meant for."""
    addr = ipaddress.ip_address(v6["address"])
    if addr.is_unspecified:
        return True
    if _is_loopback_v4(v4):
        return addr.is_loopback
    return not addr.is_loopback


def matches_allow(listener: dict, entry: dict) -> bool:
    """Whether one allow-list entry ({port, proto?, process?}) matches the listener."""
    if entry.get("port") is not None and entry["port"] != listener["port"]:
        return False
    if entry.get("proto") and entry["proto"] != listener["proto"]:
        return False
    return not (entry.get("process") and entry["process"] != listener["process"])


def classify(listeners: list[dict], allow: list[dict] | None = None, include_loopback: bool = False) -> dict:
    """Split IPv4 listeners into ipv4_only, ipv4_loopback_only and allowed.

    Returns {"ipv4_only": [...], "ipv4_loopback_only": [...], "allowed": [...]}.
    """
    allow = allow or []
    v6_by_key: dict[tuple[str, int], list[dict]] = {}
    for lst in listeners:
        if lst["family"] == "ipv6":
            v6_by_key.setdefault((lst["proto"], lst["port"]), []).append(lst)
    result: dict[str, list[dict]] = {"ipv4_only": [], "ipv4_loopback_only": [], "allowed": []}
    for lst in listeners:
        if lst["family"] != "ipv4":
            continue
        if any(_covers(v6, lst) for v6 in v6_by_key.get((lst["proto"], lst["port"]), [])):
            continue
        if any(matches_allow(lst, entry) for entry in allow):
            result["allowed"].append(lst)
            continue
        loopback = _is_loopback_v4(lst)
        if loopback:
            result["ipv4_loopback_only"].append(lst)
        if not loopback or include_loopback:
            result["ipv4_only"].append(lst)
    return result


def _with_fix(listener: dict) -> str:
    """The listener's summary and the fix: ipv6_host's shim for TCP; UDP has none but the service's own IPv6."""
    if listener["proto"] == "tcp":
        return f"{listener['summary']} (fix: ipv6_host_ipv6_shims port {listener['port']})"
    return f"{listener['summary']} (fix: make it listen on IPv6 too; ipv6_host_ipv6_shims is TCP only)"


def build_msg(result: dict, include_loopback: bool) -> str:
    offenders = result["ipv4_only"]
    parts = []
    if offenders:
        parts.append(
            f"{len(offenders)} IPv4-only listener(s) not on the allow-list: " + ", ".join(map(_with_fix, offenders))
        )
    else:
        parts.append("no IPv4-only listeners outside the allow-list")
    loopback = result["ipv4_loopback_only"]
    if loopback and not include_loopback:
        parts.append(
            f"{len(loopback)} loopback-only IPv4 listener(s), unreachable from ::1: "
            + ", ".join(map(_with_fix, loopback))
        )
    return "; ".join(parts)


def run_module() -> None:
    module = AnsibleModule(
        argument_spec={
            "fail_on_ipv4_only": {"type": "bool", "default": False},
            "include_loopback": {"type": "bool", "default": False},
            "allow": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "port": {"type": "int", "required": True},
                    "proto": {"type": "str", "choices": ["tcp", "udp"]},
                    "process": {"type": "str"},
                },
            },
        },
        supports_check_mode=True,
    )
    include_loopback = module.params["include_loopback"]
    if listening_sockets.DiagSocket is None:
        module.fail_json(msg=missing_required_lib("pyroute2 (Debian: python3-pyroute2)"))
    try:
        listeners = gather()
    except (OSError, ValueError) as exc:
        module.fail_json(msg=f"cannot read the listening sockets (sock_diag over netlink, /proc): {exc}")
    result = classify(listeners, module.params["allow"], include_loopback)
    msg = build_msg(result, include_loopback)
    output = {"changed": False, "listeners": listeners, "msg": msg, **result}
    if module.params["fail_on_ipv4_only"] and result["ipv4_only"]:
        module.fail_json(**output)
    module.exit_json(**output)


def main() -> None:
    run_module()


if __name__ == "__main__":
    main()
