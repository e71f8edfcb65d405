"""Text from the scanned repository made safe to print on a terminal or a CI log.

A pull request chooses file names, logical ids and the values that end up in
messages.  A newline in one of them would start a line of its own in a CI log,
where ``::stop-commands::`` or ``::error::`` is a workflow command, and an
escape sequence would repaint the reader's terminal.  Control characters are
therefore shown as escapes (``\\n``, ``\\x1b``), never written.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from iac_lint.model import Finding

# C0 and C1 controls (tab excepted), DEL, the Unicode line and paragraph separators, and the bidirectional
# overrides that reorder what a reviewer sees.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as an escape; unchanged when there is none."""
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


def printable_finding(f: Finding) -> Finding:
    """The finding with every field that repository text reaches made printable."""
    fields = {"message": f.message, "resource": f.resource, "rule_id": f.rule_id, "rule_name": f.rule_name,
              "suppression_reason": f.suppression_reason or ""}
    changed: dict[str, Any] = {k: printable(v) for k, v in fields.items() if v and printable(v) != v}
    file = printable(f.location.file)
    if file != f.location.file:
        changed["location"] = dataclasses.replace(f.location, file=file)
    return dataclasses.replace(f, **changed) if changed else f
