# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

__all__ = ["PlanError", "show"]


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
        """The one problem, or all of them as a list under ``N problems in <subject>:``."""
        if len(self.problems) == 1:
            return self.problems[0]
        return f"{len(self.problems)} problems in {subject}:\n" + "\n".join(f"- {p}" for p in self.problems)

    def __str__(self) -> str:
        return self.report()


def show(value: object) -> str:
    """Render a site-model value in a message the way the user wrote it in YAML."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
