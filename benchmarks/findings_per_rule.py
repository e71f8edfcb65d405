"""Count the default run's findings per rule on a corpus, and compare two counts.

    python benchmarks/findings_per_rule.py record counts.json [DIR ...]
    python benchmarks/findings_per_rule.py compare before.json after.json
    python benchmarks/findings_per_rule.py show [DIR ...]

``record`` scans each DIR (default: ``../shared/corpus``) in process with the
default configuration -- the rules a user gets without ``--select`` -- and
writes the number of unsuppressed findings per rule id, per format and in
total.  ``compare`` prints one line per rule whose count moved, with both
counts, and the totals; it always exits 0 (a moved count is for a person to
explain, not a failure).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIRS = [os.path.join(REPO, "..", "shared", "corpus")]


def counts_of(directories: list[str]) -> dict[str, object]:
    sys.path.insert(0, REPO)
    from iac_lint import scan
    from iac_lint.config import Config

    by_rule: collections.Counter[str] = collections.Counter()
    by_rule_format: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    by_severity: collections.Counter[str] = collections.Counter()
    for directory in directories:
        if not os.path.isdir(directory):
            print(f"skipping {directory}: not a directory", file=sys.stderr)
            continue
        report = scan([os.path.abspath(directory)], Config())
        for finding in report.findings:
            if finding.suppressed:
                continue
            by_rule[finding.rule_id] += 1
            by_rule_format[finding.rule_id][finding.format or "-"] += 1
            by_severity[f"{finding.rule_id}:{finding.severity}"] += 1
    return {
        "total": sum(by_rule.values()),
        "by_rule": dict(sorted(by_rule.items())),
        "by_rule_format": {rule: dict(sorted(c.items())) for rule, c in sorted(by_rule_format.items())},
        "by_rule_severity": dict(sorted(by_severity.items())),
    }


def _table(counts: dict[str, object]) -> str:
    by_rule = counts["by_rule"]
    assert isinstance(by_rule, dict)
    lines = [f"{rule:8} {n:6}" for rule, n in by_rule.items()]
    lines.append(f"{'total':8} {counts['total']:6}")
    return "\n".join(lines)


def compare(before: dict[str, object], after: dict[str, object]) -> str:
    old, new = before["by_rule"], after["by_rule"]
    assert isinstance(old, dict) and isinstance(new, dict)
    lines = [f"{'rule':8} {'before':>7} {'after':>7} {'change':>7}"]
    for rule in sorted(set(old) | set(new)):
        a, b = old.get(rule, 0), new.get(rule, 0)
        if a != b:
            lines.append(f"{rule:8} {a:7} {b:7} {b - a:+7}")
    lines.append(f"{'total':8} {before['total']:7} {after['total']:7} {int(after['total']) - int(before['total']):+7}")  # type: ignore[call-overload]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("output")
    rec.add_argument("dirs", nargs="*")
    show = sub.add_parser("show")
    show.add_argument("dirs", nargs="*")
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before")
    cmp_.add_argument("after")
    args = parser.parse_args(argv)
    if args.command == "compare":
        with open(args.before, encoding="utf-8") as handle:
            before = json.load(handle)
        with open(args.after, encoding="utf-8") as handle:
            after = json.load(handle)
        print(compare(before, after))
        return 0
    counts = counts_of(args.dirs or DEFAULT_DIRS)
    if args.command == "show":
        print(_table(counts))
        return 0
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(counts, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(_table(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
