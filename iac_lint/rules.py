"""The rule API: what a Python rule imports (with ``iac_lint.model`` for the entities).

A Python rule is one file, ``<category>/<ID>-<name>.py``, that defines ``RULE``
(its metadata) and ``check(entity)``, a generator of ``Violation``::

    from iac_lint.rules import RuleMeta, Violation

    RULE: RuleMeta = {
        "id": "ORG002", "name": "password-variable", "severity": "high", "category": "secrets",
        "title": "Password in a function's environment", "applies_to": "function",
        "message": "Function {id} has a password in its environment",
        "docs": {"what": "...", "why": "...", "example": "...", "fix": "...", "references": ["https://..."]},
    }

    def check(fn):
        for key in fn.environment:
            if "PASSWORD" in key.upper():
                yield Violation(f"Function {fn.id} has {key} in its environment",
                                fn.where(f"environment.{key}"), key)

Built-in rules (``policies/``) import from here and from ``iac_lint.model``
only; the engine is free to change behind this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from iac_lint.model.core import SEVERITIES, Location, Unknown, is_unknown
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
    fix: str
    references: list[str]


class _RuleMetaRequired(TypedDict):
    id: str
    name: str
    severity: str
    category: str
    title: str
    applies_to: str
    message: str


class RuleMeta(_RuleMetaRequired, total=False):
    """A rule's ``RULE`` (Python) or top-level keys (YAML, which adds ``when`` and ``at``)."""

    docs: RuleDocs
    formats: list[str]
    when: str
    at: str


@dataclass(frozen=True, slots=True)
class Violation:
    """What a Python rule yields: a message, where, and a logical path for fingerprints.

    ``location`` is the node that is wrong (``entity.where("actions.0")``), or None for the entity's
    header; ``path`` names the offending part without line numbers (a statement id, an action), so that
    a finding keeps its fingerprint when the file is edited elsewhere.  A configured ``severity``
    override for the rule still wins over ``severity``.
    """

    message: str
    location: Location | None = None
    path: str = ""
    # When a rule grades its findings (critical when a function runs with the grant, high otherwise): one of
    # SEVERITIES; None means the rule's own severity.
    severity: str | None = None


__all__ = [
    "CATEGORIES", "DOC_PARTS", "RULE_ID_PATTERN", "SEVERITIES", "Location", "RuleDocs", "RuleMeta", "Unknown",
    "Violation", "is_rule_id", "is_unknown",
]
