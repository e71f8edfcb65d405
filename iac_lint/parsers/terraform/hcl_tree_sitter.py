"""The fast HCL front end: tree-sitter's HCL grammar (C) into the same located syntax tree as ``syntax``.

python-hcl2's Lark parser is pure Python and was nine tenths of the time it
takes to parse Terraform; tree-sitter parses the same text about twenty
times faster.  This module builds exactly the tree ``syntax._Converter``
builds from the Lark tree -- the same nodes, locations (1-based character
columns, exclusive ends) and source texts, including two habits of the Lark
grammar that reach the model through ``Unknown`` texts: a binary operation
swallows the newlines and comments that follow it, and a heredoc ends after
its closing marker's line break.  python-hcl2 stays the oracle
(``tests/test_hcl_front_ends.py`` compares both on every fixture and corpus
module) and the fallback: ``convert`` returns None for anything it does not
accept -- a syntax error (so that the error message and line are Lark's),
or a construct the Lark grammar does not have -- and ``syntax.parse_hcl``
then parses the file with python-hcl2.
"""

from __future__ import annotations

import re
from typing import Any

from iac_lint.model import Location
from iac_lint.parsers.terraform.syntax import (
    Attribute,
    Block,
    Body,
    Call,
    Conditional,
    Expr,
    ForExpr,
    Lit,
    Object,
    Operation,
    Template,
    Traversal,
    Tuple,
    _unescape,
    heredoc_template,
)

_PARSER: Any = None

# What python-hcl2's grammar lets a binary operation end with: its NL_OR_COMMENT tokens.
_NL_OR_COMMENT = re.compile(r"\n[ \t]*|#[^\n]*\n|//[^\n]*\n|/\*(?:.|\n)*?\*/")
_IGNORED = re.compile(r"[ \t\r]*")
_ESCAPED = re.compile(r"(\$\$\{[^}]*\}|%%\{[^}]*\})")
_FLOAT = re.compile(r"[.eE]")
_DIRECTIVE_PIECES = frozenset({"template_if_intro", "template_else_intro", "template_if_end", "template_for_start",
                               "template_for_end", "template_for_intro"})
_POSTFIX = frozenset({"get_attr", "index", "splat"})
# Dotted names that are a traversal however HCL reads them (``-``, digits and keywords are left to the parse).
_NAMES = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_NOT_A_NAME = frozenset({"true", "false", "null", "for", "in", "if"})
_TEMPLATE_TEXT = frozenset({"quoted_template_start", "quoted_template_end", "template_literal"})


def available() -> bool:
    """Whether the tree-sitter packages are installed (they are optional at run time: python-hcl2 remains)."""
    return _parser() is not None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        try:
            import tree_sitter
            import tree_sitter_hcl
        except ImportError:
            _PARSER = False
        else:
            _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _PARSER or None


class Rejected(Exception):
    """Something the fast path does not convert: the caller parses the text with python-hcl2."""


def convert(text: str, file: str) -> Body | None:
    """The syntax tree of ``text`` (already checked and normalized by ``syntax``), or None to fall back."""
    parser = _parser()
    if parser is None:
        return None
    data = text.encode("utf-8")
    tree = parser.parse(data)
    root = tree.root_node
    if root.has_error:
        return None
    try:
        builder = _Builder(text, data, file)
        body = next((c for c in root.named_children if c.type == "body"), None)
        return builder.body(body) if body is not None else Body()
    except (Rejected, RecursionError):
        return None


def convert_expression(text: str, loc: Location) -> Expr | None:
    """One expression (from a heredoc or a JSON string), every node at ``loc``; None to fall back."""
    if _NAMES.match(text):
        root, *names = text.split(".")
        if root not in _NOT_A_NAME:
            # ``aws_region.current.name``, nearly every interpolation in a heredoc or JSON string: the
            # traversal the parse below would give, without a parse.
            return Traversal(loc, text, root, tuple([("attr", name) for name in names]))
    return parsed_expression(text, loc)


def parsed_expression(text: str, loc: Location) -> Expr | None:
    """``convert_expression`` through tree-sitter's parse, whatever the expression."""
    source = f"x = {text}"
    parser = _parser()
    if parser is None:
        return None
    data = source.encode("utf-8")
    root = parser.parse(data).root_node
    if root.has_error:
        return None
    try:
        body = _Builder(source, data, loc.file, fixed=loc).body(root.named_children[0])
    except (Rejected, RecursionError, IndexError):
        return None
    attribute = body.attributes.get("x")
    return attribute.expr if attribute is not None and len(body.attributes) == 1 and not body.blocks else None


class _Builder:
    def __init__(self, text: str, data: bytes, file: str, fixed: Location | None = None) -> None:
        self.text = text
        self.data = data
        self.file = file
        self.fixed = fixed
        self.ascii = text.isascii()
        self.line_starts: list[int] | None = None
        # python-hcl2 parses the text with a newline appended; a trailing binary operation sees it.
        self.padded = data + b"\n"
        # End bytes of the binary operations and heredocs converted so far: only a node ending at one of
        # them can end elsewhere in python-hcl2's grammar, so ``span`` walks no other node's last children.
        self.lark_ends: set[int] = set()

    # --- positions ---------------------------------------------------------------------------

    def column(self, row: int, byte_column: int) -> int:
        """1-based character column of a 0-based byte column of row ``row``."""
        if self.ascii:
            return byte_column + 1
        if self.line_starts is None:
            self.line_starts = [0] + [m.end() for m in re.finditer(b"\n", self.data)]
        start = self.line_starts[row]
        return len(self.data[start:start + byte_column].decode("utf-8", "replace")) + 1

    def location(self, start: Any, end_point: Any) -> Location:
        if self.fixed is not None:
            return self.fixed
        start_row, start_column = start.start_point
        end_row, end_column = end_point
        if self.ascii:  # byte columns are character columns
            return Location(self.file, start_row + 1, start_column + 1, end_row + 1, end_column + 1)
        return Location(self.file, start_row + 1, self.column(start_row, start_column),
                        end_row + 1, self.column(end_row, end_column))

    def loc(self, node: Any) -> Location:
        return self.location(node, node.end_point)

    def source(self, start_byte: int, end_byte: int) -> str:
        # The text itself, not the padded copy: python-hcl2's positions see the newline, its texts do not.
        if self.ascii:  # byte offsets are character offsets: no decoding
            return self.text[start_byte:end_byte]
        return self.data[start_byte:end_byte].decode("utf-8", "replace")

    def point_at(self, byte: int) -> tuple[int, int]:
        row = self.padded.count(b"\n", 0, byte)
        line_start = self.padded.rfind(b"\n", 0, byte) + 1
        return row, byte - line_start

    def lark_end(self, node: Any) -> tuple[int, Any]:
        """Where python-hcl2's grammar ends ``node``: past the newlines and comments a binary operation
        that ends it swallows."""
        current = node
        while True:
            if current.type == "binary_operation":
                return self._after_trailing_newlines(current)
            if current.type == "heredoc_template":
                end = self.heredoc_end(current)
                return end, self.point_at(end)
            children = current.children
            if not children or children[-1].end_byte != current.end_byte:
                return current.end_byte, current.end_point
            current = children[-1]

    def _after_trailing_newlines(self, node: Any) -> tuple[int, Any]:
        pos, end = node.end_byte, None
        text = self.padded
        while True:
            pos = _IGNORED_BYTES.match(text, pos).end()  # type: ignore[union-attr]
            match = _NL_OR_COMMENT_BYTES.match(text, pos)
            if not match or match.end() == pos:
                break
            pos = end = match.end()
        if end is None:
            return node.end_byte, node.end_point
        return end, self.point_at(end)

    def span(self, node: Any) -> tuple[Location, str]:
        """Location and source text as python-hcl2's grammar delimits ``node`` (its subtree converted)."""
        if node.end_byte in self.lark_ends:
            end_byte, end_point = self.lark_end(node)
        else:
            end_byte, end_point = node.end_byte, node.end_point
        return self.location(node, end_point), self.source(node.start_byte, end_byte)

    # --- structure -----------------------------------------------------------------------------
    # Children are read through ``node.children`` (kept by the node) rather than ``named_children`` (a new
    # list on every access); an unnamed child -- punctuation -- is skipped where the named list lacked it.

    def body(self, node: Any) -> Body:
        out = Body()
        attributes = out.attributes
        for child in node.children:
            kind = child.type
            if kind == "attribute":
                parts = child.children
                if len(parts) == 3:  # name = expression, no comment in between
                    name_node, expr_node = parts[0], parts[2]
                else:
                    named = child.named_children
                    name_node, expr_node = named[0], named[-1]
                expr = self.expression(expr_node)  # before ``span``, which needs the subtree converted
                loc, _ = self.span(child)
                name = self.source(name_node.start_byte, name_node.end_byte)
                attributes[name] = Attribute(name, expr, loc)
            elif kind == "block":
                out.blocks.append(self.block(child))
            elif kind != "comment" and child.is_named:
                raise Rejected(kind)
        return out

    def block(self, node: Any) -> Block:
        children = node.children
        block_type = self.source(children[0].start_byte, children[0].end_byte)
        labels = []
        body = Body()
        for child in children[1:]:
            kind = child.type
            if kind == "identifier":
                labels.append(self.source(child.start_byte, child.end_byte))
            elif kind == "string_lit":
                labels.append(self.label(child))
            elif kind == "body":
                body = self.body(child)
            elif kind not in ("block_start", "block_end", "comment") and child.is_named:
                raise Rejected(kind)
        return Block(block_type, labels, body, self.loc(node), self.file)

    def label(self, node: Any) -> str:
        """A quoted block label as python-hcl2 names it: the characters between the quotes, unescaped not."""
        label = self.source(node.start_byte + 1, node.end_byte - 1)
        # Only a brace opens an interpolation or a directive: a label without one needs no walk of its children.
        if "{" in label and any(c.type not in _TEMPLATE_TEXT and c.is_named for c in node.children):
            raise Rejected("label with interpolation")
        return label

    # --- expressions -----------------------------------------------------------------------------

    def expression(self, node: Any) -> Expr:
        """An ``expression`` node: a term (or a parenthesized expression) and its postfix operators."""
        children = node.children
        if len(children) == 1:  # a term alone, as mostly
            return self.term(children[0])
        if not children:
            raise Rejected("empty expression")
        first = children[0]
        kind = first.type
        primary: Any
        if kind == "(":
            if len(children) < 3 or children[2].type != ")":
                raise Rejected("parentheses")
            primary = self.expression(children[1])
            rest = children[3:]
        elif kind == "variable_expr":  # var.x.y: the traversal's root is the name, its own node is not needed
            primary = self.source(first.start_byte, first.end_byte)  # spans its identifier exactly
            rest = children[1:]
        else:
            primary = self.term(first)
            rest = children[1:]
        ops: list[tuple[str, Any]] = []
        for op in rest:
            kind = op.type
            if kind == "get_attr":
                ops.append(self.get_attr(op))
            elif kind in _POSTFIX:
                ops.extend(self.postfix(op))
            elif kind != "comment":
                raise Rejected(kind)
        if not ops:
            return Traversal(self.loc(first), primary, primary, ()) if isinstance(primary, str) else primary
        # Postfix operators end with a name or a bracket, never with what a binary operation swallows.
        loc, text = self.loc(node), self.source(node.start_byte, node.end_byte)
        if isinstance(primary, Traversal):
            return Traversal(loc, text, primary.root, primary.ops + tuple(ops))
        return Traversal(loc, text, primary, tuple(ops))

    def operand(self, children: list[Any], i: int) -> tuple[Expr, int]:
        """The operand starting at ``children[i]`` (a term, or ``( expression )``, with the attributes and
        indexes that follow it), and the index after it."""
        first = children[i]
        if first.type == "(":
            primary, i = self.expression(children[i + 1]), i + 3
        else:
            primary, i = self.term(first), i + 1
        ops: list[tuple[str, Any]] = []
        last = None
        while i < len(children) and children[i].type in _POSTFIX:
            ops.extend(self.postfix(children[i]))
            last = children[i]
            i += 1
        if last is None:
            return primary, i
        loc = self.location(first, last.end_point)
        text = self.source(first.start_byte, last.end_byte)
        if isinstance(primary, Traversal):
            return Traversal(loc, text, primary.root, primary.ops + tuple(ops)), i
        return Traversal(loc, text, primary, tuple(ops)), i

    def get_attr(self, node: Any) -> tuple[str, Any]:
        name_text = self.source(node.start_byte + 1, node.end_byte)
        if name_text.isidentifier():  # ".name", nothing between: the name without making the two child nodes
            return ("attr", name_text)
        parts = node.children
        name = parts[1] if len(parts) == 2 else node.named_children[0]  # ". name", or a comment between
        return ("attr", self.source(name.start_byte, name.end_byte))

    def postfix(self, node: Any) -> list[tuple[str, Any]]:
        kind = node.type
        if kind == "get_attr":
            return [self.get_attr(node)]
        if kind == "index":
            inner = node.named_children[0]
            if inner.type == "legacy_index":
                digits = self.source(inner.start_byte, inner.end_byte)[1:].strip()
                if not digits.isdigit():
                    raise Rejected("legacy index")
                loc, text = self.loc(inner), digits
                return [("index", Lit(loc, text, int(digits)))]
            expressions = [c for c in inner.children if c.type == "expression"]
            if len(expressions) != 1:
                raise Rejected("index")
            return [("index", self.expression(expressions[0]))]
        # splat: ("splat", None), then the attributes and indexes it carries
        splat = node.named_children[0]
        ops: list[tuple[str, Any]] = [("splat", None)]
        for op in splat.named_children:
            if op.type in ("get_attr", "index"):
                ops.extend(self.postfix(op))
            elif op.type != "comment":
                raise Rejected(op.type)
        return ops

    def term(self, node: Any) -> Expr:
        kind = node.type
        if kind == "literal_value":
            return self.literal(_only(node))
        if kind == "variable_expr":
            text = self.source(node.start_byte, node.end_byte)  # spans its identifier exactly
            return Traversal(self.loc(node), text, text, ())
        if kind == "collection_value":
            return self.collection(_only(node))
        if kind == "function_call":
            return self.call(node)
        if kind == "template_expr":
            inner = _only(node)
            if inner.type == "quoted_template":
                return self.quoted(inner)
            if inner.type == "heredoc_template":
                return self.heredoc(inner)
            raise Rejected(inner.type)
        if kind == "expression":
            return self.expression(node)
        if kind == "for_expr":
            return self.for_expression(node.named_children[0])
        if kind == "operation":
            return self.operation(_only(node))
        if kind == "conditional":
            return self.conditional(node)
        raise Rejected(kind)

    def literal(self, node: Any) -> Expr:
        kind = node.type
        if kind == "string_lit":
            return self.quoted(node)
        word = self.source(node.start_byte, node.end_byte)
        if kind == "numeric_lit":
            if _FLOAT.search(word):
                return Lit(self.loc(node), word, float(word))
            if not word.isdigit():
                raise Rejected("number")
            return Lit(self.loc(node), word, int(word))
        if kind == "bool_lit":
            return Lit(self.loc(node), word, word == "true")
        if kind == "null_lit":
            return Lit(self.loc(node), word, None)
        raise Rejected(kind)

    def collection(self, node: Any) -> Expr:
        loc, text = self.loc(node), self.source(node.start_byte, node.end_byte)
        kind = node.type
        if kind == "tuple":
            return Tuple(loc, text, tuple([self.expression(c) for c in node.children if c.type == "expression"]))
        if kind != "object":
            raise Rejected(kind)
        items = []
        for elem in node.children:
            kind = elem.type
            if kind != "object_elem":
                if kind not in ("object_start", "object_end", "comment") and elem.is_named:
                    raise Rejected(kind)
                continue
            key_node, value_node = [c for c in elem.children if c.type == "expression"]
            key = self.expression(key_node)
            if isinstance(key, Traversal) and isinstance(key.root, str) and not key.ops:
                key = Lit(key.loc, key.text, key.root)  # { name = 1 }: a bare word is a literal key
            items.append((key, self.expression(value_node)))
        return Object(loc, text, tuple(items))

    def call(self, node: Any) -> Expr:
        children = node.children
        name = self.source(children[0].start_byte, children[0].end_byte)
        args: tuple[Expr, ...] = ()
        expand = False
        for child in children[1:]:
            kind = child.type
            if kind == "function_arguments":
                inner = child.children
                args = tuple([self.expression(c) for c in inner if c.type == "expression"])
                expand = any(c.type == "ellipsis" for c in inner)
            elif kind != "comment" and child.is_named:
                raise Rejected(kind)
        return Call(self.loc(node), self.source(node.start_byte, node.end_byte), name, args, expand)

    def operation(self, node: Any) -> Expr:
        kind = node.type
        children = [c for c in node.children if c.type != "comment"]
        if kind == "binary_operation":
            self.lark_ends.add(node.end_byte)
            loc, text = self.span(node)
        else:
            loc, text = self.loc(node), self.source(node.start_byte, node.end_byte)
        if kind == "unary_operation":
            op = children[0].type
            operand, _ = self.operand(children, 1)
            return Operation(loc, text, "neg" if op == "-" else "!", (operand,))
        if kind != "binary_operation":
            raise Rejected(kind)
        left, i = self.operand(children, 0)
        op = children[i].type
        right, _ = self.operand(children, i + 1)
        return Operation(loc, text, op, (left, right))

    def conditional(self, node: Any) -> Expr:
        parts = [c for c in node.children if c.type == "expression"]
        if len(parts) != 3:
            raise Rejected("conditional")
        cond, yes, no = (self.expression(p) for p in parts)
        loc, text = self.span(node)
        return Conditional(loc, text, cond, yes, no)

    def for_expression(self, node: Any) -> Expr:
        named = [c for c in node.named_children if c.type not in ("comment", "tuple_start", "tuple_end",
                                                                   "object_start", "object_end")]
        intro, rest = named[0], named[1:]
        names = [self.source(c.start_byte, c.end_byte) for c in intro.named_children if c.type == "identifier"]
        collection = self.expression([c for c in intro.named_children if c.type == "expression"][0])
        cond = None
        if rest and rest[-1].type == "for_cond":
            cond = self.expression([c for c in rest[-1].named_children if c.type == "expression"][0])
            rest = rest[:-1]
        grouping = any(c.type == "ellipsis" for c in rest)
        values = [c for c in rest if c.type == "expression"]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        is_object = node.type == "for_object_expr"
        key = self.expression(values[0]) if is_object else None
        value = self.expression(values[1] if is_object else values[0])
        return ForExpr(self.loc(node), self.source(node.start_byte, node.end_byte), key_var, value_var, collection,
                       key, value, cond, grouping)

    # --- templates -------------------------------------------------------------------------------

    def quoted(self, node: Any) -> Expr:
        """A quoted string: the literal runs between its interpolations and directives, as python-hcl2
        splits them (``$${`` and ``%%{`` escapes are parts of their own)."""
        text = self.source(node.start_byte, node.end_byte)
        markers: list[tuple[int, int, Expr | None]] = []
        if "{" in text:  # without an interpolation or a directive the children are text alone: not visited
            self.template_markers(node, markers)
        parts: list[Any] = []
        directives = False
        pos = node.start_byte + 1
        for start, end, expr in markers:
            self.literal_parts(pos, start, parts)
            if expr is None:
                directives = True
            else:
                parts.append(expr)
            pos = end
        self.literal_parts(pos, node.end_byte - 1, parts)
        return Template(self.loc(node), text, tuple(parts), directives)

    def template_markers(self, node: Any, out: list[tuple[int, int, Expr | None]]) -> None:
        for child in node.children:
            kind = child.type
            if kind in _TEMPLATE_TEXT:
                continue
            if kind == "template_interpolation":
                pieces = child.children
                inner = [c for c in pieces if c.type == "expression"]
                if len(inner) != 1 or any(c.type == "strip_marker" for c in pieces):
                    raise Rejected("interpolation")  # python-hcl2 has no ${~ ~}
                out.append((child.start_byte, child.end_byte, self.expression(inner[0])))
            elif kind in ("template_directive", "template_if", "template_for"):
                self.template_markers(child, out)
            elif kind in _DIRECTIVE_PIECES:
                out.append((child.start_byte, child.end_byte, None))
            elif child.is_named:
                raise Rejected(kind)

    def literal_parts(self, start: int, end: int, parts: list[Any]) -> None:
        if end <= start:
            return
        raw = self.source(start, end)
        if '"' in raw and '"' in raw.replace('\\"', ""):
            raise Rejected("quote inside a template")
        if "$${" not in raw and "%%{" not in raw:  # no escaped marker: one part
            parts.append(_unescape(raw))
            return
        for piece in _ESCAPED.split(raw):
            if not piece:
                continue
            if _ESCAPED.fullmatch(piece):
                parts.append(piece[1:])
            else:
                parts.append(_unescape(piece))

    def heredoc_end(self, node: Any) -> int:
        """python-hcl2's heredoc token runs to the end of the closing marker's line, its line break included."""
        end: int = node.end_byte
        if self.padded[end:end + 2] == b"\r\n":
            return end + 2
        if self.padded[end:end + 1] == b"\n":
            return end + 1
        raise Rejected("heredoc end")

    def heredoc(self, node: Any) -> Expr:
        self.lark_ends.add(node.end_byte)
        end = self.heredoc_end(node)
        strip = node.named_children[0].type == "heredoc_start" and \
            self.source(node.named_children[0].start_byte, node.named_children[0].end_byte) == "<<-"
        raw = self.padded[node.start_byte:end].decode("utf-8", "replace")  # the token, as python-hcl2 lexed it
        loc = self.location(node, self.point_at(end))
        return heredoc_template(raw, loc, self.source(node.start_byte, end), strip, self.fixed is not None)


def _only(node: Any) -> Any:
    """The one child of a wrapper node (``literal_value``, ``variable_expr``, ...)."""
    children = node.children
    return children[0] if len(children) == 1 else node.named_children[0]


_IGNORED_BYTES = re.compile(_IGNORED.pattern.encode())
_NL_OR_COMMENT_BYTES = re.compile(_NL_OR_COMMENT.pattern.encode())
