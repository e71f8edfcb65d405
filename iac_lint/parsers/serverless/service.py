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

from collections.abc import Callable
from typing import Any, cast

from iac_lint.model import (
    Api,
    Bucket,
    Function,
    LMap,
    Location,
    LogGroup,
    PublicAccessBlock,
    Resource,
    Role,
    Stage,
    Template,
    Unknown,
    get_path,
    key_loc,
    loc_of,
    path_loc,
    set_loc,
    value_loc,
)
from iac_lint.model.s3 import sse_mode
from iac_lint.parsers.cloudformation import resources as cfn
from iac_lint.parsers.cloudformation.intrinsics import CfnContext
from iac_lint.parsers.serverless.names import (
    EXTENDED_TYPES,
    FORMAT,
    PER_FUNCTION_ROLE_PLUGINS,
    as_map,
    lambda_logical_id,
    merge_maps,
    normalized_name,
    plugin_names,
    truthy,
)
from iac_lint.parsers.serverless.roles import Roles
from iac_lint.parsers.serverless.step_functions import StepFunctions
from iac_lint.parsers.serverless.variables import resolve_variables

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
    Service(tpl, doc, path, stage).build()
    return tpl


class Service(StepFunctions, Roles):
    """Everything one service file makes, built in dependency order (see ``build``)."""

    def __init__(self, tpl: Template, doc: dict, path: str, stage: Any) -> None:
        self.tpl, self.doc, self.path = tpl, doc, path
        self.stage = stage if isinstance(stage, str) else "dev"
        provider = doc.get("provider")
        if isinstance(provider, str):  # ``provider: aws``
            provider = LMap({"name": provider}, loc=loc_of(provider))
        self.provider = as_map(provider)
        service = doc.get("service")
        self.service = get_path(service, "name") if isinstance(service, dict) else service
        self.provider_loc = key_loc(doc, "provider") or Location(path, 1, 1)
        # Entries of ``resources`` that extend a generated resource: (logical id, body, where).
        self.extensions: list[tuple[str, Any, Location | None]] = []
        self.resources = self._merged_resources()
        self.ctx = CfnContext(path, FORMAT, {"Resources": self.resources})
        self.plugins = plugin_names(doc)
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

    # --- order of work -----------------------------------------------------------

    def build(self) -> None:
        self.tpl.resources.append(self.provider_res)
        name = self.resolve(self.provider.get("name", "aws"))
        functions = merge_maps(self.doc.get("functions"))
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
        self.build_state_machines()
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

    def apply_extensions(self) -> None:
        """Properties that ``resources`` merges into a generated resource (``ListLogGroup: {Properties: ...}``).

        Each extension is read by the CloudFormation builder of the type the
        framework generates, and the facts it sets replace the generated
        entity's, keeping the extension's locations.
        """
        for logical, body, where in self.extensions:
            target = self.ctx.entities.get(logical)
            props = get_path(body, "Properties")
            rtype = EXTENDED_TYPES.get(type(target)) if target is not None else None
            if target is None or rtype is None or not isinstance(props, dict):
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
                    # The extension was built by the builder of the target's own type: a Function too.
                    target.environment[fact[len("environment."):]] = cast(Function, extension).environment.get(
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
                    literal = isinstance(raw, str) and "${" not in raw
                    if literal and str(key) not in fn.literal_environment:
                        fn.literal_environment.append(str(key))
                    elif not literal and str(key) in fn.literal_environment:
                        fn.literal_environment.remove(str(key))
        for owner in (body, self.provider):
            if "environment" in owner:
                fn.locs.setdefault("environment", key_loc(owner, "environment") or fn.loc)

    def read_url(self, fn: Function, body: dict) -> None:
        """``url: true`` is a public URL (auth NONE); ``url: {authorizer: aws_iam}`` needs signed requests."""
        raw = body.get("url")
        if raw is None:
            return
        fn.url_grants_implicit = True  # the framework adds the URL's permissions itself
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
        elif truthy(value) is True:
            fn.set("url_auth_type", "NONE", key_loc(body, "url"))

    def build_log_group(self, fn: Function, body: dict) -> None:
        """The log group the framework creates for every function, with its retention if one is set."""
        if truthy(body.get("disableLogs")) is True or truthy(self.provider.get("disableLogs")) is True:
            return
        logical = f"{normalized_name(fn.id)}LogGroup"
        res = self.generated(logical, "serverless:log-group", body, fn.loc)
        group = LogGroup(logical, res, fn.loc, name=f"/aws/lambda/{fn.name}" if isinstance(fn.name, str) else None,
                         generated=True)
        raw, where = self.setting(body, "logRetentionInDays")
        if raw is not None:
            group.set("retention_days", self.resolve(raw), where)
        else:  # one provider setting governs every generated group: that is where retention goes
            group.locs["retention_days"] = self.provider_loc
        fn.log_group = group
        self.register(logical, group)
        self.tpl.add(group)

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
            blocked = truthy(self.resolve(node["blockPublicAccess"]))
            block = PublicAccessBlock(loc=path_loc(node, "blockPublicAccess"))
            for flag in PublicAccessBlock.FLAGS:
                setattr(block, flag, blocked)
                set_loc(block.locs, flag, path_loc(node, "blockPublicAccess"))
            bucket.public_access_block = block
            set_loc(bucket.locs, "public_access_block", path_loc(node, "blockPublicAccess"))
        self.register(logical, bucket)
        self.tpl.add(bucket)
