"""Recompute the judged ratio of real findings to low-value or false ones.

    python benchmarks/judged_ratio.py [benchmarks/judged-findings.tsv]

Reads a judged sample (``#`` comment lines, a header, then rows whose ``judgement`` column is ``real``,
``low-value`` or ``false``) and prints the counts per judgement, per rule, and the number of
low-value or false findings per real one.  Exits 1 when that is above one for every three real
findings (the bar of issue 12), 0 otherwise.
"""

from __future__ import annotations

import collections
import csv
import os
import sys

DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "judged-findings.tsv")
JUDGEMENTS = ("real", "low-value", "false")
BAR = 1 / 3


def read(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    for row in rows:
        if row["judgement"] not in JUDGEMENTS:
            raise SystemExit(f"{path}: unknown judgement {row['judgement']!r} for {row['location']}")
    return rows


def main(argv: list[str]) -> int:
    rows = read(argv[0] if argv else DEFAULT)
    total = collections.Counter(row["judgement"] for row in rows)
    per_rule: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for row in rows:
        per_rule[row["rule"]][row["judgement"]] += 1
    for rule in sorted(per_rule):
        counts = per_rule[rule]
        print(f"{rule:8} " + "  ".join(f"{j} {counts[j]}" for j in JUDGEMENTS if counts[j]))
    noise = total["low-value"] + total["false"]
    ratio = noise / total["real"] if total["real"] else float("inf")
    print(f"\n{len(rows)} findings: {total['real']} real, {total['low-value']} low-value, {total['false']} false")
    print(f"low-value or false per real finding: {ratio:.2f} (bar: at most {BAR:.2f}, one for every three)")
    return 0 if ratio <= BAR else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
