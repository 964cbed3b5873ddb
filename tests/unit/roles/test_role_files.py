# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's options are declared once, in its builder's table: defaults/main.yml and meta/argument_specs.yml must
say the same on every option of every role, and every entry point that a playbook names has an argument spec."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests"))

import role_files  # noqa: E402

from ansible_collections.ipv6only.datacenter.plugins.module_utils import contract  # noqa: E402

ROLES = role_files.roles()
IDS = [role for role, _, _ in ROLES]


def test_every_role_of_the_collection_has_a_builder():
    # The contract role is the plumbing itself; every other role is built by its builder.
    have = {role for role, _, _ in ROLES}
    roles = {p.name for p in (ROOT / "roles").iterdir() if p.is_dir()} - {"contract"}
    assert roles <= have, f"roles without a builder (plugins/module_utils/<role>.py with OPTIONS): {roles - have}"
    assert "service_port" in have  # the fixture collection's role is generated and checked too


@pytest.mark.parametrize(("role", "role_dir", "module"), ROLES, ids=IDS)
def test_defaults_say_what_the_table_says(role, role_dir, module):
    found = yaml.safe_load((role_dir / "defaults" / "main.yml").read_text())
    wanted = contract.defaults(module.OPTIONS)
    for var in sorted(set(found) | set(wanted)):
        assert var in found, f"{role}: {var} is in the option table but not in defaults/main.yml"
        assert var in wanted, f"{role}: {var} is in defaults/main.yml but not in the option table"
        assert found[var] == wanted[var], (
            f"{role}: defaults/main.yml says {var}: {found[var]!r}, the table {wanted[var]!r}"
        )


@pytest.mark.parametrize(("role", "role_dir", "module"), ROLES, ids=IDS)
def test_argument_specs_say_what_the_table_says(role, role_dir, module):
    found = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    wanted = contract.argument_specs(module.OPTIONS)["argument_specs"]
    assert list(found) == list(wanted), f"{role}: entry points {list(found)}, the table {list(wanted)}"
    for entry, spec in wanted.items():
        options = found[entry]["options"]
        for var in sorted(set(options) | set(spec["options"])):
            assert var in options, f"{role}: {var} is missing from argument_specs.yml ({entry})"
            assert var in spec["options"], f"{role}: {var} in argument_specs.yml ({entry}) is not in the table"
            assert options[var] == spec["options"][var], f"{role}: argument_specs.yml ({entry}) {var} differs"


def test_the_generated_files_are_current():
    stale = [str(p.relative_to(ROOT)) for p, text in role_files.expected_files().items() if p.read_text() != text]
    assert not stale, f"regenerate with `make role-files`: {stale}"


def _role_includes(node, found):
    if isinstance(node, dict):
        for key in ("ansible.builtin.include_role", "ansible.builtin.import_role", "include_role", "import_role"):
            spec = node.get(key)
            if isinstance(spec, dict) and "tasks_from" in spec:
                found.append((spec["name"], spec["tasks_from"]))
        for value in node.values():
            _role_includes(value, found)
    elif isinstance(node, list):
        for value in node:
            _role_includes(value, found)
    return found


def test_every_tasks_from_entry_point_has_an_argument_spec():
    uses = []
    for path in [
        *ROOT.glob("*.yml"),
        *ROOT.glob("playbooks/*.yml"),
        *ROOT.glob("molecule/**/*.yml"),
        *ROOT.glob("roles/*/tasks/*.yml"),
        *ROOT.glob("lab/*.yml"),
        *ROOT.glob("tests/**/roles/*/tasks/*.yml"),
    ]:
        for name, tasks_from in _role_includes(yaml.safe_load(path.read_text()), []):
            uses.append((path.relative_to(ROOT), name, tasks_from))
    assert uses, "found no include_role with tasks_from at all"
    for path, name, tasks_from in uses:
        role = name.split(".")[-1]
        specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
        entry = Path(tasks_from).stem
        assert entry in specs, (
            f"{path}: {name} tasks_from {tasks_from} has no entry point '{entry}' in its argument_specs"
        )
