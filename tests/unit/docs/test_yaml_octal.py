# SPDX-License-Identifier: GPL-3.0-or-later
"""YAML 1.1 reads an unquoted `id: 012` as the octal 10, silently. `make lint` runs yamllint over every
inventory and scenario with the repository's .yamllint, whose octal-values rule refuses it: keep it so."""

from __future__ import annotations

import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]


def test_yamllint_refuses_an_octal_id(tmp_path):
    inventory = tmp_path / "site.yml"
    inventory.write_text("---\nsite:\n  hosts:\n    - {name: br1, network: mgmt, id: 012}\n")
    yamllint = pathlib.Path(sys.executable).parent / "yamllint"
    proc = subprocess.run(
        [str(yamllint), "-c", str(REPO / ".yamllint"), str(inventory)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1 and 'forbidden implicit octal value "012"' in proc.stdout, proc.stdout
