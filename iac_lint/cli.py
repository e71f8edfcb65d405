"""The command line: argument plumbing over ``iac_lint.api``; no logic of its own.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it;
2 usage or configuration error, or an internal failure.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from iac_lint import __version__
from iac_lint.model import SEVERITIES
from iac_lint.report import FORMATS, LINE_FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT


def _split(values: tuple[str, ...]) -> list[str]:
    """``--select IAM001,IAM002 --select ENC`` -> ``["IAM001", "IAM002", "ENC"]``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _pairs(values: tuple[str, ...], flag: str) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise click.UsageError(f"{flag} takes KEY=VALUE, got {value!r}")
        out[key.strip()] = val
    return out


class _Group(click.Group):
    """Usage errors exit 2 (click's default too), internal failures exit 2 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # Interrupted is not "findings found" (1): the shell convention for SIGINT.
            click.echo("iac-lint: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # pragma: no cover - last resort
            click.echo(f"iac-lint: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="iac-lint")
def main() -> None:
    """Security linter for serverless infrastructure-as-code (Serverless Framework, SAM, CloudFormation, Terraform)."""


def run() -> None:
    """The ``iac-lint`` command: ``main``, then an exit that does not take the scan's objects apart one by one.

    A whole-repository scan leaves hundreds of thousands of objects; the interpreter freeing them at exit was
    3 % of the run.  The output streams are flushed first; a caller of ``main`` (a test, click's runner)
    keeps the ordinary ``SystemExit``.
    """
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what Python itself does with a message as the exit status
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`iac-lint scan | head`): the ordinary exit reports it
        sys.exit(code)
    os._exit(code or 0)


def _scan_options(command: Any) -> Any:
    """The options that decide what a scan finds, shared by ``scan`` and ``baseline create``."""
    options = [
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="Configuration file (default: the nearest .iac-lint.yaml, or [tool.iac-lint] in "
                          "pyproject.toml, from the scanned path up to the repository root)."),
        click.option("--select", multiple=True,
                     help="Only these rule ids, prefixes (IAM) or categories (opt-in rules too); replaces the "
                          "profile's set."),
        click.option("--extend-select", multiple=True,
                     help="Add these rule ids, prefixes or categories (opt-in rules) to the selected set."),
        click.option("--profile", type=click.Choice(("default", "strict"), case_sensitive=False), default=None,
                     help="Starting set of rules: default (real weaknesses) or strict (every rule, opt-in "
                          "advice included)."),
        click.option("--ignore", multiple=True, help="Skip these rule ids, prefixes or categories."),
        click.option("--policies", multiple=True, type=click.Path(exists=True, file_okay=False),
                     help="Extra rules directory (repeatable); the only way to load Python rules."),
        click.option("--plugins", multiple=True,
                     help="Enable an installed rule pack by name (entry point group iac_lint.policies; repeatable)."),
        click.option("--exclude", multiple=True,
                     help="Paths to skip, gitignore syntax, relative to the working directory (repeatable; "
                          "replaces the configuration's exclude)."),
        click.option("--gitignore/--no-gitignore", "respect_gitignore", default=None,
                     help="Skip files that .gitignore files ignore (default: on)."),
        click.option("--force-exclude", is_flag=True, default=None,
                     help="Apply exclude and .gitignore to paths named on the command line too "
                          "(for hooks that pass every changed file)."),
        click.option("--stage", default=None, help="Serverless Framework stage (${opt:stage}, ${sls:stage})."),
        click.option("--param", "params", multiple=True, help="KEY=VALUE for ${param:KEY} / template parameters."),
        click.option("--var", "tf_vars", multiple=True, help="Terraform KEY=VALUE variable."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="Terraform .tfvars file."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                     help="Processes that parse and evaluate (default: one per core); the output does not "
                          "depend on it."),
        click.option("--cache/--no-cache", "cache", default=None,
                     help="Reuse the results of unchanged files from the user's cache directory "
                          "(default: on; see the README's Performance section)."),
        click.option("--shard", "shard", metavar="K/N", default=None,
                     help="Scan only the K-th of N parts (by file, a Terraform module never split); combine "
                          "the parts' JSON or SARIF with `iac-lint merge`."),
        click.option("--cfn-lint/--no-cfn-lint", "cfn_lint", default=None,
                     help="Also run cfn-lint on CloudFormation/SAM templates; its matches are CFN-<id> findings "
                          "(needs pip install 'iac-lint[cfn-lint]')."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _config(paths: list[str], config_file: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
            policies: tuple[str, ...], exclude: tuple[str, ...], stage: str | None, params: tuple[str, ...],
            tf_vars: tuple[str, ...], var_files: tuple[str, ...], plugins: tuple[str, ...] = (),
            extend_select: tuple[str, ...] = (), profile: str | None = None, **more: Any) -> Any:
    """Flags given on the command line (None when absent) over the configuration file; exit 2 if it is bad."""
    from iac_lint.config import ConfigError, resolve_config

    if "cache" in more and more["cache"] is None:
        more["cache"] = True
    if more.get("shard") is not None:
        from iac_lint.shard import ShardError, parse_shard

        try:
            more["shard"] = parse_shard(more["shard"])
        except ShardError as exc:
            raise click.UsageError(str(exc)) from None
    try:
        return resolve_config(
            paths, config_file,
            select=_split(select) or None, ignore=_split(ignore) or None, policies=list(policies) or None,
            exclude=list(exclude) or None, stage=stage, params=_pairs(params, "--param") or None,
            var_files=list(var_files) or None, vars=_pairs(tf_vars, "--var") or None,
            plugins=_split(plugins) or None, extend_select=_split(extend_select) or None,
            profile=profile.lower() if profile else None, **more)
    except ConfigError as exc:
        click.echo(f"iac-lint: configuration error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _scan_errors() -> tuple[type[Exception], ...]:
    """The errors a scan reports as exit 2; imported only once one is raised (an except clause is evaluated
    then), so a plain scan does not load the baseline, diff and cfn-lint modules for their classes."""
    from iac_lint.engine.baseline import BaselineError
    from iac_lint.engine.cfnlint_pass import CfnLintMissing
    from iac_lint.engine.diff import DiffError
    from iac_lint.engine.rules import RuleError

    return (RuleError, BaselineError, DiffError, CfnLintMissing)


def _run_scan(paths: list[str], config: Any, progress: Any = None) -> Any:
    """The report, or exit 2 with the reason (a bad rule, baseline or revision)."""
    from iac_lint.api import scan as run_scan
    from iac_lint.config import ConfigError
    try:
        return run_scan(paths, config, progress=progress)
    except ConfigError as exc:
        click.echo(f"iac-lint: configuration error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except _scan_errors() as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMATS, case_sensitive=False),
              help="Output format; repeat to write several (pair each with an --output, in order). "
                   "`concise` is one line per finding.")
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="File for the format at the same position (`-` for standard output); a format without "
                   "one goes to standard output, and only one may.")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False), default=None,
              help="Exit 1 when a finding at or above this severity remains (default: low).")
@click.option("--severity", "min_severity", type=click.Choice(SEVERITIES, case_sensitive=False), default=None,
              help="Show only findings at or above this severity, in every format (the gate still counts "
                   "the others: see --fail-on).")
@click.option("--fail-on-empty/--no-fail-on-empty", default=None,
              help="Exit 2 when no infrastructure-as-code file is found (default: a warning only).")
@_scan_options
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Report only findings not in this baseline file (see `iac-lint baseline create`).")
@click.option("--changed-since", metavar="REF", default=None,
              help="Report only findings on resources changed since the merge base with REF (git).")
@click.option("--color/--no-color", default=None,
              help="Colour text output (default: only on a terminal, and not when NO_COLOR is set).")
@click.option("--show-suppressed", is_flag=True, help="List suppressed findings in text and concise output too.")
@click.option("--omit-suppressed", is_flag=True,
              help="Leave suppressed and baselined findings out of every report (for consumers that ignore "
                   "SARIF suppressions, such as GitHub code scanning, which would open alerts for them).")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress and no summary on standard error (warnings and errors still print).")
@click.option("--statistics", is_flag=True,
              help="Print the number of findings per rule on standard error, after the report.")
def scan(paths: tuple[str, ...], formats: tuple[str, ...], outputs: tuple[str, ...], fail_on: str | None,
         min_severity: str | None, fail_on_empty: bool | None, baseline: str | None, changed_since: str | None,
         color: bool | None, show_suppressed: bool, omit_suppressed: bool, quiet: bool, statistics: bool,
         **options: Any) -> None:
    """Scan PATHS (default: the current directory) and report findings."""
    from iac_lint.report import renderer
    from iac_lint.report.text import Verdict, at_or_above, summary_line, verdict_line

    plan = _output_plan(tuple(fmt.lower() for fmt in formats) or ("text",), outputs)
    targets = list(paths) or ["."]
    config = _config(targets, fail_on=fail_on, fail_on_empty=fail_on_empty, baseline=baseline,
                     changed_since=changed_since, **options)
    # Only the HTML report draws the model; every other format reads findings and source lines.
    config.keep_models = any(fmt == "html" for fmt, _ in plan)
    config.keep_lines = any(fmt in LINE_FORMATS for fmt, _ in plan)
    progress = None if quiet else _Progress.on_terminal()
    try:
        report = _run_scan(targets, config, progress)
    finally:
        if progress:
            progress.clear()
    empty = not report.templates
    if empty:
        click.echo(f"iac-lint: warning: no infrastructure-as-code files found under {', '.join(targets)}", err=True)
    _notes(report, config, quiet)
    # Decided before --severity and --omit-suppressed leave findings out: what is not shown still counts.
    active = [f for f in report.findings if not f.suppressed]
    failing = report.failing(config.fail_on)
    hidden = 0
    if min_severity:
        kept = at_or_above(report.findings, min_severity)
        hidden = len(active) - sum(1 for f in kept if not f.suppressed)
        report.findings = kept
    if omit_suppressed:
        report.findings = [f for f in report.findings if not f.suppressed]
    exit_code = EXIT_ERROR if empty and config.fail_on_empty else EXIT_FINDINGS if failing else EXIT_OK
    verdict = Verdict(config.fail_on, exit_code, failing=len(failing), active=len(active), hidden=hidden,
                      severity=min_severity, empty=empty and config.fail_on_empty)
    for fmt, target in plan:
        use_colour = color if color is not None else (target is None and _colour_wanted())
        text = renderer(fmt)(report, color=use_colour, show_suppressed=show_suppressed, fail_on=config.fail_on,
                             verdict=verdict)
        if target:
            try:
                # A file name that is not UTF-8 (a surrogate escape) is written as ``\udcff``, not a crash.
                with open(target, "w", encoding="utf-8", errors="backslashreplace") as handle:
                    handle.write(text)
            except OSError as exc:
                click.echo(f"iac-lint: cannot write {target}: {exc.strerror or exc}", err=True)
                sys.exit(EXIT_ERROR)
        else:
            _echo(text)
    if statistics:
        from iac_lint.report.statistics import render_statistics
        # Beside a human-readable report on standard output; never into a JSON or SARIF document there.
        machine_on_stdout = any(target is None and fmt not in ("text", "concise") for fmt, target in plan)
        _echo(render_statistics(report.findings), err=machine_on_stdout)
    if not quiet and all(target for _, target in plan):
        # Every report went to a file: one line on the terminal still says what happened.
        _echo(f"iac-lint: {summary_line(report).rstrip('.')}; {verdict_line(verdict)}\n", err=True)
    sys.exit(exit_code)


def _echo(text: str, err: bool = False) -> None:
    """Write ``text`` as is; a console that cannot encode a character (the arrow) gets a stand-in, not a crash.

    ``color=True`` because the renderers already decided (``--color`` into a pipe means colour).
    """
    try:
        click.echo(text, nl=False, err=err, color=True)
    except UnicodeEncodeError:
        encoding = getattr(sys.stderr if err else sys.stdout, "encoding", None) or "ascii"
        click.echo(text.replace("\u2192", "->").encode(encoding, "backslashreplace").decode(encoding), nl=False,
                   err=err, color=True)


class _Progress:
    """``scanning 120/1614 files…`` on standard error, rewritten in place; cleared when the scan ends."""

    INTERVAL = 0.1  # seconds between redraws: a fast scan must not spend its time drawing

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.width = 0
        self.drawn_at = 0.0

    @classmethod
    def on_terminal(cls) -> _Progress | None:
        """Only for a person watching: never into a CI log or a redirected file."""
        try:
            return cls(sys.stderr) if sys.stderr.isatty() else None
        except (AttributeError, ValueError):
            return None

    def __call__(self, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        if self.width and done < total and now - self.drawn_at < self.INTERVAL:
            return
        self.drawn_at = now
        text = f"scanning {done}/{total} files\u2026"
        self._write("\r" + text.ljust(self.width))
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError, UnicodeEncodeError):
            pass  # progress is a courtesy; it must never fail the scan


def _notes(report: Any, config: Any, quiet: bool = False) -> None:
    """What the report leaves out and why, on standard error (whatever the format on standard output);
    ``--quiet`` keeps the warning about a stale baseline only."""
    if report.hidden_by_diff and not quiet:
        n = report.hidden_by_diff
        click.echo(f"iac-lint: {n} finding{'s' if n != 1 else ''} on unchanged resources not shown "
                   f"(--changed-since {config.changed_since})", err=True)
    if report.stale_baseline:
        n = report.stale_baseline
        click.echo(f"iac-lint: {n} baseline entr{'ies' if n != 1 else 'y'} no longer match{'' if n != 1 else 'es'}; "
                   f"run `iac-lint baseline update` to remove {'them' if n != 1 else 'it'}", err=True)


def _output_plan(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(format, file or None for standard output) pairs, by position; ``-`` is standard output.

    Two formats on standard output would interleave into something no consumer can read (two JSON
    documents, SARIF after annotations), so that is a usage error, as is one file for two formats.
    """
    if len(outputs) > len(formats):
        raise click.UsageError("more --output than --format; each --output goes with the --format at its position")
    plan = [(fmt, outputs[i] if i < len(outputs) and outputs[i] != "-" else None) for i, fmt in enumerate(formats)]
    to_stdout = [fmt for fmt, target in plan if target is None]
    if len(to_stdout) > 1:
        raise click.UsageError(f"{' and '.join(to_stdout)} would both go to standard output; give all but one "
                               f"an --output FILE (in the order of the --format options)")
    files = [os.path.abspath(target) for _, target in plan if target]
    if len(set(files)) != len(files):
        raise click.UsageError("two --format options write to the same --output file")
    return plan


def _colour_wanted() -> bool:
    """On a terminal, unless NO_COLOR is set to anything non-empty (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


@main.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--output", "-o", default=None, type=click.Path(dir_okay=False),
              help="File to write (default: standard output).")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False), default=None,
              help="Exit 1 when the merged report has an active finding at or above this severity "
                   "(default: exit 0 once merged).")
def merge(reports: tuple[str, ...], output: str | None, fail_on: str | None) -> None:
    """Merge the JSON or SARIF reports of `scan --shard K/N` runs into the report of one whole scan."""
    import json

    from iac_lint.report.merge import MergeError, failing_count, merge_reports

    texts = []
    for path in reports:
        try:
            with open(path, encoding="utf-8") as handle:
                texts.append(handle.read())
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"iac-lint: cannot read {path}: {exc}", err=True)
            sys.exit(EXIT_ERROR)
    try:
        kind, text = merge_reports(texts)
    except MergeError as exc:
        click.echo(f"iac-lint: cannot merge: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            click.echo(f"iac-lint: cannot write {output}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_ERROR)
    else:
        _echo(text)
    if fail_on and failing_count(kind, json.loads(text), fail_on):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.group()
def baseline() -> None:
    """Accept today's findings so that only new ones fail the build."""


@baseline.command("create")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--output", "-o", default=".iac-lint-baseline.json", show_default=True,
              type=click.Path(dir_okay=False), help="Baseline file to write.")
@_scan_options
def baseline_create(paths: tuple[str, ...], output: str, **options: Any) -> None:
    """Write the fingerprints of every active finding under PATHS to a baseline file."""
    from iac_lint.engine.baseline import BaselineError, write_baseline

    targets = list(paths) or ["."]
    config = _config(targets, **options)
    config.baseline = None  # a baseline records everything that is there now, not what the old one missed
    config.keep_models = config.keep_lines = False
    report = _run_scan(targets, config)
    try:
        count = write_baseline(report.findings, output, report.root)
    except BaselineError as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"iac-lint: wrote {count} finding{'s' if count != 1 else ''} to {output}", err=True)


@baseline.command("update")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), default=None,
              help="Baseline file to update (default: the configuration's baseline, else "
                   ".iac-lint-baseline.json).")
@_scan_options
def baseline_update(paths: tuple[str, ...], baseline_file: str | None, **options: Any) -> None:
    """Remove the entries that match nothing any more; never adds a finding.

    Entries still matched are rewritten to the findings' current fingerprints (a narrowed wildcard
    matched by rule, file and resource); entries this scan could not have matched (files outside
    PATHS, rules not selected) are kept as they are.
    """
    from iac_lint.engine.baseline import BaselineError, baseline_document, write_document

    targets = list(paths) or ["."]
    config = _config(targets, **options)
    config.baseline = baseline_file or config.baseline or ".iac-lint-baseline.json"
    config.keep_models = config.keep_lines = False
    report = _run_scan(targets, config)
    accepted = [f for f in report.findings if f.baselined]
    try:
        count = write_document(baseline_document(accepted, report.root, keep=report.baseline_unjudged),
                               config.baseline)
    except BaselineError as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    removed = report.stale_baseline
    click.echo(f"iac-lint: removed {removed} stale entr{'ies' if removed != 1 else 'y'}, kept {count} "
               f"in {config.baseline}", err=True)


@main.group()
def rules() -> None:
    """List, show and test rules."""


def _load_rules(policies: tuple[str, ...], plugins: tuple[str, ...] = ()) -> Any:
    """The built-in rules, those in ``policies`` and in the named rule packs, or exit 2 naming the problem."""
    from iac_lint.engine.plugins import PluginError, plugin_dirs
    from iac_lint.engine.rules import RuleError, load_rules

    try:
        return load_rules([*policies, *plugin_dirs(_split(plugins))])
    except (RuleError, PluginError) as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)


_PLUGINS_OPTION = click.option("--plugins", multiple=True, help="Include an installed rule pack (repeatable).")


@rules.command("list")
@click.option("--policies", multiple=True, type=click.Path(exists=True, file_okay=False))
@_PLUGINS_OPTION
def rules_list(policies: tuple[str, ...], plugins: tuple[str, ...]) -> None:
    """The rule catalogue, then the findings iac-lint reports itself (parse errors, suppression checks)."""
    from iac_lint.model.builtin_findings import BUILTIN_FINDINGS

    loaded = _load_rules(policies, plugins)
    builtin = list(BUILTIN_FINDINGS.values())
    width = max(len(r.id) for r in [*loaded, *builtin])

    def row(rule: Any, default: str = "") -> str:
        return f"{rule.id:<{width}}  {rule.name:<36} {rule.severity:<8} {rule.category:<16} {default}{rule.title}"

    for rule in loaded:
        click.echo(row(rule, "default " if rule.default else "opt-in  "))
    click.echo("\nBuilt-in findings (reported by iac-lint itself, not by a rule; always on):")
    for finding in builtin:
        click.echo(row(finding))


@rules.command("show")
@click.argument("rule_id")
@click.option("--policies", multiple=True, type=click.Path(exists=True, file_okay=False))
@_PLUGINS_OPTION
def rules_show(rule_id: str, policies: tuple[str, ...], plugins: tuple[str, ...]) -> None:
    """A rule's documentation: what it does, why, an example, the fix, references."""
    from iac_lint.docs import describe, page

    rule = describe(rule_id, _load_rules(policies, plugins))
    if rule is None:
        click.echo(f"iac-lint: no rule or built-in finding {rule_id}; `iac-lint rules list` shows them all",
                   err=True)
        sys.exit(EXIT_ERROR)
    source = getattr(rule, "source", None)
    click.echo(page(rule, os.path.relpath(source) if source else None, link=True), nl=False)


@rules.command("docs")
@click.option("--output", "-o", default="docs/rules", show_default=True, type=click.Path(file_okay=False),
              help="Directory of the pages.")
@click.option("--policies", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Document the rules in this directory too (repeatable).")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a page is missing or out of date.")
def rules_docs(output: str, policies: tuple[str, ...], check: bool) -> None:
    """Write one markdown page per rule and built-in finding, and an index, to OUTPUT."""
    from iac_lint.docs import check_pages, write_pages
    from iac_lint.engine.rules import RuleError

    try:
        if check:
            stale = check_pages(output, policies)
            for name in stale:
                click.echo(f"iac-lint: {os.path.join(output, name)} is out of date; run `iac-lint rules docs "
                           f"--output {output}`", err=True)
            sys.exit(EXIT_FINDINGS if stale else EXIT_OK)
        changed = write_pages(output, policies)
    except RuleError as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"iac-lint: {len(changed)} page{'s' if len(changed) != 1 else ''} updated in {output}", err=True)


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--verbose", "-v", is_flag=True, help="List passing cases too.")
@click.option("--debug", is_flag=True, help="Show the traceback of a rule that raised.")
def rules_test(directory: str | None, verbose: bool, debug: bool) -> None:
    """Run every rule's cases in DIRECTORY (default: the built-in policies).

    Exit 0 when every case passes, 1 when one fails, 2 when a rule cannot be loaded.
    """
    from iac_lint.engine.rules import RuleError, builtin_policies_dir
    from iac_lint.ruletest import format_report, run_rule_tests

    try:
        report = run_rule_tests(directory or builtin_policies_dir())
    except RuleError as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(format_report(report, verbose, debug=debug))
    sys.exit(EXIT_OK if report.passed else EXIT_FINDINGS)


@rules.command("new")
@click.argument("rule_id")
@click.option("--name", default=None, help="kebab-case name (default: from --applies-to, e.g. function-check).")
@click.option("--category", "-c", required=True, help="Category folder, e.g. runtime, or your own (tagging).")
@click.option("--applies-to", "applies_to", default="function", show_default=True,
              help="The entity kind the rule reads (see docs/model.md).")
@click.option("--python", "python", is_flag=True, help="Write a Python rule instead of a YAML one.")
@click.option("--dir", "directory", default="rules", show_default=True, type=click.Path(file_okay=False),
              help="Rules directory to write into (DIR/CATEGORY/ID-NAME.yaml and DIR/CATEGORY/ID/).")
def rules_new(rule_id: str, name: str | None, category: str, applies_to: str, python: bool, directory: str) -> None:
    """Scaffold rule RULE_ID: the rule file with its five doc parts, and a positive and a negative case in
    every format, ready for `iac-lint rules test DIR`."""
    from iac_lint.engine.scaffold import ScaffoldError, scaffold_rule

    name = name or f"{applies_to.replace('_', '-')}-check"
    try:
        written = scaffold_rule(directory, rule_id.upper(), name, category, applies_to, python)
    except ScaffoldError as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: edit {written[0]}, then run `iac-lint rules test {directory}` "
               f"and `iac-lint scan --policies {directory}`", err=True)


@rules.command("model-docs")
@click.option("--output", "-o", default="docs/model.md", show_default=True, type=click.Path(dir_okay=False),
              help="The page to write.")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if the page is missing or out of date.")
def rules_model_docs(output: str, check: bool) -> None:
    """Write the model reference: every entity kind and field a rule can read."""
    from iac_lint.docs import model_markdown, write_model_docs

    if check:
        try:
            with open(output, encoding="utf-8") as handle:
                current: str | None = handle.read()
        except OSError:
            current = None
        if current != model_markdown():
            click.echo(f"iac-lint: {output} is out of date; run `iac-lint rules model-docs --output {output}`",
                       err=True)
            sys.exit(EXIT_FINDINGS)
        return
    changed = write_model_docs(output)
    click.echo(f"iac-lint: {output} {'updated' if changed else 'already up to date'}", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--kind", "kinds", multiple=True, help="Only entities of this kind (repeatable): function, role, ...")
@click.option("--format", "-f", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--stage", default=None, help="Serverless Framework stage.")
@click.option("--param", "params", multiple=True, help="KEY=VALUE for ${param:KEY} / template parameters.")
@click.option("--var", "tf_vars", multiple=True, help="Terraform KEY=VALUE variable.")
def explain(paths: tuple[str, ...], kinds: tuple[str, ...], fmt: str, config_file: str | None, stage: str | None,
            params: tuple[str, ...], tf_vars: tuple[str, ...]) -> None:
    """Print the normalized entities of PATHS as rules see them: every field, its value, where it was written.

    Write a rule's `when:` against this output (fields are documented in docs/model.md).
    """
    import json

    from iac_lint.api import scan as run_scan
    from iac_lint.engine.explain import explain as describe_entities
    from iac_lint.model.entities import ENTITY_TYPES
    from iac_lint.model.reference import resolve_kind

    wanted = []
    for kind in _split(kinds):
        resolved = resolve_kind(kind)
        if resolved is None:
            raise click.UsageError(f"--kind {kind!r} is not an entity kind; kinds: {', '.join(ENTITY_TYPES)}")
        wanted.append(resolved)
    targets = list(paths) or ["."]
    config = _config(targets, config_file, (), (), (), (), stage, params, tf_vars, ())
    report = run_scan(targets, config, rules=[])
    data = describe_entities(report.templates, wanted, relative_to=os.getcwd())
    if fmt == "json":
        _echo(json.dumps(data, indent=2) + "\n")
    else:
        import yaml

        _echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120))


@main.command()
def lsp() -> None:
    """Run the language server on standard input/output (for editors; needs `pip install iac-lint[lsp]`)."""
    try:
        from iac_lint.lsp.server import main as serve
    except ImportError:
        click.echo("iac-lint: the language server needs pygls: pip install 'iac-lint[lsp]'", err=True)
        sys.exit(EXIT_ERROR)
    serve()
