"""GitLab Code Quality report (``artifacts: reports: codequality``).

A JSON array of issues.  GitLab compares the merge request's issues with the
target branch's by ``fingerprint``, and drops issues with a repeated one, so
each fingerprint here is our line-independent fingerprint made unique per
occurrence (the n-th finding with one fingerprint gets ``…:n``), hashed to
the MD5-sized hex GitLab's own analyzers emit.  Severities map to GitLab's
scale: info→info, low→minor, medium→major, high→critical, critical→blocker.
Suppressed findings are left out: the widget has no place to mark them.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from iac_lint.model.paths import repo_path, report_root

SEVERITY = {"info": "info", "low": "minor", "medium": "major", "high": "critical", "critical": "blocker"}


def render(report: Any, **_: Any) -> str:
    from iac_lint.report.cap import capped_findings

    root = report_root(report)  # GitLab wants "a relative path in the repository"
    seen: Counter[str] = Counter()
    issues = []
    for f in capped_findings(list(report.findings)):
        if f.suppressed:
            continue
        seen[f.fingerprint] += 1
        unique = f"{f.fingerprint}:{seen[f.fingerprint]}" if seen[f.fingerprint] > 1 else f.fingerprint
        loc = f.location
        issues.append({
            "type": "issue",
            "engine_name": "iac-lint",
            "check_name": f"{f.rule_id} {f.rule_name}",
            "description": f"{f.rule_id}: {f.message}" + (f" [{f.resource}]" if f.resource else ""),
            "categories": ["Security"],
            "severity": SEVERITY.get(f.severity, "info"),
            "fingerprint": hashlib.md5(unique.encode(), usedforsecurity=False).hexdigest(),
            "location": {"path": repo_path(loc.file, root),
                         "lines": {"begin": loc.line, "end": max(loc.end_line or loc.line, loc.line)}},
        })
    return json.dumps(issues, indent=2) + "\n"
