"""What Terraform builders read: instances, their located props, and the references between them.

Both readers -- HCL modules and plan JSON -- hand over the same thing: one
``Instance`` per resource block (``count``/``for_each`` evaluated once, so
one instance stands for all of them), whose ``props`` is a located map where
nested blocks are lists of maps, and a ``References`` object that says which
resources an attribute refers to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from iac_lint.model import Entity, Location, PolicyStatement, Resource, Template, Unknown, value_loc
from iac_lint.parsers.iam import statements_from_document


@dataclass(slots=True)
class Instance:
    """One resource or data block of a module (all its count/for_each instances at once)."""

    key: str  # "module.m.aws_s3_bucket.x": what references resolve to
    id: str  # "module.m.aws_s3_bucket.x[*]": what users see
    type: str
    name: str
    props: Any  # LMap; nested blocks are LSeq of LMap
    loc: Location  # the block header
    file: str
    mode: str = "managed"  # or "data"
    multi: bool = False


class References(Protocol):
    def refs(self, node: Any, key: str) -> list[str]:
        """Keys of the resources that ``node[key]`` refers to."""

    def document(self, node: Any, key: str) -> Any:
        """``node[key]`` as a policy document (located map), an ``Unknown``, or None."""


# --- small readers over located props -------------------------------------------------


def first(node: Any, name: str) -> Any:
    """A nested block (the first, when repeated) or a map attribute."""
    value = node.get(name) if isinstance(node, dict) else None
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else None
    return value if isinstance(value, dict) else None


def each_block(node: Any, name: str) -> list[Any]:
    value = node.get(name) if isinstance(node, dict) else None
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return [value] if isinstance(value, dict) else []


def get(node: Any, *path: str) -> Any:
    current = node
    for i, key in enumerate(path):
        if i < len(path) - 1:
            current = first(current, key)
        else:
            current = current.get(key) if isinstance(current, dict) else None
    return current


def where(node: Any, *path: str) -> Location | None:
    current = node
    for key in path[:-1]:
        current = first(current, key)
    if not isinstance(current, dict) or path[-1] not in current:
        return None
    return value_loc(current, path[-1])


def as_bool(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def unset_if(value: Any, *sentinels: Any) -> Any:
    """Terraform writes some "not set" values as -1 or ""; the model says None."""
    return None if any(value == s and type(value) is type(s) for s in sentinels) else value


# --- the build context ------------------------------------------------------------------


@dataclass(slots=True)
class BuildContext:
    tpl: Template
    references: Any  # References
    instances: dict[str, Instance] = field(default_factory=dict)
    by_type: dict[str, list[Instance]] = field(default_factory=dict)  # ``instances`` by native type
    entities: dict[str, Entity] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)

    def tpl_resource(self, inst: Instance) -> Resource:
        return self.resources[inst.key]

    def refs(self, node: Any, key: str) -> list[str]:
        # A plan omits values unknown until apply, yet its configuration still has their references.
        if not isinstance(node, dict):
            return []
        return self.references.refs(node, key)

    def entity(self, node: Any, key: str, cls: type[Entity], depth: int = 0) -> Any:
        """The entity ``node[key]`` refers to, by reference or by its literal name or ARN."""
        refs = self.refs(node, key)
        for ref in refs:
            found = self.entities.get(ref)
            if isinstance(found, cls):
                return found
        # Passed along by another side resource, as the provider docs write it:
        # bucket = aws_s3_bucket_ownership_controls.x.bucket, function_name = aws_lambda_alias.x.function_name
        for ref in refs if depth < 3 else []:
            inst = self.instances.get(ref)
            if inst is not None and isinstance(inst.props, dict) and key in inst.props:
                found = self.entity(inst.props, key, cls, depth + 1)
                if found is not None:
                    return found
        literal = node.get(key) if isinstance(node, dict) else None
        if isinstance(literal, str) and literal:
            names = {literal, re.split(r"[:/]", literal)[-1]}
            # A qualified function ARN ends with its alias or version: arn:aws:lambda:r:a:function:NAME:live
            qualified = re.match(r"arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+):", literal)
            if qualified:
                names.add(qualified.group(1))
            for found in self.entities.values():
                if isinstance(found, cls) and isinstance(found.name, str) and found.name in names:
                    return found
        return None

    def instance(self, node: Any, key: str, rtype: str) -> Instance | None:
        for ref in self.refs(node, key):
            inst = self.instances.get(ref)
            if inst is not None and inst.type == rtype:
                return inst
        return None

    def statements(self, node: Any, key: str, source: str, fallback: Location) -> list[PolicyStatement]:
        if not isinstance(node, dict):
            return []
        doc = self.references.document(node, key)
        if doc is None or isinstance(doc, Unknown):
            return []
        return statements_from_document(doc, source=source, fallback=where(node, key) or fallback)


def set_fact(entity: Entity, fact: str, node: Any, *path: str, transform: Callable[[Any], Any] | None = None) -> Any:
    raw = get(node, *path)
    if raw is None:
        return None
    value = transform(raw) if transform else raw
    if value is None:
        return None
    entity.set(fact, value, where(node, *path))
    return value


def name_of(inst: Instance, *keys: str) -> Any:
    for key in keys:
        value = get(inst.props, key)
        if value is not None:
            return value
    return inst.id
