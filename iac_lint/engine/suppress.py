"""Suppressions: inline comments and CloudFormation/SAM ``Metadata``.

Inline, in YAML and HCL::

    # iac-lint: ignore IAM001 -- reason
    # iac-lint: ignore IAM001,IAM002 until 2026-12-31 -- reason

on the offending line, on the line above it, or on the resource's header
line (then for the whole resource).  Suppressed findings stay in the report,
marked, so JSON and SARIF consumers can see them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Iterable

from iac_lint.model import Finding, Template

COMMENT = re.compile(
    r"(?:#|//)\s*iac-lint:\s*ignore[=: ]\s*(?P<ids>[A-Za-z]{2,6}\d{3}(?:\s*,\s*[A-Za-z]{2,6}\d{3})*)"
    r"(?:\s+until\s+(?P<until>\d{4}-\d{2}-\d{2}))?"
    r"(?:\s*--\s*(?P<reason>.*\S))?"
)


@dataclass(slots=True)
class Suppression:
    ids: tuple[str, ...]
    file: str
    line: int
    reason: str
    until: str | None
    whole_line_comment: bool
    used: bool = False


def inline_suppressions(lines: list[str], file: str) -> dict[int, list[Suppression]]:
    """Suppression comments by line number (1-based)."""
    out: dict[int, list[Suppression]] = {}
    for number, text in enumerate(lines, start=1):
        if "iac-lint" not in text:
            continue
        match = COMMENT.search(text)
        if match is None:
            continue
        ids = tuple(i.strip().upper() for i in match.group("ids").split(","))
        standalone = text.lstrip().startswith(("#", "//"))
        out.setdefault(number, []).append(Suppression(ids, file, number, (match.group("reason") or "").strip(),
                                                      match.group("until"), standalone))
    return out


def _read_lines(path: str) -> list[str]:
    """A file a parser did not keep the text of (only files already scanned get here)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def apply_suppressions(findings: Iterable[Finding], templates: list[Template], config: object) -> list[Finding]:
    by_file: dict[str, dict[int, list[Suppression]]] = {}
    headers: dict[tuple[str, str], int] = {}
    metadata: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for tpl in templates:
        for file, lines in tpl.sources.items():
            by_file[file] = inline_suppressions(lines, file)
        for entity in tpl.entities:
            headers.setdefault((entity.loc.file, entity.id), entity.loc.line)
        for resource in tpl.resources:
            headers.setdefault((resource.location.file, resource.id), resource.location.line)
            if resource.suppressions:
                metadata[(resource.location.file, resource.id)] = [(i, r) for i, r, _ in resource.suppressions]
    out = []
    for finding in findings:
        reason = _match(finding, by_file, headers, metadata)
        if reason is not None:
            finding = dataclasses.replace(finding, suppressed=True, suppression_reason=reason)
        out.append(finding)
    return out


def _match(finding: Finding, by_file: dict[str, dict[int, list[Suppression]]],
           headers: dict[tuple[str, str], int], metadata: dict[tuple[str, str], list[tuple[str, str]]]) -> str | None:
    for rule_id, reason in metadata.get((finding.location.file, finding.resource), []):
        if rule_id.upper() == finding.rule_id:
            return reason
    comments = by_file.get(finding.location.file)
    if comments is None:
        comments = by_file[finding.location.file] = inline_suppressions(_read_lines(finding.location.file),
                                                                       finding.location.file)
    if not comments:
        return None
    line = finding.location.line
    candidates = list(comments.get(line, []))
    candidates += [s for s in comments.get(line - 1, []) if s.whole_line_comment]
    header = headers.get((finding.location.file, finding.resource))
    if header is not None:
        candidates += comments.get(header, []) + [s for s in comments.get(header - 1, []) if s.whole_line_comment]
    for suppression in candidates:
        if finding.rule_id in suppression.ids:
            suppression.used = True
            return suppression.reason
    return None
