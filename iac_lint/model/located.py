"""Values that remember where they were written.

Parsers build these instead of plain dicts, lists and strings, so that every
node a rule may point at keeps its file, line and column.  Numbers, booleans
and null cannot be subclassed usefully, so their positions live in the
parent container (``value_locs`` / ``item_locs``).
"""

from __future__ import annotations

from typing import Any, Self

from iac_lint.model.core import Location


class LMap(dict[Any, Any]):
    """A mapping with the location of itself, of each key and of each value."""

    __slots__ = ("key_locs", "loc", "value_locs")

    def __init__(self, *args: Any, loc: Location | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loc = loc
        self.key_locs: dict[Any, Location] = {}
        self.value_locs: dict[Any, Location] = {}


    def put(self, key: Any, value: Any, source: Any = None) -> None:
        """Set ``key``, keeping where it was written in ``source`` (an ``LMap``) when given."""
        self[key] = value
        if isinstance(source, LMap):
            if key in source.key_locs:
                self.key_locs[key] = source.key_locs[key]
            if key in source.value_locs:
                self.value_locs[key] = source.value_locs[key]


class LSeq(list[Any]):
    """A list with the location of itself and of each item."""

    __slots__ = ("item_locs", "loc")

    def __init__(self, *args: Any, loc: Location | None = None) -> None:
        super().__init__(*args)
        self.loc = loc
        self.item_locs: list[Location | None] = []


class LStr(str):
    """A string with its location (``str`` subclasses cannot use slots).

    ``raw``, when the parser keeps it, is the string as written in the file from ``loc`` on (quotes,
    block indicators, indentation and escapes included), so that a part of a long value (a line of
    inline code) can be located exactly: see ``locate_within``.
    """

    loc: Location | None
    raw: str | None = None

    def __new__(cls, value: str, loc: Location | None = None) -> Self:
        obj = super().__new__(cls, value)
        obj.loc = loc
        return obj


def locate_within(value: Any, needle: str, occurrence: int = 0) -> Location | None:
    """The exact span of the ``occurrence``-th ``needle`` (one line of ``value``) as written in the file.

    None when the parser kept no ``raw`` text for ``value`` or the needle is not written literally there
    (an escape inside it).
    """
    raw, loc = getattr(value, "raw", None), loc_of(value)
    if not isinstance(raw, str) or loc is None or not needle or "\n" in needle:
        return None
    index = -1
    for _ in range(occurrence + 1):
        index = raw.find(needle, index + 1)
        if index < 0:
            return None
    before = raw[:index]
    line = loc.line + before.count("\n")
    column = loc.column + index if "\n" not in before else index - before.rfind("\n")
    return Location(loc.file, line, column, line, column + len(needle))


def loc_of(value: Any) -> Location | None:
    """The location a value carries, if any."""
    return getattr(value, "loc", None)


def value_loc(container: Any, key: Any) -> Location | None:
    """Where the value under ``key`` (or at index ``key``) was written."""
    if isinstance(container, LMap):
        return container.value_locs.get(key) or loc_of(container.get(key)) or container.loc
    if isinstance(container, LSeq):
        if isinstance(key, int) and 0 <= key < len(container.item_locs):
            return container.item_locs[key] or container.loc
        return container.loc
    return loc_of(container)


def key_loc(container: Any, key: Any) -> Location | None:
    """Where the key itself was written (falls back to the container)."""
    if isinstance(container, LMap):
        return container.key_locs.get(key) or container.loc
    return loc_of(container)


def get_path(node: Any, *path: Any) -> Any:
    """The value at ``path`` in nested mappings, or None when any part is missing."""
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def path_loc(node: Any, *path: Any) -> Location | None:
    """Where the value at ``path`` was written, or None when any part is missing."""
    where = None
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        where = value_loc(node, key)
        node = node[key]
    return where


def locate_plain(value: Any, loc: Location | None, string: Any = None) -> Any:
    """A plain JSON value (decoded from one string or file) as located values, all at ``loc``.

    ``string``, when given, builds each string leaf instead of ``LStr``.
    """
    if isinstance(value, dict):
        out = LMap(loc=loc)
        for k, v in value.items():
            key = str(k)
            out[key] = locate_plain(v, loc, string)
            if loc is not None:
                out.key_locs[key] = out.value_locs[key] = loc
        return out
    if isinstance(value, list):
        seq = LSeq([locate_plain(v, loc, string) for v in value], loc=loc)
        seq.item_locs = [loc] * len(seq)
        return seq
    if isinstance(value, str):
        return string(value) if string is not None else LStr(value, loc)
    return value


def plain(value: Any) -> Any:
    """A copy of a located tree as ordinary dicts, lists and strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, LStr):
        return str(value)
    return value
