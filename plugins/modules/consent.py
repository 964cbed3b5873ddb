#!/usr/bin/python
# SPDX-License-Identifier: GPL-3.0-or-later
# The work is done by the action plugin of the same name; this file documents it.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: consent
short_description: Dry run of the changes that can cut the jump host off, and the consent they need
version_added: "1.0.0"
description:
  - The one consent mechanism of the collection, for changes to the firewall, the addresses or the routing of a
    node, that is anything that can cut the jump host off.
  - Renders each template of O(files) as the builtin template action would, in check mode (nothing is written),
    and adds every file that would change to O(pending); adds every unit of O(firewall_units) that is not
    active; then decides.
  - Nothing pending, or consent given (C(ipv6_host_allow_disruption=true)), gives RV(may_disrupt=true).
    Otherwise the task fails, listing the changes with the differences of each file and changing nothing; in
    check mode it warns instead and returns RV(may_disrupt=false).
  - A role's own C(<role>_allow_disruption), when set, is a deprecated alias of C(ipv6_host_allow_disruption).
  - When a firewall would change and O(ssh_lockout_check) is on, the task also fails, consent or not, if the SSH
    connection Ansible is using comes from outside O(ssh_allowed), because the new firewall would cut it off.
author:
  - ipv6only.datacenter developers
options:
  files:
    description: Templates that would be written, as for the builtin template module.
    type: list
    elements: dict
    default: []
    suboptions:
      src:
        description: Template, found as the template module finds it (the role's C(templates/)).
        type: str
        required: true
      dest:
        description: File on the host.
        type: str
        required: true
      mode:
        description: File mode.
        type: str
      owner:
        description: File owner.
        type: str
      group:
        description: File group.
        type: str
      firewall:
        description: The file is a firewall configuration (for O(ssh_lockout_check)).
        type: bool
        default: false
  firewall_units:
    description: Units that load a firewall when started; one that is not active is a pending change.
    type: list
    elements: str
    default: []
  pending:
    description: Other pending changes found by dry runs of the role (for example the addresses to add and remove).
    type: list
    elements: str
    default: []
  ssh_allowed:
    description: IPv6 prefixes the new firewall lets SSH in from.
    type: list
    elements: str
    default: []
  ssh_lockout_check:
    description: Refuse a firewall change that would cut off the SSH connection Ansible is using.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  action:
    support: full
  check_mode:
    support: full
    details: It never writes; in check mode it warns instead of failing.
  diff_mode:
    support: full
    details: RV(diff) holds each pending file's before and after.
  platform:
    platforms: posix
seealso:
  - module: ipv6only.datacenter.role_config
"""

EXAMPLES = r"""
- name: Dry run of the changes that can cut the jump host off, and consent
  ipv6only.datacenter.consent:
    files:
      - {src: nftables.conf.j2, dest: /etc/nftables.conf, mode: "0755", firewall: true}
    firewall_units: [nftables.service]
    pending: "{{ __addresses_dry_run.changes }}"
    ssh_allowed: "{{ __ipv6_host.ssh.allowed }}"
  register: __consent
  diff: true

- name: Write the firewall only with consent
  ansible.builtin.template:
    src: nftables.conf.j2
    dest: /etc/nftables.conf
    mode: "0755"
  when: __consent.may_disrupt
"""

RETURN = r"""
may_disrupt:
  description: Whether the role may make the pending changes (nothing pending, or consent given).
  returned: success
  type: bool
pending:
  description: The pending changes, one line each.
  returned: always
  type: list
  elements: str
diff:
  description: Before and after of each file in O(files) that would change.
  returned: always
  type: list
  elements: dict
"""
