"""SAM policy templates (``S3ReadPolicy: {BucketName: x}``) expanded into what they really grant."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from typing import Any

from iac_lint.model import Location, PolicyStatement, Unknown
from iac_lint.parsers.iam import Resolve, statements_from_document


@functools.lru_cache(maxsize=1)
def sam_policy_templates() -> dict[str, Any]:
    """The policy template definitions AWS publishes in ``aws-sam-translator``.

    Read as data from the installed package without importing it.
    """
    spec = importlib.util.find_spec("samtranslator")
    if spec is None or not spec.submodule_search_locations:
        return {}
    base = list(spec.submodule_search_locations)[0]
    path = os.path.join(base, "policy_templates_data", "policy_templates.json")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle).get("Templates", {})
    except OSError:
        return {}


def expand_sam_template(name: str, arguments: Any, loc: Location | None,
                        resolve: Resolve) -> list[PolicyStatement] | None:
    """The statements a SAM policy template really grants, or None if ``name`` is not one.

    Template parameters are bound to the given arguments; resources built from
    them resolve as far as the arguments do.  Every statement points at the
    template's name in the user's file.
    """
    template = sam_policy_templates().get(name)
    if template is None:
        return None
    args = arguments if isinstance(arguments, dict) else {}

    def bind(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Ref"} and value["Ref"] in template.get("Parameters", {}):
                return args.get(value["Ref"], Unknown(f"{name}.{value['Ref']}"))
            return {k: bind(v) for k, v in value.items()}
        if isinstance(value, list):
            return [bind(v) for v in value]
        return value

    document = bind(template.get("Definition", {}))
    statements = statements_from_document(document, resolve, source=f"template:{name}", fallback=loc)
    for stmt in statements:
        stmt.expanded = True
        stmt.loc = loc
        stmt.locs = dict.fromkeys(stmt.locs, loc) if loc else {}
    return statements
