"""Benchmark iac-lint over ../shared/corpus: files/s, wall time, peak RSS, and the share spent parsing.

    python benchmarks/bench.py [--corpus ../shared/corpus] [--repeat 3]

Runs in-process, one pass per format group (CloudFormation+SAM, Serverless,
Terraform) and one over everything, and times a cold command-line start.
Figures vary with the machine: compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from iac_lint.api import active_rules, parse_units  # noqa: E402
from iac_lint.config import Config  # noqa: E402
from iac_lint.discover import discover  # noqa: E402
from iac_lint.engine.evaluate import evaluate  # noqa: E402


def manifest(corpus: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as handle:
        for line in list(handle)[1:]:
            cols = line.rstrip("\n").split("\t")
            groups.setdefault(cols[4], []).append(os.path.join(corpus, cols[0]))
    return groups


def run(paths: list[str], repeat: int) -> dict[str, float]:
    rules = active_rules(Config())
    best: dict[str, float] | None = None
    for _ in range(repeat):
        config = Config()
        t0 = time.perf_counter()
        units = list(discover(paths))
        t1 = time.perf_counter()
        templates = parse_units(units, config)
        t2 = time.perf_counter()
        findings = evaluate(templates, rules)
        t3 = time.perf_counter()
        sample = {"files": float(sum(len(u.files) for u in units)), "discover": t1 - t0, "parse": t2 - t1,
                  "rules": t3 - t2, "total": t3 - t0, "findings": float(len(findings)),
                  "resources": float(sum(len(t.resources) for t in templates))}
        if best is None or sample["total"] < best["total"]:
            best = sample
    assert best is not None
    return best


def cold_start(sample: str) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "iac_lint", "scan", sample, "--format", "json"],
                       cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not os.path.isdir(args.corpus):
        sys.exit(f"no corpus at {args.corpus}")
    groups = manifest(args.corpus)
    plan = {
        "cloudformation+sam": groups.get("cloudformation", []) + groups.get("sam", []),
        "serverless": groups.get("serverless", []),
        # Terraform is read a module (directory) at a time.
        "terraform": sorted({os.path.dirname(p) for p in groups.get("terraform", [])}),
    }
    plan["all"] = plan["cloudformation+sam"] + plan["serverless"] + plan["terraform"]
    print(f"{'group':<20}{'files':>7}{'resources':>11}{'wall s':>9}{'files/s':>9}{'parse %':>9}"
          f"{'rules s':>9}{'findings':>10}")
    for name, paths in plan.items():
        if not paths:
            continue
        r = run(paths, args.repeat)
        print(f"{name:<20}{int(r['files']):>7}{int(r['resources']):>11}{r['total']:>9.2f}"
              f"{r['files'] / r['total']:>9.0f}{100 * r['parse'] / r['total']:>8.0f}%{r['rules']:>9.2f}"
              f"{int(r['findings']):>10}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")
    sample = os.path.join(REPO, "examples", "sam-orders", "template.yaml")
    print(f"cold start, one SAM file through the CLI: {cold_start(sample):.3f} s")


if __name__ == "__main__":
    main()
