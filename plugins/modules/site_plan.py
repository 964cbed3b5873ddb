#!/usr/bin/python
# SPDX-License-Identifier: GPL-3.0-or-later
# The work is done by the action plugin of the same name, on the controller; this file documents it.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: site_plan
short_description: Compute the site plan once per run, for every play and role to read
version_added: "1.0.0"
description:
  - Validates the site model O(site) and computes its address plan (as the filter
    P(ipv6only.datacenter.address_plan#filter) does), then stores it as the fact C(ipv6only_site_plan) of
    C(localhost), together with a fingerprint of the model (C(ipv6only_site_fingerprint)).
  - When C(localhost) already holds the plan of the same model, it does nothing, so that one C(ansible-playbook)
    run computes the plan once, however many plays and roles need it. A changed model is planned again.
  - Every role of the collection runs it first, through its dependency on the role C(ipv6only.datacenter.contract),
    and then reads C(hostvars['localhost']['ipv6only_site_plan']).
  - Runs on the controller only. Use it with C(run_once), C(delegate_to) C(localhost) and C(delegate_facts).
author:
  - ipv6only.datacenter developers
options:
  site:
    description: The site model, as documented in the collection README.
    type: dict
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  action:
    support: full
  check_mode:
    support: full
    details: It only computes.
  diff_mode:
    support: none
  platform:
    platforms: all
seealso:
  - plugin: ipv6only.datacenter.address_plan
    plugin_type: filter
  - module: ipv6only.datacenter.role_config
"""

EXAMPLES = r"""
- name: Plan the site once per run
  ipv6only.datacenter.site_plan:
    site: "{{ site }}"
  run_once: true
  delegate_to: localhost
  delegate_facts: true

- name: Read it in any later play
  ansible.builtin.debug:
    msg: "{{ hostvars['localhost']['ipv6only_site_plan']['networks'] | length }} networks"
"""

RETURN = r"""
computed:
  description: Whether the plan was computed (false when the stored plan was of the same model).
  returned: success
  type: bool
msg:
  description: What was done, with a summary of the plan when it was computed.
  returned: always
  type: str
"""
