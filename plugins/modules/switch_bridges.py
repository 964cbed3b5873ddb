#!/usr/bin/python
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

DOCUMENTATION = r"""
---
module: switch_bridges
short_description: Make a switch's bridges, ports and MLD snooping knobs match its plan
version_added: "1.0.0"
description:
  - Creates one Linux bridge per entry of O(bridges) with its options (MLD snooping, the querier and its timers),
    turns IPv6 router advertisements and autoconfiguration off on it before it comes up (a switch has an address on
    its management network only; its bridges keep the link-local address the querier needs), enslaves the ports and
    brings everything up.
  - A port on one of these bridges that is not listed is released. A bridge of the previous O(boot_config) that is
    no longer listed is deleted; other bridges are never touched.
  - Reads the kernel with C(ip -details -json link show) and changes it with C(ip link), over netlink (C(/sys) is
    read-only in containers).
  - With O(boot_config), the configuration is also written there (atomically), for the boot unit
    C(switch-bridges.service) of the switch role, which applies it again at boot with the same code
    (C(plugins/module_utils/switch_bridges.py), installed as C(/usr/local/sbin/switch-bridges)).
author:
  - ipv6only.datacenter developers
options:
  bridges:
    description:
      - 'The bridges, each C({name, ports, options}). C(options) uses the names of C(ip link set ... type bridge),
        for example C({mcast_snooping: 1, mcast_querier: 1, mcast_mld_version: 2}).'
    type: list
    elements: dict
    required: true
  boot_config:
    description: File to write the configuration to (JSON), for the boot unit. Not written when omitted.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports the changes it would make, and whether O(boot_config) would change.
  diff_mode:
    support: full
    details: The changes, and O(boot_config) before and after.
  platform:
    platforms: linux
requirements:
  - iproute2 5.10 or newer on the managed node (C(mcast_mld_version))
seealso:
  - module: ipv6only.datacenter.node_addresses
"""

EXAMPLES = r"""
- name: Bridge the servers network on swp1 and swp3, with an MLD querier
  ipv6only.datacenter.switch_bridges:
    bridges:
      - name: br-servers
        ports: [swp1, swp3]
        options: {mcast_snooping: 1, mcast_querier: 1, mcast_mld_version: 2}
    boot_config: /etc/switch/bridges.json
"""

RETURN = r"""
changes:
  description: One line per change, such as C(+ bridge br-servers) or C(+ swp3 on br-servers).
  returned: always
  type: list
  elements: str
bridges_changed:
  description: Whether the kernel's bridges differed from O(bridges).
  returned: always
  type: bool
boot_config_changed:
  description: Whether O(boot_config) was (or in check mode would be) rewritten.
  returned: always
  type: bool
"""

import json  # noqa: E402 (Ansible modules import after DOCUMENTATION)

from ansible.module_utils.basic import AnsibleModule  # noqa: E402 (after DOCUMENTATION)

from ansible_collections.ipv6only.datacenter.plugins.module_utils import boot_config  # noqa: E402
from ansible_collections.ipv6only.datacenter.plugins.module_utils import switch_bridges as sb  # noqa: E402


def main():
    module = AnsibleModule(
        argument_spec={
            "bridges": {"type": "list", "elements": "dict", "required": True},
            "boot_config": {"type": "path"},
        },
        supports_check_mode=True,
    )
    config = {"bridges": module.params["bridges"]}
    path = module.params["boot_config"]
    current = boot_config.read(path) if path else ""
    try:
        previous = json.loads(current) if current else None
    except ValueError:
        previous = None  # a broken file names no bridge to delete; it is rewritten below

    def run(argv: list[str]) -> str:
        rc, out, err = module.run_command(argv, check_rc=False)
        if rc != 0:
            raise sb.ConfigError(f"{' '.join(argv[1:])}: {err.strip() or out.strip()}")
        return out

    try:
        todo = sb.plan(config, sb.read_state(run, sb.read_sysctl), previous)
        if todo["changed"] and not module.check_mode:
            sb.apply(config, run, sb.read_sysctl, sb.write_sysctl, previous)
    except sb.ConfigError as exc:
        module.fail_json(msg=str(exc))
    result = {"changes": todo["changes"], "bridges_changed": todo["changed"], "boot_config_changed": False}
    diff = []
    if todo["changed"]:
        diff.append(
            {
                "before_header": "bridges",
                "after_header": "bridges",
                "before": "",
                "after": "\n".join(todo["changes"]) + "\n",
            }
        )
    result["boot_config_changed"] = bool(path) and boot_config.write(module, path, config, diff)
    result["changed"] = result["bridges_changed"] or result["boot_config_changed"]
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
