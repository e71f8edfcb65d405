"""Parse, link and evaluate each discovered unit, in a pool of processes, keeping only what reports need.

A unit (a template file, a Terraform module directory) is linted start to
finish where it is parsed: its model never crosses a process boundary, only
its findings (fingerprinted, with their fix edits), its count of resources
and a *report view* of its templates (``report_view``) do.  That view keeps
what ``api.finish`` and the reporters read -- paths, formats, problems, the
resources that carry suppression Metadata, the resource and entity headers
and source lines of files with suppression comments, and the source lines of
files with findings when a report quotes them -- so a pool of N workers costs
N parsers' memory, not N copies of every model.

Results come back in discovery order whatever the number of workers, so a
scan with ``--jobs 4`` reports exactly what ``--jobs 1`` does.
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iac_lint.discover import Unit
from iac_lint.engine.evaluate import evaluate_template, with_fingerprints
from iac_lint.engine.fixes import with_fix_edits
from iac_lint.engine.rules import Rule
from iac_lint.engine.suppress import may_hold_suppressions
from iac_lint.link import link_template
from iac_lint.model import Entity, Finding, Location, Resource, Template
from iac_lint.model.budgets import BUDGET_EXCEEDED, UNIT_HARD_DEADLINE_SECONDS
from iac_lint.model.paths import scan_root
from iac_lint.parsers import parse_unit
from iac_lint.parsers.deadline import UnitDeadline, unit_deadline

if TYPE_CHECKING:
    from iac_lint.config import Config
    from iac_lint.unit_cache import UnitCache

def _reduce_location(loc: Location) -> tuple[type[Location], tuple[object, ...]]:
    return Location, (loc.file, loc.line, loc.column, loc.end_line, loc.end_column)


def _reduce_finding(f: Finding) -> tuple[Any, tuple[object, ...]]:
    return Finding, tuple(getattr(f, name) for name in _FINDING_FIELDS)  # every field is an __init__ argument


def _reduce_template(tpl: Template) -> tuple[Any, ...]:
    # Made first and filled after (a state setter), as the default pickling does: a model may refer back to it.
    state = {name: getattr(tpl, name) for name in _TEMPLATE_FIELDS}
    state["sources"] = {file: _packed(lines) for file, lines in tpl.sources.items()}
    return object.__new__, (Template,), state, None, None, _set_template_state


def _packed(lines: list[str]) -> list[str] | str:
    """A file's lines as one string, when they split back the same: a hundred thousand source lines cross the
    process boundary (and sit in the cache) with every scan, and one string a file unpickles far faster."""
    joined = "\n".join(lines)
    return joined if lines and joined.count("\n") == len(lines) - 1 else lines


def _set_template_state(tpl: Template, state: dict[str, Any]) -> None:
    for name, value in state.items():
        setattr(tpl, name, value)
    tpl.sources = {file: lines.split("\n") if isinstance(lines, str) else lines
                   for file, lines in tpl.sources.items()}


_FINDING_FIELDS = tuple(f.name for f in dataclasses.fields(Finding) if f.init)
assert len(_FINDING_FIELDS) == len(dataclasses.fields(Finding)), "a Finding field set after __init__ is not pickled"
_TEMPLATE_FIELDS = tuple(f.name for f in dataclasses.fields(Template))
# Results cross a process boundary by the thousand: the slots dataclasses' default pickling looks their
# fields up once per object, which was a third of the parent's time.
copyreg.pickle(Location, _reduce_location)
copyreg.pickle(Finding, _reduce_finding)
copyreg.pickle(Template, _reduce_template)



@dataclass(slots=True)
class UnitResult:
    """What one unit gives the report: its templates (a report view, or whole) and each one's findings."""

    templates: list[Template] = field(default_factory=list)
    # findings[i] are templates[i]'s, in evaluation order, not yet deduplicated across templates.
    findings: list[list[Finding]] = field(default_factory=list)
    # resources[i]: how many resources templates[i] has (a report view keeps only those reports look up).
    resources: list[int] = field(default_factory=list)


def parse_unit_safely(unit: Unit, config: Config) -> list[Template]:
    """Parse and link one unit; a crash becomes an E001 on the unit, never a lost scan."""
    if unit.kind == "unreadable":
        # Worded like an unreadable file's E001, on the directory.
        return [crashed(unit.path, f"cannot read directory: {unit.reason}")]
    try:
        with unit_deadline(UNIT_HARD_DEADLINE_SECONDS):
            templates = [link_template(tpl) for tpl in parse_unit(unit, config.parse)]
        if unit.report_only:
            for tpl in templates:
                tpl.report_files = frozenset(os.path.abspath(f) for f in unit.report_only)
        return templates
    except UnitDeadline:
        tpl = Template(path=unit.path, format="unknown")
        tpl.problem(BUDGET_EXCEEDED, f"budget exceeded: reading this took longer than "
                    f"{UNIT_HARD_DEADLINE_SECONDS:g} seconds; nothing in it was analysed", Location(unit.path, 1, 1))
        return [tpl]
    except RecursionError:
        return [crashed(unit.path, "nesting too deep to analyse")]
    except Exception as exc:  # a parser bug on one file must not lose the other files' findings
        return [crashed(unit.path, f"internal error while parsing: {type(exc).__name__}: {exc}")]


def crashed(path: str, message: str) -> Template:
    tpl = Template(path=path, format="unknown")
    tpl.problem("E001", message, Location(path, 1, 1))
    return tpl


def lint_unit(unit: Unit, config: Config, rules: list[Rule], whole: bool = False) -> UnitResult:
    """Parse, link and evaluate one unit; ``whole`` keeps the full model (``--changed-since`` reads it)."""
    with collector_paused():
        return _lint_unit(unit, config, rules, whole)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while one unit is linted; one after it.

    Parsing allocates hundreds of thousands of objects that all stay alive until their unit is linted.
    Python's collector, started every 700 allocations, walks them again and again: on the benchmark
    corpus a sixth of the CPU, on templates of a megabyte more than half (eight of 1.1 MB: 16.3 s with
    it, 4.9 s without, and a lower peak, 165 MB against 164-224 MB).  What a unit leaves behind is
    collected as soon as it is done.  Other threads of the process (a library caller's) see the collector
    paused for as long as one unit takes.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _lint_unit(unit: Unit, config: Config, rules: list[Rule], whole: bool) -> UnitResult:
    result = UnitResult()
    root = scan_root(config.parse.roots)  # as api.finish has it: fingerprints made here are cached with the unit
    for tpl in parse_unit_safely(unit, config):
        # Fingerprints and fix edits here, where the whole template is: finish then needs no source lines.
        findings = with_fix_edits(with_fingerprints(evaluate_template(tpl, rules), root), [tpl])
        # cfn-lint's matches (found later, on the parent's side) are shown with their source lines too.
        every_line = config.cfn_lint and tpl.format in ("cloudformation", "sam")
        result.templates.append(tpl if whole else report_view(tpl, findings, every_line, config.keep_lines))
        result.findings.append(findings)
        result.resources.append(len(tpl.resources))
    return result


def report_view(tpl: Template, findings: list[Finding], every_line: bool = False,
                flagged_lines: bool = True) -> Template:
    """The template as suppression and the reporters read it, without its model.

    Resources keep id, type, location and (when they carry suppressions) Metadata; entities become
    plain ``Entity`` headers on those resources.  Only files with suppression comments need them (a
    comment above a resource's header reaches its findings), so other files keep only the resources
    that carry suppressions in their Metadata: most of a corpus's resources never cross the process
    boundary or enter the cache.  ``every_line``: cfn-lint's matches, found later, may be on any file,
    which then keeps everything.  Source lines are kept for files with a suppression comment, and for
    files with a finding when ``flagged_lines`` (a report quotes them; see ``Config.keep_lines``); every
    file is still listed, with no lines otherwise.
    """
    light: dict[int, Resource] = {}

    def light_resource(resource: Resource) -> Resource:
        found = light.get(id(resource))
        if found is None:
            found = light[id(resource)] = Resource(
                resource.id, resource.type, resource.format, None, resource.location, resource.file,
                resource.metadata if resource.suppressions else None, list(resource.suppressions))
        return found

    commented = {file for file, lines in tpl.sources.items() if every_line or may_hold_suppressions(lines)}
    flagged = {f.location.file for f in findings} if flagged_lines else set()
    resources = [light_resource(r) for r in tpl.resources
                 if every_line or r.suppressions or r.location.file in commented]
    entities = [Entity(e.id, light_resource(e.resource), e.loc) for e in tpl.entities
                if every_line or e.loc.file in commented]
    sources = {file: lines if file in commented or file in flagged else [] for file, lines in tpl.sources.items()}
    return Template(tpl.path, tpl.format, resources, entities, list(tpl.problems), sources,
                    report_files=tpl.report_files)


def share_source_lines(templates: list[Template]) -> None:
    """Give every template the lines another one kept of the same file (a module read by two callers)."""
    kept: dict[str, list[str]] = {}
    for tpl in templates:
        for file, lines in tpl.sources.items():
            if lines:
                kept.setdefault(file, lines)
    for tpl in templates:
        for file, lines in tpl.sources.items():
            if not lines and kept.get(file):
                tpl.sources[file] = kept[file]


# --- the pool ----------------------------------------------------------------------------------

# Set in each worker by ``_start_worker`` (inherited, not pickled, when the pool forks); the last: whether the
# parent caches results (each worker then says what each unit read: ``unit_cache.watch``).
_worker: tuple[Config, list[Rule], bool, bool] | None = None


def _start_worker(config: Config, rules: list[Rule] | None, whole: bool, caching: bool) -> None:
    global _worker
    gc.enable()  # paused by the parent around the fork (``_frozen_for_fork``); each unit pauses it again
    if rules is None:  # a spawned worker: load the rules the way the parent did (api.active_rules)
        from iac_lint.engine.rules import configure_rules, load_rules, select_rules
        rules = configure_rules(select_rules(load_rules(config.policies, builtin=config.builtin_rules),
                                             config.select, config.ignore, config.extend_select,
                                             config.profile), config.rule_options)
    _worker = (config, rules, whole, caching)


def _lint_in_worker(units: list[Unit]) -> list[tuple[bytes | None, dict[str, Any] | None]]:
    """Each unit's result, pickled here, and what it read when the parent caches it (hashed here, in
    parallel): a model too deep to pickle comes back as None and is linted again in the parent process
    instead of failing the scan."""
    import pickle

    from iac_lint.unit_cache import watch

    assert _worker is not None
    config, rules, whole, caching = _worker
    out: list[tuple[bytes | None, dict[str, Any] | None]] = []
    for unit in units:
        result = lint_unit(unit, config, rules, whole)
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except (RecursionError, pickle.PicklingError, TypeError, AttributeError):
            data = None
        out.append((data, watch(unit, result) if caching and data is not None else None))
    return out


def lint_and_store(unit: Unit, config: Config, rules: list[Rule], whole: bool,
                   cache: UnitCache | None) -> UnitResult:
    """Lint a unit the cache did not have, and keep its result there."""
    result = lint_unit(unit, config, rules, whole)
    if cache is not None and not whole:
        cache.store(unit, result)
    return result


def _unpickled(data: bytes) -> UnitResult | None:
    import pickle

    try:
        result: UnitResult = pickle.loads(data)
        return result
    except Exception:  # a model class that does not pickle back: the caller lints the unit itself
        return None


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    """Where forking is the platform's safe default: the pool forks there, and ``_Beside`` is used."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _pool_context(rules_given: bool) -> Any:
    """Fork where it is the platform's safe default (the rules are then inherited, not pickled).

    Elsewhere workers are spawned and load the rules themselves, which only works for the rules the
    configuration names; a caller that passed its own rule objects is linted in this process.
    """
    import multiprocessing  # here, not at the top: a one-file scan never starts a pool

    if _can_fork():
        return multiprocessing.get_context("fork")
    if rules_given:
        return None
    return multiprocessing.get_context("spawn")


def lint_units(units: list[Unit], config: Config, rules: list[Rule], *, jobs: int = 1, whole: bool = False,
               cache: UnitCache | None = None, rules_given: bool = False,
               done: Callable[[Unit], None] | None = None) -> Iterator[UnitResult]:
    """Each unit's result, in the order of ``units``; ``jobs`` > 1 lints them in that many processes.

    Results the cache holds are read here, in this process; only the other units are linted.  When they
    are a few (a re-run after editing a file), one forked process lints them while this one reads the
    cache's results (``_Beside``), and no pool is started.
    """
    found: dict[int, str] = {}
    if cache is not None and not whole:
        found = {i: name for i, unit in enumerate(units) if (name := cache.lookup(unit)) is not None}
    missing = [i for i in range(len(units)) if i not in found]
    beside = None
    if cache is not None and found and missing and jobs > 1 and _can_fork() and \
            sum(_unit_cost(units[i]) for i in missing) <= _BESIDE_COST:
        beside = _Beside.start([units[i] for i in missing], config, rules, whole)
    results: dict[int, UnitResult] = {}
    try:
        for index, name in found.items():
            hit = cache.read(name) if cache is not None else None
            if hit is not None:
                results[index] = hit
    except BaseException:  # interrupted: the child is not left behind
        if beside is not None:
            beside.abandon()
        raise
    if beside is not None:
        for index, sent in zip(missing, beside.results(), strict=True):
            results[index] = _received(units[index], sent, config, rules, whole, cache)
    # What neither the cache nor the child gave: every unit without a cache, else the units it lacks.
    rest = [i for i in range(len(units)) if i not in results]
    fresh = _lint_missing([units[i] for i in rest], config, rules, jobs, whole, cache, rules_given)
    for index, unit in enumerate(units):
        result = results.pop(index) if index in results else next(fresh)
        if done:
            done(unit)
        yield result
    if cache is not None and not whole:
        cache.save()


# The most one process lints beside the parent's reading of the cache, as ``_unit_cost`` estimates it: about
# 60 ms of linting (the benchmark corpus costs some 6.5 million a second of CPU).  Past that, a pool's workers,
# sharing the work, finish sooner, even with the pool's start (about 15 ms).
_BESIDE_COST = 400_000


class _Beside:
    """A forked process linting a few units while this one reads the cache's results.

    A re-run after a one-file edit spends most of its time reading the cache and linting the edited unit
    (with the imports of its format's parser); both cores do one each.  Forking is cheap and needs no pool
    (whose imports alone cost a tenth of a re-run).  The child sends back what a pool worker would
    (``_lint_in_worker``); when it fails, its units are linted here.
    """

    def __init__(self, pid: int, fd: int, count: int) -> None:
        self.pid, self.fd, self.count = pid, fd, count

    @classmethod
    def start(cls, units: list[Unit], config: Config, rules: list[Rule], whole: bool) -> _Beside | None:
        """The child, started; None when it cannot be (its units are then linted as usual)."""
        import pickle

        try:
            read, write = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except Exception:  # out of processes, or a subinterpreter
            os.close(read)
            os.close(write)
            return None
        if pid == 0:  # the child: never returns, never runs the parent's exit handlers or flushes its streams
            code = 1
            try:
                os.close(read)
                _start_worker(config, rules, whole, True)
                with os.fdopen(write, "wb") as out:
                    out.write(pickle.dumps(_lint_in_worker(units), protocol=pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        return cls(pid, read, len(units))

    def results(self) -> list[tuple[bytes | None, dict[str, Any] | None]]:
        """What the child sent for each unit; (None, None) for each when it failed.  Judged on what arrived, a
        whole pickle of a result per unit, not on the child's exit status: where SIGCHLD is ignored (some CI
        runners pass that on) the child is reaped by the system and its status cannot be had."""
        import pickle

        with os.fdopen(self.fd, "rb") as handle:
            data = handle.read()
        self._reap()
        try:
            sent: list[tuple[bytes | None, dict[str, Any] | None]] = pickle.loads(data)
            if isinstance(sent, list) and len(sent) == self.count:
                return sent
        except Exception:
            pass
        return [(None, None)] * self.count

    def abandon(self) -> None:
        """Stop the child and reap it (the parent failed before it took the results)."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass
        self._reap()

    def _reap(self) -> None:
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped already: SIGCHLD ignored
            pass


def _received(unit: Unit, sent: tuple[bytes | None, dict[str, Any] | None], config: Config, rules: list[Rule],
              whole: bool, cache: UnitCache | None) -> UnitResult:
    """A unit's result as a worker sent it (its pickle, and what it read), kept in the cache; linted here
    when it did not survive pickling."""
    data, watched = sent
    returned = _unpickled(data) if data is not None else None
    if returned is None:
        return lint_and_store(unit, config, rules, whole, cache)
    if cache is not None and watched is not None:
        cache.store(unit, returned, data, watched)  # the bytes sent are the entry
    return returned


def _lint_missing(units: list[Unit], config: Config, rules: list[Rule], jobs: int, whole: bool,
                  cache: UnitCache | None, rules_given: bool) -> Iterator[UnitResult]:
    jobs = min(jobs, len(units))
    context = _pool_context(rules_given) if jobs > 1 else None
    if context is None:
        for unit in units:
            yield lint_and_store(unit, config, rules, whole, cache)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    inherited = rules if context.get_start_method() == "fork" else None
    caching = cache is not None and not whole
    waiting: dict[int, tuple[bytes | None, dict[str, Any] | None]] = {}
    position = 0
    with _frozen_for_fork(), ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                                 initializer=_start_worker,
                                                 initargs=(config, inherited, whole, caching)) as pool:
        futures = {pool.submit(_lint_in_worker, [units[i] for i in batch]): batch
                   for batch in _batches(units, jobs)}
        for future in as_completed(futures):
            waiting.update(zip(futures[future], future.result(), strict=True))
            while position in waiting:
                yield _received(units[position], waiting.pop(position), config, rules, whole, cache)
                position += 1


@contextmanager
def _frozen_for_fork() -> Iterator[None]:
    """What this process holds (modules, rules, the units) out of the collector's reach while the pool runs.

    Forked workers inherit it; their collections would otherwise walk it again and again, and touching it
    copies the shared pages into each worker (Python's documented use of ``gc.freeze`` before a fork; the
    workers turn the collector back on in ``_start_worker``).  This process, meanwhile, only unpickles
    results it keeps: a collection here would find nothing to free.
    """
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _batches(units: list[Unit], jobs: int) -> list[list[int]]:
    """Indices of ``units`` grouped into tasks, largest first, each task a share of what is left.

    Terraform modules vary a hundredfold in cost, and a big one started last would keep one core busy while
    the others idle; but a task per unit costs the parent process more in passing tasks and results than a
    small unit costs to lint.  So units go out by estimated cost, largest first, in tasks of a quarter of
    each worker's share of the work still to hand out (guided scheduling): large tasks while much is left,
    small ones at the end, where they even out the workers' finishing times.  Modules joined by local module
    calls (``shard.unit_groups``: a module's examples and the module) go out in one task, in discovery
    order, so that one worker parses the shared module once instead of each worker parsing it again.
    """
    from iac_lint.shard import unit_groups

    costs = [_unit_cost(unit) for unit in units]
    groups = unit_groups(units) if any(unit.kind == "terraform" for unit in units) else [[i] for i in range(len(units))]
    group_costs = [sum(costs[i] for i in group) for group in groups]
    remaining = sum(costs)
    smallest = remaining / (jobs * 64)
    batches: list[list[int]] = []
    current: list[int] = []
    current_cost = 0.0
    for g in sorted(range(len(groups)), key=lambda g: -group_costs[g]):
        current.extend(groups[g])
        current_cost += group_costs[g]
        remaining -= group_costs[g]
        if current_cost >= max(smallest, remaining / (jobs * 4)):
            batches.append(current)
            current, current_cost = [], 0.0
    if current:
        batches.append(current)
    return batches


# Measured on the benchmark corpus: a unit costs about as much as 2.7 kB of YAML before its first byte, and a
# byte of Terraform three and a half times a byte of YAML or JSON.
_UNIT_COST_BYTES = 2_700
_TERRAFORM_BYTE_COST = 3.5


def _unit_cost(unit: Unit) -> float:
    """The unit's estimated linting time, in bytes of YAML."""
    per_byte = _TERRAFORM_BYTE_COST if unit.kind == "terraform" else 1.0
    return _UNIT_COST_BYTES + per_byte * _unit_bytes(unit)


def _unit_bytes(unit: Unit) -> int:
    total = 0
    for file in unit.files or [unit.path]:
        try:
            total += os.path.getsize(file)
        except OSError:
            pass
    return total


def collect(results: Iterable[UnitResult]) -> tuple[list[Template], list[list[Finding]], list[int]]:
    """Templates, each one's findings, and each one's count of resources, in the order of ``results``."""
    templates: list[Template] = []
    findings: list[list[Finding]] = []
    resources: list[int] = []
    for result in results:
        templates.extend(result.templates)
        findings.extend(result.findings)
        resources.extend(result.resources)
    return templates, findings, resources
