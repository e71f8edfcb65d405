"""API Gateway in CloudFormation: REST APIs, methods, stages, deployments, usage plans; HTTP and WebSocket APIs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iac_lint.model import (
    Api,
    Function,
    Resource,
    Route,
    Stage,
    Template,
    Throttle,
    Unknown,
    UsagePlan,
    get_path,
    loc_of,
    path_loc,
    set_loc,
    value_loc,
)
from iac_lint.model.apigateway import route_key, websocket_route_key
from iac_lint.model.external import external_api
from iac_lint.parsers.cloudformation.intrinsics import CfnContext, expression_text, name_of, set_fact
from iac_lint.parsers.kernel import Built, Link, LinkOnly, external_parent
from iac_lint.parsers.openapi import operations

# SAM's implicit APIs: made while SAM links its functions' events, so a method naming one is not external.
_IMPLICIT_APIS = frozenset({"ServerlessRestApi", "ServerlessHttpApi"})


def api_of(ctx: CfnContext, tpl: Template, res: Resource, raw: Any, api_kind: str) -> Api | None:
    """The API a method, route, stage or usage plan names: the template's own, or a placeholder for one
    defined elsewhere (a parameter, an ``ImportValue``, a literal id), shared by every sibling naming it."""
    if raw is None:
        return None
    found = ctx.entity_for(raw, Api)
    if isinstance(found, Api):
        return found
    target = ctx.ref_target(raw)
    if target is not None and (target in ctx.resource_ids or target in _IMPLICIT_APIS):
        return None  # a resource of this template that is not an API entity: not a parent defined elsewhere
    literal = ctx.resolve(raw)
    text = literal if isinstance(literal, str) else expression_text(raw)
    api = external_parent(tpl, ctx.entities, Api, text,
                          lambda: external_api(text, res, loc_of(raw) or res.location, text, api_kind))
    if api.external and api_kind == "websocket":
        api.api_kind = "websocket"  # a sibling route key says so
    return api

def routes_from_definition(ctx: CfnContext, tpl: Template, api: Api, res: Resource, body: Any,
                           default_applies: bool = False) -> Link | None:
    """The routes of an inline OpenAPI ``Body``/``DefinitionBody``, each judged like a written method; the
    link that finds the functions they proxy to.  None, and the API's default authorization left Unknown,
    when the body is not a readable document (``AWS::Include``, ``BodyS3Location``)."""
    ops = operations(body, ctx.resolve, default_applies) if body is not None else None
    if ops is None:
        return None
    routes: list[tuple[Route, Any]] = []
    for op in ops:
        route = tpl.add(Route(f"{res.id} {op.method} {op.path}", res, op.loc or res.location, api=api,
                              method=op.method, path=op.path, api_key_required=op.api_key_required))
        if op.authorization is not None:
            route.set("authorization", op.authorization, op.loc)
        routes.append((route, op.integration_uri))

    def link() -> None:
        for route, uri in routes:
            for target in ctx.refs_in(uri):
                fn = ctx.entities.get(target)
                if isinstance(fn, Function) and fn not in route.target_functions:
                    route.target_functions.append(fn)
    return link



def read_throttle(ctx: CfnContext, node: Any, rate_key: str, burst_key: str) -> Throttle | None:
    if not isinstance(node, dict) or (rate_key not in node and burst_key not in node):
        return None
    return Throttle(rate_limit=ctx.resolve(node.get(rate_key)), burst_limit=ctx.resolve(node.get(burst_key)),
                    loc=loc_of(node))


def read_method_settings(ctx: CfnContext, stage: Stage, settings: Any) -> None:
    """REST ``MethodSettings``: ``/*`` + ``*`` is stage-wide; others are per method."""
    for entry in settings if isinstance(settings, list) else []:
        read_logging_settings(ctx, stage, entry)
        throttle = read_throttle(ctx, entry, "ThrottlingRateLimit", "ThrottlingBurstLimit")
        if throttle is None:
            continue
        path = ctx.resolve(entry.get("ResourcePath", "/*"))
        method = ctx.resolve(entry.get("HttpMethod", "*"))
        if path in ("/*", "*", "/*/*") and method == "*":
            stage.throttle = throttle
            set_loc(stage.locs, "throttle", throttle.loc)
        else:
            stage.route_throttles[route_key(method, path)] = throttle


def read_logging_settings(ctx: CfnContext, stage: Stage, entry: Any, stage_wide: bool | None = None) -> None:
    """``DataTraceEnabled`` on any method makes the stage log payloads; ``LoggingLevel`` of ``/*/*`` is stage-wide."""
    if not isinstance(entry, dict):
        return
    if "DataTraceEnabled" in entry and stage.data_trace is not True:
        value = ctx.resolve(entry["DataTraceEnabled"])
        value = value.lower() == "true" if isinstance(value, str) else value
        stage.set("data_trace", value, value_loc(entry, "DataTraceEnabled"))
    if stage_wide is None:
        stage_wide = ctx.resolve(entry.get("ResourcePath", "/*")) in ("/*", "*", "/*/*") and \
            ctx.resolve(entry.get("HttpMethod", "*")) == "*"
    if "LoggingLevel" in entry and stage_wide:
        stage.set("execution_log_level", ctx.resolve(entry["LoggingLevel"]), value_loc(entry, "LoggingLevel"))


def build_rest_api(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    api = Api(res.id, res, res.location, name=name_of(ctx, p, "Name") or res.id, api_kind="rest")
    types = ctx.resolve(get_path(p, "EndpointConfiguration", "Types"))
    if isinstance(types, list):
        api.set("public", "PRIVATE" not in types, path_loc(p, "EndpointConfiguration"))
    elif isinstance(types, Unknown):
        api.set("public", types, path_loc(p, "EndpointConfiguration"))
    link = routes_from_definition(ctx, tpl, api, res, get_path(p, "Body"))
    if link is None and (get_path(p, "Body") is not None or get_path(p, "BodyS3Location") is not None):
        # Routes live in an OpenAPI document that is not here to read; leave its authorization unknown.
        api.default_authorization = Unknown("OpenAPI body")
    return api, link


def build_method(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    route = Route(res.id, res, res.location)
    set_fact(route, "method", ctx, p, "HttpMethod")
    set_fact(route, "authorization", ctx, p, "AuthorizationType")
    set_fact(route, "api_key_required", ctx, p, "ApiKeyRequired")

    def link() -> None:
        route.path = rest_resource_path(ctx, get_path(p, "ResourceId"))
        route.api = api_of(ctx, tpl, res, get_path(p, "RestApiId"), "rest")
        for target in ctx.refs_in(get_path(p, "Integration", "Uri")):
            fn = ctx.entities.get(target)
            if isinstance(fn, Function):
                route.target_functions.append(fn)
    return route, link


def rest_resource_path(ctx: CfnContext, resource_id: Any) -> str:
    """``/orders/{id}`` from the chain of ``AWS::ApiGateway::Resource`` PathParts."""
    parts: list[str] = []
    current = resource_id
    for _ in range(32):
        target = ctx.ref_target(current)
        body = ctx.data.get("Resources", {}).get(target) if target else None
        if not isinstance(body, dict) or body.get("Type") != "AWS::ApiGateway::Resource":
            break
        raw_props = body.get("Properties")
        props = raw_props if isinstance(raw_props, dict) else {}
        part = ctx.resolve(props.get("PathPart"))
        parts.append(part if isinstance(part, str) else "{?}")
        current = props.get("ParentId")
    return "/" + "/".join(reversed(parts))


def build_rest_stage(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    stage = Stage(res.id, res, res.location, name=name_of(ctx, p, "StageName") or res.id)
    stage.stage_name = stage.name
    read_method_settings(ctx, stage, get_path(p, "MethodSettings"))
    set_fact(stage, "access_logging", ctx, p, "AccessLogSetting", "DestinationArn")
    set_fact(stage, "tracing", ctx, p, "TracingEnabled")

    def link() -> None:
        stage.api = api_of(ctx, tpl, res, get_path(p, "RestApiId"), "rest")
    return stage, link


def build_deployment(ctx: CfnContext, tpl: Template, res: Resource) -> Built | None:
    """A Deployment with ``StageName`` creates a stage, configured by ``StageDescription``."""
    p = res.properties
    if get_path(p, "StageName") is None:
        return None
    stage = Stage(res.id, res, res.location, name=name_of(ctx, p, "StageName"))
    stage.stage_name = stage.name
    desc = get_path(p, "StageDescription")
    if isinstance(desc, dict):
        throttle = read_throttle(ctx, desc, "ThrottlingRateLimit", "ThrottlingBurstLimit")
        if throttle is not None:
            stage.throttle = throttle
            set_loc(stage.locs, "throttle", throttle.loc)
        read_method_settings(ctx, stage, desc.get("MethodSettings"))
        read_logging_settings(ctx, stage, desc)  # StageDescription's own DataTraceEnabled and LoggingLevel
        set_fact(stage, "access_logging", ctx, desc, "AccessLogSetting", "DestinationArn")
        set_fact(stage, "tracing", ctx, desc, "TracingEnabled")

    def link() -> None:
        stage.api = api_of(ctx, tpl, res, get_path(p, "RestApiId"), "rest")
    return stage, link


def build_usage_plan(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    plan = UsagePlan(res.id, res, res.location, name=name_of(ctx, p, "UsagePlanName") or res.id)
    plan.throttle = read_throttle(ctx, get_path(p, "Throttle"), "RateLimit", "BurstLimit")
    set_fact(plan, "quota", ctx, p, "Quota")

    def link() -> None:
        stages = get_path(p, "ApiStages")
        for entry in stages if isinstance(stages, list) else []:
            api = api_of(ctx, tpl, res, get_path(entry, "ApiId"), "rest")
            stage_ref = get_path(entry, "Stage")
            stage = ctx.entity_for(stage_ref, Stage)
            wanted = ctx.resolve(stage_ref)
            for candidate in tpl.of(Stage):
                if candidate is stage or (candidate.api is api and api is not None and candidate.stage_name == wanted):
                    plan.stages.append(candidate)
    return plan, link


def build_http_api(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    protocol = ctx.resolve(get_path(p, "ProtocolType"))
    api = Api(res.id, res, res.location, name=name_of(ctx, p, "Name") or res.id,
              api_kind="websocket" if protocol == "WEBSOCKET" else "http")
    body_link = routes_from_definition(ctx, tpl, api, res, get_path(p, "Body"))
    if body_link is None and (get_path(p, "Body") is not None or get_path(p, "BodyS3Location") is not None):
        api.default_authorization = Unknown("OpenAPI body")

    def link() -> None:
        if body_link is not None:
            body_link()
        target = get_path(p, "Target")
        if target is not None:  # quick create: a $default route and stage, no authorizer
            route = tpl.add(Route(f"{res.id}.$default", res, path_loc(p, "Target") or res.location,
                                  api=api, method="ANY", path="$default"))
            fn = ctx.name_or_arn(target, Function)
            if isinstance(fn, Function):
                route.target_functions.append(fn)
            tpl.add(Stage(f"{res.id}.$default-stage", res, res.location, name="$default",
                          api=api, stage_name="$default"))
    return api, link


def build_v2_route(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    route = Route(res.id, res, res.location)
    key = ctx.resolve(get_path(p, "RouteKey"))
    set_loc(route.locs, "method", path_loc(p, "RouteKey"))
    if isinstance(key, str) and " " in key:
        route.method, route.path = key.split(" ", 1)
    else:
        route.method, route.path = key, key
    set_fact(route, "authorization", ctx, p, "AuthorizationType")
    set_fact(route, "api_key_required", ctx, p, "ApiKeyRequired")

    def link() -> None:
        route.api = api_of(ctx, tpl, res, get_path(p, "ApiId"), "websocket" if websocket_route_key(key) else "http")
        integration = ctx.entity_for(get_path(p, "Target"))
        if integration is not None:
            for target in ctx.refs_in(get_path(integration.resource.properties, "IntegrationUri")):
                fn = ctx.entities.get(target)
                if isinstance(fn, Function):
                    route.target_functions.append(fn)
    return route, link


def read_http_stage_throttles(ctx: CfnContext, stage: Stage, props: Any) -> None:
    """HTTP/WebSocket API ``DefaultRouteSettings`` (stage-wide) and ``RouteSettings`` (per route key)."""
    throttle = read_throttle(ctx, get_path(props, "DefaultRouteSettings"), "ThrottlingRateLimit",
                             "ThrottlingBurstLimit")
    if throttle is not None:
        stage.throttle = throttle
        set_loc(stage.locs, "throttle", throttle.loc)
    routes = get_path(props, "RouteSettings")
    if isinstance(routes, dict):
        for key, settings in routes.items():
            route_throttle = read_throttle(ctx, settings, "ThrottlingRateLimit", "ThrottlingBurstLimit")
            if route_throttle is not None:
                stage.route_throttles[str(key)] = route_throttle


def build_v2_stage(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    stage = Stage(res.id, res, res.location, name=name_of(ctx, p, "StageName") or res.id)
    stage.stage_name = stage.name
    read_http_stage_throttles(ctx, stage, p)
    set_fact(stage, "access_logging", ctx, p, "AccessLogSettings", "DestinationArn")
    read_logging_settings(ctx, stage, get_path(p, "DefaultRouteSettings"), stage_wide=True)
    routes = get_path(p, "RouteSettings")
    for settings in routes.values() if isinstance(routes, dict) else []:
        read_logging_settings(ctx, stage, settings, stage_wide=False)

    def link() -> None:
        stage.api = api_of(ctx, tpl, res, get_path(p, "ApiId"), "http")
    return stage, link


def _holder(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    return LinkOnly(res.id, res, res.location), None


APIGATEWAY_BUILDERS: dict[str, Callable[[CfnContext, Template, Resource], Built]] = {
    "AWS::ApiGateway::RestApi": build_rest_api,
    "AWS::ApiGateway::Method": build_method,
    "AWS::ApiGateway::Stage": build_rest_stage,
    "AWS::ApiGateway::Deployment": build_deployment,
    "AWS::ApiGateway::UsagePlan": build_usage_plan,
    "AWS::ApiGatewayV2::Api": build_http_api,
    "AWS::ApiGatewayV2::Route": build_v2_route,
    "AWS::ApiGatewayV2::Stage": build_v2_stage,
    "AWS::ApiGatewayV2::Integration": _holder,
}
