# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the border router's DNS64 resolver against a stock BIND9 `dns64` configuration on the same node.

    .venv/bin/python benchmarks/dns64/run.py [--inventory inventories/lab] [--router br1] [--reps 5] [--seconds 5]

Needs a converged lab (`make lab`, or a converged `molecule/border_router` with
--inventory molecule/border_router/inventory) with client1, inet4-web and the router. In one run it:

1. starts, next to the configured resolver (the role's Unbound or BIND on port 53), a second BIND on port 5353
   of the same router with Debian's stock options plus `dns64 <the site's prefix> { };`. It needs only what the
   lab itself needs to work at all: a static-stub for the test zone (the lab's internet has no root servers)
   and `validate-except` for it (the stock `dnssec-validation auto` cannot prove an unreachable zone insecure);
2. from client1, runs dnsperf against both, interleaved, --reps times each:
   - cache hits: AAAA queries for the A-only names of the IPv4 internet's zone (synthesized from cached A
     records), after a warm-up pass;
   - cache misses: AAAA queries for names never asked before (fresh random labels under `*.bench.<zone>` when
     the zone has that wildcard, else under the zone itself, which answers NXDOMAIN);
3. prints every run, the medians of queries per second, the medians of the per-repetition ratios, the SERVFAIL
   answers of the configured resolver, and each target. It also prints queries answered per CPU-second of each
   resolver process (from /proc): on 2 shared cores dnsperf itself saturates near 110k queries/s, so for cache
   hits the rate says as much about the load generator as about the resolver, and the CPU cost per query is
   the resolver's own figure.

Targets (issue 4): cache hits >= 2.0x the stock BIND (anchor 1.8-2.0x for Unbound), cache misses >= 1.5x,
SERVFAIL 0. Everything it started or opened (the second BIND, a firewall rule for port 5353 from client1) is
removed at the end. Exit status 0 whatever the figures are: this is a benchmark, not a test.
"""

from __future__ import annotations

import re
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "nat64"))

from labnodes import Lab, lab_arguments, median  # noqa: E402

TARGET_HIT, ANCHOR_HIT = 2.0, "1.8-2.0x"
TARGET_MISS, ANCHOR_MISS = 1.5, "none given"
STOCK_PORT = 5353
STOCK_DIR = "/run/bench-dns64"

STOCK_CONF = """// Stock BIND9 DNS64 for benchmarks/dns64: Debian's named.conf.options plus `dns64`, on port {port}.
options {{
	directory "{dir}";
	pid-file "{dir}/named.pid";
	session-keyfile "{dir}/session.key";
	managed-keys-directory "{dir}";
	listen-on port {port} {{ none; }};
	listen-on-v6 port {port} {{ any; }};
	dnssec-validation auto;
	dns64 {prefix} {{ }};
	// The lab's IPv4 internet has no root: reach its zones directly and do not try to validate them.
	validate-except {{ {insecure} }};
}};
controls {{ }};
{zones}
zone "." {{ type hint; file "/usr/share/dns/root.hints"; }};
"""


def cpu_seconds(lab: Lab, router: str, pid: str) -> float:
    """User + system CPU time of a process (all its threads), from /proc (clock ticks of 1/100 s)."""
    fields = lab.sh(router, f"cat /proc/{pid}/stat").stdout.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


def dnsperf(lab: Lab, server: str, port: int, qfile: str, seconds: int, outstanding: int, cpu=None) -> dict:
    """One dnsperf run from client1; ``cpu`` (router, pid) also measures the resolver's CPU time."""
    before = cpu_seconds(lab, *cpu) if cpu else None
    out = lab.sh(
        "client1",
        f"dnsperf -s {server} -p {port} -d {qfile} -l {seconds} -c 20 -T 2 -q {outstanding} -t 5",
        timeout=seconds + 60,
    ).stdout
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))
    codes = dict(re.findall(r"([A-Z]+) (\d+) \(", out.split("Response codes:", 1)[-1].splitlines()[0]))
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
    completed = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))
    capacity = completed / max(cpu_seconds(lab, *cpu) - before, 0.01) if cpu else float("nan")
    return {"qps": qps, "servfail": int(codes.get("SERVFAIL", 0)), "codes": codes, "lost": lost, "capacity": capacity}


def main() -> int:
    args = lab_arguments(__doc__).parse_args()

    lab = Lab(args.inventory.resolve())
    router = args.router
    lab.need("client1", "inet4-web", router)
    plan = lab.plan
    zone = lab.config.get("internet_zone", "v4only.example")
    web4 = lab.addr("inet4-web", "inet4")
    reverse = f"{'.'.join(reversed(web4.split('.')[:3]))}.in-addr.arpa"
    server = plan["hosts"][router]["ipv6"]  # the resolver address the plan announces
    client6 = plan["hosts"]["client1"]["ipv6"]
    engine = lab.sh(router, "systemctl is-active unbound.service", check=False).stdout.strip()
    engine = "unbound" if engine == "active" else "bind"

    names = ["www", "mail", "ns1", *sorted(n for n, hv in lab.hostvars.items() if "inet4" in hv["lab_addresses"])]
    hit_file = "/tmp/dns64-hits.txt"
    lab.sh("client1", f"printf '%s AAAA\\n' {' '.join(f'{n}.{zone}' for n in names)} > {hit_file}")
    wildcard = lab.sh("inet4-web", f"dig +short @{web4} A probe-{uuid.uuid4().hex[:8]}.bench.{zone}", check=False)
    miss_suffix = f"bench.{zone}" if wildcard.stdout.strip() else zone

    print(f"DNS64 benchmark on {router}: the configured resolver ({engine}, port 53) against stock BIND9 dns64")
    print(f"  (port {STOCK_PORT}), both at {server}, queried by dnsperf on client1; {args.reps} interleaved")
    print(f"  repetitions of {args.seconds} s. Cache hits: AAAA of {len(names)} A-only names of {zone};")
    print(
        f"  cache misses: AAAA of fresh names under {miss_suffix}"
        f" ({'wildcard A' if miss_suffix != zone else 'NXDOMAIN: the zone has no *.bench wildcard'})."
    )

    zones = "\n".join(f'zone "{z}" {{ type static-stub; server-addresses {{ {web4}; }}; }};' for z in (zone, reverse))
    conf = STOCK_CONF.format(
        dir=STOCK_DIR,
        port=STOCK_PORT,
        prefix=plan["nat64"]["prefix"],
        zones=zones,
        insecure=" ".join(f'"{z}";' for z in (zone, reverse)),
    )
    handles: list[str] = []
    results = {"hit": [], "miss": []}
    try:
        lab.sh(router, f"mkdir -p {STOCK_DIR} && chown bind:bind {STOCK_DIR}")
        lab.sh(router, f"cat > {STOCK_DIR}/named.conf <<'EOF'\n{conf}EOF")
        lab.sh(router, f"named-checkconf {STOCK_DIR}/named.conf && named -u bind -c {STOCK_DIR}/named.conf")
        unit = "unbound.service" if engine == "unbound" else "named.service"
        pids = {
            "configured": lab.sh(router, f"systemctl show -p MainPID --value {unit}").stdout.strip(),
            "stock": lab.sh(router, f"sleep 1; cat {STOCK_DIR}/named.pid").stdout.strip(),
        }
        for proto in ("udp", "tcp"):
            echo = lab.sh(
                router,
                f"nft --echo --handle insert rule inet ipv6_host input_extra ip6 saddr {client6} "
                f"{proto} dport {STOCK_PORT} accept",
            ).stdout
            handles.append(re.search(r"# handle (\d+)", echo).group(1))
        for port in (53, STOCK_PORT):  # warm both caches
            lab.sh("client1", f"dig +short +tries=5 -p {port} @{server} AAAA www.{zone}")
            dnsperf(lab, server, port, hit_file, 2, 100)
        for rep in range(1, args.reps + 1):
            for kind in ("hit", "miss"):
                row = {}
                for name, port in (("configured", 53), ("stock", STOCK_PORT)):
                    qfile = hit_file
                    if kind == "miss":
                        qfile = f"/tmp/dns64-miss-{name}.txt"
                        label = uuid.uuid4().hex[:10]
                        lab.sh("client1", f"seq 1 400000 | sed 's/.*/m&-{label}.{miss_suffix} AAAA/' > {qfile}")
                    row[name] = dnsperf(
                        lab, server, port, qfile, args.seconds, 500 if kind == "hit" else 200, (router, pids[name])
                    )
                results[kind].append(row)
                c, s = row["configured"], row["stock"]
                print(
                    f"  rep {rep} cache-{kind:4}: configured {c['qps']:9.0f} q/s  stock BIND {s['qps']:9.0f} q/s  "
                    f"ratio {c['qps'] / s['qps']:5.2f}  |  per CPU-second {c['capacity']:7.0f} / {s['capacity']:7.0f} "
                    f"ratio {c['capacity'] / s['capacity']:5.2f}  |  SERVFAIL {c['servfail']}/{s['servfail']}",
                    flush=True,
                )
    finally:
        for handle in handles:
            lab.sh(router, f"nft delete rule inet ipv6_host input_extra handle {handle}", check=False)
        lab.sh(router, f"kill $(cat {STOCK_DIR}/named.pid) 2>/dev/null; sleep 1; rm -rf {STOCK_DIR}", check=False)
        lab.sh("client1", "rm -f /tmp/dns64-*.txt", check=False)

    print()
    servfail = sum(r["configured"]["servfail"] for kind in results.values() for r in kind)
    for kind, target, anchor in (("hit", TARGET_HIT, ANCHOR_HIT), ("miss", TARGET_MISS, ANCHOR_MISS)):
        rows = results[kind]
        ratio = median([r["configured"]["qps"] / r["stock"]["qps"] for r in rows])
        capacity = median([r["configured"]["capacity"] / r["stock"]["capacity"] for r in rows])
        print(
            f"cache-{kind}: median {engine} {median([r['configured']['qps'] for r in rows]):.0f} q/s, "
            f"stock BIND {median([r['stock']['qps'] for r in rows]):.0f} q/s; median ratio {ratio:.2f}x   "
            f"target >= {target}x   anchor {anchor}   {'PASS' if ratio >= target else 'FAIL'}"
        )
        print(
            f"    per resolver CPU-second: {engine} {median([r['configured']['capacity'] for r in rows]):.0f}, "
            f"stock BIND {median([r['stock']['capacity'] for r in rows]):.0f}; median ratio {capacity:.2f}x"
        )
    verdict = "PASS" if servfail == 0 else "FAIL"
    print(f"SERVFAIL answers from the configured resolver: {servfail}   target 0   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
