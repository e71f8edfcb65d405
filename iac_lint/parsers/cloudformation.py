"""CloudFormation templates into raw resources and entities.

``CfnContext`` resolves intrinsic functions as far as a template allows
(parameter defaults, mappings, ``Sub``/``Join``/``Select`` of known parts);
everything else becomes an ``Unknown`` holding the expression.  The builders
below turn each known resource type into entities; references between
resources are set on the owning side; the link stage (``iac_lint.link``) does the rest.
SAM and the Serverless Framework reuse ``read_resources`` for the raw
CloudFormation they embed.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Callable, Iterator

from iac_lint.model import (
    Api, Bucket, Entity, Function, Key, LMap, LStr, Location, LogGroup, ManagedPolicyRef, Permission,
    PublicAccessBlock, Queue, Resource, Role, Route, Stage, Stream, Table, Template, Throttle, Topic,
    Trigger, Unknown, UsagePlan, get_path, key_loc, loc_of, locate_plain, path_loc, plain,
    value_loc,
)
from iac_lint.model.apigateway import route_key
from iac_lint.model.s3 import canned_acl, sse_mode
from iac_lint.parsers.kernel import Built, LinkOnly, Pending, build_and_link
from iac_lint.parsers.iam import branches, statements_from_document

_PLACE_PSEUDO_PARAMETERS = frozenset({"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix"})
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


def expression_text(value: Any) -> str:
    """A compact, readable rendering of an unresolved expression."""
    data = plain(value)
    if isinstance(data, dict) and len(data) == 1:
        (key, arg), = data.items()
        short = key.replace("Fn::", "!")
        if key == "Ref":
            short = "!Ref"
        return f"{short} {json.dumps(arg, default=str, separators=(',', ':'))}"
    return json.dumps(data, default=str, separators=(",", ":"))


class CfnContext:
    """Resolution of intrinsic functions for one template."""

    def __init__(self, file: str, fmt: str, data: Any, parameter_values: dict[str, Any] | None = None) -> None:
        self.file = file
        self.format = fmt
        self.data = data if isinstance(data, dict) else {}
        self.parameters: dict[str, Any] = {}
        params = self.data.get("Parameters")
        if isinstance(params, dict):
            for name, spec in params.items():
                if isinstance(spec, dict) and "Default" in spec:
                    self.parameters[str(name)] = spec["Default"]
                else:
                    self.parameters[str(name)] = Unknown(f"parameter {name}")
        for name, value in (parameter_values or {}).items():
            self.parameters[name] = value
        mappings = self.data.get("Mappings")
        self.mappings = mappings if isinstance(mappings, dict) else {}
        resources = self.data.get("Resources")
        self.resource_ids: set[str] = set(map(str, resources)) if isinstance(resources, dict) else set()
        self.entities: dict[str, Entity] = {}
        # SAM's implicit ServerlessRestApi/ServerlessHttpApi, created on first use by the SAM parser.
        self.implicit_apis: Any = None

    # --- resolution ----------------------------------------------------------

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """A plain value, or ``Unknown`` where the template does not say."""
        if depth > 32:
            return Unknown(expression_text(value))
        if isinstance(value, str):
            return str(value)
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            handler = self._INTRINSICS.get(str(key))
            if handler is not None:
                return handler(self, arg, value, depth + 1)
        return {str(k): self.resolve(v, depth + 1) for k, v in value.items()}

    def _ref(self, arg: Any, node: Any, depth: int) -> Any:
        name = str(arg) if isinstance(arg, str) else None
        if name == "AWS::NoValue":
            return None
        if name in self.parameters:
            return self.resolve(self.parameters[name], depth)
        return Unknown(expression_text(node))

    def _sub(self, arg: Any, node: Any, depth: int) -> Any:
        substituted = self.sub_partially(arg, depth)
        if substituted is None:
            return Unknown(expression_text(node))
        text, unresolved = substituted
        if not unresolved:
            return text
        # Only the account, region or partition missing: still a pattern rules can match.
        open_vars = {m.group(1).strip() for m in _SUB_VAR.finditer(text)}
        pattern = _SUB_VAR.sub("*", text) if open_vars <= _PLACE_PSEUDO_PARAMETERS else None
        return Unknown(expression_text(node), pattern)

    def sub_partially(self, arg: Any, depth: int = 0, mark: str = "") -> tuple[str, bool] | None:
        """``Fn::Sub``'s text with the variables that resolve substituted, and whether any did not.

        Unresolved ``${X}`` stay in the text as written, wrapped in ``mark`` when one is given so that
        the caller can tell them from an escaped ``${!Literal}``.  None when the argument is not a Sub's.
        """
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, variables = arg[0], arg[1]
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            return None
        unresolved = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal unresolved
            name = match.group(1).strip()
            if name in variables:
                value = self.resolve(variables[name], depth)
            elif name in self.parameters:
                value = self.resolve(self.parameters[name], depth)
            else:
                value = None
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
            unresolved = True
            return f"{mark}{match.group(0)}{mark}"

        return _SUB_VAR.sub(substitute, str(text)).replace("${!", "${"), unresolved

    def _join(self, arg: Any, node: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(expression_text(node))
        sep, parts = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
        if isinstance(sep, str) and isinstance(parts, list) and all(isinstance(p, (str, int)) for p in parts):
            return sep.join(str(p) for p in parts)
        return Unknown(expression_text(node))

    def _select(self, arg: Any, node: Any, depth: int) -> Any:
        if isinstance(arg, list) and len(arg) == 2:
            index, items = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
            try:
                index = int(index)
            except (TypeError, ValueError):
                return Unknown(expression_text(node))
            if isinstance(items, list) and 0 <= index < len(items):
                return items[index]
        return Unknown(expression_text(node))

    def _find_in_map(self, arg: Any, node: Any, depth: int) -> Any:
        if isinstance(arg, list) and len(arg) >= 3:
            keys = [self.resolve(a, depth) for a in arg[:3]]
            current: Any = self.mappings
            for key in keys:
                if not isinstance(key, (str, int)) or not isinstance(current, dict) or key not in current:
                    return Unknown(expression_text(node))
                current = current[key]
            return self.resolve(current, depth)
        return Unknown(expression_text(node))

    def _if(self, arg: Any, node: Any, depth: int) -> Any:
        if isinstance(arg, list) and len(arg) == 3:
            yes, no = self.resolve(arg[1], depth), self.resolve(arg[2], depth)
            if yes == no and not isinstance(yes, Unknown):
                return yes
        return Unknown(expression_text(node))

    def _opaque(self, arg: Any, node: Any, depth: int) -> Any:
        return Unknown(expression_text(node))

    _INTRINSICS: dict[str, Callable[..., Any]] = {
        "Ref": _ref, "Fn::Sub": _sub, "Fn::Join": _join, "Fn::Select": _select,
        "Fn::FindInMap": _find_in_map, "Fn::If": _if, "Fn::GetAtt": _opaque,
        "Fn::ImportValue": _opaque, "Fn::GetAZs": _opaque, "Fn::Split": _opaque,
        "Fn::Base64": _opaque, "Fn::Cidr": _opaque, "Fn::Length": _opaque, "Fn::ToJsonString": _opaque,
        "Fn::Transform": _opaque,
    }

    # --- references ----------------------------------------------------------

    def ref_target(self, value: Any) -> str | None:
        """The logical id a value points at (``!Ref X``, ``!GetAtt X.Arn``, ``!Sub ${X.Arn}``)."""
        targets = list(self.refs_in(value))
        return targets[0] if targets else None

    def refs_in(self, value: Any, depth: int = 0) -> Iterator[str]:
        """Every resource logical id referenced anywhere inside a value."""
        if depth > 32:
            return
        if isinstance(value, dict):
            for key, arg in value.items():
                if key == "Ref" and isinstance(arg, str) and arg in self.resource_ids:
                    yield str(arg)
                elif key == "Fn::GetAtt":
                    head = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(head, str):
                        head = head.split(".")[0]
                        if head in self.resource_ids:
                            yield head
                elif key == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(text, str):
                        for match in _SUB_VAR.finditer(text):
                            name = match.group(1).split(".")[0].strip()
                            if name in self.resource_ids:
                                yield name
                    if isinstance(arg, list) and len(arg) > 1:
                        yield from self.refs_in(arg[1], depth + 1)
                else:
                    yield from self.refs_in(arg, depth + 1)
        elif isinstance(value, list):
            for item in value:
                yield from self.refs_in(item, depth + 1)

    def entity_for(self, value: Any, cls: type[Entity] = Entity) -> Entity | None:
        """The entity a reference points at, if it is one of ``cls``."""
        for target in self.refs_in(value):
            entity = self.entities.get(target)
            if isinstance(entity, cls):
                return entity
        return None

    def name_or_arn(self, value: Any, cls: type[Entity]) -> Entity | None:
        """An entity referenced by Ref/GetAtt, or by its literal name or ARN."""
        found = self.entity_for(value, cls)
        if found is not None:
            return found
        literal = self.resolve(value)
        if isinstance(literal, str):
            tail = re.split(r"[:/]", literal)[-1]
            for entity in self.entities.values():
                if isinstance(entity, cls) and isinstance(entity.name, str) and entity.name in (literal, tail):
                    return entity
        return None


# --- reading -------------------------------------------------------------------


def _suppressions_from_metadata(metadata: Any) -> list[tuple[str, str, Location]]:
    """``Metadata: {iac-lint: {ignore: [{id: IAM001, reason: ...}]}}``."""
    out: list[tuple[str, str, Location]] = []
    if not isinstance(metadata, dict):
        return out
    block = metadata.get("iac-lint")
    if not isinstance(block, dict):
        return out
    entries = block.get("ignore")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("id"):
            where = loc_of(entry) or loc_of(block)
            reason = entry.get("reason")
            out.append((str(entry["id"]), str(reason) if reason else "", where))
        elif isinstance(entry, str):
            out.append((str(entry), "", loc_of(entry) or loc_of(block)))
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
        props = body.get("Properties", LMap(loc=header))
        if props is None:
            props = LMap(loc=header)
        if not isinstance(props, dict):
            tpl.problem("E001", f"Properties of {logical_id} must be a mapping", value_loc(body, "Properties") or header)
            continue
        resource = Resource(str(logical_id), str(rtype), ctx.format, props, header, ctx.file,
                            metadata=body.get("Metadata"))
        resource.suppressions = _suppressions_from_metadata(body.get("Metadata"))
        tpl.resources.append(resource)
        builder = builders.get(str(rtype))
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
    read_resources(ctx, tpl, data.get("Resources"))
    return tpl


# --- entity builders -----------------------------------------------------------
# Each builder returns (entity, link) where link() resolves references once
# every entity of the template exists, or None for types it does not model.







def _set(entity: Entity, fact: str, ctx: CfnContext, props: Any, *path: str) -> Any:
    raw = get_path(props, *path)
    if raw is None:
        return None
    value = ctx.resolve(raw)
    entity.set(fact, value, path_loc(props, *path))
    return value


def _opaque_block(ctx: CfnContext, node: Any) -> Unknown | None:
    """An Unknown when a whole property block is an unresolvable intrinsic (``!If [C, {...}, !Ref AWS::NoValue]``).

    Reading keys out of such a block finds none of them, which would otherwise read as "not configured".
    """
    if isinstance(node, dict) and len(node) == 1 and str(next(iter(node))) in CfnContext._INTRINSICS:
        resolved = ctx.resolve(node)
        if isinstance(resolved, Unknown):
            return resolved
    return None


def _name(ctx: CfnContext, props: Any, key: str) -> Any:
    raw = get_path(props, key)
    return ctx.resolve(raw) if raw is not None else None


def build_function(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    fn = Function(res.id, res, res.location, name=_name(ctx, p, "FunctionName") or res.id)
    _set(fn, "runtime", ctx, p, "Runtime")
    _set(fn, "handler", ctx, p, "Handler")
    _set(fn, "package_type", ctx, p, "PackageType")
    _set(fn, "reserved_concurrency", ctx, p, "ReservedConcurrentExecutions")
    _set(fn, "timeout", ctx, p, "Timeout")
    _set(fn, "memory", ctx, p, "MemorySize")
    _set(fn, "tracing", ctx, p, "TracingConfig", "Mode")
    _set(fn, "kms_key", ctx, p, "KmsKeyArn")
    _set(fn, "vpc", ctx, p, "VpcConfig")
    _set(fn, "dead_letter", ctx, p, "DeadLetterConfig", "TargetArn")
    read_environment(fn, ctx, get_path(p, "Environment", "Variables"))

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
        fn.locs[f"environment.{key}"] = value_loc(variables, key)


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
        for entry, _ in _entries(listed, where):
            if isinstance(entry, dict):
                name = ctx.resolve(entry.get("PolicyName"))
                role.statements.extend(statements_from_document(
                    policy_document(ctx, entry.get("PolicyDocument")), ctx.resolve, source=str(name),
                    fallback=loc_of(entry)))


def _entries(listed: Any, where: Location | None) -> list[tuple[Any, Location | None]]:
    """The items of a list, each ``Fn::If`` item replaced by its branches; nothing when not a list."""
    if not isinstance(listed, list):
        return []
    out: list[tuple[Any, Location | None]] = []
    for i, item in enumerate(listed):
        out.extend(branches(item, value_loc(listed, i) or where))
    return out


def read_managed_arns(role: Role, ctx: CfnContext, arns: Any) -> None:
    for listed, where in branches(arns, loc_of(arns)):
        for raw, item_loc in _entries(listed, where):
            managed = ctx.entity_for(raw)
            if managed is not None and isinstance(managed.resource.properties, dict):
                # A customer managed policy in the same template: its statements are known.
                role.statements.extend(statements_from_document(
                    policy_document(ctx, get_path(managed.resource.properties, "PolicyDocument")), ctx.resolve,
                    source=managed.id, fallback=managed.loc))
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


def build_role(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    role = Role(res.id, res, res.location, name=_name(ctx, p, "RoleName") or res.id)
    read_policies_list(role, ctx, get_path(p, "Policies"))
    _set(role, "permissions_boundary", ctx, p, "PermissionsBoundary")
    for stmt in statements_from_document(get_path(p, "AssumeRolePolicyDocument"), ctx.resolve):
        role.assume_principals.extend(stmt.principals)

    def link() -> None:
        read_managed_arns(role, ctx, get_path(p, "ManagedPolicyArns"))
    return role, link


def build_policy(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    holder = LinkOnly(res.id, res, res.location, name=_name(ctx, p, "PolicyName") or res.id)

    def link() -> None:
        roles = get_path(p, "Roles")
        for listed, where in branches(roles, loc_of(roles)):
            for raw, _ in _entries(listed, where):
                role = ctx.name_or_arn(raw, Role)
                if role is not None:
                    role.statements.extend(statements_from_document(
                        policy_document(ctx, get_path(p, "PolicyDocument")), ctx.resolve, source=res.id,
                        fallback=res.location))
    return holder, link


def build_permission(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    perm = Permission(res.id, res, res.location)
    _set(perm, "action", ctx, p, "Action")
    _set(perm, "principal", ctx, p, "Principal")
    _set(perm, "source_arn", ctx, p, "SourceArn")
    _set(perm, "source_account", ctx, p, "SourceAccount")
    _set(perm, "principal_org_id", ctx, p, "PrincipalOrgID")
    _set(perm, "function_url_auth_type", ctx, p, "FunctionUrlAuthType")
    perm.target = _name(ctx, p, "FunctionName")

    def link() -> None:
        fn = ctx.name_or_arn(get_path(p, "FunctionName"), Function)
        if isinstance(fn, Function):
            perm.function = fn
    return perm, link


def build_function_url(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    holder = LinkOnly(res.id, res, res.location)

    def link() -> None:
        fn = ctx.name_or_arn(get_path(p, "TargetFunctionArn"), Function)
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
    opaque = _opaque_block(ctx, block)
    if opaque is not None:  # the whole block behind a condition: every setting unknown
        return PublicAccessBlock(opaque, opaque, opaque, opaque, loc=loc_of(block))
    out = PublicAccessBlock(loc=loc_of(block))
    for key, attr in (("BlockPublicAcls", "block_public_acls"), ("BlockPublicPolicy", "block_public_policy"),
                      ("IgnorePublicAcls", "ignore_public_acls"), ("RestrictPublicBuckets", "restrict_public_buckets")):
        if key in block:
            setattr(out, attr, ctx.resolve(block[key]))
            out.locs[attr] = value_loc(block, key)
    return out


def build_bucket(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    bucket = Bucket(res.id, res, res.location, name=_name(ctx, p, "BucketName") or res.id)
    rules = get_path(p, "BucketEncryption", "ServerSideEncryptionConfiguration")
    opaque = _opaque_block(ctx, get_path(p, "BucketEncryption"))
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
        bucket.locs["public_access_block"] = path_loc(p, "PublicAccessBlockConfiguration")
        # A setting left out is reported at the block's key, not at whichever sibling setting comes first.
        bucket.public_access_block.loc = key_loc(p, "PublicAccessBlockConfiguration") or bucket.public_access_block.loc
    acl = get_path(p, "AccessControl")
    if acl is not None:
        bucket.set("acl", canned_acl(ctx.resolve(acl)), path_loc(p, "AccessControl"))
    _set(bucket, "versioning", ctx, p, "VersioningConfiguration", "Status")
    _set(bucket, "logging", ctx, p, "LoggingConfiguration")

    def link() -> None:
        configs = get_path(p, "NotificationConfiguration", "LambdaConfigurations")
        for entry in configs if isinstance(configs, list) else []:
            fn = ctx.entity_for(get_path(entry, "Function"), Function)
            if isinstance(fn, Function):
                fn.triggers.append(Trigger(kind="s3", source=bucket.id, loc=loc_of(entry)))
    return bucket, link


def _resource_policy(cls: type[Entity], targets_key: str) -> Callable[..., Built]:
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
                        policy_document(ctx, get_path(p, "PolicyDocument")), ctx.resolve, source=res.id, fallback=res.location))
        return holder, link
    return build


def build_queue(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    queue = Queue(res.id, res, res.location, name=_name(ctx, p, "QueueName") or res.id)
    key = _set(queue, "kms_key", ctx, p, "KmsMasterKeyId")
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
    topic = Topic(res.id, res, res.location, name=_name(ctx, p, "TopicName") or res.id)
    _set(topic, "kms_key", ctx, p, "KmsMasterKeyId")

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
    enabled = _opaque_block(ctx, sse) or ctx.resolve(get_path(sse, "SSEEnabled"))
    key = ctx.resolve(get_path(sse, "KMSMasterKeyId"))
    where = path_loc(p, "SSESpecification")
    if isinstance(enabled, Unknown):
        table.set("encryption", enabled, where)
    elif enabled is True or (isinstance(enabled, str) and enabled.lower() == "true"):
        table.set("encryption", "customer-managed" if key is not None else "aws-managed", where)
        table.kms_key = key


def build_table(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    table = Table(res.id, res, res.location, name=_name(ctx, p, "TableName") or res.id)
    read_table_sse(ctx, table, p)
    _set(table, "point_in_time_recovery", ctx, p, "PointInTimeRecoverySpecification",
         "PointInTimeRecoveryEnabled")
    return table, None


def build_stream(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    stream = Stream(res.id, res, res.location, name=_name(ctx, p, "Name") or res.id)
    enc = get_path(p, "StreamEncryption")
    if enc is not None:
        kind = _opaque_block(ctx, enc) or ctx.resolve(get_path(enc, "EncryptionType"))
        mode = kind if isinstance(kind, Unknown) else ("kms" if kind == "KMS" else "none")
        # At the encryption type itself (a sibling KeyId may come first), else at the block.
        stream.set("encryption", mode, path_loc(p, "StreamEncryption", "EncryptionType") or path_loc(p, "StreamEncryption"))
        stream.kms_key = ctx.resolve(get_path(enc, "KeyId"))
    return stream, None


def build_log_group(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    group = LogGroup(res.id, res, res.location, name=_name(ctx, p, "LogGroupName") or res.id)
    _set(group, "kms_key", ctx, p, "KmsKeyId")
    _set(group, "retention_days", ctx, p, "RetentionInDays")
    return group, None


def build_key(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    key = Key(res.id, res, res.location, name=res.id)
    _set(key, "rotation", ctx, p, "EnableKeyRotation")
    key.policy = statements_from_document(policy_document(ctx, get_path(p, "KeyPolicy")), ctx.resolve, source=res.id, fallback=res.location)
    return key, None


# --- API Gateway ---------------------------------------------------------------


def read_throttle(ctx: CfnContext, node: Any, rate_key: str, burst_key: str) -> Throttle | None:
    if not isinstance(node, dict) or (rate_key not in node and burst_key not in node):
        return None
    return Throttle(rate_limit=ctx.resolve(node.get(rate_key)), burst_limit=ctx.resolve(node.get(burst_key)),
                    loc=loc_of(node))


def read_method_settings(ctx: CfnContext, stage: Stage, settings: Any) -> None:
    """REST ``MethodSettings``: ``/*`` + ``*`` is stage-wide; others are per method."""
    for entry in settings if isinstance(settings, list) else []:
        throttle = read_throttle(ctx, entry, "ThrottlingRateLimit", "ThrottlingBurstLimit")
        if throttle is None:
            continue
        path = ctx.resolve(entry.get("ResourcePath", "/*"))
        method = ctx.resolve(entry.get("HttpMethod", "*"))
        if path in ("/*", "*", "/*/*") and method == "*":
            stage.throttle = throttle
            stage.locs["throttle"] = throttle.loc
        else:
            stage.route_throttles[route_key(method, path)] = throttle


def build_rest_api(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    api = Api(res.id, res, res.location, name=_name(ctx, p, "Name") or res.id, api_kind="rest")
    types = ctx.resolve(get_path(p, "EndpointConfiguration", "Types"))
    if isinstance(types, list):
        api.set("public", "PRIVATE" not in types, path_loc(p, "EndpointConfiguration"))
    elif isinstance(types, Unknown):
        api.set("public", types, path_loc(p, "EndpointConfiguration"))
    if get_path(p, "Body") is not None or get_path(p, "BodyS3Location") is not None:
        # Routes live in an OpenAPI body we do not model; leave its authorization unknown.
        api.default_authorization = Unknown("OpenAPI body")
    return api, None


def build_method(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    route = Route(res.id, res, res.location)
    _set(route, "method", ctx, p, "HttpMethod")
    _set(route, "authorization", ctx, p, "AuthorizationType")
    _set(route, "api_key_required", ctx, p, "ApiKeyRequired")

    def link() -> None:
        route.path = rest_resource_path(ctx, get_path(p, "ResourceId"))
        route.api = ctx.entity_for(get_path(p, "RestApiId"), Api)
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
        props = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
        part = ctx.resolve(props.get("PathPart"))
        parts.append(part if isinstance(part, str) else "{?}")
        current = props.get("ParentId")
    return "/" + "/".join(reversed(parts))


def build_rest_stage(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    stage = Stage(res.id, res, res.location, name=_name(ctx, p, "StageName") or res.id)
    stage.stage_name = stage.name
    read_method_settings(ctx, stage, get_path(p, "MethodSettings"))
    _set(stage, "access_logging", ctx, p, "AccessLogSetting", "DestinationArn")
    _set(stage, "tracing", ctx, p, "TracingEnabled")

    def link() -> None:
        stage.api = ctx.entity_for(get_path(p, "RestApiId"), Api)
    return stage, link


def build_deployment(ctx: CfnContext, tpl: Template, res: Resource) -> Built | None:
    """A Deployment with ``StageName`` creates a stage, configured by ``StageDescription``."""
    p = res.properties
    if get_path(p, "StageName") is None:
        return None
    stage = Stage(res.id, res, res.location, name=_name(ctx, p, "StageName"))
    stage.stage_name = stage.name
    desc = get_path(p, "StageDescription")
    if isinstance(desc, dict):
        throttle = read_throttle(ctx, desc, "ThrottlingRateLimit", "ThrottlingBurstLimit")
        if throttle is not None:
            stage.throttle = throttle
            stage.locs["throttle"] = throttle.loc
        read_method_settings(ctx, stage, desc.get("MethodSettings"))
        _set(stage, "access_logging", ctx, desc, "AccessLogSetting", "DestinationArn")
        _set(stage, "tracing", ctx, desc, "TracingEnabled")

    def link() -> None:
        stage.api = ctx.entity_for(get_path(p, "RestApiId"), Api)
    return stage, link


def build_usage_plan(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    plan = UsagePlan(res.id, res, res.location, name=_name(ctx, p, "UsagePlanName") or res.id)
    plan.throttle = read_throttle(ctx, get_path(p, "Throttle"), "RateLimit", "BurstLimit")
    _set(plan, "quota", ctx, p, "Quota")

    def link() -> None:
        stages = get_path(p, "ApiStages")
        for entry in stages if isinstance(stages, list) else []:
            api = ctx.entity_for(get_path(entry, "ApiId"), Api)
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
    api = Api(res.id, res, res.location, name=_name(ctx, p, "Name") or res.id,
              api_kind="websocket" if protocol == "WEBSOCKET" else "http")
    if get_path(p, "Body") is not None or get_path(p, "BodyS3Location") is not None:
        api.default_authorization = Unknown("OpenAPI body")

    def link() -> None:
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
    route.locs["method"] = path_loc(p, "RouteKey")
    if isinstance(key, str) and " " in key:
        route.method, route.path = key.split(" ", 1)
    else:
        route.method, route.path = key, key
    _set(route, "authorization", ctx, p, "AuthorizationType")
    _set(route, "api_key_required", ctx, p, "ApiKeyRequired")

    def link() -> None:
        route.api = ctx.entity_for(get_path(p, "ApiId"), Api)
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
        stage.locs["throttle"] = throttle.loc
    routes = get_path(props, "RouteSettings")
    if isinstance(routes, dict):
        for key, settings in routes.items():
            route_throttle = read_throttle(ctx, settings, "ThrottlingRateLimit", "ThrottlingBurstLimit")
            if route_throttle is not None:
                stage.route_throttles[str(key)] = route_throttle


def build_v2_stage(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    p = res.properties
    stage = Stage(res.id, res, res.location, name=_name(ctx, p, "StageName") or res.id)
    stage.stage_name = stage.name
    read_http_stage_throttles(ctx, stage, p)
    _set(stage, "access_logging", ctx, p, "AccessLogSettings", "DestinationArn")

    def link() -> None:
        stage.api = ctx.entity_for(get_path(p, "ApiId"), Api)
    return stage, link


def _holder(ctx: CfnContext, tpl: Template, res: Resource) -> Built:
    return LinkOnly(res.id, res, res.location), None


BUILDERS: dict[str, Callable[[CfnContext, Template, Resource], Built]] = {
    "AWS::Lambda::Function": build_function,
    "AWS::Lambda::Permission": build_permission,
    "AWS::Lambda::Url": build_function_url,
    "AWS::Lambda::EventSourceMapping": build_event_source_mapping,
    "AWS::IAM::Role": build_role,
    "AWS::IAM::Policy": build_policy,
    "AWS::IAM::ManagedPolicy": build_policy,
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
    "AWS::Logs::LogGroup": build_log_group,
    "AWS::KMS::Key": build_key,
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
# Linked after the others: a usage plan matches stages by their API, which a Deployment's or Stage's own
# link sets (and SAM creates implicit APIs and stages while linking a function's events).
LATE = frozenset({"AWS::ApiGateway::UsagePlan"})
