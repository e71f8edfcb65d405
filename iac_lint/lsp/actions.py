"""Code actions on iac-lint diagnostics: suppress here, suppress for the resource, and the rule's own fixes.

Suppressions are written the way ``iac_lint.engine.suppress`` reads them: a
``# iac-lint: ignore RULE -- reason`` comment above the flagged line or the
resource's header (YAML and HCL), or an entry in the resource's
``Metadata.iac-lint.ignore`` (CloudFormation JSON, which has no comments).
The reason is a snippet placeholder where the client takes snippet edits, and
a ``TODO: reason`` to replace where it does not.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from iac_lint.engine.rules import Rule
from iac_lint.lsp import edits
from iac_lint.lsp.fixes import Target, fixes_for
from iac_lint.model import Finding

# The reason placeholder: ``TODO: reason`` is also what a client without snippets inserts.
REASON = "${1:TODO: reason}"


@dataclass(frozen=True, slots=True)
class Action:
    title: str
    edit: edits.Edit
    preferred: bool = False
    # Further edits applied with ``edit`` in one action (a narrowed action list and its narrowed resource).
    more: tuple[edits.Edit, ...] = ()


def syntax_of(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".tf", ".hcl")):
        return "hcl"
    return "yaml"


def suppressible(finding: Finding) -> bool:
    # Parse errors and the suppressions' own findings are fixed, not silenced.
    return not re.fullmatch(r"[ES]\d{3}", finding.rule_id)


def derived_fix(finding: Finding, path: str) -> Action | None:
    """The fix a rule derived for this very finding (``Finding.fix``: the least-privilege grant), when all its
    edits are in this buffer."""
    fix = finding.fix
    here = os.path.normcase(os.path.abspath(path))
    if fix is None or not fix.edits or any(os.path.normcase(os.path.abspath(e.location.file)) != here
                                           for e in fix.edits):
        return None
    changes = []
    for change in fix.edits:
        loc = change.location
        end = ((loc.end_line or loc.line) - 1, (loc.end_column or loc.column) - 1)
        changes.append(edits.Edit((loc.line - 1, loc.column - 1), end, edits.escape_snippet(change.text)))
    return Action(fix.description, changes[0], preferred=True, more=tuple(changes[1:]))


def actions_for(finding: Finding, rule: Rule | None, text: str, lines: list[str], path: str,
                header: int | None, resource_type: str | None) -> list[Action]:
    """Every action for one finding of the buffer ``text`` (``header``: 0-based line of its resource)."""
    syntax = syntax_of(path)
    out: list[Action] = []
    derived = derived_fix(finding, path)
    if derived is not None:
        out.append(derived)
    if rule is not None:
        target = Target(lines, syntax, finding, header, resource_type)
        out += [Action(fix.title, fix.edit, preferred=True) for fix in fixes_for(rule.fixes, target)]
    if not suppressible(finding):
        return out
    rule_id = finding.rule_id
    line = finding.location.line - 1
    if syntax == "json":
        entry = f'{{"id": "{rule_id}", "reason": "{REASON}"}}'
        edit = edits.json_metadata_ignore(text, finding.resource, entry)
        if edit is not None:
            out.append(Action(f"Suppress {rule_id} for {finding.resource} (Metadata)", edit))
        return out
    comment = f"iac-lint: ignore {rule_id} -- {REASON}"
    if 0 <= line < len(lines) and edits.comment_allowed_above(lines, line, syntax):
        out.append(Action(f"Suppress {rule_id} on this line", edits.comment_above(lines, line, comment)))
    if header is not None and header != line and 0 <= header < len(lines) \
            and edits.comment_allowed_above(lines, header, syntax):
        out.append(Action(f"Suppress {rule_id} for {finding.resource}", edits.comment_above(lines, header, comment)))
    elif header == line and out:
        out[-1] = Action(f"Suppress {rule_id} for {finding.resource}", out[-1].edit)
    return out
