#!/usr/bin/python
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

DOCUMENTATION = r"""
---
module: node_addresses
short_description: Put a node's planned IPv6 addresses on its interfaces and remove its IPv4 addresses
version_added: "1.0.0"
description:
  - Adds each address of O(addresses) (one per plan network) on the interface that network is on, and removes
    every IPv4 address except loopback and O(ipv4_allowed). Link-local, SLAAC and other IPv6 addresses stay.
  - A network's interface is O(interfaces[network]) if given, else the interface that already holds an address
    in the network's prefix, else the one with an on-link route for the prefix (learnt from a router
    advertisement), else the node's only non-loopback interface. Anything else is an error naming the
    candidates. This is the collection's one interface resolver; the border router role uses the same rules.
  - The IPv6 addresses are added before anything is removed, so that the node is never left with neither.
  - With O(boot_config), the resolved configuration is also written there (atomically), for the boot unit
    C(ipv6-host-addresses.service) of the ipv6_host role, which re-applies it at boot with the same code
    (C(plugins/module_utils/node_addresses.py), installed as C(/usr/local/sbin/ipv6-host-addresses)).
  - Reads and changes the kernel over netlink with pyroute2.
author:
  - ipv6only.datacenter developers
options:
  addresses:
    description: 'This node''s IPv6 address on each plan network, for example C({mgmt: "2001:db8:100:1::31"}).'
    type: dict
    required: true
  prefixes:
    description: 'The prefix of each network in O(addresses), for example C({mgmt: "2001:db8:100:1::/64"}).'
    type: dict
    required: true
  prefixlen:
    description: Prefix length the addresses are configured with.
    type: int
    default: 64
  interfaces:
    description: 'The interface of some networks, for example C({mgmt: eno1}). The others are found as described.'
    type: dict
    default: {}
  remove_ipv4:
    description: Remove every IPv4 address except loopback and O(ipv4_allowed).
    type: bool
    default: true
  remove_ipv4_from:
    description:
      - Where O(remove_ipv4) removes IPv4. V(all) every interface; V(site) only the interfaces that carry one of
        O(addresses), so that a router's uplink keeps its IPv4.
    type: str
    choices: [all, site]
    default: all
  ipv4_allowed:
    description: IPv4 addresses, or networks containing them, that are kept.
    type: list
    elements: str
    default: []
  boot_config:
    description:
      - File to write the resolved configuration to (JSON, interfaces resolved), for the boot unit. Not written
        when omitted.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports the addresses it would add and remove, and whether O(boot_config) would change.
  diff_mode:
    support: full
    details: The addresses of each interface it would change, before and after, and O(boot_config).
  platform:
    platforms: linux
requirements:
  - pyroute2 0.7 or newer on the managed node (Debian package C(python3-pyroute2))
notes:
  - Turn DHCPv4 off in the host's own network configuration, or it adds IPv4 again.
seealso:
  - module: ipv6only.datacenter.ipv4_listeners
"""

EXAMPLES = r"""
- name: Set the plan's addresses and keep the uplink's IPv4
  ipv6only.datacenter.node_addresses:
    addresses: {mgmt: "2001:db8:100:1::11", servers: "2001:db8:100:10::11"}
    prefixes: {mgmt: "2001:db8:100:1::/64", servers: "2001:db8:100:10::/64"}
    remove_ipv4_from: site
    boot_config: /etc/ipv6-host/addresses.json
"""

RETURN = r"""
interfaces:
  description: The interface each network is on.
  returned: always
  type: dict
  sample: {mgmt: eth0, servers: eth1}
changes:
  description: What was (or in check mode would be) added (C(+)) and removed (C(-)), one line each.
  returned: always
  type: list
  elements: str
  sample: ["+ eth0 2001:db8:100:1::11/64", "- eth0 192.0.2.10/24"]
addresses_changed:
  description: Whether addresses were (or would be) added or removed.
  returned: always
  type: bool
boot_config_changed:
  description: Whether O(boot_config) was (or would be) rewritten.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib  # noqa: E402 (after DOCUMENTATION)

from ansible_collections.ipv6only.datacenter.plugins.module_utils import boot_config  # noqa: E402
from ansible_collections.ipv6only.datacenter.plugins.module_utils import node_addresses as na  # noqa: E402


def _managed(state: dict, name: str) -> set[str]:
    """An interface's addresses that the module manages: all but IPv6 link-local, which it never touches."""
    return {str(a) for a in state["links"][name]["addrs"] if not (a.version == 6 and a.ip.is_link_local)}


def _addresses_text(state: dict, names: list[str]) -> str:
    lines = []
    for name in names:
        addrs = sorted(_managed(state, name))
        lines.append(f"{name}: {' '.join(addrs) or '(none)'}")
    return "\n".join(lines) + "\n"


def _expected_text(state: dict, todo: dict) -> str:
    """The addresses of each changed interface after the changes."""
    lines = []
    for name in sorted({c["interface"] for c in todo["add"] + todo["remove"]}):
        addrs = _managed(state, name)
        addrs -= {c["address"] for c in todo["remove"] if c["interface"] == name}
        addrs |= {c["address"] for c in todo["add"] if c["interface"] == name}
        lines.append(f"{name}: {' '.join(sorted(addrs)) or '(none)'}")
    return "\n".join(lines) + "\n"


def main():
    module = AnsibleModule(
        argument_spec={
            "addresses": {"type": "dict", "required": True},
            "prefixes": {"type": "dict", "required": True},
            "prefixlen": {"type": "int", "default": 64},
            "interfaces": {"type": "dict", "default": {}},
            "remove_ipv4": {"type": "bool", "default": True},
            "remove_ipv4_from": {"type": "str", "choices": ["all", "site"], "default": "all"},
            "ipv4_allowed": {"type": "list", "elements": "str", "default": []},
            "boot_config": {"type": "path"},
        },
        supports_check_mode=True,
    )
    if na.IPRoute is None:
        module.fail_json(msg=missing_required_lib("pyroute2 (Debian: python3-pyroute2)"))
    params = module.params
    config = {
        key: params[key]
        for key in ("addresses", "prefixes", "prefixlen", "remove_ipv4", "remove_ipv4_from", "ipv4_allowed")
    }
    config["interfaces"] = params["interfaces"] or {}
    try:
        with na.IPRoute() as ipr:
            state = na.read_state(ipr)
            todo = na.plan(config, state)
            result = {
                "interfaces": todo["interfaces"],
                "changes": todo["changes"],
                "addresses_changed": todo["changed"],
            }
            diff = []
            if todo["changed"]:
                names = sorted({c["interface"] for c in todo["add"] + todo["remove"]})
                diff.append(
                    {
                        "before_header": "addresses",
                        "after_header": "addresses",
                        "before": _addresses_text(state, names),
                        "after": _expected_text(state, todo),
                    }
                )
                if not module.check_mode:
                    na.apply(config, ipr)
    except na.ConfigError as exc:
        module.fail_json(msg=str(exc))
    except na.NetlinkError as exc:
        module.fail_json(msg=f"netlink: {exc}")

    path = params["boot_config"]
    # The boot unit re-applies exactly what this run resolved (interfaces by name, not by rule).
    result["boot_config_changed"] = bool(path) and boot_config.write(
        module, path, dict(config, interfaces=todo["interfaces"]), diff
    )
    result["changed"] = result["addresses_changed"] or result["boot_config_changed"]
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
