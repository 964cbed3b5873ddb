# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin: dry run of the changes that can cut the jump host off, and consent (docs: modules/consent.py)."""

from __future__ import annotations

import difflib
import ipaddress

from ansible.plugins.action import ActionBase

from ansible_collections.ipv6only.datacenter.plugins.module_utils.contract import to_bool
from ansible_collections.ipv6only.datacenter.plugins.plugin_utils.plain import plain

# The one consent flag of the collection (linux-system-roles/network's network_allow_restart pattern).
CONSENT_VAR = "ipv6_host_allow_disruption"


class ActionModule(ActionBase):
    _VALID_ARGS = frozenset({"files", "firewall_units", "pending", "ssh_allowed", "ssh_lockout_check"})

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = plain(self._task.args)
        host = task_vars.get("inventory_hostname", "this host")
        check_mode = bool(self._task.check_mode)
        try:
            consent = self._consent(task_vars)
        except ValueError as exc:
            return {**result, "failed": True, "msg": str(exc)}

        pending = [str(item) for item in args.get("pending") or []]
        diffs, firewall = [], False
        for spec in args.get("files") or []:
            dry = self._dry_run(spec, task_vars)
            if dry.get("failed"):
                return {**result, "failed": True, "msg": f"dry run of {spec.get('dest')}: {dry.get('msg')}"}
            if dry.get("changed"):
                pending.append(f"{spec['dest']} would change")
                diffs += [
                    {**d, "before_header": spec["dest"], "after_header": f"{spec['dest']} (this run)"}
                    for d in dry.get("diff") or []
                    if d.get("before") != d.get("after")
                ]
                firewall = firewall or bool(spec.get("firewall"))
        for unit in args.get("firewall_units") or []:
            state = self._low_level_execute_command(f"systemctl is-active {unit}", sudoable=True)
            status = (state.get("stdout") or "").strip() or "unknown"
            if status != "active":
                pending.append(f"{unit} would be started, loading its firewall (it is {status})")
                firewall = True

        out = {**result, "changed": False, "pending": pending, "diff": diffs}
        if firewall and args.get("ssh_allowed") and to_bool(args.get("ssh_lockout_check", True)):
            client = self._ssh_client()
            allowed = [ipaddress.ip_network(str(p), strict=False) for p in args["ssh_allowed"]]
            if client and not _admitted(client, allowed):
                return {
                    **out,
                    "failed": True,
                    "msg": f"refusing to load a firewall on {host} that would cut off this Ansible connection: it "
                    f"comes from {client}, which is not in the SSH allow-list {', '.join(map(str, allowed))} (and "
                    "IPv4 is dropped). Connect from the jump prefix, extend ipv6_host_ssh_allowed_prefixes, or set "
                    "ipv6_host_ssh_lockout_check=false if another path will remain.",
                }

        out["may_disrupt"] = consent or not pending
        if out["may_disrupt"]:
            out["msg"] = (
                "no change that can cut the jump host off" if not pending else "consented: " + "; ".join(pending)
            )
            return out
        if check_mode:
            out["msg"] = f"check mode: a real run would refuse these changes without {CONSENT_VAR}=true: " + "; ".join(
                pending
            )
            out.setdefault("warnings", []).append(out["msg"])
            return out
        return {
            **out,
            "failed": True,
            "msg": f"{host} has changes pending that can cut the jump host off: {'; '.join(pending)}. Nothing was "
            f"changed. Review them (the differences follow), then consent with -e {CONSENT_VAR}=true (or set it in "
            "the inventory for this host)." + "".join(f"\n\n{_unified(d)}" for d in diffs),
        }

    def _consent(self, task_vars: dict) -> bool:
        """The consent flag, or the calling role's deprecated alias of it (<role>_allow_disruption) when set.

        (role_config warns about the alias, from the role's option table.)
        """
        name, value = CONSENT_VAR, task_vars.get(CONSENT_VAR, False)
        role = self._task._role.get_name().split(".")[-1] if self._task._role else None
        alias = f"{role}_allow_disruption" if role else None
        if alias and alias != CONSENT_VAR and alias in task_vars:
            aliased = plain(self._templar.template(task_vars[alias]))
            if aliased is not None:
                name, value = alias, aliased
        value = plain(self._templar.template(value))
        try:
            return to_bool(value)
        except ValueError:
            raise ValueError(f"{name} {value!r}: must be a boolean: true or false") from None

    def _dry_run(self, spec: dict, task_vars: dict) -> dict:
        """The builtin template action in check mode with diff: renders, compares, writes nothing."""
        task = self._task.copy()
        task.args = {key: spec[key] for key in ("src", "dest", "mode", "owner", "group") if key in spec}
        task.check_mode = True
        task.diff = True
        action = self._shared_loader_obj.action_loader.get(
            "ansible.builtin.template",
            task=task,
            connection=self._connection,
            play_context=self._play_context,
            loader=self._loader,
            templar=self._templar,
            shared_loader_obj=self._shared_loader_obj,
        )
        return action.run(task_vars=task_vars)

    def _ssh_client(self) -> str | None:
        """The address this SSH connection comes from (None over other connections)."""
        found = self._low_level_execute_command('echo "$SSH_CLIENT"', sudoable=False)
        words = (found.get("stdout") or "").split()
        return words[0] if words else None


def _admitted(client: str, allowed: list) -> bool:
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    return address.version == 6 and any(address in net for net in allowed if net.version == 6)


def _unified(diff: dict) -> str:
    lines = difflib.unified_diff(
        str(diff.get("before") or "").splitlines(),
        str(diff.get("after") or "").splitlines(),
        fromfile=str(diff.get("before_header") or "before"),
        tofile=str(diff.get("after_header") or "after"),
        lineterm="",
    )
    return "\n".join(lines)
