"""Benchmark iac-lint against the parse floor of the libraries it uses and, when installed, Checkov.

    python benchmarks/bench.py [--corpus DIR] [--repeat 3] [--jobs N] [--checkov PATH|auto|none]

On the same files, in one run, it measures:

- the *parse floor*: one process that only parses every file with PyYAML's C
  loader (YAML), ``json`` (JSON) and python-hcl2 (``parses_to_tree``, HCL's
  cheapest call) -- no model, no rules;
- ``iac-lint scan`` from the command line, cold (``--no-cache``), with
  ``--jobs 1`` and with ``--jobs N`` (default: the cores), per format group and
  for everything; wall time, CPU time, files/s and the peak memory of the
  whole process tree (the sum of the proportional set sizes, PSS, of the
  process and its workers, sampled every 10 ms from ``/proc`` in a run of its
  own, never in a timed one: the sampler's reads would take the workers' cores;
  the sum of their resident sets, RSS, which counts pages forked workers share
  once per worker, is shown beside it);
- a re-run after editing one file (the unit cache, in a fresh cache directory),
  as a share of the cold run;
- linearity: the corpus copied twice, against once;
- a cold start: one SAM template through the command line;
- Checkov on the same directory, when ``checkov`` is on the PATH (or named).

Every process runs with bytecode, as an installed package has it (written to
a scratch ``PYTHONPYCACHEPREFIX``, never into the checkout), after one untimed
run.  Wall times are the best of ``--repeat`` runs.  Figures depend on the
machine and on what else it runs: compare ratios measured in the same run.
The corpus defaults to ``../shared/corpus``; any directory works.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YAML_EXT = (".yaml", ".yml", ".template")


@dataclass
class Run:
    wall: float
    cpu: float
    peak_pss_mb: float
    peak_rss_mb: float
    returncode: int


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB, 0 when it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def measure(command: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
            timeout: float | None = None, memory: bool = False) -> Run:
    """Run ``command``, output discarded; with ``memory``, sample the memory of its process tree.

    A sampled run is not a timed one: the sampler reads /proc every 10 ms, and on a machine whose cores
    the command's processes all use it takes their time (7 % of a two-worker scan on two cores), while a
    one-process command leaves it a core of its own.  Past ``timeout`` seconds the command is stopped and
    its return code is -9."""
    before = os.times()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            if os.path.isdir("/proc"):
                totals = [_memory_kb(pid) for pid in _tree(process.pid)]
                peak[0] = max(peak[0], sum(t[0] for t in totals))
                peak[1] = max(peak[1], sum(t[1] for t in totals))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    wall = time.perf_counter() - start
    done.set()
    if memory:
        sampler.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Run(wall, cpu, peak[0] / 1024, peak[1] / 1024, code)


def best(command: list[str], repeat: int, env: dict[str, str] | None = None) -> Run:
    """The best of ``repeat`` timed runs, and the peak memory of one more, sampled."""
    runs = [measure(command, env) for _ in range(repeat)]
    sampled = measure(command, env, memory=True)
    return Run(min(r.wall for r in runs), min(r.cpu for r in runs), sampled.peak_pss_mb, sampled.peak_rss_mb,
               runs[-1].returncode)


# --- what the corpus holds ---------------------------------------------------------------------


def groups_of(corpus: str) -> dict[str, list[str]]:
    """Paths to scan per format group: MANIFEST.tsv's kinds when present, else by extension."""
    groups: dict[str, list[str]] = {}
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if os.path.exists(manifest):
        with open(manifest, encoding="utf-8") as handle:
            for line in list(handle)[1:]:
                cols = line.rstrip("\n").split("\t")
                kind = "cloudformation+sam" if cols[4] in ("cloudformation", "sam") else cols[4]
                groups.setdefault(kind, []).append(os.path.join(corpus, cols[0]))
    else:
        for folder, dirs, names in os.walk(corpus):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                path = os.path.join(folder, name)
                kind = "terraform" if name.endswith((".tf", ".tf.json")) else \
                    "json" if name.endswith(".json") else "yaml" if name.endswith(YAML_EXT) else None
                if kind:
                    groups.setdefault(kind, []).append(path)
    if "terraform" in groups:  # read a module (directory) at a time, as iac-lint does
        groups["terraform"] = sorted({os.path.dirname(p) for p in groups["terraform"]})
    return groups


def files_under(paths: list[str]) -> list[str]:
    out = []
    for path in paths:
        if os.path.isdir(path):
            out.extend(os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith((".tf", ".tf.json")))
        else:
            out.append(path)
    return out


FLOOR_SCRIPT = r"""
import json, sys, yaml, hcl2
class Loader(yaml.CSafeLoader):
    pass
# CloudFormation's short forms (!Ref, !Sub ...) as plain values: parsing, not understanding.
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
for path in sys.stdin.read().splitlines():
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if path.endswith((".tf",)):
            hcl2.parses_to_tree(text)
        elif path.endswith(".json"):
            json.loads(text)
        else:
            yaml.load(text, Loader=Loader)
    except Exception:
        pass
"""


def floor(files: list[str], repeat: int) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(files))
    try:
        runs = []
        for _ in range(repeat):
            with open(listing.name, encoding="utf-8") as stdin:
                before = os.times()
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", FLOOR_SCRIPT], stdin=stdin, check=False, env=environment())
                wall = time.perf_counter() - start
                after = os.times()
            runs.append(Run(wall, (after.children_user - before.children_user)
                            + (after.children_system - before.children_system), 0.0, 0.0, 0))
        return Run(min(r.wall for r in runs), min(r.cpu for r in runs), 0.0, 0.0, 0)
    finally:
        os.unlink(listing.name)


def iac_lint(paths: list[str], *flags: str) -> list[str]:
    return [sys.executable, "-m", "iac_lint", "scan", *paths, "--format", "json", "--output", os.devnull,
            "--quiet", *flags]


# Bytecode, as an installed package has it: some machines set PYTHONDONTWRITEBYTECODE, which makes every
# run compile iac-lint (and its rule files) from source again.  It is written to a scratch directory, never
# into the checkout, for the floor's process too, and both are run once before anything is timed.
BYTECODE = tempfile.mkdtemp(prefix="iac-lint-bench-pyc-")
atexit.register(shutil.rmtree, BYTECODE, ignore_errors=True)


def environment(cache_dir: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = BYTECODE
    if cache_dir:
        env["IAC_LINT_CACHE_DIR"] = cache_dir
    return env


def rerun_after_one_edit(corpus: str, jobs: int, repeat: int) -> tuple[Run, Run, str]:
    """Cold (empty cache) and warm-after-editing-one-file runs on a copy of the corpus."""
    with tempfile.TemporaryDirectory(prefix="iac-lint-bench-") as scratch:
        copy = os.path.join(scratch, "corpus")
        shutil.copytree(corpus, copy)
        tf = sorted(os.path.join(d, n) for d, _, ns in os.walk(copy) for n in ns if n.endswith(".tf"))
        edited = tf[len(tf) // 2] if tf else None
        colds, warms = [], []
        for attempt in range(repeat):
            cache = os.path.join(scratch, f"cache-{attempt}")
            env = environment(cache)
            colds.append(measure(iac_lint([copy], "--jobs", str(jobs)), env))
            if edited:
                with open(edited, "a", encoding="utf-8") as handle:
                    handle.write(f"\n# edited by the benchmark ({attempt})\n")
            warms.append(measure(iac_lint([copy], "--jobs", str(jobs)), env))
        pick = lambda runs: min(runs, key=lambda r: r.wall)  # noqa: E731
        return pick(colds), pick(warms), os.path.relpath(edited, copy) if edited else "(no .tf file)"


def twice(corpus: str, jobs: int, repeat: int) -> tuple[Run, Run]:
    with tempfile.TemporaryDirectory(prefix="iac-lint-bench-") as scratch:
        for name in ("a", "b"):
            shutil.copytree(corpus, os.path.join(scratch, name))
        once = best(iac_lint([os.path.join(scratch, "a")], "--no-cache", "--jobs", str(jobs)), repeat, environment())
        both = best(iac_lint([scratch], "--no-cache", "--jobs", str(jobs)), repeat, environment())
        return once, both


def checkov_command(option: str) -> str | None:
    if option == "none":
        return None
    return shutil.which("checkov") if option == "auto" else option


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                        else (os.cpu_count() or 1))
    parser.add_argument("--checkov", default="auto", help="checkov executable, `auto` (the PATH's) or `none`")
    parser.add_argument("--checkov-timeout", type=float, default=1200, help="seconds before Checkov is stopped")
    parser.add_argument("--quick", action="store_true", help="skip the re-run, linearity and Checkov runs")
    args = parser.parse_args()
    corpus = os.path.abspath(args.corpus)
    if not os.path.isdir(corpus):
        sys.exit(f"no corpus at {corpus}")
    groups = groups_of(corpus)
    every_file = [f for paths in groups.values() for f in files_under(paths)]
    print(f"corpus: {corpus} ({len(every_file)} files); jobs: {args.jobs}; best of {args.repeat}")

    # The floor and the whole scan alternate, so that both see the same machine (others may share it).
    env = environment()
    floor(every_file, 1)  # untimed: bytecode written, files in the page cache
    measure(iac_lint([corpus], "--no-cache"), env)
    floors, wholes = [], []
    for _ in range(args.repeat):
        floors.append(floor(every_file, 1))
        wholes.append(measure(iac_lint([corpus], "--no-cache", "--jobs", str(args.jobs)), env))
    floor_run = min(floors, key=lambda r: r.wall)
    print(f"\nparse floor (PyYAML C loader + json + python-hcl2, one process): "
          f"{floor_run.wall:.2f} s wall, {floor_run.cpu:.2f} s CPU")

    print(f"\n{'iac-lint scan --no-cache':<34}{'files':>6}{'wall s':>8}{'CPU s':>8}{'files/s':>9}"
          f"{'PSS MB':>8}{'RSS MB':>8}")
    results: dict[str, Run] = {}
    plan = [(name, paths) for name, paths in sorted(groups.items())] + [("all", [corpus])]
    for name, paths in plan:
        count = len(every_file) if name == "all" else len(files_under(paths))
        for jobs in ([1, args.jobs] if name == "all" and args.jobs != 1 else [args.jobs]):
            run = best(iac_lint(paths, "--no-cache", "--jobs", str(jobs)), args.repeat, env)
            if name == "all" and jobs == args.jobs:
                pairs = [*wholes, run]
                run = Run(min(r.wall for r in pairs), min(r.cpu for r in pairs),
                          max(r.peak_pss_mb for r in pairs), max(r.peak_rss_mb for r in pairs), run.returncode)
            results[f"{name}/{jobs}"] = run
            print(f"{name + f' (--jobs {jobs})':<34}{count:>6}{run.wall:>8.2f}{run.cpu:>8.2f}"
                  f"{count / run.wall:>9.0f}{run.peak_pss_mb:>8.0f}{run.peak_rss_mb:>8.0f}")
    whole = results[f"all/{args.jobs}"]
    paired = min(w.wall / f.wall for w, f in zip(wholes, floors, strict=True))
    print(f"\nwhole corpus / parse floor: {whole.wall / floor_run.wall:.2f}x wall, best of both "
          f"(best back-to-back pair {paired:.2f}x; target <= 0.5); CPU {whole.cpu / floor_run.cpu:.2f}x; "
          f"peak memory of the tree: {whole.peak_pss_mb:.0f} MB PSS, {whole.peak_rss_mb:.0f} MB RSS "
          f"(target <= 200)")
    try:
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    except OSError:
        pass

    if not args.quick:
        cold, warm, edited = rerun_after_one_edit(corpus, args.jobs, args.repeat)
        print(f"re-run after editing {edited}: {warm.wall:.2f} s against {cold.wall:.2f} s cold = "
              f"{100 * warm.wall / cold.wall:.0f}% (target <= 15%)")
        once, both = twice(corpus, args.jobs, args.repeat)
        print(f"corpus twice: {both.wall:.2f} s against {once.wall:.2f} s once = {both.wall / once.wall:.2f}x "
              f"(target <= 2.1)")

    sample = os.path.join(REPO, "examples", "sam-orders", "template.yaml")
    start = min(measure([sys.executable, "-m", "iac_lint", "scan", sample, "--format", "json", "--no-cache"],
                        env).wall for _ in range(5))
    print(f"cold start, one SAM template through the command line: {start:.3f} s (target <= 0.3)")

    checkov = None if args.quick else checkov_command(args.checkov)
    if checkov:
        run = measure([checkov, "--directory", corpus, "--quiet", "--compact", "--output", "json",
                       "--skip-download"], timeout=args.checkov_timeout, memory=True)  # one run: sampled
        stopped = " (stopped at the timeout)" if run.returncode == -9 else ""
        print(f"checkov: {run.wall:.1f} s wall{stopped}, {run.cpu:.1f} s CPU, {run.peak_pss_mb:.0f} MB PSS "
              f"(exit {run.returncode}); iac-lint is {run.wall / whole.wall:.0f}x faster")
    elif not args.quick:
        print("checkov: not installed (pass --checkov PATH to compare)")
    print(json.dumps({"floor_wall": round(floor_run.wall, 3), "scan_wall": round(whole.wall, 3),
                      "ratio": round(whole.wall / floor_run.wall, 3), "peak_pss_mb": round(whole.peak_pss_mb, 1)}))


if __name__ == "__main__":
    main()
