"""Evaluating rules on templates: entities in, findings out."""

from __future__ import annotations

import hashlib
import os
import string
from typing import Any, Iterable

import jmespath
from jmespath import functions as jp_functions

from iac_lint.model import Entity, Finding, Location, Resource, Template, entity_data, plain, value_loc
from iac_lint.engine.rules import Rule
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS, ERROR_CATEGORY

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

    ``repo_file`` is the file relative to the project root (``report.paths.repo_path``), so that one
    finding has one fingerprint whichever directory the scan ran from.  Findings are created without
    one; ``api.finish`` gives every finding its fingerprint, once, when the project root is known.
    """
    digest = hashlib.sha256(f"{rule_id}|{repo_file}|{resource}|{logical_path}".encode()).hexdigest()
    return digest[:32]


class _SafeFormat(dict):
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
                 logical_path: str) -> Finding:
    return Finding(
        rule_id=rule.id, rule_name=rule.name, severity=rule.severity, category=rule.category,
        message=message, location=location, resource=resource, format=fmt,
        logical_path=logical_path,
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


def evaluate_rule(rule: Rule, tpl: Template, data_cache: dict[int, Any]) -> Iterable[Finding]:
    if rule.formats and tpl.format not in rule.formats:
        return
    if rule.targets_entity:
        targets: list[Any] = [e for e in tpl.entities if e.kind == rule.applies_to]
    else:
        targets = [r for r in tpl.resources if r.type == rule.applies_to]
    for target in targets:
        if isinstance(target, Entity):
            resource_id, fmt = target.id, target.format
        else:
            resource_id, fmt = target.id, target.format
        if rule.check is not None:
            for violation in rule.check(target):
                where = violation.location or (target.loc if isinstance(target, Entity) else target.location)
                yield make_finding(rule, violation.message, where, resource_id, fmt, violation.path)
            continue
        key = id(target)
        data = data_cache.get(key)
        if data is None:
            if isinstance(target, Entity):
                data = entity_data(target)
            else:
                data = {"id": target.id, "type": target.type, "format": target.format,
                        "properties": plain(target.properties)}
            data_cache[key] = data
        if rule._compiled.search(data, options=_OPTIONS):
            if isinstance(target, Entity):
                where = target.where(rule.at) if rule.at else target.loc
            else:
                where = _raw_location(target, rule.at)
            yield make_finding(rule, format_message(rule.message, data), where, resource_id, fmt, rule.at or "")


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
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for f in findings:
        key = (f.rule_id, f.location.file, f.location.line, f.location.column, f.logical_path)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def evaluate_template(tpl: Template, rules: list[Rule]) -> list[Finding]:
    """One template's findings, its own problems first (not yet deduplicated across templates)."""
    findings: list[Finding] = list(problem_findings(tpl))
    cache: dict[int, Any] = {}
    for rule in rules:
        try:
            findings.extend(evaluate_rule(rule, tpl, cache))
        except Exception as exc:  # one broken rule must not hide every other finding
            where = Location(tpl.path if not os.path.isdir(tpl.path) else tpl.path, 1, 1)
            failed = BUILTIN_FINDINGS["E004"]
            findings.append(Finding(
                rule_id=failed.id, rule_name=failed.name, severity=failed.severity, category=failed.category,
                message=f"rule {rule.id} failed on this file: {type(exc).__name__}: {exc}",
                location=where, resource="", format=tpl.format,
                logical_path=rule.id))
    return findings
