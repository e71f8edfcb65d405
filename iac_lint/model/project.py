"""One scanned template (or Terraform module): its raw resources and its entities."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from iac_lint.model.core import Location, Resource
from iac_lint.model.entities import Entity

E = TypeVar("E", bound=Entity)


@dataclass(slots=True)
class Problem:
    """A located problem found while reading a file (parse error, unsafe include, ...)."""

    rule_id: str  # E001 parse-error, E002 unresolved-include, I001 not-analysed ...
    message: str
    location: Location
    severity: str = "high"


@dataclass(slots=True)
class Template:
    """What one parser produced for one unit: a file, or a Terraform module directory."""

    path: str
    format: str
    resources: list[Resource] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Every file this template was read from, with its text lines (for suppressions and display).
    sources: dict[str, list[str]] = field(default_factory=dict)
    # When only some of its files were asked for (Terraform files named on the command line): findings
    # are reported for these (absolute paths) only, error findings excepted.  None: every file.
    report_files: frozenset[str] | None = None

    def add(self, entity: E) -> E:
        self.entities.append(entity)
        return entity

    def of(self, cls: type[E]) -> Iterator[E]:
        return (e for e in self.entities if isinstance(e, cls))

    def problem(self, rule_id: str, message: str, location: Location, severity: str = "high") -> None:
        self.problems.append(Problem(rule_id, message, location, severity))
