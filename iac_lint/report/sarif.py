"""SARIF 2.1.0, as GitHub code scanning (and other SARIF viewers) read it.

Choices, and why (GitHub's "SARIF support for code scanning" page lists what it reads):
- one ``reportingDescriptor`` per rule that ran, plus one for each built-in
  problem id (E001 parse-error, S002 unused-suppression, ...) that occurs, so
  every ``ruleIndex`` resolves, sorted by id (so that ``iac-lint merge`` gives
  shards' results the list an unsharded scan has); ``shortDescription`` and ``fullDescription``
  are cut to GitHub's 1024 characters, ``help.markdown`` carries the rule's
  documentation (GitHub shows it instead of ``help.text``), rendered by
  ``iac_lint.docs`` like every other view of it, and ``helpUri`` is the rule's
  page (``docs/rules/ID.md`` in this repository; a user's rule's first
  reference);
- ``properties.security-severity`` (a numeric string) is what GitHub ranks
  security alerts by: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
  0.1-3.9 low, 0.0 none.  Any value makes the rule a security rule, so the
  suppression checks (S001-S005, maintainability) carry none;
- URIs are relative to ``%SRCROOT%``, the project root (the scanned files'
  git repository, else the working directory): GitHub resolves a relative URI
  against the repository root whatever ``uriBaseId`` says, so a scan run from
  a subdirectory must still name ``infra/app.yaml``, not ``app.yaml``;
- ``partialFingerprints["iacLint/v1"]`` is our line-independent fingerprint
  for consumers that match on any partial fingerprint.  GitHub itself uses only
  ``primaryLocationLineHash``, which ``upload-sarif`` computes from the text
  of the result's line; we do not invent one (a value that differs from its
  own makes upload-sarif warn for every result);
- suppressed findings are results with ``suppressions`` (``inSource`` for a
  comment or Metadata, ``external`` for a baseline or configuration), and
  every other result has an empty ``suppressions`` list: SARIF requires them
  all null or all non-null in a run (3.27.23).  GitHub code scanning ignores
  ``suppressions`` and would open alerts for them, so the GitHub Action writes
  its SARIF with ``--omit-suppressed``;
- columns count Unicode code points (``columnKind``), which is what the
  parsers record.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from iac_lint import __version__, docs
from iac_lint.docs import REPOSITORY_URL
from iac_lint.model import Finding, Fix, Location
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS, SUPPRESSION_CATEGORY
from iac_lint.model.paths import report_root
from iac_lint.model.rule_ids import TEMPLATE_VALIDITY

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = REPOSITORY_URL
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub's limits on a reportingDescriptor's texts.
MAX_DESCRIPTION, MAX_NAME = 1024, 255


def help_markdown(rule: Any) -> str:
    """The rule's documentation in ruff's five parts, as markdown (GitHub shows it under the alert)."""
    return f"{docs.summary(rule)}\n\n{rule.title}\n\n{docs.markdown(rule, heading_level=3)}".rstrip()


def help_text(rule: Any) -> str:
    """The same documentation as plain text, for viewers without markdown."""
    return docs.plain_text(rule)


def _cut(text: str, limit: int = MAX_DESCRIPTION) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def _descriptor(rule: Any) -> dict[str, Any]:
    full = str((rule.docs or {}).get("what") or rule.title).strip()
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _cut(rule.name, MAX_NAME),
        "shortDescription": {"text": _cut(rule.title)},
        "fullDescription": {"text": _cut(full)},
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
    if rule.category == TEMPLATE_VALIDITY:
        # cfn-lint's checks (--cfn-lint) are about deployability: a security-severity would list them as alerts.
        descriptor["properties"] = {"tags": ["correctness", rule.category],
                                    "problem.severity": descriptor["properties"]["problem.severity"]}
    help_uri = docs.help_uri(rule)
    if help_uri:
        descriptor["helpUri"] = help_uri
    return descriptor


def _builtin_descriptor(finding: Finding) -> dict[str, Any]:
    """A descriptor for an id that is not a rule: parse errors (E/I) and suppression checks (S)."""
    known = BUILTIN_FINDINGS.get(finding.rule_id)
    title = known.title if known else finding.rule_name.replace("-", " ")
    properties: dict[str, Any]
    if finding.category == SUPPRESSION_CATEGORY:
        # Not a security problem: a security-severity would make GitHub list it among security alerts.
        properties = {"tags": ["maintainability", finding.category], "problem.severity": "recommendation"}
    else:
        properties = {"tags": ["security", finding.category],
                      "security-severity": SECURITY_SEVERITY.get(finding.severity, "0.0")}
    descriptor: dict[str, Any] = {
        "id": finding.rule_id,
        "name": _cut(finding.rule_name, MAX_NAME),
        "shortDescription": {"text": _cut(title)},
        "fullDescription": {"text": _cut(str(known.docs.get("what") or title) if known else title)},
        "help": {"text": help_text(known), "markdown": help_markdown(known)} if known else
        {"text": title, "markdown": f"**{finding.rule_id} {finding.rule_name}**\n\n{title}"},
        "defaultConfiguration": {"level": LEVEL.get(finding.severity, "warning")},
        "properties": properties,
    }
    if known:
        descriptor["helpUri"] = docs.help_uri(known)
    return descriptor


def _artifact(path: str, root: str) -> dict[str, Any]:
    """Relative to %SRCROOT% when under it; an absolute file URI otherwise (symlinks resolved, as GitHub asks)."""
    absolute = os.path.realpath(os.path.abspath(path))
    rel = os.path.relpath(absolute, root)
    if rel.startswith(os.pardir + os.sep) or rel == os.pardir or os.path.isabs(rel):
        return {"uri": Path(absolute).as_uri()}
    return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def _region(finding: Finding) -> dict[str, Any]:
    return _location_region(finding.location)


def _location_region(loc: Location) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)}
    end_line = loc.end_line or loc.line
    if end_line >= region["startLine"]:
        region["endLine"] = end_line
        # SARIF's endColumn is the column after the region, as the parsers record it.
        if loc.end_column and (end_line > loc.line or loc.end_column > region["startColumn"]):
            region["endColumn"] = loc.end_column
    return region


def _fix(fix: Fix, root: str) -> dict[str, Any]:
    """A SARIF ``fix``: the description and one ``artifactChange`` per file, its replacements in order."""
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        loc = edit.location
        region = {"startLine": loc.line, "startColumn": loc.column, "endLine": loc.end_line or loc.line,
                  "endColumn": loc.end_column or loc.column}
        changes.setdefault(loc.file, []).append({"deletedRegion": region, "insertedContent": {"text": edit.text}})
    return {
        "description": {"text": fix.description},
        "artifactChanges": [{"artifactLocation": _artifact(file, root), "replacements": replacements}
                            for file, replacements in changes.items()],
    }


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
    if finding.related:
        result["relatedLocations"] = [
            {"id": i, "message": {"text": r.message},
             "physicalLocation": {"artifactLocation": _artifact(r.location.file, root),
                                  "region": _location_region(r.location)}}
            for i, r in enumerate(finding.related, start=1)]
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [_fix(finding.fix, root)]
    # Every result says whether it is suppressed: SARIF wants the property on all results or on none.
    result["suppressions"] = [{
        "kind": finding.suppression_kind or "inSource",
        "status": "accepted",
        "justification": finding.suppression_reason or "",
    }] if finding.suppressed else []
    return result


def sarif_log(report: Any, root: str | None = None) -> dict[str, Any]:
    root = os.path.realpath(root or report_root(report))
    by_id = {rule.id: _descriptor(rule) for rule in report.rules}
    for finding in report.findings:
        if finding.rule_id not in by_id:
            by_id[finding.rule_id] = _builtin_descriptor(finding)
    # Sorted by id, whatever ran first or matched first: shards of a scan merge into the same list.
    descriptors = [by_id[rule_id] for rule_id in sorted(by_id)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
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
    from iac_lint.report.cap import with_capped_findings
    return json.dumps(sarif_log(with_capped_findings(report)), indent=2) + "\n"
