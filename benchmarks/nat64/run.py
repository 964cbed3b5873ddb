# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: NAT64 throughput through a border router, against plain IPv6 forwarding through it.

    .venv/bin/python benchmarks/nat64/run.py [--inventory inventories/lab] [--router br1] [--reps 5] [--seconds 5]

Needs a converged lab (`make lab`, or a converged `molecule/border_router` with
--inventory molecule/border_router/inventory) with the nodes client1, inet4-web, inet6-client and the router.
In one run it:

1. pins the paths to one router for the duration: client1 sends to the NAT64 prefix and to inet6-client via
   the router, and inet6-client answers client1 via the router (inet4-web answers the router's own uplink
   address, on-link), so each direction crosses exactly the same router once;
2. turns offloads off (GRO, GSO, TSO, scatter-gather, checksumming) on every interface of both paths, as the
   issue asks: with offloads on, plain forwarding moves 64 KB super-packets while Tayga, a TUN device, still
   sees every 1500-byte packet, and the comparison says little about the translator;
3. runs iperf3 TCP (one stream, --seconds each, the first second omitted) alternately: client1 to inet4-web
   through the translator (the synthesized address of inet4-web in the site's NAT64 prefix), then client1 to
   inet6-client by plain IPv6 forwarding, --reps times;
4. prints every repetition, the median of both, the median of the per-repetition ratios, and the target.

Target (issue 4): NAT64 / IPv6 >= 0.25. Anchor on this machine: 0.21 for Tayga with Debian's settings.
Everything it changed (routes, offloads, iperf3 servers) is put back at the end. Exit status 0 whatever the
figures are: this is a benchmark, not a test.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from labnodes import Lab, all_offloads, lab_arguments, median, rfc6052  # noqa: E402

TARGET = 0.25
ANCHOR = 0.21


def iperf(lab: Lab, target: str, seconds: int) -> float:
    """Received throughput in Gbit/s of one TCP stream from client1 to ``target``."""
    proc = lab.sh("client1", f"iperf3 -J -c {target} -t {seconds} -O 1", timeout=seconds + 60)
    result = json.loads(proc.stdout)
    return result["end"]["sum_received"]["bits_per_second"] / 1e9


def main() -> int:
    parser = lab_arguments(__doc__)
    parser.add_argument("--offloads", choices=["off", "as-is"], default="off")
    args = parser.parse_args()

    lab = Lab(args.inventory.resolve())
    router = args.router
    lab.need("client1", "inet4-web", "inet6-client", router)
    plan = lab.plan
    nat64 = plan["nat64"]["prefix"]
    web4 = lab.addr("inet4-web", "inet4")
    web_synth = str(rfc6052.embed(web4, nat64))
    v6_server = lab.addr("inet6-client", "inet6")
    client6 = plan["hosts"]["client1"]["ipv6"]
    router_servers = plan["hosts"][router]["addresses"]["servers"]
    router_inet6 = lab.addr(router, "inet6")

    tun = "nat64"  # border_router_tayga_tun
    probe = f"echo nice=$(ps -o ni= -C tayga) txqueuelen=$(cat /sys/class/net/{tun}/tx_queue_len)"
    probe += " $(ps -o args= -C tayga)"
    tayga = lab.sh(router, probe, check=False)
    print(f"NAT64 benchmark on {router}: client1 -> inet4-web {web4} as {web_synth} (translator)")
    print(f"                    client1 -> inet6-client {v6_server} (plain IPv6 forwarding)")
    print(f"  tayga: {' '.join(tayga.stdout.split())}")
    print(f"  {args.reps} interleaved repetitions of {args.seconds} s, one TCP stream, offloads {args.offloads}")

    paths = {
        "client1": [
            f"ip -6 route replace {nat64} via {router_servers}",
            f"ip -6 route replace {v6_server}/128 via {router_servers}",
        ],
        "inet6-client": [f"ip -6 route replace {client6}/128 via {router_inet6}"],
    }
    undo = {
        "client1": [f"ip -6 route del {nat64} via {router_servers}", f"ip -6 route del {v6_server}/128"],
        "inet6-client": [f"ip -6 route del {client6}/128"],
    }
    interfaces = {
        "client1": [lab.ifname("client1", "servers")],
        router: [lab.ifname(router, n) for n in ("servers", "inet4", "inet6")],
        "inet4-web": [lab.ifname("inet4-web", "inet4")],
        "inet6-client": [lab.ifname("inet6-client", "inet6")],
    }
    before: dict[str, dict] = {}
    results: list[tuple[float, float]] = []
    try:
        for node, commands in paths.items():
            for command in commands:
                lab.sh(node, command)
        if args.offloads == "off":
            for node, ifnames in interfaces.items():
                before[node] = lab.offloads(node, {i: all_offloads(False) for i in ifnames})
        for node in ("inet4-web", "inet6-client"):
            lab.sh(node, "pkill -x iperf3; iperf3 -s -D", check=False)
        time.sleep(1)
        iperf(lab, web_synth, 1)  # warm up: Tayga's dynamic map, conntrack, ARP/ND
        iperf(lab, v6_server, 1)
        for rep in range(1, args.reps + 1):
            nat = iperf(lab, web_synth, args.seconds)
            v6 = iperf(lab, v6_server, args.seconds)
            results.append((nat, v6))
            print(f"  rep {rep}: NAT64 {nat:6.3f} Gbit/s   IPv6 {v6:6.3f} Gbit/s   ratio {nat / v6:.3f}", flush=True)
    finally:
        for node in ("inet4-web", "inet6-client"):
            lab.sh(node, "pkill -x iperf3", check=False)
        for node, states in before.items():
            lab.restore_offloads(node, states)
        for node, commands in undo.items():
            for command in commands:
                lab.sh(node, command, check=False)

    ratio = median([n / v for n, v in results])
    print()
    print(
        f"median NAT64 (Tayga) {median([n for n, _ in results]):.3f} Gbit/s, "
        f"median IPv6 forwarding {median([v for _, v in results]):.3f} Gbit/s"
    )
    print(
        f"median ratio NAT64/IPv6 = {ratio:.3f}   target >= {TARGET}   anchor {ANCHOR} (Tayga, Debian defaults)"
        f"   {'PASS' if ratio >= TARGET else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
