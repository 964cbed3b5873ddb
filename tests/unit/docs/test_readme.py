# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's site-model table is generated from SITE_SPEC; it must not drift."""

from __future__ import annotations

import pathlib
import re

from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import site_spec_markdown

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"
BLOCK = re.compile(r"<!-- site-spec:begin -->\n(.*?)<!-- site-spec:end -->", re.S)


def test_readme_site_model_table_matches_spec():
    match = BLOCK.search(README.read_text())
    assert match, "README.md lost its site-spec markers"
    assert match.group(1).strip() == site_spec_markdown().strip(), "run `make readme` to regenerate the table"
