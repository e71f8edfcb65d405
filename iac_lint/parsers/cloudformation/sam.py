"""AWS SAM: Globals, serverless resources, implicit APIs, policy templates.

SAM resources are turned into the same entities the CloudFormation builders
make, as the SAM transform would turn them into CloudFormation: a function
gets a role built from ``Policies`` (managed names, inline statements and
policy templates expanded to what they really grant), ``Api``/``HttpApi``
events create the implicit ``ServerlessRestApi`` / ``ServerlessHttpApi``
with a stage, and Globals apply to every function and API.  Entities that
SAM generates point at the node in the user's file that caused them.
"""

from __future__ import annotations

from typing import Any

from iac_lint.model import (
    Api,
    Function,
    LMap,
    Location,
    ManagedPolicyRef,
    PolicyStatement,
    Resource,
    Role,
    Route,
    Stage,
    Table,
    Template,
    Trigger,
    Unknown,
    UsagePlan,
    get_path,
    key_loc,
    loc_of,
    path_loc,
)
from iac_lint.parsers.cloudformation import apigateway
from iac_lint.parsers.cloudformation import resources as cfn
from iac_lint.parsers.cloudformation.intrinsics import CfnContext, list_entries, set_fact
from iac_lint.parsers.cloudformation.sam_policies import expand_sam_template
from iac_lint.parsers.iam import branches, statements_from_document
from iac_lint.parsers.kernel import Built, Link, LinkOnly

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
BASIC_EXECUTION_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

_GLOBAL_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
}


def is_sam(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    transform = data.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return any(isinstance(n, str) and n == SAM_TRANSFORM for n in names)


def merge_globals(global_props: Any, props: Any) -> Any:
    """SAM's merge: the resource's scalars win, maps merge, lists are appended."""
    if isinstance(global_props, dict) and isinstance(props, dict):
        out = LMap(loc=props.loc if isinstance(props, LMap) else None)
        for source in (global_props, props):
            for key, value in source.items():
                if key in out:
                    value = merge_globals(out[key], value)
                out.put(key, value, source)
        return out
    if isinstance(global_props, list) and isinstance(props, list):
        return type(props)(list(global_props) + list(props))
    return props


def apply_globals(data: dict) -> None:
    globals_ = data.get("Globals")
    resources = data.get("Resources")
    if not isinstance(globals_, dict) or not isinstance(resources, dict):
        return
    for section, rtype in _GLOBAL_SECTIONS.items():
        defaults = globals_.get(section)
        if not isinstance(defaults, dict):
            continue
        for body in resources.values():
            if isinstance(body, dict) and body.get("Type") == rtype:
                props = body.get("Properties")
                if props is None:
                    props = LMap(loc=loc_of(body))
                if isinstance(props, dict):
                    body["Properties"] = merge_globals(defaults, props)


# --- roles from Policies ---------------------------------------------------------


def role_from_policies(ctx: CfnContext, tpl: Template, res: Resource, policies: Any, basic: bool = True) -> Role:
    """The role SAM generates for a function or state machine without ``Role``."""
    role = Role(f"{res.id}Role", res, res.location, name=f"{res.id}Role")
    if basic:
        role.managed_policies.append(ManagedPolicyRef(BASIC_EXECUTION_ROLE, None))
    # ``Policies`` is a list, or a single name, document or template; the list or any entry may be an ``Fn::If``.
    for listed, listed_loc in branches(policies, loc_of(policies)):
        entries = list_entries(listed, listed_loc) if isinstance(listed, list) else [(listed, listed_loc)]
        for entry, where in entries:
            role.statements.extend(statements_of_policy_entry(ctx, entry, where, role))
    tpl.add(role)
    return role


def statements_of_policy_entry(ctx: CfnContext, entry: Any, where: Location | None,
                               role: Role) -> list[PolicyStatement]:
    if isinstance(entry, str):
        arn = entry if entry.startswith("arn:") else f"arn:aws:iam::aws:policy/{entry}"
        role.managed_policies.append(ManagedPolicyRef(arn, where))
        return []
    if isinstance(entry, dict):
        if "Statement" in entry:
            return statements_from_document(entry, ctx.resolve, source="inline", fallback=where)
        if len(entry) == 1:
            (name, args), = entry.items()
            expanded = expand_sam_template(str(name), args, key_loc(entry, name) or where, ctx.resolve)
            if expanded is not None:
                return expanded
            # An intrinsic (``!Ref PolicyArn``, ``!Sub arn:...``): a managed policy ARN.
            role.managed_policies.append(ManagedPolicyRef(cfn.policy_arn(ctx, entry), where))
    return []


# --- functions -------------------------------------------------------------------


class _Implicit:
    """The implicit APIs of one template, created on first use."""

    def __init__(self, ctx: CfnContext, tpl: Template, data: dict) -> None:
        self.ctx, self.tpl = ctx, tpl
        raw_globals = data.get("Globals")
        globals_ = raw_globals if isinstance(raw_globals, dict) else {}
        rest, http = globals_.get("Api"), globals_.get("HttpApi")
        self.rest_globals = rest if isinstance(rest, dict) else LMap()
        self.http_globals = http if isinstance(http, dict) else LMap()
        self.apis: dict[str, Api] = {}

    def api(self, kind: str, res: Resource, where: Location) -> Api:
        logical = "ServerlessRestApi" if kind == "rest" else "ServerlessHttpApi"
        if logical in self.apis:
            return self.apis[logical]
        props = self.rest_globals if kind == "rest" else self.http_globals
        synthetic = Resource(logical, "AWS::Serverless::Api" if kind == "rest" else "AWS::Serverless::HttpApi",
                             res.format, props, where, res.file)
        synthetic.suppressions = list(res.suppressions)
        builder = build_sam_api if kind == "rest" else build_sam_http_api
        api, _ = builder(self.ctx, self.tpl, synthetic)
        api.implicit = True
        self.apis[logical] = api
        self.ctx.entities[logical] = api
        self.tpl.add(api)
        return api


class SamContext(CfnContext):
    """A CloudFormation context that also knows the template's implicit APIs."""

    def __init__(self, file: str, data: dict, tpl: Template, parameter_values: dict[str, Any] | None = None) -> None:
        super().__init__(file, "sam", data, parameter_values)
        # SAM's implicit ServerlessRestApi/ServerlessHttpApi, created on first use by an Api/HttpApi event.
        self.implicit_apis = _Implicit(self, tpl, data)


def _authorization_of(auth: Any, ctx: CfnContext) -> Any:
    name = ctx.resolve(get_path(auth, "Authorizer"))
    if name is None:
        return None
    if isinstance(name, str):
        return {"NONE": "NONE", "AWS_IAM": "AWS_IAM"}.get(name, "CUSTOM")
    return name


def build_sam_function(ctx: SamContext, tpl: Template, res: Resource) -> Built:
    built = cfn.build_function(ctx, tpl, res)
    assert built is not None
    fn, cfn_link = built
    p = res.properties
    if get_path(p, "Tracing") is not None:
        fn.set("tracing", ctx.resolve(get_path(p, "Tracing")), path_loc(p, "Tracing"))
    url = get_path(p, "FunctionUrlConfig")
    if isinstance(url, dict):
        fn.set("url_auth_type", ctx.resolve(url.get("AuthType")), path_loc(p, "FunctionUrlConfig", "AuthType")
               or path_loc(p, "FunctionUrlConfig"))
        fn.url_grants_implicit = True  # the transform adds the URL's permissions for AuthType NONE

    def link() -> None:
        if get_path(p, "Role") is not None:
            cfn_link()
        else:
            fn.set("role", role_from_policies(ctx, tpl, res, get_path(p, "Policies")), path_loc(p, "Policies"))
        events = get_path(p, "Events")
        if isinstance(events, dict):
            for name, event in events.items():
                if isinstance(event, dict):
                    link_event(ctx, tpl, fn, str(name), event, key_loc(events, name) or res.location)
    return fn, link


_EVENT_KINDS = {
    "S3": "s3", "SQS": "sqs", "SNS": "sns", "Schedule": "schedule", "ScheduleV2": "schedule",
    "CloudWatchEvent": "eventbridge", "EventBridgeRule": "eventbridge", "Kinesis": "stream",
    "DynamoDB": "stream", "MSK": "stream", "MQ": "stream", "SelfManagedKafka": "stream",
    "CloudWatchLogs": "logs", "IoTRule": "iot", "AlexaSkill": "alexa", "Cognito": "cognito",
    "DocumentDB": "stream",
}


def link_event(ctx: SamContext, tpl: Template, fn: Function, name: str, event: Any, where: Location) -> None:
    etype = ctx.resolve(event.get("Type"))
    props = event.get("Properties") if isinstance(event.get("Properties"), dict) else LMap(loc=where)
    implicit = ctx.implicit_apis
    if etype in ("Api", "HttpApi"):
        kind = "rest" if etype == "Api" else "http"
        api_ref = props.get("RestApiId" if kind == "rest" else "ApiId")
        api = ctx.entity_for(api_ref, Api) if api_ref is not None else implicit.api(kind, fn.resource, where)
        method = ctx.resolve(props.get("Method", "ANY" if kind == "http" else None))
        method = method.upper() if isinstance(method, str) else method
        path = ctx.resolve(props.get("Path", "$default" if kind == "http" else None))
        route = Route(f"{fn.id}.{name}", fn.resource, where, name=name, method=method, path=path)
        route.api = api if isinstance(api, Api) else None
        auth = props.get("Auth")
        if isinstance(auth, dict):
            route.set("authorization", _authorization_of(auth, ctx), path_loc(auth, "Authorizer") or where)
            if "ApiKeyRequired" in auth:
                route.set("api_key_required", ctx.resolve(auth["ApiKeyRequired"]), path_loc(auth, "ApiKeyRequired"))
        route.target_functions.append(fn)
        if isinstance(api, Api):
            # SAM writes the event into the API's DefinitionBody: the same operation read from the body is
            # this route, judged once (with the event's settings, which SAM applies to it).
            written = f"{api.id} {method} {path}"
            tpl.entities[:] = [e for e in tpl.entities
                               if not (isinstance(e, Route) and e.id == written and e.api is api)]
        tpl.add(route)
        return
    if etype == "FunctionUrl":
        fn.set("url_auth_type", ctx.resolve(props.get("AuthType")), where)
        return
    kind = _EVENT_KINDS.get(etype, "other") if isinstance(etype, str) else "other"
    source_key = {"S3": "Bucket", "SQS": "Queue", "SNS": "Topic", "Kinesis": "Stream", "DynamoDB": "Stream"}.get(
        etype if isinstance(etype, str) else "", "")
    source = props.get(source_key) if source_key else None
    target = ctx.entity_for(source) if source is not None else None
    fn.triggers.append(Trigger(kind=kind, public=False, source=target.id if target else ctx.resolve(source), loc=where))


# --- APIs --------------------------------------------------------------------------


def _stage_for(ctx: CfnContext, api: Api, res: Resource, where: Location, default_name: str) -> Stage:
    name_raw = get_path(res.properties, "StageName")
    name = ctx.resolve(name_raw) if name_raw is not None else default_name
    stage = Stage(f"{res.id}.Stage", res, where, name=name, api=api)
    stage.stage_name = name
    # Templates refer to the stage SAM generates as ``!Ref MyApi.Stage`` or by its logical id
    # (``MyApiProdStage``, ``MyHttpApiApiGatewayDefaultStage``), e.g. in a usage plan's ApiStages.
    aliases = [f"{res.id}.Stage"]
    if isinstance(name, str) and name.isalnum():
        aliases.append(f"{res.id}{name}Stage")
    elif name == "$default":
        aliases.append(f"{res.id}ApiGatewayDefaultStage")
    for alias in aliases:
        if alias not in ctx.entities:
            ctx.entities[alias] = stage
            ctx.resource_ids.add(alias)
    return stage


def build_sam_api(ctx: CfnContext, tpl: Template, res: Resource) -> tuple[Api, Link | None]:
    p = res.properties
    api = Api(res.id, res, res.location, name=ctx.resolve(get_path(p, "Name")) or res.id, api_kind="rest")
    endpoint = ctx.resolve(get_path(p, "EndpointConfiguration"))
    if isinstance(endpoint, dict):
        endpoint = endpoint.get("Type")
    if endpoint is not None:
        api.set("public", endpoint != "PRIVATE" if isinstance(endpoint, str) else endpoint,
                path_loc(p, "EndpointConfiguration"))
    auth = get_path(p, "Auth")
    default = ctx.resolve(get_path(auth, "DefaultAuthorizer"))
    if default is not None:
        api.set("default_authorization", "NONE" if default == "NONE" else (
            "AWS_IAM" if default == "AWS_IAM" else "CUSTOM"), path_loc(auth, "DefaultAuthorizer"))
    if get_path(auth, "ApiKeyRequired") is not None and ctx.resolve(get_path(auth, "ApiKeyRequired")) is True:
        api.default_authorization = api.default_authorization or "API_KEY"
    link = apigateway.routes_from_definition(ctx, tpl, api, res, get_path(p, "DefinitionBody"),
                                             default_applies=api.default_authorization is not None)
    if link is None and (get_path(p, "DefinitionBody") is not None or get_path(p, "DefinitionUri") is not None):
        api.default_authorization = api.default_authorization or Unknown("OpenAPI definition")
    stage = _stage_for(ctx, api, res, res.location, "Prod")
    apigateway.read_method_settings(ctx, stage, get_path(p, "MethodSettings"))
    set_fact(stage, "access_logging", ctx, p, "AccessLogSetting", "DestinationArn")
    set_fact(stage, "tracing", ctx, p, "TracingEnabled")
    tpl.add(stage)
    plan_cfg = get_path(auth, "UsagePlan")
    if isinstance(plan_cfg, dict) and ctx.resolve(plan_cfg.get("CreateUsagePlan")) in ("PER_API", "SHARED"):
        plan = UsagePlan(f"{res.id}.UsagePlan", res, loc_of(plan_cfg) or res.location)
        plan.throttle = apigateway.read_throttle(ctx, plan_cfg.get("Throttle"), "RateLimit", "BurstLimit")
        plan.stages.append(stage)
        tpl.add(plan)
    return api, link


def build_sam_http_api(ctx: CfnContext, tpl: Template, res: Resource) -> tuple[Api, Link | None]:
    p = res.properties
    api = Api(res.id, res, res.location, name=ctx.resolve(get_path(p, "Name")) or res.id, api_kind="http")
    default = ctx.resolve(get_path(p, "Auth", "DefaultAuthorizer"))
    if default is not None:
        api.set("default_authorization", "AWS_IAM" if default == "AWS_IAM" else "JWT",
                path_loc(get_path(p, "Auth"), "DefaultAuthorizer"))
    link = apigateway.routes_from_definition(ctx, tpl, api, res, get_path(p, "DefinitionBody"),
                                             default_applies=api.default_authorization is not None)
    if link is None and (get_path(p, "DefinitionBody") is not None or get_path(p, "DefinitionUri") is not None):
        api.default_authorization = api.default_authorization or Unknown("OpenAPI definition")
    stage = _stage_for(ctx, api, res, res.location, "$default")
    apigateway.read_http_stage_throttles(ctx, stage, p)
    set_fact(stage, "access_logging", ctx, p, "AccessLogSettings", "DestinationArn")
    tpl.add(stage)
    return api, link


def build_simple_table(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    table = Table(res.id, res, res.location, name=ctx.resolve(get_path(p, "TableName")) or res.id)
    # The same reading as AWS::DynamoDB::Table: "true" from a parameter, a KMS key, a conditional block.
    cfn.read_table_sse(ctx, table, p)
    return table, None


def build_state_machine(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    holder = LinkOnly(res.id, res, res.location)

    def link() -> None:
        if get_path(p, "Role") is None and get_path(p, "Policies") is not None:
            role_from_policies(ctx, tpl, res, get_path(p, "Policies"), basic=False)
    return holder, link


SAM_BUILDERS = {
    **cfn.BUILDERS,
    "AWS::Serverless::Function": build_sam_function,
    "AWS::Serverless::Api": build_sam_api,
    "AWS::Serverless::HttpApi": build_sam_http_api,
    "AWS::Serverless::SimpleTable": build_simple_table,
    "AWS::Serverless::StateMachine": build_state_machine,
}


def parse_template(data: Any, file: str, parameter_values: dict[str, Any] | None = None) -> Template:
    tpl = Template(path=file, format="sam")
    if not isinstance(data, dict):
        tpl.problem("E001", "template is not a mapping", loc_of(data) or Location(file, 1, 1))
        return tpl
    apply_globals(data)
    ctx = SamContext(file, data, tpl, parameter_values)
    cfn.read_parameters(tpl, "sam", data.get("Parameters"))
    cfn.read_resources(ctx, tpl, data.get("Resources"), SAM_BUILDERS)
    return tpl

