"""The JSON output contract of DESIGN.md ("Output contract")."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from iac_lint import __version__
from iac_lint.model import Finding
from iac_lint.model.paths import display_path


def finding_dict(f: Finding) -> dict[str, Any]:
    loc = f.location
    out: dict[str, Any] = {
        "rule_id": f.rule_id, "rule_name": f.rule_name, "severity": f.severity, "category": f.category,
        "message": f.message, "file": display_path(loc.file), "line": loc.line, "column": loc.column,
        "end_line": loc.end_line or loc.line, "end_column": loc.end_column or loc.column,
        "resource": f.resource, "format": f.format, "fingerprint": f.fingerprint, "suppressed": f.suppressed,
        "baselined": f.baselined,
    }
    if f.suppressed:
        out["suppression_reason"] = f.suppression_reason or ""
        out["suppression_kind"] = f.suppression_kind or "inSource"
    if f.related:
        out["related"] = [
            {"file": display_path(r.location.file), "line": r.location.line, "column": r.location.column,
             "end_line": r.location.end_line or r.location.line,
             "end_column": r.location.end_column or r.location.column, "message": r.message} for r in f.related]
    if f.fix is not None:
        out["fix"] = {"description": f.fix.description, "edits": [
            {"file": display_path(e.location.file), "line": e.location.line, "column": e.location.column,
             "end_line": e.location.end_line or e.location.line,
             "end_column": e.location.end_column or e.location.column, "text": e.text} for e in f.fix.edits]}
    return out


def render(report: Any, **_: Any) -> str:
    active = [f for f in report.findings if not f.suppressed]
    baselined = sum(f.baselined for f in report.findings)
    payload = {
        "version": 1,
        "tool": {"name": "iac-lint", "version": __version__},
        "findings": [finding_dict(f) for f in report.findings],
        "summary": {
            "files": report.files,
            "resources": report.resources,
            "findings": len(active),
            # Suppressed in the source or by the configuration; the baseline's are counted apart.
            "suppressed": len(report.findings) - len(active) - baselined,
            "baselined": baselined,
            "stale_baseline": getattr(report, "stale_baseline", 0),
            "hidden_by_diff": getattr(report, "hidden_by_diff", 0),
            "by_severity": dict(Counter(f.severity for f in active)),
        },
    }
    return document_text(payload)


_ENCODE = json.JSONEncoder().encode


def document_text(payload: dict[str, Any]) -> str:
    """The report as it is written: indented down to the findings, one finding per line.

    A line per finding is what a reviewer diffing two reports or grepping one wants, and it lets json's C
    encoder write each finding: with ``indent`` json writes in pure Python, and the report of a large
    repository took longer to write than to sort and fingerprint.  ``iac-lint merge`` writes with it too.
    """
    return _layout(payload, 2, "") + "\n"


def _layout(value: Any, depth: int, pad: str) -> str:
    if depth == 0 or not value or not isinstance(value, (dict, list)):
        return _ENCODE(value)
    inner = pad + "  "
    if isinstance(value, dict):
        items = [f"{_ENCODE(str(key))}: {_layout(item, depth - 1, inner)}" for key, item in value.items()]
        opening, closing = "{", "}"
    else:
        items = [_layout(item, depth - 1, inner) for item in value]
        opening, closing = "[", "]"
    return f"{opening}\n{inner}" + f",\n{inner}".join(items) + f"\n{pad}{closing}"
