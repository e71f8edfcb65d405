"""The rule test harness: cases beside each rule, annotated in place.

A rule ``policies/<category>/IAM001-wildcard-action.yaml`` keeps its cases in
``policies/<category>/IAM001/``.  Each entry there is one case: a file (a
CloudFormation, SAM or serverless template) or a directory (a Terraform
module, or a serverless project with includes).  Inside a case, a comment

    # ruleid: IAM001

stands directly above each line the rule must flag; ``# ok: IAM001`` may mark
lines it must not (documentation only).  A case with no ``ruleid`` line is a
negative case: the rule must stay silent.  The harness compares the exact set
of (file, line) pairs, so a finding on the wrong line fails; the report shows
the difference line by line, the formats each rule's cases cover (from the
case name's prefix: ``cfn-``, ``sam-``, ``sls-``, ``tf-``, ``plan-``), and, with
``--debug``, the traceback of a Python rule that raised.  A directory case may hold a
``.iac-lint.yaml`` whose ``rule_options`` set the rule's options for it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from iac_lint.config import Config
from iac_lint.engine.rules import Rule, configure_rules, load_rules
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS
from iac_lint.model.rule_ids import RULE_ID_LIST_PATTERN
from iac_lint.rules import Violation

_ANNOTATION = re.compile(rf"^\s*(?:#|//)\s*(ruleid|ok)\s*:\s*(?P<ids>{RULE_ID_LIST_PATTERN})")
# A case that cannot be parsed is an error, not a pass.
_PROBLEMS = frozenset(f.id for f in BUILTIN_FINDINGS.values() if f.blocks_analysis)
CASE_CONFIG = ".iac-lint.yaml"
_CASE_FILES = (".yaml", ".yml", ".json", ".tf", ".template")
FORMAT_PREFIXES = {"cfn": "cloudformation", "sam": "sam", "sls": "serverless", "tf": "terraform",
                   "plan": "terraform-plan"}


@dataclass(slots=True)
class CaseResult:
    rule_id: str
    case: str
    expected: set[tuple[str, int]]
    actual: set[tuple[str, int]]
    error: str | None = None
    # The rule's traceback when it raised on this case (``rules test --debug`` prints it).
    traceback: str | None = None
    # The case still holds a ``TODO(rules new)`` of the scaffold.
    todo: bool = False

    @property
    def passed(self) -> bool:
        return self.error is None and self.expected == self.actual

    @property
    def positive(self) -> bool:
        return bool(self.expected)

    @property
    def format(self) -> str:
        prefix = os.path.basename(self.case).split("-", 1)[0]
        return FORMAT_PREFIXES.get(prefix, prefix)


@dataclass(slots=True)
class RuleTestReport:
    results: list[CaseResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # rules without a positive or a negative case
    # Rule id -> the formats its cases cover (by case name prefix).
    formats: dict[str, list[str]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results) and not self.missing


def _case_files(case_path: str) -> list[str]:
    if os.path.isfile(case_path):
        return [case_path]
    return sorted(os.path.join(d, f) for d, _, names in os.walk(case_path) for f in names if f.endswith(_CASE_FILES))


def expected_lines(case_path: str, rule_id: str) -> set[tuple[str, int]]:
    expected: set[tuple[str, int]] = set()
    for path in _case_files(case_path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
        for number, text in enumerate(lines, start=1):
            match = _ANNOTATION.match(text)
            if not match or match.group(1) != "ruleid":
                continue
            ids = {i.strip() for i in match.group("ids").split(",")}
            if rule_id not in ids:
                continue
            target = number + 1
            while target <= len(lines) and _ANNOTATION.match(lines[target - 1]):
                target += 1
            expected.add((os.path.normpath(path), target))
    return expected


def _has_todo(case_path: str) -> bool:
    from iac_lint.engine.scaffold import TODO

    for path in _case_files(case_path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            if TODO in handle.read():
                return True
    return False


def _recording(rule: Rule, tracebacks: list[str]) -> Rule:
    """The rule, its ``check`` wrapped to keep the traceback of a raise (the engine turns it into E004)."""
    if rule.check is None:
        return rule
    inner = rule.check

    def check(entity: Any, *options: Any) -> Iterable[Violation]:
        try:
            yield from inner(entity, *options)
        except Exception:
            tracebacks.append(traceback.format_exc())
            raise

    return dataclasses.replace(rule, check=check)


def run_case(rule: Rule, case_path: str) -> CaseResult:
    from iac_lint.api import scan
    from iac_lint.config import resolve_config

    expected = expected_lines(case_path, rule.id)
    tracebacks: list[str] = []
    try:
        config = Config()
        case_config = os.path.join(case_path, CASE_CONFIG)
        if os.path.isfile(case_config):  # a case of a rule's options: their values for this case
            config = resolve_config([case_path], case_config)
            rule = configure_rules([rule], config.rule_options)[0]
        report = scan([case_path], config, rules=[_recording(rule, tracebacks)])
    except Exception as exc:  # the harness reports a crashing case instead of dying
        return CaseResult(rule.id, case_path, expected, set(), f"{type(exc).__name__}: {exc}",
                          traceback.format_exc())
    problems = [f for f in report.findings if f.rule_id in _PROBLEMS]
    actual = {(os.path.normpath(f.location.file), f.location.line) for f in report.findings if f.rule_id == rule.id}
    error = "; ".join(f"{f.rule_id} {f.message} at {f.location}" for f in problems) or None
    return CaseResult(rule.id, case_path, expected, actual, error, tracebacks[0] if tracebacks else None,
                      _has_todo(case_path))


def run_rule_tests(directory: str, include_builtin: bool = False) -> RuleTestReport:
    """Run every case of every rule under ``directory``."""
    rules = load_rules([directory], builtin=include_builtin)
    report = RuleTestReport()
    for rule in rules:
        if os.path.dirname(os.path.abspath(rule.source)) != os.path.dirname(os.path.abspath(rule.cases_dir)):
            continue
        cases_dir = rule.cases_dir
        cases = sorted(os.listdir(cases_dir)) if os.path.isdir(cases_dir) else []
        results = [run_case(rule, os.path.join(cases_dir, c)) for c in cases if not c.startswith(".")]
        report.results.extend(results)
        report.formats[rule.id] = sorted({r.format for r in results})
        if not any(r.positive for r in results) or not any(not r.positive for r in results):
            report.missing.append(rule.id)
    return report


def _diff(r: CaseResult) -> list[str]:
    """Expected against got, one line per flagged line, ``-`` missing and ``+`` unexpected."""
    lines = []
    for file, line in sorted(r.expected | r.actual):
        mark = " " if (file, line) in r.expected and (file, line) in r.actual else \
            "-" if (file, line) in r.expected else "+"
        what = {" ": "expected and found", "-": "expected, not found", "+": "found, not expected"}[mark]
        lines.append(f"       {mark} {r.rule_id} {file}:{line}  ({what})")
    return lines


def format_report(report: RuleTestReport, verbose: bool = False, debug: bool = False) -> str:
    lines = []
    for r in report.results:
        if r.passed and not verbose:
            continue
        status = "ok  " if r.passed else "FAIL"
        kind = "positive" if r.positive else "negative"
        lines.append(f"{status} {r.rule_id} {r.case} [{r.format}, {kind}]")
        if r.passed:
            continue
        if r.error:
            lines.append(f"     error: {r.error}")
        if r.expected != r.actual:
            lines.append(f"     expected {len(r.expected)} finding(s), got {len(r.actual)}:")
            lines.extend(_diff(r))
        if r.todo:
            lines.append("     hint: this case still has a TODO(rules new) from `iac-lint rules new`: write the rule's "
                         "condition, make the case break (or follow) it, then remove the TODO")
        if r.traceback:
            if debug:
                lines.extend("     | " + t for t in r.traceback.rstrip().splitlines())
            else:
                lines.append("     the rule raised; run with --debug for its traceback")
    for rule_id in report.missing:
        lines.append(f"FAIL {rule_id}: needs at least one positive and one negative case")
    if report.formats:
        lines.append("formats covered:")
        for rule_id, formats in sorted(report.formats.items()):
            lines.append(f"  {rule_id}: {', '.join(formats) or 'none'}")
    passed = sum(r.passed for r in report.results)
    failed = len(report.results) - passed + len(report.missing)
    lines.append(f"rules test: {passed} passed, {failed} failed")
    return "\n".join(lines)
