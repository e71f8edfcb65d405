"""The Serverless Framework's events: the APIs, stages, routes, buckets, topics and triggers they make.

Mixed into ``Service``: reads its provider, context and plugins, and adds
to its template.
"""

from __future__ import annotations

from typing import Any

from iac_lint.model import (
    Api,
    Bucket,
    Entity,
    Function,
    LMap,
    Location,
    Route,
    Stage,
    Topic,
    Trigger,
    Unknown,
    UsagePlan,
    Value,
    get_path,
    key_loc,
    path_loc,
    set_loc,
    value_loc,
)
from iac_lint.model.apigateway import route_key
from iac_lint.parsers.cloudformation.apigateway import read_throttle
from iac_lint.parsers.serverless.names import (
    EVENT_KINDS,
    HTTP_API_ID,
    REST_API_ID,
    THROTTLING_PLUGIN,
    WEBSOCKET_API_ID,
    alphanumeric_name,
    as_map,
    truthy,
)
from iac_lint.parsers.serverless.state import ServiceState


class Events(ServiceState):
    def build_event(self, fn: Function, index: int, etype: str, cfg: Any, where: Location) -> None:
        if etype == "http":
            self.http_route(fn, index, cfg, where)
        elif etype == "httpApi":
            self.http_api_route(fn, index, cfg, where)
        elif etype == "websocket":
            self.websocket_route(fn, index, cfg, where)
        elif etype == "s3":
            self.s3_event(fn, cfg, where)
        elif etype == "sns":
            self.sns_event(fn, cfg, where)
        else:
            self.source_event(fn, etype, cfg, where)

    def rest_api(self, where: Location, node: Any) -> Api:
        """The REST API the first ``http`` event creates (or the existing one ``apiGateway.restApiId`` names)."""
        api = self.apis.get("rest")
        if api is not None:
            return api
        gateway = as_map(self.provider.get("apiGateway"))
        res = self.generated(REST_API_ID, "serverless:rest-api", node, where)
        name = self.resolve(gateway.get("restApiName") or self.provider.get("apiName")) or (
            f"{self.stage}-{self.service}" if isinstance(self.service, str) else REST_API_ID)
        # `apiGateway.restApiId`: the events add methods to an API another service owns (defined elsewhere).
        api = Api(REST_API_ID, res, where, name=name, api_kind="rest", implicit=True,
                  external=gateway.get("restApiId") is not None)
        endpoint_raw = self.provider.get("endpointType") or gateway.get("endpointType")
        if endpoint_raw is not None:
            endpoint = self.resolve(endpoint_raw)
            api.set("public", endpoint.upper() != "PRIVATE" if isinstance(endpoint, str) else endpoint,
                    path_loc(self.provider, "endpointType") or path_loc(gateway, "endpointType"))
        self.apis["rest"] = api
        self.register(REST_API_ID, api)
        self.tpl.add(api)
        if gateway.get("restApiId") is None:  # an existing API's stages are not this service's to configure
            stage = Stage("ApiGatewayStage", res, where, name=self.stage, api=api, stage_name=self.stage)
            self.read_rest_logs(stage)
            tracing = get_path(self.provider, "tracing", "apiGateway")
            if tracing is not None:
                stage.set("tracing", truthy(self.resolve(tracing)), path_loc(self.provider, "tracing", "apiGateway"))
            self.read_throttling_plugin(stage)
            self.stages["rest"] = stage
            self.tpl.add(stage)
        return api

    def read_rest_logs(self, stage: Stage) -> None:
        """``provider.logs.restApi``: ``true`` or a map whose ``accessLogging`` defaults to true."""
        raw = get_path(self.provider, "logs", "restApi")
        if raw is None:
            return
        value = self.resolve(raw)
        enabled: Any = truthy(value) if not isinstance(value, dict) else truthy(value.get("accessLogging", True))
        stage.set("access_logging", True if enabled is True else (enabled if isinstance(enabled, Unknown) else None),
                  path_loc(self.provider, "logs", "restApi"))
        self.read_execution_logs(stage, value, "restApi")

    def read_execution_logs(self, stage: Stage, value: Any, key: str) -> None:
        """``logs.restApi``/``logs.websocket`` turn on execution logging at ``level`` (INFO) with
        ``fullExecutionData`` (payloads) unless the map says otherwise."""
        where = path_loc(self.provider, "logs", key)
        settings = value if isinstance(value, dict) else {}
        on = truthy(settings.get("executionLogging", True)) if isinstance(value, dict) else truthy(value)
        if on is not True:
            if on is False or isinstance(value, dict):
                stage.set("execution_log_level", "OFF" if on is False else on, where)
            return
        stage.set("execution_log_level", self.resolve(settings.get("level", "INFO")),
                  path_loc(settings, "level") or where)
        full = truthy(self.resolve(settings.get("fullExecutionData", True)))
        stage.set("data_trace", full, path_loc(settings, "fullExecutionData") or where)

    def read_throttling_plugin(self, stage: Stage) -> None:
        """``serverless-api-gateway-throttling``: ``custom.apiGatewayThrottling`` sets the stage-wide limits.

        The framework itself has no throttle setting for REST or HTTP API
        stages other than usage plans; this plugin is how services set one.
        Without ``custom.apiGatewayThrottling`` the plugin applies the
        account-level defaults, which limit nothing, so the stage stays
        unthrottled.
        """
        if THROTTLING_PLUGIN not in self.plugins:
            return
        node = get_path(self.doc, "custom", "apiGatewayThrottling")
        throttle = read_throttle(self.ctx, node, "maxRequestsPerSecond", "maxConcurrentRequests")
        if throttle is not None:
            stage.throttle = throttle
            set_loc(stage.locs, "throttle", throttle.loc or path_loc(self.doc, "custom", "apiGatewayThrottling"))

    def http_event(self, cfg: Any) -> tuple[Value, Value, dict[str, Any]]:
        """An ``http`` event's method, path and settings, short (``http: GET users/{id}``) or long form."""
        if isinstance(cfg, str):
            method, _, path = cfg.strip().partition(" ")
            return method, path, LMap()
        cfg_map = as_map(cfg)
        return self.resolve(cfg_map.get("method")), self.resolve(cfg_map.get("path")), cfg_map

    def http_route(self, fn: Function, index: int, cfg: Any, where: Location) -> None:
        method, path, cfg_map = self.http_event(cfg)
        api = self.rest_api(where, cfg)
        route = Route(f"{fn.id}.events[{index}]", fn.resource, where, name=f"{fn.id} http",
                      api=api, method=method.upper() if isinstance(method, str) else method,
                      path="/" + path.strip().lstrip("/") if isinstance(path, str) else path)
        if "private" in cfg_map:
            route.set("api_key_required", truthy(self.resolve(cfg_map["private"])), path_loc(cfg_map, "private"))
        if cfg_map.get("authorizer") is not None:
            route.set("authorization", self.rest_authorization(cfg_map["authorizer"]), key_loc(cfg_map, "authorizer"))
        self.read_route_throttling(route, cfg_map, self.stages.get("rest"))
        route.target_functions.append(fn)
        self.tpl.add(route)

    def read_route_throttling(self, route: Route, cfg_map: dict, stage: Stage | None) -> None:
        """``throttling:`` on an ``http``/``httpApi`` event (serverless-api-gateway-throttling)."""
        throttling = cfg_map.get("throttling")
        if stage is None or THROTTLING_PLUGIN not in self.plugins or not isinstance(throttling, dict):
            return
        throttle = read_throttle(self.ctx, throttling, "maxRequestsPerSecond", "maxConcurrentRequests")
        if throttle is not None:
            stage.route_throttles[route_key(route.method, route.path)] = throttle

    def rest_authorization(self, raw: Any) -> Any:
        """An ``http`` event's ``authorizer`` as an API Gateway authorization type."""
        value = self.resolve(raw)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, str):
            if value.lower() == "aws_iam":
                return "AWS_IAM"
            return "COGNITO_USER_POOLS" if ":cognito-idp:" in value else "CUSTOM"
        if isinstance(value, dict):
            kind = value.get("type")
            if isinstance(kind, str):
                kind = kind.lower()
                if kind == "aws_iam":
                    return "AWS_IAM"
                if kind == "cognito_user_pools":
                    return "COGNITO_USER_POOLS"
                if kind in ("token", "request", "custom"):
                    return "CUSTOM"
            arn = value.get("arn")
            if isinstance(arn, str) and ":cognito-idp:" in arn:
                return "COGNITO_USER_POOLS"
            if isinstance(kind, Unknown):
                return kind
            return "CUSTOM"
        return Unknown(str(value))

    def http_api(self, where: Location, node: Any) -> Api:
        api = self.apis.get("http")
        if api is not None:
            return api
        config = as_map(self.provider.get("httpApi"))
        res = self.generated(HTTP_API_ID, "serverless:http-api", node, where)
        name = self.resolve(config.get("name")) or (
            f"{self.stage}-{self.service}" if isinstance(self.service, str) else HTTP_API_ID)
        api = Api(HTTP_API_ID, res, where, name=name, api_kind="http", implicit=True,
                  external=config.get("id") is not None)  # `httpApi.id`: an HTTP API another service owns
        self.apis["http"] = api
        self.register(HTTP_API_ID, api)
        self.tpl.add(api)
        if config.get("id") is None:
            stage = Stage("HttpApiStage", res, where, name="$default", api=api, stage_name="$default")
            raw = get_path(self.provider, "logs", "httpApi")
            if raw is not None:
                value = self.resolve(raw)
                enabled = True if isinstance(value, dict) else truthy(value)
                stage.set("access_logging", True if enabled is True else (
                    enabled if isinstance(enabled, Unknown) else None), path_loc(self.provider, "logs", "httpApi"))
            self.read_throttling_plugin(stage)
            self.stages["http"] = stage
            self.register("HttpApiStage", stage)
            self.tpl.add(stage)
        return api

    def http_api_route(self, fn: Function, index: int, cfg: Any, where: Location) -> None:
        method: Value
        path: Value
        if isinstance(cfg, str):  # ``httpApi: 'GET /users'`` or ``httpApi: '*'``
            text = cfg.strip()
            method, _, path = text.partition(" ") if text != "*" else ("*", "", "*")
            cfg_map: dict = LMap()
        else:
            cfg_map = as_map(cfg)
            method = self.resolve(cfg_map.get("method", "*"))
            path = self.resolve(cfg_map.get("path", "*"))
        api = self.http_api(where, cfg)
        route = Route(f"{fn.id}.events[{index}]", fn.resource, where, name=f"{fn.id} httpApi", api=api,
                      method=method.upper() if isinstance(method, str) else method, path=path or "*")
        if cfg_map.get("authorizer") is not None:
            route.set("authorization", self.http_api_authorization(cfg_map["authorizer"]),
                      key_loc(cfg_map, "authorizer"))
        self.read_route_throttling(route, cfg_map, self.stages.get("http"))
        route.target_functions.append(fn)
        self.tpl.add(route)

    def http_api_authorization(self, raw: Any) -> Any:
        """``{name: x}`` looks ``x`` up in ``provider.httpApi.authorizers`` (JWT unless ``type: request``)."""
        value = self.resolve(raw)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, str):
            value = {"name": value}
        if not isinstance(value, dict):
            return Unknown(str(value))
        kind = value.get("type")
        if isinstance(kind, str) and kind.lower() == "aws_iam":
            return "AWS_IAM"
        if isinstance(kind, str) and kind.lower() == "request":
            return "CUSTOM"
        declared = get_path(self.provider, "httpApi", "authorizers", str(value.get("name")))
        if isinstance(declared, dict):
            declared_kind = self.resolve(declared.get("type", "jwt"))
            if isinstance(declared_kind, str):
                return "CUSTOM" if declared_kind.lower() == "request" else "JWT"
            return declared_kind
        if value.get("id") is not None or value.get("name") is not None:
            return "CUSTOM"  # an authorizer defined outside this file: its kind is unknown, its presence is not
        return Unknown(str(value))

    def websocket_api(self, where: Location, node: Any) -> Api:
        api = self.apis.get("websocket")
        if api is not None:
            return api
        res = self.generated(WEBSOCKET_API_ID, "serverless:websocket-api", node, where)
        name = self.resolve(self.provider.get("websocketsApiName")) or (
            f"{self.stage}-{self.service}-websockets" if isinstance(self.service, str) else WEBSOCKET_API_ID)
        # `provider.websocketApiId`: the routes go to a WebSocket API another service owns, with its stages.
        shared = self.provider.get("websocketApiId") is not None
        api = Api(WEBSOCKET_API_ID, res, where, name=name, api_kind="websocket", implicit=True, external=shared)
        self.apis["websocket"] = api
        self.register(WEBSOCKET_API_ID, api)
        self.tpl.add(api)
        if shared:
            return api
        stage = Stage("WebsocketsDeploymentStage", res, where, name=self.stage, api=api, stage_name=self.stage)
        raw = get_path(self.provider, "logs", "websocket")
        if raw is not None:
            value = self.resolve(raw)
            enabled = truthy(value.get("accessLogging", True)) if isinstance(value, dict) else truthy(value)
            stage.set("access_logging", True if enabled is True else None, path_loc(self.provider, "logs", "websocket"))
            self.read_execution_logs(stage, value, "websocket")
        self.stages["websocket"] = stage
        self.register("WebsocketsDeploymentStage", stage)
        self.tpl.add(stage)
        return api

    def websocket_route(self, fn: Function, index: int, cfg: Any, where: Location) -> None:
        cfg_map = as_map(cfg)
        key = cfg if isinstance(cfg, str) else self.resolve(cfg_map.get("route"))
        api = self.websocket_api(where, cfg)
        route = Route(f"{fn.id}.events[{index}]", fn.resource, where, name=f"{fn.id} websocket", api=api,
                      method=str(key) if isinstance(key, str) else key, path=key)
        if cfg_map.get("authorizer") is not None:
            value = self.resolve(cfg_map["authorizer"])
            route.set("authorization", value if isinstance(value, Unknown) else "CUSTOM",
                      key_loc(cfg_map, "authorizer"))
        route.target_functions.append(fn)
        self.tpl.add(route)

    def s3_event(self, fn: Function, cfg: Any, where: Location) -> None:
        """An ``s3`` event creates its bucket, unless ``existing: true`` or ``resources`` defines it."""
        cfg_map = as_map(cfg)
        raw = cfg if not isinstance(cfg, dict) else cfg_map.get("bucket")
        bucket_name = self.resolve(raw)
        configured = get_path(self.provider, "s3", bucket_name) if isinstance(bucket_name, str) else None
        if isinstance(configured, dict) and configured.get("name") is not None:
            bucket_name = self.resolve(configured["name"])  # ``provider.s3.<ref>`` names the real bucket
        trigger = Trigger(kind="s3", public=False, source=bucket_name, loc=where)
        fn.triggers.append(trigger)
        existing = truthy(self.resolve(cfg_map.get("existing"))) is True
        logical = f"S3Bucket{alphanumeric_name(raw)}" if isinstance(raw, str) else None
        if not existing and logical is not None and not self.defined_in_resources(logical, bucket_name,
                                                                                 "AWS::S3::Bucket", "BucketName"):
            if not isinstance(self.ctx.entities.get(logical), Bucket):
                res = self.generated(logical, "serverless:s3-bucket", cfg, where)
                self.register(logical, self.tpl.add(Bucket(logical, res, where, name=bucket_name)))
            trigger.source = logical
            return

        def link() -> None:
            found: Entity | None = self.ctx.entity_for(raw, Bucket) if isinstance(raw, dict) else None
            if found is None and logical is not None:
                found = self.ctx.entities.get(logical)
            if found is None and bucket_name is not None:
                found = self.ctx.name_or_arn(bucket_name, Bucket)
            if isinstance(found, Bucket):
                trigger.source = found.id
        self.after_resources.append(link)

    def defined_in_resources(self, logical: str, name: Any, rtype: str, name_key: str) -> bool:
        """Whether ``resources`` defines this resource itself (then it is that resource, not a generated one)."""
        for logical_id, body in self.resources.items():
            if not isinstance(body, dict) or body.get("Type") != rtype:
                continue
            if logical_id == logical:
                return True
            declared = self.resolve(get_path(body, "Properties", name_key))
            if isinstance(name, str) and declared == name:
                return True
        return False

    def sns_event(self, fn: Function, cfg: Any, where: Location) -> None:
        """A topic given by name (not ARN) is created by the framework, without encryption settings."""
        cfg_map = as_map(cfg)
        raw = cfg if not isinstance(cfg, dict) else (cfg_map.get("arn") or cfg_map.get("topicName"))
        value = self.resolve(raw)
        trigger = Trigger(kind="sns", public=False, source=value, loc=where)
        fn.triggers.append(trigger)
        # A topic given by name, not by ARN: the framework creates it.
        if isinstance(value, str) and not value.startswith("arn:") and not (
                isinstance(cfg, dict) and cfg_map.get("arn") is not None):
            logical = f"SNSTopic{alphanumeric_name(value)}"
            if not self.defined_in_resources(logical, value, "AWS::SNS::Topic", "TopicName"):
                if not isinstance(self.ctx.entities.get(logical), Topic):
                    res = self.generated(logical, "serverless:sns-topic", cfg, where)
                    self.register(logical, self.tpl.add(Topic(logical, res, where, name=value)))
                trigger.source = logical
                return
        self.link_source_later(trigger, raw)

    def source_event(self, fn: Function, etype: str, cfg: Any, where: Location) -> None:
        kind = EVENT_KINDS.get(etype, "other")
        cfg_map = as_map(cfg)
        if etype == "eventBridge" and cfg_map.get("schedule") is not None:
            kind = "schedule"
        public: Any = False
        if kind == "alb":
            public = Unknown("alb listener: internet-facing or internal is set on the load balancer")
        elif kind == "cloudfront":
            public = Unknown("CloudFront distribution")
        raw = cfg if not isinstance(cfg, dict) else (
            cfg_map.get("arn") or cfg_map.get("queue") or cfg_map.get("stream") or cfg_map.get("rate")
            or cfg_map.get("eventBus") or cfg_map.get("listenerArn") or cfg_map.get("pool"))
        trigger = Trigger(kind=kind, public=public, source=self.resolve(raw) if raw is not None else None, loc=where)
        fn.triggers.append(trigger)
        if kind in ("sqs", "stream") and raw is not None:
            self.link_source_later(trigger, raw)

    def link_source_later(self, trigger: Trigger, raw: Any) -> None:
        """Point a trigger at the resource it names, once ``resources`` has been read."""
        def link() -> None:
            found = self.ctx.entity_for(raw) if isinstance(raw, dict) else None
            if found is None and isinstance(trigger.source, str):
                found = self.ctx.entities.get(trigger.source)
            if found is not None:
                trigger.source = found.id
        self.after_resources.append(link)

    # --- provider-level API settings ------------------------------------------------

    def build_api_settings(self) -> None:
        """Usage plans (``provider.apiGateway.usagePlan``, legacy ``provider.usagePlan``) on the REST stage."""
        stage = self.stages.get("rest")
        if stage is None:
            return
        gateway = as_map(self.provider.get("apiGateway"))
        plan_node, plan_where = gateway.get("usagePlan"), path_loc(gateway, "usagePlan")
        if plan_node is None:
            plan_node, plan_where = self.provider.get("usagePlan"), path_loc(self.provider, "usagePlan")
        keys = gateway.get("apiKeys") if gateway.get("apiKeys") is not None else self.provider.get("apiKeys")
        entries: list[tuple[str, Any, Location]] = []
        if isinstance(plan_node, list):  # named plans: ``- free: {throttle: ...}``
            for i, item in enumerate(plan_node):
                if isinstance(item, dict):
                    for plan_name, body in item.items():
                        entries.append((f"ApiGatewayUsagePlan{alphanumeric_name(plan_name)}", body,
                                        key_loc(item, plan_name) or value_loc(plan_node, i) or stage.loc))
        elif isinstance(plan_node, dict) or (plan_node is None and keys is not None):
            where = (key_loc(self.provider.get("apiGateway"), "usagePlan") if gateway.get("usagePlan") is not None
                     else key_loc(self.provider, "usagePlan")) if plan_node is not None else stage.loc
            entries.append(("ApiGatewayUsagePlan", plan_node, where or plan_where or stage.loc))
        for logical, body, where in entries:
            res = self.generated(logical, "serverless:usage-plan", body, where)
            plan = UsagePlan(logical, res, where, name=logical)
            plan.throttle = read_throttle(self.ctx, get_path(body, "throttle"), "rateLimit", "burstLimit")
            if get_path(body, "quota") is not None:
                plan.set("quota", self.resolve(get_path(body, "quota")), path_loc(body, "quota"))
            plan.stages.append(stage)
            self.register(logical, plan)
            self.tpl.add(plan)
