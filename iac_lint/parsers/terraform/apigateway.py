"""Terraform's API Gateway: REST APIs, methods, stages, method settings, usage plans; HTTP and WebSocket APIs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iac_lint.model import Api, Function, Route, Stage, Throttle, Unknown, UsagePlan, loc_of, set_loc
from iac_lint.model.apigateway import route_key, websocket_route_key
from iac_lint.model.external import external_api
from iac_lint.parsers.kernel import Built, LinkOnly, external_parent
from iac_lint.parsers.openapi import operations
from iac_lint.parsers.terraform.instances import (
    BuildContext,
    Instance,
    as_bool,
    each_block,
    first,
    get,
    name_of,
    set_fact,
    unset_if,
    where,
)


def api_of(ctx: BuildContext, inst: Instance, node: Any, key: str, api_kind: str) -> Api | None:
    """The API ``node[key]`` names: the module's own, or a placeholder for one defined elsewhere (a variable,
    a data source, a module output, a literal id), shared by every sibling naming it the same way."""
    found = ctx.entity(node, key, Api)
    if isinstance(found, Api):
        return found
    refs = ctx.refs(node, key)
    if any(ref in ctx.instances and ctx.instances[ref].mode == "managed" for ref in refs):
        return None  # a resource of this module that is not an API: not a parent defined elsewhere
    raw = node.get(key) if isinstance(node, dict) else None
    if raw is None and not refs:
        return None
    text = raw if isinstance(raw, str) else (raw.expr if isinstance(raw, Unknown) else ", ".join(refs))
    api = external_parent(ctx.tpl, ctx.entities, Api, text,
                          lambda: external_api(text, ctx.tpl_resource(inst), where(node, key) or inst.loc, raw,
                                               api_kind))
    if api.external and api_kind == "websocket":
        api.api_kind = "websocket"  # a sibling route key says so
    return api


def routes_from_body(ctx: BuildContext, inst: Instance, api: Api) -> bool:
    """The routes of an inline OpenAPI ``body`` (``jsonencode``, heredoc JSON, ``templatefile``), each judged
    like a written method; False when the body is not a document that can be read here."""
    if inst.props.get("body") is None:
        return False
    ops = operations(ctx.references.document(inst.props, "body"), lambda value: value)
    if ops is None:
        return False
    for op in ops:
        route = ctx.tpl.add(Route(f"{inst.id} {op.method} {op.path}", api.resource, op.loc or inst.loc, api=api,
                                  method=op.method, path=op.path, api_key_required=op.api_key_required))
        if op.authorization is not None:
            route.set("authorization", op.authorization, op.loc)
    return True


def read_throttle(node: Any, rate_key: str, burst_key: str) -> Throttle | None:
    if not isinstance(node, dict):
        return None
    rate = unset_if(node.get(rate_key), -1, -1.0)
    burst = unset_if(node.get(burst_key), -1, -1.0)
    if rate is None and burst is None:
        return None
    return Throttle(rate_limit=rate, burst_limit=burst, loc=loc_of(node))


def build_rest_api(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    api = Api(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"), api_kind="rest")
    types = get(p, "endpoint_configuration", "types")
    if isinstance(types, list):
        api.set("public", "PRIVATE" not in types, where(p, "endpoint_configuration", "types"))
    elif isinstance(types, Unknown):
        api.set("public", types, where(p, "endpoint_configuration", "types"))
    if p.get("body") is not None and not routes_from_body(ctx, inst, api):
        api.default_authorization = Unknown("OpenAPI body")
    return api, None


def _resource_path(ctx: BuildContext, node: Any, key: str, depth: int = 0) -> Any:
    """The full path of an ``aws_api_gateway_resource`` (or "/" for the API's root resource)."""
    inst = ctx.instance(node, key, "aws_api_gateway_resource")
    if inst is None:
        return "/" if ctx.instance(node, key, "aws_api_gateway_rest_api") is not None else Unknown(str(node.get(key)))
    part = inst.props.get("path_part")
    parent = _resource_path(ctx, inst.props, "parent_id", depth + 1) if depth < 16 else Unknown("path")
    if not isinstance(part, str) or not isinstance(parent, str):
        return Unknown(f"path of {inst.id}")
    return f"{parent.rstrip('/')}/{part}"


def build_method(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    route = Route(inst.id, ctx.tpl_resource(inst), inst.loc)
    set_fact(route, "method", p, "http_method")
    set_fact(route, "authorization", p, "authorization")
    set_fact(route, "api_key_required", p, "api_key_required", transform=as_bool)

    def link() -> None:
        route.api = api_of(ctx, inst, p, "rest_api_id", "rest")
        route.path = _resource_path(ctx, p, "resource_id")
        resource_refs = set(ctx.refs(p, "resource_id"))
        for other in ctx.by_type.get("aws_api_gateway_integration", []):
            q = other.props
            same = inst.key in ctx.refs(q, "http_method") or (
                resource_refs and resource_refs == set(ctx.refs(q, "resource_id"))
                and isinstance(q.get("http_method"), str) and q.get("http_method") == p.get("http_method"))
            if not same:
                continue
            fn = ctx.entity(q, "uri", Function)
            if isinstance(fn, Function) and fn not in route.target_functions:
                route.target_functions.append(fn)
    return route, link


def _stage_common(ctx: BuildContext, inst: Instance, stage: Stage, api_key: str) -> Callable[[], None]:
    def link() -> None:
        stage.api = api_of(ctx, inst, inst.props, api_key, "rest" if api_key == "rest_api_id" else "http")
    return link


def build_rest_stage(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    stage = Stage(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "stage_name"))
    stage.stage_name = p.get("stage_name")
    set_fact(stage, "access_logging", p, "access_log_settings", "destination_arn")
    set_fact(stage, "tracing", p, "xray_tracing_enabled", transform=as_bool)
    return stage, _stage_common(ctx, inst, stage, "rest_api_id")


def build_deployment(ctx: BuildContext, inst: Instance) -> Built:
    """A deployment with ``stage_name`` creates that stage (deprecated, still common)."""
    p = inst.props
    if p.get("stage_name") in (None, ""):
        return None
    stage = Stage(inst.id, ctx.tpl_resource(inst), inst.loc, name=p.get("stage_name"))
    stage.stage_name = stage.name
    return stage, _stage_common(ctx, inst, stage, "rest_api_id")


def _stages_named(ctx: BuildContext, node: Any, stage_key: str, api: Api | None) -> list[Stage]:
    found = ctx.entity(node, stage_key, Stage)
    if isinstance(found, Stage):
        return [found]
    wanted = node.get(stage_key)
    return [s for s in ctx.tpl.of(Stage) if isinstance(wanted, str) and s.stage_name == wanted
            and (api is None or s.api is api)]


def read_logging_settings(stage: Stage, settings: Any, stage_wide: bool) -> None:
    """``data_trace_enabled`` anywhere makes the stage log payloads; a stage-wide ``logging_level`` is its level."""
    if not isinstance(settings, dict):
        return
    if settings.get("data_trace_enabled") is not None and stage.data_trace is not True:
        stage.set("data_trace", as_bool(settings["data_trace_enabled"]), where(settings, "data_trace_enabled"))
    if stage_wide and settings.get("logging_level") is not None:
        stage.set("execution_log_level", settings["logging_level"], where(settings, "logging_level"))


def build_method_settings(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props

    def link() -> None:
        settings = first(p, "settings")
        throttle = read_throttle(settings, "throttling_rate_limit", "throttling_burst_limit")
        api = api_of(ctx, inst, p, "rest_api_id", "rest")
        path = p.get("method_path")
        for stage in _stages_named(ctx, p, "stage_name", api):
            read_logging_settings(stage, settings, stage_wide=path == "*/*")
        if throttle is None:
            return
        for stage in _stages_named(ctx, p, "stage_name", api):
            if path == "*/*":
                stage.throttle = throttle
                stage.locs["throttle"] = throttle.loc or inst.loc
            elif isinstance(path, str) and "/" in path:
                # "pets/GET" is keyed like every other format's per-method throttle: "GET /pets".
                resource_path, method = path.rsplit("/", 1)
                stage.route_throttles[route_key(method, "/" + resource_path.lstrip("/"))] = throttle
    return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link


def build_usage_plan(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    plan = UsagePlan(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    plan.throttle = read_throttle(first(p, "throttle_settings"), "rate_limit", "burst_limit")
    if plan.throttle is not None:
        set_loc(plan.locs, "throttle", plan.throttle.loc)
    quota = first(p, "quota_settings")
    if quota is not None:
        plan.set("quota", quota, loc_of(quota))

    def link() -> None:
        for entry in each_block(p, "api_stages"):
            api = api_of(ctx, inst, entry, "api_id", "rest")
            plan.stage_refs.append((entry.get("api_id"), entry.get("stage")))
            for stage in _stages_named(ctx, entry, "stage", api):
                if stage not in plan.stages:
                    plan.stages.append(stage)
    return plan, link


def build_http_api(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    protocol = p.get("protocol_type")
    api = Api(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"),
              api_kind="websocket" if protocol == "WEBSOCKET" else "http")
    if p.get("body") is not None and not routes_from_body(ctx, inst, api):
        api.default_authorization = Unknown("OpenAPI body")

    def link() -> None:
        if p.get("target") is None:
            return
        # Quick create: a $default route and stage, with no authorizer.
        route = ctx.tpl.add(Route(f"{inst.id}.$default", api.resource, where(p, "target") or inst.loc,
                                  api=api, method="ANY", path="$default"))
        key = p.get("route_key")
        if isinstance(key, str) and " " in key:
            route.method, route.path = key.split(" ", 1)
        fn = ctx.entity(p, "target", Function)
        if isinstance(fn, Function):
            route.target_functions.append(fn)
        ctx.tpl.add(Stage(f"{inst.id}.$default-stage", api.resource, inst.loc, name="$default", api=api,
                          stage_name="$default"))
    return api, link


def build_v2_route(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    route = Route(inst.id, ctx.tpl_resource(inst), inst.loc)
    key = p.get("route_key")
    set_loc(route.locs, "method", where(p, "route_key"))
    if isinstance(key, str) and " " in key:
        route.method, route.path = key.split(" ", 1)
    else:
        route.method, route.path = key, key
    set_fact(route, "authorization", p, "authorization_type")
    set_fact(route, "api_key_required", p, "api_key_required", transform=as_bool)

    def link() -> None:
        route.api = api_of(ctx, inst, p, "api_id", "websocket" if websocket_route_key(key) else "http")
        integration = ctx.instance(p, "target", "aws_apigatewayv2_integration")
        if integration is not None:
            fn = ctx.entity(integration.props, "integration_uri", Function)
            if isinstance(fn, Function):
                route.target_functions.append(fn)
    return route, link


def build_v2_stage(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    stage = Stage(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    stage.stage_name = p.get("name")
    throttle = read_throttle(first(p, "default_route_settings"), "throttling_rate_limit", "throttling_burst_limit")
    if throttle is not None:
        stage.throttle = throttle
        stage.locs["throttle"] = throttle.loc or inst.loc
    read_logging_settings(stage, first(p, "default_route_settings"), stage_wide=True)
    for settings in each_block(p, "route_settings"):
        read_logging_settings(stage, settings, stage_wide=False)
        throttle = read_throttle(settings, "throttling_rate_limit", "throttling_burst_limit")
        if throttle is not None:
            stage.route_throttles[str(settings.get("route_key"))] = throttle
    set_fact(stage, "access_logging", p, "access_log_settings", "destination_arn")
    return stage, _stage_common(ctx, inst, stage, "api_id")


APIGATEWAY_BUILDERS: dict[str, Callable[[BuildContext, Instance], Built]] = {
    "aws_api_gateway_rest_api": build_rest_api,
    "aws_api_gateway_method": build_method,
    "aws_api_gateway_stage": build_rest_stage,
    "aws_api_gateway_deployment": build_deployment,
    "aws_api_gateway_method_settings": build_method_settings,
    "aws_api_gateway_usage_plan": build_usage_plan,
    "aws_apigatewayv2_api": build_http_api,
    "aws_apigatewayv2_route": build_v2_route,
    "aws_apigatewayv2_stage": build_v2_stage,
}
