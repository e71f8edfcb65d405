"""CloudFormation's intrinsic functions, resolved as far as a template allows.

``CfnContext`` resolves parameter defaults, mappings, ``Sub``/``Join``/
``Select`` of known parts; everything else becomes an ``Unknown`` holding
the expression.  It also says which resources a value refers to.  The small
readers at the end set entity facts from resolved properties; every
CloudFormation-shaped builder (plain, SAM, Serverless) uses them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar, overload

from iac_lint.model import Entity, Location, Unknown, Value, get_path, path_loc, plain, value_loc
from iac_lint.parsers.iam import branches

E = TypeVar("E", bound=Entity)

_PLACE_PSEUDO_PARAMETERS = frozenset({"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix"})
# No ``$`` inside a variable: each ``${`` is then scanned only up to the next one, so a string of a
# million unclosed ``${`` costs linear time instead of quadratic.
# Resolution steps of one template (Ref, Sub, FindInMap, If ... each one), and the longest text a Sub may build.
MAX_RESOLVE_STEPS = 1_000_000
MAX_SUB_RESULT = 1024 * 1024
_SUB_VAR = re.compile(r"\$\{([^}!$][^}$]*)\}")
# ``json.dumps`` with options builds an encoder per call, and every unresolved expression is rendered.
_COMPACT_JSON = json.JSONEncoder(default=str, separators=(",", ":"))


def _has_intrinsic(value: Any) -> bool:
    if isinstance(value, dict):
        return any(str(k) == "Ref" or str(k).startswith("Fn::") or _has_intrinsic(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_intrinsic(v) for v in value)


def expression_text(value: Any) -> str:
    """A compact, readable rendering of an unresolved expression."""
    data = plain(value)
    if isinstance(data, dict) and len(data) == 1:
        (key, arg), = data.items()
        short = key.replace("Fn::", "!")
        if key == "Ref":
            short = "!Ref"
        return f"{short} {_COMPACT_JSON.encode(arg)}"
    return _COMPACT_JSON.encode(data)


class CfnContext:
    """Resolution of intrinsic functions for one template."""

    def __init__(self, file: str, fmt: str, data: Any, parameter_values: dict[str, Any] | None = None) -> None:
        self.file = file
        self.format = fmt
        self.data = data if isinstance(data, dict) else {}
        self.parameters: dict[str, Any] = {}
        params = self.data.get("Parameters")
        if isinstance(params, dict):
            for name, spec in params.items():
                if isinstance(spec, dict) and "Default" in spec:
                    self.parameters[str(name)] = spec["Default"]
                else:
                    self.parameters[str(name)] = Unknown(f"parameter {name}")
        for name, value in (parameter_values or {}).items():
            self.parameters[name] = value
        mappings = self.data.get("Mappings")
        self.mappings = mappings if isinstance(mappings, dict) else {}
        resources = self.data.get("Resources")
        self.resource_ids: set[str] = set(map(str, resources)) if isinstance(resources, dict) else set()
        self.entities: dict[str, Entity] = {}
        self.steps = 0

    # --- resolution ----------------------------------------------------------

    def resolve(self, value: Any, depth: int = 0) -> Value:
        """A plain value, or ``Unknown`` where the template does not say."""
        self.steps += 1
        if depth > 32 or self.steps > MAX_RESOLVE_STEPS:
            return Unknown(expression_text(value))
        if isinstance(value, str):
            return str(value)
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            handler = self._INTRINSICS.get(str(key))
            if handler is not None:
                return handler(self, arg, value, depth + 1)
        return {str(k): self.resolve(v, depth + 1) for k, v in value.items()}

    def _ref(self, arg: Any, node: Any, depth: int) -> Value:
        name = str(arg) if isinstance(arg, str) else None
        if name == "AWS::NoValue":
            return None
        if name in self.parameters:
            return self.parameter_value(name)
        return Unknown(expression_text(node))

    def parameter_value(self, name: str) -> Value:
        """A parameter's value: literal in CloudFormation (an intrinsic in a ``Default`` is invalid there), so
        it is never resolved, and a chain of defaults cannot multiply the work."""
        value = self.parameters[name]
        return Unknown(f"parameter {name}") if _has_intrinsic(value) else plain(value)

    def _sub(self, arg: Any, node: Any, depth: int) -> Value:
        substituted = self.sub_partially(arg, depth)
        if substituted is None:
            return Unknown(expression_text(node))
        text, unresolved = substituted
        if not unresolved:
            return text
        # Only the account, region or partition missing: still a pattern rules can match.
        open_vars = {m.group(1).strip() for m in _SUB_VAR.finditer(text)}
        pattern = _SUB_VAR.sub("*", text) if open_vars <= _PLACE_PSEUDO_PARAMETERS else None
        return Unknown(expression_text(node), pattern)

    def sub_partially(self, arg: Any, depth: int = 0, mark: str = "") -> tuple[str, bool] | None:
        """``Fn::Sub``'s text with the variables that resolve substituted, and whether any did not.

        Unresolved ``${X}`` stay in the text as written, wrapped in ``mark`` when one is given so that
        the caller can tell them from an escaped ``${!Literal}``.  None when the argument is not a Sub's.
        """
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, variables = arg[0], arg[1]
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            return None
        unresolved = False
        size = len(text)  # of the text built so far: a Sub may not build more than MAX_SUB_RESULT

        def substitute(match: re.Match[str]) -> str:
            nonlocal unresolved, size
            name = match.group(1).strip()
            if name in variables:
                value = self.resolve(variables[name], depth)
            elif name in self.parameters:
                value = self.parameter_value(name)
            else:
                value = None
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                size += len(str(value))
                if size <= MAX_SUB_RESULT:
                    return str(value)
            unresolved = True
            return f"{mark}{match.group(0)}{mark}"

        return _SUB_VAR.sub(substitute, str(text)).replace("${!", "${"), unresolved

    def _join(self, arg: Any, node: Any, depth: int) -> Value:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(expression_text(node))
        sep, parts = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
        if isinstance(sep, str) and isinstance(parts, list) and all(isinstance(p, (str, int)) for p in parts):
            return sep.join(str(p) for p in parts)
        return Unknown(expression_text(node))

    def _select(self, arg: Any, node: Any, depth: int) -> Value:
        if isinstance(arg, list) and len(arg) == 2:
            raw_index, items = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
            if not isinstance(raw_index, (str, int, float)):  # None, Unknown, lists, mappings: int() would fail
                return Unknown(expression_text(node))
            try:
                index = int(raw_index)
            except (TypeError, ValueError):
                return Unknown(expression_text(node))
            if isinstance(items, list) and 0 <= index < len(items):
                return items[index]
        return Unknown(expression_text(node))

    def _find_in_map(self, arg: Any, node: Any, depth: int) -> Value:
        if isinstance(arg, list) and len(arg) >= 3:
            keys = [self.resolve(a, depth) for a in arg[:3]]
            current: Any = self.mappings
            for key in keys:
                if not isinstance(key, (str, int)) or not isinstance(current, dict) or key not in current:
                    return Unknown(expression_text(node))
                current = current[key]
            # Literal, like a parameter's default: an intrinsic inside Mappings is invalid in CloudFormation.
            return Unknown(expression_text(node)) if _has_intrinsic(current) else plain(current)
        return Unknown(expression_text(node))

    def _if(self, arg: Any, node: Any, depth: int) -> Value:
        if isinstance(arg, list) and len(arg) == 3:
            yes, no = self.resolve(arg[1], depth), self.resolve(arg[2], depth)
            if yes == no and not isinstance(yes, Unknown):
                return yes
        return Unknown(expression_text(node))

    def _opaque(self, arg: Any, node: Any, depth: int) -> Value:
        return Unknown(expression_text(node))

    _INTRINSICS: ClassVar[dict[str, Callable[..., Any]]] = {
        "Ref": _ref, "Fn::Sub": _sub, "Fn::Join": _join, "Fn::Select": _select,
        "Fn::FindInMap": _find_in_map, "Fn::If": _if, "Fn::GetAtt": _opaque,
        "Fn::ImportValue": _opaque, "Fn::GetAZs": _opaque, "Fn::Split": _opaque,
        "Fn::Base64": _opaque, "Fn::Cidr": _opaque, "Fn::Length": _opaque, "Fn::ToJsonString": _opaque,
        "Fn::Transform": _opaque,
    }

    # --- references ----------------------------------------------------------

    def ref_target(self, value: Any) -> str | None:
        """The logical id a value points at (``!Ref X``, ``!GetAtt X.Arn``, ``!Sub ${X.Arn}``)."""
        targets = list(self.refs_in(value))
        return targets[0] if targets else None

    def refs_in(self, value: Any, depth: int = 0) -> Iterator[str]:
        """Every resource logical id referenced anywhere inside a value."""
        if depth > 32:
            return
        if isinstance(value, dict):
            for key, arg in value.items():
                if key == "Ref" and isinstance(arg, str) and arg in self.resource_ids:
                    yield str(arg)
                elif key == "Fn::GetAtt":
                    head = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(head, str):
                        head = head.split(".")[0]
                        if head in self.resource_ids:
                            yield head
                elif key == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(text, str):
                        for match in _SUB_VAR.finditer(text):
                            name = match.group(1).split(".")[0].strip()
                            if name in self.resource_ids:
                                yield name
                    if isinstance(arg, list) and len(arg) > 1:
                        yield from self.refs_in(arg[1], depth + 1)
                else:
                    yield from self.refs_in(arg, depth + 1)
        elif isinstance(value, list):
            for item in value:
                yield from self.refs_in(item, depth + 1)

    @overload
    def entity_for(self, value: Any) -> Entity | None: ...
    @overload
    def entity_for(self, value: Any, cls: type[E]) -> E | None: ...
    def entity_for(self, value: Any, cls: type[Entity] = Entity) -> Entity | None:
        """The entity a reference points at, if it is one of ``cls``."""
        for target in self.refs_in(value):
            entity = self.entities.get(target)
            if isinstance(entity, cls):
                return entity
        return None

    def name_or_arn(self, value: Any, cls: type[E]) -> E | None:
        """An entity referenced by Ref/GetAtt, or by its literal name or ARN."""
        found = self.entity_for(value, cls)
        if found is not None:
            return found
        literal = self.resolve(value)
        if isinstance(literal, str):
            tail = re.split(r"[:/]", literal)[-1]
            for entity in self.entities.values():
                if isinstance(entity, cls) and isinstance(entity.name, str) and entity.name in (literal, tail):
                    return entity
        return None


# --- readers over resolved properties ---------------------------------------------


def set_fact(entity: Entity, fact: str, ctx: CfnContext, props: Any, *path: str) -> Value:
    raw = get_path(props, *path)
    if raw is None:
        return None
    value = ctx.resolve(raw)
    entity.set(fact, value, path_loc(props, *path))
    return value


def opaque_block(ctx: CfnContext, node: Any) -> Unknown | None:
    """An Unknown when a whole property block is an unresolvable intrinsic (``!If [C, {...}, !Ref AWS::NoValue]``).

    Reading keys out of such a block finds none of them, which would otherwise read as "not configured".
    """
    if isinstance(node, dict) and len(node) == 1 and str(next(iter(node))) in CfnContext._INTRINSICS:
        resolved = ctx.resolve(node)
        if isinstance(resolved, Unknown):
            return resolved
    return None


def name_of(ctx: CfnContext, props: Any, key: str) -> Any:
    raw = get_path(props, key)
    return ctx.resolve(raw) if raw is not None else None


def list_entries(listed: Any, where: Location | None) -> list[tuple[Any, Location | None]]:
    """The items of a list, each ``Fn::If`` item replaced by its branches; nothing when not a list."""
    if not isinstance(listed, list):
        return []
    out: list[tuple[Any, Location | None]] = []
    for i, item in enumerate(listed):
        out.extend(branches(item, value_loc(listed, i) or where))
    return out
