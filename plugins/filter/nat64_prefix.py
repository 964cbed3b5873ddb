# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter shim: validate and normalize an RFC 6052 NAT64 prefix."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.rfc6052 import validate_prefix

DOCUMENTATION = r"""
name: nat64_prefix
version_added: "1.0.0"
short_description: Validate and normalize an RFC 6052 NAT64 prefix
description:
  - Returns O(_input) in normalized (compressed) CIDR form after checking it against RFC 6052 section 2.2.
  - The length must be one of /32, /40, /48, /56, /64 or /96, the host bits must be zero, and the u-octet
    (bits 64-71) must be zero, including inside a /96.
  - "Invalid input raises an error naming the value and the rule, for example:
    nat64 prefix 2001:db8:122:344:ff00::/96: bits 64-71 (u-octet) must be zero (RFC 6052 section 2.2)"
positional: _input
options:
  _input:
    description: The NAT64 prefix in CIDR notation.
    type: str
    required: true
seealso:
  - plugin: ipv6only.datacenter.nat64_embed
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Normalise a prefix
  ansible.builtin.set_fact:
    prefix: "{{ '2001:0db8:0122:0000::/48' | ipv6only.datacenter.nat64_prefix }}"  # => "2001:db8:122::/48"

# Fail early on a bad site model value
- name: Check the NAT64 prefix
  ansible.builtin.assert:
    that: (site.nat64_prefix | ipv6only.datacenter.nat64_prefix) | length > 0
"""

RETURN = r"""
_value:
  description: The validated prefix in compressed CIDR notation.
  type: str
"""


def nat64_prefix(prefix):
    """Return the validated, normalized NAT64 ``prefix``."""
    if not isinstance(prefix, str):
        raise AnsibleFilterError(f"nat64 prefix {prefix!r}: must be a string")
    try:
        return str(validate_prefix(str(prefix)))
    except (PlanError, TypeError, ValueError) as exc:
        raise AnsibleFilterError(str(exc)) from None  # the message is whole: no second copy as its cause


class FilterModule:
    """RFC 6052 prefix validation."""

    def filters(self):
        return {"nat64_prefix": nat64_prefix}
