# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: how long the lab takes to build, come up and converge, and the converge against a baseline commit.

    .venv/bin/python benchmarks/lab/run.py [--inventory inventories/lab] [--strategy mitogen|plain]
                                           [--baseline COMMIT] [--reps 3]

In one run it prints:

1. the image build time, and whether the recipe's image was already there (cache hit);
2. `labctl up` from nothing (the lab is taken down first);
3. the first `site.yml`, then the idempotent rerun and the rerun/first ratio, then `--check --diff`, each with its
   changed count.

With --baseline COMMIT it then checks COMMIT out in a git worktree (/var/tmp/ipv6only-bench-lab/COMMIT) and alternates
[this tree: down, up, first site.yml] with [COMMIT: the same], --reps times, the order swapped each repetition,
and prints the median first converge of each and the median of the per-repetition ratios. Both trees use this
venv; this tree converges with --strategy (default mitogen, what `make lab` uses), the baseline with its own
ansible.cfg (83eaf86 knows only the plain strategy). A machine's load moves absolute times a lot; the ratios
of paired, interleaved runs move much less.

Targets (issue 10), as ratios in one run:
  - the rerun takes at most 0.5x the first converge of the same commit, with changed=0;
  - the first converge takes at most 0.65x that of 83eaf86 (the main of the day the issue was filed).
Absolute times are printed too; they do not gate. Exit status 0 whatever the figures are: this is a
benchmark, not a test. It leaves the lab of the last cycle running (`make lab` brings this tree's back).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))
from labtest import mitogen_env  # noqa: E402

STRATEGY: dict[str, str] = {}  # this tree's strategy settings (--strategy)
RERUN_TARGET = 0.5
BASELINE_TARGET = 0.65
ANCHOR = "83eaf86"


def run(tree: Path, *cmd: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    """Run a command in a tree with that tree's ansible.cfg and this venv (and, in this tree, --strategy);
    (seconds, process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env |= {"ANSIBLE_CONFIG": str(tree / "ansible.cfg"), "ANSIBLE_FORCE_COLOR": "0"}
    if tree == ROOT:
        env |= STRATEGY
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '')}"
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    took = time.monotonic() - start
    if check and proc.returncode:
        sys.exit(f"{' '.join(cmd)} (in {tree}) failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return took, proc


def labctl(tree: Path, inventory: str, *args: str) -> float:
    return run(tree, str(VENV_BIN / "python"), "lab/labctl.py", *args, "--inventory", inventory)[0]


def changed(output: str) -> int:
    """The changed count over every host of a play recap."""
    return sum(int(n) for n in re.findall(r"^\S+\s+: ok=\d+\s+changed=(\d+)", output, re.M))


def converge(tree: Path, inventory: str, *extra: str) -> tuple[float, int]:
    took, proc = run(tree, str(VENV_BIN / "ansible-playbook"), "site.yml", "-i", inventory, *extra)
    return took, changed(proc.stdout)


def cycle(tree: Path, inventory: str) -> tuple[float, float, int]:
    """From nothing: (labctl up seconds, first site.yml seconds, its changed count)."""
    labctl(tree, inventory, "down")
    up = labctl(tree, inventory, "up")
    first, count = converge(tree, inventory)
    return up, first, count


def baseline_tree(commit: str) -> Path:
    tree = Path("/var/tmp/ipv6only-bench-lab") / commit
    if not (tree / "site.yml").is_file():
        tree.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--force", "--detach", str(tree), commit], cwd=ROOT, check=True)
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inventory", default="inventories/lab", help="relative to each tree")
    parser.add_argument("--baseline", help=f"a commit to compare the first converge with (the target's: {ANCHOR})")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--strategy", choices=["mitogen", "plain"], default="mitogen")
    args = parser.parse_args()
    inv = args.inventory
    if args.strategy == "mitogen":
        STRATEGY.update(mitogen_env())

    tag = run(ROOT, str(VENV_BIN / "python"), "lab/labctl.py", "image", "--print-tag")[1].stdout.strip()
    cached = subprocess.run(["podman", "image", "exists", tag], check=False).returncode == 0
    image = run(ROOT, str(VENV_BIN / "python"), "lab/labctl.py", "image")[0]
    up, first, first_changed = cycle(ROOT, inv)
    rerun, rerun_changed = converge(ROOT, inv)
    check, check_changed = converge(ROOT, inv, "--check", "--diff")

    print(f"lab benchmark: {inv}, strategy {args.strategy}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"  image build           {image:7.1f} s  ({'cache hit' if cached else 'built'}: {tag})")
    print(f"  labctl up             {up:7.1f} s")
    print(f"  first site.yml        {first:7.1f} s  changed={first_changed}")
    print(f"  rerun                 {rerun:7.1f} s  changed={rerun_changed}  ratio rerun/first {rerun / first:.2f}")
    print(f"  --check --diff        {check:7.1f} s  changed={check_changed}")
    print("targets:")
    ok = rerun / first <= RERUN_TARGET and rerun_changed == 0
    print(f"  {'PASS' if ok else 'MISS'}  rerun <= {RERUN_TARGET}x first with changed=0: {rerun / first:.2f}x")
    print(f"  {'PASS' if check_changed == 0 else 'MISS'}  --check --diff on the converged lab: changed=0")

    if args.baseline:
        other = baseline_tree(args.baseline)
        mine, theirs, ratios = [], [], []
        for rep in range(args.reps):
            order = [("this tree", ROOT), (args.baseline, other)]
            results = {}
            for name, tree in order if rep % 2 == 0 else order[::-1]:
                up, first, _ = results[name] = cycle(tree, inv)
                print(f"  rep {rep + 1}: {name:10} up {up:6.1f} s, first site.yml {first:6.1f} s", flush=True)
            mine.append(results["this tree"][1])
            theirs.append(results[args.baseline][1])
            ratios.append(mine[-1] / theirs[-1])
        ratio = statistics.median(ratios)
        print(f"first converge, median of {args.reps} interleaved: this tree {statistics.median(mine):.1f} s, "
              f"{args.baseline} {statistics.median(theirs):.1f} s; median ratio {ratio:.2f}")  # fmt: skip
        verdict = "PASS" if ratio <= BASELINE_TARGET else "MISS"
        print(f"  {verdict}  first converge <= {BASELINE_TARGET}x {args.baseline}'s: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
