"""The in-process API the CLI and the language server are thin shells over.

Nothing here prints or exits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable

from iac_lint.config import Config
from iac_lint.discover import Unit, discover
from iac_lint.engine.evaluate import evaluate
from iac_lint.engine.rules import Rule, load_rules, select_rules
from iac_lint.model import Finding, Location, Template, severity_rank
from iac_lint.parsers import parse_document, parse_unit


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(max(1, len(t.sources)) for t in self.templates)

    @property
    def resources(self) -> int:
        return sum(len(t.resources) for t in self.templates)

    def failing(self, fail_on: str) -> list[Finding]:
        threshold = severity_rank(fail_on)
        return [f for f in self.findings if not f.suppressed and severity_rank(f.severity) >= threshold]


def active_rules(config: Config) -> list[Rule]:
    rules = load_rules(config.policies, builtin=config.builtin_rules)
    return select_rules(rules, config.select, config.ignore)


def _sort_key(f: Finding) -> tuple:
    return (f.location.file, f.location.line, f.location.column, f.rule_id, f.resource)


def parse_units(units: Iterable[Unit], config: Config) -> list[Template]:
    templates: list[Template] = []
    for unit in units:
        try:
            templates.extend(parse_unit(unit, config.parse))
        except RecursionError:
            templates.append(_crashed(unit.path, "nesting too deep to analyse"))
        except Exception as exc:  # a parser bug on one file must not lose the other files' findings
            templates.append(_crashed(unit.path, f"internal error while parsing: {type(exc).__name__}: {exc}"))
    return templates


def _crashed(path: str, message: str) -> Template:
    tpl = Template(path=path, format="unknown")
    file = path if not os.path.isdir(path) else path
    tpl.problem("E001", message, Location(file, 1, 1))
    return tpl


def scan(paths: Iterable[str], config: Config | None = None, rules: list[Rule] | None = None) -> Report:
    """Discover, parse and lint every file under ``paths``."""
    config = config or Config()
    paths = list(paths) or ["."]
    if not config.parse.roots:
        config.parse.roots = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]
    rules = rules if rules is not None else active_rules(config)
    templates = parse_units(discover(paths, config.exclude), config)
    findings = evaluate(templates, rules)
    return finish(Report(findings, templates, rules), config)


def lint_text(path: str, text: str, config: Config | None = None, rules: list[Rule] | None = None) -> list[Finding]:
    """Lint an unsaved buffer (an editor's) as if it were the file at ``path``."""
    config = config or Config()
    if not config.parse.roots:
        config.parse.roots = [os.path.abspath(os.path.dirname(path) or ".")]
    rules = rules if rules is not None else active_rules(config)
    try:
        tpl = parse_document(path, text, config.parse)
    except Exception as exc:
        tpl = _crashed(path, f"internal error while parsing: {type(exc).__name__}: {exc}")
    if tpl is None:
        return []
    return finish(Report(evaluate([tpl], rules), [tpl], rules), config).findings


def finish(report: Report, config: Config) -> Report:
    """Suppressions, then a stable order."""
    from iac_lint.engine.suppress import apply_suppressions
    report.findings = sorted(apply_suppressions(report.findings, report.templates, config), key=_sort_key)
    return report
