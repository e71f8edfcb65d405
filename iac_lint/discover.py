"""Which files to scan, and which format each one is.

Classification looks at content, not only at names: a SAM template is any
CloudFormation template with the ``AWS::Serverless-2016-10-31`` transform; a
Serverless Framework file is any YAML/JSON with top-level ``service`` and
``provider``.  Terraform is read a directory (module) at a time.  Files that
are not infrastructure-as-code are skipped silently; a directory that cannot
be listed is a unit of its own, so that the scan reports it instead of
skipping what it holds without a word.

What is skipped while walking a directory, in this order of precedence:

1. tool and dependency folders (``DEFAULT_EXCLUDES``: ``.git``, ``node_modules``,
   ``.terraform``, ``.terragrunt-cache``, ...), by name, at any depth;
2. the configuration's ``exclude`` patterns (gitignore syntax, anchored at the
   directory of the configuration file that lists them, or at the working
   directory for ``--exclude``);
3. unless turned off (``--no-gitignore``, ``respect_gitignore: false``), what
   git would ignore: every ``.gitignore`` from the repository root (the
   nearest directory above with a ``.git``) down to the file, a deeper one
   overriding a shallower one, the last matching line of a file winning, ``!``
   re-including, and ``.git/info/exclude`` below them all.  Like git, a file
   inside an ignored directory cannot be re-included: the directory is never
   entered.  Git itself is not asked, so an exported tree or a CI artifact
   without ``.git`` is read the same way (its ``.gitignore`` files from the
   scan root down).

A rule's cases folder is skipped too, wherever it is: a folder named like a
rule id (``ORG001``) beside that rule's file (``ORG001-<name>.yaml`` or
``.py``).  Those templates are made to break rules; ``iac-lint rules test``
reads them, a scan of the repository holding the rules must not.

Paths named on the command line are scanned even when one of these rules
would skip them, as ruff does: naming a file or directory is asking for it
(``iac-lint scan .aws-sam/build`` reads what ``sam build`` wrote, though it is
ignored).  Inside a named directory the rules apply again, except the ones
that ignore that directory itself.  ``--force-exclude`` applies the rules to
named paths too, for callers that pass every changed file (pre-commit).

A Terraform file named on the command line is read with the rest of its
directory, since a module is one unit (a bucket's encryption may be set in a
sibling file); its findings are reported for the named files only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from iac_lint.model.budgets import MAX_MATCHED_PATH
from iac_lint.model.paths import repository_root
from iac_lint.model.rule_ids import RULE_ID_PATTERN

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", "node_modules", ".terraform", ".terragrunt-cache", ".serverless", ".aws-sam", "cdk.out",
    "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache",
)
YAML_EXTENSIONS = (".yaml", ".yml", ".json", ".template")
SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
SERVERLESS_CODE_NAMES = ("serverless.ts", "serverless.js", "serverless.mjs", "serverless.cjs")
TERRAFORM_EXTENSIONS = (".tf", ".tf.json")
TFVARS_EXTENSIONS = (".tfvars", ".tfvars.json")
# Files of a monorepo that are never infrastructure-as-code, by name (lower case): lock files, compiler and
# package settings.  Not even opened: a 30 MB package-lock.json would otherwise be loaded to be classified.
KNOWN_NOT_IAC = re.compile(
    r"^(?:package(?:-lock)?\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|composer\.(?:json|lock)"
    r"|.*\.lock\.json|tsconfig[\w.-]*\.json|jsconfig[\w.-]*\.json|\.eslintrc(?:\.\w+)?|\.prettierrc(?:\.\w+)?"
    r"|\.pre-commit-config\.yaml|\.gitlab-ci\.yml|\.travis\.yml|appveyor\.yml|codecov\.yml|mkdocs\.yml"
    r"|docker-compose[\w.-]*\.ya?ml|openapi[\w.-]*\.(?:json|ya?ml)|swagger[\w.-]*\.(?:json|ya?ml)"
    r"|\.iac-lint\.yaml|\.iac-lint-baseline\.json)$")
# CI workflow folders: every YAML file in them is a pipeline, not a template.
WORKFLOW_DIRS = (os.path.join(".github", "workflows"), os.path.join(".github", "actions"), ".circleci")
# A rule file (``ORG001-name.yaml``) whose cases folder (``ORG001/``) beside it is not a project.
_RULE_FILE = re.compile(rf"^(?P<id>{RULE_ID_PATTERN})[-_][\w-]+\.(?:ya?ml|py)$")
# A .gitignore larger than this is not a list of patterns anyone wrote: it is not read.
_MAX_IGNORE_FILE = 1 << 20


@dataclass(slots=True)
class Unit:
    """One thing a parser reads: a template file, or a Terraform module directory."""

    # "document" (YAML/JSON, classified after loading), "terraform", "serverless-code",
    # or "unreadable" (a directory that could not be listed; ``reason`` says why)
    kind: str
    path: str
    files: list[str] = field(default_factory=list)
    reason: str = ""
    # Terraform files named on the command line: their module is read whole (a setting split into a sibling
    # file counts), and findings are reported for these files only.  Empty: report everything.
    report_only: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Filters:
    """What to skip besides ``DEFAULT_EXCLUDES``."""

    exclude: tuple[str, ...] = ()
    # Where ``exclude`` patterns are anchored; None: the working directory.
    exclude_root: str | None = None
    gitignore: bool = True
    force_exclude: bool = False


class _Layer:
    """The patterns of one ignore file (or of the configuration's ``exclude``), anchored at ``base``."""

    __slots__ = ("base", "spec")

    def __init__(self, base: str, lines: Iterable[str]) -> None:
        from pathspec import GitIgnoreSpec

        self.base = base
        self.spec = GitIgnoreSpec.from_lines(lines)

    def verdict(self, path: str, is_dir: bool, fallback_base: str | None = None) -> bool | None:
        """True: ignored; False: re-included by a ``!`` line; None: no line of this layer matches.

        A path outside ``base`` is matched relative to ``fallback_base`` when given (``--exclude vendor``
        run from elsewhere still skips the scanned tree's ``vendor``), else by no line.
        """
        rel = os.path.relpath(path, self.base)
        if rel == ".." or rel.startswith(".." + os.sep):
            if fallback_base is None:
                return None
            rel = os.path.relpath(path, fallback_base)
        if rel == "." or rel == ".." or rel.startswith(".." + os.sep):
            return None
        rel = rel.replace(os.sep, "/") + ("/" if is_dir else "")
        if len(rel) > MAX_MATCHED_PATH:  # no file system has such paths; a pattern's regex is not run on one
            return None
        return self.spec.check_file(rel).include

    def without_matches_of(self, path: str) -> _Layer:
        """This layer minus the patterns that ignore ``path`` (a directory named on the command line)."""
        from pathspec import GitIgnoreSpec

        rel = os.path.relpath(path, self.base).replace(os.sep, "/") + "/"
        copy = _Layer.__new__(_Layer)
        copy.base = self.base
        copy.spec = GitIgnoreSpec([p for p in self.spec.patterns
                                   if p.include is None or not p.match_file(rel)])
        return copy


def _read_ignore_file(path: str) -> list[str]:
    try:
        if os.path.getsize(path) > _MAX_IGNORE_FILE:
            return []
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


class _Ignores:
    """The layers that apply inside one directory, deepest last."""

    def __init__(self, layers: list[_Layer]) -> None:
        self.layers = layers

    def ignored(self, path: str, is_dir: bool) -> bool:
        for layer in reversed(self.layers):
            verdict = layer.verdict(path, is_dir)
            if verdict is not None:
                return verdict
        return False

    def entering(self, directory: str) -> _Ignores:
        """The layers for the entries of ``directory``: these plus its own ``.gitignore``."""
        own = os.path.join(directory, ".gitignore")
        if not os.path.isfile(own):
            return self
        return _Ignores([*self.layers, _Layer(directory, _read_ignore_file(own))])


def _git_layers(start: str) -> list[_Layer]:
    """``.git/info/exclude`` and every ``.gitignore`` from the repository root down to ``start``'s parent.

    ``start`` itself is left out: its own ``.gitignore`` is read when the walk enters it.
    """
    top = repository_root(start)
    if top is None:
        return []
    layers = []
    info = os.path.join(top, ".git", "info", "exclude")
    if os.path.isfile(info):
        layers.append(_Layer(top, _read_ignore_file(info)))
    chain = []
    current = os.path.abspath(start)
    while current != top:
        current = os.path.dirname(current)
        chain.append(current)
    for directory in reversed(chain):
        own = os.path.join(directory, ".gitignore")
        if os.path.isfile(own):
            layers.append(_Layer(directory, _read_ignore_file(own)))
    return layers


def discover(paths: Iterable[str], filters: Filters | None = None,
             listings: dict[str, list[str]] | None = None) -> Iterator[Unit]:
    """Every unit under ``paths``, in a stable order (see the module docstring for what is skipped).

    ``listings``, when given, gets the sorted names in each folder walked, by the spelling its units' files
    have (the unit cache checks them; listing them again cost a re-run a fortieth of its time)."""
    filters = filters or Filters()
    paths = list(paths)
    exclude = _Layer(os.path.abspath(filters.exclude_root or os.getcwd()), filters.exclude) \
        if filters.exclude else None
    named_tf: dict[str, list[str]] = {}  # directory -> the .tf files named in it, in order
    # Paths named twice, or one inside another (``scan infra infra/prod``), give each unit once.  A unit is
    # its files too: an exclude pattern can leave one walk a file of a module that another walk keeps.
    seen: set[tuple[str, str, frozenset[str]]] = set()

    def first_time(unit: Unit) -> bool:
        key = (unit.kind, os.path.abspath(unit.path), frozenset(os.path.abspath(f) for f in unit.files))
        if key in seen:
            return False
        seen.add(key)
        return True

    for root in paths:
        if os.path.isfile(root):
            if filters.force_exclude and _skipped_by_name(root, exclude, filters):
                continue
            if root.lower().endswith(TERRAFORM_EXTENSIONS):
                named_tf.setdefault(os.path.dirname(root) or ".", []).append(root)
                continue
            units = _classify_files(os.path.dirname(root) or ".", [os.path.basename(root)], explicit=True)
        elif not os.path.isdir(root) or (filters.force_exclude and _skipped_by_name(root, exclude, filters)):
            continue
        else:
            units = _walk(root, exclude, filters, listings)
        yield from filter(first_time, units) if len(paths) > 1 else units  # one walk meets each unit once
    for directory, named in named_tf.items():
        # A module a named directory already gave whole needs no second reading for some of its files.
        module = _module_of_named_files(directory, named)
        if first_time(module):
            yield module


def _module_of_named_files(directory: str, named: list[str]) -> Unit:
    """A module read whole for the Terraform files named in it (pre-commit names only the changed ones)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        names = []
    siblings = [os.path.join(directory, n) if directory != "." else n for n in names
                if n.lower().endswith(TERRAFORM_EXTENSIONS) and os.path.isfile(os.path.join(directory, n))]
    files = list(dict.fromkeys([*siblings, *named]))
    return Unit("terraform", directory, files, report_only=list(dict.fromkeys(named)))


def _skipped_by_name(path: str, exclude: _Layer | None, filters: Filters) -> bool:
    """Whether a path named on the command line falls under a rule (only asked with ``--force-exclude``)."""
    absolute = os.path.abspath(path)
    is_dir = os.path.isdir(absolute)
    top = repository_root(absolute if is_dir else os.path.dirname(absolute))
    below = os.path.relpath(absolute, top) if top else os.path.normpath(path)
    if any(part in DEFAULT_EXCLUDES for part in below.split(os.sep)):
        return True
    if exclude is not None and exclude.verdict(absolute, is_dir):
        return True
    if filters.gitignore:
        parent = absolute if is_dir else os.path.dirname(absolute)
        ignores = _Ignores(_git_layers(parent)).entering(parent) if not is_dir else _Ignores(_git_layers(absolute))
        return ignores.ignored(absolute, is_dir)
    return False


def _walk(root: str, exclude: _Layer | None, filters: Filters,
          listings: dict[str, list[str]] | None = None) -> Iterator[Unit]:
    top_abs = os.path.abspath(root)
    ignores = _Ignores([])
    if filters.gitignore:
        ignores = _Ignores(_git_layers(top_abs))
        if ignores.ignored(top_abs, is_dir=True):
            # Named on the command line, so scanned: drop the lines that ignore it, keep the others.
            ignores = _Ignores([layer.without_matches_of(top_abs) for layer in ignores.layers])
    if exclude is not None and exclude.verdict(top_abs, is_dir=True):
        exclude = exclude.without_matches_of(top_abs)
    # Each folder's layers, set by its parent; its own .gitignore joins them when the walk lists it there.
    below: dict[str, _Ignores] = {top_abs: ignores}

    def skipped(path: str, is_dir: bool, layers: _Ignores) -> bool:
        if exclude is not None and exclude.verdict(path, is_dir, fallback_base=top_abs):
            return True
        return filters.gitignore and layers.ignored(path, is_dir)

    unreadable: list[OSError] = []
    normal = root == top_abs  # then so is every folder the walk joins to it (a name is never "." or "..")
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        if unreadable:
            yield from _unreadable_units(unreadable)
        if listings is not None:
            listings[dirpath] = names = sorted(dirnames + filenames)  # os.walk puts every entry in one of them
            if not normal:  # also as its files' dirname spells it (``infra/`` and ``.`` lose their end), and
                # as a module's resolved source does (``./modules/queue`` is ``modules/queue``)
                listings[_dirname_of_files(dirpath)] = listings[os.path.normpath(dirpath)] = names
        here = dirpath if normal else os.path.abspath(dirpath)
        layers = below.pop(here, ignores)
        if filters.gitignore and ".gitignore" in filenames:
            layers = layers.entering(here)
        kept_dirs = []
        rule_ids = {m.group("id") for m in map(_RULE_FILE.match, filenames) if m}
        filtered = exclude is not None or (filters.gitignore and bool(layers.layers))  # else nothing is skipped
        for name in sorted(dirnames):
            path = os.path.join(here, name)
            if name in DEFAULT_EXCLUDES or name in rule_ids or (filtered and skipped(path, True, layers)):
                continue
            kept_dirs.append(name)
            below[path] = layers
        dirnames[:] = kept_dirs
        kept = sorted(filenames)
        if filtered:
            kept = [f for f in kept if not skipped(os.path.join(here, f), False, layers)]
        yield from _classify_files(dirpath, kept, explicit=False, folder=here)
    yield from _unreadable_units(unreadable)


def _dirname_of_files(dirpath: str) -> str:
    """``os.path.dirname`` of the files ``_classify_files`` names in ``dirpath``."""
    if dirpath == ".":
        return ""  # they are named without a folder
    return dirpath.rstrip(os.sep + (os.altsep or "")) or dirpath


def _unreadable_units(errors: list[OSError]) -> Iterator[Unit]:
    """The directories ``os.walk`` could not list since the last call (it reports them through ``onerror``)."""
    for exc in errors:
        yield Unit("unreadable", str(exc.filename), [], exc.strerror or str(exc))
    errors.clear()


def _in_workflow_dir(folder: str) -> bool:
    """Whether ``folder`` (absolute) holds CI workflows, not templates."""
    return any(folder.endswith(os.sep + d) for d in WORKFLOW_DIRS)


def _classify_files(dirpath: str, names: list[str], explicit: bool, folder: str = "") -> Iterator[Unit]:
    """The units of ``names`` in ``dirpath`` (absolute: ``folder``, when the caller has it)."""
    tf_files = []
    workflows = None  # whether ``dirpath`` holds CI workflows, asked once and only for a YAML file
    for name in names:
        path = os.path.join(dirpath, name) if dirpath != "." else name
        lower = name.lower()
        if lower.endswith(TERRAFORM_EXTENSIONS):
            tf_files.append(path)
        elif lower in SERVERLESS_CODE_NAMES:
            yield Unit("serverless-code", path, [path])
        elif explicit and not lower.endswith(TFVARS_EXTENSIONS):
            yield Unit("document", path, [path])  # named on the command line: read, whatever its name
        elif lower.endswith(YAML_EXTENSIONS) and not KNOWN_NOT_IAC.match(lower):
            if workflows is None:
                workflows = _in_workflow_dir(folder or os.path.abspath(dirpath))
            if not workflows:
                yield Unit("document", path, [path])
    if tf_files:
        yield Unit("terraform", dirpath, tf_files)
