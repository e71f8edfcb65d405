"""Terraform resources into entities, for HCL modules and plan JSON alike.

Both readers hand over the same thing: one ``Instance`` per resource block
(``count``/``for_each`` evaluated once, so one instance stands for all of
them), whose ``props`` is a located map where nested blocks are lists of
maps -- the shape of both an evaluated HCL body and a plan's values -- and a
``References`` object that says which resources an attribute refers to.
Builders set the owning side of every link (a function's role, a bucket's
encryption from its split-out resource); the link stage (``iac_lint.link``) does the rest.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from iac_lint.model import (
    Api, Bucket, Entity, Function, Key, LMap, Location, LogGroup, LSeq, LStr, ManagedPolicyRef, Permission,
    PolicyStatement, PublicAccessBlock, Queue, Resource, Role, Route, Stage, Stream, Table, Template, Throttle,
    Topic, Trigger, Unknown, UsagePlan, key_loc, loc_of, value_loc,
)
from iac_lint.model.apigateway import route_key
from iac_lint.model.s3 import sse_mode
from iac_lint.parsers.kernel import Built, LinkOnly, Pending, build_and_link
from iac_lint.parsers.iam import statements_from_document


@dataclass(slots=True)
class Instance:
    """One resource or data block of a module (all its count/for_each instances at once)."""

    key: str  # "module.m.aws_s3_bucket.x": what references resolve to
    id: str  # "module.m.aws_s3_bucket.x[*]": what users see
    type: str
    name: str
    props: Any  # LMap; nested blocks are LSeq of LMap
    loc: Location  # the block header
    file: str
    mode: str = "managed"  # or "data"
    multi: bool = False


class References(Protocol):
    def refs(self, node: Any, key: str) -> list[str]:
        """Keys of the resources that ``node[key]`` refers to."""

    def document(self, node: Any, key: str) -> Any:
        """``node[key]`` as a policy document (located map), an ``Unknown``, or None."""


# --- small readers over located props -------------------------------------------------


def first(node: Any, name: str) -> Any:
    """A nested block (the first, when repeated) or a map attribute."""
    value = node.get(name) if isinstance(node, dict) else None
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else None
    return value if isinstance(value, dict) else None


def each_block(node: Any, name: str) -> list[Any]:
    value = node.get(name) if isinstance(node, dict) else None
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return [value] if isinstance(value, dict) else []


def get(node: Any, *path: str) -> Any:
    current = node
    for i, key in enumerate(path):
        if i < len(path) - 1:
            current = first(current, key)
        else:
            current = current.get(key) if isinstance(current, dict) else None
    return current


def where(node: Any, *path: str) -> Location | None:
    current = node
    for key in path[:-1]:
        current = first(current, key)
    if not isinstance(current, dict) or path[-1] not in current:
        return None
    return value_loc(current, path[-1])


def as_bool(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def unset_if(value: Any, *sentinels: Any) -> Any:
    """Terraform writes some "not set" values as -1 or ""; the model says None."""
    return None if any(value == s and type(value) is type(s) for s in sentinels) else value


# --- IAM policy documents --------------------------------------------------------------


_STATEMENT_KEYS = (("sid", "Sid"), ("effect", "Effect"), ("actions", "Action"), ("not_actions", "NotAction"),
                   ("resources", "Resource"), ("not_resources", "NotResource"))


def _principal_map(blocks: list[Any], loc: Location) -> Any:
    out = LMap(loc=loc)
    for block in blocks:
        kind = block.get("type")
        identifiers = block.get("identifiers")
        if kind == "*" and (identifiers == ["*"] or identifiers == "*"):
            return LStr("*", loc_of(block) or loc)
        key = kind if isinstance(kind, str) else str(kind)
        existing = out.get(key)
        merged = LSeq((existing or []) + (list(identifiers) if isinstance(identifiers, list) else [identifiers]),
                      loc=loc_of(identifiers) or loc_of(block))
        merged.item_locs = ((existing.item_locs if isinstance(existing, LSeq) else []) +
                            (identifiers.item_locs if isinstance(identifiers, LSeq)
                             else [loc_of(block)] * (len(identifiers) if isinstance(identifiers, list) else 1)))
        out[key] = merged
        out.value_locs[key] = loc_of(block) or loc
    return out


def _document_statements(doc: Any) -> list[Any]:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return []
    if isinstance(doc, dict):
        found = doc.get("Statement")
        return list(found) if isinstance(found, list) else ([found] if isinstance(found, dict) else [])
    return []


def document_from_policy_data(props: Any, loc: Location) -> Any:
    """An ``aws_iam_policy_document`` data source as the JSON document it renders."""
    statements = LSeq(loc=loc)
    for source in props.get("source_policy_documents") or [] if isinstance(props, dict) else []:
        for stmt in _document_statements(source):
            statements.append(stmt)
            statements.item_locs.append(loc_of(stmt) or loc)
    blocks = each_block(props, "statement")
    if not blocks and isinstance(props, dict) and isinstance(props.get("json"), str):
        return props.get("json")  # a plan's rendered document, when its blocks are not given
    for block in blocks:
        stmt = LMap(loc=loc_of(block) or loc)
        for tf_key, iam_key in _STATEMENT_KEYS:
            if block.get(tf_key) is not None:
                stmt[iam_key] = block[tf_key]
                stmt.value_locs[iam_key] = value_loc(block, tf_key)
                stmt.key_locs[iam_key] = key_loc(block, tf_key)
        for tf_key, iam_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            found = each_block(block, tf_key)
            if found:
                stmt[iam_key] = _principal_map(found, stmt.loc)
                stmt.value_locs[iam_key] = stmt.key_locs[iam_key] = loc_of(found[0])
        conditions = each_block(block, "condition")
        if conditions:
            cond = LMap(loc=loc_of(conditions[0]))
            for c in conditions:
                test, variable = c.get("test"), c.get("variable")
                if isinstance(test, Unknown) or isinstance(variable, Unknown):
                    cond[str(test)] = Unknown("condition")
                    continue
                cond.setdefault(str(test), LMap(loc=loc_of(c)))[str(variable)] = c.get("values")
            stmt["Condition"] = cond
            stmt.value_locs["Condition"] = stmt.key_locs["Condition"] = cond.loc
        statements.append(stmt)
        statements.item_locs.append(stmt.loc)
    overrides = props.get("override_policy_documents") if isinstance(props, dict) else None
    for override in overrides if isinstance(overrides, list) else []:
        for stmt in _document_statements(override):
            sid = stmt.get("Sid") if isinstance(stmt, dict) else None
            kept = [s for s in statements if not (sid and isinstance(s, dict) and s.get("Sid") == sid)]
            statements[:] = kept + [stmt]
            statements.item_locs = [loc_of(s) or loc for s in statements]
    doc = LMap(loc=loc)
    doc["Version"] = props.get("version") or "2012-10-17" if isinstance(props, dict) else "2012-10-17"
    doc["Statement"] = statements
    doc.value_locs["Statement"] = loc
    return doc


# --- the build --------------------------------------------------------------------------


@dataclass(slots=True)
class BuildContext:
    tpl: Template
    references: Any  # References
    instances: dict[str, Instance] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)

    def tpl_resource(self, inst: Instance) -> Resource:
        return self.resources[inst.key]

    def refs(self, node: Any, key: str) -> list[str]:
        # A plan omits values unknown until apply, yet its configuration still has their references.
        if not isinstance(node, dict):
            return []
        return self.references.refs(node, key)

    def entity(self, node: Any, key: str, cls: type[Entity], depth: int = 0) -> Any:
        """The entity ``node[key]`` refers to, by reference or by its literal name or ARN."""
        refs = self.refs(node, key)
        for ref in refs:
            found = self.entities.get(ref)
            if isinstance(found, cls):
                return found
        # Passed along by another side resource, as the provider docs write it:
        # bucket = aws_s3_bucket_ownership_controls.x.bucket, function_name = aws_lambda_alias.x.function_name
        for ref in refs if depth < 3 else []:
            inst = self.instances.get(ref)
            if inst is not None and isinstance(inst.props, dict) and key in inst.props:
                found = self.entity(inst.props, key, cls, depth + 1)
                if found is not None:
                    return found
        literal = node.get(key) if isinstance(node, dict) else None
        if isinstance(literal, str) and literal:
            names = {literal, re.split(r"[:/]", literal)[-1]}
            # A qualified function ARN ends with its alias or version: arn:aws:lambda:r:a:function:NAME:live
            qualified = re.match(r"arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+):", literal)
            if qualified:
                names.add(qualified.group(1))
            for found in self.entities.values():
                if isinstance(found, cls) and isinstance(found.name, str) and found.name in names:
                    return found
        return None

    def instance(self, node: Any, key: str, rtype: str) -> Instance | None:
        for ref in self.refs(node, key):
            inst = self.instances.get(ref)
            if inst is not None and inst.type == rtype:
                return inst
        return None

    def statements(self, node: Any, key: str, source: str, fallback: Location) -> list[PolicyStatement]:
        if not isinstance(node, dict):
            return []
        doc = self.references.document(node, key)
        if doc is None or isinstance(doc, Unknown):
            return []
        return statements_from_document(doc, source=source, fallback=where(node, key) or fallback)


def _set(entity: Entity, fact: str, node: Any, *path: str, transform: Callable[[Any], Any] | None = None) -> Any:
    raw = get(node, *path)
    if raw is None:
        return None
    value = transform(raw) if transform else raw
    if value is None:
        return None
    entity.set(fact, value, where(node, *path))
    return value


def _name(inst: Instance, *keys: str) -> Any:
    for key in keys:
        value = get(inst.props, key)
        if value is not None:
            return value
    return inst.id


# --- Lambda -------------------------------------------------------------------------------


def build_function(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    fn = Function(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "function_name"))
    for fact, key in (("runtime", "runtime"), ("handler", "handler"), ("package_type", "package_type"),
                      ("timeout", "timeout"), ("memory", "memory_size"), ("kms_key", "kms_key_arn")):
        _set(fn, fact, p, key)
    _set(fn, "reserved_concurrency", p, "reserved_concurrent_executions", transform=lambda v: unset_if(v, -1))
    _set(fn, "tracing", p, "tracing_config", "mode")
    _set(fn, "dead_letter", p, "dead_letter_config", "target_arn")
    vpc = first(p, "vpc_config")
    if vpc is not None:
        fn.set("vpc", vpc, loc_of(vpc))
    variables = get(p, "environment", "variables")
    if isinstance(variables, dict):
        for key, value in variables.items():
            fn.environment[str(key)] = value
            fn.locs[f"environment.{key}"] = value_loc(variables, key) or where(p, "environment", "variables")
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
        _set(perm, fact, p, key)
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
        if isinstance(ctx.entity(p, "event_source_arn", Queue), Queue) or (isinstance(source, str) and ":sqs:" in source):
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
                        fn.triggers.append(Trigger(kind=kind, public=False, source=source, loc=loc_of(node) or inst.loc))
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
    role = Role(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"))
    _set(role, "permissions_boundary", p, "permissions_boundary")
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
            out.locs[attr] = where(node, attr)
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
    _set(bucket, "acl", p, "acl")
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
    _set(bucket, "versioning", inst.props, "versioning_configuration", "status")


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
    queue = Queue(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"))
    key = _set(queue, "kms_key", p, "kms_master_key_id")
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
    topic = Topic(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"))
    _set(topic, "kms_key", p, "kms_master_key_id")
    if p.get("policy") not in (None, ""):
        topic.policy.extend(ctx.statements(p, "policy", inst.id, inst.loc))
    return topic, None


def build_table(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    table = Table(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"))
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
    _set(table, "point_in_time_recovery", p, "point_in_time_recovery", "enabled", transform=as_bool)
    return table, None


def build_stream(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    stream = Stream(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"))
    kind = p.get("encryption_type")
    if kind is not None:
        mode = kind if isinstance(kind, Unknown) else ("kms" if str(kind).upper() == "KMS" else "none")
        stream.set("encryption", mode, where(p, "encryption_type"))
        stream.kms_key = p.get("kms_key_id")
    return stream, None


def build_log_group(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    group = LogGroup(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"))
    _set(group, "kms_key", p, "kms_key_id")
    _set(group, "retention_days", p, "retention_in_days")

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
    _set(key, "rotation", p, "enable_key_rotation", transform=as_bool)
    if p.get("policy") not in (None, ""):
        key.policy = ctx.statements(p, "policy", inst.id, inst.loc)
    return key, None


# --- API Gateway -----------------------------------------------------------------------------


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
    api = Api(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"), api_kind="rest")
    types = get(p, "endpoint_configuration", "types")
    if isinstance(types, list):
        api.set("public", "PRIVATE" not in types, where(p, "endpoint_configuration", "types"))
    elif isinstance(types, Unknown):
        api.set("public", types, where(p, "endpoint_configuration", "types"))
    if p.get("body") is not None:
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
    _set(route, "method", p, "http_method")
    _set(route, "authorization", p, "authorization")
    _set(route, "api_key_required", p, "api_key_required", transform=as_bool)

    def link() -> None:
        route.api = ctx.entity(p, "rest_api_id", Api)
        route.path = _resource_path(ctx, p, "resource_id")
        resource_refs = set(ctx.refs(p, "resource_id"))
        for other in ctx.instances.values():
            if other.type != "aws_api_gateway_integration":
                continue
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
        stage.api = ctx.entity(inst.props, api_key, Api)
    return link


def build_rest_stage(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    stage = Stage(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "stage_name"))
    stage.stage_name = p.get("stage_name")
    _set(stage, "access_logging", p, "access_log_settings", "destination_arn")
    _set(stage, "tracing", p, "xray_tracing_enabled", transform=as_bool)
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


def build_method_settings(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props

    def link() -> None:
        settings = first(p, "settings")
        throttle = read_throttle(settings, "throttling_rate_limit", "throttling_burst_limit")
        if throttle is None:
            return
        api = ctx.entity(p, "rest_api_id", Api)
        path = p.get("method_path")
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
    plan = UsagePlan(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"))
    plan.throttle = read_throttle(first(p, "throttle_settings"), "rate_limit", "burst_limit")
    if plan.throttle is not None:
        plan.locs["throttle"] = plan.throttle.loc
    quota = first(p, "quota_settings")
    if quota is not None:
        plan.set("quota", quota, loc_of(quota))

    def link() -> None:
        for entry in each_block(p, "api_stages"):
            api = ctx.entity(entry, "api_id", Api)
            plan.stage_refs.append((entry.get("api_id"), entry.get("stage")))
            for stage in _stages_named(ctx, entry, "stage", api):
                if stage not in plan.stages:
                    plan.stages.append(stage)
    return plan, link


def build_http_api(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    protocol = p.get("protocol_type")
    api = Api(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"),
              api_kind="websocket" if protocol == "WEBSOCKET" else "http")
    if p.get("body") is not None:
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
    route.locs["method"] = where(p, "route_key")
    if isinstance(key, str) and " " in key:
        route.method, route.path = key.split(" ", 1)
    else:
        route.method, route.path = key, key
    _set(route, "authorization", p, "authorization_type")
    _set(route, "api_key_required", p, "api_key_required", transform=as_bool)

    def link() -> None:
        route.api = ctx.entity(p, "api_id", Api)
        integration = ctx.instance(p, "target", "aws_apigatewayv2_integration")
        if integration is not None:
            fn = ctx.entity(integration.props, "integration_uri", Function)
            if isinstance(fn, Function):
                route.target_functions.append(fn)
    return route, link


def build_v2_stage(ctx: BuildContext, inst: Instance) -> Built:
    p = inst.props
    stage = Stage(inst.id, ctx.tpl_resource(inst), inst.loc, name=_name(inst, "name"))
    stage.stage_name = p.get("name")
    throttle = read_throttle(first(p, "default_route_settings"), "throttling_rate_limit", "throttling_burst_limit")
    if throttle is not None:
        stage.throttle = throttle
        stage.locs["throttle"] = throttle.loc or inst.loc
    for settings in each_block(p, "route_settings"):
        throttle = read_throttle(settings, "throttling_rate_limit", "throttling_burst_limit")
        if throttle is not None:
            stage.route_throttles[str(settings.get("route_key"))] = throttle
    _set(stage, "access_logging", p, "access_log_settings", "destination_arn")
    return stage, _stage_common(ctx, inst, stage, "api_id")


def _holder(ctx: BuildContext, inst: Instance) -> Built:
    return LinkOnly(inst.id, ctx.tpl_resource(inst), inst.loc), None


BUILDERS: dict[str, Callable[[BuildContext, Instance], Built]] = {
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
# Linked after the others: they look for stages by API, and for buckets' own access blocks.
LATE = frozenset({"aws_s3_account_public_access_block", "aws_api_gateway_method_settings",
                   "aws_api_gateway_usage_plan"})


def build_template(tpl: Template, references: Any, instances: list[Instance], fmt: str = "terraform") -> Template:
    """Raw resources and entities of every instance, their references resolved (not yet linked)."""
    ctx = BuildContext(tpl, references)
    for inst in instances:
        ctx.instances[inst.key] = inst
        resource = Resource(inst.id, inst.type, fmt, inst.props, inst.loc, inst.file)
        ctx.resources[inst.key] = resource
        tpl.resources.append(resource)
    pending = [Pending(inst.key, inst.type, functools.partial(BUILDERS[inst.type], ctx, inst))
               for inst in instances if inst.mode == "managed" and inst.type in BUILDERS]
    build_and_link(tpl, pending, ctx.entities, LATE)
    return tpl
