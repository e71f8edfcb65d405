"""Scan settings: command-line flags over the project's configuration file.

Where the configuration comes from, first found wins:

1. ``--config FILE`` (YAML, or a ``pyproject.toml``);
2. the nearest directory, from the (first) scanned path up to its repository
   root (the directory holding ``.git``) and not above, that has an
   ``.iac-lint.yaml`` / ``.iac-lint.yml`` or a ``pyproject.toml`` with a
   ``[tool.iac-lint]`` table (in that order within one directory), as ruff
   finds its ``pyproject.toml``; outside a repository only the scanned
   directory itself is looked at, since a file above it belongs to nobody we
   know;
3. the same search from the working directory.

Paths in the file (``policies``, ``baseline``, ``var_files``, ``exclude``
patterns) are relative to the file's directory, wherever the scan starts.

Keys (``-`` and ``_`` are interchangeable, as in ``[tool.ruff]``)::

    profile: strict                  # default (the default set) | strict (every rule, opt-in advice too)
    select: [IAM, ENC001]            # rule ids, id prefixes or categories: replaces the profile's set
    extend_select: [ENC001, LOG004]  # adds to the set (opt-in rules by id, prefix or category)
    ignore: [THR003]
    fail_on: medium                  # critical | high | medium | low | info
    fail_on_empty: true              # exit 2 when no infrastructure-as-code file is found
    exclude: ["examples/"]           # gitignore syntax, relative to the configuration file
    respect_gitignore: true          # skip what .gitignore files ignore (--no-gitignore)
    force_exclude: false             # apply exclude/.gitignore to paths named on the command line too
    policies: [rules/]               # extra rule directories: YAML rules only (see below)
    plugins: [acme]                  # installed rule packs (entry points iac_lint.policies) to enable
    severity: {IAM006: medium}       # a rule's severity, by rule id
    rule_options: {RUN001: {window_days: 90}}   # a rule's documented options, by rule id
    per_path_ignores: {"legacy/**": [IAM001]}
    baseline: .iac-lint-baseline.json
    no_inline_suppress: [IAM004, public-access]   # only a baseline or this file may silence these
    stage: prod                      # Serverless Framework ${opt:stage}
    params: {env: prod}              # ${param:...} and template parameters
    var_files: [prod.tfvars]         # Terraform
    vars: {region: eu-west-1}        # Terraform
    cfn_lint: true                   # also run cfn-lint on CloudFormation/SAM (pip install 'iac-lint[cfn-lint]')

Why Python rules are refused in a configuration file's ``policies``: the file
is read from the scanned repository, which on a pull request is whatever its
author wrote.  A Python rule is code; loading it would let any pull request
run code in the CI job that gates it (and read its tokens).  YAML rules are
data (JMESPath over the model), so they are allowed, but only to add rules:
one with a built-in rule's id would replace it, so that is refused as well.
A directory of Python rules (or of replacements) is trusted only when the
person running iac-lint names it with ``--policies DIR`` on the command line,
i.e. in the CI definition, not in the code under review.  For the same reason
every path in the file must stay inside the directory that holds it.

``plugins:`` may name installed rule packs (``engine/plugins.py``) although
they are code: a name resolves only to a package installed in the environment
iac-lint runs in, which a pull request cannot change; the file only chooses
which of them run.

The rest of the file (``ignore``, ``severity``, ``per_path_ignores``,
``baseline``) is just as much the pull request's to change; a gate that must
hold against its authors reads its configuration from a trusted path with
``--config`` or protects these files with CODEOWNERS.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from iac_lint.model import SEVERITIES, Finding
from iac_lint.model.budgets import MAX_MATCHED_PATH
from iac_lint.model.rule_ids import (
    TEMPLATE_VALIDITY,
    is_rule_id,
    is_rule_token,
    matches_rule,
    names_any_rule,
    unknown_token_message,
)
from iac_lint.parsers import ParseOptions

SEVERITY_NAMES = SEVERITIES  # the one severity list (iac_lint.model); the old name stays for importers
CONFIG_NAMES = (".iac-lint.yaml", ".iac-lint.yml")
__all__ = [
    "SEVERITY_NAMES",
    "Config",
    "ConfigError",
    "apply_path_ignores",
    "find_config_file",
    "matches_rule",
    "path_pattern",
    "read_config_file",
    "relative_to_root",
    "resolve_config",
]


class ConfigError(Exception):
    """A configuration that cannot be used: names the file and, when known, the line."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: {self.message}"
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message


@dataclass(slots=True)
class Config:
    # The starting set of rules (engine.rules.PROFILES): "default" or "strict" (opt-in rules too).
    profile: str = "default"
    select: list[str] = field(default_factory=list)
    # Rules added to the profile's (or select's) set, as ruff's extend-select.
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "low"
    # Exit 2 when the scan finds no infrastructure-as-code file (a CI path pointing at the wrong folder).
    fail_on_empty: bool = False
    exclude: list[str] = field(default_factory=list)
    # Where ``exclude`` patterns are anchored: the configuration file's directory, or the working
    # directory when they come from ``--exclude``.
    exclude_root: str | None = None
    respect_gitignore: bool = True
    force_exclude: bool = False
    policies: list[str] = field(default_factory=list)
    # Installed rule packs to enable, by entry-point name (engine/plugins.py); their folders join ``policies``.
    plugins: list[str] = field(default_factory=list)
    builtin_rules: bool = True
    parse: ParseOptions = field(default_factory=ParseOptions)
    # A rule's severity by rule id, replacing the rule's own.
    severity: dict[str, str] = field(default_factory=dict)
    # A rule's options by rule id (``RUN001: {window_days: 90}``), over the defaults the rule documents.
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Glob (relative to ``root``) -> rule ids, prefixes or categories suppressed in matching files.
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    baseline: str | None = None
    # Rules (ids, prefixes, categories) that comments and Metadata may not suppress.
    no_inline_suppress: list[str] = field(default_factory=list)
    changed_since: str | None = None
    # Where relative globs are anchored: the configuration file's directory, else the working directory.
    root: str | None = None
    # The configuration file that was read, if any (named in messages).
    source: str | None = None
    # Today's date for suppression expiry; None means datetime.date.today() (tests inject one).
    today: date | None = None
    # Also run cfn-lint on the CloudFormation/SAM templates (engine/cfnlint_pass.py).
    cfn_lint: bool = False
    # Setting name -> line in ``source`` for settings the file gave (a flag's value has none).
    setting_lines: dict[str, int | None] = field(default_factory=dict)
    # Processes that parse and evaluate (None: one per core); results do not depend on it.
    jobs: int | None = None
    # Reuse the results of unchanged units from the user's cache directory (iac_lint/unit_cache.py).
    # Off for library callers; the command line turns it on unless --no-cache.
    cache: bool = False
    # Keep each template's whole model in Report.templates (library callers, the HTML report, `explain`).
    # The command line turns it off for the other formats: a worker then sends back only what reports
    # read (lint_units.report_view), and the unit cache is used.
    keep_models: bool = True
    # With report views (keep_models off): keep the source lines of the files that have findings, for the
    # text report's excerpts.  The command line turns it off when no such report is written; the lines of
    # files with suppression comments are kept either way.
    keep_lines: bool = True
    # (K, N): lint only the K-th of N deterministic parts of the units (iac_lint/shard.py); None: all.
    shard: tuple[int, int] | None = None


# --- locating values in the file -----------------------------------------------------


@dataclass(slots=True)
class _Entry:
    """One key of the file: its value and the line it is written on (for messages)."""

    key: str
    value: Any
    line: int | None
    item_lines: list[int | None] = field(default_factory=list)


def _yaml_entries(path: str, text: str) -> list[_Entry]:
    from iac_lint.model.located import LMap, LSeq
    from iac_lint.parsers.yaml_loader import LoadError, load_text

    try:
        data = load_text(text, path)
    except LoadError as exc:
        raise ConfigError(f"not valid YAML: {exc.message}", path, exc.line) from None
    if data is None:
        return []
    if not isinstance(data, LMap):
        raise ConfigError("the configuration must be a mapping of settings", path, 1)
    out = []
    for key, value in data.items():
        where = data.key_locs.get(key)
        items: list[int | None] = []
        if isinstance(value, LSeq):
            items = [loc.line if loc else None for loc in value.item_locs]
        elif isinstance(value, LMap):
            items = [(value.key_locs[k].line if value.key_locs.get(k) else None) for k in value]
        out.append(_Entry(str(key), value, where.line if where else None, items))
    return out


def _toml_entries(path: str, text: str) -> list[_Entry] | None:
    """``[tool.iac-lint]`` of a pyproject.toml; None when the section is absent."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"not valid TOML: {exc}", path, int(match.group(1)) if match else None) from None
    section = data.get("tool", {}).get("iac-lint")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError("[tool.iac-lint] must be a table", path)
    lines = text.splitlines()
    return [_Entry(str(key), value, _toml_line(lines, str(key))) for key, value in section.items()]


def _toml_line(lines: list[str], key: str) -> int | None:
    """The line of ``key`` inside ``[tool.iac-lint]``: tomllib keeps no positions, so look for it."""
    inside = False
    key_re = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, line in enumerate(lines, start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            name = header.group(1).replace('"', "").replace("'", "").replace(" ", "")
            if name == f"tool.iac-lint.{key}":
                return number
            inside = name == "tool.iac-lint"
            continue
        if inside and key_re.match(line):
            return number
    return None


# --- validation ----------------------------------------------------------------------


def _strings(entry: _Entry, file: str) -> list[str]:
    value = entry.value
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                              for v in value):
        raise ConfigError(f"{entry.key} must be a list of strings", file, entry.line)
    return [str(v) for v in value]


def _rule_tokens(values: list[str], what: str, entry: _Entry, file: str) -> list[str]:
    """Rule ids (IAM001), prefixes (IAM), categories (encryption) or ALL."""
    for i, token in enumerate(values):
        if not is_rule_token(token):
            line = entry.item_lines[i] if i < len(entry.item_lines) and entry.item_lines[i] else entry.line
            raise ConfigError(unknown_token_message(what, token), file, line)
    return values


def _mapping(entry: _Entry, file: str) -> dict[str, Any]:
    if not isinstance(entry.value, dict):
        raise ConfigError(f"{entry.key} must be a mapping", file, entry.line)
    return entry.value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        from iac_lint.model.located import plain
        return json.dumps(plain(value))
    return str(value)


class _Reader:
    """Validates the file's entries into keyword arguments for ``Config``."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.base = os.path.dirname(os.path.abspath(file))

    def inside(self, entry: _Entry, value: str, line: int | None = None) -> str:
        """A path of the file, relative to the file's directory, refused if it leaves it."""
        path = os.path.normpath(os.path.join(self.base, value))
        real_base = os.path.realpath(self.base)
        if os.path.commonpath([os.path.realpath(path), real_base]) != real_base:
            raise ConfigError(f"{entry.key}: {value!r} points outside {self.base}; a configuration file may only "
                              f"name paths inside its own directory", self.file, line or entry.line)
        return path

    def line_of(self, entry: _Entry, index: int) -> int | None:
        if index < len(entry.item_lines) and entry.item_lines[index]:
            return entry.item_lines[index]
        return entry.line

    def read(self, entries: list[_Entry]) -> dict[str, Any]:
        out: dict[str, Any] = {"_lines": {}}
        for entry in entries:
            name = entry.key.replace("-", "_")
            handler = _KEYS.get(name)
            if handler is None:
                import difflib
                close = difflib.get_close_matches(name, list(_KEYS), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(f"unknown key {entry.key!r}{hint}; known keys: {', '.join(sorted(_KEYS))}",
                                  self.file, entry.line)
            out[name] = handler(self, entry)
            out["_lines"][name] = entry.line
        return out

    # one method per key -------------------------------------------------------

    def select(self, entry: _Entry) -> list[str]:
        return _rule_tokens(_strings(entry, self.file), entry.key, entry, self.file)

    def profile(self, entry: _Entry) -> str:
        from iac_lint.engine.rules import PROFILES

        value = entry.value
        if not isinstance(value, str) or value.lower() not in PROFILES:
            raise ConfigError(f"profile must be one of {', '.join(PROFILES)}, not {value!r}", self.file, entry.line)
        return value.lower()

    def fail_on(self, entry: _Entry) -> str:
        value = entry.value
        if not isinstance(value, str) or value.lower() not in SEVERITY_NAMES:
            raise ConfigError(f"fail_on must be one of {', '.join(SEVERITY_NAMES)}, not {value!r}",
                              self.file, entry.line)
        return value.lower()

    def flag(self, entry: _Entry) -> bool:
        if not isinstance(entry.value, bool):
            raise ConfigError(f"{entry.key} must be true or false, not {entry.value!r}", self.file, entry.line)
        return entry.value

    def exclude(self, entry: _Entry) -> list[str]:
        return _strings(entry, self.file)

    def policies(self, entry: _Entry) -> list[str]:
        out = []
        for i, value in enumerate(_strings(entry, self.file)):
            path = self.inside(entry, value, self.line_of(entry, i))
            if not os.path.isdir(path):
                raise ConfigError(f"policies: {value!r} is not a directory", self.file, self.line_of(entry, i))
            out.append(path)
        return out

    def severity(self, entry: _Entry) -> dict[str, str]:
        out = {}
        for i, (rule_id, value) in enumerate(_mapping(entry, self.file).items()):
            line = self.line_of(entry, i)
            if not is_rule_id(str(rule_id)):
                raise ConfigError(f"severity: {rule_id!r} is not a rule id like IAM001", self.file, line)
            if not isinstance(value, str) or value.lower() not in SEVERITY_NAMES:
                raise ConfigError(f"severity of {rule_id} must be one of {', '.join(SEVERITY_NAMES)}, "
                                  f"not {value!r}", self.file, line)
            out[str(rule_id)] = value.lower()
        return out

    def rule_options(self, entry: _Entry) -> dict[str, dict[str, Any]]:
        out = {}
        for i, (rule_id, value) in enumerate(_mapping(entry, self.file).items()):
            line = self.line_of(entry, i)
            if not is_rule_id(str(rule_id)):
                raise ConfigError(f"rule_options: {rule_id!r} is not a rule id like RUN001", self.file, line)
            if not isinstance(value, dict) or not all(isinstance(v, (str, int, float, bool)) for v in value.values()):
                raise ConfigError(f"rule_options of {rule_id} must map option names to values, like "
                                  "{window_days: 90}", self.file, line)
            out[str(rule_id)] = {str(k): v for k, v in value.items()}
        return out

    def per_path_ignores(self, entry: _Entry) -> dict[str, list[str]]:
        out = {}
        for i, (pattern, rules) in enumerate(_mapping(entry, self.file).items()):
            sub = _Entry(f"per_path_ignores[{pattern}]", rules, self.line_of(entry, i))
            if str(pattern).startswith("/") or ".." in str(pattern).split("/"):
                raise ConfigError(f"per_path_ignores: {pattern!r} must be a glob relative to "
                                  f"{os.path.basename(self.file)}'s directory", self.file, sub.line)
            out[str(pattern)] = _rule_tokens(_strings(sub, self.file), sub.key, sub, self.file)
        return out

    def baseline(self, entry: _Entry) -> str:
        if not isinstance(entry.value, str) or not entry.value:
            raise ConfigError("baseline must be a file name", self.file, entry.line)
        return self.inside(entry, entry.value)

    def stage(self, entry: _Entry) -> str:
        if not isinstance(entry.value, (str, int)) or isinstance(entry.value, bool):
            raise ConfigError("stage must be a string", self.file, entry.line)
        return str(entry.value)

    def params(self, entry: _Entry) -> dict[str, str]:
        return {str(k): _scalar_text(v) for k, v in _mapping(entry, self.file).items()}

    def var_files(self, entry: _Entry) -> list[str]:
        out = []
        for i, value in enumerate(_strings(entry, self.file)):
            path = self.inside(entry, value, self.line_of(entry, i))
            if not os.path.isfile(path):
                raise ConfigError(f"var_files: {value!r} does not exist", self.file, self.line_of(entry, i))
            out.append(path)
        return out

    def cfn_lint(self, entry: _Entry) -> bool:
        if not isinstance(entry.value, bool):
            raise ConfigError(f"cfn_lint must be true or false, not {entry.value!r}", self.file, entry.line)
        return entry.value


_KEYS: dict[str, Callable[[_Reader, _Entry], Any]] = {
    "profile": _Reader.profile,
    "select": _Reader.select,
    "extend_select": _Reader.select,
    "ignore": _Reader.select,
    "fail_on": _Reader.fail_on,
    "fail_on_empty": _Reader.flag,
    "exclude": _Reader.exclude,
    "respect_gitignore": _Reader.flag,
    "force_exclude": _Reader.flag,
    "policies": _Reader.policies,
    "plugins": _Reader.exclude,  # names of installed packs: a list of strings
    "severity": _Reader.severity,
    "rule_options": _Reader.rule_options,
    "per_path_ignores": _Reader.per_path_ignores,
    "baseline": _Reader.baseline,
    "no_inline_suppress": _Reader.select,
    "stage": _Reader.stage,
    "params": _Reader.params,
    "var_files": _Reader.var_files,
    "vars": _Reader.params,
    "cfn_lint": _Reader.cfn_lint,
}


# --- finding and reading the file ----------------------------------------------------


def find_config_file(paths: list[str], cwd: str | None = None) -> str | None:
    """The configuration file for a scan of ``paths`` (see the module docstring), or None."""
    first = paths[0] if paths else "."
    start = first if os.path.isdir(first) else (os.path.dirname(first) or ".")
    return _nearest_config(start) or _nearest_config(cwd or os.getcwd())


def _nearest_config(start: str) -> str | None:
    """The nearest configuration file from ``start`` up to its repository root (outside one: ``start`` only)."""
    from iac_lint.model.paths import repository_root

    here = os.path.abspath(start)
    top = repository_root(here) or here
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                return candidate
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate) and _has_tool_table(candidate):
            return candidate
        if here == top or os.path.dirname(here) == here:
            return None
        here = os.path.dirname(here)


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            # [ \t]*, not \s*: \s also crosses lines, and ^\s* then rescans every blank line after each line start.
            return re.search(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*[\"']?iac-lint[\"']?", handle.read(),
                             re.MULTILINE) is not None
    except OSError:
        return False


def read_config_file(path: str) -> dict[str, Any]:
    """The validated settings of one file, as ``Config`` keyword arguments (plus ``_lines``)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path) from None
    if path.endswith(".toml"):
        entries = _toml_entries(path, text)
        if entries is None:
            raise ConfigError("no [tool.iac-lint] table", path)
    else:
        entries = _yaml_entries(path, text)
    return _Reader(path).read(entries)


def _python_rule_files(directory: str) -> list[str]:
    from iac_lint.engine.rules import rule_files
    return [p for p in rule_files(directory) if p.endswith(".py")]


def _shadowing_rule_files(directory: str) -> list[str]:
    """Rule files whose id is a built-in rule's: loading them would replace the built-in rule."""
    from iac_lint.engine.rules import RULE_FILE, builtin_policies_dir, rule_files

    def rule_id(path: str) -> str | None:
        match = RULE_FILE.match(os.path.basename(path))
        return match.group("id") if match else None

    builtin = {rule_id(p) for p in rule_files(builtin_policies_dir())} - {None}
    return [p for p in rule_files(directory) if rule_id(p) in builtin]


def resolve_config(paths: list[str], config_file: str | None = None, *, use_config_file: bool = True,
                   **flags: Any) -> Config:
    """The configuration of a run: defaults, then the file, then every flag that was given (not None).

    ``flags`` are ``Config`` field names, plus ``stage``, ``params``, ``var_files`` and ``vars`` for
    the parsers.  Raises ``ConfigError`` (exit 2 in the CLI).
    """
    file = config_file
    if file is None and use_config_file:
        file = find_config_file(paths)
    elif file is not None and not os.path.isfile(file):
        raise ConfigError("no such configuration file", file)
    settings: dict[str, Any] = read_config_file(file) if file else {"_lines": {}}
    lines = settings.pop("_lines")
    config = Config(root=os.path.dirname(os.path.abspath(file)) if file else os.getcwd(), source=file)
    # Patterns from the file are anchored at its directory, those of --exclude at the working directory.
    config.exclude_root = os.getcwd() if flags.get("exclude") is not None else config.root
    parse_keys = {"stage": "stage", "params": "params", "var_files": "var_files", "vars": "tf_vars"}
    given_flags = {k: v for k, v in flags.items() if v is not None}
    config.setting_lines = {k: line for k, line in lines.items() if k not in given_flags}
    for source in (settings, given_flags):
        for key, value in source.items():
            if key in parse_keys:
                setattr(config.parse, parse_keys[key], value)
            elif key in _CONFIG_FIELDS:
                setattr(config, key, value)
            else:
                raise ConfigError(f"unknown setting {key!r}")
    from_file, from_flags = settings.get("policies", []), flags.get("policies") or []
    _refuse_untrusted_python(from_file, from_flags, file, lines.get("policies"))
    # Other flags replace the file's value; rule directories add up, since both only add rules.
    config.policies = list(dict.fromkeys([*from_file, *from_flags]))
    if config.plugins:
        # A pack is installed code, so the configuration may name one (see engine/plugins.py).
        from iac_lint.engine.plugins import PluginError, plugin_dirs
        try:
            config.policies = list(dict.fromkeys([*config.policies, *plugin_dirs(config.plugins)]))
        except PluginError as exc:
            raise ConfigError(f"plugins: {exc}", file if "plugins" in settings else None,
                              lines.get("plugins")) from None
    return config


_CONFIG_FIELDS = {f.name for f in dataclasses.fields(Config)}


def _refuse_untrusted_python(from_file: list[str], from_flags: list[str], file: str | None,
                             line: int | None) -> None:
    trusted = {os.path.realpath(p) for p in from_flags}
    for directory in from_file:
        if os.path.realpath(directory) in trusted:
            continue
        shadowing = _shadowing_rule_files(directory)
        if shadowing:
            names = ", ".join(os.path.basename(p) for p in shadowing[:3])
            raise ConfigError(
                f"policies: {directory} has rules with built-in ids ({names}); a configuration file may add "
                f"rules but not replace built-in ones (that would let a pull request quietly weaken a check). "
                f"Give them new ids, or pass --policies {os.path.relpath(directory)} to replace on purpose",
                file, line)
        python = _python_rule_files(directory)
        if python:
            names = ", ".join(os.path.basename(p) for p in python[:3]) + (", ..." if len(python) > 3 else "")
            raise ConfigError(
                f"policies: {directory} holds Python rules ({names}). Python rules are code, and a configuration "
                f"file can come from an untrusted pull request, so they load only from a directory named on the "
                f"command line: pass --policies {os.path.relpath(directory)} to trust them, or write them as YAML "
                f"rules", file, line)


# --- matching paths and rules ------------------------------------------------------


def path_pattern(pattern: str) -> Any:
    """A ``per_path_ignores`` glob, read as a ``.gitignore`` line (``**`` crosses directories, ``*`` does
    not, a name without ``/`` matches at any depth, a directory matches everything under it) by pathspec,
    the same matcher that reads ``exclude`` and ``.gitignore``."""
    import pathspec

    pattern = pattern.strip()
    return pathspec.GitIgnoreSpec.from_lines([pattern[2:] if pattern.startswith("./") else pattern])


def apply_path_ignores(findings: Iterable[Finding], config: Config) -> list[Finding]:
    """``per_path_ignores``: suppressed (kind external), not dropped, so reports still show them."""
    patterns = [(p, path_pattern(p), tokens) for p, tokens in config.per_path_ignores.items()]
    if not patterns:
        return list(findings)
    out = []
    for finding in findings:
        if not finding.suppressed:
            rel = relative_to_root(finding.location.file, config)
            if len(rel) > MAX_MATCHED_PATH:  # a glob's regex on a path no file system allows: not matched
                out.append(finding)
                continue
            for pattern, spec, tokens in patterns:
                if spec.match_file(rel) and matches_rule(finding.rule_id, finding.category, tokens):
                    finding = dataclasses.replace(finding, suppressed=True, suppression_kind="external",
                                                  suppression_reason=f"per_path_ignores: {pattern}")
                    break
        out.append(finding)
    return out


def relative_to_root(path: str, config: Config) -> str:
    root = config.root or os.getcwd()
    rel = os.path.relpath(os.path.abspath(path), root)
    return rel.replace(os.sep, "/")


def check_rule_tokens(config: Config, rules: Iterable[tuple[str, str]]) -> None:
    """Every selector of ``select``, ``ignore``, ``severity``, ``per_path_ignores`` and ``no_inline_suppress``
    must name a loaded rule (or a finding id of iac-lint itself): a misspelt one silently turns a check off.

    Raises ``ConfigError`` naming the file when the setting came from it, else the flag.
    """
    from iac_lint.model.builtin_findings import BUILTIN_FINDINGS

    known = [*rules, *((f.id, f.category) for f in BUILTIN_FINDINGS.values())]

    def check(key: str, tokens: Iterable[str]) -> None:
        for token in tokens:
            # cfn-lint's ids are known only to cfn-lint: any CFN selector is taken as written.
            if token.strip().upper().startswith("CFN") or token.strip().lower() == TEMPLATE_VALIDITY:
                continue
            if not names_any_rule(token, known):
                from_file = key in config.setting_lines
                what = key if from_file else f"--{key.replace('_', '-')}"
                raise ConfigError(unknown_token_message(what, token), config.source if from_file else None,
                                  config.setting_lines.get(key))

    check("select", config.select)
    check("extend_select", config.extend_select)
    check("ignore", config.ignore)
    check("severity", config.severity)
    check("no_inline_suppress", config.no_inline_suppress)
    for tokens in config.per_path_ignores.values():
        check("per_path_ignores", tokens)
