#!/usr/bin/python
# SPDX-License-Identifier: GPL-3.0-or-later
# The work is done by the action plugin of the same name, on the controller; this file documents it.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: role_config
short_description: Build a role's whole checked configuration for this host, from the site plan and the role's options
version_added: "1.0.0"
description:
  - The one entry of every role of the collection into its builder, the Python module
    C(plugins/module_utils/<role>.py) of the role's collection, which holds the role's option table and its
    C(build) function (see C(plugins/module_utils/contract.py)).
  - Reads every option of the role's table from the role's variables (C(<role>_<option>)), renders them, and
    converts each to its declared type, so that C(-e border_router_dns64_allow_force=false) is the boolean
    false. A value that does not convert is refused with the variable, the value and the rule.
  - Passes the builder the site plan of the run (C(hostvars['localhost']['ipv6only_site_plan']), see
    M(ipv6only.datacenter.site_plan)), the converted options, and the host's facts, with what other roles
    published on the host (their local facts C(ipv6only_<role>) and this run's C(contract_published)) and the
    files the builder asks to read, and the node's one map of interfaces (the host variable
    C(ipv6_host_interfaces), the interface of each network) as the fact C(ipv6_host_interfaces). Missing facts the
    builder needs are gathered.
  - Returns the builder's configuration, which the role registers and its tasks and templates print. Every
    problem is reported at once, before the role changes anything.
author:
  - ipv6only.datacenter developers
options:
  role:
    description: The role, C(namespace.collection.role). Default is the role this task is in.
    type: str
  plan:
    description: A site plan to use instead of the run's (for rendering checks).
    type: dict
  facts:
    description: Facts to add to or replace in the host's (for rendering checks).
    type: dict
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  action:
    support: full
  check_mode:
    support: full
    details: It only reads the host.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: ipv6only.datacenter.site_plan
  - module: ipv6only.datacenter.consent
"""

EXAMPLES = r"""
# roles/<role>/tasks/check.yml
- name: Build this node's configuration (every check, before any change)
  ipv6only.datacenter.role_config:
  register: __border_router
"""

RETURN = r"""
_config:
  description: The builder's configuration, at the top level of the result (its sections differ per role).
  returned: success
  type: dict
"""
