"""What a rule sees: the normalized entities of parsed templates as plain, documented data.

``iac-lint explain PATH --format json`` prints::

    {"version": 1,
     "entities": [
       {"kind": "function", "id": "Api", "format": "sam", "type": "AWS::Serverless::Function",
        "location": "template.yaml:12:3",
        "fields": {"runtime": "python3.12", "timeout": {"unknown": "Ref TimeoutParam"},
                   "role": {"kind": "role", "id": "ApiRole"}, ...},
        "locations": {"runtime": "template.yaml:15:16", "environment.TABLE": "template.yaml:18:17"}}]}

- ``fields``: every fact of the kind (``docs/model.md``), serialized from the dataclass fields; an
  ``Unknown`` is ``{"unknown": expression}``; another entity (a link) is ``{"kind", "id"}``, never
  expanded; a value inside an entity (a policy statement, a trigger) is an object of its own fields,
  with ``location`` (and ``locations``) when known.
- ``locations``: fact path -> ``file:line:column`` of the node that wrote it; a fact absent here was
  never written (a finding about it points at ``location``, the resource's header).

Keys are only ever added in version 1.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any

from iac_lint.model import Entity, Location, Template, Unknown

EXPLAIN_VERSION = 1
_PLUMBING = frozenset({"resource", "loc", "locs"})


def _where(loc: Location | None, relative_to: str | None) -> str | None:
    if loc is None:
        return None
    file = loc.file
    if relative_to and os.path.isabs(file):
        try:
            file = os.path.relpath(file, relative_to)
        except ValueError:  # another drive on Windows
            pass
    return f"{file.replace(os.sep, '/')}:{loc.line}:{loc.column}"


def value_data(value: Any, relative_to: str | None = None) -> Any:
    """A field's value as JSON-ready data (see the module docstring)."""
    if isinstance(value, Unknown):
        return {"unknown": value.expr}
    if isinstance(value, Entity):
        return {"kind": value.kind, "id": value.id}
    if isinstance(value, (list, tuple)):
        return [value_data(v, relative_to) for v in value]
    if isinstance(value, dict):
        return {str(k): value_data(v, relative_to) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        out = {f.name: value_data(getattr(value, f.name), relative_to) for f in fields(value)
               if f.name not in _PLUMBING}
        where = _where(getattr(value, "loc", None), relative_to)
        if where:
            out["location"] = where
        locs = getattr(value, "locs", None)
        if locs:
            out["locations"] = {k: _where(v, relative_to) for k, v in sorted(locs.items())}
        return out
    if isinstance(value, str):
        return str(value)  # located strings are str subclasses
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def entity_record(entity: Entity, relative_to: str | None = None) -> dict[str, Any]:
    return {
        "kind": entity.kind,
        "id": entity.id,
        "format": entity.format,
        "type": entity.resource.type,
        "location": _where(entity.loc, relative_to),
        "fields": {f.name: value_data(getattr(entity, f.name), relative_to) for f in fields(entity)
                   if f.name not in _PLUMBING and f.name != "id"},
        "locations": {k: _where(v, relative_to) for k, v in sorted(entity.locs.items())},
    }


def explain(templates: Iterable[Template], kinds: Iterable[str] = (), relative_to: str | None = None
            ) -> dict[str, Any]:
    """The entities of ``templates`` (only those of ``kinds`` when given), in file order."""
    wanted = set(kinds)
    entities = [e for tpl in templates for e in tpl.entities if not wanted or e.kind in wanted]
    entities.sort(key=lambda e: (e.loc.file, e.loc.line, e.loc.column, e.kind, e.id))
    problems = [{"rule_id": p.rule_id, "message": p.message, "location": _where(p.location, relative_to)}
                for tpl in templates for p in tpl.problems]
    return {"version": EXPLAIN_VERSION, "entities": [entity_record(e, relative_to) for e in entities],
            "problems": problems}
