"""Baselines: accept today's findings, report only new ones.

A baseline file lists fingerprints (see ``engine.evaluate.fingerprint``:
rule, file and logical path, never a line number; the file is named relative
to the project root, the git repository of the scanned files, so a baseline
written at the repository root matches a scan run from ``infra/``), with the
rule id, file, resource and message beside each::

    {
      "version": 1,
      "tool": "iac-lint",
      "findings": [
        {"fingerprint": "9f0c...", "rule_id": "IAM001", "file": "template.yaml",
         "resource": "ProcessorRole", "message": "..."}
      ]
    }

Matching, in two passes over the findings that nothing else suppressed:

1. by fingerprint, counting occurrences: two entries with one fingerprint
   accept two findings, not every future one;
2. what is left, by (rule, file, resource), counting again: narrowing a
   baselined ``sqs:*`` to ``sqs:SendMessage`` changes the finding's message
   or attribute path, hence its fingerprint, but it is the same accepted
   problem of the same resource, not a new one.  A resource with two
   baselined IAM002 findings may have at most two such findings forgiven; a
   third is new.  Findings without a resource (parse errors) match only by
   fingerprint.

So ``rule_id``, ``file`` and ``resource`` are data, not only comments for the
humans reviewing the file (files written before they were read still load:
their entries match by fingerprint only).

Accepted findings are marked ``baselined`` and suppressed (kind ``external``,
reason ``baseline``) rather than dropped, so JSON and SARIF keep them and the
gate does not fail on them.  Entries that match nothing any more are *stale*:
counted on the report, and removed by ``iac-lint baseline update``, which also
rewrites the entries that matched through the fallback to the findings'
current fingerprints and never adds a finding.  An entry is judged only when
the scan could have produced it (its file lies under a scanned path and its
rule ran), so scanning one folder, or with ``--select``, leaves the rest of
the baseline alone.  No dates go in, so recreating an unchanged baseline gives
the same file and a clean diff.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from iac_lint.model import Finding

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; names the file."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str | None = None
    file: str | None = None
    resource: str | None = None
    # The entry as the file has it, written back unchanged when a scan could not judge it.
    raw: Any = None

    @property
    def key(self) -> tuple[str, str, str] | None:
        """What the fallback matches on; None when the entry does not say, or names no resource."""
        if self.rule_id and self.file is not None and self.resource:
            return (self.rule_id, self.file, self.resource)
        return None


@dataclass(frozen=True, slots=True)
class Baseline:
    path: str
    entries: tuple[BaselineEntry, ...]


@dataclass(slots=True)
class BaselineOutcome:
    findings: list[Finding]
    # Entries that accepted no finding of this scan.
    unmatched: list[BaselineEntry]


def _entry_dict(f: Finding, repo_file: str) -> dict[str, Any]:
    return {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "file": repo_file, "resource": f.resource,
            "message": f.message}


def _sort_key(entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(entry.get(k) or "") for k in ("file", "rule_id", "resource", "fingerprint", "message"))


def baseline_document(findings: Iterable[Finding], root: str | None = None,
                      keep: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """The baseline of ``findings`` (plus ``keep``, entries carried over as they are); files named relative
    to the project root, like the fingerprints, so that the same findings give the same file from whichever
    directory it was written."""
    from iac_lint.model.paths import project_root, repo_path

    root = root or project_root()
    entries = [_entry_dict(f, repo_path(f.location.file, root)) for f in findings]
    entries.extend(keep)
    entries.sort(key=_sort_key)
    return {"version": BASELINE_VERSION, "tool": "iac-lint", "findings": entries}


def write_document(document: dict[str, Any], path: str) -> int:
    """Write a baseline document; returns how many findings it accepts."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write: {exc.strerror}") from None
    return len(document["findings"])


def write_baseline(findings: Iterable[Finding], path: str, root: str | None = None) -> int:
    """Write the baseline of a scan's active findings; returns how many findings it accepts."""
    return write_document(baseline_document([f for f in findings if not f.suppressed], root), path)


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
    entries = []
    for i, raw in enumerate(document["findings"]):
        fp = raw.get("fingerprint") if isinstance(raw, dict) else None
        if not isinstance(fp, str) or not fp:
            raise BaselineError(f"{path}: entry {i} has no fingerprint")

        def text(key: str, raw: dict[str, Any] = raw) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) else None

        entries.append(BaselineEntry(fp, text("rule_id"), text("file"), text("resource"), raw))
    return Baseline(path, tuple(entries))


def apply_baseline(findings: Iterable[Finding], baseline: Baseline,
                   repo_file: Callable[[Finding], str]) -> BaselineOutcome:
    """Mark the findings the baseline accepts (see the module docstring); the rest are new.

    ``repo_file`` names a finding's file as the baseline does (relative to the project root).
    """
    findings = list(findings)
    by_fingerprint: dict[str, list[BaselineEntry]] = defaultdict(list)
    for entry in baseline.entries:
        by_fingerprint[entry.fingerprint].append(entry)
    accepted: set[int] = set()
    used: set[int] = set()  # id() of the entries that accepted a finding
    for i, finding in enumerate(findings):
        if finding.suppressed:
            continue
        waiting = by_fingerprint.get(finding.fingerprint)
        if waiting:
            used.add(id(waiting.pop()))
            accepted.add(i)
    by_key: dict[tuple[str, str, str], list[BaselineEntry]] = defaultdict(list)
    for entry in reversed(baseline.entries):
        if id(entry) not in used and entry.key is not None:
            by_key[entry.key].append(entry)
    for i, finding in enumerate(findings):
        if finding.suppressed or i in accepted or not finding.resource:
            continue
        waiting = by_key.get((finding.rule_id, repo_file(finding), finding.resource))
        if waiting:
            used.add(id(waiting.pop()))
            accepted.add(i)
    marked = [dataclasses.replace(f, suppressed=True, baselined=True, suppression_kind="external",
                                  suppression_reason="baseline") if i in accepted else f
              for i, f in enumerate(findings)]
    return BaselineOutcome(marked, [e for e in baseline.entries if id(e) not in used])


def judged_by(entry: BaselineEntry, scanned: list[str], rule_ids: set[str]) -> bool:
    """Whether a scan of ``scanned`` (paths relative to the project root) running ``rule_ids`` could have
    produced the entry's finding: only then does an entry that matched nothing count as stale."""
    from iac_lint.model.builtin_findings import BUILTIN_FINDINGS

    # iac-lint's own findings (parse errors, suppression checks) are always on.
    if entry.rule_id and entry.rule_id not in rule_ids and entry.rule_id not in BUILTIN_FINDINGS:
        return False
    if entry.file is None:
        return "." in scanned
    if entry.file == ".." or entry.file.startswith("../"):
        return False
    return any(path == "." or entry.file == path or entry.file.startswith(path.rstrip("/") + "/")
               for path in scanned)
