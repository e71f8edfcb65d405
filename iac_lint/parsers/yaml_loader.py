"""A located, bounded YAML/JSON loader on PyYAML's C parser.

Why not cfn-lint's decoder: importing cfn-lint costs about 0.6 s (it pulls in
sympy and networkx), which every pre-commit run and editor start would pay.
libyaml composes the node graph with marks; we build located values from it,
turning CloudFormation short-form tags into their long forms, and we bound
the work so hostile input (alias bombs, deep nesting) fails fast with a
located error instead of hanging. Strict JSON that YAML would read the same
way is read without libyaml, to the same located values.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import operator
import re
from typing import Any

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
    """The safe loader with tag resolution left to the builder.

    libyaml calls back into Python for every node: to resolve its tag and to descend into and ascend out of
    it for path resolvers (which we do not use). Builtins answer those calls without a Python frame:
    ``slice`` keeps the arguments of ``resolve`` (node kind, value, implicit flags) as the node's tag, and
    the builder resolves only the plain scalars that may be something else than a string.
    """

    resolve = slice
    descend_resolver = "".format  # accepts and ignores any arguments
    ascend_resolver = "".format

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


_new_str, _new_list, _new_dict = str.__new__, list.__new__, dict.__new__


def _build_document(root: yaml.Node, file: str, text: str) -> Any:
    """Located values from libyaml's node graph, bounded in nodes and depth.

    A closure rather than methods: the recursion runs once per node, and its state is read from cells
    instead of attributes. Containers and strings are made without their Python ``__init__``/``__new__``.
    """
    lines = text.split("\n")
    count = 0

    def build(node: Any, depth: int) -> tuple[Any, Location]:
        nonlocal count
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            problem = (f"document expands to more than {MAX_NODES} nodes" if count > MAX_NODES
                       else f"nesting deeper than {MAX_DEPTH} levels")
            raise LoadError(problem, node.start_mark.line + 1, node.start_mark.column + 1)
        start, end = node.start_mark, node.end_mark
        loc = Location(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        tag = node.tag
        kind = node.__class__
        value: Any
        if kind is _SCALAR_NODE:
            written = node.value
            if tag.__class__ is slice:  # no tag, or "!": the (kind, value, implicit) that libyaml resolved
                # Only a plain scalar that may be of an implicit type is something else than a string.
                if (not node.style and tag.step[0]
                        and (not written or written[0] in _IMPLICIT_STARTS)):
                    value = _plain_value(written)
                    if value is not _AS_STRING:
                        return value, loc
                value = _new_str(LStr, written)
                value.loc = loc
            elif tag == _STR or tag.startswith("!") or node.style in _QUOTED_STYLES:
                value = _new_str(LStr, written)
                value.loc = loc
            else:
                value = _explicit_scalar(node, tag, loc)
            if value.__class__ is LStr and len(value) >= RAW_MIN_LENGTH:
                value.raw = _raw(lines, start, end)
        elif kind is _SEQUENCE_NODE:
            value = _new_list(LSeq)
            value.loc = loc
            item_locs: list[Location | None] = []
            value.item_locs = item_locs
            append, append_loc = value.append, item_locs.append
            for item in node.value:
                built, where = build(item, depth + 1)
                append(built)
                append_loc(where)
        else:
            value = _new_dict(LMap)
            value.loc = loc
            key_locs: dict[Any, Location] = {}
            value_locs: dict[Any, Location] = {}
            value.key_locs, value.value_locs = key_locs, value_locs
            for key_node, value_node in node.value:
                key_tag = key_node.tag
                # A merge key: ``!!merge``, or ``<<`` written plain, which resolves to it.
                if key_tag == _MERGE or (key_node.value == "<<" and key_tag.__class__ is slice
                                         and not key_node.style and key_tag.step[0]):
                    merged, _ = build(value_node, depth + 1)
                    _merge(value, merged)
                    continue
                # Nearly every key is an untagged string: made here, without a call to ``build`` per key.
                written = key_node.value
                if (key_tag.__class__ is slice and key_node.__class__ is _SCALAR_NODE
                        and count < MAX_NODES and depth < MAX_DEPTH
                        and (key_node.style or not key_tag.step[0] or (written and written[0] not in _IMPLICIT_STARTS)
                             or _plain_value(written) is _AS_STRING)):
                    count += 1
                    start, end = key_node.start_mark, key_node.end_mark
                    key_where = Location(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
                    key = _new_str(LStr, written)
                    key.loc = key_where
                    if len(written) >= RAW_MIN_LENGTH:
                        key.raw = _raw(lines, start, end)
                else:
                    key, key_where = build(key_node, depth + 1)
                    if key.__class__ is LMap or key.__class__ is LSeq:
                        key = LStr(json.dumps(key, default=str), key_where)
                item, item_where = build(value_node, depth + 1)
                value[key] = item
                key_locs[key] = key_where
                value_locs[key] = item_where
        if tag.__class__ is str and tag.startswith("!"):
            name, inner = _intrinsic(tag, value)
            wrapped = _new_dict(LMap)
            wrapped[name] = inner
            wrapped.loc, wrapped.key_locs, wrapped.value_locs = loc, {name: loc}, {name: loc}
            return wrapped, loc
        return value, loc

    return build(root, 0)[0]


def _merge(out: LMap, merged: Any) -> None:
    """A ``<<`` merge key: the keys of the merged mapping(s) that ``out`` does not have yet."""
    key_locs, value_locs = out.key_locs, out.value_locs
    for source in merged if isinstance(merged, list) else [merged]:
        if isinstance(source, LMap):
            for k, v in source.items():
                if k not in out:
                    out[k] = v
                    set_loc(key_locs, k, source.key_locs.get(k))
                    set_loc(value_locs, k, source.value_locs.get(k))


def _raw(lines: list[str], start: yaml.Mark, end: yaml.Mark) -> str:
    """The text of a scalar as written, from its first character to its end (libyaml's 0-based marks)."""
    if start.line == end.line:  # nearly always: the slice alone
        return lines[start.line][start.column:end.column]
    first, last = start.line, min(end.line, len(lines) - 1)
    if first > last:
        return ""
    if first == last:
        return lines[first][start.column:end.column or None]
    tail = lines[last][:end.column]
    return "\n".join([lines[first][start.column:], *lines[first + 1:last], tail])


def _explicit_scalar(node: yaml.ScalarNode, tag: str, loc: Location) -> Any:
    """A plain scalar with an explicit tag (``!!int 1``); the caller has taken strings already."""
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
_AS_STRING = object()
_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=4096)
def _plain_value(written: str) -> Any:
    """What an untagged plain scalar means (int, float, bool, None), or ``_AS_STRING``.

    Cached: templates repeat the same few (``true``, ``80``, ``null``); the cache is bounded because a
    language server lives long.
    """
    tag = _RESOLVER.resolve(yaml.ScalarNode, written, (True, False))
    constructor = _SCALAR_CONSTRUCTORS.get(tag)
    if constructor is None:
        return _AS_STRING
    try:
        return constructor(_SCALAR_CONSTRUCTOR, yaml.ScalarNode(tag, written))
    except (yaml.YAMLError, ValueError, OverflowError):
        return _AS_STRING


def load_text(text: str, file: str) -> Any:
    """Parse YAML (or JSON, which is YAML) into located values.

    Raises ``LoadError`` with the failing line and column.
    """
    _check_flow_depth(text)
    # A document that opens with a bracket may be JSON; the reader hands back what it cannot read exactly.
    if _MAY_BE_JSON.match(text):
        value = _read_json(text, file)
        if value is not _NOT_PLAIN_JSON:
            return value
    return _load_yaml(text, file)


def _load_yaml(text: str, file: str) -> Any:
    """``load_text`` through libyaml: any YAML, and the JSON that ``_read_json`` leaves to it."""
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
    return _build_document(node, file, text)


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
_FLOW_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _check_flow_depth(text: str) -> None:
    """Refuse flow nesting libyaml would recurse into until the C stack overflows.

    Brackets inside quoted strings are counted too: that only makes the check
    stricter on text no real template has.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    # The depth after each bracket, without a Python step per bracket: the running sum of +1/-1, less the
    # lowest sum so far below zero (a closing bracket at depth 0 is ignored, as below).
    sums = list(itertools.accumulate(map(_FLOW_STEP.__getitem__, _FLOW.findall(text))))
    lows = itertools.accumulate(sums, min, initial=0)
    next(lows)
    if max(map(operator.sub, sums, lows)) <= MAX_DEPTH:
        return
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



# Strict JSON read here gives what libyaml gives, except where YAML differs or a budget may be reached;
# those documents are left to the YAML path. Outside ASCII: characters libyaml rejects (C1 controls,
# U+FFFE, U+FFFF) or reads as a line break (NEL, LS, PS) or a byte order mark, and lone surrogates (which
# text from an editor may hold: PyYAML cannot encode them).
_NOT_PLAIN_JSON = object()
_MAY_BE_JSON = re.compile(r"[ \r\n]*[\[{]")
_UNSAFE_NON_ASCII = re.compile(r"[\x80-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # libyaml refuses UTF-16 surrogates, JSON pairs them
# One token after the commas, colons and blanks before it, then, when it is a key, the blanks and ':' after it.
_JSON_TOKEN = re.compile(r'[ \r\n,:]*("[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|[^ \r\n,:\[\]{}"]+)([ \r\n]*:)?')
# libyaml forgets a key whose ':' is more than 1024 characters after its start (or on another line).
_MAX_KEY_SPAN = 1000


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _is_plain_json(text: str) -> bool:
    """Whether ``text`` is strict JSON that libyaml reads as JSON reads it, within the budgets."""
    if (len(text) > MAX_EXPANDED_BYTES or "\t" in text or "\x7f" in text  # a tab: see _load_json_fallback
            or ("\r" in text and text.count("\r") != text.count("\r\n"))  # a lone CR breaks a YAML line
            or (not text.isascii() and _UNSAFE_NON_ASCII.search(text))
            or ("\\u" in text and _SURROGATE_ESCAPE.search(text))):
        return False
    try:
        json.loads(text, parse_constant=_reject_constant)  # NaN and Infinity are plain strings to YAML
    except (ValueError, RecursionError):
        return False
    return True


def _read_json(text: str, file: str) -> Any:
    """Located values of a JSON document, as the YAML path would build them, without libyaml.

    JSON is a third of a CloudFormation corpus's bytes, and libyaml's per-node callbacks made it as slow
    as YAML. ``json.loads`` vouches for the syntax first, so the tokens can be read without a grammar;
    numbers and ``true``/``false``/``null`` go through YAML's own resolution (``1e5`` stays a string).
    Returns ``_NOT_PLAIN_JSON`` for anything the YAML path must decide, errors included.
    """
    if not _is_plain_json(text):
        return _NOT_PLAIN_JSON
    # Offset of each line's first character: the line of an offset is found by bisection.
    starts = [0, *map(operator.add, itertools.accumulate(map(len, text.split("\n")[:-1])), itertools.count(1))]
    bisect_right, location, new_str, plain_value = bisect.bisect_right, Location, _new_str, _plain_value
    stack: list[tuple[Any, Any, Any, int, int]] = []
    container: Any = None
    key: Any = None
    key_loc: Any = None
    count = 0
    for match in _JSON_TOKEN.finditer(text):
        begin, end = match.span(1)
        token = text[begin:end]
        first = token[0]
        line = bisect_right(starts, begin)
        column = begin - starts[line - 1] + 1
        if first == "}" or first == "]":
            value = container
            container, key, key_loc, open_line, open_column = stack.pop()
            where = value.loc = location(file, open_line, open_column, line, column + 1)
        else:
            count += 1
            if count > MAX_NODES:
                return _NOT_PLAIN_JSON
            if first == "{" or first == "[":
                if len(stack) >= MAX_DEPTH:
                    return _NOT_PLAIN_JSON
                stack.append((container, key, key_loc, line, column))
                if first == "{":
                    container = _new_dict(LMap)
                    container.key_locs, container.value_locs = {}, {}
                else:
                    container = _new_list(LSeq)
                    container.item_locs = []
                continue
            where = location(file, line, column, line, column + end - begin)
            if first != '"':
                value = plain_value(token)  # every number, true, false and null starts an implicit type
                if value is _AS_STRING:
                    value = new_str(LStr, token)
            elif "\\" in token:
                value = new_str(LStr, json.loads(token))
            else:
                value = new_str(LStr, token[1:-1])
            if value.__class__ is LStr:
                value.loc = where
                if len(value) >= RAW_MIN_LENGTH:
                    value.raw = token
            colon = match.group(2)
            if colon is not None:
                if "\n" in colon or match.end() - begin > _MAX_KEY_SPAN:
                    return _NOT_PLAIN_JSON
                key, key_loc = value, where
                continue
        if container is None:
            return value
        if container.__class__ is LMap:
            container[key] = value
            container.key_locs[key] = key_loc
            container.value_locs[key] = where
        else:
            container.append(value)
            container.item_locs.append(where)
    return _NOT_PLAIN_JSON
