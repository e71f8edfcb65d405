"""Strict checks of a user's rule, before any scan: every problem at its file:line, with a hint.

Two layers.  The published JSON Schema (``schemas/rule.schema.json``, the one
editors use for completion) checks the shape: known keys, types, the id and
name patterns, severities.  Then what a schema cannot know: that
``applies_to`` names an entity kind (``lambda`` means ``function``), that
``when`` compiles and reads fields the kind has (``Timeout`` is
``timeout``), that ``{placeholders}`` in ``message`` and the ``at`` path name
fields of the kind.

A rule that passes here can still be wrong, but not silently: it names real
fields of a real kind.  The built-in rules are held to the same checks by the
test suite instead of at every start (``jsonschema`` costs start-up time).
"""

from __future__ import annotations

import difflib
import json
import os
import string
from collections.abc import Iterable, Mapping
from typing import Any

from iac_lint.model.entities import ENTITY_TYPES
from iac_lint.model.located import LMap, LSeq
from iac_lint.model.reference import (
    KIND_ALIASES,
    SERVERLESS_RAW_TYPES,
    is_raw_type,
    kind_fields,
    resolve_kind,
)

RAW_FIELDS = ("id", "type", "format", "properties")


def schemas_dir() -> str:
    """The published schemas: shipped inside the package, or the repository's ``schemas/`` in a checkout."""
    here = os.path.dirname(os.path.dirname(__file__))
    packaged = os.path.join(here, "schemas")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(here), "schemas")


def load_schema(name: str) -> dict[str, Any]:
    """``rule`` or ``config``: the JSON Schema of a rule file or of ``.iac-lint.yaml``."""
    with open(os.path.join(schemas_dir(), f"{name}.schema.json"), encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def _line_of(data: Any, path: Iterable[Any]) -> int | None:
    """The line of the node at ``path`` (keys and indexes) in located data; the nearest known parent's."""
    line = getattr(getattr(data, "loc", None), "line", None)
    node = data
    for part in path:
        if isinstance(node, LMap) and part in node:
            where = node.key_locs.get(part) or node.value_locs.get(part)
            line = where.line if where else line
            node = node[part]
        elif isinstance(node, LSeq) and isinstance(part, int) and part < len(node):
            where = node.item_locs[part] if part < len(node.item_locs) else None
            line = where.line if where else line
            node = node[part]
        else:
            break
    return line


def _key_line(data: Any, key: str) -> int | None:
    if isinstance(data, LMap):
        where = data.key_locs.get(key)
        if where:
            return where.line
    return getattr(getattr(data, "loc", None), "line", None)


def _close(word: str, choices: Iterable[str]) -> str:
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered:
        return f" (did you mean {lowered[word.lower()]!r}?)"
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _schema_problems(data: Any, python: bool) -> list[tuple[int | None, str]]:
    import jsonschema

    schema = load_schema("rule")
    if python:  # a Python rule's check() is its condition
        schema = {**schema, "required": [k for k in schema["required"] if k != "when"]}
        schema["properties"] = {k: v for k, v in schema["properties"].items() if k != "when"}
    # Draft 7: the draft every YAML language server supports, so editors check exactly what this does.
    validator = jsonschema.Draft7Validator(schema)
    out: list[tuple[int | None, str]] = []
    for error in sorted(validator.iter_errors(_plain(data)), key=lambda e: list(map(str, e.absolute_path))):
        path = list(error.absolute_path)
        where = ".".join(str(p) for p in path)
        if error.validator == "additionalProperties":
            container = _at(data, path)
            known = list(error.schema.get("properties", {}))
            for key in [k for k in (container or {}) if k not in known]:
                hint = _close(str(key), known)
                if python and key == "when":
                    hint = " (a Python rule decides in check(); `when` is for YAML rules)"
                dotted = ".".join([*map(str, path), str(key)])
                text = f"unknown key {dotted!r}{hint}; known keys: {', '.join(known)}"
                out.append((_key_line(container, key) or _line_of(data, path), text))
            continue
        if error.validator == "required":
            out.append((_line_of(data, path), f"{error.message}" + (f" in {where}" if where else "")))
            continue
        if path and path[0] == "applies_to":
            continue  # judged below, with a better hint than "is not valid under any of the given schemas"
        label = where or "rule"
        message = error.message
        if error.validator == "pattern" and path and path[0] == "id":
            message = f"{error.instance!r} is not a rule id: an uppercase prefix and digits, like ORG001"
        elif error.validator == "pattern" and path and path[0] == "name":
            message = f"{error.instance!r} is not a kebab-case name, like function-timeout-too-long"
        out.append((_line_of(data, path), f"{label}: {message}"))
    return out


def _at(data: Any, path: list[Any]) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _plain(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    if isinstance(data, str):
        return str(data)
    return data


def _fields_of(applies_to: str) -> tuple[str, ...] | None:
    if applies_to in ENTITY_TYPES:
        return tuple(kind_fields(applies_to))
    if is_raw_type(applies_to):
        return RAW_FIELDS
    return None


def _applies_to_problem(applies_to: Any) -> str | None:
    if not isinstance(applies_to, str) or not applies_to:
        return "applies_to must be an entity kind or a raw resource type"
    if applies_to in ENTITY_TYPES or applies_to == "resource" or is_raw_type(applies_to):
        return None
    kind = resolve_kind(applies_to)
    hint = f" (did you mean {kind!r}?)" if kind else _close(applies_to, [*ENTITY_TYPES, *SERVERLESS_RAW_TYPES])
    return (f"applies_to: {applies_to!r} is neither an entity kind nor a raw resource type{hint}; entity kinds: "
            f"{', '.join(ENTITY_TYPES)}; raw types look like AWS::S3::Bucket, aws_s3_bucket, serverless:function")


def _placeholder_problems(message: str, known: tuple[str, ...], extra_ok: bool) -> list[str]:
    out = []
    try:
        parsed = list(string.Formatter().parse(message))
    except ValueError as exc:
        return [f"message: {exc} (write {{{{ and }}}} for literal braces)"]
    for _, name, _, _ in parsed:
        if name is None:
            continue
        field = name.split(".")[0].split("[")[0]
        if not field:
            out.append("message: empty {} placeholder; name a field, like {id}")
        elif field not in known and not extra_ok:
            out.append(f"message: placeholder {{{field}}} is not a field of this kind{_close(field, known)}; "
                       f"fields: {', '.join(known)}")
    return out


def _jmespath_problems(expression: str, known: tuple[str, ...] | None) -> list[str]:
    import jmespath

    try:
        parsed = jmespath.compile(expression).parsed
    except jmespath.exceptions.JMESPathError as exc:
        hint = _jmespath_hint(expression)
        detail = " ".join(str(exc).split())
        return [f"when: not valid JMESPath: {detail}{hint}"]
    if known is None:
        return []
    out = []
    for name in sorted(set(_top_fields(parsed))):
        if name == "null":
            continue  # `x == null` reads a field named null, which is null: right by luck, and common
        if name in ("true", "false"):
            out.append(f"when: {name} without backticks is a field name in JMESPath, always null; "
                       f"write `{name}` (in backticks)")
        elif name not in known:
            out.append(f"when: {name!r} is not a field of this kind{_close(name, known)}; "
                       f"fields: {', '.join(known)} (see docs/model.md or `iac-lint explain`)")
    return out


def _jmespath_hint(expression: str) -> str:
    import re

    if re.search(r"(==|!=|<=|>=|<|>)\s*-?\d", expression):
        return "; numbers need backticks in JMESPath: timeout > `30`"
    if re.search(r'(==|!=)\s*"', expression):
        return "; string literals take single quotes in JMESPath: runtime == 'python3.8' (double quotes name a field)"
    if re.search(r"(==|!=)\s*(true|false|null)\b", expression):
        return "; true, false and null need backticks in JMESPath: external == `false`"
    if re.search(r"\b(and|or|not)\b", expression):
        return "; JMESPath writes and/or/not as &&, || and !"
    return ""


# Node types whose first child is evaluated against the entity and the rest against what it yields.
_RELATIVE_AFTER_FIRST = {"subexpression", "projection", "filter_projection", "index_expression", "pipe",
                         "value_projection", "flatten"}


def _top_fields(node: Any, top: bool = True) -> Iterable[str]:
    """Field names read directly off the entity (``timeout`` in ``timeout > `30```), not nested ones."""
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "field":
        if top:
            yield str(node.get("value"))
        return
    if kind == "literal":
        return
    children = node.get("children") or []
    for i, child in enumerate(children):
        relative = kind in _RELATIVE_AFTER_FIRST and i > 0
        yield from _top_fields(child, top and not relative)


def rule_problems(data: Any, python: bool = False) -> list[tuple[int | None, str]]:
    """Every problem of one rule (YAML data with locations, or a Python rule's ``RULE``), as (line, message)."""
    if not isinstance(data, Mapping):
        return [(None, "a rule file must be a mapping of keys (id, name, severity, ...)")]
    problems = _schema_problems(data, python)
    applies_to = data.get("applies_to")
    applies_problem = _applies_to_problem(applies_to) if "applies_to" in data else None
    if applies_problem:
        problems.append((_line_of(data, ["applies_to"]), applies_problem))
    known = _fields_of(applies_to) if isinstance(applies_to, str) else None
    message = data.get("message")
    if isinstance(message, str) and known is not None:
        # A Python rule may fill placeholders of its own through Violation(fields=...).
        for text in _placeholder_problems(message, known, extra_ok=python):
            problems.append((_line_of(data, ["message"]), text))
    when = data.get("when")
    if isinstance(when, str) and when.strip() and not python:
        for text in _jmespath_problems(when, known if applies_to in ENTITY_TYPES else None):
            problems.append((_line_of(data, ["when"]), text))
    at = data.get("at")
    if isinstance(at, str) and at and applies_to in ENTITY_TYPES and known is not None:
        head = at.split(".")[0]
        if head not in known:
            text = f"at: {head!r} is not a field of this kind{_close(head, known)}; fields: {', '.join(known)}"
            problems.append((_line_of(data, ["at"]), text))
    return sorted(problems, key=lambda p: (p[0] or 0))


def format_problems(path: str, problems: list[tuple[int | None, str]]) -> str:
    return "\n".join(f"{path}:{line}: {text}" if line else f"{path}: {text}" for line, text in problems)


__all__ = ["KIND_ALIASES", "format_problems", "load_schema", "rule_problems", "schemas_dir"]
