"""SARIF 2.1.0, as GitHub code scanning (and other SARIF viewers) read it.

Choices, and why:
- one ``reportingDescriptor`` per rule that ran, plus one for each built-in
  problem id (E001 parse-error, S002 unused-suppression, ...) that occurs, so
  every ``ruleIndex`` resolves;
- ``properties.security-severity`` (a numeric string) is what GitHub ranks
  security alerts by; ``tags`` holds ``security`` so the alert is one;
- URIs are relative to ``%SRCROOT%`` (the working directory, normally the
  repository root) so code scanning can map them onto the repository;
- ``partialFingerprints["iacLint/v1"]`` is our line-independent fingerprint,
  so an alert keeps its identity when lines move;
- suppressed findings are results with ``suppressions`` (``inSource`` for a
  comment or Metadata, ``external`` for a baseline or configuration), which
  code scanning shows as dismissed instead of open;
- columns count Unicode code points (``columnKind``), which is what the
  parsers record.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from iac_lint import __version__
from iac_lint.model import Finding

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/iac-lint/iac-lint"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
DOC_TITLES = (("what", "What it does"), ("why", "Why is this bad?"), ("example", "Example"),
              ("fix", "Use instead"), ("references", "References"))


def help_markdown(rule: Any) -> str:
    """The rule's documentation in ruff's five parts, as markdown."""
    parts = [f"**{rule.id} {rule.name}** ({rule.severity}, {rule.category})", "", str(rule.title)]
    for key, title in DOC_TITLES:
        value = (rule.docs or {}).get(key)
        if not value:
            continue
        parts += ["", f"### {title}", ""]
        if key == "references" and isinstance(value, list):
            parts += [f"- {ref}" for ref in value]
        elif key == "example":
            parts += ["```yaml", str(value).rstrip(), "```"]
        else:
            parts.append(str(value).rstrip())
    return "\n".join(parts)


def help_text(rule: Any) -> str:
    """The same documentation as plain text, for viewers without markdown."""
    parts = [f"{rule.id} {rule.name}: {rule.title}"]
    for key, title in DOC_TITLES:
        value = (rule.docs or {}).get(key)
        if not value:
            continue
        body = "\n".join(f"- {v}" for v in value) if isinstance(value, list) else str(value).rstrip()
        parts.append(f"{title}:\n{body}")
    return "\n\n".join(parts)


def _descriptor(rule: Any) -> dict[str, Any]:
    docs = rule.docs or {}
    full = str(docs.get("what") or rule.title).strip()
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": str(rule.title)},
        "fullDescription": {"text": full},
        "help": {"text": help_text(rule), "markdown": help_markdown(rule)},
        "defaultConfiguration": {"level": LEVEL.get(rule.severity, "warning")},
        "properties": {
            "tags": ["security", rule.category],
            "security-severity": SECURITY_SEVERITY.get(rule.severity, "0.0"),
            "precision": "high",
            "problem.severity": "error" if LEVEL.get(rule.severity) == "error" else
            ("warning" if rule.severity == "medium" else "recommendation"),
        },
    }
    help_uri = getattr(rule, "help_uri", None)
    if help_uri:
        descriptor["helpUri"] = help_uri
    return descriptor


def _builtin_descriptor(finding: Finding) -> dict[str, Any]:
    """A descriptor for an id that is not a rule: parse errors (E/I) and suppression checks (S)."""
    title = finding.rule_name.replace("-", " ")
    try:
        from iac_lint.engine.evaluate import PROBLEM_RULES
        from iac_lint.engine.suppress import SUPPRESSION_RULES
        if finding.rule_id in PROBLEM_RULES:
            title = PROBLEM_RULES[finding.rule_id][2] or title
        elif finding.rule_id in SUPPRESSION_RULES:
            title = SUPPRESSION_RULES[finding.rule_id][1]
    except ImportError:  # pragma: no cover - reports must render whatever the engine has
        pass
    tags = ["security", finding.category] if finding.category != "suppression" else ["maintainability",
                                                                                      finding.category]
    return {
        "id": finding.rule_id,
        "name": finding.rule_name,
        "shortDescription": {"text": title},
        "fullDescription": {"text": title},
        "help": {"text": title, "markdown": f"**{finding.rule_id} {finding.rule_name}**\n\n{title}"},
        "helpUri": f"{INFORMATION_URI}#{finding.rule_id.lower()}-{finding.rule_name}",
        "defaultConfiguration": {"level": LEVEL.get(finding.severity, "warning")},
        "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY.get(finding.severity, "0.0")},
    }


def _artifact(path: str, root: str) -> dict[str, Any]:
    """Relative to %SRCROOT% when under it; an absolute file URI otherwise."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, root)
    if rel.startswith(os.pardir + os.sep) or rel == os.pardir or os.path.isabs(rel):
        return {"uri": Path(absolute).as_uri()}
    return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def _region(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    region: dict[str, Any] = {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)}
    end_line = loc.end_line or loc.line
    if end_line >= region["startLine"]:
        region["endLine"] = end_line
        # SARIF's endColumn is the column after the region, as the parsers record it.
        if loc.end_column and (end_line > loc.line or loc.end_column > region["startColumn"]):
            region["endColumn"] = loc.end_column
    return region


def _result(finding: Finding, index: int, root: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _artifact(finding.location.file, root), "region": _region(finding)},
    }
    if finding.resource:
        location["logicalLocations"] = [{"name": finding.resource, "kind": "resource"}]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": LEVEL.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {"iacLint/v1": finding.fingerprint},
        "properties": {"severity": finding.severity, "category": finding.category, "format": finding.format,
                       "resource": finding.resource},
    }
    if finding.suppressed:
        result["suppressions"] = [{
            "kind": finding.suppression_kind or "inSource",
            "status": "accepted",
            "justification": finding.suppression_reason or "",
        }]
    return result


def sarif_log(report: Any, root: str | None = None) -> dict[str, Any]:
    root = os.path.abspath(root or os.getcwd())
    descriptors = [_descriptor(rule) for rule in report.rules]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    for finding in report.findings:
        if finding.rule_id not in index:
            index[finding.rule_id] = len(descriptors)
            descriptors.append(_builtin_descriptor(finding))
    results = [_result(f, index[f.rule_id], root) for f in report.findings]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iac-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(root).as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": True}],
            "results": results,
        }],
    }


def render(report: Any, **_: Any) -> str:
    return json.dumps(sarif_log(report), indent=2) + "\n"
