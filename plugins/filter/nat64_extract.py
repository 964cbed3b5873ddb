# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter shim: extract the IPv4 address embedded in an RFC 6052 IPv6 address."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.rfc6052 import extract

DOCUMENTATION = r"""
name: nat64_extract
version_added: "1.0.0"
short_description: Extract the IPv4 address embedded in an RFC 6052 IPv6 address
description:
  - Returns the IPv4 address that O(_input) embeds under the NAT64 prefix O(prefix) (RFC 6052 section 2.2).
  - All six prefix lengths are supported (/32, /40, /48, /56, /64, /96); the u-octet (bits 64-71) is skipped.
  - The prefix is validated first. An address outside the prefix, or with a non-zero u-octet, is an error,
    and so is a non-global IPv4 address under the well-known prefix C(64:ff9b::/96).
  - Invalid input raises an error naming the value and the rule.
  - The inverse of P(ipv6only.datacenter.nat64_embed#filter).
positional: _input, prefix
options:
  _input:
    description: The IPv4-embedded IPv6 address, without a prefix length.
    type: str
    required: true
  prefix:
    description: The NAT64 prefix in CIDR notation that the address was built from.
    type: str
    required: true
seealso:
  - plugin: ipv6only.datacenter.nat64_embed
    plugin_type: filter
"""

EXAMPLES = r"""
# => "192.0.2.33"
ipv4: "{{ '2001:db8:122:c000:2:2100::' | ipv6only.datacenter.nat64_extract('2001:db8:122::/48') }}"

# => "8.8.8.8"
resolver: "{{ '64:ff9b::808:808' | ipv6only.datacenter.nat64_extract('64:ff9b::/96') }}"
"""

RETURN = r"""
_value:
  description: The embedded IPv4 address, in dotted-quad form.
  type: str
"""


def nat64_extract(ipv6, prefix):
    """Return the IPv4 address embedded in ``ipv6`` under the NAT64 ``prefix``."""
    for label, value in (("IPv6 address", ipv6), ("nat64 prefix", prefix)):
        if not isinstance(value, str):
            raise AnsibleFilterError(f"{label} {value!r}: must be a string")
    try:
        return str(extract(str(ipv6), str(prefix)))
    except (PlanError, TypeError, ValueError) as exc:
        raise AnsibleFilterError(str(exc)) from None  # the message is whole: no second copy as its cause


class FilterModule:
    """RFC 6052 extraction."""

    def filters(self):
        return {"nat64_extract": nat64_extract}
