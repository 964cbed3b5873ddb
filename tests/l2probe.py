#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Crafted IPv6 link traffic for the switch guards, sent and captured inside lab nodes with scapy.

Tests copy this file into a node (python3-scapy is in the lab image) and run, for example:

    l2probe.py ra [--frag|--destopt] [--prefix 2001:db8:dead::/64] [--pref64 64:ff9b::/96]   a router advertisement
    l2probe.py dhcpv6-reply --dst fe80::1 [--sport 547]                               a DHCPv6 Advertise
    l2probe.py echo --src 2001:db8::99 --dst 2001:db8::2                              an echo request
    l2probe.py na --target 2001:db8::2                                                an unsolicited NA
    l2probe.py sniff --seconds 4 --filter "ether src 06:..."                          what arrives

Everything is sent from eth0 (or --iface) to the link: ff02::1 unless --dst says otherwise, and then to --dst-mac
(a unicast frame: a snooping switch forwards a multicast frame for a unicast address to its router ports only).
``sniff`` prints READY once it listens, then one JSON line per captured packet (``{"mac", "src", "dst", "kind"}``,
and ``sport`` for UDP).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time

from scapy.all import (
    UDP,
    AsyncSniffer,
    Ether,
    ICMPv6EchoRequest,
    ICMPv6ND_NA,
    ICMPv6ND_RA,
    ICMPv6NDOptPrefixInfo,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    PadN,
    fragment6,
    get_if_hwaddr,
    sendp,
)
from scapy.layers.dhcp6 import DHCP6_Advertise
from scapy.layers.inet6 import ICMPv6NDOptPREF64
from scapy.utils6 import in6_ptop

ALL_NODES = "ff02::1"


def link_local(iface: str) -> str:
    with open("/proc/net/if_inet6", encoding="ascii") as fh:
        for line in fh:
            fields = line.split()
            if fields[5] == iface and fields[3] == "20":  # scope link
                return in6_ptop(":".join(fields[0][i : i + 4] for i in range(0, 32, 4)))
    raise SystemExit(f"{iface} has no link-local address")


def frame(iface: str, dst: str, dst_mac: str | None = None):
    """Ethernet to ``dst_mac``, or to the IPv6 multicast MAC of a multicast ``dst``."""
    if dst_mac is None:
        if not dst.lower().startswith("ff"):
            raise SystemExit(f"{dst} is unicast: give its --dst-mac")
        raw = socket.inet_pton(socket.AF_INET6, dst)
        dst_mac = "33:33:" + ":".join(f"{b:02x}" for b in raw[-4:])
    return Ether(src=get_if_hwaddr(iface), dst=dst_mac)


def send(iface: str, packets) -> None:
    sendp(packets, iface=iface, verbose=False)


def cmd_ra(args) -> None:
    src = link_local(args.iface)
    ra = ICMPv6ND_RA(routerlifetime=1800) / ICMPv6NDOptSrcLLAddr(lladdr=get_if_hwaddr(args.iface))
    ra /= ICMPv6NDOptPrefixInfo(prefix=args.prefix.split("/")[0], prefixlen=int(args.prefix.split("/")[1]))
    if args.pref64:
        ra /= ICMPv6NDOptPREF64(prefix=args.pref64.split("/")[0], plc=0)
    packet = IPv6(src=src, dst=ALL_NODES, hlim=255)
    if args.destopt:
        # An RA behind a destination-options header: the IPv6 next header is 60, not ICMPv6 (RFC 7113).
        packets = [frame(args.iface, ALL_NODES) / packet / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]) / ra]
    elif args.frag:
        # RFC 7113: a destination-options header long enough to push the ICMPv6 header into the second fragment.
        pad = [PadN(optdata=b"\0" * 240) for _ in range(5)]  # an option holds at most 255 bytes
        packet = packet / IPv6ExtHdrFragment() / IPv6ExtHdrDestOpt(options=pad) / ra
        packets = [frame(args.iface, ALL_NODES) / f for f in fragment6(packet, 1000)]
    else:
        packets = [frame(args.iface, ALL_NODES) / packet / ra]
    send(args.iface, packets * args.count)


def cmd_dhcpv6_reply(args) -> None:
    packet = IPv6(src=link_local(args.iface), dst=args.dst) / UDP(sport=args.sport, dport=546) / DHCP6_Advertise()
    send(args.iface, [frame(args.iface, args.dst, args.dst_mac) / packet] * args.count)


def cmd_echo(args) -> None:
    packet = IPv6(src=args.src, dst=args.dst) / ICMPv6EchoRequest(data=b"l2probe")
    send(args.iface, [frame(args.iface, args.dst, args.dst_mac) / packet] * args.count)


def cmd_na(args) -> None:
    na = ICMPv6ND_NA(tgt=args.target, R=0, S=0, O=1)
    packet = IPv6(src=link_local(args.iface), dst=ALL_NODES, hlim=255) / na
    send(args.iface, [frame(args.iface, ALL_NODES) / packet] * args.count)


def kind(packet) -> str:
    for layer, name in (
        (ICMPv6ND_RA, "ra"),
        (ICMPv6ND_NA, "na"),
        (ICMPv6EchoRequest, "echo"),
        (DHCP6_Advertise, "dhcpv6"),
        (IPv6ExtHdrFragment, "fragment"),
    ):
        if packet.haslayer(layer):
            return name
    return "udp" if packet.haslayer(UDP) else "other"


def cmd_sniff(args) -> None:
    sniffer = AsyncSniffer(iface=args.iface, filter=args.filter, store=True)
    sniffer.start()
    time.sleep(0.5)  # the socket is open once start() returns; give the filter a moment
    print("READY", flush=True)
    time.sleep(args.seconds)
    for packet in sniffer.stop() or []:
        if packet.haslayer(IPv6):
            entry = {"mac": packet[Ether].src, "src": packet[IPv6].src, "dst": packet[IPv6].dst, "kind": kind(packet)}
            if packet.haslayer(UDP):
                entry["sport"] = packet[UDP].sport
            print(json.dumps(entry), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iface", default="eth0")
    sub = parser.add_subparsers(dest="command", required=True)
    ra = sub.add_parser("ra")
    ra.add_argument("--frag", action="store_true")
    ra.add_argument("--destopt", action="store_true")
    ra.add_argument("--prefix", default="2001:db8:dead::/64")
    ra.add_argument("--pref64", default="64:ff9b::/96")
    dhcp = sub.add_parser("dhcpv6-reply")
    dhcp.add_argument("--dst", required=True)
    dhcp.add_argument("--dst-mac")
    dhcp.add_argument("--sport", type=int, default=547)
    echo = sub.add_parser("echo")
    echo.add_argument("--src", required=True)
    echo.add_argument("--dst", required=True)
    echo.add_argument("--dst-mac")
    na = sub.add_parser("na")
    na.add_argument("--target", required=True)
    for command in (ra, dhcp, echo, na):
        command.add_argument("--count", type=int, default=3)
    sniff = sub.add_parser("sniff")
    sniff.add_argument("--seconds", type=float, default=4)
    sniff.add_argument("--filter", default="ip6")
    args = parser.parse_args(argv)
    {
        "ra": cmd_ra,
        "dhcpv6-reply": cmd_dhcpv6_reply,
        "echo": cmd_echo,
        "na": cmd_na,
        "sniff": cmd_sniff,
    }[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
