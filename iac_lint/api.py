"""The in-process API the CLI and the language server are thin shells over.

Nothing here prints or exits.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from iac_lint.config import Config, apply_path_ignores
from iac_lint.discover import Filters, Unit, discover
from iac_lint.engine.evaluate import evaluate, unique_findings
from iac_lint.engine.rules import Rule, configure_rules, load_rules, select_rules
from iac_lint.link import link_template
from iac_lint.model import Finding, Location, Template, severity_rank
from iac_lint.model.budgets import bounded_finding
from iac_lint.parsers import parse_document
from iac_lint.parsers.source import forget_resolved_roots


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    # The project root (the scanned files' git repository, else the working directory): fingerprints and
    # the machine-facing reports name files relative to it.
    root: str | None = None
    # Findings that --changed-since left out (active ones only: what would otherwise have been reported).
    hidden_by_diff: int = 0
    # Baseline entries that match nothing any more (only those this scan could have matched).
    stale_baseline: int = 0
    # Baseline entries this scan could not judge (files outside the scanned paths, rules that did not run),
    # as the file has them: ``iac-lint baseline update`` keeps them.
    baseline_unjudged: list[Any] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(max(1, len(t.sources)) for t in self.templates)

    # The templates' resources, counted where they were parsed: a scan's templates are report views, which
    # keep only the resources reports look up.  None: count the templates' own.
    resource_count: int | None = None

    @property
    def resources(self) -> int:
        if self.resource_count is not None:
            return self.resource_count
        return sum(len(t.resources) for t in self.templates)

    def failing(self, fail_on: str) -> list[Finding]:
        """Active findings at or above ``fail_on``, and every active error that left something unread (E001-E005):
        what was not analysed cannot pass, whatever the threshold."""
        from iac_lint.model.builtin_findings import BUILTIN_FINDINGS

        threshold = severity_rank(fail_on)

        def blocks(f: Finding) -> bool:
            builtin = BUILTIN_FINDINGS.get(f.rule_id)
            return builtin is not None and builtin.blocks_analysis

        return [f for f in self.findings if not f.suppressed and (severity_rank(f.severity) >= threshold or blocks(f))]


def active_rules(config: Config) -> list[Rule]:
    from iac_lint.config import check_rule_tokens

    documents = None
    if config.cache:
        from iac_lint.unit_cache import RuleDocuments
        documents = RuleDocuments.for_run()
    rules = load_rules(config.policies, builtin=config.builtin_rules,
                       parsed=documents.known if documents is not None else None)
    if documents is not None:
        documents.save()
    check_rule_tokens(config, [(r.id, r.category) for r in rules])  # a misspelt selector is exit 2, not a pass
    return configure_rules(select_rules(rules, config.select, config.ignore, config.extend_select,
                                                 config.profile), config.rule_options)


def _sort_key(f: Finding) -> tuple:
    # By the path reports show (``./a.tf`` and ``a.tf`` are one file), so that ``iac-lint merge`` can
    # rebuild this order from shards' reports.
    from iac_lint.model.paths import display_path
    return (display_path(f.location.file), f.location.line, f.location.column, f.rule_id, f.resource)


# Called as ``progress(files_done, files_total)`` while a scan reads its files.
Progress = Callable[[int, int], None]


def _unit_size(unit: Unit) -> int:
    return max(1, len(unit.files))


def parse_units(units: Iterable[Unit], config: Config, progress: Progress | None = None) -> list[Template]:
    """Parse and link every unit, one at a time: a crash loses only its own unit's findings."""
    units = list(units)
    total, done = sum(_unit_size(u) for u in units), 0
    templates: list[Template] = []
    if progress:
        progress(done, total)
    for unit in units:
        templates.extend(_parse_unit_safely(unit, config))
        done += _unit_size(unit)
        if progress:
            progress(done, total)
    return without_called_modules(templates)


def _parse_unit_safely(unit: Unit, config: Config) -> list[Template]:
    from iac_lint.lint_units import parse_unit_safely
    return parse_unit_safely(unit, config)


def link_all(templates: list[Template]) -> list[Template]:
    """The link stage, run once on every parsed unit before the rules see it."""
    return [link_template(tpl) for tpl in templates]


def without_called_modules(templates: list[Template]) -> list[Template]:
    """Drop a Terraform directory analysed on its own when another scanned module calls it.

    Called with its caller's inputs, a module is analysed more precisely than
    alone (where every input is unknown), and analysing it twice would report
    every finding in it twice.
    """
    def own_dir(tpl: Template) -> str:
        return os.path.normpath(os.path.abspath(tpl.path))

    called: dict[str, set[str]] = {}
    for tpl in templates:
        if tpl.format == "terraform":
            me = own_dir(tpl)
            for file in tpl.sources:
                folder = os.path.normpath(os.path.abspath(os.path.dirname(file)))
                if folder != me:
                    called.setdefault(folder, set()).add(me)
    keep = []
    for tpl in templates:
        callers = called.get(own_dir(tpl), set()) if tpl.format == "terraform" else set()
        # A caller that this module itself calls back would make both vanish: keep both then.
        if callers and not all(own_dir(tpl) in called.get(caller, set()) for caller in callers):
            continue
        keep.append(tpl)
    return keep


def _crashed(path: str, message: str) -> Template:
    from iac_lint.lint_units import crashed
    return crashed(path, message)


def scan(paths: Iterable[str], config: Config | None = None, rules: list[Rule] | None = None,
         progress: Progress | None = None) -> Report:
    """Discover, parse and lint every file under ``paths``.

    ``progress``, when given, is called as ``progress(files_read, files_to_read)``
    once before reading and after each file or Terraform module; a shell shows
    it, the API itself never prints.
    """
    config = config or Config()
    paths = list(paths) or ["."]
    forget_resolved_roots()
    if not config.parse.roots:
        # A copy: the caller's Config is theirs, and a second scan of other paths must not inherit these roots.
        roots = list(dict.fromkeys(os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".")
                                   for p in paths))
        config = dataclasses.replace(config, parse=dataclasses.replace(config.parse, roots=roots))
    changes = None
    if config.changed_since:
        from iac_lint.engine.diff import changed_since
        changes = changed_since(config.changed_since, paths)  # before parsing: a bad REF fails fast
    if config.cfn_lint:
        from iac_lint.engine.cfnlint_pass import require_cfn_lint
        require_cfn_lint()  # before parsing too: a missing extra fails fast
    rules_given = rules is not None
    rules = rules if rules is not None else active_rules(config)
    filters = Filters(tuple(config.exclude), config.exclude_root or config.root, config.respect_gitignore,
                      config.force_exclude)
    listings: dict[str, list[str]] = {}
    units = list(discover(paths, filters, listings))
    scanned = paths
    if config.shard is not None:
        from iac_lint.shard import units_of_shard
        units = units_of_shard(units, *config.shard)
        scanned = [unit.path for unit in units]  # a shard judges only its own files' baseline entries
    templates, findings, resources = lint_all(units, config, rules, rules_given=rules_given, progress=progress,
                                              listings=listings)
    if config.cfn_lint:
        findings, rules = _with_cfn_lint(findings, rules, templates, config)
    return finish(Report(findings, templates, rules, resource_count=resources), config, changes, scanned=scanned)


def lint_all(units: list[Unit], config: Config, rules: list[Rule], rules_given: bool = False,
             progress: Progress | None = None,
             listings: dict[str, list[str]] | None = None) -> tuple[list[Template], list[Finding], int]:
    """Every unit parsed, linked and evaluated (in ``config.jobs`` processes), then joined in discovery order:
    modules that another scanned module calls are left out, and a finding reported twice is kept once.
    Also the count of the kept templates' resources."""
    from iac_lint.lint_units import collect, default_jobs, lint_units, share_source_lines

    total, done = sum(_unit_size(u) for u in units), 0
    if progress:
        progress(done, total)

    def unit_done(unit: Unit) -> None:
        nonlocal done
        done += _unit_size(unit)
        if progress:
            progress(done, total)

    # --changed-since reads every resource's properties; the HTML report and `explain` read the whole model.
    whole = config.keep_models or bool(config.changed_since)
    cache = None
    if config.cache and not whole:
        from iac_lint.unit_cache import UnitCache
        cache = UnitCache.for_run(config, rules, listings)
    jobs = config.jobs or default_jobs()
    templates, per_template, counts = collect(lint_units(units, config, rules, jobs=jobs, whole=whole,
                                                         cache=cache, rules_given=rules_given, done=unit_done))
    kept = {id(t) for t in without_called_modules(templates)}
    found_in = {id(t): found for t, found in zip(templates, per_template, strict=True)}
    resources = sum(count for t, count in zip(templates, counts, strict=True) if id(t) in kept)
    templates = [t for t in templates if id(t) in kept]
    share_source_lines(templates)
    return templates, reported_findings(templates, found_in), resources


def reported_findings(templates: list[Template], found_in: dict[int, list[Finding]]) -> list[Finding]:
    """The findings of every template (``found_in`` by ``id``), each once; of a module read for some named
    files, those in these files (and every error finding: an error anywhere in the module blinds the
    verdict on the named files)."""
    whole = [tpl for tpl in templates if tpl.report_files is None]
    findings = unique_findings(f for tpl in whole for f in found_in[id(tpl)])
    if len(whole) == len(templates):
        return findings
    read_whole = {os.path.abspath(tpl.path) for tpl in whole}
    for tpl in templates:
        # A module also reached through a named directory is reported whole, once.
        if tpl.report_files is not None and os.path.abspath(tpl.path) not in read_whole:
            wanted = tpl.report_files
            findings.extend(f for f in unique_findings(found_in[id(tpl)])
                            if os.path.abspath(f.location.file) in wanted or f.category == "error")
    return findings


def _with_cfn_lint(findings: list[Finding], rules: list[Rule], templates: list[Template],
                   config: Config) -> tuple[list[Finding], list[Rule]]:
    """cfn-lint's matches joined to the findings, chosen by --select/--ignore like every rule."""
    from iac_lint.engine.cfnlint_pass import cfn_lint_findings

    extra, cfn_rules = cfn_lint_findings(templates)
    chosen = select_rules(cfn_rules, config.select, config.ignore, config.extend_select, config.profile)
    ids = {r.id for r in chosen}
    return [*findings, *(f for f in extra if f.rule_id in ids)], [*rules, *chosen]


def lint_text(path: str, text: str, config: Config | None = None, rules: list[Rule] | None = None) -> list[Finding]:
    """Lint an unsaved buffer (an editor's) as if it were the file at ``path``.

    A Terraform file is linted with the rest of its module as it is on disk,
    this buffer standing in for the file; findings may then point into the
    module's other files (and a serverless file's into its includes).
    """
    return lint_buffer(path, text, config, rules).findings


def lint_buffer(path: str, text: str, config: Config | None = None, rules: list[Rule] | None = None) -> Report:
    """``lint_text`` with the parsed templates kept: an editor builds quick fixes from their resources."""
    config = config or Config()
    if not config.parse.roots:
        config = dataclasses.replace(config, parse=dataclasses.replace(
            config.parse, roots=[os.path.abspath(os.path.dirname(path) or ".")]))
    rules = rules if rules is not None else active_rules(config)
    forget_resolved_roots()
    from iac_lint.parsers.source import MAX_FILE_BYTES
    if len(text) > MAX_FILE_BYTES:  # the limit a file on disk has applies to a buffer too
        templates = [_crashed(path, f"buffer is {len(text)} characters, larger than the {MAX_FILE_BYTES} limit")]
        return Report(evaluate(templates, rules), templates, rules)
    try:
        templates = link_all(_parse_buffer(path, text, config))
    except Exception as exc:
        templates = [_crashed(path, f"internal error while parsing: {type(exc).__name__}: {exc}")]
    if not templates:
        return Report(rules=rules)
    return finish(Report(evaluate(templates, rules), templates, rules), config, scanned=[path])


def _parse_buffer(path: str, text: str, config: Config) -> list[Template]:
    if path.lower().endswith((".tf", ".tf.json")):
        from iac_lint.parsers.terraform.module import parse_module
        directory = os.path.dirname(path) or "."
        names = os.listdir(directory) if os.path.isdir(directory) else []
        files = sorted({os.path.join(directory, n) for n in names if n.lower().endswith((".tf", ".tf.json"))} | {path})
        return parse_module(directory, files, config.parse, overrides={path: text})
    tpl = parse_document(path, text, config.parse)
    return [tpl] if tpl is not None else []


def finish(report: Report, config: Config, changes: Any = None, scanned: list[str] | None = None) -> Report:
    """Severity overrides, suppressions, per-path ignores, baseline, diff; a stable order.

    ``scanned`` are the paths the findings come from (default: ``config.parse.roots``): a baseline entry
    is called stale only if a scan of them could have matched it.  Raises ``BaselineError`` for an
    unusable baseline file.
    """
    from iac_lint.engine.evaluate import with_fingerprints
    from iac_lint.engine.suppress import apply_suppressions
    from iac_lint.model.paths import repo_path, scan_root

    findings = list(report.findings)
    if config.severity:
        report.rules = [dataclasses.replace(r, severity=config.severity[r.id]) if r.id in config.severity else r
                        for r in report.rules]
    findings = apply_suppressions(findings, report.templates, config, report.rules)
    root = report.root = report.root or scan_root(config.parse.roots)
    findings = with_fingerprints(findings, root)  # those not evaluated in lint_units: the suppressions' own
    if config.severity:
        findings = [dataclasses.replace(f, severity=config.severity[f.rule_id]) if f.rule_id in config.severity
                    else f for f in findings]
    findings = apply_path_ignores(findings, config)
    findings = [bounded_finding(f) for f in findings]  # after the fingerprints, which see the whole id
    findings.sort(key=_sort_key)  # the baseline's fallback forgives the first findings of a resource
    if config.baseline:
        from iac_lint.engine.baseline import apply_baseline, judged_by, load_baseline
        outcome = apply_baseline(findings, load_baseline(config.baseline), lambda f: repo_path(f.location.file, root))
        findings = outcome.findings
        where = [repo_path(p, root) for p in (scanned or config.parse.roots or ["."])]
        ran = {r.id for r in report.rules}
        judged = [judged_by(e, where, ran) for e in outcome.unmatched]
        report.stale_baseline = sum(judged)
        report.baseline_unjudged = [e.raw for e, j in zip(outcome.unmatched, judged, strict=False) if not j]
    if changes is not None:
        from iac_lint.engine.diff import keep_changed
        kept = keep_changed(findings, report.templates, changes)
        report.hidden_by_diff = sum(not f.suppressed for f in findings) - sum(not f.suppressed for f in kept)
        findings = kept
    from iac_lint.engine.fixes import with_fix_edits

    if config.baseline or changes is not None:  # the order they leave is not promised: sorted again
        findings.sort(key=_sort_key)
    report.findings = with_fix_edits(findings, report.templates)
    mask_secrets(report)
    return report


def mask_secrets(report: Report) -> None:
    """Mask every secret a finding located in the source lines the reports and editors show, once, here."""
    from iac_lint.model.secrets import redact_lines

    spans: dict[str, list[Location]] = {}
    for finding in report.findings:
        for span in finding.redactions:
            spans.setdefault(span.file, []).append(span)
    if not spans:
        return
    for tpl in report.templates:
        for file, lines in tpl.sources.items():
            if file in spans:
                tpl.sources[file] = redact_lines(lines, spans[file])
