"""A function's exposure path: who can reach it, and what it can then do.

Read from linked entities only: each trigger (an API route with its
authorization and throttle, a function URL, a bucket, queue or topic event,
a resource-based invoke grant) leads to the function, the function to its
role, and the role's statements to the resources they reach, their actions
summarized by IAM access level.  Reports draw it; nothing here judges it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from iac_lint.model.apigateway import guarding_route, requires_api_key, route_key, route_throttle, throttle_is_set
from iac_lint.model.core import Location, Unknown
from iac_lint.model.entities import (
    Bucket,
    Entity,
    Function,
    Key,
    LogGroup,
    Queue,
    Role,
    Route,
    Stream,
    Table,
    Throttle,
    Topic,
    Trigger,
)
from iac_lint.model.iam_actions import (
    ADMIN_MANAGED_POLICIES,
    access_levels,
    covers_every_resource,
    is_full_wildcard,
    resource_texts,
)

# Strongest first: the order in which a grant's actions are summarized.
ACCESS_LEVELS = ("Permissions management", "Write", "Tagging", "Read", "List")
# Actions of a service missing from the reference, or not known statically.
UNKNOWN_LEVEL = "Unknown"

# The entity an ARN of a service names, and the place of the name in the ARN's resource part.
_ARN_ENTITIES: dict[str, type[Entity]] = {
    "s3": Bucket, "dynamodb": Table, "sqs": Queue, "sns": Topic, "kinesis": Stream, "logs": LogGroup,
    "kms": Key, "lambda": Function,
}
_TRIGGER_TITLES = {
    "api": "REST API", "http-api": "HTTP API", "websocket": "WebSocket API", "url": "Function URL",
    "s3": "S3 events", "sqs": "SQS messages", "sns": "SNS messages", "schedule": "Schedule",
    "stream": "Stream records", "eventbridge": "EventBridge rule", "alb": "Load balancer",
    "cloudfront": "CloudFront", "cognito": "Cognito trigger", "iot": "IoT rule",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One way in to a function."""

    kind: str  # the trigger kind, or "permission" for a resource-based invoke grant
    title: str  # "POST /orders", "Function URL", "S3 events"
    via: str | None  # "HTTP API ServerlessHttpApi", the source bucket or queue, the grantee
    public: bool | None  # None: cannot be known statically
    auth: str | None  # what authorizes a call ("NONE", "AWS_IAM", "JWT", ...); None where it does not apply
    throttle: str | None  # the limit on this path, "none", or None where it does not apply
    entities: tuple[Entity, ...]  # the route, API, stages, source or grant: what findings on this entry name
    loc: Location | None


@dataclass(frozen=True, slots=True)
class Grant:
    """What a role's Allow statements let it do to one resource (or to every resource)."""

    target: str  # "*", an ARN, an unresolved expression; a managed policy's ARN or name
    entity: Entity | None  # the scanned resource the target names, when it names one
    every_resource: bool  # "*" or every resource of a service: a wildcard reviewers want in red
    levels: tuple[tuple[str, tuple[str, ...]], ...]  # (access level, actions), strongest level first
    wildcard_actions: tuple[str, ...]  # "*", "s3:*", NotAction
    note: str | None = None  # "statements not analysed" for a managed policy whose statements are not known
    source: str = "statement"  # "statement", "managed-policy", or "external-role" (a role defined elsewhere)


@dataclass(frozen=True, slots=True)
class ExposurePath:
    function: Function
    entries: tuple[Entry, ...]
    role: Role | None
    grants: tuple[Grant, ...]


def exposure_paths(entities: Iterable[Entity]) -> list[ExposurePath]:
    """The path of every function among ``entities`` (one template's), in their order."""
    entities = list(entities)
    return [exposure_path(fn, entities) for fn in entities if isinstance(fn, Function)]


def exposure_path(fn: Function, neighbours: list[Entity]) -> ExposurePath:
    """``fn``'s path; ``neighbours`` are the entities of its template, to name what sources and ARNs point at."""
    entries = [trigger_entry(t, fn, neighbours) for t in fn.triggers]
    entries += [_permission_entry(p) for p in fn.permissions]
    return ExposurePath(fn, tuple(entries), fn.role, tuple(role_grants(fn.role, neighbours)) if fn.role else ())


# --- Ways in -----------------------------------------------------------------


def route_authorization(route: Route) -> Any:
    """What authorizes calls to ``route``, as written: its guard's own setting (``$connect``'s on a
    WebSocket API), else its API's default.  ``None`` when nothing was written."""
    auth = guarding_route(route).authorization
    if auth is None and route.api is not None:
        auth = route.api.default_authorization
    return auth


def path_throttle(trigger: Trigger) -> str | None:
    """The first rate limit on an API trigger's path (route, stage, usage plan), described; None when none.

    Function URLs and event sources have no throttle of their own: only the
    function's reserved concurrency limits them.
    """
    api, route = trigger.api, trigger.route
    if api is None:
        return None
    if api.external and not api.stages:
        return "unknown (API defined elsewhere)"  # its stages are not known here: not decidable
    if route is not None and throttle_is_set(route.throttle):
        return f"route {describe_throttle(route.throttle)}"
    for stage in api.stages:
        label = stage.stage_name if isinstance(stage.stage_name, str) else stage.id
        per_route = route_throttle(stage, route) if route is not None else None
        if route is not None and per_route is not None:
            return f"{route_key(route.method, route.path)} on stage {label}: {describe_throttle(per_route)}"
        if throttle_is_set(stage.throttle):
            return f"stage {label}: {describe_throttle(stage.throttle)}"
        for plan in stage.usage_plans:
            # A usage plan limits only requests that carry one of its API keys.
            if throttle_is_set(plan.throttle) and (route is None or requires_api_key(route)):
                return f"usage plan {plan.id}: {describe_throttle(plan.throttle)}"
    return None


def describe_throttle(throttle: Throttle) -> str:
    parts = []
    if throttle.rate_limit is not None:
        parts.append(f"rate {_text(throttle.rate_limit)}/s")
    if throttle.burst_limit is not None:
        parts.append(f"burst {_text(throttle.burst_limit)}")
    return ", ".join(parts) or "set"


def trigger_entry(trigger: Trigger, fn: Function, neighbours: list[Entity]) -> Entry:
    public = trigger.public if isinstance(trigger.public, bool) else None
    kind_title = _TRIGGER_TITLES.get(trigger.kind, trigger.kind)
    if trigger.kind == "url":
        return Entry("url", "Function URL", None, public, _text(fn.url_auth_type, "none"), None, (), trigger.loc)
    if trigger.api is not None:
        api, route = trigger.api, trigger.route
        found: list[Entity] = [e for e in (route, api) if e is not None]
        found += api.stages
        if route is not None:
            title = _route_title(route)
            auth = _text(route_authorization(route), "none")
        else:
            title, auth = kind_title, _text(api.default_authorization, "none")
        via = f"{kind_title} {api.id}" + ("" if api.public is True else " (private)" if api.public is False
                                          else " (endpoint type unknown)")
        return Entry(trigger.kind, title, via, public, auth, path_throttle(trigger) or "none", tuple(found),
                     trigger.loc)
    source = _find_entity(trigger.source, neighbours)
    origin = source.id if source is not None else _text(trigger.source) if trigger.source is not None else None
    return Entry(trigger.kind, kind_title, origin, public, None, None, (source,) if source else (), trigger.loc)


def _permission_entry(permission: Any) -> Entry:
    principal = _text(permission.principal, "?")
    conditions = [f"{name} {_text(value)}" for name, value in (
        ("source", permission.source_arn), ("account", permission.source_account),
        ("org", permission.principal_org_id)) if value is not None]
    # Without a source condition, a service principal invokes on behalf of any account's resource (any
    # account's bucket can notify it): as open as "*".
    public = None if isinstance(permission.principal, Unknown) else not conditions and (
        principal == "*" or principal.endswith(".amazonaws.com"))
    via = f"{principal}" + (f" ({'; '.join(conditions)})" if conditions else " (any source)")
    auth = _text(permission.function_url_auth_type) if permission.function_url_auth_type is not None else None
    return Entry("permission", "Invoke permission", via, public, auth, None, (permission,), permission.loc)


def _route_title(route: Route) -> str:
    if route.method is not None and route.method == route.path:
        return _text(route.method)  # a WebSocket route key or $default
    return f"{_text(route.method, 'ANY')} {_text(route.path, '')}".strip()


# --- What the role can do ----------------------------------------------------


def role_grants(role: Role, neighbours: list[Entity]) -> list[Grant]:
    """The role's Allow statements grouped by resource, with actions by access level; managed policies too."""
    by_target: dict[str, dict[str, Any]] = {}
    for stmt in role.effective_statements:
        if stmt.effect != "Allow":
            continue
        targets: list[tuple[str, bool]]
        if stmt.not_resources:
            targets = [("every resource except " + ", ".join(_text(r) for r in stmt.not_resources), True)]
        else:
            targets = [(_resource_text(r), covers_every_resource([r])) for r in stmt.resources] or [
                ("(no resource)", False)]
        for target, every in targets:
            entity = _arn_entity(target, neighbours)
            # Two ARNs of one table (itself and its indexes) are one place on the picture.
            key = f"entity:{entity.id}" if entity is not None and not every else target
            slot = by_target.setdefault(key, {"target": target, "entity": entity, "every": every, "levels": {},
                                              "wild": []})
            if stmt.not_actions:
                text = "every action except " + ", ".join(_text(a) for a in stmt.not_actions)
                _add(slot, UNKNOWN_LEVEL, text, wildcard=True)
            for action in stmt.actions:
                if not isinstance(action, str):
                    _add(slot, UNKNOWN_LEVEL, _text(action), wildcard=False)
                    continue
                levels = access_levels(action) or frozenset({UNKNOWN_LEVEL})
                for level in levels:
                    _add(slot, level, action.strip(), wildcard=is_full_wildcard(action) or "*" in action)
    grants = [Grant(slot["target"], slot["entity"], slot["every"], _ordered(slot["levels"]),
                    tuple(dict.fromkeys(slot["wild"])))
              for slot in by_target.values()]
    for ref in role.managed_policies:
        name = ref.short_name
        if name in ADMIN_MANAGED_POLICIES:
            every_level = tuple((level, ("*",)) for level in ACCESS_LEVELS)
            grants.append(Grant(_text(ref.arn), None, True, every_level, ("*",),
                                "administrator of IAM" if name == "IAMFullAccess" else "administrator of the account",
                                "managed-policy"))
        else:
            grants.append(Grant(_text(ref.arn), None, False, (), (), "statements not analysed", "managed-policy"))
    if role.external:
        grants.append(Grant(role.id, None, False, (), (), "permissions unknown", "external-role"))
    # Widest first: every-resource grants are what a reviewer reads first.
    return sorted(grants, key=lambda g: (not g.every_resource, g.note is not None and not g.every_resource))


def _add(slot: dict[str, Any], level: str, action: str, wildcard: bool) -> None:
    actions = slot["levels"].setdefault(level, [])
    if action not in actions:
        actions.append(action)
    if wildcard:
        slot["wild"].append(action)


def _ordered(levels: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    order = {level: i for i, level in enumerate(ACCESS_LEVELS)}
    return tuple((level, tuple(actions)) for level, actions in sorted(levels.items(),
                                                                      key=lambda kv: order.get(kv[0], 99)))


# --- Naming what a value points at ---------------------------------------------


def _find_entity(value: Any, neighbours: list[Entity]) -> Entity | None:
    """The entity a trigger source names: by id, by name, by the last part of an ARN, or inside an expression."""
    if isinstance(value, Unknown):
        return _mentioned(value.expr, neighbours)
    if not isinstance(value, str) or not value:
        return None
    for entity in neighbours:
        if entity.id == value:
            return entity
    last = re.split(r"[:/]", value)[-1]
    return next((e for e in neighbours if isinstance(e.name, str) and e.name in (value, last)), None)


def _arn_entity(target: str, neighbours: list[Entity]) -> Entity | None:
    """The scanned resource a statement's resource names, when one does."""
    mentioned = _mentioned(target, neighbours) if not target.startswith("arn:") else None
    if mentioned is not None:
        return mentioned
    texts = resource_texts([target])
    if not texts or not texts[0].startswith("arn:"):
        return None
    parts = texts[0].split(":", 5)
    if len(parts) < 6:
        return None
    cls = _ARN_ENTITIES.get(parts[2].lower())
    if cls is None:
        return None
    tokens = set(re.split(r"[:/]", parts[5]))
    return next((e for e in neighbours if isinstance(e, cls) and isinstance(e.name, str) and e.name in tokens),
                None)


def _mentioned(expr: str, neighbours: list[Entity]) -> Entity | None:
    """The first entity whose id an expression refers to (``!Ref OrdersTable``, ``aws_sqs_queue.events.arn``)."""
    for entity in neighbours:
        if entity.kind in ("link-only", "entity"):
            continue
        if re.search(r"(?<![\w.-])" + re.escape(entity.id) + r"(?![\w-])", expr):
            return entity
    return None


def _resource_text(value: Any) -> str:
    """A statement's resource as a reviewer reads it: an unknown by its ``*`` pattern, else its expression."""
    if isinstance(value, Unknown):
        return value.pattern or value.expr
    return _text(value)


def _text(value: Any, default: str = "") -> str:
    if value is None:
        return default
    if isinstance(value, Unknown):
        return f"unknown ({value.expr})"
    return str(value)
