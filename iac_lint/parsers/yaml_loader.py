"""A located, bounded YAML/JSON loader on PyYAML's C parser.

Why not cfn-lint's decoder: importing cfn-lint costs about 0.6 s (it pulls in
sympy and networkx), which every pre-commit run and editor start would pay.
libyaml composes the node graph with marks; we build located values from it,
turning CloudFormation short-form tags into their long forms, and we bound
the work so hostile input (alias bombs, deep nesting) fails fast with a
located error instead of hanging.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import yaml

from iac_lint.model.core import Location, set_loc
from iac_lint.model.located import LMap, LSeq, LStr, locate_plain

try:
    _BaseLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

# First characters of a plain scalar that some implicit type (int, float, bool, null, merge, ...) may match.
_IMPLICIT_STARTS = frozenset(key for key in _BaseLoader.yaml_implicit_resolvers if key)


class _Loader(_BaseLoader):
    """The safe loader, answering the common case of tag resolution without trying every pattern.

    libyaml asks Python for the tag of every node; most plain scalars of a template (``AWS::S3::Bucket``,
    ``Ref``, names) start with a letter no implicit type starts with, so they are strings at once.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            if implicit[0] and value and value[0] not in _IMPLICIT_STARTS:
                return self.DEFAULT_SCALAR_TAG
            return super().resolve(kind, value, implicit)
        if kind is yaml.MappingNode:
            return self.DEFAULT_MAPPING_TAG
        return self.DEFAULT_SEQUENCE_TAG

MAX_DEPTH = 256
MAX_NODES = 1_000_000
# Scalar text of the document once aliases are expanded (the file itself is at most 20 MiB).
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
# Strings at least this long keep their text as written (``LStr.raw``): a credential is never shorter.
RAW_MIN_LENGTH = 16

_STR = "tag:yaml.org,2002:str"
_SCALAR_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.SequenceNode
_QUOTED_STYLES = frozenset(('"', "'", "|", ">"))
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class LoadError(Exception):
    """A file that could not be read, with the line and column where it failed."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _intrinsic(tag: str, value: Any) -> tuple[str, Any]:
    """The long form of a CloudFormation short-form tag."""
    name = tag[1:]
    if name == "Ref":
        return "Ref", value
    if name == "Condition":
        return "Condition", value
    if name == "GetAtt" and isinstance(value, str):
        head, _, tail = value.partition(".")
        return "Fn::GetAtt", LSeq([LStr(head, getattr(value, "loc", None)), LStr(tail, getattr(value, "loc", None))],
                                  loc=getattr(value, "loc", None))
    return f"Fn::{name}", value


class _Builder:
    """Located values from libyaml's node graph; ``_build`` returns (value, location)."""

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.lines = text.split("\n")
        self.count = 0

    def build(self, node: yaml.Node) -> Any:
        return self._build(node, 0)[0]

    def _build(self, node: yaml.Node, depth: int) -> tuple[Any, Location]:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            problem = (f"document expands to more than {MAX_NODES} nodes" if self.count > MAX_NODES
                       else f"nesting deeper than {MAX_DEPTH} levels")
            raise LoadError(problem, node.start_mark.line + 1, node.start_mark.column + 1)
        s, e = node.start_mark, node.end_mark
        loc = Location(self.file, s.line + 1, s.column + 1, e.line + 1, e.column + 1)
        tag = node.tag or ""
        kind = node.__class__
        value: Any
        if kind is _SCALAR_NODE or isinstance(node, yaml.ScalarNode):
            # Most scalars are strings: decided here, without a call (this loop runs for every node).
            scalar: Any = node
            if tag == _STR or not tag or tag[0] == "!" or scalar.style in _QUOTED_STYLES:
                value = LStr(node.value, loc)
            else:
                value = self._scalar(scalar, tag, loc)
            if isinstance(value, LStr) and len(value) >= RAW_MIN_LENGTH:
                value.raw = self._raw(loc)
        elif kind is _SEQUENCE_NODE or isinstance(node, yaml.SequenceNode):
            value = LSeq(loc=loc)
            append, append_loc = value.append, value.item_locs.append
            for item in node.value:
                built, where = self._build(item, depth + 1)
                append(built)
                append_loc(where)
        else:
            value = LMap(loc=loc)
            self._fill_map(value, cast(yaml.MappingNode, node), depth)
        if tag.startswith("!"):
            key, inner = _intrinsic(tag, value)
            wrapped = LMap(loc=loc)
            wrapped[key] = inner
            wrapped.key_locs[key] = loc
            wrapped.value_locs[key] = loc
            return wrapped, loc
        return value, loc

    def _fill_map(self, out: LMap, node: yaml.MappingNode, depth: int) -> None:
        key_locs, value_locs = out.key_locs, out.value_locs
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged, _ = self._build(value_node, depth + 1)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, LMap):
                        for k, v in source.items():
                            if k not in out:
                                out[k] = v
                                set_loc(key_locs, k, source.key_locs.get(k))
                                set_loc(value_locs, k, source.value_locs.get(k))
                continue
            key, key_where = self._build(key_node, depth + 1)
            if isinstance(key, (dict, list)):
                key = LStr(json.dumps(key, default=str), key_where)
            value, value_where = self._build(value_node, depth + 1)
            out[key] = value
            key_locs[key] = key_where
            value_locs[key] = value_where

    def _raw(self, loc: Location) -> str:
        """The text of a scalar as written, from its first character to its end."""
        first, last = loc.line - 1, min((loc.end_line or loc.line) - 1, len(self.lines) - 1)
        if first > last:
            return ""
        if first == last:
            return self.lines[first][loc.column - 1:(loc.end_column or 1) - 1 or None]
        tail = self.lines[last][:(loc.end_column or 1) - 1]
        return "\n".join([self.lines[first][loc.column - 1:], *self.lines[first + 1:last], tail])

    @staticmethod
    def _scalar(node: yaml.ScalarNode, tag: str, loc: Location) -> Any:
        """A plain scalar with a resolved tag (the caller has taken strings already)."""
        constructor = _SCALAR_CONSTRUCTORS.get(tag)
        if constructor is None:  # timestamps, binary: CloudFormation treats them as strings
            return LStr(node.value, loc)
        try:
            return constructor(_SCALAR_CONSTRUCTOR, node)
        except (yaml.YAMLError, ValueError, OverflowError):
            return LStr(node.value, loc)


_SCALAR_CONSTRUCTORS = {
    tag: _SCALAR_CONSTRUCTOR.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                "tag:yaml.org,2002:null")
}


def load_text(text: str, file: str) -> Any:
    """Parse YAML (or JSON, which is YAML) into located values.

    Raises ``LoadError`` with the failing line and column.
    """
    _check_flow_depth(text)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if file.endswith(".json") and "\t" in text:
            return _load_json_fallback(text, file)
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or str(exc)
        raise LoadError(message, (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc)) from None
    except RecursionError:
        raise LoadError(f"nesting deeper than {MAX_DEPTH} levels") from None
    if node is None:
        return None
    # Only an anchor can make the document larger than its text: count the expansion when there is one.
    size, scalar_bytes = _expanded_size(node, {}) if "&" in text else (0, 0)
    if size > MAX_NODES:
        raise LoadError(f"aliases expand the document to {size} nodes, more than {MAX_NODES}")
    if scalar_bytes > MAX_EXPANDED_BYTES:
        raise LoadError(f"aliases expand the document to {scalar_bytes} bytes of text, more than "
                        f"{MAX_EXPANDED_BYTES}")
    return _Builder(file, text).build(node)


def _expanded_size(node: yaml.Node, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """(nodes, bytes of scalar text) of the document once aliases are expanded, counted without expanding.

    Bytes count too: a 100 kB string aliased ten thousand times is few nodes but a gigabyte of text for every
    rule that reads it.
    """
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = (1, 0)  # a recursive alias counts once instead of looping
    nodes, size = 1, 0
    if isinstance(node, yaml.SequenceNode):
        children: list[yaml.Node] = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    else:
        children, size = [], len(node.value)
    for child in children:
        child_nodes, child_bytes = _expanded_size(child, memo)
        nodes, size = nodes + child_nodes, size + child_bytes
    memo[id(node)] = (nodes, size)
    return nodes, size


_FLOW = re.compile(r"[\[\]{}]")


def _check_flow_depth(text: str) -> None:
    """Refuse flow nesting libyaml would recurse into until the C stack overflows.

    Brackets inside quoted strings are counted too: that only makes the check
    stricter on text no real template has.
    """
    depth = 0
    for match in _FLOW.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", line, 1)
        elif depth:
            depth -= 1


def _load_json_fallback(text: str, file: str) -> Any:
    """JSON that YAML rejects (tabs): JSON with positions only at the top level."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(exc.msg, exc.lineno, exc.colno) from None
    return locate_plain(value, Location(file, 1, 1))

