# SPDX-License-Identifier: GPL-3.0-or-later
"""The README as printed: its site-model table is generated from SITE_SPEC, and its example plans."""

from __future__ import annotations

import pathlib
import re

import yaml

from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan, site_spec_markdown

REPO = pathlib.Path(__file__).resolve().parents[3]
README = REPO / "README.md"
EXAMPLE_INVENTORY = REPO / "inventories/example/group_vars/all/site.yml"
BLOCK = re.compile(r"<!-- site-spec:begin -->\n(.*?)<!-- site-spec:end -->", re.S)
# The first YAML block of the section "The site model".
EXAMPLE = re.compile(r"^## The site model\n.*?^```yaml\n(.*?)^```$", re.S | re.M)


def test_readme_site_model_table_matches_spec():
    match = BLOCK.search(README.read_text())
    assert match, "README.md lost its site-spec markers"
    assert match.group(1).strip() == site_spec_markdown().strip(), "run `make readme` to regenerate the table"


def readme_example() -> dict:
    match = EXAMPLE.search(README.read_text())
    assert match, "README.md has no yaml block under '## The site model'"
    return yaml.safe_load(match.group(1))["site"]


def test_the_readme_example_plans_as_printed():
    plan = build_plan(readme_example())
    assert list(plan["dns"]["resolvers"]) == [plan["hosts"]["br1"]["ipv6"], plan["hosts"]["br2"]["ipv6"]]


def test_the_readme_example_is_the_example_inventory():
    assert readme_example() == yaml.safe_load(EXAMPLE_INVENTORY.read_text())["site"]
