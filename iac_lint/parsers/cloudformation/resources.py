"""CloudFormation resources into raw resources and entities.

``read_resources`` turns a ``Resources`` mapping into raw resources and hands
each modelled type to its builder (the kernel builds them all, then links);
references between resources are set on the owning side, and the link stage
(``iac_lint.link``) does the rest.  SAM and the Serverless Framework reuse
``read_resources`` and ``BUILDERS`` for the raw CloudFormation they embed.
API Gateway's builders live in ``apigateway``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from iac_lint.model import (
    Bucket,
    Function,
    IdentityPolicy,
    Key,
    LMap,
    Location,
    LogGroup,
    LStr,
    ManagedPolicyRef,
    Parameter,
    Permission,
    PublicAccessBlock,
    Queue,
    Resource,
    Role,
    Stream,
    Table,
    Template,
    Topic,
    Trigger,
    Unknown,
    get_path,
    key_loc,
    loc_of,
    locate_plain,
    path_loc,
    set_loc,
    value_loc,
)
from iac_lint.model.external import external_function
from iac_lint.model.s3 import canned_acl, sse_mode
from iac_lint.parsers.cloudformation.apigateway import APIGATEWAY_BUILDERS
from iac_lint.parsers.cloudformation.intrinsics import (
    CfnContext,
    expression_text,
    list_entries,
    name_of,
    opaque_block,
    set_fact,
)
from iac_lint.parsers.iam import branches, statements_from_document
from iac_lint.parsers.kernel import Built, Link, LinkOnly, Pending, build_and_link, external_parent

# --- reading -------------------------------------------------------------------


def _suppressions_from_metadata(metadata: Any, fallback: Location) -> list[tuple[str, str, Location]]:
    """``Metadata: {iac-lint: {ignore: [{id: IAM001, reason: ...}]}}``; ``fallback``: the resource's header."""
    out: list[tuple[str, str, Location]] = []
    if not isinstance(metadata, dict):
        return out
    block = metadata.get("iac-lint")
    if not isinstance(block, dict):
        return out
    entries = block.get("ignore")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("id"):
            where = loc_of(entry) or loc_of(block) or fallback
            reason = entry.get("reason")
            out.append((str(entry["id"]), str(reason) if reason else "", where))
        elif isinstance(entry, str):
            out.append((str(entry), "", loc_of(entry) or loc_of(block) or fallback))
    return out


def read_resources(ctx: CfnContext, tpl: Template, resources: Any, builders: dict[str, Callable] | None = None) -> None:
    """Add the raw resources of a ``Resources`` mapping, and their entities, to ``tpl``."""
    if not isinstance(resources, dict):
        if resources is not None:
            tpl.problem("E001", "Resources must be a mapping", loc_of(resources) or Location(ctx.file, 1, 1))
        return
    builders = builders if builders is not None else BUILDERS
    ctx.resource_ids.update(map(str, resources))
    pending: list[Pending] = []
    for logical_id, body in resources.items():
        header = key_loc(resources, logical_id) or Location(ctx.file, 1, 1)
        if str(logical_id).startswith("Fn::ForEach::"):
            continue  # AWS::LanguageExtensions loops: their resources exist only after the transform
        if isinstance(body, dict) and "Type" not in body and "Source" in body:
            continue  # a Rain module reference, expanded by the rain tool, not by CloudFormation
        if not isinstance(body, dict):
            tpl.problem("E001", f"resource {logical_id} must be a mapping", header)
            continue
        rtype = body.get("Type")
        if isinstance(rtype, dict):
            continue  # a preprocessor construct such as `!Rain::Module`, expanded before CloudFormation sees it
        if not isinstance(rtype, str):
            tpl.problem("E001", f"resource {logical_id} has no Type", header)
            continue
        props = body.get("Properties")
        if props is None:
            props = LMap(loc=header)
        if not isinstance(props, dict):
            tpl.problem("E001", f"Properties of {logical_id} must be a mapping",
                        value_loc(body, "Properties") or header)
            continue
        metadata = body.get("Metadata")
        resource = Resource(str(logical_id), str(rtype), ctx.format, props, header, ctx.file, metadata=metadata)
        resource.suppressions = _suppressions_from_metadata(metadata, header)
        tpl.resources.append(resource)
        builder = builders.get(resource.type)
        if builder is not None:
            pending.append(Pending(resource.id, resource.type, functools.partial(builder, ctx, tpl, resource)))
    build_and_link(tpl, pending, ctx.entities, LATE)


def parse_template(data: Any, file: str, fmt: str = "cloudformation",
                   parameter_values: dict[str, Any] | None = None) -> Template:
    tpl = Template(path=file, format=fmt)
    if not isinstance(data, dict):
        tpl.problem("E001", "template is not a mapping", loc_of(data) or Location(file, 1, 1))
        return tpl
    ctx = CfnContext(file, fmt, data, parameter_values)
    read_parameters(tpl, fmt, data.get("Parameters"))
    read_resources(ctx, tpl, data.get("Resources"))
    return tpl


def read_parameters(tpl: Template, fmt: str, parameters: Any) -> None:
    """Each ``Parameters`` entry as a ``Parameter``: its literal default, and whether ``NoEcho`` hides it."""
    if not isinstance(parameters, dict):
        return
    for name, spec in parameters.items():
        if not isinstance(spec, dict):
            continue
        header = key_loc(parameters, name) or Location(tpl.path, 1, 1)
        resource = Resource(str(name), "AWS::CloudFormation::Parameter", fmt, spec, header, header.file)
        param = Parameter(str(name), resource, header, name=str(name))
        if "Default" in spec:
            default = spec["Default"]
            param.set("default", str(default) if isinstance(default, str) else default, value_loc(spec, "Default"))
        if "NoEcho" in spec:
            no_echo = spec["NoEcho"]
            hidden = no_echo is True or (isinstance(no_echo, str) and no_echo.lower() == "true")
            param.set("sensitive", hidden if isinstance(no_echo, (bool, str)) else Unknown("NoEcho"),
                      value_loc(spec, "NoEcho"))
        tpl.add(param)


# --- entity builders -----------------------------------------------------------
# Each builder returns (entity, link) where link() resolves references once
# every entity of the template exists, or None for types it does not model.



def build_function(ctx: CfnContext, tpl: Template, res: Resource) -> tuple[Function, Link]:
    p = res.properties
    fn = Function(res.id, res, res.location, name=name_of(ctx, p, "FunctionName") or res.id)
    set_fact(fn, "runtime", ctx, p, "Runtime")
    set_fact(fn, "handler", ctx, p, "Handler")
    set_fact(fn, "package_type", ctx, p, "PackageType")
    set_fact(fn, "reserved_concurrency", ctx, p, "ReservedConcurrentExecutions")
    set_fact(fn, "timeout", ctx, p, "Timeout")
    set_fact(fn, "memory", ctx, p, "MemorySize")
    set_fact(fn, "tracing", ctx, p, "TracingConfig", "Mode")
    set_fact(fn, "kms_key", ctx, p, "KmsKeyArn")
    set_fact(fn, "vpc", ctx, p, "VpcConfig")
    set_fact(fn, "dead_letter", ctx, p, "DeadLetterConfig", "TargetArn")
    read_environment(fn, ctx, get_path(p, "Environment", "Variables"))
    set_fact(fn, "log_group_name", ctx, p, "LoggingConfig", "LogGroup")

    def link() -> None:
        role_ref = get_path(p, "Role")
        if role_ref is not None:
            role = ctx.entity_for(role_ref, Role)
            if role is None:
                role = external_role(ctx.resolve(role_ref), res, path_loc(p, "Role") or res.location)
                tpl.add(role)
            fn.set("role", role, path_loc(p, "Role"))
    return fn, link


def read_environment(fn: Function, ctx: CfnContext, variables: Any) -> None:
    if not isinstance(variables, dict):
        return
    for key, raw in variables.items():
        fn.environment[str(key)] = ctx.resolve(raw)
        set_loc(fn.locs, f"environment.{key}", value_loc(variables, key))
        if isinstance(raw, str) and str(key) not in fn.literal_environment:
            fn.literal_environment.append(str(key))
        elif not isinstance(raw, str) and str(key) in fn.literal_environment:
            fn.literal_environment.remove(str(key))


def external_role(arn: Any, res: Resource, where: Location) -> Role:
    """A role given by ARN: defined elsewhere, its policies unknown."""
    return Role(str(arn) if not isinstance(arn, Unknown) else arn.expr, res, where, name=arn, external=True)


_UNRESOLVED = "\x00"


def policy_document(ctx: CfnContext, node: Any) -> Any:
    """A policy document as written, or decoded from the JSON string an ``Fn::Sub``/``Fn::Join`` builds.

    ``PolicyDocument: !Sub '{"Statement": [...]}'`` is a common way to write a
    document with ARNs in it.  Its actions are known even when a variable is
    not: values that still hold an unresolved ``${X}`` become unknowns and
    every node points at the string.
    """
    if not (isinstance(node, dict) and len(node) == 1 and str(next(iter(node))) in ("Fn::Sub", "Fn::Join")):
        return node
    (key, arg), = node.items()
    where = loc_of(node)
    text: Any = ctx.resolve(node)
    if not isinstance(text, str) and key == "Fn::Sub":
        partial = ctx.sub_partially(arg, mark=_UNRESOLVED)
        text = partial[0] if partial is not None else None
    if not isinstance(text, str):
        return node
    try:
        decoded = json.loads(text, strict=False)  # the marker is a control character
    except ValueError:
        return node
    def leaf(text: str) -> Any:
        return Unknown(text.replace(_UNRESOLVED, "")) if _UNRESOLVED in text else LStr(text, where)

    return locate_plain(decoded, where, leaf)



def read_policies_list(role: Role, ctx: CfnContext, policies: Any) -> None:
    """``Policies: [{PolicyName, PolicyDocument}]`` of an IAM role; the list or an entry may be an ``Fn::If``."""
    for listed, where in branches(policies, loc_of(policies)):
        for entry, _ in list_entries(listed, where):
            if isinstance(entry, dict):
                name = ctx.resolve(entry.get("PolicyName"))
                role.statements.extend(statements_from_document(
                    policy_document(ctx, entry.get("PolicyDocument")), ctx.resolve, source=str(name),
                    fallback=loc_of(entry)))


def read_managed_arns(role: Role, ctx: CfnContext, arns: Any) -> None:
    for listed, where in branches(arns, loc_of(arns)):
        for raw, item_loc in list_entries(listed, where):
            managed = ctx.entity_for(raw)
            if isinstance(managed, IdentityPolicy):
                # A customer managed policy in the same template: judged once, as its own document.
                managed.attach(role)
                continue
            role.managed_policies.append(ManagedPolicyRef(policy_arn(ctx, raw), item_loc))


def policy_arn(ctx: CfnContext, raw: Any) -> Any:
    """A managed policy ARN; ``!Sub arn:${AWS::Partition}:iam::aws:policy/X`` keeps its text.

    The partition is unknown statically, but the policy name at the end is
    what matters for rules about AWS managed policies.
    """
    value = ctx.resolve(raw)
    if isinstance(value, Unknown) and isinstance(raw, dict) and set(raw) == {"Fn::Sub"}:
        text = raw["Fn::Sub"][0] if isinstance(raw["Fn::Sub"], list) and raw["Fn::Sub"] else raw["Fn::Sub"]
        if isinstance(text, str) and ":policy/" in text and "${" not in text.rsplit("/", 1)[-1]:
            return str(text)
    return value


def _principal_builder(kind: str, name_key: str) -> Callable[[CfnContext, Template, Resource], Built]:
    """``AWS::IAM::User`` and ``AWS::IAM::Group``: principals holding inline and managed policies like a role."""

    def build(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
        p = res.properties
        principal = Role(res.id, res, res.location, name=name_of(ctx, p, name_key) or res.id, principal_kind=kind)
        read_policies_list(principal, ctx, get_path(p, "Policies"))

        def link() -> None:
            read_managed_arns(principal, ctx, get_path(p, "ManagedPolicyArns"))
        return principal, link
    return build


def principal_named(ctx: CfnContext, tpl: Template, raw: Any, kind: str, res: Resource,
                    where: Location) -> Role:
    """The role, user or group a policy names: the template's own, or a placeholder for one defined elsewhere."""
    found = ctx.name_or_arn(raw, Role)
    if isinstance(found, Role) and found.principal_kind == kind:
        return found
    literal = ctx.resolve(raw)
    text = literal if isinstance(literal, str) else expression_text(raw)
    return external_parent(tpl, ctx.entities, Role, f"{kind} {text}",
                           lambda: Role(text, res, where, name=literal, external=True, principal_kind=kind))


def build_role(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    role = Role(res.id, res, res.location, name=name_of(ctx, p, "RoleName") or res.id)
    read_policies_list(role, ctx, get_path(p, "Policies"))
    set_fact(role, "permissions_boundary", ctx, p, "PermissionsBoundary")
    for stmt in statements_from_document(get_path(p, "AssumeRolePolicyDocument"), ctx.resolve):
        role.assume_principals.extend(stmt.principals)

    def link() -> None:
        read_managed_arns(role, ctx, get_path(p, "ManagedPolicyArns"))
    return role, link


def build_policy(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    name = name_of(ctx, p, "ManagedPolicyName" if res.type == "AWS::IAM::ManagedPolicy" else "PolicyName")
    policy = IdentityPolicy(res.id, res, res.location, name=name or res.id)
    policy.statements = statements_from_document(policy_document(ctx, get_path(p, "PolicyDocument")), ctx.resolve,
                                                 source=res.id, fallback=res.location)

    def link() -> None:
        for key, kind in (("Roles", "role"), ("Users", "user"), ("Groups", "group")):
            listed_node = get_path(p, key)
            for listed, where in branches(listed_node, loc_of(listed_node)):
                for raw, item_loc in list_entries(listed, where):
                    policy.attach(principal_named(ctx, tpl, raw, kind, res, item_loc or res.location))
    return policy, link


def build_permission(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    perm = Permission(res.id, res, res.location)
    set_fact(perm, "action", ctx, p, "Action")
    set_fact(perm, "principal", ctx, p, "Principal")
    set_fact(perm, "source_arn", ctx, p, "SourceArn")
    set_fact(perm, "source_account", ctx, p, "SourceAccount")
    set_fact(perm, "principal_org_id", ctx, p, "PrincipalOrgID")
    set_fact(perm, "function_url_auth_type", ctx, p, "FunctionUrlAuthType")
    perm.target = name_of(ctx, p, "FunctionName")

    def link() -> None:
        fn = ctx.name_or_arn(get_path(p, "FunctionName"), Function)
        if isinstance(fn, Function):
            perm.function = fn
    return perm, link


def build_function_url(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    holder = LinkOnly(res.id, res, res.location)

    def link() -> None:
        raw = get_path(p, "TargetFunctionArn")
        fn = ctx.name_or_arn(raw, Function)
        target = ctx.ref_target(raw)
        if fn is None and raw is not None and not (target is not None and target in ctx.resource_ids):
            # A URL on a function of another stack is still a URL anyone may call: judge it on a placeholder.
            literal = ctx.resolve(raw)
            text = literal if isinstance(literal, str) else expression_text(raw)
            fn = external_parent(tpl, ctx.entities, Function, text,
                                 lambda: external_function(text, res, path_loc(p, "TargetFunctionArn") or res.location,
                                                           literal))
        if isinstance(fn, Function):
            fn.set("url_auth_type", ctx.resolve(get_path(p, "AuthType")), path_loc(p, "AuthType") or res.location)
    return holder, link


def build_event_source_mapping(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    holder = LinkOnly(res.id, res, res.location)

    def link() -> None:
        fn = ctx.name_or_arn(get_path(p, "FunctionName"), Function)
        if isinstance(fn, Function):
            source = ctx.resolve(get_path(p, "EventSourceArn"))
            kind = "sqs" if isinstance(source, str) and ":sqs:" in source else "stream"
            target = ctx.entity_for(get_path(p, "EventSourceArn"))
            if isinstance(target, Queue):
                kind = "sqs"
            fn.triggers.append(Trigger(kind=kind, public=False, source=source, loc=res.location))
    return holder, link


def read_public_access_block(ctx: CfnContext, block: Any) -> PublicAccessBlock | None:
    if not isinstance(block, dict):
        return None
    opaque = opaque_block(ctx, block)
    if opaque is not None:  # the whole block behind a condition: every setting unknown
        return PublicAccessBlock(opaque, opaque, opaque, opaque, loc=loc_of(block))
    out = PublicAccessBlock(loc=loc_of(block))
    for key, attr in (("BlockPublicAcls", "block_public_acls"), ("BlockPublicPolicy", "block_public_policy"),
                      ("IgnorePublicAcls", "ignore_public_acls"), ("RestrictPublicBuckets", "restrict_public_buckets")):
        if key in block:
            setattr(out, attr, ctx.resolve(block[key]))
            set_loc(out.locs, attr, value_loc(block, key))
    return out


def build_bucket(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    bucket = Bucket(res.id, res, res.location, name=name_of(ctx, p, "BucketName") or res.id)
    rules = get_path(p, "BucketEncryption", "ServerSideEncryptionConfiguration")
    opaque = opaque_block(ctx, get_path(p, "BucketEncryption"))
    if opaque is not None:
        bucket.set("encryption", opaque, path_loc(p, "BucketEncryption"))
    elif rules is not None:
        resolved = ctx.resolve(rules)
        where = path_loc(p, "BucketEncryption")
        if isinstance(resolved, list) and resolved and isinstance(resolved[0], dict):
            default = resolved[0].get("ServerSideEncryptionByDefault") or {}
            if isinstance(default, dict):
                bucket.set("encryption", sse_mode(default.get("SSEAlgorithm")), where)
                bucket.kms_key = default.get("KMSMasterKeyID")
            else:  # ``ServerSideEncryptionByDefault: !If [UseKms, {...}, {...}]``
                bucket.set("encryption", default if isinstance(default, Unknown) else Unknown(str(default)), where)
        else:
            bucket.set("encryption", Unknown(expression_text(rules)), where)
    bucket.public_access_block = read_public_access_block(ctx, get_path(p, "PublicAccessBlockConfiguration"))
    if bucket.public_access_block is not None:
        set_loc(bucket.locs, "public_access_block", path_loc(p, "PublicAccessBlockConfiguration"))
        # A setting left out is reported at the block's key, not at whichever sibling setting comes first.
        bucket.public_access_block.loc = key_loc(p, "PublicAccessBlockConfiguration") or bucket.public_access_block.loc
    acl = get_path(p, "AccessControl")
    if acl is not None:
        bucket.set("acl", canned_acl(ctx.resolve(acl)), path_loc(p, "AccessControl"))
    set_fact(bucket, "versioning", ctx, p, "VersioningConfiguration", "Status")
    set_fact(bucket, "logging", ctx, p, "LoggingConfiguration")

    def link() -> None:
        configs = get_path(p, "NotificationConfiguration", "LambdaConfigurations")
        for entry in configs if isinstance(configs, list) else []:
            fn = ctx.entity_for(get_path(entry, "Function"), Function)
            if isinstance(fn, Function):
                fn.triggers.append(Trigger(kind="s3", source=bucket.id, loc=loc_of(entry)))
    return bucket, link


def _resource_policy(cls: type[Bucket | Queue | Topic], targets_key: str) -> Callable[..., Built]:
    """``AWS::S3::BucketPolicy``, ``AWS::SQS::QueuePolicy``, ``AWS::SNS::TopicPolicy``."""

    def build(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
        p = res.properties
        holder = LinkOnly(res.id, res, res.location)

        def link() -> None:
            raw_targets = get_path(p, targets_key)
            for i, raw in enumerate(raw_targets if isinstance(raw_targets, list) else [raw_targets]):
                owner = ctx.name_or_arn(raw, cls)
                if owner is None and cls is Bucket and raw is not None:
                    # A policy on a bucket made elsewhere (an import, another stack) still grants what it
                    # says: keep it on an external bucket, whose own settings are unknown.
                    where = (value_loc(raw_targets, i) if isinstance(raw_targets, list) else None) \
                        or path_loc(p, targets_key) or res.location
                    literal = ctx.resolve(raw)
                    name = literal if isinstance(literal, str) else expression_text(raw)
                    owner = Bucket(literal if isinstance(literal, str) else f"{res.id}.{targets_key}", res, where,
                                   name=name, external=True)
                    tpl.add(owner)
                if owner is not None:
                    owner.policy.extend(statements_from_document(
                        policy_document(ctx, get_path(p, "PolicyDocument")), ctx.resolve, source=res.id,
                        fallback=res.location))
        return holder, link
    return build


def build_queue(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    queue = Queue(res.id, res, res.location, name=name_of(ctx, p, "QueueName") or res.id)
    key = set_fact(queue, "kms_key", ctx, p, "KmsMasterKeyId")
    managed = get_path(p, "SqsManagedSseEnabled")
    if key is not None:
        queue.set("encryption", "kms", path_loc(p, "KmsMasterKeyId"))
    elif managed is not None:
        value = ctx.resolve(managed)
        if value is False or (isinstance(value, str) and value.lower() == "false"):
            queue.set("encryption", "none", path_loc(p, "SqsManagedSseEnabled"))
            queue.explicit_disabled = True
        elif isinstance(value, Unknown):
            queue.set("encryption", value, path_loc(p, "SqsManagedSseEnabled"))
    return queue, None


def build_topic(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    topic = Topic(res.id, res, res.location, name=name_of(ctx, p, "TopicName") or res.id)
    set_fact(topic, "kms_key", ctx, p, "KmsMasterKeyId")

    def link() -> None:
        subs = get_path(p, "Subscription")
        for entry in subs if isinstance(subs, list) else []:
            fn = ctx.entity_for(get_path(entry, "Endpoint"), Function)
            if isinstance(fn, Function):
                fn.triggers.append(Trigger(kind="sns", source=topic.id, loc=loc_of(entry)))
    return topic, link


def build_subscription(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    holder = LinkOnly(res.id, res, res.location)

    def link() -> None:
        fn = ctx.entity_for(get_path(p, "Endpoint"), Function)
        if isinstance(fn, Function):
            fn.triggers.append(Trigger(kind="sns", source=ctx.ref_target(get_path(p, "TopicArn")), loc=res.location))
    return holder, link


def build_events_rule(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    holder = LinkOnly(res.id, res, res.location)

    def link() -> None:
        kind = "schedule" if get_path(p, "ScheduleExpression") is not None else "eventbridge"
        targets = get_path(p, "Targets")
        for entry in targets if isinstance(targets, list) else []:
            fn = ctx.entity_for(get_path(entry, "Arn"), Function)
            if isinstance(fn, Function):
                fn.triggers.append(Trigger(kind=kind, source=res.id, loc=loc_of(entry)))
    return holder, link


def read_table_sse(ctx: CfnContext, table: Table, p: Any) -> None:
    """``SSESpecification`` of a DynamoDB table (and of a SAM ``SimpleTable``, which passes it through)."""
    sse = get_path(p, "SSESpecification")
    if sse is None:
        return
    enabled = opaque_block(ctx, sse) or ctx.resolve(get_path(sse, "SSEEnabled"))
    key = ctx.resolve(get_path(sse, "KMSMasterKeyId"))
    where = path_loc(p, "SSESpecification")
    if isinstance(enabled, Unknown):
        table.set("encryption", enabled, where)
    elif enabled is True or (isinstance(enabled, str) and enabled.lower() == "true"):
        table.set("encryption", "customer-managed" if key is not None else "aws-managed", where)
        table.kms_key = key


def build_table(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    table = Table(res.id, res, res.location, name=name_of(ctx, p, "TableName") or res.id)
    read_table_sse(ctx, table, p)
    set_fact(table, "point_in_time_recovery", ctx, p, "PointInTimeRecoverySpecification",
         "PointInTimeRecoveryEnabled")
    return table, None


def build_stream(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    stream = Stream(res.id, res, res.location, name=name_of(ctx, p, "Name") or res.id)
    enc = get_path(p, "StreamEncryption")
    if enc is not None:
        kind = opaque_block(ctx, enc) or ctx.resolve(get_path(enc, "EncryptionType"))
        mode = kind if isinstance(kind, Unknown) else ("kms" if kind == "KMS" else "none")
        # At the encryption type itself (a sibling KeyId may come first), else at the block.
        stream.set("encryption", mode,
                   path_loc(p, "StreamEncryption", "EncryptionType") or path_loc(p, "StreamEncryption"))
        stream.kms_key = ctx.resolve(get_path(enc, "KeyId"))
    return stream, None


def build_delivery_stream(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    """``AWS::KinesisFirehose::DeliveryStream``: Direct PUT streams are encrypted only when asked to."""
    p = res.properties
    stream = Stream(res.id, res, res.location, name=name_of(ctx, p, "DeliveryStreamName") or res.id,
                    service="firehose")
    source = ctx.resolve(get_path(p, "DeliveryStreamType"))
    config = get_path(p, "DeliveryStreamEncryptionConfigurationInput")
    if isinstance(source, str) and source != "DirectPut":
        stream.set("encryption", "source", path_loc(p, "DeliveryStreamType"))
    elif isinstance(source, Unknown):
        stream.set("encryption", source, path_loc(p, "DeliveryStreamType"))
    elif config is not None:
        key_type = opaque_block(ctx, config) or ctx.resolve(get_path(config, "KeyType"))
        stream.set("encryption", key_type if isinstance(key_type, Unknown) else "kms",
                   path_loc(p, "DeliveryStreamEncryptionConfigurationInput"))
        stream.kms_key = ctx.resolve(get_path(config, "KeyARN"))
    return stream, None


def build_log_group(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    group = LogGroup(res.id, res, res.location, name=name_of(ctx, p, "LogGroupName") or res.id)
    set_fact(group, "kms_key", ctx, p, "KmsKeyId")
    set_fact(group, "retention_days", ctx, p, "RetentionInDays")
    return group, None


def build_key(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    key = Key(res.id, res, res.location, name=res.id)
    set_fact(key, "rotation", ctx, p, "EnableKeyRotation")
    key.policy = statements_from_document(policy_document(ctx, get_path(p, "KeyPolicy")), ctx.resolve,
                                          source=res.id, fallback=res.location)
    return key, None


BUILDERS: dict[str, Callable[[CfnContext, Template, Resource], Built]] = {
    "AWS::Lambda::Function": build_function,
    "AWS::Lambda::Permission": build_permission,
    "AWS::Lambda::Url": build_function_url,
    "AWS::Lambda::EventSourceMapping": build_event_source_mapping,
    "AWS::IAM::Role": build_role,
    "AWS::IAM::Policy": build_policy,
    "AWS::IAM::ManagedPolicy": build_policy,
    "AWS::IAM::User": _principal_builder("user", "UserName"),
    "AWS::IAM::Group": _principal_builder("group", "GroupName"),
    "AWS::S3::Bucket": build_bucket,
    "AWS::S3::BucketPolicy": _resource_policy(Bucket, "Bucket"),
    "AWS::SQS::Queue": build_queue,
    "AWS::SQS::QueuePolicy": _resource_policy(Queue, "Queues"),
    "AWS::SNS::Topic": build_topic,
    "AWS::SNS::TopicPolicy": _resource_policy(Topic, "Topics"),
    "AWS::SNS::Subscription": build_subscription,
    "AWS::Events::Rule": build_events_rule,
    "AWS::DynamoDB::Table": build_table,
    "AWS::Kinesis::Stream": build_stream,
    "AWS::KinesisFirehose::DeliveryStream": build_delivery_stream,
    "AWS::Logs::LogGroup": build_log_group,
    "AWS::KMS::Key": build_key,
    **APIGATEWAY_BUILDERS,
}
# Linked after the others: a usage plan matches stages by their API, which a Deployment's or Stage's own
# link sets (and SAM creates implicit APIs and stages while linking a function's events).
LATE = frozenset({"AWS::ApiGateway::UsagePlan"})
