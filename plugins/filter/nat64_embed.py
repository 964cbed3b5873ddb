# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter shim: embed an IPv4 address in an RFC 6052 NAT64 prefix."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.rfc6052 import embed

DOCUMENTATION = r"""
name: nat64_embed
version_added: "1.0.0"
short_description: Embed an IPv4 address in an RFC 6052 NAT64 prefix
description:
  - Returns the IPv4-embedded IPv6 address for O(_input) under O(prefix), following RFC 6052 section 2.2.
  - All six prefix lengths are supported (/32, /40, /48, /56, /64, /96); the IPv4 bits skip the u-octet (bits 64-71).
  - The prefix is validated first (length, host bits zero, u-octet zero).
  - The well-known prefix C(64:ff9b::/96) must not carry non-global IPv4 (RFC 6052 section 3.1);
    C(64:ff9b:1::/48) (RFC 8215) carries any IPv4.
  - Invalid input raises an error naming the value and the rule.
  - A thin shim over the collection's planning library (C(plugins/module_utils/rfc6052.py)).
positional: _input, prefix
options:
  _input:
    description: The IPv4 address to embed, without a prefix length.
    type: str
    required: true
  prefix:
    description: The NAT64 prefix in CIDR notation, for example C(64:ff9b::/96) or C(2001:db8:122::/48).
    type: str
    required: true
seealso:
  - plugin: ipv6only.datacenter.nat64_extract
    plugin_type: filter
  - plugin: ipv6only.datacenter.nat64_prefix
    plugin_type: filter
"""

EXAMPLES = r"""
# => "2001:db8:122:c000:2:2100::"
embedded: "{{ '192.0.2.33' | ipv6only.datacenter.nat64_embed('2001:db8:122::/48') }}"

# => "64:ff9b::808:808" (the well-known prefix only carries global IPv4)
well_known: "{{ '8.8.8.8' | ipv6only.datacenter.nat64_embed('64:ff9b::/96') }}"

# The site's own NAT64 prefix
upstream_dns64: "{{ '9.9.9.9' | ipv6only.datacenter.nat64_embed(site.nat64_prefix) }}"
"""

RETURN = r"""
_value:
  description: The IPv4-embedded IPv6 address, in compressed form.
  type: str
"""


def nat64_embed(ipv4, prefix):
    """Return the address that embeds ``ipv4`` in the NAT64 ``prefix``."""
    for label, value in (("IPv4 address", ipv4), ("nat64 prefix", prefix)):
        if not isinstance(value, str):
            raise AnsibleFilterError(f"{label} {value!r}: must be a string")
    try:
        return str(embed(str(ipv4), str(prefix)))
    except (PlanError, TypeError, ValueError) as exc:
        raise AnsibleFilterError(str(exc)) from None  # the message is whole: no second copy as its cause


class FilterModule:
    """RFC 6052 embedding."""

    def filters(self):
        return {"nat64_embed": nat64_embed}
