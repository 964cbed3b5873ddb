# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: HTTP through the 1:n IPv4 proxy to an IPv6-only VM, against the same VM reached directly over IPv6.

    .venv/bin/python benchmarks/proxy/run.py [--inventory inventories/lab] [--vm vm2] [--reps 5] [--seconds 5]

Needs a converged lab with VMs behind the proxies (`make lab`, or a converged `molecule/ipv4_proxy` with
--inventory molecule/ipv4_proxy/inventory) and the nodes inet4-client, inet6-client, upstream and the VM.
In one run it:

1. finds the router upstream sends the proxy address to, and pins the direct path through that same router for
   the duration (upstream's route to the VM, the VM's route back to inet6-client), so both paths cross one router;
2. runs wrk (one thread, 16 connections, --seconds each) alternately: inet4-client to http://<proxy>/ with the
   VM's name as Host (IPv4, through HAProxy), then inet6-client to http://[VM]/ (IPv6, forwarded), --reps times;
3. prints every repetition, the medians, the median of the per-repetition ratios of requests per second, and the
   median p99 latency the proxy adds.

Target (issue 13): proxied / direct requests per second >= 0.5. Everything it changed is put back at the end.
Exit status 0 whatever the figures are: this is a benchmark, not a test.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "nat64"))

from labnodes import Lab, lab_arguments, median  # noqa: E402

TARGET = 0.5
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(lab: Lab, node: str, url: str, seconds: int, host: str | None = None) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) of wrk on ``node``; every request must have succeeded."""
    header = f"-H 'Host: {host}' " if host else ""
    out = lab.sh(node, f"wrk -t1 -c16 -d{seconds}s --latency {header}{url}", timeout=seconds + 60).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{node}: wrk saw failed requests:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M).groups()
    return rps, float(value) * _UNITS[unit]


def main() -> int:
    parser = lab_arguments(__doc__)
    parser.add_argument("--vm", default="vm2")
    args = parser.parse_args()

    lab = Lab(args.inventory.resolve())
    lab.need("inet4-client", "inet6-client", "upstream", args.vm)
    plan = lab.plan
    proxy = plan["proxy"]["ipv4"][0]
    backend = next(b for b in plan["proxy"]["backends"] if b["name"] == args.vm)
    vm6, name = backend["ipv6"], backend["hostnames"][0]
    via4 = re.search(r"via (\S+)", lab.sh("upstream", f"ip -4 route show {proxy}/32").stdout).group(1)
    router = next(r for r in plan["hosts"] if lab.hostvars.get(r, {}).get("lab_addresses", {}).get("inet4") == via4)
    client6 = lab.addr("inet6-client", "inet6")
    print(f"proxy benchmark through {router}: inet4-client -> http://{proxy}/ (Host {name}, HAProxy)")
    print(f"                          inet6-client -> http://[{vm6}]/ (plain IPv6 forwarding)")
    print(f"  {args.reps} interleaved repetitions of {args.seconds} s, wrk with 1 thread and 16 connections")

    pins = {
        "upstream": (f"ip -6 route replace {vm6}/128 via {lab.addr(router, 'inet6')}", f"ip -6 route del {vm6}/128"),
        args.vm: (
            f"ip -6 route replace {client6}/128 via {plan['hosts'][router]['addresses'][backend['network']]}",
            f"ip -6 route del {client6}/128",
        ),
    }
    results: list[tuple[tuple[float, float], tuple[float, float]]] = []
    try:
        for node, (pin, _) in pins.items():
            lab.sh(node, pin)
        wrk(lab, "inet4-client", f"http://{proxy}/", 1, name)  # warm up: neighbours, conntrack
        wrk(lab, "inet6-client", f"http://[{vm6}]/", 1)
        for rep in range(1, args.reps + 1):
            proxied = wrk(lab, "inet4-client", f"http://{proxy}/", args.seconds, name)
            direct = wrk(lab, "inet6-client", f"http://[{vm6}]/", args.seconds)
            results.append((proxied, direct))
            print(
                f"  rep {rep}: proxied {proxied[0]:8.0f} req/s p99 {proxied[1]:6.2f} ms   "
                f"direct {direct[0]:8.0f} req/s p99 {direct[1]:6.2f} ms   ratio {proxied[0] / direct[0]:.3f}",
                flush=True,
            )
    finally:
        for node, (_, undo) in pins.items():
            lab.sh(node, undo, check=False)

    ratio = median([p[0] / d[0] for p, d in results])
    added = median([p[1] - d[1] for p, d in results])
    print()
    print(
        f"median proxied {median([p[0] for p, _ in results]):.0f} req/s, "
        f"median direct {median([d[0] for _, d in results]):.0f} req/s"
    )
    print(f"median p99 latency the proxy adds: {added:.2f} ms")
    print(f"median ratio proxied/direct = {ratio:.3f}   target >= {TARGET}   {'PASS' if ratio >= TARGET else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
