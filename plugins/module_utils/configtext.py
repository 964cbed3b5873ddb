# SPDX-License-Identifier: GPL-3.0-or-later
"""Strings that reach a configuration file or a systemd unit, checked for their own syntax before any template
prints them. Each function returns the rule the value breaks, or None; the caller puts the option's name and
the value in front (``errors.quoted``). Addresses and prefixes are ``netparse``'s.

Two kinds of string:

- **typed** ones, whose whole syntax is known: host names and zone names (``hostname_problem``), a name or an
  address (``host_problem``), one word (``word_problem``), a path (``path_problem``);
- **pass-through** ones, free syntax by design (BIRD, BIND and Unbound statements, nftables rules, daemon
  options): ``statement_problem`` accepts one statement, on one line, with balanced quotes and braces, and
  refuses the words that set access, which only the typed options may set (their guards check them).

Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import PlanError
from .netparse import parse_address, parse_prefix

__all__ = [
    "BIND_ACCESS",
    "BIRD_ACCESS",
    "UNBOUND_ACCESS",
    "address_rule",
    "bind_statement_problem",
    "bird_problem",
    "host_problem",
    "hostname_problem",
    "nft_rule_problem",
    "path_problem",
    "prefix_rule",
    "statement_problem",
    "unbound_option_problem",
    "word_problem",
    "words_problem",
]

# Pass-through words that set access (who may query, where a daemon listens, what it announces): only the typed
# options, which the builders' guards check, may set these.
UNBOUND_ACCESS = ("access-control", "access-control-", "interface", "interface-", "ip-address", "port", "view")
BIND_ACCESS = ("allow-", "acl", "view", "listen-on", "listen-on-v6", "recursion", "blackhole", "match-clients")
BIRD_ACCESS = ("export", "import")

_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
_WORD = re.compile(r"[A-Za-z0-9_.:/+=@-]+")
_PATH = re.compile(r"/[A-Za-z0-9_.+@/-]*")


def hostname_problem(value: object) -> str | None:
    """A DNS name (a host or a zone): dot-separated labels of letters, digits, ``-`` and ``_``, at most 253
    characters; one trailing dot allowed."""
    if not isinstance(value, str) or not value:
        return "must be a DNS name (a non-empty string)"
    name = value[:-1] if value.endswith(".") else value
    if len(name) > 253 or not name or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        return "must be a DNS name: labels of a-z, 0-9, '-' and '_' (no '-' first or last), separated by dots"
    return None


def host_problem(value: object) -> str | None:
    """An IP address, or a DNS name."""
    if isinstance(value, str) and ":" in value:
        return address_rule()(value)
    if isinstance(value, str) and value.replace(".", "").isdigit():
        return None if address_rule(4)(value) is None else "must be an IP address or a DNS name"
    return None if hostname_problem(value) is None else "must be an IP address or a DNS name"


def word_problem(value: object) -> str | None:
    """One word of a configuration line: letters, digits and ``_ . : / + = @ -``, no space."""
    if isinstance(value, str) and _WORD.fullmatch(value):
        return None
    return "must be one word: letters, digits and _ . : / + = @ -, no spaces or quotes"


def path_problem(value: object) -> str | None:
    """An absolute path of plain characters."""
    if isinstance(value, str) and _PATH.fullmatch(value) and "/../" not in value + "/":
        return None
    return "must be an absolute path of letters, digits and _ . + @ - / (no spaces, quotes or ..)"


def statement_problem(value: object, forbidden: tuple[str, ...] = (), separators: bool = True) -> str | None:
    """One pass-through statement: a string on one line (no newline, carriage return or NUL), with its quotes
    closed and its braces balanced, and none of the ``forbidden`` words (matched whole, any case; a word ending
    in ``-`` matches every word it begins, as ``allow-`` matches ``allow-query``). With ``separators`` false,
    a ``;`` outside quotes and braces is refused too (it would start another statement)."""
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if any(c in value for c in "\n\r\0"):
        return "must be one statement on one line (no newline, carriage return or NUL)"
    quote, depth, escaped = None, 0, False
    for char in value:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "closes a brace it did not open"
        elif char == ";" and not separators and depth == 0:
            return "must be one statement: no ';' outside quotes and braces"
    if quote:
        return f"leaves a quote ({quote}) open"
    if depth:
        return "leaves a brace open"
    words = re.findall(r"[A-Za-z][A-Za-z0-9_-]*", re.sub(r"\"[^\"]*\"|'[^']*'", " ", value))
    return next((_access_problem(word) for word in words if _sets_access(word, forbidden)), None)


def _sets_access(word: str, forbidden: tuple[str, ...]) -> bool:
    """Whether ``word`` is one of ``forbidden`` (any case; an entry ending in ``-`` matches every word it begins)."""
    word = word.lower()
    return any(word == bad or (bad.endswith("-") and word.startswith(bad)) for bad in forbidden)


def _access_problem(word: str) -> str:
    return (
        f"sets access ({word}), which only the role's typed options may set: their guards check it, "
        "a pass-through entry would bypass them"
    )


def _rule_of(parse: Callable[[object], object]) -> Callable[[object], str | None]:
    def rule(value: object) -> str | None:
        try:
            parse(value)
        except PlanError as exc:
            return str(exc).split(": ", 1)[-1]
        return None

    return rule


def address_rule(version: int | None = None) -> Callable[[object], str | None]:
    """The rule of an address of ``version`` (strict: see ``netparse``)."""
    return _rule_of(lambda value: parse_address(value, version))


def prefix_rule(version: int | None = None, host_bits: bool = False) -> Callable[[object], str | None]:
    """The rule of a prefix of ``version``; a bare address is its /32 or /128. With ``host_bits``, an address
    inside a prefix (``198.51.100.7/24``) is accepted too."""

    def parse(value: object) -> object:
        try:
            return parse_prefix(value, version)
        except PlanError as exc:
            if host_bits and str(exc).endswith("host bits must be zero"):
                return None
            raise

    return _rule_of(parse)


def words_problem(value: object) -> str | None:
    """Space-separated words (command-line options), each one ``word_problem`` accepts."""
    if isinstance(value, str) and all(word_problem(word) is None for word in value.split()):
        return None
    return "must be words of letters, digits and _ . : / + = @ -, separated by spaces (no quotes)"


def nft_rule_problem(value: object) -> str | None:
    """One nftables rule of a chain: ``statement_problem`` without ``;`` (which would start another rule)."""
    return statement_problem(value, separators=False)


def unbound_option_problem(value: object) -> str | None:
    """One ``key: value`` of Unbound's server clause whose key does not set access."""
    key = value.split(":", 1)[0].strip().lower() if isinstance(value, str) else ""
    return _access_problem(key) if _sets_access(key, UNBOUND_ACCESS) else statement_problem(value)


def bind_statement_problem(value: object) -> str | None:
    """One statement of BIND's options block (one trailing ``;`` allowed), which sets no access."""
    text = value.rstrip().removesuffix(";") if isinstance(value, str) else value
    return statement_problem(text, BIND_ACCESS, separators=False)


def bird_problem(value: object) -> str | None:
    """BIRD configuration on one line that neither exports nor imports routes (the typed options' filters decide
    what is announced and learnt)."""
    return statement_problem(value, BIRD_ACCESS)
