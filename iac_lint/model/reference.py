"""What each entity kind and field means: the source of ``docs/model.md`` and of rule validation.

The meaning of a field is written here, next to its kind, rather than as
metadata on the dataclass fields: the entities are built by every parser and
kept lean, and one table is easier to review than prose scattered over field
declarations.  ``tests/test_model_docs.py`` keeps the two in step: a field
without a line here (or a line without a field) fails the suite, and the
committed ``docs/model.md`` must equal a fresh rendering.

Types are read from the dataclass annotations; ``Value`` means a scalar as
written (string, number, boolean or null) or an ``Unknown``.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from typing import Any

from iac_lint.model.entities import (
    ENTITY_TYPES,
    ManagedPolicyRef,
    PolicyStatement,
    PublicAccessBlock,
    Throttle,
    Trigger,
)

# Fields every entity has (``Entity``), documented once.
COMMON_FIELDS: dict[str, str] = {
    "id": "The resource's id in its file: CloudFormation logical id, Terraform `type.name` address, "
          "Serverless function key.",
    "name": "The physical name when the template sets one (`BucketName`, `FunctionName`, Terraform `name`), "
            "else null.",
}
# What a rule's data has besides the fields (``entity_data``): not dataclass fields, computed.
DATA_FIELDS: dict[str, str] = {
    "kind": "The entity kind (`function`, `bucket`, ...): what `applies_to` names.",
    "format": "The format it was read from: `cloudformation`, `sam`, `serverless`, `terraform`, "
              "`terraform-plan`.",
    "type": "The raw resource type it was built from (`AWS::Lambda::Function`, `aws_lambda_function`, "
            "`serverless:function`).",
}
# Fields that are plumbing, not facts: never shown to rule authors.
INTERNAL_FIELDS = frozenset({"resource", "loc", "locs"})

KIND_DOCS: dict[str, str] = {
    "function": "A Lambda function: `AWS::Lambda::Function`, `AWS::Serverless::Function`, a Serverless "
                "`functions:` entry, `aws_lambda_function`.",
    "role": "An IAM role with its identity-policy statements, wherever they were written (inline, policy "
            "resources, SAM policy templates, Serverless `iam.role.statements`, Terraform policy documents).",
    "permission": "A resource-based grant to invoke a function: `AWS::Lambda::Permission`, "
                  "`aws_lambda_permission`.",
    "bucket": "An S3 bucket, with its split-out settings (encryption, public access block, bucket policy) "
              "attached.",
    "queue": "An SQS queue and its queue policy.",
    "topic": "An SNS topic and its topic policy.",
    "table": "A DynamoDB table.",
    "stream": "A Kinesis data stream or a Firehose delivery stream.",
    "identity_policy": "One identity-policy document, judged once wherever it lives: a principal's inline "
                       "statements, a standalone or managed policy, a policy document nothing reads.",
    "log_group": "A CloudWatch Logs log group.",
    "api": "An API Gateway API: REST (v1), HTTP or WebSocket (v2), explicit or built from function events.",
    "stage": "A deployed stage of an API, with its throttling, usage plans, access logs and tracing.",
    "route": "A REST method or an HTTP/WebSocket route, with its authorization and target functions.",
    "usage_plan": "An API Gateway usage plan: throttle and quota for API-key callers of some stages.",
    "key": "A KMS key.",
    "parameter": "A template input: a CloudFormation/SAM `Parameters` entry or a Terraform root-module "
                 "`variable`, with its literal default.",
}

FIELD_DOCS: dict[str, dict[str, str]] = {
    "function": {
        "runtime": "`python3.12`, `nodejs20.x`, ...; null for a container image function.",
        "handler": "The handler as written (`app.handler`).",
        "package_type": "`Zip` or `Image` when written, else null.",
        "role": "The execution role (a link to a `role`), or null when none could be resolved.",
        "environment": "Environment variables, name -> value; `at: environment.NAME` points at one.",
        "reserved_concurrency": "Reserved concurrent executions (`ReservedConcurrentExecutions`, "
                                "`reservedConcurrency`), null when not set.",
        "timeout": "Timeout in seconds as written (`Timeout`, `timeout`), null when not set (AWS default 3).",
        "memory": "Memory size in MB as written, null when not set.",
        "tracing": "X-Ray tracing mode: `Active`, `PassThrough`, or null.",
        "url_auth_type": "The function URL's auth type: `NONE`, `AWS_IAM`, or null when the function has no URL.",
        "triggers": "What invokes the function (`Trigger`s): APIs, queues, schedules, buckets ...",
        "permissions": "Resource-based grants (links to `permission`s) that let others invoke it.",
        "vpc": "The VPC configuration (subnets, security groups) as written, null when not in a VPC.",
        "dead_letter": "The dead-letter target (queue or topic ARN/reference), null when none.",
        "kms_key": "The KMS key that encrypts the environment variables, null for the AWS-managed key.",
        "log_group": "The function's log group (a link to a `log_group`) when the template defines it.",
        "literal_environment": "Names of environment variables whose value is a literal written at the "
                               "variable (not a reference, parameter or variable).",
        "url_grants_implicit": "True when the framework writes the function URL's public grants itself (SAM "
                               "`FunctionUrlConfig`, serverless `url`).",
        "log_group_name": "The log group `LoggingConfig`/`logging_config` names, null for `/aws/lambda/<name>`.",
        "linked_resources": "Buckets, tables, queues, topics and streams its event sources and environment "
                            "variables name (`ResourceLink`: `entity`, `via` such as `event:sqs`, "
                            "`environment:TABLE`).",
        "external": "True for the placeholder of a function a URL names but the unit does not define (by "
                    "parameter, import, ARN, variable): its own settings are Unknown.",
    },
    "role": {
        "statements": "The principal's own inline statements (`PolicyStatement`s), SAM policy templates "
                      "expanded; standalone documents attached to it are in `policies`.",
        "managed_policies": "Managed policies attached by ARN or name (`ManagedPolicyRef`s).",
        "permissions_boundary": "The permissions boundary ARN, null when none.",
        "assume_principals": "Who may assume the role (trust policy principals, normalized like statements').",
        "functions": "The functions that run with this role (links to `function`s).",
        "external": "True when the role is defined outside the scanned files (an ARN): its policies are unknown.",
        "principal_kind": "`role`, `user` or `group`: users and groups hold policies the way roles do.",
        "policies": "The standalone identity policies of the unit attached to it (links to `identity_policy`s).",
    },
    "identity_policy": {
        "statements": "The document's statements (`PolicyStatement`s).",
        "principals": "The roles, users and groups it is attached to (links to `role`s, placeholders for ones "
                      "defined elsewhere); empty when attached to nothing the unit shows.",
        "inline": "True for a principal's own inline statements (the document then has the principal's id).",
    },
    "permission": {
        "target_kind": "What the grant is on: `function`.",
        "target": "The function as referenced (name, ARN or reference), before linking.",
        "function": "The function the grant is on (a link), when it is defined in the scanned files.",
        "action": "The granted action (`lambda:InvokeFunction`, `lambda:InvokeFunctionUrl`).",
        "principal": "Who is granted: `*`, a service (`s3.amazonaws.com`) or an account.",
        "source_arn": "The `SourceArn` condition, null when none.",
        "source_account": "The `SourceAccount` condition, null when none.",
        "principal_org_id": "The `PrincipalOrgID` condition, null when none.",
        "function_url_auth_type": "For `lambda:InvokeFunctionUrl` grants: the URL auth type it applies to.",
    },
    "bucket": {
        "encryption": "`none` (nothing written: S3's default SSE-S3 applies), `sse-s3`, `kms`, `kms-dsse`, "
                      "or Unknown.",
        "kms_key": "The KMS key of `kms` encryption, null when none.",
        "public_access_block": "The public access block (`PublicAccessBlock`), null when none is configured.",
        "acl": "The canned ACL (`private`, `public-read`, ...), null when not set.",
        "policy": "Bucket policy statements (`PolicyStatement`s).",
        "versioning": "Versioning status (`Enabled`, `Suspended`), null when not set.",
        "logging": "Access logging destination as written, null when not set.",
        "external": "True when the bucket is not defined here (Serverless `existing: true`); settings unknown.",
    },
    "queue": {
        "encryption": "`none`, `sse-sqs` (the default), `kms`, or Unknown.",
        "explicit_disabled": "True when the template turns server-side encryption off.",
        "kms_key": "The KMS key, null when none.",
        "policy": "Queue policy statements (`PolicyStatement`s).",
    },
    "topic": {
        "kms_key": "The KMS key that encrypts messages, null when not encrypted with KMS.",
        "policy": "Topic policy statements (`PolicyStatement`s).",
    },
    "table": {
        "encryption": "`aws-owned` (the default), `aws-managed`, `customer-managed`, or Unknown.",
        "kms_key": "The customer-managed KMS key, null when none.",
        "point_in_time_recovery": "Whether point-in-time recovery is enabled, null when not set.",
    },
    "stream": {
        "encryption": "`none` or `kms`, or Unknown; `source` for a delivery stream reading a Kinesis stream "
                      "or MSK topic (encrypted as its source is).",
        "kms_key": "The KMS key, null when none.",
        "service": "`kinesis` (a data stream) or `firehose` (a delivery stream).",
    },
    "log_group": {
        "kms_key": "The KMS key that encrypts the logs, null when none.",
        "retention_days": "Retention in days, null when logs are kept forever.",
        "generated": "True when a framework creates the group from a setting many groups share (the Serverless "
                     "Framework's log group per function); `where('retention_days')` is then that setting, or "
                     "the section it belongs in when unset.",
    },
    "api": {
        "api_kind": "`rest`, `http` or `websocket`.",
        "public": "True unless the endpoint is private (REST `PRIVATE` endpoint type); Unknown when not static.",
        "default_authorization": "The API-wide default authorizer type, null when none.",
        "stages": "Its stages (links to `stage`s).",
        "routes": "Its routes (links to `route`s).",
        "implicit": "True when iac-lint built the API from function events (SAM implicit API, Serverless "
                    "`http` events).",
        "external": "True for the placeholder of an API its methods, routes or stages name but the unit does "
                    "not define: public unless known private, no default authorizer.",
    },
    "stage": {
        "api": "The API (a link).",
        "stage_name": "The stage name (`prod`, `$default`).",
        "throttle": "Stage-wide throttle (`Throttle`): REST `MethodSettings` for `/*/*`, HTTP "
                    "`DefaultRouteSettings`; null when none.",
        "route_throttles": "Per-route throttles, by `METHOD /path` (or `*/*`).",
        "usage_plans": "Usage plans that cover the stage (links to `usage_plan`s).",
        "access_logging": "Access log destination (ARN, or true), null when off.",
        "tracing": "Whether X-Ray tracing is enabled, null when not set.",
        "data_trace": "True when any method or route logs full request and response data "
                      "(`DataTraceEnabled`, serverless `fullExecutionData`), null when not set.",
        "execution_log_level": "Stage-wide execution log level: `OFF`, `ERROR`, `INFO`, null when not set.",
    },
    "route": {
        "api": "The API (a link).",
        "method": "`GET`, `POST`, `ANY`, `OPTIONS`, `$connect` ...",
        "path": "The resource path (`/pets/{id}`); null for WebSocket routes.",
        "authorization": "`NONE`, `AWS_IAM`, `COGNITO_USER_POOLS`, `CUSTOM`, `JWT`, or Unknown; null when "
                         "not written.",
        "api_key_required": "Whether an API key is required, null when not set.",
        "target_functions": "The functions it invokes (links to `function`s).",
        "throttle": "A throttle set on the route itself (`Throttle`), null when none.",
    },
    "usage_plan": {
        "throttle": "The plan's throttle (`Throttle`), null when none.",
        "quota": "The plan's quota as written, null when none.",
        "stages": "The stages it covers (links to `stage`s).",
        "stage_refs": "The (API, stage) pairs as written, before linking.",
    },
    "key": {
        "rotation": "Whether automatic key rotation is enabled, null when not set.",
        "policy": "Key policy statements (`PolicyStatement`s).",
    },
    "parameter": {
        "default": "The literal default (null without one).",
        "sensitive": "`NoEcho: true` / `sensitive = true`: output hides the value.",
    },
}

# Values that are not entities but appear inside them.
PART_TYPES: dict[str, type] = {
    "PolicyStatement": PolicyStatement, "Trigger": Trigger, "Throttle": Throttle,
    "PublicAccessBlock": PublicAccessBlock, "ManagedPolicyRef": ManagedPolicyRef,
}
PART_DOCS: dict[str, str] = {
    "PolicyStatement": "One IAM statement, whatever wrote it. `at:` a statement's part with "
                       "`statement.where(\"actions.3\")` in Python.",
    "Trigger": "Something that invokes a function.",
    "Throttle": "A rate and burst limit.",
    "PublicAccessBlock": "An S3 public access block's four flags.",
    "ManagedPolicyRef": "A managed policy attached by ARN or name.",
}
PART_FIELD_DOCS: dict[str, dict[str, str]] = {
    "PolicyStatement": {
        "effect": "`Allow` or `Deny`.",
        "actions": "Actions as written (`s3:GetObject`, `s3:*`), or Unknowns.",
        "not_actions": "`NotAction` entries.",
        "resources": "Resource ARNs as written.",
        "not_resources": "`NotResource` entries.",
        "principals": "Principals normalized to `*` or `Kind:value` (`AWS:*`, `Service:sns.amazonaws.com`).",
        "not_principals": "`NotPrincipal` entries, normalized the same way.",
        "conditions": "The `Condition` block as written.",
        "sid": "The statement id, null when none.",
        "source": "What wrote it: `inline`, a policy name, `template:S3CrudPolicy`, `managed:arn:...`.",
        "expanded": "True when expanded from a managed policy or template (its location is the reference).",
    },
    "Trigger": {
        "kind": "`api`, `http-api`, `websocket`, `url`, `s3`, `sqs`, `sns`, `schedule`, `stream`, "
                "`eventbridge`, `alb`, `cloudfront`, `cognito`, `iot`, `other`.",
        "public": "True when anyone can invoke through it without credentials, False, or Unknown.",
        "api": "The API it goes through (a link), for API triggers.",
        "route": "The route it goes through (a link), for API triggers.",
        "source": "The event source as written (queue ARN, schedule expression ...).",
    },
    "Throttle": {
        "rate_limit": "Steady-state requests per second, null when not set.",
        "burst_limit": "Burst requests, null when not set.",
    },
    "PublicAccessBlock": {
        "block_public_acls": "`BlockPublicAcls`, null when not set.",
        "block_public_policy": "`BlockPublicPolicy`, null when not set.",
        "ignore_public_acls": "`IgnorePublicAcls`, null when not set.",
        "restrict_public_buckets": "`RestrictPublicBuckets`, null when not set.",
    },
    "ManagedPolicyRef": {
        "arn": "The policy ARN or name as written.",
    },
}

# Names a newcomer reaches for, and the kind they mean (``applies_to: lambda``).
KIND_ALIASES: dict[str, str] = {
    "lambda": "function", "lambda_function": "function", "functions": "function", "fn": "function",
    "iam_role": "role", "iam": "role", "roles": "role", "policy": "role",
    "s3": "bucket", "s3_bucket": "bucket", "buckets": "bucket",
    "sqs": "queue", "sqs_queue": "queue", "queues": "queue",
    "sns": "topic", "sns_topic": "topic", "topics": "topic",
    "dynamodb": "table", "dynamodb_table": "table", "tables": "table",
    "kinesis": "stream", "kinesis_stream": "stream", "streams": "stream",
    "loggroup": "log_group", "log-group": "log_group", "logs": "log_group", "log_groups": "log_group",
    "apigateway": "api", "api_gateway": "api", "rest_api": "api", "http_api": "api", "apis": "api",
    "method": "route", "routes": "route", "stages": "stage", "usage-plan": "usage_plan", "usageplan": "usage_plan",
    "kms": "key", "kms_key": "key", "keys": "key",
    "lambda_permission": "permission", "permissions": "permission",
}

# Raw resource types a rule may target besides entity kinds.
RAW_TYPE = re.compile(r"^(?:AWS::[A-Za-z0-9]+::[A-Za-z0-9]+|Alexa::[A-Za-z0-9]+::[A-Za-z0-9]+"
                      r"|aws_[a-z0-9_]+|serverless:[a-z0-9-]+)$")
SERVERLESS_RAW_TYPES = (
    "serverless:deployment-bucket", "serverless:function", "serverless:http-api", "serverless:iam-role",
    "serverless:log-group", "serverless:provider", "serverless:rest-api", "serverless:sns-topic",
    "serverless:usage-plan", "serverless:websocket-api",
)


def type_name(annotation: Any) -> str:
    """A readable type from a dataclass annotation (a string under postponed evaluation)."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    text = text.replace('"', "").replace("'", "")
    text = re.sub(r"\bValue\b", "value", text)
    return text.replace("dict[str, Any]", "mapping")


def fact_fields(cls: type) -> list[tuple[str, str]]:
    """(field, type) of the facts of an entity or part class, in declaration order, plumbing left out."""
    assert is_dataclass(cls)
    return [(f.name, type_name(f.type)) for f in fields(cls) if f.name not in INTERNAL_FIELDS]


def kind_fields(kind: str) -> dict[str, str]:
    """Field -> meaning for every fact a rule of ``kind`` can read (common, computed and own fields)."""
    own = FIELD_DOCS.get(kind, {})
    return {**DATA_FIELDS, **COMMON_FIELDS, **own}


def resolve_kind(name: str) -> str | None:
    """The entity kind ``name`` means, through ``KIND_ALIASES`` and case; None when it means none."""
    lowered = name.strip().lower().replace("-", "_")
    if lowered in ENTITY_TYPES:
        return lowered
    return KIND_ALIASES.get(lowered) or KIND_ALIASES.get(name.strip().lower())


def is_raw_type(name: str) -> bool:
    """A CloudFormation/SAM or Terraform type by its shape, or one of the Serverless Framework's own."""
    if name.startswith("serverless:"):
        return name in SERVERLESS_RAW_TYPES
    return bool(RAW_TYPE.match(name))
