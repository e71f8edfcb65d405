"""``terraform show -json`` plans into the same model as HCL modules.

A plan knows what HCL can only guess: every variable is bound, ``count`` and
``for_each`` are expanded (so ``aws_s3_bucket.x[0]`` and ``[1]`` are separate
entities), and most values are final.  What it does not know at plan time
(an ARN, an id) is simply absent from ``planned_values``; for those, the
``configuration`` section still says which resource an argument refers to,
and that is how split-out settings find their bucket and functions their
role.  Entities are built by the same ``build`` as HCL, so every
rule holds for plans too.  Locations point into the plan file (one line for a
minified plan: the column then tells where).
"""

from __future__ import annotations

import json
import re
from typing import Any

from iac_lint.model import LMap, Location, Template, Unknown, loc_of
from iac_lint.parsers.source import ParseOptions
from iac_lint.parsers.terraform.build import build_template
from iac_lint.parsers.terraform.instances import Instance
from iac_lint.parsers.terraform.policy import document_from_policy_data
from iac_lint.parsers.terraform.values import locate

_INDEX = re.compile(r"\[[^\]]*\]$")


def _strip_index(address: str) -> tuple[str, str]:
    match = _INDEX.search(address)
    return (address[:match.start()], match.group(0)) if match else (address, "")


def _config_key(base: str) -> str:
    """``module.a["x"].aws_s3_bucket.y`` -> ``module.a.aws_s3_bucket.y``: how the configuration names it."""
    return re.sub(r'(module\.[A-Za-z0-9_-]+)\[[^\]]*\]', r"\1", base)


def _module_prefix(config_key: str, mode: str) -> str:
    segments = config_key.split(".")
    own = 3 if mode == "data" else 2
    return ".".join(segments[:-own]) + "." if len(segments) > own else ""


def parse_plan(data: Any, path: str, options: ParseOptions | None = None) -> Template:
    tpl = Template(path=path, format="terraform-plan")
    if not isinstance(data, dict):
        tpl.problem("E001", "plan is not a JSON object", loc_of(data) or Location(path, 1, 1))
        return tpl
    reader = _PlanReader(tpl, data, path)
    reader.read()
    build_template(tpl, reader, reader.instances, fmt="terraform-plan")
    return tpl


class _PlanReader:
    def __init__(self, tpl: Template, data: Any, path: str) -> None:
        self.tpl = tpl
        self.data = data
        self.path = path
        self.instances: list[Instance] = []
        # id(values map) -> (values map, configuration expressions, module prefix, index)
        self.origins: dict[int, tuple[Any, Any, str, str]] = {}
        self.config: dict[str, Any] = {}  # "module.m.aws_s3_bucket.x" -> configuration resource
        self.by_base: dict[str, list[Instance]] = {}

    def read(self) -> None:
        configuration = self.data.get("configuration")
        if isinstance(configuration, dict):
            self.read_configuration(configuration.get("root_module"), "")
        seen: set[str] = set()
        planned = self.data.get("planned_values")
        if isinstance(planned, dict):
            self.read_module(planned.get("root_module"), seen)
        elif "values" in self.data:  # `terraform show -json` of a state: same shape under "values"
            values = self.data.get("values")
            if isinstance(values, dict):
                self.read_module(values.get("root_module"), seen)
        prior = self.data.get("prior_state")
        if isinstance(prior, dict) and isinstance(prior.get("values"), dict):
            # Data sources read during planning live in the prior state only.
            self.read_module(prior["values"].get("root_module"), seen, data_only=True)
        if not self.instances and not isinstance(planned, dict):
            self.tpl.problem("E001", "no planned_values: not a `terraform show -json` plan", loc_of(self.data)
                             or Location(self.path, 1, 1))

    def read_configuration(self, module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for res in module.get("resources") or []:
            if isinstance(res, dict) and isinstance(res.get("address"), str):
                self.config[prefix + str(res["address"])] = res
        calls = module.get("module_calls")
        if isinstance(calls, dict):
            for name, call in calls.items():
                if isinstance(call, dict):
                    self.read_configuration(call.get("module"), f"{prefix}module.{name}.")

    def read_module(self, module: Any, seen: set[str], data_only: bool = False) -> None:
        if not isinstance(module, dict):
            return
        for res in module.get("resources") or []:
            if not isinstance(res, dict) or not isinstance(res.get("address"), str):
                continue
            address = str(res["address"])
            mode = res.get("mode", "managed")
            if address in seen or (data_only and mode != "data"):
                continue
            seen.add(address)
            values = res.get("values")
            if not isinstance(values, LMap):
                values = LMap(loc=loc_of(res))
            base, index = _strip_index(address)
            config_key = _config_key(base)
            prefix = _module_prefix(config_key, str(mode))
            rtype = str(res.get("type", ""))
            config = self.config.get(config_key)
            self.register(values, (config or {}).get("expressions"), prefix, index)
            inst = Instance(key=address, id=address, type=rtype, name=str(res.get("name", "")), props=values,
                            loc=loc_of(res) or Location(self.path, 1, 1), file=self.path,
                            mode="data" if mode == "data" else "managed", multi=False)
            self.instances.append(inst)
            self.by_base.setdefault(config_key, []).append(inst)
        for child in module.get("child_modules") or []:
            self.read_module(child, seen, data_only)

    def register(self, values: Any, expressions: Any, prefix: str, index: str) -> None:
        """Remember which configuration expressions each (nested) values map came from."""
        if not isinstance(values, dict):
            return
        self.origins[id(values)] = (values, expressions if isinstance(expressions, dict) else {}, prefix, index)
        for key, value in values.items():
            if isinstance(value, list):
                nested = expressions.get(key) if isinstance(expressions, dict) else None
                for i, item in enumerate(value):
                    sub = nested[i] if isinstance(nested, list) and i < len(nested) else (
                        nested[0] if isinstance(nested, list) and nested else None)
                    self.register(item, sub, prefix, index)

    # --- References ------------------------------------------------------------------------

    def _expression(self, node: Any, key: str) -> tuple[Any, str, str] | None:
        found = self.origins.get(id(node))
        if found is None or found[0] is not node:
            return None
        _, expressions, prefix, index = found
        return expressions.get(key), prefix, index

    def refs(self, node: Any, key: str) -> list[str]:
        found = self._expression(node, key)
        if found is None or not isinstance(found[0], dict):
            return []
        expression, prefix, index = found
        out: list[str] = []
        for ref in expression.get("references") or []:
            parts = str(ref).split(".")
            if parts[0] in ("var", "local", "each", "count", "path", "self", "terraform", "module"):
                continue
            base = ".".join(parts[:3]) if parts[0] == "data" else ".".join(parts[:2])
            base = _strip_index(base)[0]
            candidates = self.by_base.get(prefix + base, [])
            same = [c for c in candidates if _strip_index(c.key)[1] == index]
            for inst in same or candidates:
                if inst.key not in out:
                    out.append(inst.key)
        return out

    def document(self, node: Any, key: str) -> Any:
        value = node.get(key) if isinstance(node, dict) else None
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and value.strip():
            try:
                return locate(json.loads(str(value)), loc_of(value) or Location(self.path, 1, 1))
            except ValueError:
                return Unknown(str(value)[:200])
        for ref in self.refs(node, key):
            inst = next((i for i in self.instances if i.key == ref), None)
            if inst is not None and inst.type == "aws_iam_policy_document":
                return document_from_policy_data(inst.props, inst.loc)
        return None if value is None and not self.refs(node, key) else Unknown(f"{key} (known after apply)")

