#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write each role's defaults/main.yml and meta/argument_specs.yml from its builder's option table (`make role-files`).

    tests/role_files.py            rewrite the files of every role that has a builder
    tests/role_files.py --check    exit 1, naming the files, when one differs from its table

A role's builder is plugins/module_utils/<role>.py of the role's collection (this one, and the fixture collection
under tests/fixtures/). Its OPTIONS table is the only place an option is declared; tests/unit/roles checks the files.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import textwrap
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "collections"
sys.path[:0] = [str(ROOT / "collections"), str(FIXTURES)]

from ansible_collections.ipv6only.datacenter.plugins.module_utils import contract  # noqa: E402

WIDTH = 116
_MARKUP = re.compile(r"\b[CIMOVP]\(([^()]*(?:\([^()]*\)[^()]*)*)\)")


def roles() -> list[tuple[str, Path, object]]:
    """(role, role directory, builder module) for every role whose collection has a builder for it."""
    found = []
    for collection in [ROOT, *sorted(FIXTURES.glob("ansible_collections/*/*"))]:
        if collection == ROOT:
            package = "ansible_collections.ipv6only.datacenter"
        else:
            package = f"ansible_collections.{collection.parent.name}.{collection.name}"
        for role_dir in sorted((collection / "roles").glob("*/")):
            if (collection / "plugins" / "module_utils" / f"{role_dir.name}.py").is_file():
                module = importlib.import_module(f"{package}.plugins.module_utils.{role_dir.name}")
                if hasattr(module, "OPTIONS"):
                    found.append((role_dir.name, role_dir, module))
    return found


def _plain(text: str) -> str:
    """ansible-doc markup (C(x), O(x), ...) as plain text, for comments."""
    return _MARKUP.sub(lambda m: m.group(1).split("#role:main:")[-1], text)


def _value(value: object) -> str:
    if isinstance(value, str) and "'" in value:
        return json.dumps(value)  # "{{ groups['x'] }}" reads better than YAML's doubled single quotes
    return yaml.safe_dump(value, default_flow_style=True, width=10**6).removesuffix("\n...\n").strip()


def defaults_text(role: str, table) -> str:
    lines = [
        "---",
        f"# Generated from OPTIONS in plugins/module_utils/{role}.py by tests/role_files.py (`make role-files`):",
        "# change the table, not this file. Every option: `ansible-doc -t role` on this role.",
    ]
    for item in table.items:
        if isinstance(item, contract.Section):
            lines += ["", f"# --- {item.title} " + "-" * max(3, WIDTH - 7 - len(item.title))]
            continue
        lines.append("")
        for k, paragraph in enumerate(item.paragraphs):
            if k:
                lines.append("#")
            lines += textwrap.wrap(_plain(paragraph), WIDTH, initial_indent="# ", subsequent_indent="# ")
        if item.deprecated:
            lines.append(f"# Deprecated: {item.deprecated}.")
        lines.append(f"{table.var(item.name)}: {_value(item.default)}")
    return "\n".join(lines) + "\n"


class _NoAliases(yaml.SafeDumper):
    """Every entry point lists the same options: write them out each time, not as a YAML alias."""

    def ignore_aliases(self, data):
        return True


def argument_specs_text(role: str, table) -> str:
    header = (
        "---\n"
        f"# Generated from OPTIONS in plugins/module_utils/{role}.py by tests/role_files.py (`make role-files`):\n"
        "# change the table, not this file. Validated when the role or an entry point starts; ansible-doc shows it.\n"
    )
    body = yaml.dump(contract.argument_specs(table), Dumper=_NoAliases, sort_keys=False, width=110, allow_unicode=True)
    return header + body


def expected_files() -> dict[Path, str]:
    files = {}
    for role, role_dir, module in roles():
        files[role_dir / "defaults" / "main.yml"] = defaults_text(role, module.OPTIONS)
        files[role_dir / "meta" / "argument_specs.yml"] = argument_specs_text(role, module.OPTIONS)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report the files that differ")
    args = parser.parse_args()
    stale = []
    for path, text in expected_files().items():
        if not path.is_file() or path.read_text() != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    for path in stale:
        print(f"{'differs' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
