"""What every parser is given: the user's parse options, and a unit's text read safely.

Kept apart from ``iac_lint.parsers`` (which dispatches to the formats) so
that format modules can import it without importing the dispatcher back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from iac_lint.model import Location, Template

MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(slots=True)
class ParseOptions:
    """Values a user chooses for things templates leave open."""

    stage: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # serverless --param, CloudFormation parameters
    var_files: list[str] = field(default_factory=list)  # terraform --var-file
    tf_vars: dict[str, str] = field(default_factory=dict)  # terraform --var
    roots: list[str] = field(default_factory=list)  # scanned roots: nothing outside is ever read


def read_text(path: str, tpl_format: str = "unknown") -> tuple[str | None, Template | None]:
    """The file's text, or a template holding the located reason it cannot be read."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return None, failed_template(path, tpl_format,
                                         f"file is {size} bytes, larger than the {MAX_FILE_BYTES} limit")
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        return None, failed_template(path, tpl_format, f"cannot read file: {exc.strerror}")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, failed_template(path, tpl_format, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                                     line, column)


def failed_template(path: str, fmt: str, message: str, line: int = 1, column: int = 1) -> Template:
    """A template with nothing in it but the located reason the unit could not be parsed."""
    tpl = Template(path=path, format=fmt)
    tpl.problem("E001", message, Location(path, line, column))
    return tpl
