# SPDX-License-Identifier: GPL-3.0-or-later
"""The role contract: each role's options declared once, as data, and converted to their declared types.

Every role of the collection has one builder module here, named after the role, which defines:

``OPTIONS``
    An ``OptionTable``: each option's name, type, default and description. The role's ``defaults/main.yml``
    and ``meta/argument_specs.yml`` are generated from it (``make role-files``), and a unit test fails when
    either differs from the table.
``build(plan, options, facts) -> dict``
    The role's whole checked configuration. ``plan`` is the site plan, ``options`` are the role's options as
    ``OptionTable.convert`` returns them (by name, without the role prefix), and ``facts`` are the host's facts
    plus ``published`` (what other roles published on the host, by role) and ``files`` (see ``reads``).
    Raises ``PlanError`` listing every problem; a ``warnings`` list in the result is shown as Ansible warnings.
``reads(options) -> {key: path}`` (optional)
    Files on the host whose contents ``build`` needs, as ``facts["files"][key]`` (``None`` when missing).

The action plugin ``ipv6only.datacenter.role_config`` is the only caller: it reads the role's variables, has
them converted here (so ``-e border_router_dns64_allow_force=false`` is the boolean false, not a true string),
and registers the builder's output, which is all that the role's tasks and templates read.

Standard library only.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from .errors import PlanError, quoted, show

__all__ = ["TYPES", "Option", "OptionTable", "Section", "argument_specs", "defaults", "to_bool", "to_int"]

# The argument-spec types an option may have (Ansible's names).
TYPES = ("str", "int", "bool", "list", "dict", "path", "raw")
_TRUE = frozenset({"true", "yes", "on", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "off", "0", "n", "f"})
# More digits than any port, AS number or lifetime: refused before Python parses a huge number.
_MAX_DIGITS = 20
_INT_TEXT = re.compile(r"[+-]?[0-9]+")


class _Refused(ValueError):
    """A value that does not convert; the message is the rule it breaks."""


def to_bool(value: object) -> bool:
    """Ansible's booleans: true/false, yes/no, on/off, 1/0 (any case), y/n, t/f."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise _Refused("must be a boolean: true or false (also yes/no, on/off, 1/0)")


def to_int(value: object) -> int:
    """An integer, or a string of decimal digits (extra vars arrive as strings); never a boolean."""
    if isinstance(value, bool):
        raise _Refused("must be an integer, not a boolean")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        if len(value.strip().lstrip("+-")) > _MAX_DIGITS:
            raise _Refused(f"must be an integer of at most {_MAX_DIGITS} digits")
        return int(value.strip())
    raise _Refused("must be an integer")


def _to_str(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _Refused("must be a string")


def _from_json(text: str, kind: type, name: str) -> object:
    """A list or mapping written as JSON in a string (as -e NAME='["a"]' passes it)."""
    try:
        parsed = json.loads(text)
    except ValueError:
        raise _Refused(f"must be {name} (this looks like one, but is not valid JSON)") from None
    if not isinstance(parsed, kind):
        raise _Refused(f"must be {name}")
    return parsed


def _to_list(value: object) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return _from_json(text, list, "a list")
        # Ansible's own rule for a list given as a string (-e name=a,b).
        return [item.strip() for item in text.split(",")] if text else []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    raise _Refused("must be a list")


def _to_dict(value: object) -> dict:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str) and value.strip().startswith("{"):
        return _from_json(value.strip(), dict, "a mapping")
    raise _Refused("must be a mapping")


_CONVERT = {
    "str": _to_str,
    "path": _to_str,
    "int": to_int,
    "bool": to_bool,
    "list": _to_list,
    "dict": _to_dict,
    "raw": lambda value: value,
}


@dataclasses.dataclass(frozen=True)
class Option:
    """One role option. ``name`` is without the role prefix; ``doc`` is one paragraph or several.

    ``jinja``: the default is a Jinja expression, evaluated like any inventory value (for example
    ``{{ inventory_hostname }}``). ``suboptions``: the keys of each dict in a list of dicts. A default of
    ``None`` makes ``null`` a valid value. ``deprecated``: what to use instead, said when the option is set.
    ``syntax``: for a value that reaches a configuration file, a function returning the rule it breaks (or
    None), from ``configtext`` or ``netparse``; it checks a string, each element of a list, and each
    ``key: value`` of a mapping. An empty string is not checked: in these tables it means "not set".
    """

    name: str
    type: str
    default: Any = None
    doc: str | tuple[str, ...] = ""
    elements: str | None = None
    choices: tuple | None = None
    suboptions: tuple[Option, ...] | None = None
    required: bool = False
    jinja: bool = False
    deprecated: str | None = None
    syntax: Callable[[object], str | None] | None = dataclasses.field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"option {self.name}: type {self.type!r} is not one of {', '.join(TYPES)}")
        if self.elements is not None and self.elements not in TYPES:
            raise ValueError(f"option {self.name}: elements {self.elements!r} is not one of {', '.join(TYPES)}")
        if self.jinja and not (isinstance(self.default, str) and "{{" in self.default):
            raise ValueError(f"option {self.name}: a Jinja default must be a '{{{{ ... }}}}' string")

    @property
    def paragraphs(self) -> list[str]:
        return [self.doc] if isinstance(self.doc, str) else list(self.doc)

    def convert(self, value: object, path: str, problems: list[str]) -> object:
        """``value`` converted to this option's type, or None after appending the problem to ``problems``."""
        if value is None:
            if self.default is None and not self.required:
                return None
            problems.append(f"{path} null: must be {_article(self)} (the key has no value)")
            return None
        try:
            converted = _CONVERT[self.type](value)
        except _Refused as exc:
            problems.append(f"{path} {quoted(value)}: {exc}")
            return None
        if self.type == "list" and self.elements is not None:
            converted = [self._element(item, f"{path}[{k}]", problems) for k, item in enumerate(converted)]
        if self.choices is not None and converted not in self.choices:
            problems.append(f"{path} {quoted(value)}: must be one of {', '.join(show(c) for c in self.choices)}")
            return None
        if self.syntax is not None:
            self._check_syntax(converted, path, problems)
        return converted

    def _check_syntax(self, value: object, path: str, problems: list[str]) -> None:
        if isinstance(value, list):
            items = [(f"{path}[{k}]", item) for k, item in enumerate(value) if item is not None]
        elif isinstance(value, dict):
            items = [(f"{path}.{key}", f"{key}: {item}") for key, item in value.items()]
        else:
            items = [(path, value)] if value != "" else []
        for where, item in items:
            rule = self.syntax(item)
            if rule is not None:
                problems.append(f"{where} {quoted(item)}: {rule}")

    def _element(self, item: object, path: str, problems: list[str]) -> object:
        try:
            converted = _CONVERT[self.elements](item)
        except _Refused as exc:
            problems.append(f"{path} {quoted(item)}: {exc}")
            return None
        if self.elements == "dict" and self.suboptions is not None:
            known = {sub.name: sub for sub in self.suboptions}
            for key in sorted(set(converted) - set(known), key=str):
                problems.append(f"{path}.{key}: unknown key (known: {', '.join(known)})")
            out = {}
            for sub in self.suboptions:
                if sub.name not in converted:
                    if sub.required:
                        problems.append(f"{path}.{sub.name}: required")
                    out[sub.name] = sub.default
                    continue
                out[sub.name] = sub.convert(converted[sub.name], f"{path}.{sub.name}", problems)
            return out
        return converted


@dataclasses.dataclass(frozen=True)
class Section:
    """A heading in the generated defaults file, before the options that follow it."""

    title: str


@dataclasses.dataclass(frozen=True)
class OptionTable:
    """A role's options in order, with the texts of its argument specs' entry points.

    ``entry_points`` maps each entry point (``main`` and every file that ``tasks_from`` names) to its
    short description; all share the options, since every entry point builds the same configuration.
    """

    role: str
    short_description: str
    description: tuple[str, ...]
    items: tuple[Option | Section, ...]
    entry_points: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        names = [option.name for option in self.options]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"role {self.role}: options declared twice: {', '.join(duplicates)}")

    @property
    def options(self) -> list[Option]:
        return [item for item in self.items if isinstance(item, Option)]

    def var(self, name: str) -> str:
        """The inventory variable of option ``name``."""
        return f"{self.role}_{name}"

    def __iter__(self) -> Iterator[Option]:
        return iter(self.options)

    def convert(self, values: dict[str, object]) -> dict[str, object]:
        """Every option converted to its type: ``values`` by option name, missing ones take their default.

        Raises one PlanError listing every value that does not convert, each naming the variable, the value
        and the rule. Jinja defaults must have been rendered by the caller.
        """
        problems: list[str] = []
        out = {}
        for option in self.options:
            value = values.get(option.name, option.default)
            out[option.name] = option.convert(value, self.var(option.name), problems)
        if problems:
            raise PlanError(problems)
        return out

    def convert_given(self, values: dict[str, object]) -> dict[str, object]:
        """Only the options present in ``values`` converted to their types (syntax rules included), the other
        keys as they are: for callers that take options from elsewhere than role variables, such as the
        border_router_config filter. Raises one PlanError listing every value that does not convert."""
        problems: list[str] = []
        out = dict(values)
        for option in self.options:
            if option.name in values:
                out[option.name] = option.convert(values[option.name], self.var(option.name), problems)
        if problems:
            raise PlanError(problems)
        return out


def _article(option: Option) -> str:
    kind = {"str": "a string", "path": "a path", "int": "an integer", "bool": "a boolean", "list": "a list"}
    return kind.get(option.type, "a mapping" if option.type == "dict" else "a value")


def argument_specs(table: OptionTable, author: str = "ipv6only.datacenter developers") -> dict:
    """The role's ``meta/argument_specs.yml`` as data: every entry point with every option of the table."""
    options = {table.var(option.name): _spec(option) for option in table.options}
    return {
        "argument_specs": {
            entry: {
                "short_description": short,
                "description": list(table.description),
                "author": [author],
                "options": options,
            }
            for entry, short in table.entry_points
        }
    }


def _spec(option: Option) -> dict:
    paragraphs = option.paragraphs
    if option.jinja:
        paragraphs = [*paragraphs, f"Default: C({option.default})."]
    if option.deprecated:
        paragraphs = [*paragraphs, f"Deprecated: {option.deprecated}."]
    spec: dict[str, Any] = {
        "description": paragraphs[0] if len(paragraphs) == 1 else paragraphs,
        "type": option.type,
    }
    if option.required:
        spec["required"] = True
    elif not option.jinja:
        spec["default"] = option.default
    if option.elements is not None:
        spec["elements"] = option.elements
    if option.choices is not None:
        spec["choices"] = list(option.choices)
    if option.suboptions is not None:
        spec["options"] = {sub.name: _spec(sub) for sub in option.suboptions}
    return spec


def defaults(table: OptionTable) -> dict:
    """The role's ``defaults/main.yml`` as data: every option's variable and default (Jinja ones as text)."""
    return {table.var(option.name): option.default for option in table.options}
