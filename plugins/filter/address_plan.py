# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter shim: build the site's address plan from the site model."""

from __future__ import annotations

import gc
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan
from ansible_collections.ipv6only.datacenter.plugins.plugin_utils.plain import plain

DOCUMENTATION = r"""
name: address_plan
version_added: "1.0.0"
short_description: Build the address plan of a site from its site model
description:
  - Validates the site model O(_input) and returns the complete address plan of the site.
  - The plan holds a /64 per network (and its IPv4 subnet and gateway where one is given), an address per host,
    IPv6 (EUI-64 from the MAC, or the static id) and optional IPv4 per VM, the RFC 7757 EAM pairs of the
    C(ipv4_mapping) VMs, the NAT64 prefix and pool4, proxy backends per protocol, a /48 per customer,
    and every DNS record and reverse zone.
  - The whole model is validated before anything is computed, and every problem is reported in one error,
    each naming the key path, the value and the rule.
  - The site model is documented in the collection README.
  - A thin shim over the collection's planning library (C(plugins/module_utils/siteplan.py)).
positional: _input
options:
  _input:
    description: The site model, normally the C(site) variable from C(inventories/<site>/group_vars/all/).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Compute the plan once
  ansible.builtin.set_fact:
    plan: "{{ site | ipv6only.datacenter.address_plan }}"

- name: Then read it
  ansible.builtin.set_fact:
    vms_prefix: "{{ plan.networks.vms.prefix }}"            # 2001:db8:100:2::/64
    vms_gateway: "{{ plan.networks.vms.ipv4.gateway }}"     # 198.51.100.1
    web1_ipv6: "{{ plan.vms.web1.ipv6 }}"                   # EUI-64 from its MAC
    web1_ipv4: "{{ plan.vms.web1.ipv4 }}"                   # null without dual-stack IPv4
    eam_pairs: "{{ plan.nat64.eam }}"
    aaaa_records: "{{ plan.dns.records | selectattr('type', 'eq', 'AAAA') }}"
"""

RETURN = r"""
_value:
  description:
    - The address plan, a dict of plain values. Addresses and prefixes are compressed strings, DNS names have no
      trailing dot, and C(networks), C(hosts), C(vms) and C(customers) are dicts by name in the model's order.
    - Also holds the site's C(name), C(domain), C(prefix), C(customer_prefix), C(jump_prefix) and
      C(management_network).
  type: dict
  contains:
    networks:
      description: Per network, its C(prefix) (/64), and C(ipv4) (C(subnet), C(gateway), C(prefixlen)) or null.
      type: dict
    hosts:
      description:
        - Per host, its C(ipv6) address on C(network), C(addresses) (its address on each network it is on, C(network)
          first), C(prefixlen) and C(fqdn).
      type: dict
    vms:
      description:
        - Per VM, its C(ipv6) address, C(addresses) (by network, as for hosts), C(ipv4) (null when it has
          none), C(ipv4_mapping) (null when it has none), C(network), C(prefixlen), C(mac), C(proxy) and C(fqdn).
      type: dict
    customers:
      description: Per customer, its C(prefix) (/48).
      type: dict
    nat64:
      description: >-
        The NAT64 C(prefix), whether it is C(well_known), the C(pool4) and the RFC 7757 C(eam) entries
        (C(ipv4), C(ipv6), C(vm), and C(ports), null for every port or the VM's C(ipv4_mapping_ports)).
      type: dict
    ipv4:
      description: The IPv4 C(pool), its C(pool4) block, and how many mapping addresses are used and free.
      type: dict
    proxy:
      description: Per service (C(http), C(https), C(smtp)), the VMs proxied to.
      type: dict
    dns:
      description: The DNS64 C(resolvers), every forward and PTR record (C(records)), the C(reverse_zones) of the
        site, and the C(dns64_reverse_zones) of the NAT64 prefix.
      type: dict
"""


def address_plan(site):
    """Return the address plan built from the site model ``site``."""
    if not isinstance(site, Mapping):
        raise AnsibleFilterError(f"site {site!r}: the site model must be a dict")
    # Like build_plan, the conversion makes many small objects and no cycles: keep the collector out of it.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return build_plan(plain(site))
    except (PlanError, TypeError, ValueError) as exc:
        raise AnsibleFilterError(str(exc)) from None  # the message is whole: no second copy as its cause
    finally:
        if gc_was_enabled:
            gc.enable()


class FilterModule:
    """The site address plan."""

    def filters(self):
        return {"address_plan": address_plan}
