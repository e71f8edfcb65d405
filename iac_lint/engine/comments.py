"""Where a line's comment starts, so that suppressions are read from real comments only.

An ``iac-lint: ignore`` inside a string value (a ``Sid``, a ``Description``,
a Terraform ``name``) is data a pull request wrote, not a comment: it must
not silence a finding.  The scan is one pass over the line, tracking quotes,
so its cost is linear whatever the line holds.  Strings that span lines
(YAML block scalars, heredocs) are not followed across lines.
"""

from __future__ import annotations

HCL_SUFFIXES = (".tf", ".tfvars", ".hcl")
# A line longer than this is not searched for a directive: nobody writes such a comment by hand.
MAX_DIRECTIVE_LINE = 4096


def comment_start(line: str, hcl: bool) -> int | None:
    """The index where the comment of ``line`` starts (its ``#``, ``//`` or ``/*``), or None.

    YAML: ``#`` at the start or after whitespace, outside quotes (``'it''s'``, ``"a\\"b"``).
    HCL: ``#``, ``//`` or ``/*`` outside a double-quoted string.
    """
    quote = ""
    index, length = 0, len(line)
    while index < length:
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                if quote == "'" and index + 1 < length and line[index + 1] == "'":
                    index += 2  # YAML's '' inside single quotes
                    continue
                quote = ""
        elif char == '"' or (char == "'" and not hcl and _starts_scalar(line, index)):
            quote = char
        elif _opens_comment(line, index, hcl):
            return index
        index += 1
    return None


def _opens_comment(line: str, index: int, hcl: bool) -> bool:
    if hcl:
        return line[index] == "#" or line.startswith(("//", "/*"), index)
    return line[index] == "#" and (index == 0 or line[index - 1] in " \t")


def _starts_scalar(line: str, index: int) -> bool:
    """A YAML single quote opens a string only where a scalar starts (``it's`` is plain text)."""
    before = line[:index].rstrip()
    return not before or before[-1] in ":-[{,?"


def is_hcl(file: str) -> bool:
    return file.lower().endswith(HCL_SUFFIXES)
