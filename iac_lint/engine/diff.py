"""Diff mode (``--changed-since REF``): only findings on what this branch changed.

"Changed since REF" means changed relative to the merge base of REF and
``HEAD``, working tree included (``git diff -U0 $(git merge-base REF HEAD)``,
plus untracked files): on a pull request against ``origin/main`` that is the
pull request's own change, not whatever ``main`` did since the branch started.

A finding is kept when
- it is an error that left something unread (E001-E004: a file that could
  not be parsed, a rule that failed): the analysis was blind there, changed
  or not, so diff mode never hides it;
- its file is new (added, or untracked), or
- its own span, or the span of its resource (header line to the end of the
  resource's last node), touches a changed line, or
- its template changed outside every resource: a SAM ``Globals``, a
  Serverless ``provider`` setting outside ``iam``, Terraform ``locals`` or
  CloudFormation ``Parameters`` change what every resource means, so the
  whole template is reported (a hunk of only blank or comment lines excepted).

Renames are followed (``--find-renames``): a file that was only moved has no
changed line, so a pull request that reorganises folders does not suddenly
answer for every finding the moved templates already had; a moved and edited
file counts only its edited lines.  A deleted file has nothing to report.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from iac_lint.model import Finding, Parameter, Template
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")
_COMMENT_OR_BLANK = re.compile(r"^\s*(?:(?:#|//).*)?$")


class DiffError(Exception):
    """Diff mode cannot run (not a repository, unknown revision, shallow clone)."""


@dataclass(slots=True)
class FileChange:
    new: bool = False
    # Changed line ranges in the current file (1-based, inclusive), and whether the hunk is more than
    # blank lines and comments.
    hunks: list[tuple[int, int, bool]] = field(default_factory=list)


@dataclass(slots=True)
class Changes:
    ref: str
    base: str
    files: dict[str, FileChange] = field(default_factory=dict)  # by real absolute path

    def of(self, path: str) -> FileChange | None:
        return self.files.get(os.path.realpath(os.path.abspath(path)))


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=cwd, capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=120)
    except FileNotFoundError:
        raise DiffError("--changed-since needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {' '.join(args)} took more than 120 s") from None


def changed_since(ref: str, paths: Iterable[str]) -> Changes:
    """What changed since ``ref`` in the repository holding the first scanned path."""
    first = next(iter(paths), ".")
    start = first if os.path.isdir(first) else (os.path.dirname(first) or ".")
    top = _git(["rev-parse", "--show-toplevel"], start)
    if top.returncode != 0:
        raise DiffError(f"--changed-since: {os.path.abspath(start)} is not inside a git repository")
    root = top.stdout.strip()
    shallow = _git(["rev-parse", "--is-shallow-repository"], root).stdout.strip() == "true"
    fetch_hint = ("this is a shallow clone: fetch more history, e.g. `git fetch --deepen=100 origin` or "
                  f"`git fetch origin {ref}`; in GitHub Actions set `fetch-depth: 0` on actions/checkout, "
                  "in GitLab CI set `GIT_DEPTH: 0`")
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root).returncode != 0:
        if shallow:
            raise DiffError(f"--changed-since: revision {ref!r} is not in this repository; {fetch_hint}")
        raise DiffError(f"--changed-since: unknown revision {ref!r} (fetch it first, e.g. `git fetch origin`)")
    merge_base = _git(["merge-base", ref, "HEAD"], root)
    if merge_base.returncode != 0:
        if shallow:
            raise DiffError(f"--changed-since: no common history between {ref!r} and HEAD; {fetch_hint}")
        raise DiffError(f"--changed-since: {ref!r} and HEAD share no history")
    base = merge_base.stdout.strip()
    diff = _git(["diff", "-U0", "--no-color", "--no-ext-diff", "--find-renames", base, "--"], root)
    if diff.returncode != 0:
        raise DiffError(f"--changed-since: git diff failed: {diff.stderr.strip()}")
    changes = Changes(ref, base, parse_diff(diff.stdout, root))
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    for name in filter(None, untracked.stdout.split("\0")):
        changes.files[os.path.realpath(os.path.join(root, name))] = FileChange(new=True)
    return changes


def _unquote(path: str) -> str:
    """git quotes names with unusual characters even with core.quotepath off."""
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "replace").decode("utf-8", "replace")
    return path


def parse_diff(text: str, root: str) -> dict[str, FileChange]:
    """``git diff -U0`` output -> changed line ranges per file (real absolute paths)."""
    files: dict[str, FileChange] = {}
    current: FileChange | None = None
    hunk: list[Any] | None = None  # [start, end, significant]

    def close() -> None:
        if current is not None and hunk is not None:
            current.hunks.append((hunk[0], hunk[1], hunk[2]))

    for line in text.splitlines():
        if line.startswith("diff --git "):
            close()
            hunk, current = None, FileChange()
        elif current is None:
            continue
        elif line.startswith("new file mode"):
            current.new = True
        elif line.startswith("+++ ") and hunk is None:
            name = _unquote(line[4:].rstrip("\t"))
            if name != "/dev/null":
                name = name[2:] if name.startswith("b/") else name
                files[os.path.realpath(os.path.join(root, name))] = current
        elif line.startswith("@@"):
            close()
            match = _HUNK.match(line)
            if match is None:
                hunk = None
                continue
            start, count = int(match.group("start")), int(match.group("count") or 1)
            # A pure deletion (count 0) happened just after ``start``: count the line it follows.
            hunk = [max(start, 1), max(start + count - 1, start, 1), False]
        elif hunk is not None and line[:1] in "+-" and not _COMMENT_OR_BLANK.match(line[1:]):
            hunk[2] = True
    close()
    return files


# --- spans ---------------------------------------------------------------------------


def _end_of(where: Any) -> tuple[int, int]:
    return (where.end_line, where.end_column or 1) if where.end_line else (where.line, where.column)


def _max_end(value: Any, file: str) -> tuple[int, int]:
    """Where the last located node under ``value`` in ``file`` ends (included files' nodes do not count)."""
    from iac_lint.model.located import LMap, LSeq

    best = (0, 0)
    stack, seen = [value], 0
    while stack and seen < 200_000:
        node = stack.pop()
        seen += 1
        loc = getattr(node, "loc", None)
        if loc is not None and loc.file == file:
            best = max(best, _end_of(loc))
        if isinstance(node, LMap):
            for where in (*node.key_locs.values(), *node.value_locs.values()):
                if where is not None and where.file == file:
                    best = max(best, _end_of(where))
            stack.extend(node.values())
        elif isinstance(node, LSeq):
            for item_where in node.item_locs:
                if item_where is not None and item_where.file == file:
                    best = max(best, _end_of(item_where))
            stack.extend(node)
        elif isinstance(node, (dict, list)):
            stack.extend(node.values() if isinstance(node, dict) else node)
    return best


def _last_line(start: int, end: tuple[int, int], lines: list[str]) -> int:
    """The last line of a span whose end mark is ``end``.

    A YAML block mapping ends where the next key starts, so an end mark with
    only indentation before it belongs to the previous line; trailing blank
    and comment lines belong to nobody.
    """
    line, column = end
    if lines and 1 <= line <= len(lines) and line > start and not lines[line - 1][:max(column - 1, 0)].strip():
        line -= 1
    if lines:
        line = min(line, len(lines))
        while line > start and _COMMENT_OR_BLANK.match(lines[line - 1]):
            line -= 1
    return max(line, start)


def resource_spans(templates: Iterable[Template]) -> dict[tuple[str, str], tuple[int, int]]:
    """(file, resource or entity id) -> (header line, last line)."""
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for tpl in templates:
        for resource in tpl.resources:
            loc = resource.location
            file = loc.file
            lines = tpl.sources.get(file, [])
            end = max(_end_of(loc), _max_end(resource.properties, file), _max_end(resource.metadata, file))
            spans[(file, resource.id)] = (loc.line, _last_line(loc.line, end, lines))
        for entity in tpl.entities:
            if isinstance(entity, Parameter):
                continue  # an input changes what every resource means: a change there is outside them all
            resource_span = spans.get((entity.resource.location.file, entity.resource.id))
            key = (entity.loc.file, entity.id)
            if resource_span is not None and entity.loc.file == entity.resource.location.file:
                spans.setdefault(key, resource_span)
            else:
                spans.setdefault(key, (entity.loc.line, entity.loc.end_line or entity.loc.line))
    return spans


def _touches(span: tuple[int, int], hunks: list[tuple[int, int, bool]]) -> bool:
    return any(start <= span[1] and span[0] <= end for start, end, _ in hunks)


def keep_changed(findings: Iterable[Finding], templates: list[Template], changes: Changes) -> list[Finding]:
    """The findings on what changed (see the module docstring)."""
    spans = resource_spans(templates)
    spans_by_file: dict[str, list[tuple[int, int]]] = {}
    for (file, _), span in spans.items():
        spans_by_file.setdefault(file, []).append(span)
    # A template whose change falls outside every resource is reported whole.
    whole: set[str] = set()
    for tpl in templates:
        files = set(tpl.sources) | ({tpl.path} if os.path.isfile(tpl.path) else set())
        for file in files:
            change = changes.of(file)
            if change is None:
                continue
            unit_spans = spans_by_file.get(file, [])
            if change.new or any(significant and not any(s <= end and start <= e for s, e in unit_spans)
                                 for start, end, significant in change.hunks):
                whole.update(os.path.realpath(os.path.abspath(f)) for f in files)
                break
    out = []
    for finding in findings:
        file = finding.location.file
        real = os.path.realpath(os.path.abspath(file))
        builtin = BUILTIN_FINDINGS.get(finding.rule_id)
        if real in whole or (builtin is not None and builtin.blocks_analysis):
            out.append(finding)
            continue
        change = changes.of(file)
        if change is None:
            continue
        loc = finding.location
        own = (loc.line, loc.end_line or loc.line)
        resource_span = spans.get((file, finding.resource)) if finding.resource else None
        in_resource = resource_span is not None and _touches(resource_span, change.hunks)
        if change.new or _touches(own, change.hunks) or in_resource:
            out.append(finding)
    return out
