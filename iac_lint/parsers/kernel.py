"""The build skeleton every format's builders plug into: build all entities, then link them.

A format turns each resource it models into a ``Pending`` build.  The
kernel runs every build first, so that each entity exists before any
reference between entities is resolved, then runs the links the builds
returned; links of the format's *late* types run last, because they read
what other links set (a usage plan finds its stages through the API that a
stage's own link sets).  Lateness is declared one way: a set of native
types, next to the format's builder table.

The derived, format-neutral facts (a role's functions, an API's routes,
API triggers) are not the kernel's: ``iac_lint.link`` computes them as a
pipeline stage after parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from iac_lint.model import Entity, Location, Template

E = TypeVar("E", bound=Entity)

Link = Callable[[], None]
# What a builder returns: the entity and the link that resolves its references (or None), or None when
# the resource is not modelled after all (a Deployment without a stage).
Built = tuple[Entity, Link | None] | None


class LinkOnly(Entity):
    """A resource modelled only through what it links (a standalone policy, a function URL, an attachment).

    Its facts land on the entities it points at, so it is referable by its
    key but kept out of the template's entities: no rule targets it.
    """

    kind = "link-only"


@dataclass(frozen=True, slots=True)
class Pending:
    key: str  # what references to the resource resolve to: a logical id, a Terraform address
    type: str  # the native type, which says whether its link is late
    build: Callable[[], Built]


def build_and_link(tpl: Template, pending: Iterable[Pending], entities: dict[str, Entity],
                   late_types: frozenset[str] = frozenset()) -> None:
    """Build every pending entity into ``tpl`` (and ``entities``, by key), then link: late types last."""
    links: list[tuple[bool, str, Link]] = []
    for item in pending:
        try:
            made = item.build()
        except Exception as exc:  # a builder bug loses this resource, not the unit's other findings
            _lost(tpl, item.key, "building", exc)
            continue
        if made is None:
            continue
        entity, link = made
        entities[item.key] = entity
        if not isinstance(entity, LinkOnly):
            tpl.add(entity)
        if link is not None:
            links.append((item.type in late_types, item.key, link))
    for _, key, link in sorted(links, key=lambda entry: entry[0]):  # stable: otherwise in build order
        try:
            link()
        except Exception as exc:
            _lost(tpl, key, "linking", exc)


def _lost(tpl: Template, key: str, stage: str, exc: Exception) -> None:
    """A located E001 on the resource an internal error happened in."""
    where = next((r.location for r in tpl.resources if r.id == key), None)
    tpl.problem("E001", f"{key}: internal error while {stage}: {type(exc).__name__}",
                where or Location(tpl.path, 1, 1))


def external_parent(tpl: Template, entities: dict[str, Entity], cls: type[E], reference: str,
                    make: Callable[[], E]) -> E:
    """The placeholder for a parent the unit names but does not define (DESIGN.md, "External parents").

    One per reference text: siblings naming the same parent (two methods of one imported API, two
    policies on one role ARN) meet on it.  ``make`` builds it, marked ``external``, the first time.
    """
    key = f"external {cls.kind}: {reference}"
    found = entities.get(key)
    if isinstance(found, cls):
        return found
    made = make()
    entities[key] = made
    tpl.add(made)
    return made
