"""Fix replacements written as text edits, in the syntax of the file around each node.

A rule says *what* replaces a node (``sqs:ReceiveMessage``, the ARN of queue
``Orders``); how that is written depends on where the node sits: a YAML block
list item, a flow list, a scalar after a key; a JSON or HCL list or value; a
reference as ``!GetAtt Orders.Arn``, ``{"Fn::GetAtt": ["Orders", "Arn"]}`` or
``aws_sqs_queue.orders.arn``.  A node whose surroundings are not one of those
gets no edit (the fix keeps its description): an edit that breaks the file is
worse than none.
"""

from __future__ import annotations

import dataclasses
import json
import re

from iac_lint.model import Edit, Finding, Fix, Reference, Replacement, Template

_PLAIN_YAML = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:_./-]*$")
# What CloudFormation calls each part of an entity's ARN: (GetAtt attribute, suffix).
# A CloudFormation log group's Arn already ends in ":*" (its streams); Terraform's does not.
_CFN_ARN = {"arn": ("Arn", ""), "objects": ("Arn", "/*"), "indexes": ("Arn", "/index/*"), "stream": ("StreamArn", ""),
            "streams": ("Arn", "")}
_TF_ARN = {"arn": ("arn", ""), "objects": ("arn", "/*"), "indexes": ("arn", "/index/*"), "stream": ("stream_arn", ""),
           "streams": ("arn", ":*")}
# A function's own log group, by its name.
_CFN_LOG_GROUP = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${%s}:*"
_TF_LOG_GROUP = "arn:aws:logs:*:*:log-group:/aws/lambda/${%s.function_name}:*"


def _syntax(file: str) -> str:
    lower = file.lower()
    return "hcl" if lower.endswith(".tf") else "json" if lower.endswith(".json") else "yaml"


def _reference(ref: Reference, syntax: str, in_json_string: bool) -> str | None:
    if ref.format == "terraform":
        if "[" in ref.entity_id or ref.entity_id.startswith("module."):
            return None  # an instance of count/for_each or a module's resource: not addressable from here
        if ref.part == "log-group":
            return json.dumps(_TF_LOG_GROUP % ref.entity_id)
        attribute, suffix = _TF_ARN[ref.part]
        expression = f"{ref.entity_id}.{attribute}"
        return f'"${{{expression}}}{suffix}"' if suffix or in_json_string else expression
    if ref.part == "log-group":
        text = _CFN_LOG_GROUP % ref.entity_id
        return json.dumps({"Fn::Sub": text}) if syntax == "json" else f"!Sub '{text}'"
    attribute, suffix = _CFN_ARN[ref.part]
    if ref.entity_kind == "topic" and ref.part == "arn":  # a topic's Ref is its ARN; it has no Arn attribute
        return json.dumps({"Ref": ref.entity_id}) if syntax == "json" else f"!Ref {ref.entity_id}"
    if syntax == "json":
        value = {"Fn::Sub": f"${{{ref.entity_id}.{attribute}}}{suffix}"} if suffix else \
            {"Fn::GetAtt": [ref.entity_id, attribute]}
        return json.dumps(value)
    if suffix:
        return f"!Sub '${{{ref.entity_id}.{attribute}}}{suffix}'"
    return f"!GetAtt {ref.entity_id}.{attribute}"


def _literal(value: str, syntax: str) -> str:
    if syntax == "yaml":
        return value if _PLAIN_YAML.match(value) else "'" + value.replace("'", "''") + "'"
    return json.dumps(value)


def edit_for(replacement: Replacement, lines: list[str]) -> Edit | None:
    """The text edit for one replacement, or None when its surroundings are not clear enough to write one."""
    loc = replacement.location
    if loc.end_line not in (None, loc.line) or not loc.end_column or not 0 < loc.line <= len(lines):
        return None
    line = lines[loc.line - 1]
    prefix = line[:loc.column - 1]
    syntax = _syntax(loc.file)
    # JSON written inside a Terraform string (a heredoc policy): references become interpolations.
    in_json_string = syntax == "hcl" and re.search(r'"\s*:\s*\[?\s*$', prefix) is not None
    texts = []
    for value in replacement.values:
        text = _reference(value, syntax, in_json_string) if isinstance(value, Reference) else \
            _literal(value, "json" if in_json_string else syntax)
        if text is None:
            return None
        texts.append(text)
    stripped = prefix.rstrip()
    if not stripped and syntax in ("json", "hcl"):
        # An item on a line of its own: inside a list when the line before opens it or ends an item.
        before = next((text.rstrip() for text in reversed(lines[:loc.line - 1]) if text.strip()), "")
        stripped = before[-1:] if before.endswith(("[", ",")) else ""
    if syntax == "yaml" and prefix.strip() == "-":
        indent = prefix[:prefix.index("-")]
        text = f"\n{indent}- ".join(texts)
    elif stripped.endswith(("[", ",")):
        text = ", ".join(texts)
    elif (syntax == "yaml" and stripped.endswith(":")) or (syntax in ("json", "hcl") and stripped.endswith((":", "="))):
        text = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    else:
        return None
    return Edit(loc, text)


def with_fix_edits(findings: list[Finding], templates: list[Template]) -> list[Finding]:
    """Findings whose fixes state replacements, with those written as edits (all of them, or none)."""
    sources: dict[str, list[str]] = {}
    for tpl in templates:
        sources.update(tpl.sources)
    out = []
    for finding in findings:
        fix = finding.fix
        if fix is not None and fix.replacements and not fix.edits:
            edits = [edit_for(r, sources.get(r.location.file, [])) for r in fix.replacements]
            if all(e is not None for e in edits):
                fix = Fix(fix.description, tuple(e for e in edits if e is not None), fix.replacements)
                finding = dataclasses.replace(finding, fix=fix)
        out.append(finding)
    return out
