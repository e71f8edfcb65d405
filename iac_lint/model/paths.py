"""How reports, fingerprints and discovery name files: the project root, and paths relative to it.

Two anchors, for two audiences:

- ``display_path``: relative to the working directory, for people and the
  JSON contract (what a terminal user can paste back into a shell);
- ``repo_path``: relative to the project root, i.e. the git repository that
  holds the scanned files (the nearest directory above them with a ``.git``),
  else the working directory.  GitHub code scanning resolves SARIF URIs and
  annotation paths against the repository root, GitLab wants Code Quality
  paths "relative to the repository", and a baseline must match whichever
  directory CI runs the scan from, so every machine-facing path and every
  fingerprint uses this one.
"""

from __future__ import annotations

import os
from functools import lru_cache


def display_path(path: str) -> str:
    """Relative to the working directory, with forward slashes."""
    return _display(path, os.getcwd())


@lru_cache(maxsize=8192)
def _display(path: str, cwd: str) -> str:
    # Cached: a report names each file once per finding, and the sort of the findings asks again.
    rel = os.path.relpath(path, cwd) if os.path.isabs(path) else os.path.normpath(path)
    return rel.replace(os.sep, "/")


@lru_cache(maxsize=256)
def repository_root(start: str) -> str | None:
    """The nearest directory at or above ``start`` holding a ``.git``, or None outside a repository."""
    current = os.path.abspath(start)
    while True:
        # ``.git`` is a directory in a clone, a file in a worktree or a submodule.
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def project_root(start: str | None = None) -> str:
    """The git repository holding ``start`` (a file or directory), else the working directory."""
    cwd = os.getcwd()
    where = os.path.abspath(start or cwd)
    if not os.path.isdir(where):
        where = os.path.dirname(where)
    return repository_root(os.path.realpath(where)) or cwd


def scan_root(roots: list[str]) -> str:
    """The project root of a scan of ``roots`` (its first root's repository): fingerprints are computed
    against it where findings are evaluated, and reports name files relative to it."""
    return project_root(roots[0] if roots else None)


def repo_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` with forward slashes (``../`` when it lies outside); symlinks resolved,
    as GitHub asks."""
    return _repo_path(path, root, os.getcwd())


@lru_cache(maxsize=8192)
def _repo_path(path: str, root: str, cwd: str) -> str:
    # Cached as given (every finding of a file asks), then on the absolute path, which two spellings share.
    return _relative(os.path.normpath(os.path.join(cwd, path)), root)


@lru_cache(maxsize=4096)
def _relative(absolute: str, root: str) -> str:
    # Cached on the absolute path: every finding of a file asks, and realpath costs system calls.
    return os.path.relpath(real_path(absolute), real_path(os.path.abspath(root))).replace(os.sep, "/")


@lru_cache(maxsize=8192)
def real_path(absolute: str) -> str:
    """``os.path.realpath`` of a normalized absolute path, each directory resolved once (``realpath`` walks every
    component of every path again: a system call each).

    Cached until ``real_path.cache_clear()``, which every scan and editor re-lint starts with
    (``parsers.source.forget_resolved_roots``): a link may be moved between two of a language server's runs."""
    parent, name = os.path.split(absolute)
    if not name or parent == absolute:
        return absolute
    here = os.path.join(real_path(parent), name)
    return os.path.realpath(here) if os.path.islink(here) else here


def report_root(report: object) -> str:
    """The project root a report's machine-facing paths are relative to."""
    return getattr(report, "root", None) or project_root()
