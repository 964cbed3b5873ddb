#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What `ansible-doc -t role` shows of each role equals its builder's option table: every option, its type and
its default, for every entry point (this is how border_router_tayga_nice once showed -10 against a real 0).
Prints PASS/FAIL lines for tests/integration/run.sh; exits 1 on a failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests")]

import role_files  # noqa: E402

failed = 0
for role, _, module in role_files.roles():
    if role == "service_port":
        continue  # the fixture collection is not on ansible-doc's path
    name = f"ipv6only.datacenter.{role}"
    doc = json.loads(subprocess.run(["ansible-doc", "-t", "role", "-j", name], capture_output=True, text=True).stdout)
    entry_points = doc[name]["entry_points"]
    table = module.OPTIONS
    for entry, _ in table.entry_points:
        shown = entry_points.get(entry, {}).get("options", {})
        problems = []
        for option in table:
            var = table.var(option.name)
            spec = shown.get(var)
            if spec is None:
                problems.append(f"{var} missing")
            elif spec.get("type") != option.type:
                problems.append(f"{var} type {spec.get('type')} != {option.type}")
            elif not option.jinja and not option.required and spec.get("default") != option.default:
                problems.append(f"{var} default {spec.get('default')!r} != {option.default!r}")
        problems += [f"{var} is not in the table" for var in set(shown) - {table.var(o.name) for o in table}]
        status = "FAIL" if problems else "PASS"
        failed += bool(problems)
        print(f"{status}  ansible-doc -t role {name} ({entry}) shows the option table ({len(shown)} options)")
        for problem in problems:
            print(f"      {problem}")
sys.exit(1 if failed else 0)
