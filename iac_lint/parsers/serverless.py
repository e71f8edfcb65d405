"""Serverless Framework (``serverless.yml``) into the shared model.

The framework turns a short service file into a CloudFormation stack: one
shared execution role (``IamRoleLambdaExecution``), a REST API for ``http``
events, an HTTP API for ``httpApi`` events, buckets and topics for ``s3`` and
``sns`` events, a log group per function.  This module builds the entities
those generated resources would be, the way the SAM parser does for SAM's
implicit resources, so every rule holds for serverless files unchanged.

Locations follow one principle: a finding must land on a line the user wrote.
A function is located at its key under ``functions:``; an entity the
framework generates is located at the node that made it exist (the API at
the first ``- http:`` event, an event bucket at its ``- s3:`` event, the
shared role at ``provider.iam`` / ``provider.iamRoleStatements``), so an
inline suppression on that line silences it.

Raw CloudFormation under ``resources.Resources`` goes through the
CloudFormation parser with the same context, after the generated entities
are registered under the framework's logical ids, so ``!Ref
ApiGatewayRestApi`` or ``!GetAtt HelloLambdaFunction.Arn`` there link to them.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from iac_lint.model import (
    Api, Bucket, Entity, Function, LMap, Location, LogGroup, ManagedPolicyRef, PublicAccessBlock,
    Resource, Role, Route, Stage, Template, Throttle, Topic, Trigger, Unknown, UsagePlan, get_path,
    key_loc, loc_of, path_loc, value_loc,
)
from iac_lint.model.apigateway import route_key
from iac_lint.model.s3 import sse_mode
from iac_lint.parsers.cloudformation import resources as cfn
from iac_lint.parsers.cloudformation.apigateway import read_throttle
from iac_lint.parsers.cloudformation.intrinsics import CfnContext
from iac_lint.parsers.iam import statements_from_document
from iac_lint.parsers.serverless_vars import resolve_variables

FORMAT = "serverless"
SHARED_ROLE_ID = "IamRoleLambdaExecution"
REST_API_ID = "ApiGatewayRestApi"
HTTP_API_ID = "HttpApi"
WEBSOCKET_API_ID = "WebsocketsApi"
LAMBDA_PRINCIPAL = "Service:lambda.amazonaws.com"

# Plugins whose function-level ``iamRoleStatements`` give that function its own role.
PER_FUNCTION_ROLE_PLUGINS = ("serverless-iam-roles-per-function", "serverless-granular-iam")
THROTTLING_PLUGIN = "serverless-api-gateway-throttling"

# Event name -> Trigger.kind, for events that do not go through an API.
EVENT_KINDS = {
    "s3": "s3", "sqs": "sqs", "sns": "sns", "stream": "stream", "schedule": "schedule",
    "eventBridge": "eventbridge", "cloudwatchEvent": "eventbridge", "alb": "alb", "cloudFront": "cloudfront",
    "cognitoUserPool": "cognito", "iot": "iot", "iotFleetProvisioning": "iot", "alexaSkill": "alexa",
    "alexaSmartHome": "alexa", "cloudwatchLog": "logs", "msk": "stream", "kafka": "stream",
    "activemq": "stream", "rabbitmq": "stream",
}


# Generated entities that ``resources`` may extend, and the CloudFormation type that reads the extension.
_EXTENDED_TYPES: dict[type, str] = {
    Function: "AWS::Lambda::Function", LogGroup: "AWS::Logs::LogGroup", Bucket: "AWS::S3::Bucket",
    Role: "AWS::IAM::Role", Topic: "AWS::SNS::Topic", Stage: "AWS::ApiGatewayV2::Stage",
}


# --- names the framework gives to what it generates ------------------------------


def normalized_name(name: str) -> str:
    """The framework's logical-id form of a function name: ``my-fn_x`` -> ``MyDashfnUnderscorex``."""
    text = str(name).replace("-", "Dash").replace("_", "Underscore")
    return text[:1].upper() + text[1:]


def alphanumeric_name(name: str) -> str:
    """The framework's logical-id form of a bucket or topic name: letters and digits only."""
    text = re.sub(r"[^0-9A-Za-z]", "", str(name))
    return text[:1].upper() + text[1:]


def lambda_logical_id(function: str) -> str:
    return f"{normalized_name(function)}LambdaFunction"


# --- small helpers on located trees ----------------------------------------------


def _map(value: Any) -> dict:
    return value if isinstance(value, dict) else LMap()






def _truthy(value: Any) -> Any:
    """YAML/JSON booleans as the framework reads them; Unknown stays Unknown."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _is_intrinsic(value: Any) -> bool:
    """``{Ref: X}`` / ``{Fn::GetAtt: [X, Arn]}``: a reference, not a configuration map."""
    return isinstance(value, dict) and len(value) == 1 and any(
        str(k) == "Ref" or str(k).startswith("Fn::") for k in value)


def _plugin_names(doc: dict) -> list[str]:
    plugins = doc.get("plugins")
    if isinstance(plugins, dict):  # the ``{localPath, modules}`` form
        plugins = plugins.get("modules")
    return [str(p) for p in plugins if isinstance(p, str)] if isinstance(plugins, list) else []


def _merge_maps(value: Any) -> LMap:
    """A map, or a list of maps (``functions: [${file(a.yml)}, ${file(b.yml)}]``), as one located map."""
    out = LMap(loc=loc_of(value))
    for part in value if isinstance(value, list) else [value]:
        if not isinstance(part, dict):
            continue
        for key, body in part.items():
            out.put(key, body, part)
    return out


# --- the parser ----------------------------------------------------------------------


def parse_serverless(data: Any, path: str, text: str, options: Any) -> Template:
    """One service file (with the files it includes) as a template of format ``serverless``."""
    tpl = Template(path=path, format=FORMAT)
    if not isinstance(data, dict):
        tpl.problem("E001", "serverless file is not a mapping", loc_of(data) or Location(path, 1, 1))
        return tpl
    stage_option = getattr(options, "stage", None)
    params = getattr(options, "params", None) or {}
    roots = getattr(options, "roots", None) or []
    doc, stage = resolve_variables(data, path, tpl, stage_option, params, roots)
    if not isinstance(doc, dict):
        return tpl
    _Service(tpl, doc, path, stage).build()
    return tpl


class _Service:
    """Everything one service file makes, built in dependency order (see ``build``)."""

    def __init__(self, tpl: Template, doc: dict, path: str, stage: Any) -> None:
        self.tpl, self.doc, self.path = tpl, doc, path
        self.stage = stage if isinstance(stage, str) else "dev"
        provider = doc.get("provider")
        if isinstance(provider, str):  # ``provider: aws``
            provider = LMap({"name": provider}, loc=loc_of(provider))
        self.provider = _map(provider)
        service = doc.get("service")
        self.service = get_path(service, "name") if isinstance(service, dict) else service
        self.provider_loc = key_loc(doc, "provider") or Location(path, 1, 1)
        # Entries of ``resources`` that extend a generated resource: (logical id, body, where).
        self.extensions: list[tuple[str, Any, Location | None]] = []
        self.resources = self._merged_resources()
        self.ctx = CfnContext(path, FORMAT, {"Resources": self.resources})
        self.plugins = _plugin_names(doc)
        # Scoped forks (``@org/serverless-iam-roles-per-function``) behave the same.
        self.has_per_function_roles = any(name.endswith(PER_FUNCTION_ROLE_PLUGINS) for name in self.plugins)
        self.functions: list[tuple[Function, dict]] = []
        self.apis: dict[str, Api] = {}
        self.stages: dict[str, Stage] = {}
        self.after_resources: list[Callable[[], None]] = []
        self.external_roles: dict[str, Role] = {}
        self.shared_role: Role | None = None  # the generated role, once created
        self.provider_role_final: Role | None = None  # the role functions without their own run with
        self.provider_res = Resource("provider", "serverless:provider", FORMAT, self.provider,
                                     self.provider_loc, self.provider_loc.file)

    def resolve(self, value: Any) -> Any:
        """A plain value: CloudFormation intrinsics resolved as far as they go, the rest Unknown."""
        return self.ctx.resolve(value)

    # --- order of work -----------------------------------------------------------

    def build(self) -> None:
        self.tpl.resources.append(self.provider_res)
        name = self.resolve(self.provider.get("name", "aws"))
        functions = _merge_maps(self.doc.get("functions"))
        if isinstance(name, str) and name.lower() != "aws":
            self.tpl.problem("I001", f"provider '{name}' is not AWS: only AWS services are analysed",
                             path_loc(self.provider, "name") or self.provider_loc, severity="info")
            for fname, body in functions.items():
                header = key_loc(functions, fname) or self.provider_loc
                self.tpl.resources.append(Resource(str(fname), "serverless:function", FORMAT, body, header,
                                                   header.file))
            return
        # 1. Functions and what their events generate, registered under the framework's logical ids
        #    so that raw CloudFormation in ``resources`` can reference them.
        for fname, body in functions.items():
            header = key_loc(functions, fname) or self.provider_loc
            if body is None:
                body = LMap(loc=header)
            if not isinstance(body, dict):
                self.tpl.problem("E001", f"function {fname} must be a mapping", header)
                continue
            self.build_function(str(fname), body, header)
        self.build_api_settings()
        self.build_deployment_bucket()
        self.prepare_shared_role()
        # 2. Raw CloudFormation, linked to the entities above.
        before = len(self.tpl.resources)
        cfn.read_resources(self.ctx, self.tpl, self.resources)
        for res in self.tpl.resources[before:]:
            res.file = res.location.file  # resources may come from an included file
        # 3. What needs both: roles (a role may be a resource), event sources that name resources.
        for fn, body in self.functions:
            self.link_role(fn, body)
        for step in self.after_resources:
            step()
        self.apply_extensions()
        self.secure_websocket_routes()

    def apply_extensions(self) -> None:
        """Properties that ``resources`` merges into a generated resource (``ListLogGroup: {Properties: ...}``).

        Each extension is read by the CloudFormation builder of the type the
        framework generates, and the facts it sets replace the generated
        entity's, keeping the extension's locations.
        """
        for logical, body, where in self.extensions:
            target = self.ctx.entities.get(logical)
            props = get_path(body, "Properties")
            rtype = _EXTENDED_TYPES.get(type(target)) if target is not None else None
            if rtype is None or not isinstance(props, dict):
                continue
            where = where or target.loc
            made = cfn.BUILDERS[rtype](self.ctx, self.tpl, Resource(logical, rtype, FORMAT, props, where, where.file))
            if made is None:
                continue
            extension, link = made
            if isinstance(target, Role) and isinstance(extension, Role):
                if link is not None:
                    link()  # managed policy ARNs
                target.statements.extend(extension.statements)
                target.managed_policies.extend(extension.managed_policies)
            for fact, loc in extension.locs.items():
                if fact.startswith("environment.") and isinstance(target, Function):
                    target.environment[fact[len("environment."):]] = extension.environment.get(
                        fact[len("environment."):])
                elif hasattr(target, fact):
                    setattr(target, fact, getattr(extension, fact))
                else:
                    continue
                target.locs[fact] = loc
            if isinstance(target, Bucket) and isinstance(extension, Bucket) and "encryption" in extension.locs:
                target.kms_key = extension.kms_key

    def _merged_resources(self) -> LMap:
        """``resources.Resources``, or the ``Resources`` of every part of ``resources: [...]``.

        Entries without a ``Type`` extend a resource the framework generates
        (``HelloLambdaFunction: {Properties: ...}``); they are not resources
        of their own and are left out.
        """
        section = self.doc.get("resources")
        parts = section if isinstance(section, list) else [section]
        merged = LMap(loc=loc_of(section))
        for part in parts:
            extensions = get_path(part, "extensions")
            if isinstance(extensions, dict):  # v3: ``resources.extensions`` says it explicitly
                self.extensions.extend((str(k), body, key_loc(extensions, k)) for k, body in extensions.items())
            found = get_path(part, "Resources")
            if not isinstance(found, dict):
                continue
            for logical_id, body in found.items():
                if isinstance(body, Unknown):
                    continue  # an include that could not be read: nothing is known about it
                if isinstance(body, dict) and "Type" not in body:
                    self.extensions.append((str(logical_id), body, key_loc(found, logical_id)))
                    continue
                merged.put(logical_id, body, found)
        return merged

    def register(self, logical_id: str, entity: Entity) -> None:
        self.ctx.entities[logical_id] = entity
        self.ctx.resource_ids.add(logical_id)

    def generated(self, logical_id: str, rtype: str, node: Any, where: Location) -> Resource:
        """The raw resource behind an entity the framework generates: the node that caused it."""
        return Resource(logical_id, rtype, FORMAT, node if isinstance(node, dict) else LMap(loc=where), where,
                        where.file)

    # --- functions -----------------------------------------------------------------

    def setting(self, body: dict, key: str) -> tuple[Any, Location | None]:
        """A function setting, or the provider's default for it."""
        if key in body:
            return body[key], path_loc(body, key)
        if key in self.provider:
            return self.provider[key], path_loc(self.provider, key)
        return None, None

    def build_function(self, name: str, body: dict, header: Location) -> None:
        res = Resource(name, "serverless:function", FORMAT, body, header, header.file)
        self.tpl.resources.append(res)
        deployed = self.resolve(body.get("name")) if body.get("name") is not None else \
            f"{self.service}-{self.stage}-{name}" if isinstance(self.service, str) else name
        fn = Function(name, res, header, name=deployed)
        # (fact, key, whether the provider's value is the default for every function)
        for fact, key, inherited in (("runtime", "runtime", True), ("handler", "handler", False),
                                     ("memory", "memorySize", True), ("timeout", "timeout", True),
                                     ("vpc", "vpc", True), ("dead_letter", "onError", False),
                                     ("reserved_concurrency", "reservedConcurrency", False)):
            raw, where = self.setting(body, key) if inherited else (body.get(key), path_loc(body, key))
            if raw is not None:
                fn.set(fact, self.resolve(raw), where)
        if body.get("image") is not None:  # a container image has no managed runtime
            fn.set("package_type", "Image", path_loc(body, "image"))
            fn.runtime = None
            fn.locs.pop("runtime", None)
        kms, where = self.setting(body, "kmsKeyArn")
        if kms is None:
            kms, where = self.setting(body, "awsKmsKeyArn")  # the v1 name
        if kms is not None:
            fn.set("kms_key", self.resolve(kms), where)
        self.read_tracing(fn, body)
        self.read_environment(fn, body)
        self.read_url(fn, body)
        self.build_log_group(fn, body)
        self.register(lambda_logical_id(name), fn)
        self.tpl.add(fn)
        self.functions.append((fn, body))
        events = body.get("events")
        for i, event in enumerate(events if isinstance(events, list) else []):
            if isinstance(event, dict) and event:
                (etype, cfg), = list(event.items())[:1]
                self.build_event(fn, i, str(etype), cfg, value_loc(events, i) or header)

    def read_tracing(self, fn: Function, body: dict) -> None:
        if "tracing" in body:
            raw, where = body["tracing"], path_loc(body, "tracing")
        else:
            raw, where = get_path(self.provider, "tracing", "lambda"), path_loc(self.provider, "tracing", "lambda")
        if raw is None:
            return
        value = self.resolve(raw)
        if value is True or (isinstance(value, str) and value.lower() in ("true", "active")):
            value = "Active"
        elif value is False or (isinstance(value, str) and value.lower() in ("false", "passthrough")):
            value = "PassThrough"
        fn.set("tracing", value, where)

    def read_environment(self, fn: Function, body: dict) -> None:
        """The provider's variables, then the function's over them; each keeps where it was written."""
        for source in (self.provider.get("environment"), body.get("environment")):
            if isinstance(source, dict):
                for key, raw in source.items():
                    fn.environment[str(key)] = self.resolve(raw)
                    fn.locs[f"environment.{key}"] = value_loc(source, key) or fn.loc
        for owner in (body, self.provider):
            if "environment" in owner:
                fn.locs.setdefault("environment", key_loc(owner, "environment"))

    def read_url(self, fn: Function, body: dict) -> None:
        """``url: true`` is a public URL (auth NONE); ``url: {authorizer: aws_iam}`` needs signed requests."""
        raw = body.get("url")
        if raw is None:
            return
        value = self.resolve(raw)
        if isinstance(value, Unknown):
            fn.set("url_auth_type", value, path_loc(body, "url"))
        elif isinstance(value, dict):
            auth = value.get("authorizer")
            if isinstance(auth, str) and auth.lower() == "aws_iam":
                fn.set("url_auth_type", "AWS_IAM", path_loc(raw, "authorizer") or path_loc(body, "url"))
            elif isinstance(auth, Unknown):
                fn.set("url_auth_type", auth, path_loc(raw, "authorizer"))
            else:  # no authorizer written: the finding belongs on the ``url:`` key, not inside its map
                fn.set("url_auth_type", "NONE", key_loc(body, "url"))
        elif _truthy(value) is True:
            fn.set("url_auth_type", "NONE", key_loc(body, "url"))

    def build_log_group(self, fn: Function, body: dict) -> None:
        """The log group the framework creates for every function, with its retention if one is set."""
        if _truthy(body.get("disableLogs")) is True or _truthy(self.provider.get("disableLogs")) is True:
            return
        logical = f"{normalized_name(fn.id)}LogGroup"
        res = self.generated(logical, "serverless:log-group", body, fn.loc)
        group = LogGroup(logical, res, fn.loc, name=f"/aws/lambda/{fn.name}" if isinstance(fn.name, str) else None)
        raw, where = self.setting(body, "logRetentionInDays")
        if raw is not None:
            group.set("retention_days", self.resolve(raw), where)
        fn.log_group = group
        self.register(logical, group)
        self.tpl.add(group)

    # --- roles ---------------------------------------------------------------------

    def link_role(self, fn: Function, body: dict) -> None:
        """A function's own ``role``, its per-function role (plugin), or the shared provider role."""
        if body.get("role") is not None:
            fn.set("role", self.role_reference(body["role"], fn.resource, path_loc(body, "role") or fn.loc),
                   path_loc(body, "role"))
            return
        if "iamRoleStatements" in body and self.has_per_function_roles:
            fn.set("role", self.per_function_role(fn, body), path_loc(body, "iamRoleStatements"))
            return
        fn.set("role", self.provider_role(), None)

    def role_reference(self, raw: Any, owner: Resource, where: Location) -> Role:
        """A role named by ARN (defined elsewhere) or by the logical id or name of a role in ``resources``."""
        if isinstance(raw, dict):
            found = self.ctx.entity_for(raw, Role)
            if isinstance(found, Role):
                return found
        value = self.resolve(raw)
        if isinstance(value, str) and not value.startswith("arn:"):
            found = self.ctx.entities.get(value)
            if not isinstance(found, Role):
                found = self.ctx.name_or_arn(value, Role)
            if isinstance(found, Role):
                return found
        elif isinstance(value, str):
            found = self.ctx.name_or_arn(value, Role)
            if isinstance(found, Role):
                return found
        key = value.expr if isinstance(value, Unknown) else str(value)
        role = self.external_roles.get(key)
        if role is None:  # one object per ARN: functions that name the same role share it
            role = cfn.external_role(value, owner, where)
            self.external_roles[key] = role
            self.tpl.add(role)
        return role

    def provider_statement_sources(self) -> list[tuple[Any, str]]:
        """Every place the provider lists statements: v1/v2 ``iamRoleStatements``, v3+ ``iam.role.statements``."""
        out = []
        if self.provider.get("iamRoleStatements") is not None:
            out.append((self.provider["iamRoleStatements"], "provider.iamRoleStatements"))
        statements = get_path(self.provider, "iam", "role", "statements")
        if statements is not None:
            out.append((statements, "provider.iam.role.statements"))
        return out

    def provider_managed_policies(self) -> list[tuple[Any, Any]]:
        out = []
        for node in (self.provider.get("iamManagedPolicies"), get_path(self.provider, "iam", "role", "managedPolicies")):
            if isinstance(node, list):
                out.extend((raw, value_loc(node, i)) for i, raw in enumerate(node))
            elif node is not None:
                out.append((node, loc_of(node)))
        return out

    def uses_shared_role(self, body: dict) -> bool:
        return body.get("role") is None and not ("iamRoleStatements" in body and self.has_per_function_roles)

    def custom_shared_role(self) -> tuple[Any, Location | None]:
        """``provider.iam.role`` (v3+) or ``provider.role`` given as an ARN, a resource name or a reference."""
        custom, where = get_path(self.provider, "iam", "role"), path_loc(self.provider, "iam", "role")
        if isinstance(custom, dict) and not _is_intrinsic(custom):
            custom = None  # ``iam.role: {statements: ...}`` configures the generated role
        if custom is None:
            custom, where = self.provider.get("role"), path_loc(self.provider, "role")
        return custom, where

    def prepare_shared_role(self) -> None:
        """Create ``IamRoleLambdaExecution`` before ``resources`` is read, so that it can be referenced there.

        The framework generates it only when some function runs with it, and
        not when the provider names a role of its own or ``resources``
        defines one under that logical id.
        """
        if (any(self.uses_shared_role(body) for _, body in self.functions)
                and self.custom_shared_role()[0] is None and not isinstance(self.resources.get(SHARED_ROLE_ID), dict)):
            self.shared_role = self.new_shared_role()

    def new_shared_role(self) -> Role:
        written = [key_loc(self.provider, k) for k in ("iam", "iamRoleStatements", "iamManagedPolicies")
                   if k in self.provider and key_loc(self.provider, k) is not None]
        where = min(written, key=lambda loc: (loc.line, loc.column)) if written else self.provider_loc
        res = self.generated(SHARED_ROLE_ID, "serverless:iam-role", self.provider, where)
        role = Role(SHARED_ROLE_ID, res, where, name=self.resolve(get_path(self.provider, "iam", "role", "name")),
                    assume_principals=[LAMBDA_PRINCIPAL])
        self.register(SHARED_ROLE_ID, role)
        self.tpl.add(role)
        return role

    def provider_role(self) -> Role:
        """The role every function without its own runs with: named by the provider, or generated."""
        if self.provider_role_final is not None:
            return self.provider_role_final
        custom, where = self.custom_shared_role()
        if custom is not None:
            role = self.role_reference(custom, self.provider_res, where or self.provider_loc)
        else:
            # ``resources`` may define IamRoleLambdaExecution itself; the provider's grants then join it.
            found = self.shared_role or self.ctx.entities.get(SHARED_ROLE_ID)
            role = found if isinstance(found, Role) else self.new_shared_role()
            self.add_provider_grants(role)
        self.provider_role_final = role
        return role

    def add_provider_grants(self, role: Role) -> None:
        for node, source in self.provider_statement_sources():
            role.statements.extend(statements_from_document(node, self.resolve, source=source,
                                                            fallback=loc_of(node)))
        for raw, where in self.provider_managed_policies():
            managed = self.ctx.entity_for(raw)
            if managed is not None and isinstance(managed.resource.properties, dict):
                role.statements.extend(statements_from_document(
                    managed.resource.properties.get("PolicyDocument"), self.resolve, source=managed.id,
                    fallback=managed.loc))
            else:
                role.managed_policies.append(ManagedPolicyRef(self.resolve(raw), where))
        for path in (("iam", "role", "permissionsBoundary"), ("rolePermissionsBoundary",)):
            if get_path(self.provider, *path) is not None:
                role.set("permissions_boundary", self.resolve(get_path(self.provider, *path)),
                         path_loc(self.provider, *path))

    def per_function_role(self, fn: Function, body: dict) -> Role:
        """The role the per-function-roles plugin creates from a function's ``iamRoleStatements``.

        The plugin's documented behaviour: the function's statements replace
        the provider's, unless ``iamRoleStatementsInherit: true`` on the
        function (or ``custom.serverless-iam-roles-per-function.defaultInherit``)
        asks to add the provider's statements and managed policies too.
        """
        logical = f"{normalized_name(fn.id)}IamRoleLambdaExecution"
        where = key_loc(body, "iamRoleStatements") or fn.loc
        res = self.generated(logical, "serverless:iam-role", body, where)
        name = self.resolve(body.get("iamRoleStatementsName")) if body.get("iamRoleStatementsName") else None
        role = Role(logical, res, where, name=name or logical, assume_principals=[LAMBDA_PRINCIPAL])
        role.statements.extend(statements_from_document(body.get("iamRoleStatements"), self.resolve,
                                                        source=f"{fn.id}.iamRoleStatements", fallback=where))
        default_inherit = _truthy(get_path(self.doc, "custom", "serverless-iam-roles-per-function", "defaultInherit"))
        inherit = body.get("iamRoleStatementsInherit")
        if _truthy(inherit) is True or (inherit is None and default_inherit is True):
            self.add_provider_grants(role)
        self.tpl.add(role)
        return role

    # --- events --------------------------------------------------------------------

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
        gateway = _map(self.provider.get("apiGateway"))
        res = self.generated(REST_API_ID, "serverless:rest-api", node, where)
        name = self.resolve(gateway.get("restApiName") or self.provider.get("apiName")) or (
            f"{self.stage}-{self.service}" if isinstance(self.service, str) else REST_API_ID)
        api = Api(REST_API_ID, res, where, name=name, api_kind="rest", implicit=True)
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
                stage.set("tracing", _truthy(self.resolve(tracing)), path_loc(self.provider, "tracing", "apiGateway"))
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
        enabled: Any = _truthy(value) if not isinstance(value, dict) else _truthy(value.get("accessLogging", True))
        stage.set("access_logging", True if enabled is True else (enabled if isinstance(enabled, Unknown) else None),
                  path_loc(self.provider, "logs", "restApi"))

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
            stage.locs["throttle"] = throttle.loc or path_loc(self.doc, "custom", "apiGatewayThrottling")

    def http_route(self, fn: Function, index: int, cfg: Any, where: Location) -> None:
        if isinstance(cfg, str):  # ``http: GET users/{id}``
            method, _, path = cfg.strip().partition(" ")
            cfg_map: dict = LMap()
        else:
            cfg_map = _map(cfg)
            method, path = self.resolve(cfg_map.get("method")), self.resolve(cfg_map.get("path"))
        api = self.rest_api(where, cfg)
        route = Route(f"{fn.id}.events[{index}]", fn.resource, where, name=f"{fn.id} http",
                      api=api, method=method.upper() if isinstance(method, str) else method,
                      path="/" + path.strip().lstrip("/") if isinstance(path, str) else path)
        if "private" in cfg_map:
            route.set("api_key_required", _truthy(self.resolve(cfg_map["private"])), path_loc(cfg_map, "private"))
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
        config = _map(self.provider.get("httpApi"))
        res = self.generated(HTTP_API_ID, "serverless:http-api", node, where)
        name = self.resolve(config.get("name")) or (
            f"{self.stage}-{self.service}" if isinstance(self.service, str) else HTTP_API_ID)
        api = Api(HTTP_API_ID, res, where, name=name, api_kind="http", implicit=True)
        self.apis["http"] = api
        self.register(HTTP_API_ID, api)
        self.tpl.add(api)
        if config.get("id") is None:
            stage = Stage("HttpApiStage", res, where, name="$default", api=api, stage_name="$default")
            raw = get_path(self.provider, "logs", "httpApi")
            if raw is not None:
                value = self.resolve(raw)
                enabled = True if isinstance(value, dict) else _truthy(value)
                stage.set("access_logging", True if enabled is True else (
                    enabled if isinstance(enabled, Unknown) else None), path_loc(self.provider, "logs", "httpApi"))
            self.read_throttling_plugin(stage)
            self.stages["http"] = stage
            self.register("HttpApiStage", stage)
            self.tpl.add(stage)
        return api

    def http_api_route(self, fn: Function, index: int, cfg: Any, where: Location) -> None:
        if isinstance(cfg, str):  # ``httpApi: 'GET /users'`` or ``httpApi: '*'``
            text = cfg.strip()
            method, _, path = text.partition(" ") if text != "*" else ("*", "", "*")
            cfg_map: dict = LMap()
        else:
            cfg_map = _map(cfg)
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
        api = Api(WEBSOCKET_API_ID, res, where, name=name, api_kind="websocket", implicit=True)
        stage = Stage("WebsocketsDeploymentStage", res, where, name=self.stage, api=api, stage_name=self.stage)
        raw = get_path(self.provider, "logs", "websocket")
        if raw is not None:
            value = self.resolve(raw)
            enabled = _truthy(value.get("accessLogging", True)) if isinstance(value, dict) else _truthy(value)
            stage.set("access_logging", True if enabled is True else None, path_loc(self.provider, "logs", "websocket"))
        self.apis["websocket"] = api
        self.stages["websocket"] = stage
        self.register(WEBSOCKET_API_ID, api)
        self.register("WebsocketsDeploymentStage", stage)
        self.tpl.add(api)
        self.tpl.add(stage)
        return api

    def websocket_route(self, fn: Function, index: int, cfg: Any, where: Location) -> None:
        cfg_map = _map(cfg)
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

    def secure_websocket_routes(self) -> None:
        """WebSocket authorizers run on ``$connect`` only: every message route is as open as the connection."""
        api = self.apis.get("websocket")
        if api is None:
            return
        routes = [r for r in self.tpl.of(Route) if r.api is api]
        connect = next((r for r in routes if r.method == "$connect"), None)
        if connect is None or connect.authorization is None:
            return
        for route in routes:
            if route is not connect and route.authorization is None:
                route.authorization = connect.authorization
                route.locs["authorization"] = connect.where("authorization")

    def s3_event(self, fn: Function, cfg: Any, where: Location) -> None:
        """An ``s3`` event creates its bucket, unless ``existing: true`` or ``resources`` defines it."""
        cfg_map = _map(cfg)
        raw = cfg if not isinstance(cfg, dict) else cfg_map.get("bucket")
        bucket_name = self.resolve(raw)
        configured = get_path(self.provider, "s3", bucket_name) if isinstance(bucket_name, str) else None
        if isinstance(configured, dict) and configured.get("name") is not None:
            bucket_name = self.resolve(configured["name"])  # ``provider.s3.<ref>`` names the real bucket
        trigger = Trigger(kind="s3", public=False, source=bucket_name, loc=where)
        fn.triggers.append(trigger)
        existing = _truthy(self.resolve(cfg_map.get("existing"))) is True
        logical = f"S3Bucket{alphanumeric_name(raw)}" if isinstance(raw, str) else None
        if not existing and logical is not None and not self.defined_in_resources(logical, bucket_name,
                                                                                 "AWS::S3::Bucket", "BucketName"):
            if not isinstance(self.ctx.entities.get(logical), Bucket):
                res = self.generated(logical, "serverless:s3-bucket", cfg, where)
                self.register(logical, self.tpl.add(Bucket(logical, res, where, name=bucket_name)))
            trigger.source = logical
            return

        def link() -> None:
            found = self.ctx.entity_for(raw, Bucket) if isinstance(raw, dict) else None
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
        cfg_map = _map(cfg)
        raw = cfg if not isinstance(cfg, dict) else (cfg_map.get("arn") or cfg_map.get("topicName"))
        value = self.resolve(raw)
        trigger = Trigger(kind="sns", public=False, source=value, loc=where)
        fn.triggers.append(trigger)
        creates = isinstance(value, str) and not value.startswith("arn:") and not (
            isinstance(cfg, dict) and cfg_map.get("arn") is not None)
        if creates:
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
        cfg_map = _map(cfg)
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
        gateway = _map(self.provider.get("apiGateway"))
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

    def build_deployment_bucket(self) -> None:
        """``provider.deploymentBucket`` with encryption settings is modelled as the bucket it configures."""
        node = self.provider.get("deploymentBucket")
        if not isinstance(node, dict) or "serverSideEncryption" not in node:
            return
        where = key_loc(self.provider, "deploymentBucket") or self.provider_loc
        logical = "ServerlessDeploymentBucket"
        bucket = Bucket(logical, self.generated(logical, "serverless:deployment-bucket", node, where), where,
                        name=self.resolve(node.get("name")) or logical)
        algorithm = self.resolve(node["serverSideEncryption"])
        bucket.set("encryption", sse_mode(algorithm), path_loc(node, "serverSideEncryption"))
        if node.get("sseKMSKeyId") is not None:
            bucket.kms_key = self.resolve(node["sseKMSKeyId"])
        if node.get("blockPublicAccess") is not None:
            blocked = _truthy(self.resolve(node["blockPublicAccess"]))
            block = PublicAccessBlock(loc=path_loc(node, "blockPublicAccess"))
            for flag in PublicAccessBlock.FLAGS:
                setattr(block, flag, blocked)
                block.locs[flag] = path_loc(node, "blockPublicAccess")
            bucket.public_access_block = block
            bucket.locs["public_access_block"] = path_loc(node, "blockPublicAccess")
        self.register(logical, bucket)
        self.tpl.add(bucket)


__all__ = ["parse_serverless", "normalized_name", "alphanumeric_name", "lambda_logical_id", "Throttle"]
