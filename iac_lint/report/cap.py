"""A cap on the findings per file in the formats a code host ingests (SARIF, GitLab).

A generated or hostile file can hold tens of thousands of findings; an upload
of them all is refused or drowns the review.  The first ``MAX_FINDINGS_PER_FILE``
active findings of each file are kept and one E005 finding, as severe as the
worst one left out, says how many more there are.  The gate has already
counted them all.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from typing import Any

from iac_lint.model import Finding, severity_rank
from iac_lint.model.budgets import BUDGET_EXCEEDED, MAX_FINDINGS_PER_FILE
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS


def capped_findings(findings: list[Finding], limit: int = MAX_FINDINGS_PER_FILE) -> list[Finding]:
    kept: list[Finding] = []
    shown: Counter[str] = Counter()
    left_out: dict[str, list[Finding]] = {}
    for f in findings:
        file = f.location.file
        if f.suppressed or shown[file] < limit:
            kept.append(f)
            shown[file] += not f.suppressed
        else:
            left_out.setdefault(file, []).append(f)
    budget = BUILTIN_FINDINGS[BUDGET_EXCEEDED]
    for file, rest in left_out.items():
        worst = max(rest, key=lambda f: severity_rank(f.severity))
        first = min(rest, key=lambda f: (f.location.line, f.location.column))
        kept.append(dataclasses.replace(
            worst, rule_id=budget.id, rule_name=budget.name, category=budget.category, location=first.location,
            resource="", message=f"{len(rest)} more findings in this file are not listed (at most {limit} per "
                                 f"file in this format); the text and JSON reports list them all",
            logical_path=f"{budget.id}:{file}", fingerprint=f"{budget.id}-{worst.fingerprint}"))
    return kept


def with_capped_findings(report: Any, limit: int = MAX_FINDINGS_PER_FILE) -> Any:
    """A shallow copy of ``report`` whose findings are capped per file."""
    capped = copy.copy(report)
    capped.findings = capped_findings(list(report.findings), limit)
    return capped
