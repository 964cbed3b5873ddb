# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter shim: the reverse DNS zones that cover an IPv6 or IPv4 prefix."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ipv6only.datacenter.plugins.module_utils.dnszones import reverse_zones as _reverse_zones
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError

DOCUMENTATION = r"""
name: reverse_zones
version_added: "1.0.0"
short_description: List the reverse DNS zones that cover an IPv6 or IPv4 prefix
description:
  - Returns the names of the C(ip6.arpa) or C(in-addr.arpa) zones that together cover O(_input).
  - A prefix on a nibble (IPv6) or octet (IPv4) boundary gives one zone. Any other IPv6 length, and any other
    IPv4 length up to /24, expands to the zones of the next boundary, so an IPv6 /29 gives 8 zones and an IPv4 /22
    gives 4 zones.
  - An IPv4 prefix longer than /24 gives its enclosing /24 zone, since RFC 2317 classless delegation is done
    by the operator of that zone.
  - Invalid input raises an error naming the value and the rule.
positional: _input
options:
  _input:
    description: An IPv6 or IPv4 prefix in CIDR notation. Host bits must be zero.
    type: str
    required: true
"""

EXAMPLES = r"""
# => ["0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa"]
zones: "{{ '2001:db8:100::/48' | ipv6only.datacenter.reverse_zones }}"

# => ["100.51.198.in-addr.arpa"]
v4_zones: "{{ '198.51.100.0/24' | ipv6only.datacenter.reverse_zones }}"

# An IPv4 /22 gives 4 zones, an IPv6 /29 gives 8
count: "{{ '198.51.100.0/22' | ipv6only.datacenter.reverse_zones | length }}"
"""

RETURN = r"""
_value:
  description: Zone names, without a trailing dot, in address order.
  type: list
  elements: str
"""


def reverse_zones(prefix):
    """Return the reverse zone names covering ``prefix``."""
    if not isinstance(prefix, str):
        raise AnsibleFilterError(f"prefix {prefix!r}: must be a string")
    try:
        return [str(zone) for zone in _reverse_zones(str(prefix))]
    except (PlanError, TypeError, ValueError) as exc:
        raise AnsibleFilterError(str(exc)) from None  # the message is whole: no second copy as its cause


class FilterModule:
    """Reverse DNS zones."""

    def filters(self):
        return {"reverse_zones": reverse_zones}
