"""Text edits that respect each template syntax: YAML indentation, HCL blocks, JSON objects.

Quick fixes are computed on the editor's buffer as text, so that they keep the
author's layout and comments (re-serialising a parsed template would lose
both).  Every function takes the buffer's lines (without line endings) and
returns an ``Edit`` in LSP snippet syntax, or ``None`` when the text does not
have the expected shape; a quick fix is then simply not offered.

Positions are 0-based lines and code-point columns; the server converts them
to the client's units.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\$\{\d+:([^}]*)\}")
_SNIPPET_ESCAPE = re.compile(r"\\([$}\\])")
_YAML_BLOCK_SCALAR = re.compile(r"(?::|^-|\s-)\s*[|>][-+0-9]*\s*(?:#.*)?$")
_HEREDOC = re.compile(r"<<-?\s*\"?([A-Za-z_][A-Za-z0-9_]*)\"?\s*$")
_COMMENT_ONLY = re.compile(r"^\s*(?:#|//)")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``start``..``end`` with ``snippet`` (LSP snippet syntax: ``${1:reason}``, ``\\$``)."""

    start: tuple[int, int]
    end: tuple[int, int]
    snippet: str

    @property
    def plain(self) -> str:
        return as_plain(self.snippet)


def as_plain(snippet: str) -> str:
    """The text a client without snippet support inserts: every placeholder's default."""
    return _SNIPPET_ESCAPE.sub(r"\1", _PLACEHOLDER.sub(lambda m: m.group(1), snippet))


def escape_snippet(text: str) -> str:
    """Literal text for use inside a snippet."""
    return re.sub(r"([$}\\])", r"\\\1", text)


def insert(line: int, column: int, snippet: str) -> Edit:
    return Edit((line, column), (line, column), snippet)


def indent_of(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


def _indented(text: str, indent: str) -> str:
    return "".join(indent + part + "\n" if part else "\n" for part in text.split("\n"))


def _is_code(text: str) -> bool:
    return bool(text.strip()) and not _COMMENT_ONLY.match(text)


# --- comments --------------------------------------------------------------------------------


def comment_above(lines: list[str], line: int, body: str) -> Edit:
    """``# body`` on a new line above ``line``, indented like it."""
    indent = indent_of(lines[line]) if 0 <= line < len(lines) else ""
    return insert(line, 0, f"{indent}# {body}\n")


def comment_allowed_above(lines: list[str], line: int, syntax: str) -> bool:
    """False when ``line`` is inside a multi-line string, where a comment would become content."""
    if syntax == "hcl":
        return not _in_heredoc(lines, line)
    if syntax == "yaml":
        return not _in_block_scalar(lines, line)
    return False


def _in_heredoc(lines: list[str], line: int) -> bool:
    terminator: str | None = None
    for number, text in enumerate(lines[: line + 1]):
        if terminator is not None:
            if text.strip() == terminator:
                terminator = None
                if number == line:
                    return True
            elif number == line:
                return True
            continue
        opener = _HEREDOC.search(text)
        if opener and number < line:
            terminator = opener.group(1)
    return False


def _in_block_scalar(lines: list[str], line: int) -> bool:
    if not 0 <= line < len(lines) or not lines[line].strip():
        return False
    indent = len(indent_of(lines[line]))
    for number in range(line - 1, -1, -1):
        text = lines[number]
        if not text.strip():
            continue
        own = len(indent_of(text))
        if own < indent:
            if _YAML_BLOCK_SCALAR.search(text.rstrip()):
                return True
            if own == 0:
                return False
            indent = own
    return False


# --- YAML --------------------------------------------------------------------------------------


def _yaml_key(text: str) -> tuple[int, str] | None:
    """(column of the key, key) when ``text`` opens a block mapping value: ``  Key:`` or ``- Key:``."""
    body = re.sub(r"\s+#.*$", "", text).rstrip()
    match = re.match(r"^(\s*(?:-\s+)?)([\"']?)([^\"':#{}\[\]]+)\2:$", body)
    if not match:
        return None
    return len(match.group(1)), match.group(3).strip()


def _yaml_children(lines: list[str], line: int) -> list[int]:
    """The code lines nested under the key on ``line``, in order."""
    key = _yaml_key(lines[line]) if 0 <= line < len(lines) else None
    if key is None:
        return []
    column = key[0]
    out = []
    for number in range(line + 1, len(lines)):
        text = lines[number]
        if not _is_code(text):
            continue
        if len(indent_of(text)) <= column:
            break
        out.append(number)
    return out


def yaml_add_child(lines: list[str], line: int, text: str) -> Edit | None:
    """``text`` as the first entry under the mapping key on ``line``, indented like its entries."""
    key = _yaml_key(lines[line]) if 0 <= line < len(lines) else None
    if key is None:
        return None
    children = _yaml_children(lines, line)
    indent = indent_of(lines[children[0]]) if children else " " * (key[0] + 2)
    return insert(line + 1, 0, _indented(text, indent))


def _direct_child(lines: list[str], line: int, name: str) -> int | None:
    children = _yaml_children(lines, line)
    if not children:
        return None
    column = len(indent_of(lines[children[0]]))
    for number in children:
        key = _yaml_key(lines[number]) if len(indent_of(lines[number])) == column else None
        if key is not None and key[1] == name:
            return number
        if len(indent_of(lines[number])) == column and re.match(rf"^\s*{re.escape(name)}\s*:", lines[number]):
            return number
    return None


def yaml_node_text(lines: list[str], line: int) -> str:
    children = _yaml_children(lines, line)
    return "\n".join(lines[line: (children[-1] if children else line) + 1])


def yaml_add_property(lines: list[str], header: int, text: str) -> Edit | None:
    """``text`` among a resource's settings: under ``Properties:`` when the node is a
    CloudFormation resource (it has a ``Type:``), else directly under the node (a Serverless
    Framework function).  ``Properties:`` is added when missing."""
    if _yaml_key(lines[header] if 0 <= header < len(lines) else "") is None:
        return None
    if _direct_child(lines, header, "Type") is None:
        return yaml_add_child(lines, header, text)
    properties = _direct_child(lines, header, "Properties")
    if properties is not None:
        return yaml_add_child(lines, properties, text)  # None for a flow-style ``Properties: {...}``
    children = _yaml_children(lines, header)
    indent = indent_of(lines[children[0]])
    last = children[-1]
    return insert(last + 1, 0, _indented("Properties:\n" + _indented(text, "  ").rstrip("\n"), indent))


# --- HCL ---------------------------------------------------------------------------------------


def hcl_block_end(lines: list[str], header: int) -> int | None:
    """The line of the ``}`` that closes the block opened on ``header``."""
    depth = 0
    opened = False
    terminator: str | None = None
    for number in range(header, len(lines)):
        text = lines[number]
        if terminator is not None:
            if text.strip() == terminator:
                terminator = None
            continue
        i, in_string = 0, False
        while i < len(text):
            char = text[i]
            if in_string:
                if char == "\\":
                    i += 1
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "#" or text.startswith("//", i):
                break
            elif char == "{":
                depth += 1
                opened = True
            elif char == "}":
                depth -= 1
                if opened and depth == 0:
                    return number
            i += 1
        opener = _HEREDOC.search(text)
        if opener and not in_string:
            terminator = opener.group(1)
    return None


def hcl_block_text(lines: list[str], header: int) -> str:
    end = hcl_block_end(lines, header)
    return "\n".join(lines[header: (end if end is not None else header) + 1])


def hcl_add_in_block(lines: list[str], header: int, text: str) -> Edit | None:
    """``text`` as the block's last entry, before its closing brace."""
    end = hcl_block_end(lines, header)
    if end is None or end == header:
        return None
    return insert(end, 0, _indented(text, indent_of(lines[header]) + "  "))


def hcl_add_after_block(lines: list[str], header: int, text: str) -> Edit | None:
    """``text`` (a new block) after the block opened on ``header``, a blank line between."""
    end = hcl_block_end(lines, header)
    if end is None:
        return None
    return insert(end, len(lines[end]), "\n\n" + _indented(text, indent_of(lines[header])).rstrip("\n"))


# --- JSON --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _JsonObject:
    open: int  # offset of "{"
    members: dict[str, _JsonNode]


@dataclass(slots=True)
class _JsonArray:
    open: int  # offset of "["
    items: int


@dataclass(slots=True)
class _JsonScalar:
    start: int


_JsonNode = _JsonObject | _JsonArray | _JsonScalar
_JSON_SCALAR = re.compile(r'"(?:[^"\\]|\\.)*"|[-+0-9.eE]+|true|false|null')


class _JsonScanner:
    """Just enough of JSON to know where each object's members and each array start."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def _expect(self, char: str) -> None:
        self._skip()
        if self.text[self.pos: self.pos + 1] != char:
            raise ValueError(f"expected {char!r} at {self.pos}")
        self.pos += 1

    def value(self, depth: int = 0) -> _JsonNode:
        if depth > 200:
            raise ValueError("nesting too deep")
        self._skip()
        start = self.pos
        char = self.text[start: start + 1]
        if char == "{":
            self.pos += 1
            members: dict[str, _JsonNode] = {}
            self._skip()
            if self.text[self.pos: self.pos + 1] == "}":
                self.pos += 1
                return _JsonObject(start, members)
            while True:
                self._skip()
                key = _JSON_SCALAR.match(self.text, self.pos)
                if key is None or not key.group().startswith('"'):
                    raise ValueError(f"expected a key at {self.pos}")
                self.pos = key.end()
                self._expect(":")
                members[json.loads(key.group())] = self.value(depth + 1)
                self._skip()
                if self.text[self.pos: self.pos + 1] == ",":
                    self.pos += 1
                    continue
                self._expect("}")
                return _JsonObject(start, members)
        if char == "[":
            self.pos += 1
            count = 0
            self._skip()
            if self.text[self.pos: self.pos + 1] == "]":
                self.pos += 1
                return _JsonArray(start, 0)
            while True:
                self.value(depth + 1)
                count += 1
                self._skip()
                if self.text[self.pos: self.pos + 1] == ",":
                    self.pos += 1
                    continue
                self._expect("]")
                return _JsonArray(start, count)
        scalar = _JSON_SCALAR.match(self.text, self.pos)
        if scalar is None:
            raise ValueError(f"unexpected text at {self.pos}")
        self.pos = scalar.end()
        return _JsonScalar(start)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def json_metadata_ignore(text: str, resource: str, entry: str) -> Edit | None:
    """Add ``entry`` (a JSON object in snippet syntax) to ``Resources.<resource>.Metadata.iac-lint.ignore``,
    creating whatever part of that path is missing."""
    try:
        root = _JsonScanner(text).value()
    except (ValueError, IndexError):
        return None
    resources = root.members.get("Resources") if isinstance(root, _JsonObject) else None
    node = resources.members.get(resource) if isinstance(resources, _JsonObject) else None
    if not isinstance(node, _JsonObject):
        return None
    path = ["Metadata", "iac-lint", "ignore"]
    value = f"[{entry}]"
    for depth, key in enumerate(path):
        child = node.members.get(key)
        if child is None:
            for outer in reversed(path[depth + 1:]):
                value = f'{{"{outer}": {value}}}'
            member = f'"{key}": {value}'
            if depth == 0:  # the resource's own members sit on lines of their own: follow their layout
                line, _ = _position(text, node.open)
                indent = indent_of(text.split("\n")[line]) + "  "
                first = min((_first_offset(text, v) for v in node.members.values()), default=None)
                if first is not None and _position(text, first)[0] > line:
                    indent = indent_of(text.split("\n")[_position(text, first)[0]])
                tail = "," if node.members else ""
                return insert(*_position(text, node.open + 1), f"\n{indent}{member}{tail}")
            return insert(*_position(text, node.open + 1), member + (", " if node.members else ""))
        if key == "ignore":
            if not isinstance(child, _JsonArray):
                return None
            return insert(*_position(text, child.open + 1), entry + (", " if child.items else ""))
        if not isinstance(child, _JsonObject):
            return None
        node = child
    return None


def _first_offset(text: str, node: _JsonNode) -> int:
    # The member's key precedes its value on the same line in every layout worth following.
    return node.open if isinstance(node, (_JsonObject, _JsonArray)) else node.start
