"""Terraform values as the evaluator and the built-in functions share them: located, maybe unknown.

Strings are ``LStr``, objects ``LMap`` and tuples ``LSeq``, each pointing at
the node that wrote them; ``Failed`` marks what Terraform itself would reject.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iac_lint.model import LMap, Location, LSeq, LStr, Unknown, loc_of
from iac_lint.parsers.terraform.syntax import JsonProblem, decode_json_located

MAX_ITEMS = 10_000  # for-expressions, range() and function results bigger than this stay unknown
MAX_STRING = 1024 * 1024  # longer strings built by templates or functions stay unknown


@dataclass(slots=True, unsafe_hash=True)  # as Unknown
class Failed(Unknown):
    """An expression Terraform would reject (a missing attribute, a function on the wrong type).

    Still an ``Unknown`` for every rule; only ``try()`` and ``can()`` tell it
    apart: they fall back on an error but not on a value that is merely not
    known statically (``try(each.value.principal, "x")`` is unknown, not "x").
    """


def is_unknown_deep(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is or holds an ``Unknown`` (containers deeper than 32 levels are not opened)."""
    if isinstance(value, Unknown):
        return True
    if depth > 32 or not isinstance(value, (dict, list)):
        return False
    # A loop, not recursion: large maps of locals and variables are asked about again and again.
    stack = [(value, depth)]
    while stack:
        current, level = stack.pop()
        for item in current.values() if isinstance(current, dict) else current:
            if isinstance(item, Unknown):
                return True
            if level < 32 and isinstance(item, (dict, list)) and item:
                stack.append((item, level + 1))
    return False


def loc_or(value: Any, loc: Location) -> Location:
    return loc_of(value) or loc


def locate(value: Any, loc: Location) -> Any:
    """A plain Python value as located values (for function results and tfvars)."""
    if isinstance(value, (LMap, LSeq, LStr)):
        return value
    if isinstance(value, str):
        return LStr(value, loc)
    if isinstance(value, dict):
        out = LMap(loc=loc)
        for k, v in value.items():
            out[LStr(str(k), loc)] = locate(v, loc)
            out.key_locs[k] = loc
            out.value_locs[k] = loc_or(out[k], loc)
        return out
    if isinstance(value, (list, tuple, set)):
        seq = LSeq([locate(v, loc) for v in value], loc=loc)
        seq.item_locs = [loc_or(v, loc) for v in seq]
        return seq
    return value


class FileText(LStr):
    """The text of a file read by ``file()``/``templatefile()``: a string that knows its file."""

    path: str
    rendered: bool

    def __new__(cls, value: str, loc: Location | None, path: str, rendered: bool = True) -> FileText:
        obj = super().__new__(cls, value, loc)
        obj.path = path
        obj.rendered = rendered
        return obj

    def __getnewargs__(self) -> tuple[str, Location | None, str, bool]:  # type: ignore[override]
        # Pickled when a worker process sends a whole model back (iac_lint/lint_units.py).
        return str(self), self.loc, self.path, self.rendered


def decode_file_json(text: FileText) -> Any:
    """JSON from a file, located in that file when its text was not rewritten by templating."""
    if text.rendered:
        try:
            return decode_json_located(str(text), text.path)
        except JsonProblem:
            return None
    return None
