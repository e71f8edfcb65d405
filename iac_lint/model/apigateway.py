"""API Gateway knowledge, written once: route keys, who guards a route, which throttle applies.

Parsers, the linker and rules all ask these questions; answering them in
one place keeps "is this route open" from meaning two things.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from iac_lint.model.entities import Route, Stage, Throttle

# A default authorization that only demands an API key (SAM ``Auth: {ApiKeyRequired: true}``):
# it keeps anonymous callers out, yet it is no authorizer.
API_KEY_ONLY = "API_KEY"


def route_key(method: Any, path: Any) -> str:
    """API Gateway's route key, ``"GET /pets"``: how per-route settings name a route."""
    return f"{method} {path}"


def guarding_route(route: Route) -> Route:
    """The route whose authorization guards ``route``.

    A WebSocket message reaches a route only over a connection that
    ``$connect`` accepted, so ``$connect`` guards every route of its API
    (needs ``api.routes`` filled in by the linker).
    """
    api = route.api
    if api is not None and api.api_kind == "websocket" and route.method != "$connect":
        connect = next((r for r in api.routes if r.method == "$connect"), None)
        if connect is not None:
            return connect
    return route


def route_authorizer(route: Route) -> Any:
    """The authorization guarding a route: its guard's own, else its API's default; None when there is none.

    May be ``Unknown``.  An API-key-only default is no authorizer (see ``requires_api_key``).
    """
    guard = guarding_route(route)
    auth = guard.authorization
    if auth is None and route.api is not None:
        auth = route.api.default_authorization
        if isinstance(auth, str) and auth == API_KEY_ONLY:
            auth = None
    return auth


def authorization_is_open(auth: Any) -> bool:
    """No authorizer: nothing written, or ``NONE``.  An Unknown is not open (callers decide about it)."""
    return auth is None or (isinstance(auth, str) and auth.upper() == "NONE")


def requires_api_key(route: Route) -> bool:
    """Callers need an API key: the guarding route says so, or the API's key-only default applies."""
    guard = guarding_route(route)
    if guard.api_key_required is True:
        return True
    api = guard.api
    return guard.authorization is None and api is not None and isinstance(api.default_authorization, str) \
        and api.default_authorization == API_KEY_ONLY


def route_is_open(route: Route) -> bool:
    """Anyone who knows the URL can call the route: no authorizer and no API key."""
    return authorization_is_open(route_authorizer(route)) and not requires_api_key(route)


def throttle_is_set(throttle: Throttle | None) -> TypeGuard[Throttle]:
    """A rate or burst limit is written (Terraform's ``-1`` already read as unset)."""
    return throttle is not None and throttle.is_set


def invokes_something(route: Route) -> bool:
    """A route that reaches a backend: every route but a CORS preflight ``OPTIONS`` answered by a mock.

    An ``OPTIONS`` route that proxies to a function runs that function like any other route.
    """
    return not route.is_preflight or bool(route.target_functions)


def plan_throttled(stage: Stage) -> bool:
    """A usage plan of the stage sets a throttle."""
    return any(throttle_is_set(plan.throttle) for plan in stage.usage_plans)


def stage_throttled(stage: Stage) -> bool:
    """Every route of the stage is limited: a stage-wide throttle, or a usage plan's when every route that
    reaches a backend requires an API key.

    A usage plan's throttle applies to requests that carry one of the plan's API keys; a route that takes
    requests without a key is not limited by it.  When the API's routes are not known (an OpenAPI body not
    read, an API defined elsewhere with no route here), a usage plan is taken as the limit it is meant to be.
    """
    if throttle_is_set(stage.throttle):
        return True
    if not plan_throttled(stage):
        return False
    routes = [r for r in (stage.api.routes if stage.api is not None else []) if invokes_something(r)]
    return all(requires_api_key(r) for r in routes)


def route_throttle(stage: Stage, route: Route) -> Throttle | None:
    """The per-route throttle a stage sets for ``route`` (keyed by its route key), if any."""
    return stage.route_throttles.get(route_key(route.method, route.path))


def authorizer_applies(route: Route) -> bool:
    """Whether the route itself can carry an authorizer: a WebSocket API takes one on ``$connect`` only."""
    api = route.api
    return not (api is not None and api.api_kind == "websocket" and route.method != "$connect")


def websocket_route_key(key: Any) -> bool:
    """``$connect``, ``$disconnect`` or a custom action: route keys only a WebSocket API has (``$default``
    belongs to both kinds)."""
    return isinstance(key, str) and (key in ("$connect", "$disconnect") or (" " not in key and
                                                                           not key.startswith(("$default", "/"))))

