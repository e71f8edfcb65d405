"""Parser behaviour pinned as data: the normalized entities of real projects, compared with golden JSON.

Each case below is parsed and linked (the same path ``scan`` takes) and
serialized deterministically -- entities sorted, locations as
``file:line:col`` relative to the repository, unknowns as
``{"unknown": expr}`` -- then compared with ``tests/snapshots/<name>.json``.
After an intended change of parser output, regenerate and review the diff:

    python -m pytest tests/test_snapshots.py --update-snapshots
"""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
from conftest import REPO

from iac_lint.api import parse_units
from iac_lint.config import Config
from iac_lint.discover import discover
from iac_lint.model import Entity, Location, Template, Unknown

SNAPSHOTS = os.path.join(REPO, "tests", "snapshots")
CASES = {
    "example-cloudformation-uploads": "examples/cloudformation-uploads",
    "example-sam-orders": "examples/sam-orders",
    "example-serverless-thumbnails": "examples/serverless-thumbnails",
    "example-terraform-webhook": "examples/terraform-webhook",
    "fixture-gate": "tests/fixtures/gate",
    "fixture-serverless-basic": "tests/fixtures/serverless/basic",
    "fixture-serverless-includes": "tests/fixtures/serverless/includes",
    "fixture-serverless-step-functions": "tests/fixtures/serverless/step-functions",
    "fixture-terraform-modules": "tests/fixtures/terraform/modules",
    "fixture-terraform-plan": "tests/fixtures/terraform/plan",
    "fixture-terraform-templates": "tests/fixtures/terraform/templates",
}


def _path(file: str) -> str:
    absolute = os.path.abspath(file)
    inside = os.path.commonpath([absolute, REPO]) == REPO
    return (os.path.relpath(absolute, REPO) if inside else absolute).replace(os.sep, "/")


def _where(loc: Location | None) -> str | None:
    return None if loc is None else f"{_path(loc.file)}:{loc.line}:{loc.column}"


def _value(value: object) -> object:
    if isinstance(value, Unknown):
        return {"unknown": value.expr} if value.pattern is None else {"unknown": value.expr, "pattern": value.pattern}
    if isinstance(value, Entity):
        return f"{value.kind}:{value.id}"  # a reference, not the entity again: no cycles
    if isinstance(value, Location):
        return _where(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _entity(entity: Entity) -> dict:
    out: dict = {"kind": entity.kind, "id": entity.id, "type": entity.resource.type, "loc": _where(entity.loc)}
    for f in dataclasses.fields(entity):
        if f.name not in ("id", "resource", "loc"):
            out[f.name] = _value(getattr(entity, f.name))
    return out


def _template(tpl: Template) -> dict:
    entities = sorted((_entity(e) for e in tpl.entities),
                      key=lambda e: (e["kind"], e["id"], e["loc"] or "", json.dumps(e, sort_keys=True)))
    return {
        "path": _path(tpl.path),
        "format": tpl.format,
        "resources": sorted(f"{r.type} {r.id} @ {_where(r.location)}" for r in tpl.resources),
        "problems": sorted(f"{p.rule_id} {_where(p.location)} {p.message}" for p in tpl.problems),
        "entities": entities,
    }


def snapshot(directory: str) -> str:
    config = Config()
    config.parse.roots = [os.path.join(REPO, directory)]  # as ``scan`` sets them: includes stay inside
    templates = parse_units(discover(config.parse.roots), config)
    data = sorted((_template(t) for t in templates), key=lambda t: (t["path"], t["format"]))
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_normalized_entities_match_the_snapshot(name, request):
    actual = snapshot(CASES[name])
    golden = os.path.join(SNAPSHOTS, f"{name}.json")
    if request.config.getoption("--update-snapshots"):
        os.makedirs(SNAPSHOTS, exist_ok=True)
        with open(golden, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(actual)
        return
    if not os.path.exists(golden):
        pytest.fail(f"no snapshot {os.path.relpath(golden, REPO)}: run pytest with --update-snapshots")
    with open(golden, encoding="utf-8") as handle:
        expected = handle.read()
    assert actual == expected, f"{name} differs from its snapshot; if intended, rerun with --update-snapshots"
