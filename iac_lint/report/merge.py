"""``iac-lint merge``: the JSON or SARIF reports of ``--shard K/N`` scans as one report.

The result is what one unsharded scan with the same options writes: findings
(results) in the scan's order, summary counts added up or recounted, SARIF
rule descriptors united (they are sorted by id in every report).  Shards must
come from the same iac-lint version and, for SARIF, the same project root.

One difference is known: a baseline entry whose file no longer exists is
judged stale by an unsharded scan, and by no shard.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import unquote

from iac_lint.model import severity_rank


class MergeError(ValueError):
    """Reports that cannot be merged; names the reason."""


def report_kind(document: Any) -> str:
    """``json`` or ``sarif``; raises ``MergeError`` for anything else."""
    if isinstance(document, dict) and isinstance(document.get("runs"), list) and "version" in document:
        return "sarif"
    if isinstance(document, dict) and isinstance(document.get("findings"), list) and "summary" in document:
        return "json"
    raise MergeError("not an iac-lint JSON or SARIF report")


def _json_order(finding: dict[str, Any]) -> tuple[Any, ...]:
    return (finding["file"], finding["line"], finding["column"], finding["rule_id"], finding["resource"])


def merge_json(documents: list[dict[str, Any]]) -> dict[str, Any]:
    _same(documents, lambda d: d.get("tool"), "iac-lint versions")
    findings = sorted((f for d in documents for f in d["findings"]), key=_json_order)
    active = [f for f in findings if not f["suppressed"]]
    baselined = sum(bool(f.get("baselined")) for f in findings)

    def total(key: str) -> int:
        return sum(int(d["summary"].get(key, 0)) for d in documents)

    return {
        "version": documents[0]["version"],
        "tool": documents[0]["tool"],
        "findings": findings,
        "summary": {
            "files": total("files"),
            "resources": total("resources"),
            "findings": len(active),
            "suppressed": len(findings) - len(active) - baselined,
            "baselined": baselined,
            "stale_baseline": total("stale_baseline"),
            "hidden_by_diff": total("hidden_by_diff"),
            "by_severity": dict(Counter(f["severity"] for f in active)),
        },
    }


def _sarif_order(result: dict[str, Any]) -> tuple[Any, ...]:
    physical = result["locations"][0]["physicalLocation"]
    region = physical["region"]
    return (unquote(physical["artifactLocation"]["uri"]), region["startLine"], region["startColumn"],
            result["ruleId"], result.get("properties", {}).get("resource", ""))


def merge_sarif(documents: list[dict[str, Any]]) -> dict[str, Any]:
    runs = [d["runs"][0] for d in documents]
    _same(runs, lambda r: r["tool"]["driver"]["version"], "iac-lint versions")
    _same(runs, lambda r: r.get("originalUriBaseIds"), "project roots (%SRCROOT%)")
    descriptors: dict[str, Any] = {}
    results = []
    for run in runs:
        rules = run["tool"]["driver"]["rules"]
        for descriptor in rules:
            descriptors.setdefault(descriptor["id"], descriptor)
        results.extend(run["results"])
    ordered = [descriptors[rule_id] for rule_id in sorted(descriptors)]
    index = {d["id"]: i for i, d in enumerate(ordered)}
    results.sort(key=_sarif_order)
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    merged: dict[str, Any] = json.loads(json.dumps(documents[0]))  # a copy of the first shard's, then replaced
    run = merged["runs"][0]
    run["tool"]["driver"]["rules"] = ordered
    run["results"] = results
    run["invocations"] = [{"executionSuccessful": all(
        inv.get("executionSuccessful", True) for r in runs for inv in r.get("invocations", []))}]
    return merged


def _same(items: list[Any], value: Any, what: str) -> None:
    if len({json.dumps(value(item), sort_keys=True) for item in items}) > 1:
        raise MergeError(f"the reports come from different {what}")


def merge_reports(texts: list[str]) -> tuple[str, str]:
    """(kind, merged report text) of the shard reports' texts, written as ``scan`` writes that kind."""
    documents = []
    for number, text in enumerate(texts, 1):
        try:
            documents.append(json.loads(text))
        except ValueError as exc:
            raise MergeError(f"report {number} is not JSON: {exc}") from None
    kinds = {report_kind(d) for d in documents}
    if len(kinds) > 1:
        raise MergeError("cannot merge JSON reports with SARIF reports")
    kind = kinds.pop()
    if kind == "json":
        from iac_lint.report.json_report import document_text

        return kind, document_text(merge_json(documents))
    return kind, json.dumps(merge_sarif(documents), indent=2) + "\n"


def failing_count(kind: str, merged: dict[str, Any], fail_on: str) -> int:
    """Active findings at or above ``fail_on`` in a merged report."""
    threshold = severity_rank(fail_on)
    if kind == "json":
        return sum(1 for f in merged["findings"] if not f["suppressed"] and severity_rank(f["severity"]) >= threshold)
    return sum(1 for r in merged["runs"][0]["results"]
               if not r.get("suppressions") and severity_rank(r["properties"]["severity"]) >= threshold)
