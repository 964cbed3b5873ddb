# SPDX-License-Identifier: GPL-3.0-or-later
"""Regenerate the site-model table in README.md from SITE_SPEC (`make readme`)."""

from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import site_spec_markdown  # noqa: E402

readme = ROOT / "README.md"
text = readme.read_text()
block = f"<!-- site-spec:begin -->\n{site_spec_markdown().strip()}\n<!-- site-spec:end -->"
readme.write_text(re.sub(r"<!-- site-spec:begin -->.*?<!-- site-spec:end -->", lambda _: block, text, flags=re.S))
