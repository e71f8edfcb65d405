"""Terraform's Lambda, IAM, S3, SQS, SNS, DynamoDB, Kinesis, Logs and KMS resources into entities.

Builders set the owning side of every link (a function's role, a bucket's
encryption from its split-out resource); the link stage (``iac_lint.link``)
does the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iac_lint.model import (
    Bucket,
    Entity,
    Function,
    Key,
    Location,
    LogGroup,
    ManagedPolicyRef,
    Permission,
    PublicAccessBlock,
    Queue,
    Role,
    Stream,
    Table,
    Topic,
    Trigger,
    Unknown,
    loc_of,
    set_loc,
    value_loc,
)
from iac_lint.model.s3 import sse_mode
from iac_lint.parsers.kernel import Built, LinkOnly
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

# --- Lambda -------------------------------------------------------------------------------


def build_function(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    fn = Function(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "function_name"))
    for fact, key in (("runtime", "runtime"), ("handler", "handler"), ("package_type", "package_type"),
                      ("timeout", "timeout"), ("memory", "memory_size"), ("kms_key", "kms_key_arn")):
        set_fact(fn, fact, p, key)
    set_fact(fn, "reserved_concurrency", p, "reserved_concurrent_executions", transform=lambda v: unset_if(v, -1))
    set_fact(fn, "tracing", p, "tracing_config", "mode")
    set_fact(fn, "dead_letter", p, "dead_letter_config", "target_arn")
    vpc = first(p, "vpc_config")
    if vpc is not None:
        fn.set("vpc", vpc, loc_of(vpc))
    variables = get(p, "environment", "variables")
    if isinstance(variables, dict):
        for key, value in variables.items():
            fn.environment[str(key)] = value
            set_loc(fn.locs, f"environment.{key}", value_loc(variables, key) or where(p, "environment", "variables"))
    elif isinstance(variables, Unknown):
        fn.environment["*"] = variables

    def link() -> None:
        if p.get("role") is None and not ctx.refs(p, "role"):
            return
        role = ctx.entity(p, "role", Role)
        if role is None:
            arn = p.get("role", Unknown("role (known after apply)"))
            role = Role(str(arn) if not isinstance(arn, Unknown) else arn.expr, fn.resource,
                        where(p, "role") or inst.loc, name=arn, external=True)
            ctx.tpl.add(role)
        fn.set("role", role, where(p, "role"))
    return fn, link


def build_function_url(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props

    def link() -> None:
        fn = ctx.entity(p, "function_name", Function)
        if isinstance(fn, Function):
            fn.set("url_auth_type", p.get("authorization_type", Unknown("authorization_type")),
                   where(p, "authorization_type") or inst.loc)
    return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link


def build_permission(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    perm = Permission(inst.id, ctx.tpl_resource(inst), inst.loc)
    for fact, key in (("action", "action"), ("principal", "principal"), ("source_arn", "source_arn"),
                      ("source_account", "source_account"), ("principal_org_id", "principal_org_id"),
                      ("function_url_auth_type", "function_url_auth_type")):
        set_fact(perm, fact, p, key)
    perm.target = p.get("function_name")

    def link() -> None:
        fn = ctx.entity(p, "function_name", Function)
        if isinstance(fn, Function):
            perm.function = fn
    return perm, link


def build_event_source_mapping(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props

    def link() -> None:
        fn = ctx.entity(p, "function_name", Function)
        if not isinstance(fn, Function):
            return
        source = p.get("event_source_arn")
        from_queue = isinstance(ctx.entity(p, "event_source_arn", Queue), Queue)
        if from_queue or (isinstance(source, str) and ":sqs:" in source):
            kind = "sqs"
        elif source is None:
            kind = "other"  # self-managed Kafka, Amazon MQ
        else:
            kind = "stream"
        fn.triggers.append(Trigger(kind=kind, public=False, source=source, loc=inst.loc))
    return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link


def _trigger_builder(kind_of: Callable[[BuildContext, Any], str | None], target_paths: list[tuple[str, ...]],
                     source_key: str | None) -> Callable[[BuildContext, Instance], Built]:
    """Resources that make something invoke a function (notifications, subscriptions, event targets)."""

    def build(ctx: BuildContext, inst: Instance) -> Built:
        p = inst.props

        def link() -> None:
            kind = kind_of(ctx, p)
            if kind is None:
                return
            for path in target_paths:
                nodes = [p] if len(path) == 1 else each_block(p, path[0])
                for node in nodes:
                    fn = ctx.entity(node, path[-1], Function)
                    if isinstance(fn, Function):
                        source = p.get(source_key) if source_key else None
                        fn.triggers.append(Trigger(kind=kind, public=False, source=source,
                                                   loc=loc_of(node) or inst.loc))
        return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link
    return build


def _event_kind(ctx: BuildContext, p: Any) -> str:
    rule = ctx.instance(p, "rule", "aws_cloudwatch_event_rule")
    if rule is not None and rule.props.get("schedule_expression") is not None:
        return "schedule"
    return "eventbridge"


# --- IAM ------------------------------------------------------------------------------------


def build_role(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    role = Role(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    set_fact(role, "permissions_boundary", p, "permissions_boundary")
    for stmt in ctx.statements(p, "assume_role_policy", "assume", inst.loc):
        role.assume_principals.extend(stmt.principals)
    for block in each_block(p, "inline_policy"):
        name = block.get("name")
        role.statements.extend(ctx.statements(block, "policy", str(name or inst.id), loc_of(block) or inst.loc))

    def link() -> None:
        arns = p.get("managed_policy_arns")
        if isinstance(arns, Unknown):
            role.managed_policies.append(ManagedPolicyRef(arns, where(p, "managed_policy_arns")))
            return
        for i, arn in enumerate(arns if isinstance(arns, list) else []):
            attach_policy(ctx, role, arn, value_loc(arns, i) or where(p, "managed_policy_arns"),
                          _item_refs(ctx, p, "managed_policy_arns", arns, i))
    return role, link


def _item_refs(ctx: BuildContext, node: Any, key: str, items: list, index: int) -> list[str]:
    """References of one list item: exact when the list has one reference per item."""
    refs = ctx.refs(node, key)
    if len(refs) == len(items):
        return [refs[index]]
    return refs if len(items) == 1 else []


def attach_policy(ctx: BuildContext, role: Role, arn: Any, loc: Location | None, refs: list[str]) -> None:
    """A policy ARN attached to a role: a policy of this module brings its statements; others stay a reference."""
    for ref in refs:
        inst = ctx.instances.get(ref)
        if inst is not None and inst.type == "aws_iam_policy":
            role.statements.extend(ctx.statements(inst.props, "policy", inst.id, inst.loc))
            return
    if isinstance(arn, str):
        for inst in ctx.instances.values():
            if inst.type == "aws_iam_policy" and inst.props.get("arn") == arn:
                role.statements.extend(ctx.statements(inst.props, "policy", inst.id, inst.loc))
                return
    role.managed_policies.append(ManagedPolicyRef(arn, loc))


def build_role_policy(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props

    def link() -> None:
        role = ctx.entity(p, "role", Role)
        if isinstance(role, Role):
            role.statements.extend(ctx.statements(p, "policy", inst.id, inst.loc))
    return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link


def build_role_policy_attachment(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props

    def link() -> None:
        role_keys = ["role"] if "role" in p else []
        roles: list[Role] = []
        for key in role_keys:
            role = ctx.entity(p, key, Role)
            if isinstance(role, Role):
                roles.append(role)
        listed = p.get("roles")
        if isinstance(listed, list):
            refs = ctx.refs(p, "roles")
            for ref in refs:
                found = ctx.entities.get(ref)
                if isinstance(found, Role) and found not in roles:
                    roles.append(found)
            for name in listed:
                for found in ctx.entities.values():
                    if isinstance(found, Role) and isinstance(name, str) and found.name == name and found not in roles:
                        roles.append(found)
        for role in roles:
            attach_policy(ctx, role, p.get("policy_arn"), where(p, "policy_arn") or inst.loc, ctx.refs(p, "policy_arn"))
    return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link


# --- S3 -------------------------------------------------------------------------------------


def read_encryption(bucket: Bucket, config: Any, loc: Location | None) -> None:
    """``server_side_encryption_configuration`` (inline or split): its first rule's default."""
    default = first(first(config, "rule"), "apply_server_side_encryption_by_default")
    if default is None:
        bucket.set("encryption", Unknown("server_side_encryption_configuration"), loc)
        return
    bucket.set("encryption", sse_mode(default.get("sse_algorithm"), "sse_algorithm"), loc)
    bucket.kms_key = default.get("kms_master_key_id")


def read_public_access_block(node: Any, loc: Location | None) -> PublicAccessBlock:
    out = PublicAccessBlock(loc=loc)
    for attr in PublicAccessBlock.FLAGS:
        if node.get(attr) is not None:
            setattr(out, attr, as_bool(node[attr]))
            set_loc(out.locs, attr, where(node, attr))
    return out


def build_bucket(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    name = p.get("bucket")
    if name is None and p.get("bucket_prefix") is not None:
        name = Unknown(f"bucket_prefix {p.get('bucket_prefix')}")
    bucket = Bucket(inst.id, ctx.tpl_resource(inst), inst.loc, name=name if name is not None else inst.id)
    config = first(p, "server_side_encryption_configuration")
    if config is not None:
        read_encryption(bucket, config, loc_of(config))
    set_fact(bucket, "acl", p, "acl")
    enabled = get(p, "versioning", "enabled")
    if enabled is not None:
        enabled = as_bool(enabled)
        bucket.set("versioning", enabled if isinstance(enabled, Unknown) else ("Enabled" if enabled else "Suspended"),
                   where(p, "versioning", "enabled"))
    logging = first(p, "logging")
    if logging is not None:
        bucket.set("logging", logging.get("target_bucket", True), loc_of(logging))
    if p.get("policy") not in (None, ""):
        bucket.policy.extend(ctx.statements(p, "policy", inst.id, inst.loc))
    return bucket, None


def _bucket_side(apply: Callable[[BuildContext, Instance, Bucket], None]) -> Callable[[BuildContext, Instance], Built]:
    """A v4 split-out S3 resource: applied to the bucket its ``bucket`` argument names."""

    def build(ctx: BuildContext, inst: Instance) -> Built:
        def link() -> None:
            bucket = ctx.entity(inst.props, "bucket", Bucket)
            if isinstance(bucket, Bucket):
                apply(ctx, inst, bucket)
        return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link
    return build


def _apply_encryption(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    read_encryption(bucket, inst.props, inst.loc)


def _apply_public_access_block(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    bucket.public_access_block = read_public_access_block(inst.props, inst.loc)
    bucket.locs["public_access_block"] = inst.loc


def _apply_acl(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    p = inst.props
    if p.get("acl") is not None:
        bucket.set("acl", p["acl"], where(p, "acl"))
    elif first(p, "access_control_policy") is not None:
        bucket.set("acl", Unknown("access_control_policy"), loc_of(first(p, "access_control_policy")))


def _apply_policy(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    bucket.policy.extend(ctx.statements(inst.props, "policy", inst.id, inst.loc))


def _apply_versioning(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    set_fact(bucket, "versioning", inst.props, "versioning_configuration", "status")


def _apply_logging(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    bucket.set("logging", inst.props.get("target_bucket", True), inst.loc)


def _apply_notification(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    for block in each_block(inst.props, "lambda_function"):
        fn = ctx.entity(block, "lambda_function_arn", Function)
        if isinstance(fn, Function):
            fn.triggers.append(Trigger(kind="s3", public=False, source=bucket.id, loc=loc_of(block) or inst.loc))


def build_account_public_access_block(ctx: BuildContext, inst: Instance) -> Built:
    """Account-wide block: it applies to every bucket, so a flag it sets counts for each of them."""
    account = read_public_access_block(inst.props, inst.loc)

    def link() -> None:
        for bucket in ctx.tpl.of(Bucket):
            own = bucket.public_access_block
            if own is None:
                bucket.public_access_block = account
                bucket.locs["public_access_block"] = inst.loc
                continue
            for flag in PublicAccessBlock.FLAGS:
                if getattr(account, flag) is True and getattr(own, flag) is not True:
                    setattr(own, flag, True)
                    own.locs[flag] = account.locs.get(flag, inst.loc)
    return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link


# --- queues, topics, tables, streams, logs, keys --------------------------------------------


def build_queue(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    queue = Queue(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    key = set_fact(queue, "kms_key", p, "kms_master_key_id")
    managed = as_bool(p.get("sqs_managed_sse_enabled"))
    if key is not None:
        queue.set("encryption", "kms", where(p, "kms_master_key_id"))
    elif managed is False:
        queue.set("encryption", "none", where(p, "sqs_managed_sse_enabled"))
        queue.explicit_disabled = True
    elif isinstance(managed, Unknown):
        queue.set("encryption", managed, where(p, "sqs_managed_sse_enabled"))
    if p.get("policy") not in (None, ""):
        queue.policy.extend(ctx.statements(p, "policy", inst.id, inst.loc))
    return queue, None


def _policy_side(cls: type[Entity], target_key: str) -> Callable[[BuildContext, Instance], Built]:
    """``aws_sqs_queue_policy`` / ``aws_sns_topic_policy``: statements onto their queue or topic."""

    def build(ctx: BuildContext, inst: Instance) -> Built:
        def link() -> None:
            owner = ctx.entity(inst.props, target_key, cls)
            if owner is not None:
                owner.policy.extend(ctx.statements(inst.props, "policy", inst.id, inst.loc))
        return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link
    return build


def build_topic(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    topic = Topic(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    set_fact(topic, "kms_key", p, "kms_master_key_id")
    if p.get("policy") not in (None, ""):
        topic.policy.extend(ctx.statements(p, "policy", inst.id, inst.loc))
    return topic, None


def build_table(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    table = Table(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    sse = first(p, "server_side_encryption")
    if sse is not None:
        enabled = as_bool(sse.get("enabled"))
        key = sse.get("kms_key_arn")
        if isinstance(enabled, Unknown):
            table.set("encryption", enabled, loc_of(sse))
        elif enabled is True:
            table.set("encryption", "customer-managed" if key not in (None, "") else "aws-managed", loc_of(sse))
            table.kms_key = key
        else:
            table.set("encryption", "aws-owned", loc_of(sse))
    set_fact(table, "point_in_time_recovery", p, "point_in_time_recovery", "enabled", transform=as_bool)
    return table, None


def build_stream(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    stream = Stream(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    kind = p.get("encryption_type")
    if kind is not None:
        mode = kind if isinstance(kind, Unknown) else ("kms" if str(kind).upper() == "KMS" else "none")
        stream.set("encryption", mode, where(p, "encryption_type"))
        stream.kms_key = p.get("kms_key_id")
    return stream, None


def build_log_group(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    group = LogGroup(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    set_fact(group, "kms_key", p, "kms_key_id")
    set_fact(group, "retention_days", p, "retention_in_days")

    def link() -> None:
        name = group.name
        if not isinstance(name, str) or not name.startswith("/aws/lambda/"):
            return
        wanted = name[len("/aws/lambda/"):]
        for fn in ctx.tpl.of(Function):
            if fn.name == wanted and fn.log_group is None:
                fn.log_group = group
    return group, link


def build_key(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    key = Key(inst.id, ctx.tpl_resource(inst), inst.loc, name=inst.id)
    set_fact(key, "rotation", p, "enable_key_rotation", transform=as_bool)
    if p.get("policy") not in (None, ""):
        key.policy = ctx.statements(p, "policy", inst.id, inst.loc)
    return key, None


def _holder(ctx: BuildContext, inst: Instance) -> Built:
    return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), None


RESOURCE_BUILDERS: dict[str, Callable[[BuildContext, Instance], Built]] = {
    "aws_lambda_function": build_function,
    "aws_lambda_function_url": build_function_url,
    "aws_lambda_permission": build_permission,
    "aws_lambda_event_source_mapping": build_event_source_mapping,
    "aws_s3_bucket_notification": _bucket_side(_apply_notification),
    "aws_sns_topic_subscription": _trigger_builder(
        lambda ctx, p: "sns" if p.get("protocol") in ("lambda", None) else None, [("endpoint",)], "topic_arn"),
    "aws_cloudwatch_event_target": _trigger_builder(_event_kind, [("arn",)], "rule"),
    "aws_iam_role": build_role,
    "aws_iam_role_policy": build_role_policy,
    "aws_iam_role_policy_attachment": build_role_policy_attachment,
    "aws_iam_policy_attachment": build_role_policy_attachment,
    "aws_iam_policy": _holder,
    "aws_s3_bucket": build_bucket,
    "aws_s3_bucket_server_side_encryption_configuration": _bucket_side(_apply_encryption),
    "aws_s3_bucket_public_access_block": _bucket_side(_apply_public_access_block),
    "aws_s3_bucket_acl": _bucket_side(_apply_acl),
    "aws_s3_bucket_policy": _bucket_side(_apply_policy),
    "aws_s3_bucket_versioning": _bucket_side(_apply_versioning),
    "aws_s3_bucket_logging": _bucket_side(_apply_logging),
    "aws_s3_account_public_access_block": build_account_public_access_block,
    "aws_sqs_queue": build_queue,
    "aws_sqs_queue_policy": _policy_side(Queue, "queue_url"),
    "aws_sns_topic": build_topic,
    "aws_sns_topic_policy": _policy_side(Topic, "arn"),
    "aws_dynamodb_table": build_table,
    "aws_kinesis_stream": build_stream,
    "aws_cloudwatch_log_group": build_log_group,
    "aws_kms_key": build_key,
}
