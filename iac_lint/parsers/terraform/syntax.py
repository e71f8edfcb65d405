"""HCL text into a small located syntax tree.

We read python-hcl2's raw Lark tree (``hcl2.parses_to_tree``) instead of its
dict output: the dict keeps lines only per block and attribute and renders
every expression back to text, while the Lark tree gives the line and column
of every literal, so a finding can point at the ``"s3:*"`` inside a
``jsonencode`` list.  It also skips hcl2's own transform pass, which is pure
cost for us.  This module knows HCL's grammar and nothing of Terraform's
meaning; ``evaluate`` gives the tree its values.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from iac_lint.model import LMap, Location, LSeq, LStr

MAX_NESTING = 200  # brackets; deeper input is refused before Lark and our recursion see it


class SyntaxProblem(Exception):
    """HCL that cannot be read, with the line and column where reading failed."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# --- the syntax tree ------------------------------------------------------------
# Nodes are never changed once built, yet not frozen: a frozen dataclass sets each field through
# ``object.__setattr__``, which made building a node seven times slower (3% of reading Terraform).


@dataclass(slots=True)
class Expr:
    loc: Location
    text: str  # the source text, shown in ``Unknown`` values


@dataclass(slots=True)
class Lit(Expr):
    value: Any


@dataclass(slots=True)
class Template(Expr):
    """A quoted string or heredoc: literal parts and ``${...}`` expressions."""

    parts: tuple[Any, ...]  # str | Expr
    directives: bool = False  # ``%{ if }`` / ``%{ for }``: not evaluated
    heredoc: bool = False
    body: str = ""  # heredoc body as written, for locating JSON inside it
    body_line: int = 0  # line of the heredoc body's first line
    body_indent: int = 0  # columns removed by ``<<-``


@dataclass(slots=True)
class Tuple(Expr):
    items: tuple[Expr, ...]


@dataclass(slots=True)
class Object(Expr):
    items: tuple[tuple[Expr, Expr], ...]


@dataclass(slots=True)
class Traversal(Expr):
    """``root.attr[index].attr``; ``root`` is a name or, rarely, another expression."""

    root: Any  # str | Expr
    ops: tuple[tuple[str, Any], ...]  # ("attr", name) | ("index", Expr) | ("splat", None)


@dataclass(slots=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]
    expand: bool = False  # f(list...)


@dataclass(slots=True)
class Conditional(Expr):
    cond: Expr
    yes: Expr
    no: Expr


@dataclass(slots=True)
class Operation(Expr):
    op: str
    operands: tuple[Expr, ...]


@dataclass(slots=True)
class ForExpr(Expr):
    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # only for object comprehensions
    value: Expr
    cond: Expr | None
    grouping: bool = False


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expr
    loc: Location  # the attribute's name


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    body: Body
    loc: Location  # the block header
    file: str


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------


_BRACKET = re.compile(r"[\[\]{}()]")


def check_nesting(text: str) -> None:
    # Counting first is C speed; walking characters in Python was 4% of parsing the corpus.
    if text.count("[") + text.count("{") + text.count("(") <= MAX_NESTING:
        return
    depth = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{(":
            depth += 1
            if depth > MAX_NESTING:
                i = match.start()
                raise SyntaxProblem(f"nesting deeper than {MAX_NESTING} levels", text.count("\n", 0, i) + 1, 1)
        elif depth:
            depth -= 1


# "fast": tree-sitter, with python-hcl2 for whatever it does not accept (hcl_tree_sitter.py);
# "python-hcl2": python-hcl2 only (the oracle the fast path is tested against).
FRONT_END = "fast"

_HEREDOC_END_TRAILING = re.compile(r"^([ \t]*[A-Za-z][A-Za-z0-9._-]*)[ \t]+$", re.M)
_CACHE: dict[tuple[str, int, str], Body | SyntaxProblem] = {}  # least recently used first
# Files.  The units sharing a module are neighbours in discovery order, so a few dozen trees catch every
# reuse in a corpus; more would only be walked again by each full garbage collection of the run.
_CACHE_LIMIT = 64


def parse_hcl(text: str, file: str) -> Body:
    """Parse one ``.tf`` file; raises ``SyntaxProblem`` at the failing line.

    Results are cached per (file, text) for the run: a module called from
    several examples is parsed once, and parsing is most of the cost.
    """
    key = (file, hash(text), FRONT_END)
    cached = _CACHE.pop(key, None)
    if cached is None:
        try:
            cached = _parse_hcl(text, file, FRONT_END)
        except SyntaxProblem as exc:
            cached = exc
        if len(_CACHE) >= _CACHE_LIMIT:
            del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = cached
    if isinstance(cached, SyntaxProblem):
        raise cached
    return cached


def _parse_hcl(text: str, file: str, front_end: str | None = None) -> Body:
    """``front_end``: ``FRONT_END`` when None."""
    front_end = front_end or FRONT_END
    check_nesting(text)
    if "<<" in text:
        # Terraform accepts blanks after a heredoc's closing marker; the grammar does not.
        text = _HEREDOC_END_TRAILING.sub(r"\1", text)
    if front_end == "fast":
        from iac_lint.parsers.terraform.hcl_tree_sitter import convert

        fast = convert(text, file)
        if fast is not None:
            return fast
    import hcl2  # heavy (Lark grammar); imported only when a Terraform unit is read

    try:
        tree = hcl2.parses_to_tree(text)
    except RecursionError:
        raise SyntaxProblem(f"nesting deeper than {MAX_NESTING} levels") from None
    except Exception as exc:  # Lark raises many types; all of them mean "bad HCL here"
        line = getattr(exc, "line", None)
        column = getattr(exc, "column", None)
        line = line if isinstance(line, int) and line > 0 else text.count("\n") + 1
        column = column if isinstance(column, int) and column > 0 else 1
        raise SyntaxProblem(f"HCL syntax error: {_lark_message(exc)}", line, column) from None
    try:
        return _Converter(text, file).body(tree.children[0])
    except RecursionError:
        raise SyntaxProblem(f"nesting deeper than {MAX_NESTING} levels") from None


def _lark_message(exc: Exception) -> str:
    token = getattr(exc, "token", None)
    if token is not None:
        expected = sorted(getattr(exc, "expected", None) or getattr(exc, "accepts", None) or [])[:6]
        hint = f", expected one of {', '.join(expected)}" if expected else ""
        return f"unexpected {str(token)!r}{hint}"
    char = getattr(exc, "char", None)
    if char is not None:
        return f"unexpected character {char!r}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def parse_expression(text: str, loc: Location, front_end: str | None = None) -> Expr:
    """One expression (from inside a heredoc or a JSON string); every node gets ``loc``."""
    if (front_end or FRONT_END) == "fast":
        from iac_lint.parsers.terraform.hcl_tree_sitter import convert_expression

        fast = convert_expression(text, loc)
        if fast is not None:
            return fast
    import hcl2

    tree = hcl2.parses_to_tree(f"x = {text}")
    body = _Converter(f"x = {text}", loc.file, fixed=loc).body(tree.children[0])
    return body.attributes["x"].expr


# HCL's escapes in a quoted template, resolved in one pass as python-hcl2 resolves them: an unknown
# escape, or a \u/\U that is no usable character, stays as written.  Here rather than imported: python-hcl2
# would bring its Lark grammar with it (40 ms) into a scan that never parses with it.
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(value: str) -> str:
    return _ESCAPE.sub(_escaped, value) if "\\" in value else value


def _escaped(match: re.Match[str]) -> str:
    digits = match.group(1) or match.group(2)
    if digits is None:
        return _SIMPLE_ESCAPES.get(match.group(3), match.group())
    codepoint = int(digits, 16)
    if codepoint > 0x10FFFF or 0xD800 <= codepoint < 0xE000:  # no character, or a lone surrogate
        return match.group()
    return chr(codepoint)


class _Converter:
    def __init__(self, text: str, file: str, fixed: Location | None = None) -> None:
        self.text = text
        self.file = file
        self.fixed = fixed

    def loc(self, node: Any) -> Location:
        if self.fixed is not None:
            return self.fixed
        meta = getattr(node, "meta", None)
        if meta is not None and not getattr(meta, "empty", True):
            return Location(self.file, meta.line, meta.column, meta.end_line, meta.end_column)
        if hasattr(node, "line") and node.line is not None:
            return Location(self.file, node.line, node.column, node.end_line, node.end_column)
        return Location(self.file, 1, 1)

    def source(self, node: Any) -> str:
        meta = getattr(node, "meta", None)
        if meta is not None and not getattr(meta, "empty", True):
            return self.text[meta.start_pos:meta.end_pos]
        if hasattr(node, "start_pos") and node.start_pos is not None:
            return self.text[node.start_pos:node.end_pos]
        return str(node)

    @staticmethod
    def trees(node: Any) -> list[Any]:
        return [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment"]

    # --- structure ---------------------------------------------------------------

    def body(self, node: Any) -> Body:
        out = Body()
        for child in self.trees(node):
            if child.data == "attribute":
                name_node, *_, expr_node = [c for c in child.children if hasattr(c, "data")]
                name = self.name(name_node)
                out.attributes[name] = Attribute(name, self.expr(expr_node), self.loc(child))
            elif child.data == "block":
                parts = self.trees(child)
                labels = [self.name(p) for p in parts[1:-1]]
                out.blocks.append(Block(self.name(parts[0]), labels, self.body(parts[-1]), self.loc(child), self.file))
        return out

    def name(self, node: Any) -> str:
        if node.data == "string":
            return "".join(str(t) for p in node.children if hasattr(p, "data") for t in p.children
                           if not hasattr(t, "data"))
        return "".join(str(t) for t in node.children if not hasattr(t, "data"))

    # --- expressions ---------------------------------------------------------------

    def expr(self, node: Any) -> Expr:
        kind = node.data
        handler = getattr(self, f"_x_{kind}", None)
        if handler is None:
            return Lit(self.loc(node), self.source(node), None) if kind == "new_line_or_comment" else \
                _Opaque(self.loc(node), self.source(node))
        return handler(node)

    def _x_expr_term(self, node: Any) -> Expr:
        inner = self.trees(node)
        return self.expr(inner[0]) if inner else Lit(self.loc(node), self.source(node), None)

    def _x_int_lit(self, node: Any) -> Expr:
        return Lit(self.loc(node), self.source(node), int(str(node.children[0])))

    def _x_float_lit(self, node: Any) -> Expr:
        return Lit(self.loc(node), self.source(node), float(str(node.children[0])))

    def _x_literal_value(self, node: Any) -> Expr:
        word = str(node.children[0])
        return Lit(self.loc(node), word, {"true": True, "false": False}.get(word))

    def _x_identifier(self, node: Any) -> Expr:
        return Traversal(self.loc(node), self.source(node), str(node.children[0]), ())

    _x_keyword = _x_identifier

    def _x_template_string(self, node: Any) -> Expr:
        return _Opaque(self.loc(node), self.source(node))

    def _x_string(self, node: Any) -> Expr:
        parts: list[Any] = []
        directives = False
        for part in self.trees(node):
            for piece in part.children:
                if hasattr(piece, "data"):
                    if piece.data == "interpolation":
                        parts.append(self.expr(self.trees(piece)[0]))
                    else:
                        directives = True
                elif piece.type == "ESCAPED_INTERPOLATION" or piece.type == "ESCAPED_DIRECTIVE":
                    parts.append(str(piece)[1:])
                else:
                    parts.append(_unescape(str(piece)))
        return Template(self.loc(node), self.source(node), tuple(parts), directives)

    def _heredoc(self, node: Any, strip: bool) -> Expr:
        token = node.children[0]
        return heredoc_template(str(token), self.loc(token), self.source(node), strip, self.fixed is not None)

    def _x_heredoc_template(self, node: Any) -> Expr:
        return self._heredoc(node, False)

    def _x_heredoc_template_trim(self, node: Any) -> Expr:
        return self._heredoc(node, True)

    def _x_tuple(self, node: Any) -> Expr:
        return Tuple(self.loc(node), self.source(node), tuple(self.expr(c) for c in self.trees(node)))

    def _x_object(self, node: Any) -> Expr:
        items = []
        for elem in self.trees(node):
            key_node, value_node = self.trees(elem)
            key_inner = self.trees(key_node)[0]
            if key_inner.data == "keyword":
                key: Expr = Lit(self.loc(key_inner), self.source(key_inner), self.name(key_inner))
            else:
                key = self.expr(key_inner)
                if isinstance(key, Traversal) and isinstance(key.root, str) and not key.ops:
                    key = Lit(key.loc, key.text, key.root)  # { name = 1 }: a bare word is a literal key
            items.append((key, self.expr(value_node)))
        return Object(self.loc(node), self.source(node), tuple(items))

    def _x_function_call(self, node: Any) -> Expr:
        names = [self.name(c) for c in node.children if hasattr(c, "data") and c.data == "identifier"]
        args_node = [c for c in node.children if hasattr(c, "data") and c.data == "arguments"]
        args: tuple[Expr, ...] = ()
        expand = False
        if args_node:
            args = tuple(self.expr(c) for c in self.trees(args_node[0]))
            expand = any(not hasattr(c, "data") and c.type == "ELLIPSIS" for c in args_node[0].children)
        return Call(self.loc(node), self.source(node), "::".join(names), args, expand)

    def _traverse(self, node: Any, ops: list[tuple[str, Any]]) -> Expr:
        base = self.expr(self.trees(node)[0])
        if isinstance(base, Traversal):
            return Traversal(self.loc(node), self.source(node), base.root, base.ops + tuple(ops))
        return Traversal(self.loc(node), self.source(node), base, tuple(ops))

    def _index_op(self, node: Any) -> tuple[str, Any]:
        if node.data == "short_index":
            number = [c for c in node.children if not hasattr(c, "data") and c.type == "INT_LITERAL"][0]
            return ("index", Lit(self.loc(node), str(number), int(str(number))))
        return ("index", self.expr(self.trees(node)[0]))

    def _get_attr_op(self, node: Any) -> tuple[str, Any]:
        return ("attr", self.name(self.trees(node)[0]))

    def _x_get_attr_expr_term(self, node: Any) -> Expr:
        return self._traverse(node, [self._get_attr_op(self.trees(node)[1])])

    def _x_index_expr_term(self, node: Any) -> Expr:
        return self._traverse(node, [self._index_op(self.trees(node)[1])])

    def _splat(self, node: Any) -> Expr:
        ops: list[tuple[str, Any]] = [("splat", None)]
        for op in self.trees(self.trees(node)[1]):
            ops.append(self._get_attr_op(op) if op.data == "get_attr" else self._index_op(op))
        return self._traverse(node, ops)

    _x_attr_splat_expr_term = _splat
    _x_full_splat_expr_term = _splat

    def _x_conditional(self, node: Any) -> Expr:
        cond, yes, no = (self.expr(c) for c in self.trees(node))
        return Conditional(self.loc(node), self.source(node), cond, yes, no)

    def _x_binary_op(self, node: Any) -> Expr:
        left_node, term = self.trees(node)[:2]
        op_node, right_node = self.trees(term)[:2]
        op = str(op_node.children[0])
        return Operation(self.loc(node), self.source(node), op, (self.expr(left_node), self.expr(right_node)))

    def _x_unary_op(self, node: Any) -> Expr:
        op = str(node.children[0])
        operand = self.expr(self.trees(node)[0])
        return Operation(self.loc(node), self.source(node), "neg" if op == "-" else "!", (operand,))

    def _for(self, node: Any, is_object: bool) -> Expr:
        parts = self.trees(node)
        intro, rest = parts[0], parts[1:]
        names = [self.name(c) for c in self.trees(intro) if c.data == "identifier"]
        collection = self.expr([c for c in self.trees(intro) if c.data != "identifier"][0])
        cond = None
        if rest and rest[-1].data == "for_cond":
            cond = self.expr(self.trees(rest[-1])[0])
            rest = rest[:-1]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        key = self.expr(rest[0]) if is_object else None
        value = self.expr(rest[1] if is_object else rest[0])
        grouping = any(not hasattr(c, "data") and c.type == "ELLIPSIS" for c in node.children)
        return ForExpr(self.loc(node), self.source(node), key_var, value_var, collection, key, value, cond, grouping)

    def _x_for_tuple_expr(self, node: Any) -> Expr:
        return self._for(node, False)

    def _x_for_object_expr(self, node: Any) -> Expr:
        return self._for(node, True)


def heredoc_template(raw: str, loc: Location, text: str, strip: bool, fixed: bool) -> Template:
    """A heredoc from its raw text (``<<EOT`` to the closing marker's line end); ``strip`` for ``<<-``."""
    first_nl = raw.index("\n")
    body = raw[first_nl + 1:]
    body = body[:body.rstrip().rfind("\n") + 1] if "\n" in body.rstrip() else ""
    indent = 0
    if strip:
        lines = [ln for ln in body.split("\n") if ln.strip()]
        indent = min((len(ln) - len(ln.lstrip(" \t")) for ln in lines), default=0)
        body_text = "\n".join(ln[indent:] for ln in body.split("\n"))
    else:
        body_text = body
    parts, directives = split_template(body_text, loc)
    line = loc.line + 1 if not fixed else loc.line
    return Template(loc, text, tuple(parts), directives, True, body, line, indent)


@dataclass(slots=True)
class _Opaque(Expr):
    """Syntax we never evaluate (escaped template strings)."""


# --- templates inside heredocs and JSON strings ----------------------------------------


def split_template(text: str, loc: Location) -> tuple[list[Any], bool]:
    """Literal parts and parsed ``${...}`` expressions of template text; True if it has ``%{`` directives."""
    parts: list[Any] = []
    directives = False
    start = 0
    # The leftmost marker, an escape (``$${``, ``%%{``) before the marker it contains.
    found = _TEMPLATE_MARKER.search(text)
    while found is not None:
        i = found.start()
        if found.end() - i == 3:
            parts.append(text[start:i] + text[i + 1:i + 3])
            start = i + 3
        else:
            end = _closing_brace(text, i + 2)
            if end < 0:
                break
            if start < i:
                parts.append(text[start:i])
            inner = text[i + 2:end].strip().strip("~").strip()
            if text[i] == "%":
                directives = True
            else:
                try:
                    parts.append(parse_expression(inner, loc))
                except Exception:  # a broken interpolation only makes this value unknown
                    parts.append(_Opaque(loc, text[i:end + 1]))
            start = end + 1
        found = _TEMPLATE_MARKER.search(text, start)
    if start < len(text):
        parts.append(text[start:])
    return parts, directives


_TEMPLATE_MARKER = re.compile(r"\$\$\{|%%\{|\$\{|%\{")


def _closing_brace(text: str, i: int) -> int:
    depth, quote = 0, False
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


# --- JSON with a location on every value ------------------------------------------------

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
# Whitespace, and whole-line ``//``/``#`` comments: AWS would reject them, but a linter that
# dropped the whole policy over one would miss everything else in it.
_WS = re.compile(r"(?:[ \t\r\n]+|//[^\n]*|#[^\n]*)*")


class JsonProblem(ValueError):
    pass


def _skip_ws(text: str, pos: int) -> int:
    """The position after the blanks and comments at ``pos``."""
    found = _WS.match(text, pos)
    assert found is not None  # the pattern matches everywhere, if only the empty string
    return found.end()


def decode_json_located(text: str, file: str, first_line: int = 1, indent: int = 0) -> Any:
    """Decode JSON into ``LMap``/``LSeq``/``LStr`` whose locations are exact.

    ``first_line`` is the file line of the text's first line (a heredoc body);
    ``indent`` is added to columns (what ``<<-`` stripped).  Raises ``JsonProblem``.
    """
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def loc_at(pos: int) -> Location:
        row = bisect.bisect_right(starts, pos) - 1
        return Location(file, first_line + row, pos - starts[row] + 1 + indent)

    decoder = json.JSONDecoder()

    def value(pos: int, depth: int) -> tuple[Any, int]:
        if depth > MAX_NESTING:
            raise JsonProblem("JSON nested too deeply")
        pos = _skip_ws(text, pos)
        if pos >= len(text):
            raise JsonProblem("unexpected end of JSON")
        ch = text[pos]
        here = loc_at(pos)
        if ch == "{":
            out = LMap(loc=here)
            pos = _skip_ws(text, pos + 1)
            if text.startswith("}", pos):
                return out, pos + 1
            while True:
                pos = _skip_ws(text, pos)
                if not text.startswith('"', pos):
                    raise JsonProblem("expected a string key")
                key_loc = loc_at(pos)
                # json.decoder.scanstring is public but missing from typeshed
                key, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
                pos = _skip_ws(text, pos)
                if not text.startswith(":", pos):
                    raise JsonProblem("expected ':'")
                value_start = _skip_ws(text, pos + 1)
                item, pos = value(value_start, depth + 1)
                key = LStr(key, key_loc)
                out[key] = item
                out.key_locs[key] = key_loc
                out.value_locs[key] = loc_at(value_start)
                pos = _skip_ws(text, pos)
                if text.startswith(",", pos):
                    pos += 1
                    continue
                if text.startswith("}", pos):
                    return out, pos + 1
                raise JsonProblem("expected ',' or '}'")
        if ch == "[":
            seq = LSeq(loc=here)
            pos = _skip_ws(text, pos + 1)
            if text.startswith("]", pos):
                return seq, pos + 1
            while True:
                item_start = _skip_ws(text, pos)
                item, pos = value(item_start, depth + 1)
                seq.append(item)
                seq.item_locs.append(loc_at(item_start))
                pos = _skip_ws(text, pos)
                if text.startswith(",", pos):
                    pos += 1
                    continue
                if text.startswith("]", pos):
                    return seq, pos + 1
                raise JsonProblem("expected ',' or ']'")
        if ch == '"':
            # json.decoder.scanstring is public but missing from typeshed
            string, end = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
            return LStr(string, here), end
        match = _NUMBER.match(text, pos)
        if match:
            number, end = decoder.raw_decode(text, pos)
            return number, end
        for word, result in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, pos):
                return result, pos + len(word)
        raise JsonProblem(f"unexpected {ch!r}")

    try:
        result, end = value(0, 0)
    except (ValueError, IndexError) as exc:
        raise JsonProblem(str(exc)) from None
    if text[_skip_ws(text, end):].strip():
        raise JsonProblem("extra data after JSON value")
    return result
