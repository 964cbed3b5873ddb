# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin: the site plan, computed once per ansible-playbook run (docs: plugins/modules/site_plan.py)."""

from __future__ import annotations

import hashlib
import json

from ansible.plugins.action import ActionBase

from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.siteplan import build_plan
from ansible_collections.ipv6only.datacenter.plugins.plugin_utils.plain import plain
from ansible_collections.ipv6only.datacenter.plugins.plugin_utils.run_plan import (
    FINGERPRINT_FACT,
    PLAN_FACT,
    localhost_fact,
)


def fingerprint(site: object) -> str:
    """Identifies a site model: the plan is reused only for the very same model."""
    return hashlib.sha256(json.dumps(site, sort_keys=True, default=str).encode()).hexdigest()


class ActionModule(ActionBase):
    _VALID_ARGS = frozenset({"site"})
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if "site" not in self._task.args:
            return {**result, "failed": True, "msg": "site_plan: `site` (the site model) is required"}
        site = plain(self._task.args["site"])
        if not isinstance(site, dict):
            return {
                **result,
                "failed": True,
                "msg": f"site: the site model must be a mapping, not {type(site).__name__}",
            }
        digest = fingerprint(site)
        if localhost_fact(task_vars, FINGERPRINT_FACT) == digest:
            return {**result, "changed": False, "computed": False, "msg": "the site plan of this run is current"}
        try:
            plan = build_plan(site)
        except PlanError as exc:
            return {**result, "failed": True, "msg": str(exc)}
        summary = (
            f"site {plan['name']}: {len(plan['networks'])} networks, {len(plan['hosts'])} hosts, "
            f"{len(plan['vms'])} VMs, {len(plan['customers'])} customers, NAT64 {plan['nat64']['prefix']}"
        )
        return {
            **result,
            "changed": False,
            "computed": True,
            "msg": f"planned {summary}",
            "ansible_facts": {PLAN_FACT: plan, FINGERPRINT_FACT: digest},
        }
