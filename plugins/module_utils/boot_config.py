# SPDX-License-Identifier: GPL-3.0-or-later
"""The JSON file a module leaves for its boot unit (node_addresses, switch_bridges): read, compared, and replaced
atomically, with its diff, and not at all in check mode. Standard library only."""

from __future__ import annotations

import json
import os
import tempfile

__all__ = ["read", "write"]


def read(path: str) -> str:
    """The file's text, or "" when it does not exist yet."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        return ""


def write(module, path: str, config: dict, diff: list[dict]) -> bool:
    """Write ``config`` (with a comment naming the module) to ``path`` unless it already holds it; append the
    change to ``diff``. Returns whether the file changed (or, in check mode, would)."""
    name = module._name.rsplit(".", 1)[-1]
    text = json.dumps(dict(config, comment=f"written by ipv6only.datacenter.{name}"), indent=2, sort_keys=True) + "\n"
    current = read(path)
    if current == text:
        return False
    diff.append({"before_header": path, "after_header": path, "before": current, "after": text})
    if not module.check_mode:
        directory = os.path.dirname(path)
        os.makedirs(directory, mode=0o755, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        module.atomic_move(tmp, path)
    return True
