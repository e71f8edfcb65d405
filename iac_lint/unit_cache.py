"""A cache of each unit's results (its report view and findings), keyed by the content of what it read.

Where: ``$IAC_LINT_CACHE_DIR`` if set, else the user's cache directory
(``$XDG_CACHE_HOME/iac-lint``, ``~/.cache/iac-lint``; ``~/Library/Caches/iac-lint``
on macOS; ``%LOCALAPPDATA%\\iac-lint\\Cache`` on Windows).  Not in the
scanned repository, unlike ruff's ``.ruff_cache``: entries are pickles, and
iac-lint runs on untrusted pull requests, so it must never unpickle a file a
repository could have committed.  The directory is created private (0700)
and is not used when another user owns it or others may write to it.

An entry is used only when all of these are unchanged:

- the run: iac-lint's version and the content of its own code (an edited
  checkout invalidates everything), Python's version, the parse options
  (stage, parameters, variables and the content of every ``--var-file``),
  the scanned roots, the working directory, the project root (the
  fingerprints the entry holds are relative to it), whether the lines of
  flagged files are kept (``Config.keep_lines``), and every active rule (id,
  severity, options, and its file's content);
- the unit: its kind, path, files, and the files it reports on;
- what the unit read: the SHA-256 of every file its templates were read from
  (includes, called modules, ``.tfvars``, ``file()`` targets), and the
  listing of each directory those files are in (a new ``.tf`` file in a
  called module, a new ``terraform.tfvars``).  A file is hashed again only
  when its stamp (size, modification and change times, inode) differs from
  the one recorded, or when it was modified less than three seconds before
  the entry was written (file systems that keep times to the second).

A unit that reported a file it could not read (E002) is not stored: what is
missing is not watched.  An entry whose body does not match the SHA-256 its
header records, or that cannot be read or unpickled, is ignored and
rewritten.  ``--no-cache`` (``cache: false``) turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any

from iac_lint import __version__
from iac_lint.discover import Unit
from iac_lint.model.paths import scan_root

if TYPE_CHECKING:
    from iac_lint.config import Config
    from iac_lint.engine.rules import Rule

# What an entry holds: a lint_units.UnitResult (not imported: that module sits above this one).
UnitResult = Any
# Bumped when the layout of an entry changes.
ENTRY_FORMAT = 2
# A file whose recorded size, times and inode are unchanged is taken to hold what was hashed, unless it was
# modified this close to when the entry was written: on a file system that keeps times to the second (or
# two), a second write in the same tick leaves them as they were.
_RACY_NS = 3_000_000_000
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def cache_directory() -> str:
    """Where entries live (see the module docstring)."""
    explicit = os.environ.get("IAC_LINT_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~"), "Library", "Caches", "iac-lint")
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~")
        return os.path.join(base, "iac-lint", "Cache")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "iac-lint")


def _file_digest(path: str) -> str | None:
    return _file_state(path)[0]


def _file_state(path: str) -> tuple[str | None, list[int] | None]:
    """The content's hash and the stamp (``_stamp``) of the file it was read from.

    Read in chunks and only from a regular file (a FIFO would block, a sparse 2 GiB file would fill memory);
    a file over the parsers' size limit is known by its size and time instead."""
    from iac_lint.parsers.source import MAX_FILE_BYTES

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None, None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, None
        if info.st_size > MAX_FILE_BYTES:
            return f"large:{info.st_size}:{info.st_mtime_ns}", None
        digest, left = hashlib.sha256(), MAX_FILE_BYTES + 1
        try:
            while left > 0 and (chunk := handle.read(min(left, 1 << 20))):
                digest.update(chunk)
                left -= len(chunk)
        except OSError:
            return None, None
        return digest.hexdigest(), _stamp(info)


def _stamp(info: os.stat_result) -> list[int]:
    # The change time too: setting a file's modification time back (touch -d) still moves it.
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


def _listing(directory: str) -> list[str] | None:
    try:
        return sorted(os.listdir(directory or "."))
    except OSError:
        return None


def _code_identity() -> list[Any]:
    """Size and modification time of every module of iac-lint: a changed checkout is another tool."""
    out: list[Any] = []
    for folder, dirs, names in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                out.append([os.path.relpath(os.path.join(folder, name), _PACKAGE), info.st_size, info.st_mtime_ns])
    return out


def run_key(config: Config, rules: list[Rule]) -> str:
    """What every entry of this run depends on besides its unit."""
    options = config.parse
    identity = {
        "format": ENTRY_FORMAT, "version": __version__, "python": sys.version, "code": _code_identity(),
        "cwd": os.getcwd(), "project_root": scan_root(options.roots), "keep_lines": config.keep_lines,
        "stage": options.stage, "params": sorted(options.params.items()),
        "tf_vars": sorted(options.tf_vars.items()), "roots": list(options.roots),
        "var_files": [[path, _file_digest(path)] for path in options.var_files],
        "rules": [[r.id, r.severity, r.options, r.source, _file_digest(r.source) if r.source else None]
                  for r in rules],
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()


def _usable_directory(path: str) -> bool:
    """Ours, and writable by nobody else (a shared or planted directory is never read)."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class UnitCache:
    """Entries of one run (``for_run``); ``load``/``store`` by unit. Never raises."""

    def __init__(self, directory: str, key: str) -> None:
        self.directory = directory
        self.key = key
        # Within a run, each file is hashed and each folder listed once, however many units watch it (a
        # folder of templates, a module that many examples call).
        self._digests: dict[str, str | None] = {}
        self._listings: dict[str, list[str] | None] = {}

    def _digest(self, path: str) -> str | None:
        if path not in self._digests:
            self._digests[path] = _file_digest(path)
        return self._digests[path]

    def _unchanged(self, path: str, recorded: list[Any], written: int) -> bool:
        """Whether ``path`` still holds what was hashed when the entry was written: by its stamp when the file
        was last modified well before that, else by its content (hashing every watched file was most of the
        time a re-run spent checking entries)."""
        digest, stamp = recorded
        if stamp is not None and stamp[1] < written - _RACY_NS:
            try:
                if _stamp(os.stat(path)) == stamp:
                    return True
            except OSError:
                return False
        return self._digest(path) == digest

    def _listed(self, directory: str) -> list[str] | None:
        if directory not in self._listings:
            self._listings[directory] = _listing(directory)
        return self._listings[directory]

    @classmethod
    def for_run(cls, config: Config, rules: list[Rule]) -> UnitCache | None:
        directory = os.path.join(cache_directory(), "units")
        if not _usable_directory(directory):
            return None
        return cls(directory, run_key(config, rules))

    def _entry_path(self, unit: Unit) -> str:
        # Every field of the unit: what it is, its files, and which of them are reported (named files).
        name = json.dumps([self.key, unit.kind, unit.path, unit.files, unit.reason, unit.report_only])
        digest = hashlib.sha256(name.encode()).hexdigest()
        return os.path.join(self.directory, digest[:2], digest)

    @staticmethod
    def _watched(unit: Unit, result: UnitResult) -> dict[str, Any]:
        files = sorted({*unit.files, *(file for tpl in result.templates for file in tpl.sources)})
        folders = sorted({os.path.dirname(f) for f in files} | ({unit.path} if unit.kind == "terraform" else set()))
        return {"files": {f: _file_state(f) for f in files}, "folders": {d: _listing(d) for d in folders},
                "written": time.time_ns()}

    def load(self, unit: Unit) -> UnitResult | None:
        try:
            with open(self._entry_path(unit), "rb") as handle:
                header = json.loads(handle.readline())
                watched = header["watched"]
                written = watched["written"]
                if not all(self._unchanged(f, recorded, written) for f, recorded in watched["files"].items()):
                    return None
                if any(self._listed(d) != listing for d, listing in watched["folders"].items()):
                    return None
                body = handle.read()
            if hashlib.sha256(body).hexdigest() != header["body"]:
                return None  # truncated or damaged: a damaged pickle can load as wrong data, not only fail
            result: UnitResult = pickle.loads(body)
            return result
        except Exception:  # missing, truncated, corrupt, or from an incompatible build: lint again
            return None

    def store(self, unit: Unit, result: UnitResult, body: bytes | None = None) -> None:
        """Keep ``result``; ``body``, when given, is its pickle (made already, to send it to another process)."""
        if unit.kind == "unreadable" or any(p.rule_id == "E002" for tpl in result.templates for p in tpl.problems):
            return
        path, temporary = self._entry_path(unit), ""
        try:
            body = body or pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            header = json.dumps({"watched": self._watched(unit, result),
                                 "body": hashlib.sha256(body).hexdigest()}).encode() + b"\n"
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(header)
                out.write(body)
            os.replace(temporary, path)  # atomic: a concurrent run reads the old entry or the new one
        except Exception:  # a full disk or a read-only home must not fail the scan
            if temporary:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
