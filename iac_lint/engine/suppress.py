"""Suppressions: inline comments, CloudFormation/SAM ``Metadata``, and per-path ignores.

Inline, in YAML and HCL (``#`` or ``//``)::

    # iac-lint: ignore IAM001 -- the deploy role really needs it
    # iac-lint: ignore IAM001,IAM002 until 2026-12-31 -- ticket SEC-42

A comment applies to the finding on its own line, to the finding on the line
below it (a comment alone on its line, or a block of such comments directly
above the finding), and, when it sits on or directly above a line that opens
a node (``- Effect: Allow``, ``Policies:``, the resource's header), to every
finding inside that node, at most the whole resource.  In a template::

    Resources:
      Role:
        Metadata:
          iac-lint:
            ignore:
              - {id: IAM001, reason: "...", until: 2026-12-31}

Suppressed findings stay in the report, marked, so JSON and SARIF consumers
(and reviewers) can see them.  The suppressions themselves are checked, and
each problem is an ``info`` finding at the comment, so that it shows in review:

- S001 suppression-without-reason: a suppression that does not say why;
- S002 unused-suppression: it matched no finding of a rule that ran (ruff's unused ``noqa``);
- S003 suppression-refused: the configuration's ``no_inline_suppress`` keeps this rule
  out of authors' hands, so the finding stays active;
- S004 expired-suppression: past its ``until`` date it stops working, and says so;
- S005 malformed-suppression: an ``iac-lint:`` comment that could not be read.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from iac_lint.engine.comments import MAX_DIRECTIVE_LINE, comment_start, is_hcl
from iac_lint.model import Finding, Location, Template
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS
from iac_lint.model.rule_ids import RULE_ID_LIST_PATTERN, matches_rule

# Where a directive starts: a comment marker, then "iac-lint:".
DIRECTIVE = re.compile(r"(?:#|//|/\*)\s*iac-lint\s*:", re.IGNORECASE)
_BODY = re.compile(
    rf"^\s*ignore\s+(?P<ids>{RULE_ID_LIST_PATTERN})"
    r"(?:\s+until\s+(?P<until>\S+))?"
    r"\s*(?:--\s*(?P<reason>.*?))?\s*(?:\*/\s*)?$",
    re.IGNORECASE,
)
_COMMENT_LINE = re.compile(r"^\s*(?:#|//|/\*)")


@dataclass(slots=True, eq=False)
class Suppression:
    """One suppression written in a scanned file (a comment, or one Metadata entry)."""

    ids: tuple[str, ...]
    location: Location
    reason: str
    until: date | None
    origin: str  # "comment" or "metadata"
    resource: str = ""
    used: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _FileComments:
    lines: list[str]
    by_line: dict[int, list[Suppression]]
    malformed: list[tuple[Location, str]]


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        return None


def may_hold_suppressions(lines: list[str]) -> bool:
    """Whether a file could hold an inline suppression (a cheap test: the marker, in any case)."""
    return "iac-lint" in "\n".join(lines).lower()


def read_comments(lines: list[str], file: str) -> _FileComments:
    """Every suppression comment of a file, by line number (1-based), and the unreadable ones."""
    by_line: dict[int, list[Suppression]] = {}
    malformed: list[tuple[Location, str]] = []
    if not may_hold_suppressions(lines):  # most files: one test of the whole text, not one per line
        return _FileComments(lines, by_line, malformed)
    hcl = is_hcl(file)
    for number, text in enumerate(lines, start=1):
        if "iac-lint" not in text.lower() or len(text) > MAX_DIRECTIVE_LINE:
            continue
        comment = comment_start(text, hcl)
        start = DIRECTIVE.match(text, comment) if comment is not None else None
        if start is None:
            continue
        where = Location(file, number, start.start() + 1, number, len(text.rstrip()) + 1)
        match = _BODY.match(text[start.end():])
        if match is None:
            malformed.append((where, "expected `iac-lint: ignore RULE[,RULE] [until YYYY-MM-DD] -- reason`"))
            continue
        until = None
        if match.group("until"):
            until = parse_date(match.group("until"))
            if until is None:
                malformed.append((where, f"`until {match.group('until')}` is not a date (YYYY-MM-DD); "
                                         "the suppression is not applied"))
                continue
        ids = tuple(dict.fromkeys(i.strip().upper() for i in match.group("ids").split(",")))
        by_line.setdefault(number, []).append(
            Suppression(ids, where, (match.group("reason") or "").strip(), until, "comment"))
    return _FileComments(lines, by_line, malformed)


def _metadata_until(metadata: Any) -> dict[str, date | None]:
    """``until`` of each ``Metadata.iac-lint.ignore`` entry, by rule id (the parser keeps id and reason only)."""
    out: dict[str, date | None] = {}
    block = metadata.get("iac-lint") if isinstance(metadata, dict) else None
    entries = block.get("ignore") if isinstance(block, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("id") and entry.get("until") is not None:
            out[str(entry["id"]).upper()] = parse_date(str(entry["until"]))
    return out


def resource_headers(templates: list[Template]) -> dict[tuple[str, str], int]:
    """The line that opens each finding's resource, by (file, finding.resource): as far up as a
    comment reaches (an editor places a "for this resource" suppression above it)."""
    headers: dict[tuple[str, str], int] = {}
    for tpl in templates:
        for entity in tpl.entities:
            headers.setdefault((entity.loc.file, entity.id), entity.loc.line)
        for resource in tpl.resources:
            headers.setdefault((resource.location.file, resource.id), resource.location.line)
    return headers


class _Index:
    """Suppressions of the scanned files, read once, looked up per finding."""

    def __init__(self, templates: list[Template]) -> None:
        self.files: dict[str, _FileComments] = {}
        self.formats: dict[str, str] = {}
        self.metadata: dict[tuple[str, str], list[Suppression]] = {}
        self.bad_metadata: list[tuple[Location, str, str]] = []
        self.headers = resource_headers(templates)
        for tpl in templates:
            for file, lines in tpl.sources.items():
                self.files.setdefault(file, read_comments(lines, file))
                self.formats.setdefault(file, tpl.format)
            for resource in tpl.resources:
                key = (resource.location.file, resource.id)
                self.formats.setdefault(resource.location.file, tpl.format)
                if resource.suppressions:
                    until = _metadata_until(resource.metadata)
                    for rule_id, reason, where in resource.suppressions:
                        rule_id = str(rule_id).upper()
                        where = where or resource.location
                        if rule_id in until and until[rule_id] is None:
                            self.bad_metadata.append((where, resource.id, "`until` is not a date (YYYY-MM-DD); "
                                                                         "the suppression is not applied"))
                            continue
                        self.metadata.setdefault(key, []).append(
                            Suppression((rule_id,), where, reason or "", until.get(rule_id), "metadata", resource.id))

    def comments(self, file: str) -> _FileComments:
        found = self.files.get(file)
        if found is None:
            # Never read here: a file no parser kept the text of may be one they refused (oversized, a FIFO).
            found = self.files[file] = read_comments([], file)
        return found

    def candidates(self, finding: Finding) -> list[Suppression]:
        """The suppressions that reach a finding, nearest first."""
        file = finding.location.file
        out = list(self.metadata.get((file, finding.resource), []))
        comments = self.comments(file)
        if not comments.by_line:
            return out
        line = finding.location.line
        out += self._at(comments, line)
        header = self.headers.get((file, finding.resource))
        for parent in _enclosing_lines(comments.lines, line, header):
            out += self._at(comments, parent)
        if header is not None and header != line:
            out += self._at(comments, header)
        return list(dict.fromkeys(out))

    @staticmethod
    def _at(comments: _FileComments, line: int) -> list[Suppression]:
        """On the line itself, then the block of comment lines directly above it."""
        found = list(comments.by_line.get(line, []))
        above = line - 1
        while above >= 1 and above <= len(comments.lines) and _COMMENT_LINE.match(comments.lines[above - 1]):
            found += comments.by_line.get(above, [])
            above -= 1
        return found

    def all(self) -> Iterable[Suppression]:
        for comments in self.files.values():
            for suppressions in comments.by_line.values():
                yield from suppressions
        for suppressions in self.metadata.values():
            yield from suppressions


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _enclosing_lines(lines: list[str], line: int, header: int | None, limit: int = 5000) -> list[int]:
    """The lines that open the nodes enclosing ``line`` (by indentation), up to the resource header.

    So that a comment above ``- Effect: Allow`` (a whole statement), or on ``Policies:``, covers the
    findings inside it.  Top-level lines (``Resources:``, ``provider:``) never count: a suppression
    reaches at most one resource.
    """
    if not 1 <= line <= len(lines):
        return []
    out: list[int] = []
    indent = _indent(lines[line - 1])
    for number in range(line - 1, max(line - limit, 0), -1):
        if header is not None and number < header:
            break
        text = lines[number - 1]
        if not text.strip() or _COMMENT_LINE.match(text):
            continue
        own = _indent(text)
        if own < indent:
            if own == 0:
                break
            out.append(number)
            indent = own
            if number == header:
                break
    return out


def _meta_finding(rule_id: str, message: str, where: Location, resource: str, fmt: str, key: str) -> Finding:
    check = BUILTIN_FINDINGS[rule_id]
    return Finding(rule_id=rule_id, rule_name=check.name, severity=check.severity, category=check.category,
                   message=message, location=where, resource=resource, format=fmt,
                   logical_path=key)


def apply_suppressions(findings: Iterable[Finding], templates: list[Template], config: Any,
                       rules: Iterable[Any] | None = None) -> list[Finding]:
    """Mark findings suppressed in the source, and report the suppressions' own problems.

    ``rules`` are the rules that ran: an unused suppression is reported only for them, so that
    ``--select ENC`` does not call every ``IAM`` suppression unused.
    """
    today = getattr(config, "today", None) or date.today()
    refused_tokens = list(getattr(config, "no_inline_suppress", None) or [])
    categories = {r.id: r.category for r in rules or ()}
    ran = set(categories) if rules is not None else None
    index = _Index(templates)
    refused: dict[int, set[str]] = {}
    expired: dict[int, set[str]] = {}

    def is_refused(rule_id: str, category: str) -> bool:
        return bool(refused_tokens) and matches_rule(rule_id, category, refused_tokens)

    out: list[Finding] = []
    for finding in findings:
        if not finding.suppressed:
            for suppression in index.candidates(finding):
                if finding.rule_id not in suppression.ids:
                    continue
                if is_refused(finding.rule_id, finding.category):
                    refused.setdefault(id(suppression), set()).add(finding.rule_id)
                    continue
                if suppression.until is not None and suppression.until < today:
                    expired.setdefault(id(suppression), set()).add(finding.rule_id)
                    continue
                suppression.used.add(finding.rule_id)
                finding = dataclasses.replace(finding, suppressed=True, suppression_reason=suppression.reason,
                                              suppression_kind="inSource")
                break
        out.append(finding)

    source = f" in {config.source}" if getattr(config, "source", None) else ""
    for s in index.all():
        fmt = index.formats.get(s.location.file, "")
        key = f"{','.join(s.ids)}:{s.reason}"
        if not s.reason:
            out.append(_meta_finding("S001", f"suppression of {', '.join(s.ids)} gives no reason; "
                                     f"add one after `--`" if s.origin == "comment" else
                                     f"suppression of {', '.join(s.ids)} gives no reason; add `reason:`",
                                     s.location, s.resource, fmt, key))
        for rule_id in s.ids:
            if is_refused(rule_id, categories.get(rule_id, "")) or rule_id in refused.get(id(s), ()):
                out.append(_meta_finding(
                    "S003", f"{rule_id} may not be suppressed in the source (no_inline_suppress{source}); "
                            f"use the baseline or ask the owners of the configuration", s.location, s.resource,
                    fmt, f"{rule_id}:{s.reason}"))
            elif s.until is not None and s.until < today:
                hit = " and the finding is reported again" if rule_id in expired.get(id(s), ()) else ""
                out.append(_meta_finding(
                    "S004", f"suppression of {rule_id} expired on {s.until.isoformat()}{hit}",
                    s.location, s.resource, fmt, f"{rule_id}:{s.until.isoformat()}"))
            elif rule_id not in s.used and (ran is None or rule_id in ran):
                out.append(_meta_finding("S002", f"suppression of {rule_id} matches no finding; remove it",
                                         s.location, s.resource, fmt, f"{rule_id}:{s.reason}"))
    for comments in index.files.values():
        for where, problem in comments.malformed:
            out.append(_meta_finding("S005", f"unreadable iac-lint comment: {problem}", where, "",
                                     index.formats.get(where.file, ""), problem))
    for where, resource, problem in index.bad_metadata:
        out.append(_meta_finding("S005", f"unreadable iac-lint Metadata: {problem}", where, resource,
                                 index.formats.get(where.file, ""), problem))
    return out
