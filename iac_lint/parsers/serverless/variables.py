"""Serverless Framework variables (``${source:address, fallback}``), resolved statically.

The framework resolves variables at deploy time from many sources; a linter
can only use what the scanned files and the user's choices say:

- ``self:`` (the service file itself), ``file(...)`` (another file inside the
  scanned roots), ``opt:stage`` / ``sls:stage`` (``--stage``), ``param:``
  (``--param`` or the service's own ``params:`` block) and ``strToBool`` are
  resolved;
- every other source (``env``, ``ssm``, ``cf``, ``aws``, ``s3``, plugin
  sources) is an ``Unknown`` carrying the expression, unless the expression
  names a fallback, which is then taken: the file itself says that value may
  be deployed.

A ``${...}`` that is not a variable (CloudFormation's ``${AWS::Region}`` or
``${MyBucket.Arn}`` inside an ``Fn::Sub``) is left as written, as the
framework does.

Resolution is bounded: a chain of references deeper than ``MAX_HOPS``, or a
reference back into itself, stops with an ``E003`` problem and an unknown;
the total size of substituted trees is capped so that a file of mutually
doubling references cannot exhaust memory.  ``file(...)`` never reads a path
whose real location (symlinks followed) is outside the scanned roots: that
is an ``E002`` problem, never a read.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any

from iac_lint.model import LMap, Location, LSeq, LStr, Template, Unknown, loc_of

MAX_HOPS = 32  # references followed from one value before giving up
MAX_NESTING = 200  # containers + hops on one resolution path (keeps Python's stack safe)
MAX_EXPANDED_NODES = 1_000_000  # nodes all substitutions may add, counted with repetition
MAX_STRING = 100_000  # characters of one interpolated string
MAX_INCLUDE_BYTES = 5 * 1024 * 1024

# Sources whose values exist only at deploy time: always unknown unless a fallback is given.
_SOURCE = re.compile(r"^([A-Za-z][\w.-]*):(?!:)(.*)$", re.S)
_CALL = re.compile(r"^([A-Za-z]\w*)\((.*?)\)(?::(.*))?$", re.S)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_MISSING = object()  # "not found": distinct from an explicit null and from Unknown


@dataclass(slots=True)
class _Expr:
    """One ``${...}``: its text, and the inner text split into alternatives (primary, fallbacks)."""

    text: str
    alternatives: list[str]


def split_template(text: str) -> list[str | _Expr]:
    """A string as literal parts and ``${...}`` expressions, nested braces and quotes respected."""
    parts: list[str | _Expr] = []
    i, literal_start, n = 0, 0, len(text)
    while i < n:
        if text.startswith("${", i):
            end = _matching_brace(text, i + 2)
            if end < 0:
                break  # unbalanced: the rest is literal
            if literal_start < i:
                parts.append(text[literal_start:i])
            inner = text[i + 2:end]
            parts.append(_Expr(text[i:end + 1], _split_alternatives(inner)))
            i = literal_start = end + 1
            continue
        i += 1
    if literal_start < n:
        parts.append(text[literal_start:])
    return parts


def _matching_brace(text: str, start: int) -> int:
    depth, quote, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif text.startswith("${", i):
            depth += 1
            i += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _split_alternatives(inner: str) -> list[str]:
    """``opt:stage, 'dev'`` -> ``["opt:stage", "'dev'"]``: commas at the top level only."""
    out, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(inner):
        ch = inner[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif inner.startswith("${", i):
            depth += 1
            i += 1
        elif ch in "(":
            depth += 1
        elif ch in "})" and depth:
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(inner[start:i].strip())
            start = i + 1
        i += 1
    out.append(inner[start:].strip())
    return out


def is_variable(alternative: str) -> bool:
    """True for ``self:x``, ``file(./a.yml):b``, ``${...}``; False for CloudFormation's ``AWS::Region``."""
    return bool(_SOURCE.match(alternative) or _CALL.match(alternative)
                or (alternative.startswith("${") and alternative.endswith("}")))


class _Cycle(Exception):
    """Raised where a string is met again while it is being resolved; caught where it started."""

    def __init__(self, key: int) -> None:
        super().__init__(key)
        self.key = key


class VariableResolver:
    """Resolves every variable of one service file (and the files it includes).

    ``tpl`` receives the problems (cycles, escaping or unreadable includes)
    and the text of every included file, so findings in them can be shown
    and suppressed like findings in the service file.
    """

    def __init__(self, data: Any, file: str, tpl: Template, stage: str | None = None,
                 params: dict[str, str] | None = None, roots: list[str] | None = None) -> None:
        self.root = data
        self.file = file
        self.tpl = tpl
        self.stage_option = stage
        self.params = dict(params or {})
        self._given_roots = list(roots or [])
        # id -> (the node, its value): the node is kept so that its id is never reused by another.
        self._memo: dict[int, tuple[Any, Any]] = {}
        self._active: list[tuple[int, str, Location | None]] = []  # strings being resolved, for cycles
        self._files: dict[str, Any] = {}
        self._expanded = 0
        self._reported: set[tuple[str, str, int]] = set()
        self._stage_cache: Any = _MISSING

    @functools.cached_property
    def roots(self) -> list[str]:
        """Where ``file(...)`` may read, resolved when a file is first included: most service files include none."""
        base_dir = os.path.dirname(os.path.abspath(self.file))
        # A root that is a file (``iac-lint scan serverless.yml``) allows its own directory.
        return [os.path.realpath(r if os.path.isdir(r) else os.path.dirname(os.path.abspath(r)))
                for r in self._given_roots] or [os.path.realpath(base_dir)]

    # --- public -----------------------------------------------------------------

    def resolve_document(self) -> Any:
        return self.value(self.root, 0)

    @property
    def stage(self) -> Any:
        """``--stage``, else ``provider.stage``, else the framework's default ``dev``."""
        if self._stage_cache is _MISSING:
            if self.stage_option:
                self._stage_cache = self.stage_option
            else:
                found = self._navigate(self.root, ["provider", "stage"], 1, None)
                self._stage_cache = "dev" if found is _MISSING or found is None else found
        return self._stage_cache

    # --- trees ------------------------------------------------------------------

    def value(self, node: Any, depth: int) -> Any:
        """``node`` with every variable inside it resolved; located containers are rebuilt, not mutated."""
        if isinstance(node, str):
            return self.string(node, depth) if "${" in node else node
        if not isinstance(node, (dict, list)):
            return node
        known = self._memo.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        if depth > MAX_NESTING:
            return Unknown("nesting too deep to resolve variables")
        out: LMap | LSeq
        if isinstance(node, dict):
            out = LMap(loc=loc_of(node))
            for key, raw in node.items():
                new_key = key
                if isinstance(key, str) and "${" in key:
                    resolved_key = self.string(key, depth + 1)
                    if isinstance(resolved_key, (str, int, float)) and not isinstance(resolved_key, bool):
                        new_key = LStr(str(resolved_key), loc_of(key))
                # A leaf without a variable is itself: most of a file, returned without a call.
                leaf = not isinstance(raw, (dict, list)) and not (isinstance(raw, str) and "${" in raw)
                out[new_key] = raw if leaf else self.value(raw, depth + 1)
                if isinstance(node, LMap):
                    if key in node.key_locs:
                        out.key_locs[new_key] = node.key_locs[key]
                    if key in node.value_locs:
                        out.value_locs[new_key] = node.value_locs[key]
        else:
            seq = LSeq([self.value(item, depth + 1) for item in node], loc=loc_of(node))
            seq.item_locs = list(node.item_locs) if isinstance(node, LSeq) else []
            out = seq
        self._memo[id(node)] = (node, out)
        return out

    def string(self, text: str, depth: int) -> Any:
        """A string with variables: a whole-string variable keeps its value's type; parts are joined."""
        key = id(text)
        known = self._memo.get(key)
        if known is not None and known[0] is text:
            return known[1]
        where = loc_of(text)
        active_keys = [active for active, _, _ in self._active]
        if key in active_keys:
            chain = [t for _, t, _ in self._active[active_keys.index(key):]] + [str(text)]
            self._problem("E003", "variables refer to each other in a cycle: " + " -> ".join(chain), where)
            raise _Cycle(key)
        if len(self._active) >= MAX_HOPS or depth > MAX_NESTING:
            self._problem("E003", f"variable references nest deeper than {MAX_HOPS} levels; "
                          f"left unresolved: {text}", where)
            return Unknown(str(text))
        self._active.append((key, str(text), where))
        try:
            result = self._interpolate(text, depth)
        except _Cycle as cycle:
            if cycle.key != key:
                raise
            result = Unknown(str(text))  # the string that closed the cycle ends it; callers go on
        finally:
            self._active.pop()
        if isinstance(result, str):
            # A scalar is located where it is used; lists and maps keep where they were written.
            result = LStr(str(result), where)
        self._memo[key] = (text, result)
        return result

    def _interpolate(self, text: str, depth: int) -> Any:
        parts = split_template(str(text))
        if len(parts) == 1 and isinstance(parts[0], _Expr):
            value = self._expression(parts[0], text, depth)
            return Unknown(parts[0].text) if value is _MISSING else value
        pieces: list[str] = []
        unknown = False
        for part in parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = self._expression(part, text, depth)
            if isinstance(value, bool):
                pieces.append("true" if value else "false")
            elif isinstance(value, (str, int, float)):
                pieces.append(str(value))
            else:  # unknown, missing, or a container inside a string
                unknown = True
                pieces.append(part.text)
            if sum(map(len, pieces)) > MAX_STRING:
                return Unknown(f"string longer than {MAX_STRING} characters after variables")
        joined = "".join(pieces)
        return Unknown(joined) if unknown else joined

    # --- expressions ------------------------------------------------------------

    def _expression(self, expr: _Expr, text: str, depth: int) -> Any:
        """The value of one ``${...}``; the literal text when it is not a variable at all."""
        primary = expr.alternatives[0] if expr.alternatives else ""
        if not is_variable(primary):
            return expr.text  # CloudFormation's own ${...}: not ours
        first_unknown: Any = None
        for alternative in expr.alternatives:
            value = self._alternative(alternative, text, depth)
            if value is _MISSING or value is None:
                continue
            if isinstance(value, Unknown):
                first_unknown = first_unknown or value
                continue
            return value
        if first_unknown is not None:
            return Unknown(expr.text) if len(expr.alternatives) > 1 else first_unknown
        return _MISSING

    def _alternative(self, alt: str, text: str, depth: int) -> Any:
        if len(alt) >= 2 and alt[0] == alt[-1] and alt[0] in "'\"":
            return alt[1:-1]
        if _NUMBER.match(alt):
            return float(alt) if "." in alt else int(alt)
        if alt in ("true", "false"):
            return alt == "true"
        if alt == "null":
            return None
        if alt.startswith("${") and alt.endswith("}"):
            return self._nested(alt, text, depth)
        call = _CALL.match(alt)
        if call:
            name, argument, address = call.group(1), call.group(2).strip(), call.group(3)
            argument = self._text_of(argument, text, depth)
            if isinstance(argument, Unknown):
                return argument
            if name == "file":
                if address is not None:
                    address = self._text_of(address, text, depth)
                    if isinstance(address, Unknown):
                        return address
                return self._file(argument.strip("'\""), address, text, depth)
            if name == "strToBool":
                lowered = argument.strip().strip("'\"").lower()
                return {"true": True, "false": False, "1": True, "0": False}.get(lowered, Unknown(alt))
            return Unknown(f"${{{alt}}}")  # ssm(region):..., cf(region):... and plugin functions
        match = _SOURCE.match(alt)
        if not match:
            return alt  # a bare word used as a fallback: the framework keeps it as text
        source, address = match.group(1), match.group(2).strip()
        address = self._text_of(address, text, depth)
        if isinstance(address, Unknown):
            return address
        base = source.split(".", 1)[0]
        if base == "self":
            parts = [p for p in address.split(".") if p] if address else []
            return self._navigate(self.root, parts, depth + 1, loc_of(text))
        if base == "opt":
            if address == "stage":
                return self.stage_option if self.stage_option else _MISSING
            return _MISSING
        if base == "sls":
            if address == "stage":
                return self.stage
            return Unknown(f"${{{alt}}}")  # instanceId and future fields: deploy-time
        if base == "param":
            return self._param(address, depth)
        return Unknown(f"${{{alt}}}")  # env, ssm, cf, aws, s3 and every plugin source

    def _nested(self, alt: str, text: str, depth: int) -> Any:
        inner = LStr(alt, loc_of(text))
        return self.string(inner, depth + 1)

    def _text_of(self, fragment: str, text: str, depth: int) -> Any:
        """An address or file path that may itself contain variables, as a string or an Unknown."""
        if "${" not in fragment:
            return fragment
        value = self.string(LStr(fragment, loc_of(text)), depth + 1)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        return value if isinstance(value, Unknown) else Unknown(fragment)

    def _param(self, name: str, depth: int) -> Any:
        """``--param`` wins; then the service's ``params:`` for the stage, then ``params.default``."""
        if name in self.params:
            return self.params[name]
        stage = self.stage
        for section in ([stage] if isinstance(stage, str) else []) + ["default"]:
            found = self._navigate(self.root, ["params", section, name], depth + 1, None)
            if found is not _MISSING:
                return found
        return Unknown(f"${{param:{name}}}")

    def _navigate(self, base: Any, parts: list[str], depth: int, where: Location | None) -> Any:
        """Walk ``parts`` down from ``base``, resolving only the nodes on the way (never siblings)."""
        current = base
        for part in parts:
            if isinstance(current, str) and "${" in current:
                current = self.string(current, depth + 1)
            if isinstance(current, Unknown):
                return current
            if isinstance(current, dict):
                if part in current:
                    current = current[part]
                elif _NUMBER.match(part) and int(part) in current:
                    current = current[int(part)]
                else:
                    return _MISSING
            elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
            else:
                return _MISSING
        resolved = self.value(current, depth + 1)
        self._count(resolved)
        return resolved

    # --- files ------------------------------------------------------------------

    def _file(self, rel: str, address: str | None, text: str, depth: int) -> Any:
        where = loc_of(text)
        referring = where.file if where is not None else self.file
        display = os.path.normpath(os.path.join(os.path.dirname(referring), rel))
        real = os.path.realpath(display)
        from iac_lint.parsers.source import in_never_walked_directory, inside
        if not inside(display, self.roots):
            self._problem("E002", f"${{file({rel})}} points outside the scanned directory; not read", where)
            return Unknown(f"${{file({rel})}}")
        if in_never_walked_directory(display, self.roots):
            self._problem("E002", f"${{file({rel})}} is inside a directory that is never scanned (.git, "
                                  "node_modules, ...); not read", where)
            return Unknown(f"${{file({rel})}}")
        loaded = self._load(display, real, where)
        if loaded is _MISSING or isinstance(loaded, Unknown):
            return loaded
        parts = [p for p in (address or "").strip().split(".") if p]
        return self._navigate(loaded, parts, depth + 1, where)

    def _load(self, display: str, real: str, where: Location | None) -> Any:
        if real in self._files:
            return self._files[real]
        from iac_lint.parsers.yaml_loader import LoadError, load_text
        result: Any
        if not os.path.isfile(real):
            result = _MISSING
        elif real.lower().endswith((".js", ".mjs", ".cjs", ".ts")):
            result = Unknown(f"${{file({display})}} (code is never executed)")
        elif os.path.getsize(real) > MAX_INCLUDE_BYTES:
            self._problem("E002", f"{display} is larger than {MAX_INCLUDE_BYTES} bytes; not read", where)
            result = Unknown(f"${{file({display})}}")
        else:
            from iac_lint.parsers.source import read_text
            content, failed = read_text(real, roots=self.roots)  # a regular file only, bounded
            if content is None:
                reason = failed.problems[0].message if failed is not None and failed.problems else "unreadable"
                self._problem("E002", f"cannot read {display}: {reason}", where)
                result = Unknown(f"${{file({display})}}")
            elif real.lower().endswith((".yml", ".yaml", ".json")):
                self.tpl.sources.setdefault(display, content.splitlines())
                try:
                    result = load_text(content, display)
                except LoadError as exc:
                    self.tpl.problem("E001", f"cannot parse included file: {exc.message}",
                                     Location(display, exc.line, exc.column))
                    result = Unknown(f"${{file({display})}}")
            else:
                result = LStr(content, Location(display, 1, 1))  # the framework returns other files as text
        self._files[real] = result
        return result

    # --- bookkeeping ------------------------------------------------------------

    def _count(self, value: Any) -> None:
        """Charge a substituted tree to the expansion budget (shared subtrees counted each time)."""
        if not isinstance(value, (dict, list)):
            return
        self._expanded += _size(value, {})
        if self._expanded > MAX_EXPANDED_NODES:
            self._problem("E003", f"variables expand the file to more than {MAX_EXPANDED_NODES} nodes",
                          loc_of(self.root))
            raise _Budget()

    def _problem(self, rule: str, message: str, where: Location | None) -> None:
        where = where or Location(self.file, 1, 1)
        key = (rule, where.file, where.line)
        if key in self._reported:
            return
        self._reported.add(key)
        self.tpl.problem(rule, message, where)


class _Budget(Exception):
    """The expansion budget is spent: resolution stops for the whole file."""


def _size(value: Any, memo: dict[int, int]) -> int:
    known = memo.get(id(value))
    if known is not None:
        return known
    memo[id(value)] = 1
    if isinstance(value, dict):
        total = 1 + sum(_size(v, memo) for v in value.values())
    elif isinstance(value, list):
        total = 1 + sum(_size(v, memo) for v in value)
    else:
        total = 1
    memo[id(value)] = total
    return total


def resolve_variables(data: Any, file: str, tpl: Template, stage: str | None = None,
                      params: dict[str, str] | None = None, roots: list[str] | None = None) -> tuple[Any, Any]:
    """The service file with its variables resolved, and the stage it was resolved for.

    When the expansion budget runs out the file is analysed as written
    (variables unresolved), after an ``E003`` problem says so.
    """
    resolver = VariableResolver(data, file, tpl, stage, params, roots)
    try:
        return resolver.resolve_document(), resolver.stage
    except _Budget:
        return data, resolver.stage_option or "dev"
    except RecursionError:
        resolver._problem("E003", "variables nest too deeply to resolve", loc_of(data))
        return data, resolver.stage_option or "dev"
