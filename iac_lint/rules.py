"""The rule API: what a Python rule imports (with ``iac_lint.model`` for the entities).

A Python rule is one file, ``<category>/<ID>-<name>.py``, that defines ``RULE``
(its metadata) and ``check(entity)``, a generator of ``Violation``::

    from iac_lint.rules import RuleMeta, Violation

    RULE: RuleMeta = {
        "id": "ORG002", "name": "password-variable", "severity": "high", "category": "secrets",
        "title": "Password in a function's environment", "applies_to": "function",
        "message": "Function {id} has {key} in its environment",
        "docs": {"what": "...", "why": "...", "example": "...", "fix": "...", "references": ["https://..."]},
    }

    def check(fn):
        for key in fn.environment:
            if "PASSWORD" in key.upper():
                # The message comes from RULE["message"]; {key} is filled from ``fields``.
                yield Violation(at=f"environment.{key}", fields={"key": key})

Built-in rules (``policies/``) import from here and from ``iac_lint.model``
only; the engine is free to change behind this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from iac_lint.model.core import (
    SEVERITIES,
    Edit,
    Fix,
    Location,
    Reference,
    RelatedLocation,
    Replacement,
    Unknown,
    is_unknown,
)
from iac_lint.model.rule_ids import CATEGORIES, RULE_ID_PATTERN, is_rule_id

# The five parts of a rule's documentation (ruff's), by key, with the heading each is shown under.
DOC_PARTS: dict[str, str] = {
    "what": "What it does",
    "why": "Why is this bad?",
    "example": "Example",
    "fix": "Use instead",
    "references": "References",
}


class RuleDocs(TypedDict, total=False):
    what: str
    why: str
    example: str
    # One text, or the fix per format: {"sam": ..., "cloudformation": ..., "serverless": ..., "terraform": ...}
    fix: str | dict[str, str]
    references: list[str]


class _RuleMetaRequired(TypedDict):
    id: str
    name: str
    severity: str
    category: str
    title: str
    applies_to: str
    message: str


class RuleFix(TypedDict, total=False):
    """A mechanical fix an editor offers as a quick fix."""

    title: str
    paths: list[str]  # globs over the finding's logical path
    # Each: op (value|child|properties|block|after), text (LSP snippet syntax), and optionally types,
    # syntax, absent, from; the first that applies is offered. See iac_lint/lsp/fixes.py.
    edits: list[dict[str, object]]


class RuleMeta(_RuleMetaRequired, total=False):
    """A rule's ``RULE`` (Python) or top-level keys (YAML, which adds ``when`` and ``at``)."""

    docs: RuleDocs
    formats: list[str]
    default: bool
    subsumes: list[str]
    options: dict[str, Any]
    when: str
    at: str
    fixes: list[RuleFix]


@dataclass(frozen=True, slots=True)
class Violation:
    """What a Python rule's ``check(entity)`` yields: one thing wrong with the entity.

    Every argument is optional; ``Violation()`` flags the entity itself with the rule's message.

    ``message``
        The finding's text.  Leave it out to have the framework fill the rule's ``message`` template:
        its ``{placeholders}`` are the entity's fields (``{id}``, ``{name}``, ``{runtime}`` ...; see
        ``iac-lint rules model-docs``), overridden and extended by ``fields``.  A placeholder nobody
        fills is kept as written; an ``Unknown`` value is shown as ``<expression>``.
    ``at``
        Where the finding points, as a *fact path* into the entity: a field name (``"timeout"``), or a
        field and a key or index joined by dots (``"environment.DB_PASSWORD"``, ``"actions.0"`` of a
        statement).  The finding points at the node that wrote that fact; when the template never
        wrote it, at the entity's header.  The same syntax as a YAML rule's ``at:``.
    ``location``
        An explicit ``Location`` instead (``statement.where("actions.0")`` for a nested statement);
        wins over ``at``.
    ``path``
        The key that tells this violation apart from the entity's others in the finding's
        *fingerprint* (rule id + file + resource id + this path; never a line number), so that a
        baseline or a suppression survives edits elsewhere in the file.  Defaults to ``at``.  Give a
        stable, line-free name: a statement id, an action, an environment variable name.
    ``fields``
        Extra values for the message template (``{trigger}``), by name.
    ``related``
        Other nodes of the same root cause, each a ``RelatedLocation(location, message)``: one finding
        per statement, say, with the statement's offending actions here (SARIF ``relatedLocations``,
        the editor's related information).
    ``severity``
        For a rule that grades its findings (critical when a function runs with the grant, high
        otherwise): one of the severities; None means the rule's own.  A configured ``severity``
        override for the rule still wins.
    """

    message: str | None = None
    location: Location | None = None
    path: str = ""
    at: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    severity: str | None = None
    # Where secret values are written (masked in every view of the source); the message must not hold them.
    redactions: tuple[Location, ...] = ()
    # The change that resolves the finding, when it can be derived from the template.
    fix: Fix | None = None
    related: tuple[RelatedLocation, ...] = ()

    @property
    def fingerprint_path(self) -> str:
        """The line-free key that goes into the finding's fingerprint (``path``, else ``at``)."""
        return self.path or self.at or ""


__all__ = [
    "CATEGORIES",
    "DOC_PARTS",
    "RULE_ID_PATTERN",
    "SEVERITIES",
    "Edit",
    "Fix",
    "Location",
    "Reference",
    "RelatedLocation",
    "Replacement",
    "RuleDocs",
    "RuleFix",
    "RuleMeta",
    "Unknown",
    "Violation",
    "is_rule_id",
    "is_unknown",
]
