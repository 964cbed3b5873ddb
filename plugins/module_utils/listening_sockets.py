# SPDX-License-Identifier: GPL-3.0-or-later
"""A network namespace's listening sockets, read over netlink (sock_diag, what ``ss`` uses), and their processes.

The module ``ipv4_listeners`` classifies what this returns. pyroute2's ``DiagSocket`` is in Debian 12's 0.7.2 and
13's 0.7.7 as well as in newer releases; without pyroute2 ``DiagSocket`` is None and the module says what to
install. Standard library otherwise, so that the unit tests run it with Debian's pyroute2 too.
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import socket

try:
    from pyroute2.netlink.diag import DiagSocket
except ImportError:
    DiagSocket = None

# Socket states (include/net/tcp_states.h), selected as bits of sock_diag's state mask.
TCP_LISTEN = 10
TCP_CLOSE = 7  # an unconnected (bound or listening) UDP socket
PROTOCOLS = (("tcp", socket.IPPROTO_TCP, TCP_LISTEN), ("udp", socket.IPPROTO_UDP, TCP_CLOSE))


def listening_socket(msg, proto: str) -> dict | None:
    """One sock_diag message as a listening socket; None for a connected UDP socket (a client's).

    Each result: proto, family, address (str), port (int), mapped (bool), v6only (bool or None), user (its owner's
    name, else the uid as a string) and inode (int).
    """
    if proto == "udp" and (msg["idiag_dport"] or not ipaddress.ip_address(msg["idiag_dst"]).is_unspecified):
        return None
    addr = ipaddress.ip_address(msg["idiag_src"])
    v6only = None
    if msg["idiag_family"] == socket.AF_INET6:
        v6only = bool(msg.get_attr("INET_DIAG_SKV6ONLY"))
    mapped = False
    if addr.version == 6 and addr.ipv4_mapped is not None:
        addr, mapped = addr.ipv4_mapped, True
    return {
        "proto": proto,
        "family": f"ipv{addr.version}",
        "address": str(addr),
        "port": int(msg["idiag_sport"]),
        "mapped": mapped,
        "v6only": v6only,
        "user": _user(int(msg["idiag_uid"])),
        "inode": int(msg["idiag_inode"]),
    }


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def read_sockets() -> list[dict]:
    """Every listening TCP and unconnected UDP socket of this network namespace, over netlink."""
    sockets = []
    with DiagSocket() as diag:
        diag.bind()
        for family in (socket.AF_INET, socket.AF_INET6):
            for proto, number, state in PROTOCOLS:
                for msg in diag.get_sock_stats(family=family, states=1 << state, protocol=number):
                    found = listening_socket(msg, proto)
                    if found is not None:
                        sockets.append(found)
    return sockets


def socket_owners(proc_root: str = "/proc") -> dict[int, list[tuple[int, str]]]:
    """Map socket inodes to the processes holding them: {inode: [(pid, comm), ...]} sorted by pid.

    Processes that vanish or that we may not inspect are skipped silently.
    """
    owners: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir(proc_root):
        if not entry.isdigit():
            continue
        pid = int(entry)
        fd_dir = os.path.join(proc_root, entry, "fd")
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        comm = None
        for fd in fds:
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if not target.startswith("socket:["):
                continue
            if comm is None:
                try:
                    with open(os.path.join(proc_root, entry, "comm"), encoding="utf-8", errors="replace") as f:
                        comm = f.read().strip()
                except OSError:
                    comm = ""
            owners.setdefault(int(target[8:-1]), []).append((pid, comm))
    for procs in owners.values():
        procs.sort()
    return owners
