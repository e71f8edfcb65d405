"""An opt-in pass of cfn-lint over the CloudFormation and SAM templates of a scan.

``iac-lint scan --cfn-lint`` (or ``cfn_lint: true`` in the configuration)
runs cfn-lint's Python API (``cfnlint.api.lint``) on every CloudFormation and
SAM file the scan found, and turns each of its matches into an ordinary
finding, so they join the same report, suppressions, baselines and SARIF:

- id ``CFN-`` + cfn-lint's rule id (``CFN-E3012``), name from the rule's
  short description, category ``template-validity``;
- severity: cfn-lint errors are ``medium`` (the stack will not deploy as
  written, or deploys something else), warnings ``low``, informational
  ``info``.  None is ``high``: a template that does not deploy is a broken
  build, not a security weakness;
- located at cfn-lint's line and column, attributed to the resource its path
  names (so a comment above the resource suppresses it, as for any rule).

cfn-lint is an extra (``pip install 'iac-lint[cfn-lint]'``): it brings sympy
and networkx, about 140 MB, and costs over a second to import, so it is
imported only when the pass is asked for.

Every built-in cfn-lint rule runs, and only those: rules a ``.cfnlintrc``
names (``append_rules``, ``custom_rules``) are code or data from the scanned
repository and are never loaded, and its rule selection is not used either;
iac-lint's ``--select``/``--ignore``, ``severity`` and suppressions choose.
cfn-lint's per-resource ``Metadata: cfn-lint: config: ignore_checks`` still
applies, as cfn-lint itself applies it.  The language
server does not run this pass (``lint_text``): an editor would pay cfn-lint's
import on every start.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from iac_lint.engine.rules import Rule
from iac_lint.model import Finding, Location, Template
from iac_lint.model.rule_ids import TEMPLATE_VALIDITY

PREFIX = "CFN-"
CATEGORY = TEMPLATE_VALIDITY
SEVERITY = {"error": "medium", "warning": "low", "informational": "info"}
# cfn-lint's rule catalogue, for rules whose own source_url is missing.
RULES_DOC = "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md"
INSTALL_HINT = "pip install 'iac-lint[cfn-lint]'"
FORMATS = ("cloudformation", "sam")


class CfnLintMissing(Exception):
    """``--cfn-lint`` was asked for but cfn-lint is not installed."""

    def __init__(self) -> None:
        super().__init__(f"--cfn-lint needs cfn-lint, which is not installed: {INSTALL_HINT}")


def require_cfn_lint() -> None:
    """Fail before any file is read when the extra is missing."""
    try:
        import cfnlint.api  # noqa: F401
    except ImportError:
        raise CfnLintMissing() from None


def cfn_lint_findings(templates: Iterable[Template]) -> tuple[list[Finding], list[Rule]]:
    """cfn-lint's matches on the CloudFormation/SAM templates, as findings, and a rule for each id that matched.

    A template iac-lint could not parse (it already has an ``E001``) is not passed to cfn-lint again.
    """
    require_cfn_lint()
    from cfnlint.api import lint
    from cfnlint.core import get_rules

    builtin_rules = get_rules([], [], [])  # cfn-lint's own rules only, nothing appended
    findings: list[Finding] = []
    rules: dict[str, Rule] = {}
    for tpl in templates:
        if tpl.format not in FORMATS or any(p.rule_id == "E001" for p in tpl.problems) or not os.path.isfile(tpl.path):
            continue
        try:
            with open(tpl.path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        for match in lint(text, rules=builtin_rules):  # regions: cfn-lint's default, or the template's Metadata
            rule = _rule(match.rule)
            rules.setdefault(rule.id, rule)
            findings.append(_finding(match, rule, tpl))
    return findings, list(rules.values())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "cfn-lint"


def _rule(cfn_rule: Any) -> Rule:
    """The descriptor of a cfn-lint rule, in the shape every report reads."""
    source_url = str(getattr(cfn_rule, "source_url", "") or "")
    references = [u for u in (source_url, RULES_DOC) if u.startswith(("https://", "http://"))]
    title = str(cfn_rule.shortdesc or cfn_rule.id)
    return Rule(
        id=PREFIX + cfn_rule.id, name=_slug(title), severity=SEVERITY.get(cfn_rule.severity, "low"),
        category=CATEGORY, title=title, applies_to="template", message="{message}",
        docs={"what": f"cfn-lint rule {cfn_rule.id}: {cfn_rule.description or title}", "references": references},
    )


def _finding(match: Any, rule: Rule, tpl: Template) -> Finding:
    from iac_lint.engine.evaluate import fingerprint

    path = [str(part) for part in (getattr(match, "path", None) or [])]
    resource = path[1] if len(path) > 1 and path[0] == "Resources" else ""
    line, column = max(int(match.linenumber or 1), 1), max(int(match.columnnumber or 1), 1)
    end_line = max(int(match.linenumberend or line), line)
    end_column = int(match.columnnumberend or 0) or None
    where = Location(tpl.path, line, column, end_line, end_column)
    # The path inside the template, not the line: the fingerprint survives edits elsewhere in the file.
    logical = "/".join(path) + "|" + str(match.message) if path else str(match.message)
    return Finding(
        rule_id=rule.id, rule_name=rule.name, severity=rule.severity, category=CATEGORY,
        message=str(match.message), location=where, resource=resource, format=tpl.format,
        fingerprint=fingerprint(rule.id, tpl.path, resource, logical), logical_path=logical,
    )
