"""CPU time of each stage of a scan, per format, as a pool worker spends it.

    python benchmarks/phases.py [DIR] [--repeat 3]

Every unit of DIR (default: ``../shared/corpus``) is parsed, linked,
evaluated and reduced to its report view in this one process, with the
collector paused per unit as ``lint_units`` pauses it; the CPU seconds of
each stage are summed per format, and the least of ``--repeat`` passes is
printed (CPU time, not wall time: another process on the machine slows a
pass less than it lengthens it).  For finding which stage of which format a
change has to cut; ``bench.py`` measures the whole command.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import gc
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=os.path.join(REPO, "..", "shared", "corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, REPO)
    from iac_lint import api, lint_units
    from iac_lint.config import Config
    from iac_lint.discover import Filters, discover
    from iac_lint.engine.evaluate import evaluate_template
    from iac_lint.link import link_template
    from iac_lint.parsers import parse_unit

    root = os.path.abspath(args.directory)
    config = Config()
    config = dataclasses.replace(config, parse=dataclasses.replace(config.parse, roots=[root]))
    rules = api.active_rules(config)
    units = list(discover([root], Filters((), root, True, False)))
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.repeat):
        spent: dict[tuple[str, str], float] = collections.Counter()
        for unit in units:
            with lint_units.collector_paused():
                start = time.process_time()
                templates = parse_unit(unit, config.parse)
                parsed = time.process_time()
                templates = [link_template(tpl) for tpl in templates]
                linked = time.process_time()
                kind = templates[0].format if templates else "none"
                spent[kind, "parse"] += parsed - start
                spent[kind, "link"] += linked - parsed
                for tpl in templates:
                    before = time.process_time()
                    findings = evaluate_template(tpl, rules)
                    evaluated = time.process_time()
                    lint_units.report_view(tpl, findings)
                    spent[kind, "rules"] += evaluated - before
                    spent[kind, "view"] += time.process_time() - evaluated
            before = time.process_time()
            gc.collect(0)  # what the unit left behind, as a worker collects it after the unit
            spent["all", "collect"] += time.process_time() - before
        best = {key: min(value, best.get(key, value)) for key, value in spent.items()}
    print(f"{len(units)} units of {root}; CPU seconds, least of {args.repeat} passes")
    for (kind, stage), seconds in sorted(best.items()):
        if seconds >= 0.0005:
            print(f"  {kind:<15} {stage:<8} {seconds:6.3f}")
    print(f"  {'total':<24} {sum(best.values()):6.3f}")


if __name__ == "__main__":
    main()
