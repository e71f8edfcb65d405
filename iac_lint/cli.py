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

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # pragma: no cover - last resort
            click.echo(f"iac-lint: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="iac-lint")
def main() -> None:
    """Security linter for serverless infrastructure-as-code (Serverless Framework, SAM, CloudFormation, Terraform)."""


def _scan_options(command: Any) -> Any:
    """The options that decide what a scan finds, shared by ``scan`` and ``baseline create``."""
    options = [
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="Configuration file (default: .iac-lint.yaml, or [tool.iac-lint] in pyproject.toml, "
                          "at the scan root or in the working directory)."),
        click.option("--select", multiple=True, help="Only these rule ids, prefixes (IAM) or categories."),
        click.option("--ignore", multiple=True, help="Skip these rule ids, prefixes or categories."),
        click.option("--policies", multiple=True, type=click.Path(exists=True, file_okay=False),
                     help="Extra rules directory (repeatable); the only way to load Python rules."),
        click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable)."),
        click.option("--stage", default=None, help="Serverless Framework stage (${opt:stage}, ${sls:stage})."),
        click.option("--param", "params", multiple=True, help="KEY=VALUE for ${param:KEY} / template parameters."),
        click.option("--var", "tf_vars", multiple=True, help="Terraform KEY=VALUE variable."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="Terraform .tfvars file."),
        click.option("--cfn-lint/--no-cfn-lint", "cfn_lint", default=None,
                     help="Also run cfn-lint on CloudFormation/SAM templates; its matches are CFN-<id> findings "
                          "(needs pip install 'iac-lint[cfn-lint]')."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _config(paths: list[str], config_file: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
            policies: tuple[str, ...], exclude: tuple[str, ...], stage: str | None, params: tuple[str, ...],
            tf_vars: tuple[str, ...], var_files: tuple[str, ...], **more: Any) -> Any:
    """Flags given on the command line (None when absent) over the configuration file; exit 2 if it is bad."""
    from iac_lint.config import ConfigError, resolve_config

    try:
        return resolve_config(
            paths, config_file,
            select=_split(select) or None, ignore=_split(ignore) or None, policies=list(policies) or None,
            exclude=list(exclude) or None, stage=stage, params=_pairs(params, "--param") or None,
            var_files=list(var_files) or None, vars=_pairs(tf_vars, "--var") or None, **more)
    except ConfigError as exc:
        click.echo(f"iac-lint: configuration error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _run_scan(paths: list[str], config: Any) -> Any:
    """The report, or exit 2 with the reason (a bad rule, baseline or revision)."""
    from iac_lint.api import scan as run_scan
    from iac_lint.engine.baseline import BaselineError
    from iac_lint.engine.cfnlint_pass import CfnLintMissing
    from iac_lint.engine.diff import DiffError
    from iac_lint.engine.rules import RuleError

    try:
        return run_scan(paths, config)
    except (RuleError, BaselineError, DiffError, CfnLintMissing) as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "-f", "formats", multiple=True,
              type=click.Choice(["text", "json", "sarif", "junit", "github", "gitlab", "markdown"]),
              help="Output format; repeat to write several (pair each with an --output, in order).")
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="File for the format at the same position (`-` for standard output); a format without "
                   "one goes to standard output, and only one may.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding at or above this severity remains (default: low).")
@_scan_options
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Report only findings not in this baseline file (see `iac-lint baseline create`).")
@click.option("--changed-since", metavar="REF", default=None,
              help="Report only findings on resources changed since the merge base with REF (git).")
@click.option("--color/--no-color", default=None,
              help="Colour text output (default: only on a terminal, and not when NO_COLOR is set).")
@click.option("--show-suppressed", is_flag=True, help="List suppressed findings in text output too.")
@click.option("--omit-suppressed", is_flag=True,
              help="Leave suppressed and baselined findings out of every report (for consumers that ignore "
                   "SARIF suppressions, such as GitHub code scanning, which would open alerts for them).")
def scan(paths: tuple[str, ...], formats: tuple[str, ...], outputs: tuple[str, ...], fail_on: str | None,
         baseline: str | None, changed_since: str | None, color: bool | None, show_suppressed: bool,
         omit_suppressed: bool, **options: Any) -> None:
    """Scan PATHS (default: the current directory) and report findings."""
    from iac_lint.report import renderer

    plan = _output_plan(formats or ("text",), outputs)
    targets = list(paths) or ["."]
    config = _config(targets, fail_on=fail_on, baseline=baseline, changed_since=changed_since, **options)
    report = _run_scan(targets, config)
    failing = report.failing(config.fail_on)  # before --omit-suppressed: suppressed findings never fail anyway
    if omit_suppressed:
        report.findings = [f for f in report.findings if not f.suppressed]
    for fmt, target in plan:
        use_colour = color if color is not None else (target is None and _colour_wanted())
        text = renderer(fmt)(report, color=use_colour, show_suppressed=show_suppressed, fail_on=config.fail_on)
        if target:
            try:
                with open(target, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as exc:
                click.echo(f"iac-lint: cannot write {target}: {exc.strerror or exc}", err=True)
                sys.exit(EXIT_ERROR)
        else:
            click.echo(text, nl=False)
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


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
    report = _run_scan(targets, config)
    try:
        count = write_baseline(report.findings, output, report.root)
    except BaselineError as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"iac-lint: wrote {count} finding{'s' if count != 1 else ''} to {output}", err=True)


@main.group()
def rules() -> None:
    """List, show and test rules."""


@rules.command("list")
@click.option("--policies", multiple=True, type=click.Path(exists=True, file_okay=False))
def rules_list(policies: tuple[str, ...]) -> None:
    """The rule catalogue."""
    from iac_lint.engine.rules import load_rules

    for rule in load_rules(policies):
        click.echo(f"{rule.id}  {rule.name:<36} {rule.severity:<8} {rule.category:<16} {rule.title}")


@rules.command("show")
@click.argument("rule_id")
@click.option("--policies", multiple=True, type=click.Path(exists=True, file_okay=False))
def rules_show(rule_id: str, policies: tuple[str, ...]) -> None:
    """A rule's documentation: what it does, why, an example, the fix, references."""
    from iac_lint.engine.rules import load_rules

    found = [r for r in load_rules(policies) if r.id == rule_id.upper()]
    if not found:
        click.echo(f"iac-lint: no rule {rule_id}", err=True)
        sys.exit(EXIT_ERROR)
    rule = found[0]
    click.echo(f"{rule.id} {rule.name}  ({rule.severity}, {rule.category})\n{rule.title}\n")
    titles = {"what": "What it does", "why": "Why is this bad?", "example": "Example", "fix": "Use instead",
              "references": "References"}
    for key, title in titles.items():
        value = rule.docs.get(key)
        if not value:
            continue
        click.echo(f"## {title}")
        if isinstance(value, list):
            click.echo("\n".join(f"- {v}" for v in value))
        else:
            click.echo(str(value).rstrip())
        click.echo()


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--verbose", "-v", is_flag=True, help="List passing cases too.")
def rules_test(directory: str | None, verbose: bool) -> None:
    """Run every rule's cases in DIRECTORY (default: the built-in policies)."""
    from iac_lint.engine.rules import RuleError, builtin_policies_dir
    from iac_lint.engine.ruletest import format_report, run_rule_tests

    try:
        report = run_rule_tests(directory or builtin_policies_dir())
    except RuleError as exc:
        click.echo(f"iac-lint: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(format_report(report, verbose))
    sys.exit(EXIT_OK if report.passed else EXIT_FINDINGS)


@main.command()
def lsp() -> None:
    """Run the language server on standard input/output (for editors; needs `pip install iac-lint[lsp]`)."""
    try:
        from iac_lint.lsp.server import main as serve
    except ImportError:
        click.echo("iac-lint: the language server needs pygls: pip install 'iac-lint[lsp]'", err=True)
        sys.exit(EXIT_ERROR)
    serve()
