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

from typing import Any

from iac_lint.model import Function, IdentityPolicy, Permission, Role, Route, Stage, Template, Trigger, UsagePlan, Value
from iac_lint.model.apigateway import route_is_open


def _append_once(items: list[Any], item: object) -> None:
    if not any(existing is item for existing in items):
        items.append(item)


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
    for fn in functions:
        if fn.url_auth_type is not None and not any(t.kind == "url" for t in fn.triggers):
            public = fn.url_auth_type == "NONE" if isinstance(fn.url_auth_type, str) else fn.url_auth_type
            fn.triggers.append(Trigger(kind="url", public=public, loc=fn.where("url_auth_type")))
    return tpl
