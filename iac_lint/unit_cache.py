"""A cache of each unit's results (its report view and findings), keyed by the content of what it read.

Where: ``$IAC_LINT_CACHE_DIR`` if set, else the user's cache directory
(``$XDG_CACHE_HOME/iac-lint``, ``~/.cache/iac-lint``; ``~/Library/Caches/iac-lint``
on macOS; ``%LOCALAPPDATA%\\iac-lint\\Cache`` on Windows).  Not in the
scanned repository, unlike ruff's ``.ruff_cache``: entries are pickles, and
iac-lint runs on untrusted pull requests, so it must never unpickle a file a
repository could have committed.  The directory is created private (0700)
and is not used when another user owns it or others may write to it (on POSIX
systems: on Windows, whose ACLs ``os.stat`` does not show, it is trusted).

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
  it was hashed (file systems that keep times to the second).

A run's entries are one file (``units/<run key>``), read when the run starts;
what the run made or changed is written at its end to a second file beside it
(``units/<run key>.delta``, made for that exact first file), or, once that
holds much, all the entries the run used or made to a new first file (see
``UnitCache``).  A unit that reported a file it could not read (E002) is not
stored: what is missing is not watched.  A file whose contents do not match
the SHA-256 its header records, or that cannot be read, counts as empty; an
entry that cannot be unpickled is linted again.  The built-in YAML rules are
kept as parsed too (``rules/<build>``, ``RuleDocuments``).  ``--no-cache``
(``cache: false``) turns it all off.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import marshal
import os
import pickle
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
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
ENTRY_FORMAT = 5
# A file whose recorded size, times and inode are unchanged is taken to hold what was hashed, unless it was
# modified this close to when it was hashed: on a file system that keeps times to the second (or two), a
# second write in the same tick leaves them as they were.
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


@functools.cache
def _code_identity() -> list[Any]:
    """Size and modification time of every module of iac-lint: a changed checkout is another tool.  Read once
    per process (the run's key and the rules' documents both ask): the code a process runs is the code it
    started with."""
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
    if os.name == "nt":
        # Windows keeps permissions in ACLs, which os.stat does not show (every folder reads as writable by
        # all): the test below would turn the cache off there for good.  A user's LOCALAPPDATA is theirs.
        return True
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class UnitCache:
    """The entries of one run (``for_run``): read whole when the run starts, looked up (``lookup``, ``read``)
    and ``store``-d by unit, and written by ``save`` with the entries the run used or made.  Never raises.

    A run's entries are one file, not one per unit: a re-run after a one-file edit opened 1,300 entry files,
    and opening them and parsing their headers cost twice what unpickling them did.  A file's hash and
    stamp and a folder's listing are recorded once for all the entries that watch them.  What a run makes
    or changes goes to a second, small file beside it (``.delta``), made for that exact first file (it
    names its SHA-256): rewriting every entry after one edit was a twentieth of a re-run.  The two are
    joined into one file again when the second holds a quarter of the entries' bytes, or when a quarter of
    the first one's entries went unused.
    """

    def __init__(self, directory: str, key: str, listings: dict[str, list[str]] | None = None) -> None:
        self.path = os.path.join(directory, key)
        base = _read_pack(self.path)
        delta = _read_pack(self.path + DELTA, base=base.sha256) if base.sha256 else _Pack()
        # Each entry with the records of the file it was read from: (entry, files, folders, bodies, in base).
        self._entries = {name: (entry, base.files, base.folders, base.bodies, True)
                         for name, entry in base.entries.items()}
        self._entries.update((name, (entry, delta.files, delta.folders, delta.bodies, False))
                             for name, entry in delta.entries.items())
        self._base = base
        # What the next files will hold: the entries this run found unchanged or made, and which of them are
        # the first file's as they are.
        self._kept: dict[str, tuple[dict[str, Any] | None, bytes | memoryview]] = {}
        self._in_base: set[str] = set()
        self._stored = False
        # Within a run, each file is hashed and each folder listed once, however many units watch it (a
        # folder of templates, a module that many examples call).
        self._digests: dict[str, str | None] = {}
        # Discovery's, when it gives them: it has just listed every folder it walked.
        self._listings: dict[str, list[str] | None] = dict(listings or {})

    @classmethod
    def for_run(cls, config: Config, rules: list[Rule],
                listings: dict[str, list[str]] | None = None) -> UnitCache | None:
        """The cache of a run; ``listings`` are the sorted names in folders listed this run (``discover``)."""
        directory = os.path.join(cache_directory(), "units")
        if not _usable_directory(directory):
            return None
        return cls(directory, run_key(config, rules), listings)

    def _digest(self, path: str) -> str | None:
        if path not in self._digests:
            self._digests[path] = _file_digest(path)
        return self._digests[path]

    def _unchanged(self, path: str, recorded: list[Any]) -> bool:
        """Whether ``path`` still holds what was hashed: by its stamp when the file was last modified well
        before it was hashed, else by its content (hashing every watched file was most of the time a
        re-run spent checking entries)."""
        digest, stamp, hashed = recorded
        if stamp is not None and stamp[1] < hashed - _RACY_NS:
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

    def lookup(self, unit: Unit) -> str | None:
        """The name of ``unit``'s entry when everything it read is unchanged (``read`` gives its result)."""
        name = _entry_name(unit)
        found = self._entries.get(name)
        if found is None:
            return None
        entry, files, folders = found[:3]
        try:
            watched_files, watched_folders = entry[0], entry[1]
            if not all(self._unchanged(f, files[f]) for f in watched_files):
                return None
            if any(self._listed(d) != folders[d] for d in watched_folders):
                return None
        except Exception:  # an index from an incompatible build
            return None
        return name

    def read(self, name: str) -> UnitResult | None:
        """The result of the entry ``lookup`` found unchanged; None when it does not unpickle."""
        entry, _, _, bodies, in_base = self._entries[name]
        try:
            at, size = entry[2], entry[3]
            body = bodies[at:at + size]
            result: UnitResult = pickle.loads(body)
        except Exception:  # from an incompatible build, or a model class that no longer unpickles: lint again
            return None
        self._kept[name] = (None, body)  # what it watched: made by ``save`` only if it writes the entry
        if in_base:
            self._in_base.add(name)
        return result

    def store(self, unit: Unit, result: UnitResult, body: bytes | None = None,
              watched: dict[str, Any] | None = None) -> None:
        """Keep ``result``; ``body`` and ``watched``, when given, are its pickle and ``watch(unit, result)``,
        made where the unit was linted (a pool worker, in parallel)."""
        if unit.kind == "unreadable" or any(p.rule_id == "E002" for tpl in result.templates for p in tpl.problems):
            return
        try:
            body = body or pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            name = _entry_name(unit)
            self._kept[name] = (watched or watch(unit, result), body)
            self._in_base.discard(name)
            self._stored = True
        except Exception:  # a model too deep to pickle is linted again next time
            pass

    def save(self) -> None:
        """Write the entries this run used or made: those the first file does not hold as they are into the
        second, or all of them into a new first file (see the class).  An entry that saw a file or folder
        otherwise than an earlier one (it changed during the run) is left out."""
        if not self._stored and self._kept.keys() == self._entries.keys():
            return  # every entry was found unchanged: the files already hold all this
        changed = [name for name in self._kept if name not in self._in_base]
        changed_bytes = sum(len(self._kept[name][1]) for name in changed)
        unused = len(self._base.entries) - len(self._in_base)
        if self._base.sha256 and changed_bytes * 4 <= len(self._base.bodies) and unused * 4 <= len(self._base.entries):
            _write_pack(self.path + DELTA, {name: self._watched(name) for name in changed}, base=self._base.sha256)
        elif _write_pack(self.path, {name: self._watched(name) for name in self._kept}):
            try:
                os.unlink(self.path + DELTA)  # made for the file just replaced: it would be ignored
            except OSError:
                pass

    def _watched(self, name: str) -> tuple[dict[str, Any], bytes | memoryview]:
        """A kept entry as a file holds it: what it watched, and its pickle."""
        watched, body = self._kept[name]
        if watched is None:  # read from a file: its records there
            entry, files, folders = self._entries[name][:3]
            watched = {"files": {f: files[f] for f in entry[0]}, "folders": {d: folders[d] for d in entry[1]}}
        return watched, body


# The name of a run's second file, beside its first (``UnitCache``).
DELTA = ".delta"


@dataclass
class _Pack:
    """One file of a run's entries: what each entry watched and where its pickle is in ``bodies``."""

    entries: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] = field(default_factory=dict)
    folders: dict[str, Any] = field(default_factory=dict)
    bodies: bytes | memoryview = b""
    sha256: str = ""  # of everything after the first line, which names it: what a second file is made for


def _write_pack(path: str, kept: dict[str, tuple[dict[str, Any], bytes | memoryview]], base: str = "") -> bool:
    """Write ``kept`` entries to ``path`` (atomically: a concurrent run reads the old file or the new one);
    ``base``, for a second file, is the SHA-256 of the first one it goes with.  Whether it was written."""
    files: dict[str, list[Any]] = {}
    folders: dict[str, Any] = {}
    entries: dict[str, Any] = {}
    chunks: list[bytes | memoryview] = []
    at = 0
    for name, (watched, body) in kept.items():
        # Hashed by two entries at different times: the same content and stamp at the later time holds
        # for the earlier too (a write in between would have moved the stamp past it).
        if any(files.setdefault(f, recorded)[:2] != recorded[:2] for f, recorded in watched["files"].items()):
            continue
        if any(folders.setdefault(d, listing) != listing for d, listing in watched["folders"].items()):
            continue
        for f, recorded in watched["files"].items():
            if recorded[2] > files[f][2]:
                files[f] = recorded
        # (files, folders, offset, size): a tuple, which marshal reads back faster than a mapping.
        entries[name] = (list(watched["files"]), list(watched["folders"]), at, len(body))
        chunks.append(body)
        at += len(body)
    # The index in marshal's format, not JSON: a third of the time to read and write, for a file only this
    # version of Python (part of the run key) and this user (see ``_usable_directory``) ever read.
    index = marshal.dumps({"files": files, "folders": folders, "entries": entries})
    return _write_verified(path, len(index).to_bytes(8, "little") + index + b"".join(chunks), base=base)


def _write_verified(path: str, rest: bytes, **header: Any) -> bool:
    """Write ``rest`` under a first line that records its SHA-256 (and ``header``), atomically: a concurrent
    run reads the old file or the new one.  Whether it was written."""
    first = json.dumps({"format": ENTRY_FORMAT, "sha256": hashlib.sha256(rest).hexdigest(), **header})
    temporary = ""
    try:
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(first.encode() + b"\n")
            out.write(rest)
        os.replace(temporary, path)
        return True
    except Exception:  # a full disk or a read-only home must not fail the scan
        if temporary:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        return False


def _read_verified(path: str, **header: Any) -> tuple[bytes, str] | None:
    """What ``_write_verified`` wrote, and its SHA-256; None when the file is missing, of another layout or
    ``header``, truncated or damaged (a damaged pickle or index can load as wrong data, not only fail)."""
    try:
        with open(path, "rb") as handle:
            first = json.loads(handle.readline())
            rest = handle.read()
        sha256 = hashlib.sha256(rest).hexdigest()
        if first["format"] != ENTRY_FORMAT or sha256 != first["sha256"] or \
                any(first[name] != value for name, value in header.items()):
            return None
        return rest, sha256
    except Exception:
        return None


def _package_stamp(name: str) -> list[Any]:
    """Where an installed package's ``__init__`` is, with its size and modification time, found without
    importing the package: an upgrade rewrites it."""
    try:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        info = os.stat(origin) if origin else None
    except (ImportError, ValueError, OSError):
        return [name]
    return [name, origin, info.st_size, info.st_mtime_ns] if info is not None else [name]


class RuleDocuments:
    """The built-in YAML rules as parsed, by the SHA-256 of each file's bytes (``engine.rules.load_rules``
    reads and fills ``known``): a run that finds them all here never imports the YAML parser, which was a
    twentieth of a re-run.  Kept for this build of iac-lint, this Python and this PyYAML only, beside the
    units."""

    def __init__(self, path: str) -> None:
        self.path = path
        found = _read_verified(path)
        try:
            self.known: dict[str, Any] = pickle.loads(found[0]) if found else {}
        except Exception:
            self.known = {}
        self._count = len(self.known)

    @classmethod
    def for_run(cls) -> RuleDocuments | None:
        directory = os.path.join(cache_directory(), "rules")
        if not _usable_directory(directory):
            return None
        build = json.dumps([__version__, sys.version, _code_identity(), _package_stamp("yaml")])
        return cls(os.path.join(directory, hashlib.sha256(build.encode()).hexdigest()))

    def save(self) -> None:
        if len(self.known) != self._count:
            _write_verified(self.path, pickle.dumps(self.known, protocol=pickle.HIGHEST_PROTOCOL))


def watch(unit: Unit, result: UnitResult) -> dict[str, Any]:
    """What an entry of ``result`` depends on: the hash, stamp and time of hashing of every file the unit read,
    and the listing of their folders (and of a module's own)."""
    files = sorted({*unit.files, *(file for tpl in result.templates for file in tpl.sources)})
    folders = sorted({os.path.dirname(f) for f in files} | ({unit.path} if unit.kind == "terraform" else set()))
    return {"files": {f: [*_file_state(f), time.time_ns()] for f in files},
            "folders": {d: _listing(d) for d in folders}}


def _entry_name(unit: Unit) -> str:
    # Every field of the unit: what it is, its files, and which of them are reported (named files).  Joined,
    # not hashed: no path holds a NUL, and the count of files tells them from the reported ones.
    return "\0".join([unit.kind, unit.path, unit.reason, str(len(unit.files)), *unit.files, *unit.report_only])


def _read_pack(path: str, base: str = "") -> _Pack:
    """A run's file; empty when it is missing or damaged (``_read_verified``), or made for another first
    file than ``base``."""
    found = _read_verified(path, base=base)
    if found is None:
        return _Pack()
    rest, sha256 = found
    try:
        size = int.from_bytes(rest[:8], "little")
        view = memoryview(rest)  # the index and the bodies read in place, not copied out of the file's bytes
        index = marshal.loads(view[8:8 + size])
        return _Pack(index["entries"], index["files"], index["folders"], view[8 + size:], sha256)
    except Exception:
        return _Pack()
