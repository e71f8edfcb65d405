"""Terraform's pure built-in functions, as far as a static reading can run them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from iac_lint.model import LMap, Location, Unknown, loc_of
from iac_lint.parsers.terraform.syntax import JsonProblem, decode_json_located
from iac_lint.parsers.terraform.values import MAX_ITEMS, MAX_STRING, FileText, decode_file_json, locate


def collection_pairs(collection: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(collection, dict):
        yield from collection.items()
    elif isinstance(collection, list):
        for i, v in enumerate(collection):
            yield (v if isinstance(v, str) else i), v
    elif collection is not None:
        raise TypeError("not a collection")


def to_string(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def to_number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return int(text) if text.lstrip("-").isdigit() else float(text)


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise TypeError("not a bool")


def plain_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _flatten(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _merge(*maps: Any) -> dict:
    out = LMap()
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise TypeError("merge of a non-map")
        for k, v in m.items():
            out.put(k, v, m)
    return out


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, dict) and key in m:
        return m[key]
    if default:
        return default[0]
    raise KeyError(key)


def _coalesce(*values: Any) -> Any:
    for v in values:
        if isinstance(v, Unknown):
            raise ValueError("unknown")
        if v is not None and v != "":
            return v
    raise ValueError("no value")


def _format(spec: Any, *args: Any) -> str:
    import re
    values = iter(args)

    def one(match: Any) -> str:
        if match.group(0) == "%%":
            return "%"
        value = next(values)
        text = to_string(value)
        return json.dumps(plain_value(value)) if match.group(1) == "q" or text is None else text
    return re.sub(r"%%|%[-+ #0]*\d*(?:\.\d+)?([a-zA-Z])", one, str(spec))


def _jsondecode(text: Any) -> Any:
    loc = loc_of(text)
    if isinstance(text, FileText):
        decoded = decode_file_json(text)
        if decoded is not None:
            return decoded
    try:
        return decode_json_located(str(text), loc.file, loc.line) if loc and "\n" not in str(text) else \
            locate(json.loads(str(text)), loc or Location("", 1, 1))
    except (JsonProblem, ValueError):
        return locate(json.loads(str(text)), loc or Location("", 1, 1))


class TooBig(Exception):
    """A result we do not compute: over MAX_STRING (computing it could exhaust memory), or a regex."""


def _replace(s: Any, old: Any, new: Any) -> str:
    s, old, new = str(s), str(old), str(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        raise TooBig  # RE2 syntax: an untrusted pattern is not run through Python's backtracking engine
    if old and len(s) + s.count(old) * (len(new) - len(old)) > MAX_STRING:
        raise TooBig
    return s.replace(old, new)


def _join(sep: Any, items: Any) -> str:
    # Measured before converting: str() of each located string is a copy.
    if sum(len(i) if isinstance(i, str) else 24 for i in items) + len(str(sep)) * len(items) > MAX_STRING:
        raise TooBig
    return str(sep).join(to_string(i) or "" for i in items)


def _one(items: Any) -> Any:
    if len(items) > 1:
        raise ValueError("one() of several elements")
    return items[0] if items else None


def _range(*args: Any) -> list[int]:
    values = [int(to_number(a)) for a in args]
    result = range(*values)
    if len(result) > MAX_ITEMS:
        raise ValueError("range too large")
    return list(result)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "upper": lambda s: str(s).upper(), "lower": lambda s: str(s).lower(), "title": lambda s: str(s).title(),
    "trimspace": lambda s: str(s).strip(), "trim": lambda s, c: str(s).strip(str(c)),
    "trimprefix": lambda s, p: str(s)[len(p):] if str(s).startswith(p) else str(s),
    "trimsuffix": lambda s, p: str(s)[:-len(p)] if p and str(s).endswith(p) else str(s),
    "replace": _replace, "split": lambda sep, s: str(s).split(str(sep)), "join": _join,
    "format": _format, "substr": lambda s, o, n: str(s)[int(o):int(o) + int(n)] if int(n) >= 0 else str(s)[int(o):],
    "concat": lambda *lists: [i for lst in lists for i in lst], "flatten": _flatten,
    "distinct": lambda items: list(dict.fromkeys(items)) if all(isinstance(i, (str, int)) for i in items) else items,
    "compact": lambda items: [i for i in items if i not in (None, "")],
    "length": lambda v: len(v), "keys": lambda m: sorted(m), "values": lambda m: [m[k] for k in sorted(m)],
    "lookup": _lookup, "merge": _merge, "element": lambda items, i: items[int(i) % len(items)],
    "contains": lambda items, v: v in items, "coalesce": _coalesce,
    "coalescelist": lambda *lists: next(lst for lst in lists if lst),
    "tolist": lambda v: list(v), "toset": lambda v: list(dict.fromkeys(v)) if all(
        isinstance(i, (str, int, float)) for i in v) else list(v),
    "tomap": lambda v: v, "tostring": lambda v: to_string(v), "tonumber": to_number,
    "tobool": to_bool, "jsondecode": _jsondecode, "min": lambda *v: min(v), "max": lambda *v: max(v),
    "abs": abs, "range": _range, "zipmap": lambda ks, vs: dict(zip(ks, vs, strict=False)),
    "one": lambda items: _one(items),
    "startswith": lambda s, p: str(s).startswith(str(p)), "endswith": lambda s, p: str(s).endswith(str(p)),
    "sort": lambda items: sorted(items), "reverse": lambda items: list(reversed(items)),
    "slice": lambda items, a, b: items[int(a):int(b)],
}
# Functions whose result is meaningful even when part of an argument is unknown.
UNKNOWN_TOLERANT = frozenset({"merge", "concat", "tolist", "toset", "tomap", "flatten", "compact", "lookup",
                               "element", "length"})
