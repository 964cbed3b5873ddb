#!/usr/bin/python
# Copyright: (c) 2025, ipv6only.datacenter contributors
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

DOCUMENTATION = r"""
---
module: jool_state
short_description: Read the running Jool NAT64 and SIIT instances, and say whether pool6 forces a recreate
version_added: "1.0.0"
description:
  - Asks the kernel, through C(jool) and C(jool_siit), which instances run and which pool6 the NAT64 instance
    O(instance) translates with (C(jool --instance INSTANCE global display)).
  - Jool cannot change the pool6 of a live NAT64 instance. When the running pool6 differs from O(pool6), the
    instance must be removed and created again, which drops every session; RV(recreate) says so.
  - The decision is taken against the running instance, not against the last rendered file, so a run that was
    interrupted between rendering and applying does not leave the kernel on the old prefix.
  - The module only reads; it never changes anything, so it is safe in check mode.
author:
  - ipv6only.datacenter contributors
options:
  instance:
    description:
      - The NAT64 instance's name. The SIIT instance that holds the EAM table is O(instance) with C(-eam).
    type: str
    required: true
  pool6:
    description: The pool6 the NAT64 instance should have, such as C(64:ff9b::/96).
    type: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only runs Jool's display commands.
  diff_mode:
    support: none
  platform:
    platforms: linux
requirements:
  - Jool 4.1 (C(jool-tools)) and its kernel modules on the managed node
seealso:
  - name: Jool's userspace tools
    description: C(instance display), C(global display) and C(file handle).
    link: https://nicmx.github.io/Jool/en/usr-flags-instance.html
"""

EXAMPLES = r"""
- name: Look at the running Jool
  ipv6only.datacenter.jool_state:
    instance: border
    pool6: 2001:db8:100:64::/96
  register: jool

- name: Recreate the NAT64 instance, because pool6 changed
  ansible.builtin.command:
    argv: [jool, instance, remove, border]
  when: jool.recreate
"""

RETURN = r"""
nat64_running:
  description: Whether the NAT64 instance O(instance) exists.
  returned: always
  type: bool
siit_running:
  description: Whether the SIIT instance C(<instance>-eam) exists.
  returned: always
  type: bool
running_pool6:
  description: The running NAT64 instance's pool6, V(null) when it does not run, empty when it has none.
  returned: always
  type: str
  sample: 2001:db8:100:64::/96
recreate:
  description: Whether the running NAT64 instance has another pool6 and must be removed before it is configured.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402 (Ansible modules import after DOCUMENTATION)

from ansible_collections.ipv6only.datacenter.plugins.module_utils.jool import (  # noqa: E402
    instance_names,
    running_state,
)


def main() -> None:
    module = AnsibleModule(
        argument_spec={"instance": {"type": "str", "required": True}, "pool6": {"type": "str", "required": True}},
        supports_check_mode=True,
    )
    instance = module.params["instance"]

    def display(*argv: str) -> str:
        rc, out, err = module.run_command([module.get_bin_path(argv[0], required=True), *argv[1:]])
        if rc != 0:
            module.fail_json(msg=f"{' '.join(argv)} failed (rc {rc}): {err.strip() or out.strip()}")
        return out

    nat64_instances = display("jool", "instance", "display", "--csv", "--no-headers")
    siit_instances = display("jool_siit", "instance", "display", "--csv", "--no-headers")
    nat64_globals = ""  # only a running instance has globals to show
    if instance in instance_names(nat64_instances):
        nat64_globals = display("jool", "--instance", instance, "global", "display", "--csv", "--no-headers")
    state = running_state(instance, nat64_instances, nat64_globals, siit_instances, module.params["pool6"])
    module.exit_json(changed=False, **state)


if __name__ == "__main__":
    main()
