"""Pin the scan's findings before a refactoring and check they are unchanged after it.

    python benchmarks/same_output.py record before.json [DIR ...]
    python benchmarks/same_output.py record after.json [DIR ...]
    python benchmarks/same_output.py compare before.json after.json

``record`` scans each DIR (default: ``../shared/corpus`` and ``examples/``) in
process with the default configuration and writes every finding, sorted, as
canonical JSON: rule id, file (relative to the scanned directory's parent),
span, resource, message, fingerprint, suppressed -- the same wherever it is run.  ``compare`` exits 1 with a
summary of what appeared and what vanished when two recordings differ, 0 when
they are identical.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIRS = [os.path.join(REPO, "..", "shared", "corpus"), os.path.join(REPO, "examples")]
FIELDS = ("rule_id", "file", "line", "column", "end_line", "end_column", "resource", "message",
          "fingerprint", "suppressed")


def findings_of(directory: str) -> list[dict]:
    sys.path.insert(0, REPO)
    from iac_lint import scan
    from iac_lint.config import Config

    directory = os.path.normpath(os.path.abspath(directory))
    base = os.path.dirname(directory)
    # A directory outside any git repository is fingerprinted relative to the working directory:
    # scan from its parent so that a recording does not depend on where the script was started.
    here = os.getcwd()
    os.chdir(base)
    try:
        report = scan([directory], Config())
    finally:
        os.chdir(here)
    rows = []
    for f in report.findings:
        loc = f.location
        rows.append({
            "rule_id": f.rule_id, "file": os.path.relpath(os.path.abspath(loc.file), base).replace(os.sep, "/"),
            "line": loc.line, "column": loc.column, "end_line": loc.end_line, "end_column": loc.end_column,
            "resource": f.resource, "message": f.message, "fingerprint": f.fingerprint, "suppressed": f.suppressed,
        })
    return sorted(rows, key=lambda r: json.dumps([r[k] for k in FIELDS], default=str))


def record(out: str, dirs: list[str]) -> int:
    result = {}
    for directory in dirs:
        if not os.path.isdir(directory):
            print(f"skipping {directory}: not a directory", file=sys.stderr)
            continue
        result[os.path.basename(os.path.normpath(directory))] = findings_of(directory)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(f"{out}: " + ", ".join(f"{name} {len(rows)} findings" for name, rows in result.items()))
    return 0


def compare(before_path: str, after_path: str) -> int:
    with open(before_path, encoding="utf-8") as handle:
        before = json.load(handle)
    with open(after_path, encoding="utf-8") as handle:
        after = json.load(handle)
    differ = False
    for name in sorted(set(before) | set(after)):
        old = collections.Counter(json.dumps(r, sort_keys=True) for r in before.get(name, []))
        new = collections.Counter(json.dumps(r, sort_keys=True) for r in after.get(name, []))
        gone, came = old - new, new - old
        if not gone and not came:
            print(f"{name}: identical ({sum(old.values())} findings)")
            continue
        differ = True
        print(f"{name}: {sum(gone.values())} findings vanished, {sum(came.values())} appeared")
        for label, rows in (("-", gone), ("+", came)):
            for row in sorted(rows)[:20]:
                r = json.loads(row)
                print(f"  {label} {r['rule_id']} {r['file']}:{r['line']}:{r['column']} {r['resource']}: {r['message']}")
            if len(rows) > 20:
                print(f"  {label} ... {len(rows) - 20} more")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="scan directories and write their findings as canonical JSON")
    rec.add_argument("output")
    rec.add_argument("dirs", nargs="*", default=DEFAULT_DIRS)
    cmp_ = sub.add_parser("compare", help="exit 1 with a summary when two recordings differ")
    cmp_.add_argument("before")
    cmp_.add_argument("after")
    args = parser.parse_args(argv)
    if args.command == "record":
        return record(args.output, args.dirs)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
