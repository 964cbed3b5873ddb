# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import ipaddress
import json
import os
import socket

import pytest
from ansible.module_utils import basic
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ipv6only.datacenter.plugins.modules import ipv4_listeners as mod

HEADER4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
HEADER6 = (
    "  sl  local_address                         remote_address                        st tx_queue rx_queue"
    " tr tm->when retrnsmt   uid  timeout inode\n"
)
TAIL = "00000000:00000000 00:00000000 00000000     0        0"

# Little-endian hosts print each 32-bit word of the address in host byte order.
TCP4 = HEADER4 + "\n".join(
    [
        f"   0: 00000000:1F90 00000000:0000 0A {TAIL} 1001 1 0000000000000000 100 0 0 10 0",  # 0.0.0.0:8080
        f"   1: 0100007F:0CEA 00000000:0000 0A {TAIL} 1002 1 0000000000000000 100 0 0 10 0",  # 127.0.0.1:3306
        f"   2: 0100007F:0CEA 0100007F:D2F0 01 {TAIL} 1003 1 0000000000000000 20 4 30 10 -1",  # established
        f"   3: 0A02000A:0050 00000000:0000 0A {TAIL} 1004 1 0000000000000000 100 0 0 10 0",  # 10.0.2.10:80
    ]
)
TCP6 = HEADER6 + "\n".join(
    [
        f"   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A {TAIL} 2001 1 0",
        f"   1: 00000000000000000000000001000000:0CEA 00000000000000000000000000000000:0000 0A {TAIL} 2002 1 0",
        f"   2: 0000000000000000FFFF000000000000:2328 00000000000000000000000000000000:0000 0A {TAIL} 2003 1 0",
        f"   3: 0000000000000000FFFF00000100007F:2329 00000000000000000000000000000000:0000 0A {TAIL} 2004 1 0",
        f"   4: B80D0120000000000000000005000000:0050 00000000000000000000000000000000:0000 0A {TAIL} 2005 1 0",
        f"   5: B80D0120000000000000000005000000:0016 B80D0120000000000000000009000000:C350 01 {TAIL} 2006 1 0",
    ]
)
UDP4 = HEADER4 + "\n".join(
    [
        f"  10: 00000000:0044 00000000:0000 07 {TAIL} 3001 2 0000000000000000 0",  # 0.0.0.0:68
        f"  11: 0100007F:0143 00000000:0000 07 {TAIL} 3002 2 0000000000000000 0",  # 127.0.0.1:323
        f"  12: 0A02000A:A1B2 08080808:0035 01 {TAIL} 3003 2 0000000000000000 0",  # connected client
    ]
)
UDP6 = HEADER6 + "\n".join(
    [
        f"  20: 00000000000000000000000001000000:0143 00000000000000000000000000000000:0000 07 {TAIL} 4001 2 0 0",
    ]
)


def listener(proto, address, port, process="svc", pid=100, mapped=False):
    family = f"ipv{ipaddress.ip_address(address).version}"
    entry = {"proto": proto, "family": family, "address": address, "port": port, "mapped": mapped}
    entry |= {"process": process, "pid": pid, "pids": [pid] if pid else []}
    entry["summary"] = mod._summary(entry)
    return entry


def encode(addr: str, byteorder: str) -> str:
    """What the kernel prints: each 32-bit word of the packed address as an int in host byte order."""
    packed = ipaddress.ip_address(addr).packed
    return "".join(f"{int.from_bytes(packed[i : i + 4], byteorder):08X}" for i in range(0, len(packed), 4))


# --- decoding ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hexaddr", "byteorder", "expected"),
    [
        ("0100007F", "little", "127.0.0.1"),
        ("7F000001", "big", "127.0.0.1"),
        ("00000000", "little", "0.0.0.0"),
        ("00000000000000000000000001000000", "little", "::1"),
        ("00000000000000000000000000000001", "big", "::1"),
        ("B80D0120000000000000000005000000", "little", "2001:db8::5"),
        ("0000000000000000FFFF00000100007F", "little", "::ffff:127.0.0.1"),
    ],
)
def test_decode_address(hexaddr, byteorder, expected):
    assert mod.decode_address(hexaddr, byteorder) == ipaddress.ip_address(expected)


@pytest.mark.parametrize("bad", ["", "0100007", "0100007F00", "Z100007F"])
def test_decode_address_rejects_malformed(bad):
    with pytest.raises(ValueError):
        mod.decode_address(bad, "little")


@given(
    addr=st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)),
    byteorder=st.sampled_from(["little", "big"]),
)
def test_decode_roundtrip(addr, byteorder):
    assert mod.decode_address(encode(str(addr), byteorder), byteorder) == addr


# --- parsing ----------------------------------------------------------------------------------------------------


def test_parse_tcp4_keeps_only_listen():
    got = mod.parse_proc_net(TCP4, "tcp", "little")
    assert [(s["address"], s["port"], s["inode"]) for s in got] == [
        ("0.0.0.0", 8080, 1001),
        ("127.0.0.1", 3306, 1002),
        ("10.0.2.10", 80, 1004),
    ]
    assert all(s["family"] == "ipv4" and s["proto"] == "tcp" and s["mapped"] is False for s in got)


def test_parse_tcp6_with_mapped_addresses():
    got = mod.parse_proc_net(TCP6, "tcp", "little")
    assert [(s["family"], s["address"], s["port"], s["mapped"]) for s in got] == [
        ("ipv6", "::", 22, False),
        ("ipv6", "::1", 3306, False),
        ("ipv4", "0.0.0.0", 9000, True),
        ("ipv4", "127.0.0.1", 9001, True),
        ("ipv6", "2001:db8::5", 80, False),
    ]


def test_parse_udp_keeps_only_unconnected():
    got = mod.parse_proc_net(UDP4, "udp", "little")
    assert [(s["address"], s["port"], s["proto"]) for s in got] == [("0.0.0.0", 68, "udp"), ("127.0.0.1", 323, "udp")]
    got6 = mod.parse_proc_net(UDP6, "udp", "little")
    assert [(s["address"], s["port"]) for s in got6] == [("::1", 323)]


def test_parse_skips_header_and_short_lines():
    assert mod.parse_proc_net(HEADER4 + "   0: garbage\n\n", "tcp", "little") == []


def test_parse_big_endian_host():
    line = f"   0: 7F000001:0CEA 00000000:0000 0A {TAIL} 1 1 0"
    assert mod.parse_proc_net(HEADER4 + line, "tcp", "big")[0]["address"] == "127.0.0.1"


# --- owners and gather on a fake /proc ---------------------------------------------------------------------------


def make_proc(tmp_path, tables, processes):
    """A fake /proc: net/<table> files, and <pid>/comm plus <pid>/fd/<n> -> 'socket:[inode]' links."""
    (tmp_path / "net").mkdir()
    for name, text in tables.items():
        (tmp_path / "net" / name).write_text(text)
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
        {},
        {
            300: ("nginx", ["socket:[1001]", "/dev/null", "pipe:[9]"]),
            200: ("nginx", ["socket:[1001]"]),
            400: ("sshd", ["socket:[2001]", "socket:[2002]"]),
        },
    )
    owners = mod.socket_owners(root)
    assert owners == {1001: [(200, "nginx"), (300, "nginx")], 2001: [(400, "sshd")], 2002: [(400, "sshd")]}


def test_gather_fake_proc(tmp_path):
    root = make_proc(
        tmp_path,
        {"tcp": TCP4, "tcp6": TCP6, "udp": UDP4},  # no udp6: a kernel without IPv6 UDP is tolerated
        {
            501: ("python3", ["socket:[1001]"]),
            502: ("python3", ["socket:[1001]"]),  # forked worker sharing the socket
            600: ("sshd", ["socket:[2001]"]),
            700: ("dhclient", ["socket:[3001]"]),
        },
    )
    got = mod.gather(root, "little")
    by_summary = {entry["summary"]: entry for entry in got}
    web = by_summary["python3[501] tcp 0.0.0.0:8080"]
    assert web["pids"] == [501, 502] and web["process"] == "python3" and web["pid"] == 501
    assert "sshd[600] tcp [::]:22" in by_summary
    assert "dhclient[700] udp 0.0.0.0:68" in by_summary
    assert "unknown process tcp 10.0.2.10:80" in by_summary
    # sorted by proto, port, family
    keys = [(e["proto"], e["port"], e["family"]) for e in got]
    assert keys == sorted(keys)
    assert len(got) == 3 + 5 + 2


def test_attach_owners_merges_reuseport_sockets():
    sockets = [
        {"proto": "tcp", "family": "ipv4", "address": "0.0.0.0", "port": 80, "mapped": False, "inode": 1},
        {"proto": "tcp", "family": "ipv4", "address": "0.0.0.0", "port": 80, "mapped": False, "inode": 2},
    ]
    got = mod.attach_owners(sockets, {1: [(10, "haproxy")], 2: [(11, "haproxy")]})
    assert len(got) == 1 and got[0]["pids"] == [10, 11]
    got = mod.attach_owners(sockets, {1: [(10, "haproxy")], 2: [(11, "other")]})
    assert [e["process"] for e in got] == ["haproxy", "other"]


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
    assert "1 IPv4-only listener(s) not on the allow-list: python3[42] tcp 0.0.0.0:8080" in msg
    assert "1 loopback-only IPv4 listener(s), unreachable from ::1: chronyd[7] udp 127.0.0.1:323" in msg
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
    assert out["msg"].startswith(f"1 IPv4-only listener(s) not on the allow-list: {ours};")

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
    assert rc == 1 and "cannot read the listening sockets from /proc" in out["msg"]
