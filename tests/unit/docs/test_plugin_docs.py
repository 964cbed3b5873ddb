# SPDX-License-Identifier: GPL-3.0-or-later
"""Every plugin's DOCUMENTATION, EXAMPLES and RETURN is YAML that parses: ansible-doc and ansible-lint only
log a broken one and go on, so nothing else would fail."""

from __future__ import annotations

import ast
import pathlib

import pytest
import yaml

PLUGINS = pathlib.Path(__file__).resolve().parents[3] / "plugins"
FILES = sorted(p for kind in ("modules", "filter") for p in (PLUGINS / kind).glob("*.py") if p.name != "__init__.py")


def doc_strings(path: pathlib.Path) -> dict[str, str]:
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
                    found[target.id] = node.value.value
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_plugin_documentation_parses(path):
    docs = doc_strings(path)
    assert "DOCUMENTATION" in docs, f"{path.name} has no DOCUMENTATION"
    for text in docs.values():
        yaml.safe_load(text)  # raises, naming the line, when it does not parse
