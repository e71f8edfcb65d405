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
    IdentityPolicy,
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
    key_loc,
    loc_of,
    set_loc,
    value_loc,
)
from iac_lint.model.external import external_bucket, external_function
from iac_lint.model.s3 import acl_of_grants, sse_mode
from iac_lint.parsers.kernel import Built, LinkOnly, external_parent
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


def written_at(value: Any, key_where: Location | None) -> bool:
    """Whether a string value was written where its key is (``KEY = "..."``), not brought in by a reference.

    Evaluated values keep the location of the literal they came from, so a ``var.x`` resolved to its
    default points at the variable's block, not at the key.
    """
    where = loc_of(value)
    return isinstance(value, str) and where is not None and key_where is not None and \
        where.file == key_where.file and where.line == key_where.line


def build_function(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    fn = Function(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "function_name"))
    for fact, key in (("runtime", "runtime"), ("handler", "handler"), ("package_type", "package_type"),
                      ("timeout", "timeout"), ("memory", "memory_size"), ("kms_key", "kms_key_arn")):
        set_fact(fn, fact, p, key)
    set_fact(fn, "reserved_concurrency", p, "reserved_concurrent_executions", transform=lambda v: unset_if(v, -1))
    set_fact(fn, "tracing", p, "tracing_config", "mode")
    set_fact(fn, "dead_letter", p, "dead_letter_config", "target_arn")
    set_fact(fn, "log_group_name", p, "logging_config", "log_group")
    vpc = first(p, "vpc_config")
    if vpc is not None:
        fn.set("vpc", vpc, loc_of(vpc))
    variables = get(p, "environment", "variables")
    if isinstance(variables, dict):
        for key, value in variables.items():
            fn.environment[str(key)] = value
            set_loc(fn.locs, f"environment.{key}", value_loc(variables, key) or where(p, "environment", "variables"))
            if written_at(value, key_loc(variables, key)):
                fn.literal_environment.append(str(key))
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
        refs = ctx.refs(p, "function_name")
        raw = p.get("function_name")
        if fn is None and (raw is not None or refs) and \
                not any(ref in ctx.instances and ctx.instances[ref].mode == "managed" for ref in refs):
            # A URL on a function of another module is still a URL anyone may call: judge it on a placeholder.
            text = raw if isinstance(raw, str) else (raw.expr if isinstance(raw, Unknown) else ", ".join(refs))
            fn = external_parent(ctx.tpl, ctx.entities, Function, text,
                                 lambda: external_function(text, ctx.tpl_resource(inst),
                                                           where(p, "function_name") or inst.loc, raw))
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


def _principal_builder(kind: str) -> Callable[[BuildContext, Instance], Built]:
    """``aws_iam_role``, ``aws_iam_user``, ``aws_iam_group``: principals holding inline and managed policies."""

    def build(ctx: BuildContext, inst: Instance) -> Built:
        p = inst.props
        role = Role(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"), principal_kind=kind)
        set_fact(role, "permissions_boundary", p, "permissions_boundary")
        for stmt in ctx.statements(p, "assume_role_policy", "assume", inst.loc):  # trust: never permissions
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
    return build


def _item_refs(ctx: BuildContext, node: Any, key: str, items: list, index: int) -> list[str]:
    """References of one list item: exact when the list has one reference per item."""
    refs = ctx.refs(node, key)
    if len(refs) == len(items):
        return [refs[index]]
    return refs if len(items) == 1 else []


def attach_policy(ctx: BuildContext, role: Role, arn: Any, loc: Location | None, refs: list[str]) -> None:
    """A policy ARN attached to a principal: a policy of this module is judged once, as its own document;
    others stay a reference (an AWS managed policy is known by its name)."""
    for ref in refs:
        found = ctx.entities.get(ref)
        if isinstance(found, IdentityPolicy):
            found.attach(role)
            return
    if isinstance(arn, str):
        for found in ctx.entities.values():
            if isinstance(found, IdentityPolicy) and isinstance(found.resource.properties, dict) \
                    and found.resource.properties.get("arn") == arn:
                found.attach(role)
                return
    role.managed_policies.append(ManagedPolicyRef(arn, loc))


def principal_of(ctx: BuildContext, inst: Instance, node: Any, key: str, kind: str,
                 loc: Location | None = None) -> Role | None:
    """The role, user or group ``node[key]`` names: the module's own, or a placeholder for one defined elsewhere."""
    found = ctx.entity(node, key, Role)
    if isinstance(found, Role) and found.principal_kind == kind:
        return found
    raw = node.get(key) if isinstance(node, dict) else None
    if raw is None and not ctx.refs(node, key):
        return None
    text = raw if isinstance(raw, str) else (raw.expr if isinstance(raw, Unknown) else
                                              ", ".join(ctx.refs(node, key)) or key)
    return external_parent(ctx.tpl, ctx.entities, Role, f"{kind} {text}",
                           lambda: Role(text, ctx.tpl_resource(inst), loc or where(node, key) or inst.loc,
                                        name=raw, external=True, principal_kind=kind))


def build_identity_policy(ctx: BuildContext, inst: Instance) -> Built:
    """``aws_iam_policy``: a standalone document, judged once whatever it is attached to."""
    policy = IdentityPolicy(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
    policy.statements = ctx.statements(inst.props, "policy", inst.id, inst.loc)
    return policy, None


def _principal_policy(key: str, kind: str) -> Callable[[BuildContext, Instance], Built]:
    """``aws_iam_role_policy``, ``aws_iam_user_policy``, ``aws_iam_group_policy``: an inline document written
    as its own resource, on a principal of the module or one defined elsewhere."""

    def build(ctx: BuildContext, inst: Instance) -> Built:
        p = inst.props
        policy = IdentityPolicy(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"))
        policy.statements = ctx.statements(p, "policy", inst.id, inst.loc)

        def link() -> None:
            principal = principal_of(ctx, inst, p, key, kind)
            if principal is not None:
                policy.attach(principal)
        return policy, link
    return build


def _external_principal(ctx: BuildContext, inst: Instance, name: str, loc: Location | None,
                        kind: str) -> Callable[[], Role]:
    """What makes the placeholder of a principal an attachment names by a literal name."""
    return lambda: Role(name, ctx.tpl_resource(inst), loc or inst.loc, name=name, external=True, principal_kind=kind)


def build_policy_attachment(ctx: BuildContext, inst: Instance) -> Built:
    """``aws_iam_{role,user,group}_policy_attachment`` (one principal) and ``aws_iam_policy_attachment`` (lists)."""
    p = inst.props

    def link() -> None:
        principals: list[Role] = []
        for key, kind in (("role", "role"), ("user", "user"), ("group", "group")):
            if key in p or ctx.refs(p, key):
                found = principal_of(ctx, inst, p, key, kind)
                if found is not None:
                    principals.append(found)
        for key, kind in (("roles", "role"), ("users", "user"), ("groups", "group")):
            listed = p.get(key)
            refs = ctx.refs(p, key)
            for ref in refs:
                referenced = ctx.entities.get(ref)
                if isinstance(referenced, Role) and referenced.principal_kind == kind and referenced not in principals:
                    principals.append(referenced)
            for i, name in enumerate(listed if isinstance(listed, list) else []):
                if not isinstance(name, str):
                    continue
                match = next((e for e in ctx.entities.values() if isinstance(e, Role) and e.name == name
                              and e.principal_kind == kind), None)
                if match is None:
                    match = external_parent(ctx.tpl, ctx.entities, Role, f"{kind} {name}",
                                            _external_principal(ctx, inst, name, value_loc(listed, i), kind))
                if match not in principals:
                    principals.append(match)
        for principal in principals:
            attach_policy(ctx, principal, p.get("policy_arn"), where(p, "policy_arn") or inst.loc,
                          ctx.refs(p, "policy_arn"))
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
    read_grants(bucket, each_block(p, "grant"), lambda g: [(g.get("uri"), perm) for perm in
                                                            (g.get("permissions") or [])])
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
            p = inst.props
            bucket = ctx.entity(p, "bucket", Bucket)
            refs = ctx.refs(p, "bucket")
            raw = p.get("bucket")
            if bucket is None and (raw is not None or refs) and \
                    not any(ref in ctx.instances and ctx.instances[ref].mode == "managed" for ref in refs):
                # A setting written for a bucket of another module (a variable, a data source, a name) is
                # judged on a placeholder: a written block with a flag off, an ACL, a public policy.
                text = raw if isinstance(raw, str) else (raw.expr if isinstance(raw, Unknown) else ", ".join(refs))
                bucket = external_parent(ctx.tpl, ctx.entities, Bucket, text,
                                         lambda: external_bucket(text, ctx.tpl_resource(inst),
                                                                 where(p, "bucket") or inst.loc, raw))
            if isinstance(bucket, Bucket):
                apply(ctx, inst, bucket)
        return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), link
    return build


def _apply_encryption(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    read_encryption(bucket, inst.props, inst.loc)


def _apply_public_access_block(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    bucket.public_access_block = read_public_access_block(inst.props, inst.loc)
    bucket.locs["public_access_block"] = inst.loc


def read_grants(bucket: Bucket, grants: list[Any], pairs: Callable[[Any], list[tuple[Any, Any]]]) -> bool:
    """ACL ``grant`` blocks: a grant to everyone (or every AWS account) is the public canned ACL it amounts
    to, set at that grant.  True when a public grant was found."""
    for grant in grants:
        public = acl_of_grants(pairs(grant)) if isinstance(grant, dict) else None
        if public is not None and bucket.acl != "public-read-write":
            bucket.set("acl", public, loc_of(grant))
            if public == "public-read-write":
                return True
    return bucket.acl in ("public-read", "authenticated-read", "public-read-write")


def _apply_acl(ctx: BuildContext, inst: Instance, bucket: Bucket) -> None:
    p = inst.props
    if p.get("acl") is not None:
        bucket.set("acl", p["acl"], where(p, "acl"))
    elif first(p, "access_control_policy") is not None:
        policy = first(p, "access_control_policy")
        grants = each_block(policy, "grant")
        if not read_grants(bucket, grants, lambda g: [(first(g, "grantee").get("uri") if isinstance(
                first(g, "grantee"), dict) else None, g.get("permission"))]):
            # Grants to accounts and canonical users only: private, unless something is not static.
            unknown = any(isinstance(v, Unknown) for g in grants if isinstance(g, dict) for v in g.values())
            bucket.set("acl", Unknown("access_control_policy") if unknown or not grants else "private",
                       loc_of(policy))


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


def build_delivery_stream(ctx: BuildContext, inst: Instance) -> Built:
    """``aws_kinesis_firehose_delivery_stream``: Direct PUT streams are encrypted only when asked to."""
    p = inst.props
    stream = Stream(inst.id, ctx.tpl_resource(inst), inst.loc, name=name_of(inst, "name"), service="firehose")
    for source_block in ("kinesis_source_configuration", "msk_source_configuration"):
        if first(p, source_block) is not None:
            stream.set("encryption", "source", loc_of(first(p, source_block)))
            return stream, None
    sse = first(p, "server_side_encryption")
    if sse is not None:
        enabled = as_bool(sse.get("enabled", False))
        mode = enabled if isinstance(enabled, Unknown) else ("kms" if enabled else "none")
        stream.set("encryption", mode, where(sse, "enabled") or loc_of(sse))
        stream.kms_key = sse.get("key_arn")
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


RESOURCE_BUILDERS: dict[str, Callable[[BuildContext, Instance], Built]] = {
    "aws_lambda_function": build_function,
    "aws_lambda_function_url": build_function_url,
    "aws_lambda_permission": build_permission,
    "aws_lambda_event_source_mapping": build_event_source_mapping,
    "aws_s3_bucket_notification": _bucket_side(_apply_notification),
    "aws_sns_topic_subscription": _trigger_builder(
        lambda ctx, p: "sns" if p.get("protocol") in ("lambda", None) else None, [("endpoint",)], "topic_arn"),
    "aws_cloudwatch_event_target": _trigger_builder(_event_kind, [("arn",)], "rule"),
    "aws_iam_role": _principal_builder("role"),
    "aws_iam_user": _principal_builder("user"),
    "aws_iam_group": _principal_builder("group"),
    "aws_iam_role_policy": _principal_policy("role", "role"),
    "aws_iam_user_policy": _principal_policy("user", "user"),
    "aws_iam_group_policy": _principal_policy("group", "group"),
    "aws_iam_role_policy_attachment": build_policy_attachment,
    "aws_iam_user_policy_attachment": build_policy_attachment,
    "aws_iam_group_policy_attachment": build_policy_attachment,
    "aws_iam_policy_attachment": build_policy_attachment,
    "aws_iam_policy": build_identity_policy,
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
    "aws_kinesis_firehose_delivery_stream": build_delivery_stream,
    "aws_cloudwatch_log_group": build_log_group,
    "aws_kms_key": build_key,
}
