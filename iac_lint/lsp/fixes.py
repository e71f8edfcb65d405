"""Mechanical fixes: the ``fixes`` a rule declares, turned into edits of one buffer.

A rule that knows how to repair what it flags says so in its metadata, as
data, beside its documentation::

    "fixes": [
        {
            "title": "Turn {Key} on",                     # {key}, {Key}, {resource} are filled in
            "paths": ["public_access_block.*"],           # globs over the finding's logical path
            "edits": [                                    # the first one that applies is offered
                {"op": "value", "from": ["false"], "text": "true"},
                {"op": "child", "syntax": "yaml", "text": "{Key}: true"},
                {"op": "child", "syntax": "hcl", "text": "{key} = true"},
            ],
        },
    ]

Each edit may name the raw resource ``types`` it is for, the ``syntax``
(``yaml``, ``hcl``, ``json``) and text that must be ``absent`` from the
resource (so a fix never writes a second block).  Operations:

- ``value``: replace the flagged scalar when it reads as one of ``from``;
- ``child``: add ``text`` under the flagged YAML key, or inside the flagged HCL block;
- ``properties``: add ``text`` to the resource's ``Properties`` (created when missing;
  a Serverless Framework function takes it directly);
- ``block``: add ``text`` inside the resource's HCL block;
- ``after``: add ``text`` (a new block) after the resource's HCL block. ``{name}`` and
  ``{address}`` are the Terraform resource's name and address; a counted or
  ``for_each`` resource is left alone.

``text`` is LSP snippet syntax: ``${1:100}`` is a placeholder the user tabs
through (its default is inserted where the editor has no snippets).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from iac_lint.lsp import edits
from iac_lint.model import Finding

OPS = ("value", "child", "properties", "block", "after")


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edit: edits.Edit


@dataclass(frozen=True, slots=True)
class Target:
    """What a fix needs to know of the flagged spot: the buffer, its syntax and the resource."""

    lines: list[str]
    syntax: str
    finding: Finding
    header: int | None  # 0-based line of the resource's header
    resource_type: str | None


def _words(finding: Finding) -> dict[str, str]:
    key = finding.logical_path.rsplit(".", 1)[-1]
    address = finding.resource
    return {
        "{key}": key,
        "{Key}": "".join(part[:1].upper() + part[1:] for part in key.split("_")),
        "{resource}": finding.resource,
        "{address}": address,
        "{name}": address.split(".", 1)[1] if "." in address else address,
    }


def _fill(template: str, words: dict[str, str]) -> str:
    for word, value in words.items():
        template = template.replace(word, value)
    return template


def _flagged_text(target: Target) -> str:
    loc = target.finding.location
    if loc.end_line not in (None, loc.line) or loc.line > len(target.lines):
        return ""
    text = target.lines[loc.line - 1]
    return text[loc.column - 1: (loc.end_column or len(text) + 1) - 1]


def _resource_text(target: Target) -> str:
    if target.header is None:
        return ""
    if target.syntax == "hcl":
        return edits.hcl_block_text(target.lines, target.header)
    return edits.yaml_node_text(target.lines, target.header)


def _edit(spec: dict[str, Any], target: Target, words: dict[str, str]) -> edits.Edit | None:
    op = spec.get("op")
    text = _fill(str(spec.get("text", "")), words)
    line = target.finding.location.line - 1
    if op == "value":
        flagged = _flagged_text(target)
        if flagged.strip("\"'").lower() not in {str(v).lower() for v in spec.get("from", [])}:
            return None
        loc = target.finding.location
        return edits.Edit((line, loc.column - 1), (line, loc.column - 1 + len(flagged)), text)
    if op == "child":
        if target.syntax == "yaml":
            return edits.yaml_add_child(target.lines, line, text)
        if target.syntax == "hcl" and target.lines[line].rstrip().endswith("{"):
            return edits.hcl_add_in_block(target.lines, line, text)
        return None
    if target.header is None:
        return None
    if op == "properties" and target.syntax == "yaml":
        return edits.yaml_add_property(target.lines, target.header, text)
    if op == "block" and target.syntax == "hcl":
        return edits.hcl_add_in_block(target.lines, target.header, text)
    if op == "after" and target.syntax == "hcl" and "[" not in target.finding.resource:
        return edits.hcl_add_after_block(target.lines, target.header, text)
    return None


def _applies(spec: dict[str, Any], target: Target) -> bool:
    types = spec.get("types")
    if types and target.resource_type not in types:
        return False
    if spec.get("syntax") and spec["syntax"] != target.syntax:
        return False
    absent = spec.get("absent")
    return not (absent and absent in _resource_text(target))


def fixes_for(declared: list[dict[str, Any]], target: Target) -> list[Fix]:
    """The declared fixes that apply to this finding in this buffer, as edits."""
    out: list[Fix] = []
    words = _words(target.finding)
    for fix in declared:
        paths = fix.get("paths") or ["*"]
        if not any(fnmatch.fnmatchcase(target.finding.logical_path, p) for p in paths):
            continue
        for spec in fix.get("edits") or []:
            if spec.get("op") not in OPS or not _applies(spec, target):
                continue
            edit = _edit(spec, target, words)
            if edit is not None:
                out.append(Fix(_fill(str(fix.get("title", "Fix")), words), edit))
                break
    return out
