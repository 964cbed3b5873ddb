# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin: a role's checked configuration from its builder (docs: plugins/modules/role_config.py)."""

from __future__ import annotations

import base64
import importlib

from ansible.plugins.action import ActionBase
from ansible.vars.clean import namespace_facts

from ansible_collections.ipv6only.datacenter.plugins.module_utils.contract import Option
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError
from ansible_collections.ipv6only.datacenter.plugins.module_utils.node_addresses import INTERFACES_VAR
from ansible_collections.ipv6only.datacenter.plugins.plugin_utils.plain import plain
from ansible_collections.ipv6only.datacenter.plugins.plugin_utils.run_plan import PLAN_FACT, localhost_fact

# What roles publish for other roles on the same host: local facts ipv6only_<role> (/etc/ansible/facts.d),
# overridden by what was published earlier in this run (set by the contract's publish.yml).
PUBLISHED_PREFIX = "ipv6only_"
PUBLISHED_VAR = "contract_published"
# The node's one map of interfaces, {network: ifname}: every builder gets it as facts[INTERFACES_VAR].
NAMED_INTERFACES = Option("interfaces", "dict", {})


def load_builder(fqcn: str):
    """The builder module of role ``namespace.collection.role``: plugins/module_utils/<role>.py of its collection."""
    parts = fqcn.split(".")
    if len(parts) != 3:
        raise ValueError(f"role {fqcn}: give the role's full name, namespace.collection.role")
    namespace, collection, role = parts
    module = importlib.import_module(f"ansible_collections.{namespace}.{collection}.plugins.module_utils.{role}")
    for needed in ("OPTIONS", "build"):
        if not hasattr(module, needed):
            raise ValueError(f"role {fqcn}: its builder plugins/module_utils/{role}.py defines no {needed}")
    return role, module


class ActionModule(ActionBase):
    _VALID_ARGS = frozenset({"role", "plan", "facts"})

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        fqcn = self._task.args.get("role") or (self._task._role.get_name() if self._task._role else None)
        if not fqcn:
            return {**result, "failed": True, "msg": "role_config: outside a role, name the role in `role`"}
        try:
            role, builder = load_builder(str(fqcn))
        except (ImportError, ValueError) as exc:
            return {**result, "failed": True, "msg": f"role_config: {exc}"}
        host = task_vars.get("inventory_hostname", "this host")
        table = builder.OPTIONS

        raw, warnings = {}, []
        for option in table:
            var = table.var(option.name)
            value = plain(self._templar.template(task_vars.get(var, option.default)))
            raw[option.name] = value
            default = option.default if not option.jinja else None
            if option.deprecated and var in task_vars and value != default:
                warnings.append(f"{var} is deprecated: {option.deprecated}")
        try:
            options = table.convert(raw)
        except PlanError as exc:
            return {**result, "failed": True, "msg": exc.report(f"the {role} options of {host}")}

        plan = self._task.args.get("plan") or options.get("plan") or localhost_fact(task_vars, PLAN_FACT)
        if not plan:
            return {
                **result,
                "failed": True,
                "msg": f"{role}: no site plan. Define `site` (the site model): the role's dependency "
                "ipv6only.datacenter.contract plans it once per run.",
            }
        plan = plain(plan)

        facts, gathered = self._facts(builder, task_vars)
        if INTERFACES_VAR not in facts:
            problems = []
            value = plain(self._templar.template(task_vars.get(INTERFACES_VAR, {})))
            facts[INTERFACES_VAR] = NAMED_INTERFACES.convert(value, INTERFACES_VAR, problems) or {}
            if problems:
                return {**result, "failed": True, "msg": PlanError(problems).report(f"the {role} options of {host}")}
        published = {
            key[len(PUBLISHED_PREFIX) :]: value
            for key, value in (facts.get("ansible_local") or {}).items()
            if key.startswith(PUBLISHED_PREFIX)
        }
        published.update(plain(task_vars.get(PUBLISHED_VAR) or {}))
        facts.setdefault("published", published)
        if "files" not in facts:
            reads = builder.reads(options) if hasattr(builder, "reads") else {}
            facts["files"] = {key: self._read(path, task_vars) for key, path in reads.items()}

        try:
            config = builder.build(plan, options, facts)
        except PlanError as exc:
            return {**result, "failed": True, "msg": exc.report(f"the {role} configuration of {host}")}
        warnings += config.pop("warnings", [])
        out = {**result, **config, "changed": False}
        if gathered:
            out["ansible_facts"] = gathered
        if warnings:
            out["warnings"] = warnings
        return out

    def _facts(self, builder, task_vars: dict) -> tuple[dict, dict]:
        """The host's facts and the task's `facts`, gathering the builder's subsets when a fact it needs is missing."""
        facts = {**plain(task_vars.get("ansible_facts") or {}), **plain(self._task.args.get("facts") or {})}
        needed = getattr(builder, "FACTS", ())
        if all(key in facts for key in needed):
            return facts, {}
        subsets = ["!all", "!min", *getattr(builder, "GATHER_SUBSET", ())]
        found = self._execute_module(
            module_name="ansible.builtin.setup", module_args={"gather_subset": subsets}, task_vars=task_vars
        )
        gathered = namespace_facts(found.get("ansible_facts") or {})["ansible_facts"]
        facts.update(gathered)
        return facts, gathered

    def _read(self, path: str, task_vars: dict) -> str | None:
        """A file of the host (None when it does not exist)."""
        found = self._execute_module(
            module_name="ansible.builtin.slurp", module_args={"src": path}, task_vars=task_vars
        )
        if found.get("failed"):
            return None
        return base64.b64decode(found["content"]).decode("utf-8", errors="replace")
