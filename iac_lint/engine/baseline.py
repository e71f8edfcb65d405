"""Baselines: accept today's findings, report only new ones.

A baseline file lists fingerprints (see ``engine.evaluate.fingerprint``:
rule, file and logical path, never a line number; the file is named relative
to the project root, the git repository of the scanned files, so a baseline
written at the repository root matches a scan run from ``infra/``), with the rule id, file,
resource and message beside each for the humans reviewing it::

    {
      "version": 1,
      "tool": "iac-lint",
      "findings": [
        {"fingerprint": "9f0c...", "rule_id": "IAM001", "file": "template.yaml",
         "resource": "ProcessorRole", "message": "..."}
      ]
    }

Matching counts occurrences: two findings with one fingerprint in the
baseline accept two findings, not every future one (a second ``s3:*`` added to
the same unnamed statement is still new).  Accepted findings are marked
suppressed (kind ``external``, reason ``baseline``) rather than dropped, so
JSON and SARIF keep them.  No dates go in, so recreating an unchanged baseline
gives the same file and a clean diff.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from iac_lint.model import Finding

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; names the file."""


@dataclass(frozen=True, slots=True)
class Baseline:
    path: str
    counts: Counter


def baseline_document(findings: Iterable[Finding], root: str | None = None) -> dict[str, Any]:
    """The baseline of the active findings of a scan; files named relative to the project root, like the
    fingerprints, so that the same findings give the same file from whichever directory it was written."""
    from iac_lint.report.paths import project_root, repo_path

    root = root or project_root()
    entries = [
        {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "file": repo_path(f.location.file, root),
         "resource": f.resource, "message": f.message}
        for f in findings if not f.suppressed
    ]
    entries.sort(key=lambda e: (e["file"], e["rule_id"], e["resource"], e["fingerprint"], e["message"]))
    return {"version": BASELINE_VERSION, "tool": "iac-lint", "findings": entries}


def write_baseline(findings: Iterable[Finding], path: str, root: str | None = None) -> int:
    """Write the baseline; returns how many findings it accepts."""
    document = baseline_document(findings, root)
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write: {exc.strerror}") from None
    return len(document["findings"])


def load_baseline(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (create it with `iac-lint baseline create`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not an iac-lint baseline (expected an object with a 'findings' list)")
    if document.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{path}: baseline version {document.get('version')!r} is not supported "
                            f"(expected {BASELINE_VERSION}); recreate it with `iac-lint baseline create`")
    counts: Counter = Counter()
    for i, entry in enumerate(document["findings"]):
        fp = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fp, str) or not fp:
            raise BaselineError(f"{path}: entry {i} has no fingerprint")
        counts[fp] += 1
    return Baseline(path, counts)


def apply_baseline(findings: Iterable[Finding], baseline: Baseline) -> list[Finding]:
    """Mark the findings the baseline accepts; the rest are new."""
    remaining = Counter(baseline.counts)
    out = []
    for finding in findings:
        if not finding.suppressed and remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            finding = dataclasses.replace(finding, suppressed=True, suppression_kind="external",
                                          suppression_reason="baseline")
        out.append(finding)
    return out
