"""Evaluating rules on templates: entities in, findings out."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import string
from collections.abc import Iterable
from typing import Any

import jmespath
from jmespath import functions as jp_functions

from iac_lint.engine.rules import Rule
from iac_lint.model import SEVERITIES, Entity, Finding, Location, Resource, Template, entity_data, plain, value_loc
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS, ERROR_CATEGORY
from iac_lint.rules import Violation

# Findings that come from reading files rather than from rules: id -> (name, category, title).
PROBLEM_RULES: dict[str, tuple[str, str, str]] = {
    f.id: (f.name, f.category, f.title) for f in BUILTIN_FINDINGS.values() if f.category == ERROR_CATEGORY}


class _Functions(jp_functions.Functions):
    """JMESPath functions rule authors need beyond the standard set."""

    @jp_functions.signature({"types": []})
    def _func_unknown(self, value: Any) -> bool:
        """True when the template does not say (an unresolved variable or condition)."""
        return isinstance(value, dict) and set(value) == {"unknown"}

    @jp_functions.signature({"types": ["string", "null"]})
    def _func_lower(self, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @jp_functions.signature({"types": ["string", "null"]})
    def _func_upper(self, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


_OPTIONS = jmespath.Options(custom_functions=_Functions())


def fingerprint(rule_id: str, repo_file: str, resource: str, logical_path: str) -> str:
    """A finding's identity, stable across edits elsewhere in the file: no line numbers go in.

    ``repo_file`` is the file relative to the project root (``model.paths.repo_path``), so that one
    finding has one fingerprint whichever directory the scan ran from.  Findings are created without
    one and given it by ``with_fingerprints``: where a unit is evaluated (a pool worker), and in
    ``api.finish`` for the findings made after that.
    """
    # surrogateescape: a file name that is not UTF-8 hashes as its bytes (any other name is unchanged).
    key = f"{rule_id}|{repo_file}|{resource}|{logical_path}".encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(key).hexdigest()
    return digest[:32]


def with_fingerprints(findings: list[Finding], root: str) -> list[Finding]:
    """Every finding without a fingerprint given one, over its file relative to the project root (not to the
    working directory).

    So that a baseline written by ``iac-lint baseline create`` at the repository root still matches
    when CI runs ``cd infra && iac-lint scan .``, and SARIF/GitLab identities do not depend on it.
    """
    from iac_lint.model.paths import repo_path

    return [f if f.fingerprint else dataclasses.replace(f, fingerprint=fingerprint(
        f.rule_id, repo_path(f.location.file, root), f.resource, f.logical_path)) for f in findings]


class _SafeFormat(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_FORMATTER = string.Formatter()


def format_message(template: str, data: dict[str, Any]) -> str:
    values = _SafeFormat({k: (v if not isinstance(v, dict) or "unknown" not in v else f"<{v['unknown']}>")
                          for k, v in data.items() if not isinstance(v, (list, dict)) or
                          (isinstance(v, dict) and "unknown" in v)})
    try:
        return _FORMATTER.vformat(template, (), values)
    except (ValueError, IndexError, AttributeError):
        return template


def make_finding(rule: Rule, message: str, location: Location, resource: str, fmt: str,
                 logical_path: str, severity: str | None = None, violation: Violation | None = None) -> Finding:
    return Finding(
        rule_id=rule.id, rule_name=rule.name, severity=severity if severity in SEVERITIES else rule.severity,
        category=rule.category,
        message=message, location=location, resource=resource, format=fmt,
        logical_path=logical_path,
        redactions=violation.redactions if violation else (),
        fix=violation.fix if violation else None,
        related=violation.related if violation else (),
    )


def _raw_location(resource: Resource, at: str | None) -> Location:
    if not at:
        return resource.location
    current: Any = resource.properties
    where = resource.location
    for part in at.split("."):
        if isinstance(current, dict) and part in current:
            where = value_loc(current, part) or where
            current = current[part]
        else:
            break
    return where


def _target_data(target: Any, data_cache: dict[int, Any]) -> Any:
    """The plain data a JMESPath rule (and a message template) reads, computed once per target."""
    key = id(target)
    data = data_cache.get(key)
    if data is None:
        if isinstance(target, Entity):
            data = entity_data(target)
        else:
            data = {"id": target.id, "type": target.type, "format": target.format,
                    "properties": plain(target.properties)}
        data_cache[key] = data
    return data


def _where(target: Any, at: str | None) -> Location:
    if isinstance(target, Entity):
        return target.where(at) if at else target.loc
    return _raw_location(target, at)


def rule_failure(rule: Rule, exc: BaseException, where: Location, fmt: str, resource: str) -> Finding:
    """E004 for a rule that raised on one target: the error and the line of the rule that raised it."""
    failed = BUILTIN_FINDINGS["E004"]
    frame = _rule_frame(rule, exc)
    return Finding(
        rule_id=failed.id, rule_name=failed.name, severity=failed.severity, category=failed.category,
        message=f"rule {rule.id} failed on {resource or 'this file'}: {type(exc).__name__}: {exc}{frame}",
        location=where, resource=resource, format=fmt, logical_path=rule.id)


def _rule_frame(rule: Rule, exc: BaseException) -> str:
    """`` (at ORG001-x.py:12 in check)``: the innermost frame inside the rule's own file, if any."""
    import traceback

    if not rule.source.endswith(".py"):
        return ""
    source = os.path.realpath(rule.source)
    inside = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.realpath(f.filename) == source]
    if not inside:
        return ""
    last = inside[-1]
    return f" (at {os.path.basename(rule.source)}:{last.lineno} in {last.name})"


def _targets(rule: Rule, tpl: Template, by_kind: dict[str, list[Entity]]) -> list[Any]:
    """What ``rule`` reads in ``tpl``: the entities of its kind, or the resources of its type (or every one)."""
    if rule.formats and tpl.format not in rule.formats:
        return []
    if rule.targets_entity:
        return by_kind.get(rule.applies_to, [])
    if rule.targets_every_resource:
        return tpl.resources
    return [r for r in tpl.resources if r.type == rule.applies_to]


def evaluate_rule(rule: Rule, tpl: Template, data_cache: dict[int, Any],
                  by_kind: dict[str, list[Entity]]) -> list[Finding]:
    findings: list[Finding] = []
    for target in _targets(rule, tpl, by_kind):
        try:
            findings += _evaluate_target(rule, target, data_cache)
        except Exception as exc:  # one broken rule on one resource must not hide any other finding
            header = target.loc if isinstance(target, Entity) else target.location
            findings.append(rule_failure(rule, exc, header, target.format, target.id))
    return findings


def _evaluate_target(rule: Rule, target: Any, data_cache: dict[int, Any]) -> list[Finding]:
    """The target's findings, all or (when the rule raises) none: a list, not a generator, as most are empty."""
    if rule.check is not None:
        violations = rule.check(target, rule.options) if rule.options else rule.check(target)
        return [_violation_finding(rule, target, violation, data_cache) for violation in violations]
    data = _target_data(target, data_cache)
    if not rule._compiled.search(data, options=_OPTIONS):
        return []
    return [make_finding(rule, format_message(rule.message, data), _where(target, rule.at), target.id, target.format,
                         rule.at or "")]


def _violation_finding(rule: Rule, target: Any, violation: Violation | str, data_cache: dict[int, Any]) -> Finding:
    if isinstance(violation, str):  # a bare message is accepted: it is what most first rules yield
        violation = Violation(violation)
    where = violation.location or _where(target, violation.at)
    message = violation.message
    if message is None:
        data = _target_data(target, data_cache)
        message = format_message(rule.message, {**data, **entity_data(dict(violation.fields))})
    return make_finding(rule, message, where, target.id, target.format, violation.fingerprint_path,
                        violation.severity, violation)


def problem_findings(tpl: Template) -> Iterable[Finding]:
    for problem in tpl.problems:
        name, _, _ = PROBLEM_RULES.get(problem.rule_id, ("problem", "error", ""))
        yield Finding(
            rule_id=problem.rule_id, rule_name=name, severity=problem.severity, category="error",
            message=problem.message, location=problem.location, resource="", format=tpl.format,
            logical_path=problem.message,
        )


def evaluate(templates: Iterable[Template], rules: list[Rule]) -> list[Finding]:
    """Every finding, once: a module called from several places is one set of lines to fix."""
    return unique_findings(f for tpl in templates for f in evaluate_template(tpl, rules))


def unique_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The first of each finding reported more than once (by rule, place and logical path), in order."""
    seen: set[tuple[str, str, int, int, str]] = set()
    unique = []
    for f in findings:
        key = (f.rule_id, f.location.file, f.location.line, f.location.column, f.logical_path)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _span(loc: Location) -> tuple[tuple[int, int], tuple[int, int]]:
    return (loc.line, loc.column), (loc.end_line or loc.line, loc.end_column or loc.column)


def _inside(inner: Location, outer: Location) -> bool:
    """Whether ``inner``'s node lies within ``outer``'s (the same node counts)."""
    if os.path.normpath(inner.file) != os.path.normpath(outer.file):
        return False
    (start, end), (outer_start, outer_end) = _span(inner), _span(outer)
    return outer_start <= start and (end <= outer_end or start == outer_start)


def drop_subsumed(findings: list[Finding], rules: list[Rule]) -> list[Finding]:
    """One finding per root cause: a rule's ``subsumes`` ids lose their findings inside one of its own.

    IAM001 on a statement that allows ``*`` says all that IAM002 (write actions on ``*``), IAM005
    (``iam:PassRole`` on ``*``) and IAM007 (every secret readable) would say about that statement.
    Only findings on the same resource count, so another policy's finding is never hidden.
    """
    subsumers = {r.id: set(r.subsumes) for r in rules if r.subsumes}
    if not subsumers:
        return findings
    covering: dict[str, list[Finding]] = {}
    for f in findings:
        for subsumed in subsumers.get(f.rule_id, ()):
            covering.setdefault(subsumed, []).append(f)
    return [f for f in findings
            if not any(c.resource == f.resource and _inside(f.location, c.location)
                       for c in covering.get(f.rule_id, ()))]


def evaluate_template(tpl: Template, rules: list[Rule]) -> list[Finding]:
    """One template's findings, its own problems first (not yet deduplicated across templates).

    Subsumption is settled here: a subsuming finding and the ones it stands for are on one resource,
    hence in one template, whichever worker evaluates it.
    """
    findings: list[Finding] = list(problem_findings(tpl))
    cache: dict[int, Any] = {}
    # The entities of each kind, in order, found once: every rule targets one kind.
    by_kind: dict[str, list[Entity]] = {}
    for entity in tpl.entities:
        by_kind.setdefault(entity.kind, []).append(entity)
    for rule in rules:
        try:
            findings.extend(evaluate_rule(rule, tpl, cache, by_kind))
        except Exception as exc:  # one broken rule must not hide every other finding
            findings.append(rule_failure(rule, exc, Location(tpl.path, 1, 1), tpl.format, ""))
    return drop_subsumed(findings, rules)
