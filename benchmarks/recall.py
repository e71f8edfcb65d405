"""Recall and false alarms on labelled samples that iac-lint's own tests never saw.

    python benchmarks/recall.py SAMPLES_DIR [--labels FILE] [--json]
    python benchmarks/recall.py ../shared/corpus --labels benchmarks/corpus-labels.tsv

``SAMPLES_DIR/labels.tsv`` (or ``--labels``) lists one judged sample a line (``#`` starts a comment)::

    path<TAB>format<TAB>family<TAB>rules<TAB>expect[<TAB>resource[<TAB>note]]

``path`` is a file or a Terraform directory, relative to SAMPLES_DIR (or absolute); ``format`` is
cloudformation, sam, serverless or terraform; ``family`` the rule category (least-privilege,
encryption, public-access, throttling); ``rules`` the iac-lint rule ids that stand for the problem
the sample shows or avoids (comma-separated); ``expect`` is ``bad`` (the problem is there: one of
``rules`` must fire) or ``good`` (it is not: none of them may fire); ``resource``, when given, limits
the judgement to findings on that resource (a sample file often holds other, unrelated resources).
A sample whose expectation is contested or outdated is left out of the file, with a comment saying why.

Prints, per family x format, recall (bad samples found / bad samples) and the false-alarm rate (good
samples flagged / good samples), and the samples that missed.  The samples themselves stay outside
the repository: they are other projects' files, read for measuring only.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_labels(directory: str, labels: str | None = None) -> list[dict[str, Any]]:
    rows = []
    with open(labels or os.path.join(directory, "labels.tsv"), encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5 or parts[4] not in ("bad", "good"):
                sys.exit(f"labels.tsv:{number}: expected path, format, family, rules, bad|good")
            path = parts[0] if os.path.isabs(parts[0]) else os.path.join(directory, parts[0])
            rows.append({"path": path, "format": parts[1], "family": parts[2],
                         "rules": [r.strip() for r in parts[3].split(",") if r.strip()], "expect": parts[4],
                         "resource": parts[5] if len(parts) > 5 else "", "note": parts[6] if len(parts) > 6 else ""})
    return rows


def fired(path: str, resource: str = "") -> set[str]:
    """Rule ids iac-lint reports on a sample (default configuration, every rule), on ``resource`` if given."""
    sys.path.insert(0, REPO)
    from iac_lint import scan
    from iac_lint.config import Config

    return {f.rule_id for f in scan([path], Config()).findings if not resource or f.resource == resource}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("samples")
    parser.add_argument("--labels", help="the labels file (default: SAMPLES_DIR/labels.tsv)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cells: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    misses = []
    for row in read_labels(args.samples, args.labels):
        hit = bool(fired(row["path"], row["resource"]) & set(row["rules"]))
        cell = cells[(row["family"], row["format"])]
        if row["expect"] == "bad":
            cell["bad"] += 1
            cell["found"] += hit
            if not hit:
                misses.append(("missed", row))
        else:
            cell["good"] += 1
            cell["false_alarm"] += hit
            if hit:
                misses.append(("false alarm", row))
    table = []
    for (family, fmt), c in sorted(cells.items()):
        recall = c["found"] / c["bad"] if c["bad"] else None
        alarms = c["false_alarm"] / c["good"] if c["good"] else None
        table.append({"family": family, "format": fmt, "bad": c["bad"], "found": c["found"], "recall": recall,
                      "good": c["good"], "false_alarms": c["false_alarm"], "false_alarm_rate": alarms})
    if args.json:
        print(json.dumps({"cells": table, "misses": [{"kind": k, **r} for k, r in misses]}, indent=1))
        return 0
    print(f"{'family':16} {'format':15} {'recall':>14} {'false alarms':>14}")
    for t in table:
        recall = f"{t['found']}/{t['bad']} = {t['recall']:.2f}" if t["bad"] else "-"
        alarms = f"{t['false_alarms']}/{t['good']} = {t['false_alarm_rate']:.2f}" if t["good"] else "-"
        print(f"{t['family']:16} {t['format']:15} {recall:>14} {alarms:>14}")
    total_bad = sum(t["bad"] for t in table)
    total_good = sum(t["good"] for t in table)
    if total_bad or total_good:
        print(f"{'all':16} {'':15} {sum(t['found'] for t in table)}/{total_bad}".ljust(47) +
              f"{sum(t['false_alarms'] for t in table)}/{total_good}".rjust(14))
    for kind, row in misses:
        print(f"{kind}: {os.path.relpath(row['path'], args.samples)} ({', '.join(row['rules'])}) {row['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
