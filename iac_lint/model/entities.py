"""Provider-neutral facts that the built-in rules read.

Every format's parser builds these same classes, so a rule written against
them holds for CloudFormation, SAM, the Serverless Framework and Terraform.
Each entity points back at its raw ``Resource`` and keeps, in ``locs``, where
each fact was written (``"encryption"`` -> the node that set it).  A fact that
was never written has no entry; rules then point at the entity's header
``loc``.

Entities are slots dataclasses but not frozen: the linker fills in
cross-references (a role's functions, a bucket's policy) after parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeAlias

from iac_lint.model.core import Location, Resource, Unknown

# A fact's value: a literal, an Unknown, or lists/mappings of those (resolved CloudFormation/Terraform data).
Value: TypeAlias = str | int | float | bool | Unknown | list["Value"] | dict[str, "Value"] | None


@dataclass(slots=True, eq=False)
class Entity:
    kind: ClassVar[str] = "entity"

    id: str
    resource: Resource
    loc: Location
    name: Value = None
    locs: dict[str, Location] = field(default_factory=dict)

    @property
    def format(self) -> str:
        return self.resource.format

    def where(self, fact: str) -> Location:
        """Where ``fact`` was written, or the entity's header when it was not."""
        return self.locs.get(fact) or self.loc

    def set(self, fact: str, value: Value | Entity, loc: Location | None) -> None:
        """Set a fact (a value, or the entity it references: a function's role) and remember the node that set it."""
        setattr(self, fact, value)
        if loc is not None:
            self.locs[fact] = loc


# --- IAM ---------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class PolicyStatement:
    """One IAM statement, whatever wrote it.

    ``actions`` etc. are lists of strings (or ``Unknown``); ``locs`` maps
    ``"actions.3"`` to where the fourth action was written, and
    ``"statement"`` to the statement itself.  Principals are normalized to
    ``"*"`` or ``"<Kind>:<value>"`` (``"AWS:*"``, ``"Service:sns.amazonaws.com"``).
    """

    effect: Value = "Allow"
    actions: list[Value] = field(default_factory=list)
    not_actions: list[Value] = field(default_factory=list)
    resources: list[Value] = field(default_factory=list)
    not_resources: list[Value] = field(default_factory=list)
    principals: list[Value] = field(default_factory=list)
    not_principals: list[Value] = field(default_factory=list)
    conditions: dict[str, Any] = field(default_factory=dict)  # Values inside; the model reference says "mapping"
    sid: Value = None
    # Where the statement came from: "inline", a policy name, "template:S3CrudPolicy", "managed:arn..."
    source: str = "inline"
    loc: Location | None = None
    locs: dict[str, Location] = field(default_factory=dict)
    # False when the statement was written in a scanned file; True when it was
    # expanded from a managed policy or template (its location then points at
    # the reference that brought it in).
    expanded: bool = False

    def where(self, fact: str) -> Location | None:
        return self.locs.get(fact) or self.loc

    @property
    def span(self) -> Location | None:
        """The statement from its first node to the end of the last fact written in it.

        A parser's node for a block mapping runs on to where the next one starts (blank and comment lines
        included); a finding about the statement covers only what the statement says.
        """
        start = self.locs.get("statement") or self.loc
        if start is None:
            return None
        inside = [loc for fact, loc in self.locs.items() if fact != "statement" and loc.file == start.file and
                  (loc.line, loc.column) >= (start.line, start.column) and
                  (loc.end_line or loc.line, loc.end_column or loc.column) <=
                  (start.end_line or start.line, start.end_column or start.column)]
        if not inside or not start.end_line:
            return start
        end = max((loc.end_line or loc.line, loc.end_column or loc.column) for loc in inside)
        return Location(start.file, start.line, start.column, end[0], end[1])


@dataclass(slots=True, eq=False)
class ManagedPolicyRef:
    """A managed policy attached by ARN or name (``AdministratorAccess``)."""

    arn: Value
    loc: Location | None = None

    @property
    def short_name(self) -> str | None:
        if isinstance(self.arn, str):
            return self.arn.rsplit("/", 1)[-1]
        return None


@dataclass(slots=True, eq=False)
class Role(Entity):
    """An IAM principal: a role, or (``principal_kind``) a user or a group, which hold policies the same way.

    ``statements`` are the principal's own inline statements; the standalone
    and managed policies of the unit attached to it are ``policies``.  Its
    effective permissions are ``effective_statements``, their union.
    """

    kind: ClassVar[str] = "role"

    statements: list[PolicyStatement] = field(default_factory=list)
    managed_policies: list[ManagedPolicyRef] = field(default_factory=list)
    permissions_boundary: Value = None
    assume_principals: list[Value] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    # True when the role is defined outside the scanned files (an ARN): its policies are unknown.
    external: bool = False
    principal_kind: str = "role"  # "role", "user" or "group"
    policies: list[IdentityPolicy] = field(default_factory=list)

    @property
    def effective_statements(self) -> list[PolicyStatement]:
        return [*self.statements, *(stmt for policy in self.policies for stmt in policy.statements)]

    @property
    def label(self) -> str:
        """``Role X``, ``User X``, ``Group X``; ``role X (defined elsewhere)`` for an external one."""
        text = f"{self.principal_kind.capitalize()} {self.id}"
        return f"{text} (defined elsewhere)" if self.external else text


@dataclass(slots=True, eq=False)
class IdentityPolicy(Entity):
    """One identity-policy document, evaluated once wherever it lives (DESIGN.md, "The model").

    A principal's inline statements (``inline``: its id and resource are the
    principal's), or a standalone document: CloudFormation ``AWS::IAM::Policy``
    / ``ManagedPolicy``, Terraform ``aws_iam_policy`` / ``aws_iam_*_policy``, a
    policy document nothing in the unit consumes.  ``principals`` are what it is
    attached to (roles, users, groups of the unit, or placeholders for ones
    defined elsewhere); none when it is attached to nothing the unit shows.
    Trust policies are never identity policies.
    """

    kind: ClassVar[str] = "identity_policy"

    statements: list[PolicyStatement] = field(default_factory=list)
    principals: list[Role] = field(default_factory=list)
    inline: bool = False

    def attach(self, principal: Role) -> None:
        if not any(p is principal for p in self.principals):
            self.principals.append(principal)
        if not any(p is self for p in principal.policies):
            principal.policies.append(self)

    @property
    def functions(self) -> list[Function]:
        """The functions that run with this document (through the roles it is attached to)."""
        out: list[Function] = []
        for principal in self.principals:
            out.extend(fn for fn in principal.functions if not any(fn is seen for seen in out))
        return out

    @property
    def subject(self) -> str:
        """How findings name the document: ``Role X`` for inline statements, else the policy and its holders."""
        if self.inline and self.principals:
            return self.principals[0].label
        holders = ", ".join(p.label[0].lower() + p.label[1:] for p in self.principals)
        return f"Policy {self.id} ({'attached to ' + holders if holders else 'attached to nothing in this unit'})"


# --- Compute -----------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Trigger:
    """Something that invokes a function.

    ``kind``: api, http-api, websocket, url, s3, sqs, sns, schedule, stream,
    eventbridge, alb, cloudfront, cognito, iot, other.  ``public`` is True,
    False or Unknown.
    """

    kind: str
    public: Value = False
    api: Api | None = None
    route: Route | None = None
    source: Value = None
    loc: Location | None = None


@dataclass(slots=True, eq=False)
class ResourceLink:
    """A resource of the unit that a function is wired to: an event source, or one its environment names."""

    entity: Entity
    via: str  # "event:sqs", "event:stream", "environment:TABLE_NAME"


@dataclass(slots=True, eq=False)
class Function(Entity):
    kind: ClassVar[str] = "function"

    runtime: Value = None
    handler: Value = None
    package_type: Value = None
    role: Role | None = None
    environment: dict[str, Value] = field(default_factory=dict)
    # Keys of ``environment`` whose value is a literal written at the variable itself, not a reference,
    # parameter or variable resolved from elsewhere (what a reader of the function's configuration sees).
    literal_environment: list[str] = field(default_factory=list)
    reserved_concurrency: Value = None
    timeout: Value = None
    memory: Value = None
    tracing: Value = None
    url_auth_type: Value = None  # None: no function URL; "NONE" / "AWS_IAM" / Unknown
    # True when the framework writes the URL's resource-policy grants itself (SAM ``FunctionUrlConfig``,
    # serverless ``url``); otherwise they are ``permissions`` of the unit, or live outside it.
    url_grants_implicit: bool = False
    triggers: list[Trigger] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    vpc: Value = None
    dead_letter: Value = None
    kms_key: Value = None
    log_group: LogGroup | None = None
    # The log group named by ``LoggingConfig``/``logging_config`` (instead of ``/aws/lambda/<name>``), if any.
    log_group_name: Value = None
    # Buckets, tables, queues, topics and streams of the unit that the function's event sources and
    # environment variables name (filled in by the link stage).
    linked_resources: list[ResourceLink] = field(default_factory=list)
    # True for the placeholder of a function a URL or permission names but the unit does not define: its
    # own settings are Unknown.
    external: bool = False

    @property
    def public_triggers(self) -> list[Trigger]:
        return [t for t in self.triggers if t.public is True]


@dataclass(slots=True, eq=False)
class Permission(Entity):
    """A resource-based policy grant: ``AWS::Lambda::Permission``, ``aws_lambda_permission``."""

    kind: ClassVar[str] = "permission"

    target_kind: str = "function"
    target: Value = None  # the referenced name/ref, resolved into ``function`` by the linker
    function: Function | None = None
    action: Value = None
    principal: Value = None
    source_arn: Value = None
    source_account: Value = None
    principal_org_id: Value = None
    function_url_auth_type: Value = None


# --- Storage -----------------------------------------------------------------


@dataclass(slots=True, eq=False)
class PublicAccessBlock:
    block_public_acls: Value = None
    block_public_policy: Value = None
    ignore_public_acls: Value = None
    restrict_public_buckets: Value = None
    loc: Location | None = None
    locs: dict[str, Location] = field(default_factory=dict)

    FLAGS: ClassVar[tuple[str, ...]] = (
        "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets",
    )


@dataclass(slots=True, eq=False)
class Bucket(Entity):
    kind: ClassVar[str] = "bucket"

    # "none" (nothing written: S3's default SSE-S3 applies), "sse-s3", "kms", "kms-dsse", or Unknown
    encryption: Value = "none"
    kms_key: Value = None
    public_access_block: PublicAccessBlock | None = None
    acl: Value = None
    policy: list[PolicyStatement] = field(default_factory=list)
    versioning: Value = None
    logging: Value = None
    # True when the bucket was not defined here (e.g. ``existing: true``); settings then unknown.
    external: bool = False


@dataclass(slots=True, eq=False)
class Queue(Entity):
    kind: ClassVar[str] = "queue"

    # "none", "sse-sqs", "kms", or Unknown; ``explicit_disabled`` when the template turns SSE off.
    encryption: Value = "sse-sqs"
    explicit_disabled: bool = False
    kms_key: Value = None
    policy: list[PolicyStatement] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Topic(Entity):
    kind: ClassVar[str] = "topic"

    kms_key: Value = None
    policy: list[PolicyStatement] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Table(Entity):
    kind: ClassVar[str] = "table"

    # "aws-owned" (the default), "aws-managed", "customer-managed", or Unknown
    encryption: Value = "aws-owned"
    kms_key: Value = None
    point_in_time_recovery: Value = None


@dataclass(slots=True, eq=False)
class Stream(Entity):
    """A Kinesis data stream, or a Firehose delivery stream (``service``), holding records at rest."""

    kind: ClassVar[str] = "stream"

    # "none" or "kms" or Unknown; "source" for a delivery stream that reads a Kinesis stream or MSK topic
    # (its records are as encrypted as the source's, and it takes no encryption setting of its own).
    encryption: Value = "none"
    kms_key: Value = None
    service: str = "kinesis"  # "kinesis" or "firehose"


@dataclass(slots=True, eq=False)
class LogGroup(Entity):
    kind: ClassVar[str] = "log_group"

    kms_key: Value = None
    retention_days: Value = None
    # Created by a framework from a setting shared by many groups (the Serverless Framework's group per
    # function, governed by ``provider.logRetentionInDays``), not written in the template: a finding about
    # it belongs at that setting, once.
    generated: bool = False


# --- APIs --------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Throttle:
    rate_limit: Value = None
    burst_limit: Value = None
    loc: Location | None = None

    @property
    def is_set(self) -> bool:
        return self.rate_limit is not None or self.burst_limit is not None


@dataclass(slots=True, eq=False)
class Route(Entity):
    """A REST method or an HTTP/WebSocket API route."""

    kind: ClassVar[str] = "route"

    api: Api | None = None
    method: Value = None  # GET, POST, ANY, OPTIONS, $connect ...
    path: Value = None
    # NONE, AWS_IAM, COGNITO_USER_POOLS, CUSTOM, JWT, or Unknown; None when not written
    authorization: Value = None
    api_key_required: Value = None
    target_functions: list[Function] = field(default_factory=list)
    throttle: Throttle | None = None

    @property
    def is_preflight(self) -> bool:
        return isinstance(self.method, str) and self.method.upper() == "OPTIONS"


@dataclass(slots=True, eq=False)
class UsagePlan(Entity):
    kind: ClassVar[str] = "usage_plan"

    throttle: Throttle | None = None
    quota: Value = None
    stages: list[Stage] = field(default_factory=list)
    stage_refs: list[tuple[Value, Value]] = field(default_factory=list)  # (api ref, stage name) for the linker


@dataclass(slots=True, eq=False)
class Stage(Entity):
    kind: ClassVar[str] = "stage"

    api: Api | None = None
    stage_name: Value = None
    # Stage-wide throttle: REST MethodSettings for "/*/*", HTTP DefaultRouteSettings.
    throttle: Throttle | None = None
    # Per-route/method throttles: key "GET /pets" or "*/*".
    route_throttles: dict[str, Throttle] = field(default_factory=dict)
    usage_plans: list[UsagePlan] = field(default_factory=list)
    access_logging: Value = None  # destination arn, True, or None
    tracing: Value = None
    # Full request/response logging (REST ``DataTraceEnabled``, serverless ``fullExecutionData``): True when
    # any method or route of the stage has it, False/None when none does, or Unknown.
    data_trace: Value = None
    # Stage-wide execution log level: "OFF", "ERROR", "INFO", None when not written, or Unknown.
    execution_log_level: Value = None


@dataclass(slots=True, eq=False)
class Api(Entity):
    kind: ClassVar[str] = "api"

    api_kind: str = "rest"  # rest, http, websocket
    # True unless the endpoint is private (REST ``PRIVATE`` endpoint type); Unknown when not static.
    public: Value = True
    default_authorization: Value = None
    stages: list[Stage] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    # True when iac-lint built the API from events (SAM implicit API, Serverless ``http`` events).
    implicit: bool = False
    # True for the placeholder of an API its methods, routes or stages name but the unit does not define.
    external: bool = False

    @property
    def label(self) -> str:
        """How findings name the API: ``API Orders``, or ``API defined elsewhere (!ImportValue shared-api)``."""
        return f"API defined elsewhere ({self.id})" if self.external else f"API {self.id}"


@dataclass(slots=True, eq=False)
class Key(Entity):
    kind: ClassVar[str] = "key"

    rotation: Value = None
    policy: list[PolicyStatement] = field(default_factory=list)


# --- Inputs ------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Parameter(Entity):
    """A template's input: a CloudFormation/SAM ``Parameters`` entry, a Terraform root ``variable``.

    ``default`` is the literal default written in the file (None without one); ``sensitive`` is
    ``NoEcho: true`` or ``sensitive = true`` (output hides the value), True, False or Unknown.
    """

    kind: ClassVar[str] = "parameter"

    default: Value = None
    sensitive: Value = False


ENTITY_TYPES: dict[str, type[Entity]] = {
    cls.kind: cls
    for cls in (Function, Role, IdentityPolicy, Permission, Bucket, Queue, Topic, Table, Stream, LogGroup,
                Api, Stage, Route, UsagePlan, Key, Parameter)
}


# --- Data view for JMESPath rules --------------------------------------------

_SKIP = frozenset({"resource", "locs", "loc"})


def entity_data(obj: Any, depth: int = 0) -> Any:
    """A plain-data view of an entity for JMESPath rules.

    ``Unknown`` becomes ``{"unknown": expr}`` so that comparisons with real
    values are false and ``unknown(x)`` can test for it.  Nested entities are
    expanded one level; deeper ones are given by id to keep cycles out.
    """
    if isinstance(obj, Unknown):
        return {"unknown": obj.expr}
    if isinstance(obj, Entity):
        if depth > 1:
            return {"id": obj.id, "kind": obj.kind}
        out: dict[str, Any] = {"kind": obj.kind, "format": obj.format, "type": obj.resource.type}
        for f in fields(obj):
            if f.name in _SKIP:
                continue
            out[f.name] = entity_data(getattr(obj, f.name), depth + 1)
        return out
    if isinstance(obj, (list, tuple)):
        return [entity_data(v, depth) for v in obj]
    if isinstance(obj, dict):
        return {str(k): entity_data(v, depth) for k, v in obj.items()}
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: entity_data(getattr(obj, f.name), depth) for f in fields(obj) if f.name not in _SKIP}
    if isinstance(obj, str):
        return str(obj)
    return obj
