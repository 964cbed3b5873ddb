# SPDX-License-Identifier: GPL-3.0-or-later
"""Plain Python data from what Ansible hands plugins (lazy containers of tagged values, ansible-core 2.19).

The filters and action plugins give the planning library only str, int, float, bool, None, dict and list.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["plain"]


class _MaybeTemplate(Exception):
    """The raw site model holds a value that only Ansible's templating may resolve."""


_EXACT_SCALARS = frozenset((str, int, float, bool, type(None)))
_JINJA2_OVERRIDE = "#jinja2:"  # a template header that may change the delimiters


def _untag(raw):
    """Plain copy of raw (stored, not yet rendered) data; raises _MaybeTemplate for anything templating could change.

    Strings that could hold a template (any ``{``, or a ``#jinja2:`` header) and types other than str, int, float,
    bool, None, dict, list and tuple (vaulted strings, for example) are left to Ansible.
    """
    kind = type(raw)
    if kind in _EXACT_SCALARS:
        if kind is str and ("{" in raw or raw.startswith(_JINJA2_OVERRIDE)):
            raise _MaybeTemplate
        return raw
    if isinstance(raw, str):  # a tagged string
        if "{" in raw or raw.startswith(_JINJA2_OVERRIDE):
            raise _MaybeTemplate
        return str(raw)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int):  # a tagged int
        return int(raw)
    if isinstance(raw, float):
        return float(raw)
    if isinstance(raw, dict):
        return {_untag(key): _untag(item) for key, item in raw.items()}
    if isinstance(raw, (list, tuple)):
        return [_untag(item) for item in raw]
    raise _MaybeTemplate


def plain(value):
    """Return ``value`` (the filter's input) as plain dict/list/str/int/float/bool/None.

    Ansible 2.19 hands filters lazy containers of tagged values. Reading them item by item through their public
    interface renders templates but costs several microseconds per value: seconds for 100k VMs, most of the
    filter's time. So a container's raw contents (``_non_lazy_copy``, ansible-core's own way to copy a lazy
    container without rendering it) are copied directly when nothing in them could need templating; otherwise the
    container is read through the public interface, so only the subtrees holding templates pay for rendering.
    Without ``_non_lazy_copy`` (another ansible-core), everything takes the public path: slower, same result.
    """
    kind = type(value)
    if kind in _EXACT_SCALARS:
        return value
    raw_copy = getattr(value, "_non_lazy_copy", None)  # ansible-core 2.19 lazy containers
    if raw_copy is not None:
        try:
            return _untag(raw_copy())
        except _MaybeTemplate:
            pass
    if isinstance(value, Mapping):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value  # left to the library's validation, which names the value
