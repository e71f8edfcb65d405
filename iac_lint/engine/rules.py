"""Rule loading: declarative YAML + JMESPath rules and Python rules, one rule per file.

Layout (built-in ``policies/`` and a user's ``--policies DIR`` alike)::

    <dir>/<category>/<ID>-<name>.yaml   a declarative rule
    <dir>/<category>/<ID>-<name>.py     a Python rule (module-level RULE dict + check())
    <dir>/<category>/<ID>/              the rule's cases (see engine/ruletest.py)

A declarative rule::

    id: ENC001
    name: bucket-without-encryption
    severity: low
    category: encryption
    title: S3 bucket has no explicit server-side encryption
    applies_to: bucket          # an entity kind, or a raw resource type (AWS::S3::Bucket, aws_s3_bucket)
    when: "encryption == 'none'"   # JMESPath over the entity's data; true means a violation
    at: encryption              # optional: the fact whose node the finding points at
    message: "Bucket {name} ..."   # {field} is filled from the entity's data
    default: true               # optional: false makes the rule opt-in (it runs only when --select names it)
    docs: {what: ..., why: ..., example: ..., fix: ..., references: [...]}

``applies_to: resource`` targets every raw resource of every format (a Python rule then reads the
format-native ``Resource``).

A Python rule defines ``RULE`` (the same keys, without ``when``) and
``check(entity) -> Iterable[Violation]``; what it imports is in ``iac_lint.rules``
(``Violation`` is re-exported here for rules written against this module).

A user's rule (``--policies``, ``policies:``, a rule pack) is checked strictly
before any scan: the published schema ``schemas/rule.schema.json`` and the model
(``engine/validate.py``); every problem of every file is raised at once, as
``file:line: message``.  The built-in rules are held to the same checks by the
test suite, so that a scan does not pay for importing ``jsonschema``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import inspect
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from iac_lint.model import ENTITY_TYPES, SEVERITIES
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS
from iac_lint.model.rule_ids import CATEGORIES, RULE_ID, RULE_ID_PATTERN, matches_rule
from iac_lint.rules import DOC_PARTS, Violation

RULE_FILE = re.compile(rf"^(?P<id>{RULE_ID_PATTERN})[-_][\w-]+\.(?P<ext>ya?ml|py)$")
CASES_DIR = RULE_ID
# ``applies_to`` of a rule that reads every raw resource, whatever its type.
ANY_RESOURCE = "resource"
REQUIRED = ("id", "name", "severity", "category", "title", "applies_to", "message")

__all__ = [
    "ANY_RESOURCE",
    "CATEGORIES",
    "DOC_PARTS",
    "RULE_FILE",
    "Rule",
    "RuleError",
    "Violation",
    "builtin_policies_dir",
    "configure_rules",
    "load_rule_file",
    "load_rules",
    "rule_files",
    "select_rules",
]


class RuleError(Exception):
    """A rule file that cannot be used; names the file."""


@dataclass(slots=True)
class Rule:
    id: str
    name: str
    severity: str
    category: str
    title: str
    applies_to: str
    message: str
    docs: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    when: str | None = None
    at: str | None = None
    check: Callable[..., Iterable[Violation]] | None = None  # check(entity) or check(entity, options)
    formats: tuple[str, ...] = ()
    # In the default set (real weaknesses under current AWS behaviour), or opt-in advice that runs only when
    # ``--select`` names it by id, id prefix or category.
    default: bool = True
    # Rule ids whose findings inside this rule's finding (same file, same resource) are the same root cause:
    # the engine keeps this rule's finding only (``evaluate.drop_subsumed``).
    subsumes: tuple[str, ...] = ()
    # Settings a Python rule documents (``window_days``) with their defaults; ``check(entity, options)``
    # receives them, with the configuration's ``rule_options`` over them.
    options: dict[str, Any] = field(default_factory=dict)
    # Mechanical fixes an editor can offer (see iac_lint/lsp/fixes.py for their shape).
    fixes: list[dict[str, Any]] = field(default_factory=list)
    _compiled: Any = None

    @property
    def targets_entity(self) -> bool:
        return self.applies_to in ENTITY_TYPES

    @property
    def targets_every_resource(self) -> bool:
        return self.applies_to == ANY_RESOURCE

    @property
    def cases_dir(self) -> str:
        return os.path.join(os.path.dirname(self.source), self.id)

    @property
    def builtin(self) -> bool:
        """Whether this is one of iac-lint's own rules (documented under ``docs/rules/``)."""
        if not self.source:
            return False
        source, builtin = os.path.realpath(self.source), os.path.realpath(builtin_policies_dir())
        return os.path.commonpath([source, builtin]) == builtin


def _validate(meta: dict[str, Any], path: str, python: bool) -> None:
    missing = [k for k in REQUIRED if not meta.get(k)]
    if not python and not meta.get("when"):
        missing.append("when")
    if missing:
        raise RuleError(f"{path}: missing {', '.join(missing)}")
    if meta["severity"] not in SEVERITIES:
        raise RuleError(f"{path}: severity must be one of {', '.join(SEVERITIES)}")
    if not RULE_ID.match(str(meta["id"])):
        raise RuleError(f"{path}: id {meta['id']!r} must be an uppercase prefix and digits, like IAM001")
    if str(meta["id"]) in BUILTIN_FINDINGS:
        raise RuleError(f"{path}: id {meta['id']} is iac-lint's own {BUILTIN_FINDINGS[str(meta['id'])].name} "
                        f"finding; choose another")
    named = RULE_FILE.match(os.path.basename(path))
    if named and named.group("id") != str(meta["id"]):
        # Every check that looks at a file's name (a configuration may not replace built-in rules) must see
        # the id that file really declares.
        raise RuleError(f"{path}: the file is named for {named.group('id')} but declares id {meta['id']}; "
                        f"the file name and the id must agree")
    if "default" in meta and not isinstance(meta["default"], bool):
        raise RuleError(f"{path}: default must be true (the rule runs unless ignored) or false (opt-in)")
    subsumes = meta.get("subsumes", [])
    if not isinstance(subsumes, (list, tuple)) or not all(isinstance(i, str) and RULE_ID.match(i) for i in subsumes):
        raise RuleError(f"{path}: subsumes must be a list of rule ids")
    docs = meta.get("docs") or {}
    if not isinstance(docs, dict):
        raise RuleError(f"{path}: docs must be a mapping of {', '.join(DOC_PARTS)}")


def load_rule_file(path: str, strict: bool = True, parsed: dict[str, Any] | None = None) -> Rule:
    """One rule file.  ``strict`` (every user rule) checks it against the published schema and the model
    first (``engine/validate.py``); the built-in rules are checked so by the test suite instead.
    ``parsed`` holds the documents of built-in YAML rules by the SHA-256 of their bytes: it is read first,
    and what is parsed here is added to it (``unit_cache.RuleDocuments`` keeps it between runs)."""
    if path.endswith(".py"):
        return _load_python_rule(path, strict)
    meta = _rule_document(path, strict, parsed if not strict else None)
    _validate(meta, path, python=False)
    import jmespath
    try:
        compiled = jmespath.compile(str(meta["when"]))
    except jmespath.exceptions.JMESPathError as exc:
        raise RuleError(f"{path}: invalid JMESPath in 'when': {exc}") from None
    if strict:
        _check_query_budget(path, str(meta["when"]), compiled.parsed)
    return Rule(
        id=str(meta["id"]), name=str(meta["name"]), severity=meta["severity"], category=str(meta["category"]),
        title=str(meta["title"]), applies_to=str(meta["applies_to"]), message=str(meta["message"]),
        docs=meta.get("docs") or {}, source=path, when=str(meta["when"]), at=meta.get("at"),
        formats=tuple(meta.get("formats") or ()), default=meta.get("default", True),
        subsumes=tuple(meta.get("subsumes") or ()), fixes=list(meta.get("fixes") or []), _compiled=compiled,
    )


# A user's ``when`` (a repository's configuration may name the rule) is held to a size: each projection or
# multi-select can multiply the data the next one walks, so their number bounds the work on an entity.
MAX_QUERY_CHARS = 2000
MAX_QUERY_FANOUT = 12
_FANOUT_NODES = frozenset({"projection", "value_projection", "filter_projection", "flatten", "multi_select_list",
                           "multi_select_dict"})


def _rule_document(path: str, strict: bool, parsed: dict[str, Any] | None) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise RuleError(f"{path}: {exc.strerror or exc}") from None
    key = hashlib.sha256(raw).hexdigest() if parsed is not None else ""
    if parsed is not None and key in parsed:
        document: dict[str, Any] = parsed[key]
        return document
    from iac_lint.model.located import plain
    from iac_lint.parsers.yaml_loader import LoadError, load_text

    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as a file opened as text reads
        located = load_text(text, path)
    except UnicodeDecodeError as exc:
        raise RuleError(f"{path}: not UTF-8 text: {exc}") from None
    except LoadError as exc:
        raise RuleError(f"{path}:{exc.line}: not valid YAML: {exc.message}") from None
    if not isinstance(located, dict):
        raise RuleError(f"{path}: a rule file must be a mapping")
    if strict:
        _check(path, located, python=False)
    document = plain(located)
    if parsed is not None:
        parsed[key] = document
    return document


def _check_query_budget(path: str, text: str, parsed: Any) -> None:
    fanout, stack = 0, [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            fanout += node.get("type") in _FANOUT_NODES
            stack.extend(node.get("children") or [])
    if len(text) > MAX_QUERY_CHARS or fanout > MAX_QUERY_FANOUT:
        raise RuleError(f"{path}: 'when' is over the budget for a rule's query ({len(text)} characters, "
                        f"{fanout} projections; at most {MAX_QUERY_CHARS} and {MAX_QUERY_FANOUT})")


def _check(path: str, data: Any, python: bool, line: int | None = None) -> None:
    from iac_lint.engine.validate import format_problems, rule_problems

    problems = rule_problems(data, python=python)
    if python:  # a dict in Python code has no lines of its own: point at ``RULE =``
        problems = [(line, text) for _, text in problems]
    if problems:
        raise RuleError(format_problems(path, problems))


def _rule_line(path: str) -> int | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if re.match(r"^RULE\b", text):
                    return number
    except OSError:
        return None
    return None


def _load_python_rule(path: str, strict: bool = True) -> Rule:
    name = "iac_lint_rule_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RuleError(f"{path}: cannot load")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a broken user rule is a configuration error, not a crash
        raise RuleError(f"{path}:{_error_line(exc, path)}: {type(exc).__name__}: {exc}") from None
    meta = getattr(module, "RULE", None)
    check = getattr(module, "check", None)
    if not isinstance(meta, dict) or not callable(check):
        raise RuleError(f"{path}: a Python rule defines a RULE dict and a check(entity) function")
    if meta.get("options") is not None and (not isinstance(meta["options"], dict) or
                                            len(inspect.signature(check).parameters) < 2):
        raise RuleError(f"{path}: a rule with options defines them as a dict and takes check(entity, options)")
    if strict:
        _check(path, meta, python=True, line=_rule_line(path))
    _validate(meta, path, python=True)
    docs = dict(meta.get("docs") or {})
    if module.__doc__ and "what" not in docs:
        docs["what"] = module.__doc__.strip()
    return Rule(
        id=str(meta["id"]), name=str(meta["name"]), severity=meta["severity"], category=str(meta["category"]),
        title=str(meta["title"]), applies_to=str(meta["applies_to"]), message=str(meta["message"]),
        docs=docs, source=path, check=check, formats=tuple(meta.get("formats") or ()),
        default=meta.get("default", True), options=dict(meta.get("options") or {}),
        subsumes=tuple(meta.get("subsumes") or ()), fixes=list(meta.get("fixes") or []),
    )


def _error_line(exc: BaseException, path: str) -> int:
    """The line of ``path`` where loading it failed (a SyntaxError's own, else the deepest frame in it)."""
    import traceback

    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.realpath(f.filename) == os.path.realpath(path)]
    return frames[-1].lineno or 1 if frames else 1


def rule_files(directory: str) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not CASES_DIR.match(d) and not d.startswith((".", "__")))
        # Regular files only: a FIFO named like a rule in a repository's rule folder would block the open.
        out.extend(os.path.join(dirpath, f) for f in sorted(filenames)
                   if RULE_FILE.match(f) and os.path.isfile(os.path.join(dirpath, f)))
    return out


def builtin_policies_dir() -> str:
    """The built-in rules: shipped inside the package, or the repo's ``policies/`` in a checkout."""
    packaged = os.path.join(os.path.dirname(os.path.dirname(__file__)), "policies")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "policies")


def load_rules(extra_dirs: Iterable[str] = (), builtin: bool = True,
               parsed: dict[str, Any] | None = None) -> list[Rule]:
    """Every rule; a later directory's rule replaces an earlier one with the same id.

    The rules of ``extra_dirs`` are checked strictly (``engine/validate.py``); every problem of every file
    is reported at once, so that one run shows the author everything to fix.
    """
    dirs = ([(builtin_policies_dir(), False)] if builtin else []) + [(d, True) for d in extra_dirs]
    rules: dict[str, Rule] = {}
    errors: list[str] = []
    for directory, strict in dirs:
        if not os.path.isdir(directory):
            raise RuleError(f"{directory}: no such policies directory")
        for path in rule_files(directory):
            try:
                rule = load_rule_file(path, strict=strict, parsed=parsed)
            except RuleError as exc:
                errors.append(str(exc))
                continue
            rules[rule.id] = rule
    if errors:
        raise RuleError("\n".join(errors))
    return sorted(rules.values(), key=lambda r: r.id)


def configure_rules(rules: list[Rule], options: dict[str, dict[str, Any]]) -> list[Rule]:
    """Each rule with the configuration's ``rule_options`` over its own; an option it does not have is an error."""
    out = []
    for rule in rules:
        given = options.get(rule.id)
        if given:
            unknown = sorted(set(given) - set(rule.options))
            if unknown:
                known = ", ".join(sorted(rule.options)) or "none"
                raise RuleError(f"rule_options: {rule.id} has no option {', '.join(unknown)} (its options: {known})")
            values = {}
            for name, value in given.items():
                default = rule.options[name]
                if not isinstance(value, type(default)) or isinstance(value, bool) != isinstance(default, bool):
                    raise RuleError(f"rule_options: {rule.id} {name} must be "
                                    f"{type(default).__name__}, not {value!r}")
                values[name] = type(default)(value)  # a plain str/int, not the reader's located one
            rule = dataclasses.replace(rule, options={**rule.options, **values})
        out.append(rule)
    return out


# Named starting sets of rules: ``default`` is the default set (real weaknesses under current AWS
# behaviour), ``strict`` adds every opt-in rule (key-control and compliance advice).
PROFILES = ("default", "strict")


def select_rules(rules: list[Rule], select: Iterable[str] = (), ignore: Iterable[str] = (),
                 extend_select: Iterable[str] = (), profile: str = "default") -> list[Rule]:
    """``--select``/``--extend-select``/``--ignore`` by id (``IAM001``), id prefix (``IAM``) or category.

    The starting set is the profile's (``default``: the default set; ``strict``: every rule); ``--select``
    replaces it with the rules it names, opt-in ones included, as ruff's ``select`` does;
    ``--extend-select`` adds the rules it names to whichever set that is; ``--ignore`` removes, last.
    """
    select, ignore, extend = list(select), list(ignore), list(extend_select)
    if select:
        selected = [r for r in rules if matches_rule(r.id, r.category, select)]
    else:
        selected = [r for r in rules if r.default or profile == "strict"]
    chosen = {id(r) for r in selected}
    selected += [r for r in rules if id(r) not in chosen and matches_rule(r.id, r.category, extend)]
    order = {id(r): i for i, r in enumerate(rules)}
    selected.sort(key=lambda r: order[id(r)])
    return [r for r in selected if not matches_rule(r.id, r.category, ignore)]
