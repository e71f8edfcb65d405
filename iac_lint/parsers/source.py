"""What every parser is given: the user's parse options, and a unit's text read safely.

Kept apart from ``iac_lint.parsers`` (which dispatches to the formats) so
that format modules can import it without importing the dispatcher back.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field

from iac_lint.model import Location, Template
from iac_lint.model.paths import real_path

MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(slots=True)
class ParseOptions:
    """Values a user chooses for things templates leave open."""

    stage: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # serverless --param, CloudFormation parameters
    var_files: list[str] = field(default_factory=list)  # terraform --var-file
    tf_vars: dict[str, str] = field(default_factory=dict)  # terraform --var
    roots: list[str] = field(default_factory=list)  # scanned roots: nothing outside is ever read


def in_never_walked_directory(path: str, roots: Iterable[str]) -> bool:
    """Whether an include names a file under ``.git``, ``node_modules``, ... below a scanned root (a
    checkout token lives in ``.git/config``): discovery never walks there, and no include reads there either."""
    from iac_lint.discover import DEFAULT_EXCLUDES

    absolute = os.path.abspath(path)
    for candidate in {absolute, real_path(absolute)}:
        for root in roots:
            for top in (resolved_root(root), os.path.abspath(root)):
                if _within(candidate, top):
                    parts = os.path.relpath(candidate, top).split(os.sep)[:-1]
                    if any(part in DEFAULT_EXCLUDES for part in parts):
                        return True
                    break
    return False


def _within(real: str, top: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def inside(path: str, roots: Iterable[str]) -> bool:
    """Whether ``path``, symlinks resolved, lies in one of ``roots`` (themselves resolved)."""
    real = real_path(os.path.abspath(path))  # its directories resolved once per scan, the file itself each time
    return any(_within(real, resolved_root(root)) for root in roots)


@functools.lru_cache(maxsize=4096)
def resolved_root(root: str) -> str:
    """A scanned root with its links resolved, once per scan: every file read is checked against every
    root, and a pre-commit run names hundreds of files, each its directory's root.

    Each scan and each editor re-lint starts with ``forget_resolved_roots``: a long-lived language server
    must not keep checking against where a root's link pointed before it was moved."""
    return os.path.realpath(root)


def forget_resolved_roots() -> None:
    resolved_root.cache_clear()
    real_path.cache_clear()


def read_text(path: str, tpl_format: str = "unknown",
              roots: Iterable[str] | None = None) -> tuple[str | None, Template | None]:
    """The file's text, or a template holding the located reason it cannot be read.

    Only a regular file is opened, and, when ``roots`` are given, only one whose real path lies inside
    them (a committed symlink to ``/etc`` or ``~/.aws`` is refused, E002).
    """
    if roots is not None and not inside(path, roots):
        tpl = Template(path=path, format=tpl_format)
        tpl.problem("E002", "the file is a link to a path outside the scanned root; not read", Location(path, 1, 1))
        return None, tpl
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            return None, failed_template(path, tpl_format, "not a regular file (a FIFO, device or socket); not read")
        size = status.st_size
        if size > MAX_FILE_BYTES:
            return None, failed_template(path, tpl_format,
                                         f"file is {size} bytes, larger than the {MAX_FILE_BYTES} limit")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):  # replaced between the stat and the open
                return None, failed_template(path, tpl_format, "not a regular file; not read")
            raw = _read_at_most(fd, MAX_FILE_BYTES + 1, opened.st_size)
        finally:
            os.close(fd)
    except OSError as exc:
        return None, failed_template(path, tpl_format, f"cannot read file: {exc.strerror}")
    if len(raw) > MAX_FILE_BYTES:  # st_size lied
        return None, failed_template(path, tpl_format, f"file is larger than the {MAX_FILE_BYTES} limit")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, failed_template(path, tpl_format, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                                     line, column)


def _read_at_most(fd: int, limit: int, size: int) -> bytes:
    """Up to ``limit`` bytes of an open file, to its end.

    Asked for its size first, not for the limit: a request of the limit allocates that much (20 MiB) for
    every small file.  A file longer than its size said (it grows, or ``/proc``) is read on in small steps.
    """
    chunks: list[bytes] = []
    total, want = 0, min(size + 1, limit)
    while total < limit:
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = min(limit - total, 1 << 16)
    return b"".join(chunks)


def is_oversized(failed: Template | None) -> bool:
    """Whether ``read_text`` refused the file for its size only (a caller may then classify a prefix)."""
    return failed is not None and any(p.rule_id == "E001" and "larger than the" in p.message
                                      for p in failed.problems)


def failed_template(path: str, fmt: str, message: str, line: int = 1, column: int = 1) -> Template:
    """A template with nothing in it but the located reason the unit could not be parsed."""
    tpl = Template(path=path, format=fmt)
    tpl.problem("E001", message, Location(path, line, column))
    return tpl
