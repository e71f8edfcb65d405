"""Draw the stratified sample of default-run findings that benchmarks/judged-findings.tsv judges.

    python benchmarks/sample_findings.py [DIR] > sample.tsv

One finding per (format, rule) of the default run on DIR (default ``../shared/corpus``), then a second
one from the largest strata until there are 60, with a fixed seed; iac-lint's own E/I/S findings are
left out (they report what was not analysed, not a weakness).  Columns: rule, format, severity,
location (relative to DIR's parent), message.
"""

from __future__ import annotations

import collections
import os
import random
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZE = 60


def main(argv: list[str]) -> int:
    sys.path.insert(0, REPO)
    from iac_lint import scan
    from iac_lint.config import Config

    corpus = os.path.abspath(argv[0] if argv else os.path.join(REPO, "..", "shared", "corpus"))
    findings = [f for f in scan([corpus], Config()).findings
                if not f.suppressed and f.category not in ("error", "suppression")]
    rng = random.Random(12)
    strata: dict[tuple[str, str], list] = collections.defaultdict(list)
    for finding in findings:
        strata[(finding.format, finding.rule_id)].append(finding)
    sample = []
    for key in sorted(strata):
        rng.shuffle(strata[key])
        sample.append(strata[key][0])
    for key in sorted(strata, key=lambda k: -len(strata[k]))[:SIZE - len(sample)]:
        if len(strata[key]) > 1:
            sample.append(strata[key][1])
    for f in sample:
        where = os.path.relpath(f.location.file, os.path.dirname(corpus))
        print("\t".join([f.rule_id, f.format, f.severity, f"{where}:{f.location.line}", f.message.replace("\t", " ")]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
