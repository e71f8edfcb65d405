"""The link stage: derived, format-neutral facts, once for every parsed unit (parse -> link -> rules).

The contract with parsers: each parser resolves the references of its own
format into entity objects and sets them on the *owning* side only —

- ``Function.role`` (a ``Role``), ``Function.triggers`` for non-API sources,
  ``Function.url_auth_type``;
- ``Route.api`` and ``Route.target_functions``; ``Stage.api``;
- ``UsagePlan.stages``; ``Permission.function``;
- ``Bucket.policy`` / ``Queue.policy`` / ``Topic.policy`` statements,
  ``Bucket.public_access_block`` etc.

``link_template`` then fills in the reverse side and the derived facts: a role's
functions, an API's routes and stages, a stage's usage plans, a function's
permissions, and the API and URL triggers of every function.
"""

from __future__ import annotations

import re
from typing import Any

from iac_lint.model import (
    Bucket,
    Entity,
    Function,
    IdentityPolicy,
    LogGroup,
    Permission,
    Queue,
    ResourceLink,
    Role,
    Route,
    Stage,
    Stream,
    Table,
    Template,
    Topic,
    Trigger,
    Unknown,
    UsagePlan,
    Value,
)
from iac_lint.model.apigateway import route_is_open


def _append_once(items: list[Any], item: object) -> None:
    if not any(existing is item for existing in items):
        items.append(item)


def function_log_group(fn: Function, groups: list[LogGroup]) -> LogGroup | None:
    """The unit's log group that receives ``fn``'s logs: the one ``LoggingConfig`` names, else
    ``/aws/lambda/<function name>``, written literally or as an expression naming the function."""
    wanted = fn.log_group_name if fn.log_group_name is not None else (
        f"/aws/lambda/{fn.name}" if isinstance(fn.name, str) else None)
    # A name built at deploy time: the group's name is the same expression behind /aws/lambda/.
    if wanted is None and isinstance(fn.name, Unknown):
        wanted = Unknown('"/aws/lambda/' + fn.name.expr.strip('"') + '"')
    for group in groups:
        if isinstance(wanted, str) and group.name == wanted:
            return group
        if isinstance(wanted, Unknown) and isinstance(group.name, Unknown) and group.name.expr == wanted.expr:
            return group
        # The substring test first: a pattern per function and group would crowd out ``re``'s cache.
        if fn.log_group_name is None and isinstance(group.name, Unknown) and fn.id in group.name.expr and \
                re.search(rf"/aws/lambda/.*(?<![\w.]){re.escape(fn.id)}(?![\w])", group.name.expr):
            return group
    # One group for several functions (Terraform ``count``): its name mentions every part of the function's.
    if fn.log_group_name is None and isinstance(fn.name, Unknown):
        parts = [p.strip("-_/.") for p in re.split(r"(\$\{[^}]*\})", fn.name.expr.strip('"'))]
        parts = [p[2:-1] if p.startswith("${") else p for p in parts if len(p) >= 3]
        for group in groups:
            if isinstance(group.name, Unknown) and "/aws/lambda/" in group.name.expr and parts and \
                    all(p in group.name.expr for p in parts):
                return group
    # ``LoggingConfig`` may name the group by reference: ``!Ref FnLogs``.
    if isinstance(fn.log_group_name, Unknown):
        for group in groups:
            if group.id in fn.log_group_name.expr and \
                    re.search(rf"(?<![\w.]){re.escape(group.id)}(?![\w])", fn.log_group_name.expr):
                return group
    return None


class EntitiesByName:
    """Entities by id, and by the first word of their id.

    An unresolved expression names an entity only where its id stands as a whole, which starts a word of
    the expression; so only the ids whose first word the expression holds are searched for.  A template of
    thousands of functions and tables otherwise tested every id against every function's every variable.
    """

    def __init__(self, entities: dict[str, Entity]) -> None:
        self.entities = entities
        self._order = {key: index for index, key in enumerate(entities)}
        self._by_word: dict[str, list[str]] = {}
        self._unindexed: list[str] = []  # an id that does not start with a word character: always searched
        for key in entities:
            first = _WORD.match(key)
            (self._by_word.setdefault(first.group(0), []) if first else self._unindexed).append(key)

    def candidates(self, expr: str) -> list[str]:
        """The ids that may stand in ``expr``, in the entities' order."""
        keys = set(self._unindexed)
        for word in set(_WORD.findall(expr)):
            keys.update(self._by_word.get(word, ()))
        return sorted(keys, key=self._order.__getitem__)


_WORD = re.compile(r"\w+")


def named_entities(value: Any, entities: EntitiesByName) -> list[Entity]:
    """The entities a value names: by id when resolved to one, or by id inside an unresolved expression
    (``!GetAtt Queue.Arn``, ``${Bucket}``, ``aws_s3_bucket.uploads.id``)."""
    if isinstance(value, str):
        return [entities.entities[value]] if value in entities.entities else []
    if not isinstance(value, Unknown):
        return []
    return [entities.entities[key] for key in entities.candidates(value.expr) if _stands_in(key, value.expr)]


def _stands_in(key: str, expr: str) -> bool:
    """Whether ``key`` stands whole in ``expr``: not inside a word, and not an attribute or index of
    something else (``.Queue``, ``[Queue``) or indexed itself (``Queue[``).

    Found by hand rather than by a pattern per id: ``re`` would compile one for every entity of a large
    template, overflowing its cache.  ``\\w`` is what ``str.isalnum`` accepts, and the underscore.
    """
    start = expr.find(key)
    while start >= 0:
        end = start + len(key)
        before = expr[start - 1] if start else " "
        after = expr[end] if end < len(expr) else " "
        if not (before.isalnum() or before in "_.[") and not (after.isalnum() or after in "_["):
            return True
        start = expr.find(key, start + 1)
    return False


def linked_resources(fn: Function, entities: EntitiesByName) -> list[ResourceLink]:
    """What the function is wired to: its poll-based event sources, then what its environment names."""
    links: list[ResourceLink] = []
    for trigger in fn.triggers:
        if trigger.kind in ("sqs", "stream"):
            for entity in named_entities(trigger.source, entities):
                links.append(ResourceLink(entity, f"event:{trigger.kind}"))
    for key, value in fn.environment.items():
        for entity in named_entities(value, entities):
            links.append(ResourceLink(entity, f"environment:{key}"))
    return links


def add_inline_policies(tpl: Template) -> None:
    """Every principal's own inline statements become one identity policy, the rule target (idempotent).

    Standalone documents are identity policies already (the parsers build them); a principal's
    inline statements are its own document, named and located like the principal.
    """
    covered = {id(policy.principals[0]) for policy in tpl.of(IdentityPolicy) if policy.inline and policy.principals}
    for principal in list(tpl.of(Role)):
        if principal.statements and id(principal) not in covered:
            tpl.add(IdentityPolicy(principal.id, principal.resource, principal.loc, name=principal.name,
                                   statements=principal.statements, principals=[principal], inline=True))


def link_template(tpl: Template) -> Template:
    """Link one parsed unit in place (idempotent) and return it."""
    functions = list(tpl.of(Function))
    for fn in functions:
        if fn.role is not None:
            _append_once(fn.role.functions, fn)
    add_inline_policies(tpl)
    for stage in tpl.of(Stage):
        if stage.api is not None:
            _append_once(stage.api.stages, stage)
    for plan in tpl.of(UsagePlan):
        for stage in plan.stages:
            _append_once(stage.usage_plans, plan)
    for perm in tpl.of(Permission):
        if perm.function is not None:
            _append_once(perm.function.permissions, perm)
    for route in tpl.of(Route):
        if route.api is not None:
            _append_once(route.api.routes, route)
    for route in tpl.of(Route):  # once every API knows all its routes (WebSocket $connect)
        api = route.api
        kind = {"rest": "api", "http": "http-api", "websocket": "websocket"}.get(api.api_kind, "api") if api else "api"
        public: Value = False
        if api is not None and route_is_open(route):
            public = api.public
        for fn in route.target_functions:
            if not any(t.route is route for t in fn.triggers):
                fn.triggers.append(Trigger(kind=kind, public=public, api=api, route=route, loc=route.loc))
    groups = list(tpl.of(LogGroup))
    for fn in functions:
        if fn.log_group is None:
            fn.log_group = function_log_group(fn, groups)
    stores = (Bucket, Table, Queue, Topic, Stream)
    data_stores = EntitiesByName({e.id: e for e in tpl.entities if isinstance(e, stores)})
    for fn in functions:
        if not fn.linked_resources:
            fn.linked_resources = linked_resources(fn, data_stores)
    for fn in functions:
        if fn.url_auth_type is not None and not any(t.kind == "url" for t in fn.triggers):
            public = fn.url_auth_type == "NONE" if isinstance(fn.url_auth_type, str) else fn.url_auth_type
            fn.triggers.append(Trigger(kind="url", public=public, loc=fn.where("url_auth_type")))
    return tpl
