# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json
import re

__all__ = ["PlanError", "quoted", "show"]

# A message names a value at most this long; longer ones are elided, keeping both ends.
SHOW_LIMIT = 80
# One cause repeated more than this many times is summarised: its first cases, then a count.
SAME_CAUSE_SHOWN = 5
_INDEX = re.compile(r"\[\d+\]")


class PlanError(ValueError):
    """One or more problems found while planning addresses.

    ``problems`` keeps every message separately so callers (filters, modules, the lab tool) can
    show them as a list; ``str()`` joins them for humans.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        if not self.problems:
            # An error without a reason would hide the bug that raised it.
            raise ValueError("PlanError needs at least one problem")
        super().__init__(self.problems)

    def report(self, subject: str = "the site model") -> str:
        """The one problem, or all of them as a list under ``N problems in <subject>:``. One cause repeated
        many times (the same rule at the same path but for the index) shows its first cases and a count."""
        if len(self.problems) == 1:
            return self.problems[0]
        causes: dict[tuple[str, str], list[str]] = {}
        for problem in self.problems:
            path, _, rest = problem.partition(": ")
            causes.setdefault((_INDEX.sub("[]", path), rest.rpartition(": ")[2]), []).append(problem)
        lines = []
        for (path, rule), problems in causes.items():
            lines += [f"- {p}" for p in problems[:SAME_CAUSE_SHOWN]]
            if len(problems) > SAME_CAUSE_SHOWN:
                lines.append(f"- ... and {len(problems) - SAME_CAUSE_SHOWN} more of {path}: {rule}")
        return f"{len(self.problems)} problems in {subject}:\n" + "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def show(value: object) -> str:
    """Render a site-model value in a message the way the user wrote it in YAML: a string as it is, quoted when
    it would not be visible so (empty, spaces around it, a control character or a quote); a long value elided."""
    if isinstance(value, str):
        plain = value and value == value.strip() and value.isprintable() and not any(c in value for c in "\"'")
        text = value if plain else json.dumps(value)
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, dict, tuple)):
        text = json.dumps(value, default=str)
    elif isinstance(value, int) and value.bit_length() > 4 * SHOW_LIMIT:
        text = f"an integer of {len(hex(abs(value))) - 2} hex digits"  # str() refuses past 4300 digits
    else:
        text = str(value)
    if len(text) <= SHOW_LIMIT:
        return text
    return f"{text[: SHOW_LIMIT - 25]}...{text[-10:]} ({len(text)} characters)"


def quoted(value: object) -> str:
    """A value as the user wrote it, for an option's or an address's message: a string always quoted (so that an
    empty string or a stray space shows) and elided when long; anything else as ``show`` renders it."""
    if not isinstance(value, str):
        return show(value)  # elided by show when long
    text = json.dumps(value)
    return text if len(text) <= SHOW_LIMIT else f"{text[: SHOW_LIMIT - 20]}...{text[-15:]} ({len(text)} characters)"
