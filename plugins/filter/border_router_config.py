# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter shim: everything one border router renders, computed and checked by the planning library."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ipv6only.datacenter.plugins.module_utils.border_router import OPTIONS, router_config
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError

DOCUMENTATION = r"""
name: border_router_config
version_added: "1.0.0"
short_description: Compute and check a border router's NAT64, DNS64, RA, firewall and BGP configuration
description:
  - Turns the site plan (from P(ipv6only.datacenter.address_plan#filter)), the border router role's options and the
    host's facts into one dictionary that the role's templates print.
  - Checks every rule a daemon would otherwise refuse (or silently accept) first, and raises one error that lists
    every problem, so that bad input fails before the role changes anything.
  - Among the checks are the engines, the RFC 8781 PREF64 lifetime, pool4 ports against
    C(net.ipv4.ip_local_port_range), mappings outside the IPv4 pool, the well-known prefix with non-global IPv4,
    and resolver access opened to the whole internet.
  - A thin shim over C(plugins/module_utils/border_router.py).
positional: router, options, facts
options:
  _input:
    description: The site plan.
    type: dict
    required: true
  router:
    description: The border router's name in the site model.
    type: str
    required: true
  options:
    description: The role's C(border_router_*) variables without the prefix.
    type: dict
    required: true
  facts:
    description:
      - The host's C(ansible_facts), plus C(ip_local_port_range) (for example C("32768 60999")).
    type: dict
    default: {}
seealso:
  - plugin: ipv6only.datacenter.address_plan
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Compute the router's configuration (fails with every problem before any change)
  ansible.builtin.set_fact:
    __border_router: >-
      {{ plan | ipv6only.datacenter.border_router_config(inventory_hostname, options, ansible_facts) }}
"""

RETURN = r"""
_value:
  description:
    - C(nat64), C(dns64), C(ra), C(bgp), C(firewall), C(interfaces) and C(uplinks) sections, plain values only.
  type: dict
"""


def border_router_config(plan, router, options, facts=None):
    """Return the border router configuration for ``router``."""
    if not isinstance(plan, dict):
        raise AnsibleFilterError(f"border_router_config: the plan must be a mapping, not {type(plan).__name__}")
    if not isinstance(options, dict):
        raise AnsibleFilterError(f"border_router_config: options must be a mapping, not {type(options).__name__}")
    try:
        # Converted and checked as role_config does: types, and the syntax of what reaches a config.
        return router_config(plan, str(router), OPTIONS.convert_given(options), dict(facts or {}))
    except PlanError as exc:
        raise AnsibleFilterError(exc.report("the border router configuration")) from None  # printed once
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError(f"border_router_config: the plan lacks or mangles a value: {exc!r}") from exc


class FilterModule:
    """Border router configuration."""

    def filters(self):
        return {"border_router_config": border_router_config}
