# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import ipaddress
import json
import os
import pathlib
import socket
import subprocess
import sys

import pytest
from ansible.module_utils import basic

from ansible_collections.ipv6only.datacenter.plugins.module_utils import listening_sockets
from ansible_collections.ipv6only.datacenter.plugins.modules import ipv4_listeners as mod


def listener(proto, address, port, process="svc", pid=100, mapped=False):
    family = f"ipv{ipaddress.ip_address(address).version}"
    v6only = True if family == "ipv6" else None
    entry = {"proto": proto, "family": family, "address": address, "port": port, "mapped": mapped, "v6only": v6only}
    entry["user"] = "svc"
    entry |= {"process": process, "pid": pid, "pids": [pid] if pid else []}
    entry["summary"] = mod._summary(entry)
    return entry


# --- the kernel's socket tables, over netlink -------------------------------------------------------------------

# Opens sockets in a fresh network namespace and prints what read_sockets() finds: run with the venv's pyroute2
# and with Debian's (python3-pyroute2, 0.7.x on Debian 12 and 13), which is what managed nodes have.
PROBE = r"""
import json, socket, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.ipv6only.datacenter.plugins.module_utils import listening_sockets

def sock(family, kind, address, listen=True, v6only=None):
    s = socket.socket(family, kind)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
    s.bind((address, 0))
    if kind == socket.SOCK_STREAM and listen:
        s.listen()
    return s

A4, A6, TCP, UDP = socket.AF_INET, socket.AF_INET6, socket.SOCK_STREAM, socket.SOCK_DGRAM
keep = {
    "tcp4-any": sock(A4, TCP, "0.0.0.0"),
    "tcp4-bound-not-listening": sock(A4, TCP, "127.0.0.1", listen=False),
    "udp4-lo": sock(A4, UDP, "127.0.0.1"),
    "tcp6-any-v6only": sock(A6, TCP, "::", v6only=True),
    "tcp6-any-dual": sock(A6, TCP, "::", v6only=False),
    "tcp6-mapped": sock(A6, TCP, "::ffff:127.0.0.1", v6only=False),
    "udp6-lo": sock(A6, UDP, "::1", v6only=True),
    "udp4-connected": sock(A4, UDP, "127.0.0.1"),
}
keep["udp4-connected"].connect(keep["udp4-lo"].getsockname())
ports = {name: s.getsockname()[1] for name, s in keep.items()}
print(json.dumps({"ports": ports, "sockets": listening_sockets.read_sockets()}))
"""


@pytest.fixture(params=["venv", "debian"])
def read_in_a_netns(request):
    """Runs PROBE in a new network namespace (so only its own sockets exist) with one of the two pyroute2s."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    python = sys.executable if request.param == "venv" else "/usr/bin/python3"
    if subprocess.run([python, "-c", "import pyroute2"], capture_output=True, check=False).returncode:
        pytest.skip(f"{python} has no pyroute2")
    collections = str(pathlib.Path(__file__).resolve().parents[4] / "collections")
    cmd = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "-", python, "-c", PROBE, collections]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_read_sockets_finds_listeners_over_netlink(read_in_a_netns):
    ports = read_in_a_netns["ports"]
    found = {(s["proto"], s["port"]): s for s in read_in_a_netns["sockets"]}
    assert len(found) == len(read_in_a_netns["sockets"]) == 6, read_in_a_netns
    fields = ("family", "address", "mapped", "v6only")

    def seen(name, proto):
        return tuple(found[(proto, ports[name])][k] for k in fields)

    assert seen("tcp4-any", "tcp") == ("ipv4", "0.0.0.0", False, None)
    assert seen("udp4-lo", "udp") == ("ipv4", "127.0.0.1", False, None)
    assert seen("tcp6-any-v6only", "tcp") == ("ipv6", "::", False, True)
    assert seen("tcp6-any-dual", "tcp") == ("ipv6", "::", False, False)
    assert seen("tcp6-mapped", "tcp") == ("ipv4", "127.0.0.1", True, False)
    assert seen("udp6-lo", "udp") == ("ipv6", "::1", False, True)
    # Not listeners: a bound TCP socket that does not listen, and a connected UDP socket (a client).
    assert ("tcp", ports["tcp4-bound-not-listening"]) not in found
    assert ("udp", ports["udp4-connected"]) not in found
    assert all(isinstance(s["inode"], int) and s["inode"] > 0 for s in found.values())
    assert {s["user"] for s in found.values()} == {"root"}  # the kernel names the owner (the tests run as root)


# --- owners, from /proc/PID/fd ---------------------------------------------------------------------------


def make_proc(tmp_path, processes):
    """A /proc of processes only: <pid>/comm plus <pid>/fd/<n> -> 'socket:[inode]' links."""
    for pid, (comm, targets) in processes.items():
        (tmp_path / str(pid) / "fd").mkdir(parents=True)
        (tmp_path / str(pid) / "comm").write_text(comm + "\n")
        for n, target in enumerate(targets):
            os.symlink(target, tmp_path / str(pid) / "fd" / str(n))
    (tmp_path / "self").mkdir()  # non-numeric entries are ignored
    return str(tmp_path)


def test_socket_owners(tmp_path):
    root = make_proc(
        tmp_path,
        {
            300: ("nginx", ["socket:[1001]", "/dev/null", "pipe:[9]"]),
            200: ("nginx", ["socket:[1001]"]),
            400: ("sshd", ["socket:[2001]", "socket:[2002]"]),
        },
    )
    owners = listening_sockets.socket_owners(root)
    assert owners == {1001: [(200, "nginx"), (300, "nginx")], 2001: [(400, "sshd")], 2002: [(400, "sshd")]}


def test_attach_owners_merges_reuseport_sockets():
    web = {"proto": "tcp", "family": "ipv4", "address": "0.0.0.0", "port": 80, "mapped": False, "v6only": None}
    sockets = [{**web, "user": "root", "inode": 1}, {**web, "user": "root", "inode": 2}]
    got = mod.attach_owners(sockets, {1: [(10, "haproxy")], 2: [(11, "haproxy")]})
    assert len(got) == 1 and got[0]["pids"] == [10, 11]
    got = mod.attach_owners(sockets, {1: [(10, "haproxy")], 2: [(11, "other")]})
    assert [e["process"] for e in got] == ["haproxy", "other"]
    # Where /proc/PID/fd is closed to the module, the kernel still names the socket's owner.
    assert [e["summary"] for e in mod.attach_owners(sockets, {})] == ["a process of root tcp 0.0.0.0:80"]


# --- classification ---------------------------------------------------------------------------------------------


def summaries(entries):
    return sorted(e["summary"] for e in entries)


CLASSIFY_CASES = [
    # (listeners, expected ipv4_only, expected ipv4_loopback_only)
    pytest.param([listener("tcp", "0.0.0.0", 8080)], ["svc[100] tcp 0.0.0.0:8080"], [], id="wildcard-alone"),
    pytest.param([listener("tcp", "0.0.0.0", 22), listener("tcp", "::", 22)], [], [], id="covered-by-any6"),
    pytest.param([listener("tcp", "127.0.0.1", 3306), listener("tcp", "::1", 3306)], [], [], id="lo-covered-by-lo6"),
    pytest.param([listener("tcp", "127.0.0.1", 3306), listener("tcp", "::", 3306)], [], [], id="lo-covered-by-any6"),
    pytest.param([listener("udp", "127.0.0.53", 53)], [], ["svc[100] udp 127.0.0.53:53"], id="loopback-net"),
    pytest.param(
        [listener("tcp", "0.0.0.0", 53), listener("udp", "::", 53)],
        ["svc[100] tcp 0.0.0.0:53"],
        [],
        id="other-proto-does-not-cover",
    ),
    pytest.param(
        [listener("tcp", "0.0.0.0", 80), listener("tcp", "::1", 80)],
        ["svc[100] tcp 0.0.0.0:80"],
        [],
        id="lo6-does-not-cover-wildcard4",
    ),
    pytest.param(
        [listener("tcp", "127.0.0.1", 25), listener("tcp", "2001:db8::5", 25)],
        [],
        ["svc[100] tcp 127.0.0.1:25"],
        id="global6-does-not-cover-lo4",
    ),
    pytest.param(
        [listener("tcp", "192.0.2.10", 80), listener("tcp", "2001:db8::5", 80)], [], [], id="specific6-covers-specific4"
    ),
    pytest.param(
        [listener("tcp", "0.0.0.0", 9000, mapped=True)], ["svc[100] tcp 0.0.0.0:9000"], [], id="mapped-wildcard"
    ),
    pytest.param([listener("tcp", "::", 443), listener("udp", "fe80::1", 547)], [], [], id="ipv6-only-never-reported"),
    pytest.param(
        [listener("tcp", "0.0.0.0", 8080), listener("tcp", "::", 8081)],
        ["svc[100] tcp 0.0.0.0:8080"],
        [],
        id="other-port-does-not-cover",
    ),
]


@pytest.mark.parametrize(("listeners", "ipv4_only", "loopback"), CLASSIFY_CASES)
def test_classify(listeners, ipv4_only, loopback):
    got = mod.classify(listeners)
    assert summaries(got["ipv4_only"]) == ipv4_only
    assert summaries(got["ipv4_loopback_only"]) == loopback
    assert got["allowed"] == []


def test_classify_include_loopback_moves_loopback_into_ipv4_only():
    listeners = [listener("tcp", "127.0.0.1", 5432, "postgres"), listener("tcp", "0.0.0.0", 80, "nginx")]
    got = mod.classify(listeners, include_loopback=True)
    assert summaries(got["ipv4_only"]) == ["nginx[100] tcp 0.0.0.0:80", "postgres[100] tcp 127.0.0.1:5432"]
    assert summaries(got["ipv4_loopback_only"]) == ["postgres[100] tcp 127.0.0.1:5432"]
    got = mod.classify(listeners, include_loopback=False)
    assert summaries(got["ipv4_only"]) == ["nginx[100] tcp 0.0.0.0:80"]


# --- allow-list -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"port": 68}, True),
        ({"port": 68, "proto": "udp"}, True),
        ({"port": 68, "proto": "tcp"}, False),
        ({"port": 68, "process": "dhclient"}, True),
        ({"port": 68, "process": "dhcpcd"}, False),
        ({"port": 67}, False),
        ({"port": 68, "proto": None, "process": None}, True),  # how AnsibleModule fills omitted suboptions
    ],
)
def test_matches_allow(entry, expected):
    assert mod.matches_allow(listener("udp", "0.0.0.0", 68, "dhclient"), entry) is expected


def test_classify_allow_list():
    listeners = [
        listener("udp", "0.0.0.0", 68, "dhclient"),
        listener("tcp", "0.0.0.0", 8080, "python3"),
        listener("tcp", "127.0.0.1", 8125, "statsd"),
        listener("tcp", "0.0.0.0", 22, "sshd"),
        listener("tcp", "::", 22, "sshd"),
    ]
    allow = [{"port": 68, "proto": "udp", "process": "dhclient"}, {"port": 8125}, {"port": 22}]
    got = mod.classify(listeners, allow, include_loopback=True)
    assert summaries(got["ipv4_only"]) == ["python3[100] tcp 0.0.0.0:8080"]
    assert got["ipv4_loopback_only"] == []
    # covered listeners are never "allowed": they need no exception
    assert summaries(got["allowed"]) == ["dhclient[100] udp 0.0.0.0:68", "statsd[100] tcp 127.0.0.1:8125"]


def test_build_msg_names_every_offender():
    result = mod.classify(
        [listener("tcp", "0.0.0.0", 8080, "python3", 42), listener("udp", "127.0.0.1", 323, "chronyd", 7)]
    )
    msg = mod.build_msg(result, include_loopback=False)
    # Each with its fix: the ipv6_host option for TCP; UDP has no shim.
    assert (
        "1 IPv4-only listener(s) not on the allow-list: python3[42] tcp 0.0.0.0:8080 (fix: ipv6_host_ipv6_shims port "
        "8080)" in msg
    )
    assert (
        "1 loopback-only IPv4 listener(s), unreachable from ::1: chronyd[7] udp 127.0.0.1:323 (fix: make it listen on "
        "IPv6 too; ipv6_host_ipv6_shims is TCP only)" in msg
    )
    assert mod.build_msg(mod.classify([]), False) == "no IPv4-only listeners outside the allow-list"


# --- the module, for real, against sockets this test opens -------------------------------------------------------


def run_module(monkeypatch, capsys, **args):
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    with pytest.raises(SystemExit) as exc:
        mod.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


@pytest.fixture
def own_sockets():
    """TCP listening on 0.0.0.0, UDP bound to 127.0.0.1, TCP on [::] (ephemeral ports); closed afterwards."""
    tcp4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp4.bind(("0.0.0.0", 0))
    tcp4.listen()
    udp4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp4.bind(("127.0.0.1", 0))
    tcp6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    tcp6.bind(("::", 0))
    tcp6.listen()
    try:
        yield {"tcp4": tcp4.getsockname()[1], "udp4": udp4.getsockname()[1], "tcp6": tcp6.getsockname()[1]}
    finally:
        for s in (tcp4, udp4, tcp6):
            s.close()


def mine(entries, proto, port):
    return [e for e in entries if e["proto"] == proto and e["port"] == port and e["pid"] == os.getpid()]


def test_module_real_sockets(monkeypatch, capsys, own_sockets):
    with open("/proc/self/comm") as f:
        comm = f.read().strip()
    rc, out = run_module(monkeypatch, capsys)
    assert rc == 0 and out["changed"] is False and "failed" not in out
    tcp4 = mine(out["listeners"], "tcp", own_sockets["tcp4"])
    assert [(e["address"], e["family"], e["process"]) for e in tcp4] == [("0.0.0.0", "ipv4", comm)]
    assert mine(out["ipv4_only"], "tcp", own_sockets["tcp4"]) == tcp4
    udp4 = mine(out["ipv4_loopback_only"], "udp", own_sockets["udp4"])
    assert [e["address"] for e in udp4] == ["127.0.0.1"]
    assert mine(out["ipv4_only"], "udp", own_sockets["udp4"]) == []
    tcp6 = mine(out["listeners"], "tcp", own_sockets["tcp6"])
    assert [(e["address"], e["family"]) for e in tcp6] == [("::", "ipv6")]
    assert mine(out["ipv4_only"], "tcp", own_sockets["tcp6"]) == []
    assert f"{comm}[{os.getpid()}] tcp 0.0.0.0:{own_sockets['tcp4']}" in out["msg"]


def test_module_fail_on_ipv4_only_and_allow(monkeypatch, capsys, own_sockets):
    # The machine running the tests may have IPv4-only listeners of its own: allow those, so that only ours count.
    _rc, out = run_module(monkeypatch, capsys, include_loopback=True)
    others = [
        {"port": e["port"], "proto": e["proto"]}
        for e in out["ipv4_only"]
        if e["pid"] != os.getpid() and e["port"] not in (own_sockets["tcp4"], own_sockets["udp4"])
    ]

    rc, out = run_module(monkeypatch, capsys, fail_on_ipv4_only=True, allow=others)
    assert rc == 1 and out["failed"] is True
    ours = mine(out["ipv4_only"], "tcp", own_sockets["tcp4"])[0]["summary"]
    assert out["msg"].startswith(
        f"1 IPv4-only listener(s) not on the allow-list: {ours} (fix: ipv6_host_ipv6_shims port {own_sockets['tcp4']});"
    )

    allow_tcp4 = [*others, {"port": own_sockets["tcp4"], "proto": "tcp"}]
    rc, out = run_module(monkeypatch, capsys, fail_on_ipv4_only=True, allow=allow_tcp4)
    assert rc == 0, out["msg"]  # the loopback listener does not fail unless include_loopback

    rc, out = run_module(monkeypatch, capsys, fail_on_ipv4_only=True, include_loopback=True, allow=others)
    assert rc == 1 and out["failed"] is True
    assert f"tcp 0.0.0.0:{own_sockets['tcp4']}" in out["msg"]
    assert f"udp 127.0.0.1:{own_sockets['udp4']}" in out["msg"]
    assert out["msg"].startswith("2 IPv4-only listener(s) not on the allow-list")

    allow = [*allow_tcp4, {"port": own_sockets["udp4"]}]
    rc, out = run_module(monkeypatch, capsys, fail_on_ipv4_only=True, include_loopback=True, allow=allow)
    assert rc == 0, out["msg"]
    assert mine(out["allowed"], "tcp", own_sockets["tcp4"]) and mine(out["allowed"], "udp", own_sockets["udp4"])


def test_module_rejects_bad_allow_entry(monkeypatch, capsys):
    rc, out = run_module(monkeypatch, capsys, allow=[{"proto": "tcp"}])
    assert rc == 1 and "port" in out["msg"]
    rc, out = run_module(monkeypatch, capsys, allow=[{"port": 80, "proto": "sctp"}])
    assert rc == 1 and "sctp" in out["msg"]


def test_module_check_mode_is_read_only(monkeypatch, capsys, own_sockets):
    rc, out = run_module(monkeypatch, capsys, _ansible_check_mode=True)
    assert rc == 0 and out["changed"] is False
    assert mine(out["ipv4_only"], "tcp", own_sockets["tcp4"])


def test_module_reports_unreadable_proc(monkeypatch, capsys):
    def boom(*_args):
        raise PermissionError("/proc/net/tcp: Permission denied")

    monkeypatch.setattr(mod, "gather", boom)
    rc, out = run_module(monkeypatch, capsys)
    assert rc == 1 and "cannot read the listening sockets (sock_diag over netlink, /proc)" in out["msg"]


def test_module_without_pyroute2_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(listening_sockets, "DiagSocket", None)
    rc, out = run_module(monkeypatch, capsys)
    assert rc == 1 and "python3-pyroute2" in out["msg"]
