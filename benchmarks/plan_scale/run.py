# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the address plan of large sites through Ansible, against ansible.utils in Jinja.

Run from anywhere with the repository's venv:

    .venv/bin/python benchmarks/plan_scale/run.py            # 5 interleaved repetitions, about 3 minutes
    .venv/bin/python benchmarks/plan_scale/run.py --quick    # 3 repetitions, about 2 minutes

In one run it:

1. generates site models of 1k, 10k and 100k VMs with 1,000 hosts (EUI-64 MAC VMs, static-id VMs, a quarter of
   them dual-stack, 1% with an ipv4_mapping and proxies) and writes each as an inventory in a temporary directory,
   the model in ``group_vars/all/site.json`` as in ``inventories/<site>/``, the only host localhost;
2. cross-checks, untimed, that the ansible.utils playbook computes the same plan as the filter on the 1k site;
3. times whole ``ansible-playbook`` runs, interleaved (every variant once per repetition, in the same order):

   - A ``plan_filter.yml``: ``site | ipv6only.datacenter.address_plan`` (1k, 10k, 100k VMs),
   - B ``plan_baseline.yml``: the trivial playbook, which loads the same inventory and counts the VMs (each size),
   - C ``plan_ansible_utils.yml``: the same plan with ansible.utils filters in a Jinja for-loop (10k VMs);

4. prints the medians of wall-clock and CPU time (user + system of ansible-playbook and its workers), the marginal
   costs (A or C minus B of the same size and repetition, so Ansible's start-up and the loading of the inventory
   cancel out), the ratios and each target with PASS or FAIL. The targets are judged on CPU time, which other load
   on the machine disturbs far less than wall-clock time; both are printed.

Targets (issue 2, section 6): 10k VMs cost at most 1 s over the trivial playbook; the filter is at least 20x
faster than the ansible.utils version; 100k VMs take at most 12x as long as 10k. The exit status is 0 whatever the
figures are: this is a benchmark, not a timed test.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]  # the repository root, which is the collection root and holds ansible.cfg

SIZES = (1_000, 10_000, 100_000)
HOSTS = 1_000
VMS_PER_NETWORK = 1_000
UTILS_SIZE = 10_000

TARGET_MARGINAL_10K = 1.0  # seconds over the trivial playbook
TARGET_SPEEDUP = 20.0  # filter vs ansible.utils, marginal costs
TARGET_GROWTH = 12.0  # 100k marginal / 10k marginal


# --- site models ------------------------------------------------------------------------------------------


def make_site(n_vms: int) -> dict:
    """A valid site model with ``n_vms`` VMs and 1,000 hosts.

    One VM network per 1,000 VMs, each with an IPv4 /22 packed from the start of 100.64.0.0/10 (no traffic is
    involved, so the lab's subnet rules do not apply). Per 1,000 VMs: half get EUI-64 addresses from a MAC, half a
    static id; a quarter are dual-stack; every hundredth has an ipv4_mapping and is proxied.
    """
    pool = ipaddress.IPv4Network("100.64.0.0/10")
    n_nets = max(1, -(-n_vms // VMS_PER_NETWORK))
    networks = [{"name": "mgmt", "id": 1}]
    for k in range(n_nets):
        subnet = ipaddress.IPv4Network((int(pool.network_address) + k * 1024, 22))
        networks.append({"name": f"vmnet{k}", "id": 0x100 + k, "ipv4": str(subnet)})
    hosts = [{"name": f"hv{i}", "network": "mgmt", "id": i} for i in range(1, HOSTS + 1)]
    vms = []
    for i in range(n_vms):
        j = i % VMS_PER_NETWORK
        vm: dict = {"name": f"vm{i}", "network": f"vmnet{i // VMS_PER_NETWORK}"}
        if j % 2:
            vm["id"] = 0x1000 + j
        else:
            # locally administered unicast MACs, unique per VM
            vm["mac"] = "02:00:" + ":".join(f"{b:02x}" for b in i.to_bytes(4, "big"))
        if j % 4 == 0:
            vm["ipv4"] = True
        if j % 100 == 1:
            vm["ipv4_mapping"] = True
            vm["proxy"] = ["http", "https"]
        vms.append(vm)
    return {
        "name": "bench",
        "domain": "bench.example.net",
        "prefix": "2001:db8:100::/48",
        "nat64_prefix": "64:ff9b::/96",
        "nat64_pool4_size": 16,
        "ipv4_pool": str(pool),
        "customer_prefix": "2001:db8:8000::/36",
        "networks": networks,
        "hosts": hosts,
        "vms": vms,
        "customers": [{"name": f"customer{i}", "id": i} for i in range(1, 11)],
    }


def label(n: int) -> str:
    return f"{n // 1000}k"


# --- running playbooks ------------------------------------------------------------------------------------


def ansible_env() -> dict[str, str]:
    env = dict(os.environ)
    venv_bin = ROOT / ".venv" / "bin"
    if venv_bin.is_dir():
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_RETRY_FILES_ENABLED="false",
    )
    return env


def write_inventory(directory: Path, site: dict) -> Path:
    """An inventory like ``inventories/<site>/``: localhost, and the site model in group_vars/all/."""
    (directory / "group_vars" / "all").mkdir(parents=True)
    (directory / "group_vars" / "all" / "site.json").write_text(json.dumps({"site": site}))
    hosts = {
        "all": {
            "hosts": {
                "localhost": {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": "{{ ansible_playbook_python }}",  # for the cross-check's copy
                }
            }
        }
    }
    (directory / "hosts.json").write_text(json.dumps(hosts))  # YAML inventory plugin reads JSON too
    return directory / "hosts.json"


def run_playbook(playbook: str, inventory: Path, expect_vms: int, dump: Path | None = None) -> tuple[float, float]:
    """Run one playbook on localhost; return its wall-clock and CPU (user + system, all processes) seconds.

    Aborts on failure or a wrong VM count.
    """
    cmd = ["ansible-playbook", "-i", str(inventory), str(HERE / playbook)]
    if dump is not None:
        cmd += ["-e", f"bench_dump={dump}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=ansible_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes Ansible's worker processes, reaped by it
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    match = re.search(r"bench_vms=(\d+)", proc.stdout)
    if proc.returncode != 0 or match is None or int(match.group(1)) != expect_vms:
        sys.stdout.write(proc.stdout[-6000:] + proc.stderr[-4000:])
        sys.exit(f"plan_scale: {playbook} on {inventory.parent.name} failed (rc {proc.returncode})")
    return wall, cpu


# --- cross-check ------------------------------------------------------------------------------------------


def comparable(plan: dict) -> dict:
    """The parts of a plan both playbooks compute."""
    return {
        "networks": {k: (v["prefix"], v["ipv4"]) for k, v in plan["networks"].items()},
        "hosts": {k: v["ipv6"] for k, v in plan["hosts"].items()},
        "vms": {k: (v["ipv6"], v["ipv4"], v["ipv4_mapping"], v["mac"], v["proxy"]) for k, v in plan["vms"].items()},
        "customers": {k: v["prefix"] for k, v in plan["customers"].items()},
        "nat64": (plan["nat64"]["prefix"], plan["nat64"]["pool4"], plan["nat64"]["eam"]),
        "proxy": plan["proxy"],
        "records": plan["dns"]["records"],
        "ipv6_reverse_zone": plan["dns"]["reverse_zones"][0],
    }


def cross_check(inventory: Path, n_vms: int, workdir: Path) -> None:
    dumps = {}
    for playbook in ("plan_filter.yml", "plan_ansible_utils.yml"):
        dumps[playbook] = workdir / f"{playbook}.json"
        run_playbook(playbook, inventory, n_vms, dump=dumps[playbook])
    ours, theirs = (comparable(json.loads(dumps[p].read_text())) for p in dumps)
    differing = [key for key in ours if ours[key] != theirs[key]]
    if differing:
        sys.exit(f"plan_scale: the ansible.utils playbook computes a different plan: {', '.join(differing)} differ")
    print(
        f"cross-check on {label(n_vms)} VMs: the ansible.utils playbook computes the same plan as the filter "
        f"({len(ours['vms'])} VMs, {len(ours['hosts'])} hosts, {len(ours['records'])} DNS records)"
    )


# --- main -------------------------------------------------------------------------------------------------


def python_only(site: dict, reps: int) -> float:
    """Median time of the library alone, in this process (no Ansible), for reference."""
    sys.path.insert(0, str(ROOT / "collections"))
    from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan

    times = []
    for _ in range(reps):
        start = time.perf_counter()
        build_plan(site)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_marginal(runs: dict[str, list[tuple[float, float]]], key: str, base: str, clock: int) -> float:
    """Median over repetitions of (run ``key`` minus baseline ``base`` of the same repetition), one clock."""
    return statistics.median(a[clock] - b[clock] for a, b in zip(runs[key], runs[base], strict=True))


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def show_ratio(value: float | None) -> str:
    return f"{value:6.1f}x" if value is not None else "   n/a (a marginal cost <= 0: noise)"


def verdict(ok: bool | None) -> str:
    return "INCONCLUSIVE" if ok is None else ("PASS" if ok else "FAIL")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 5")
    parser.add_argument("--reps", type=int, help="number of interleaved repetitions (default 5, 3 with --quick)")
    args = parser.parse_args()
    reps = args.reps or (3 if args.quick else 5)

    with tempfile.TemporaryDirectory(prefix="plan_scale.") as tmp:
        workdir = Path(tmp)
        sites, inventories = {}, {}
        for n in SIZES:
            sites[n] = make_site(n)
            inventories[n] = write_inventory(workdir / f"site_{label(n)}", sites[n])
        print(
            f"plan_scale: sites of {', '.join(label(n) for n in SIZES)} VMs with {HOSTS} hosts; "
            f"{reps} interleaved repetitions"
        )
        load = os.getloadavg()[0]
        print(
            f"ansible-core {ansible_version()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"{platform.machine()}, load average {load:.1f} at start"
        )
        cross_check(inventories[SIZES[0]], SIZES[0], workdir)

        variants = []  # (key, description, playbook, size)
        for n in SIZES:
            variants.append((f"A{label(n)}", f"A filter         {label(n):>4} VMs", "plan_filter.yml", n))
            variants.append((f"B{label(n)}", f"B trivial        {label(n):>4} VMs", "plan_baseline.yml", n))
            if n == UTILS_SIZE:
                variants.append((f"C{label(n)}", f"C ansible.utils  {label(n):>4} VMs", "plan_ansible_utils.yml", n))
        runs: dict[str, list[tuple[float, float]]] = {key: [] for key, *_ in variants}
        for rep in range(1, reps + 1):
            line = []
            for key, _, playbook, n in variants:
                runs[key].append(run_playbook(playbook, inventories[n], n))
                line.append(f"{key} {runs[key][-1][0]:.2f}")
            print(f"  rep {rep}/{reps} (wall s): " + ", ".join(line), flush=True)
        load_end = os.getloadavg()[0]

        print()
        print("whole ansible-playbook runs, seconds     wall: median    min    max    CPU: median    min    max")
        for key, description, _, _ in variants:
            wall = [r[0] for r in runs[key]]
            cpu = [r[1] for r in runs[key]]
            print(
                f"  {description}                {statistics.median(wall):6.2f} {min(wall):6.2f} {max(wall):6.2f}"
                f"         {statistics.median(cpu):6.2f} {min(cpu):6.2f} {max(cpu):6.2f}"
            )

        ten_k, hundred_k = UTILS_SIZE, SIZES[-1]
        c_key, b10 = f"C{label(ten_k)}", f"B{label(ten_k)}"
        marginal = {
            clock: {n: paired_marginal(runs, f"A{label(n)}", f"B{label(n)}", clock) for n in SIZES} for clock in (0, 1)
        }
        utils = {clock: paired_marginal(runs, c_key, b10, clock) for clock in (0, 1)}
        print()
        print("marginal cost over the trivial playbook of the same size, seconds")
        print("(median over repetitions of A or C minus B from the same repetition):   wall      CPU")
        for n in SIZES:
            print(f"  address_plan filter   {label(n):>4} VMs {'':40}{marginal[0][n]:7.2f}  {marginal[1][n]:7.2f}")
        print(f"  ansible.utils Jinja   {label(ten_k):>4} VMs {'':40}{utils[0]:7.2f}  {utils[1]:7.2f}")
        print("for reference, the library alone (build_plan in this process, no Ansible, median of 3):")
        for n in SIZES:
            print(f"  {label(n):>4} VMs: {python_only(sites[n], 3):.2f} s")

        speedup = {clock: ratio(utils[clock], marginal[clock][ten_k]) for clock in (0, 1)}
        growth = {clock: ratio(marginal[clock][hundred_k], marginal[clock][ten_k]) for clock in (0, 1)}
        print()
        print("ratios of marginal costs:                            wall           CPU")
        print(f"  ansible.utils / filter, 10k VMs            {show_ratio(speedup[0]):>14} {show_ratio(speedup[1]):>14}")
        print(f"  filter 100k / 10k VMs                      {show_ratio(growth[0]):>14} {show_ratio(growth[1]):>14}")
        whole_speedup = statistics.median(r[0] for r in runs[c_key]) / statistics.median(
            r[0] for r in runs[f"A{label(ten_k)}"]
        )
        print(f"  (whole runs, wall: ansible.utils / filter at 10k VMs = {whole_speedup:.1f}x)")

        print()
        print("targets, on CPU time (wall-clock in brackets):")
        cpu10, wall10 = marginal[1][ten_k], marginal[0][ten_k]
        print(
            f"  {verdict(cpu10 <= TARGET_MARGINAL_10K)}  10k VMs cost at most {TARGET_MARGINAL_10K:.0f} s over the "
            f"trivial playbook: {cpu10:.2f} s ({wall10:.2f} s)"
        )
        ok = None if speedup[1] is None else speedup[1] >= TARGET_SPEEDUP
        print(
            f"  {verdict(ok)}  at least {TARGET_SPEEDUP:.0f}x faster than ansible.utils at 10k VMs: "
            f"{show_ratio(speedup[1]).strip()} ({show_ratio(speedup[0]).strip()})"
        )
        ok = None if growth[1] is None else growth[1] <= TARGET_GROWTH
        print(
            f"  {verdict(ok)}  100k VMs at most {TARGET_GROWTH:.0f}x the 10k time: "
            f"{show_ratio(growth[1]).strip()} ({show_ratio(growth[0]).strip()})"
        )
        print()
        print(
            f"note: ratios matter more than seconds on a noisy machine. The load average was {load:.1f} at the start "
            f"and {load_end:.1f} at the end on {os.cpu_count()} CPUs; other load stretches wall-clock time much more "
            "than CPU time, which is why the targets are judged on CPU time and taken from paired, interleaved runs."
        )
    return 0


def ansible_version() -> str:
    env = ansible_env()
    proc = subprocess.run(["ansible", "--version"], env=env, capture_output=True, text=True, check=False)
    match = re.search(r"core ([0-9.]+)", proc.stdout)
    return match.group(1) if match else "unknown"


if __name__ == "__main__":
    sys.exit(main())
