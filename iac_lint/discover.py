"""Which files to scan, and which format each one is.

Classification looks at content, not only at names: a SAM template is any
CloudFormation template with the ``AWS::Serverless-2016-10-31`` transform; a
Serverless Framework file is any YAML/JSON with top-level ``service`` and
``provider``.  Terraform is read a directory (module) at a time.  Files that
are not infrastructure-as-code are skipped silently; a directory that cannot
be listed is a unit of its own, so that the scan reports it instead of
skipping what it holds without a word.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Iterable, Iterator

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", "node_modules", ".terraform", ".serverless", ".aws-sam", "cdk.out",
    "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache",
)
YAML_EXTENSIONS = (".yaml", ".yml", ".json", ".template")
SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
SERVERLESS_CODE_NAMES = ("serverless.ts", "serverless.js", "serverless.mjs", "serverless.cjs")
TERRAFORM_EXTENSIONS = (".tf", ".tf.json")
TFVARS_EXTENSIONS = (".tfvars", ".tfvars.json")


@dataclass(slots=True)
class Unit:
    """One thing a parser reads: a template file, or a Terraform module directory."""

    # "document" (YAML/JSON, classified after loading), "terraform", "serverless-code",
    # or "unreadable" (a directory that could not be listed; ``reason`` says why)
    kind: str
    path: str
    files: list[str] = field(default_factory=list)
    reason: str = ""


def _excluded(rel: str, name: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, f"{pattern}/*") \
                or rel.startswith(pattern.rstrip("*").rstrip("/") + "/") and "*" not in pattern:
            return True
    return False


def discover(paths: Iterable[str], excludes: Iterable[str] = ()) -> Iterator[Unit]:
    """Every unit under ``paths``, in a stable order."""
    patterns = list(excludes)
    for root in paths:
        if os.path.isfile(root):
            yield from _classify_files(os.path.dirname(root) or ".", [os.path.basename(root)], explicit=True)
            continue
        if not os.path.isdir(root):
            continue
        unreadable: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
            yield from _unreadable_units(unreadable)
            rel_dir = os.path.relpath(dirpath, root)
            rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
            dirnames[:] = sorted(
                d for d in dirnames
                if d not in DEFAULT_EXCLUDES and not _excluded(f"{rel_dir}/{d}".lstrip("/"), d, patterns)
            )
            kept = [f for f in sorted(filenames) if not _excluded(f"{rel_dir}/{f}".lstrip("/"), f, patterns)]
            yield from _classify_files(dirpath, kept, explicit=False)
        yield from _unreadable_units(unreadable)


def _unreadable_units(errors: list[OSError]) -> Iterator[Unit]:
    """The directories ``os.walk`` could not list since the last call (it reports them through ``onerror``)."""
    for exc in errors:
        yield Unit("unreadable", str(exc.filename), [], exc.strerror or str(exc))
    errors.clear()


def _classify_files(dirpath: str, names: list[str], explicit: bool) -> Iterator[Unit]:
    tf_files = []
    for name in names:
        path = os.path.join(dirpath, name) if dirpath != "." else name
        lower = name.lower()
        if lower.endswith(TERRAFORM_EXTENSIONS):
            tf_files.append(path)
        elif lower in SERVERLESS_CODE_NAMES:
            yield Unit("serverless-code", path, [path])
        elif lower.endswith(YAML_EXTENSIONS) or (explicit and not lower.endswith(TFVARS_EXTENSIONS)):
            yield Unit("document", path, [path])
    if tf_files:
        yield Unit("terraform", dirpath, tf_files)
