"""The narrowed grant a function's role needs, derived from what the template wires the function to.

Only two kinds of evidence count, both written in the template:

- a poll-based event source (an SQS queue, a Kinesis or DynamoDB stream): Lambda
  reads it with the function's role, so the role needs exactly the actions of
  AWS's execution policy for that source, on that source;
- a bucket, table, queue, topic or stream of the unit named by an environment
  variable: the function uses it, so its data-plane actions (what SAM's policy
  template for the resource type grants) on that resource;
- the function's own log group: every function writes its logs there, with the
  actions of AWSLambdaBasicExecutionRole.

Nothing else is inferred: a role whose functions show no such evidence for a
service gets no suggestion for it, and ``*`` (every service) gets none, since
no template shows every service a function's code calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from iac_lint.model.core import Fix, Reference, Replacement
from iac_lint.model.entities import (
    Bucket,
    Entity,
    Function,
    IdentityPolicy,
    PolicyStatement,
    Queue,
    Role,
    Stream,
    Table,
    Topic,
)
from iac_lint.model.iam_actions import matches_action


@dataclass(frozen=True, slots=True)
class NarrowedGrant:
    """What one linked resource needs: actions of one service on its ARN(s), and why."""

    service: str
    actions: tuple[str, ...]
    resources: tuple[Reference, ...]
    reason: str
    # The SAM policy template that grants the same, when there is one: "SQSPollerPolicy: {QueueName: ...}".
    sam_template: str | None = None


# Poll-based event sources: the actions of AWSLambdaSQSQueueExecutionRole, AWSLambdaKinesisExecutionRole
# and AWSLambdaDynamoDBExecutionRole, which Lambda's event source mapping calls with the function's role.
_SQS_POLLER = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
_KINESIS_READER = ("kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                   "kinesis:DescribeStreamSummary", "kinesis:ListShards")
_DYNAMODB_STREAM_READER = ("dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream",
                           "dynamodb:ListStreams")
# Data-plane actions of a resource the function is handed by name: what SAM's S3CrudPolicy,
# DynamoDBCrudPolicy, SQSSendMessagePolicy, SNSPublishMessagePolicy and KinesisCrudPolicy grant, less the
# configuration actions among them.
_BUCKET_DATA = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket")
_TABLE_DATA = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
               "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
               "dynamodb:ConditionCheckItem")
_QUEUE_SEND = ("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl")
_TOPIC_PUBLISH = ("sns:Publish",)
_STREAM_WRITE = ("kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStreamSummary")
# What a function needs to write its own logs: AWSLambdaBasicExecutionRole's actions.
_OWN_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")


def _ref(entity: Entity, part: str = "arn") -> Reference:
    return Reference(entity.id, entity.kind, entity.format, part)


def grant_for(entity: Entity, via: str) -> NarrowedGrant | None:
    """The grant that using ``entity`` the way ``via`` says needs, or None when it is not derivable."""
    name = entity.id
    if via == "event:sqs" and isinstance(entity, Queue):
        return NarrowedGrant("sqs", _SQS_POLLER, (_ref(entity),), f"its SQS event source {name}",
                             f"SQSPollerPolicy: {{QueueName: !GetAtt {name}.QueueName}}")
    if via == "event:stream" and isinstance(entity, Stream):
        return NarrowedGrant("kinesis", _KINESIS_READER, (_ref(entity),), f"its Kinesis event source {name}",
                             f"KinesisStreamReadPolicy: {{StreamName: !Ref {name}}}")
    if via == "event:stream" and isinstance(entity, Table):
        return NarrowedGrant("dynamodb", _DYNAMODB_STREAM_READER, (_ref(entity, "stream"),),
                             f"its DynamoDB stream event source {name}")
    if not via.startswith("environment:"):
        return None
    variable = via.split(":", 1)[1]
    why = f"{name}, named by its environment variable {variable}"
    if isinstance(entity, Bucket):
        return NarrowedGrant("s3", _BUCKET_DATA, (_ref(entity), _ref(entity, "objects")), why,
                             f"S3CrudPolicy: {{BucketName: !Ref {name}}}")
    if isinstance(entity, Table):
        return NarrowedGrant("dynamodb", _TABLE_DATA, (_ref(entity), _ref(entity, "indexes")), why,
                             f"DynamoDBCrudPolicy: {{TableName: !Ref {name}}}")
    if isinstance(entity, Queue):
        return NarrowedGrant("sqs", _QUEUE_SEND, (_ref(entity),), why,
                             f"SQSSendMessagePolicy: {{QueueName: !GetAtt {name}.QueueName}}")
    if isinstance(entity, Topic):
        return NarrowedGrant("sns", _TOPIC_PUBLISH, (_ref(entity),), why,
                             f"SNSPublishMessagePolicy: {{TopicName: !GetAtt {name}.TopicName}}")
    if isinstance(entity, Stream):
        return NarrowedGrant("kinesis", _STREAM_WRITE, (_ref(entity),), why)
    return None


def own_logs_grant(fn: Function) -> NarrowedGrant | None:
    """Writing to its own log group: the group of the unit when there is one, else ``/aws/lambda/<function>``."""
    if fn.log_group is not None:
        return NarrowedGrant("logs", _OWN_LOGS, (_ref(fn.log_group, "streams"),), f"its log group {fn.log_group.id}")
    if fn.log_group_name is not None or fn.format == "serverless":
        return None  # a group named elsewhere, or none the framework creates (disableLogs)
    return NarrowedGrant("logs", _OWN_LOGS, (_ref(fn, "log-group"),), "its own log group /aws/lambda/<function>")


def function_grants(fn: Function) -> list[NarrowedGrant]:
    grants = [grant_for(link.entity, link.via) for link in fn.linked_resources] + [own_logs_grant(fn)]
    return [g for g in grants if g is not None]


def _functions_only(policy: IdentityPolicy | Role) -> list[Function] | None:
    """The functions that run with ``policy``, or None when anything else does (a user, a group, a role of
    another stack, a role no function of the unit uses)."""
    principals = policy.principals if isinstance(policy, IdentityPolicy) else [policy]
    if not principals or any(p.external or not p.functions for p in principals):
        return None
    functions = policy.functions
    return None if any(fn.external for fn in functions) else functions


def narrowed_grants(policy: IdentityPolicy | Role, service: str) -> list[NarrowedGrant]:
    """What the functions running with ``policy`` need of ``service``, or [] when not derivable.

    Every function must show evidence for the service: a function without any may use it through names
    the template does not show, and narrowing would break it.  ``*`` (every service) is never derivable.
    """
    functions = _functions_only(policy)
    if not functions or service == "*":
        return []
    per_function = [[g for g in function_grants(fn) if g.service == service] for fn in functions]
    if not all(per_function):
        return []
    unique: dict[tuple[str, tuple[str, ...], tuple[Reference, ...]], NarrowedGrant] = {}
    for grants in per_function:
        for grant in grants:
            unique.setdefault((grant.service, grant.actions, grant.resources), grant)
    return list(unique.values())


def grants_covering(policy: IdentityPolicy | Role, action: str) -> list[NarrowedGrant]:
    """The derived grants that include ``action`` (an exact action or a pattern such as ``s3:Put*``)."""
    service = action.split(":", 1)[0].lower()
    return [g for g in narrowed_grants(policy, service)
            if any(matches_action(action, granted) for granted in g.actions)]


def _describe(grants: list[NarrowedGrant], actions: bool) -> str:
    parts = []
    for grant in grants:
        where = f"{', '.join(_arn_words(r) for r in grant.resources)} ({grant.reason})"
        text = f"{', '.join(grant.actions)} on {where}" if actions else where
        if grant.sam_template and all(r.format == "sam" for r in grant.resources):
            text += f"; or the SAM policy template `{grant.sam_template}`"
        parts.append(text)
    return "; ".join(parts)


def _arn_words(ref: Reference) -> str:
    return {"objects": f"the objects of {ref.entity_id}", "indexes": f"the indexes of {ref.entity_id}",
            "stream": f"the stream of {ref.entity_id}", "streams": f"the log streams of {ref.entity_id}",
            "log-group": f"the log group of {ref.entity_id}"}.get(ref.part, ref.entity_id)


def least_privilege_fix(stmt: PolicyStatement, action_index: int, grants: list[NarrowedGrant],
                        narrow_actions: bool) -> Fix | None:
    """The fix for one flagged action of ``stmt``: its narrowed actions (``narrow_actions``) and, when the
    statement is this action on ``*`` alone, its narrowed resources."""
    if not grants or stmt.expanded:
        return None
    replacements: list[Replacement] = []
    action_loc = stmt.locs.get(f"actions.{action_index}")
    if narrow_actions and action_loc is not None:
        actions = tuple(dict.fromkeys(a for g in grants for a in g.actions))
        replacements.append(Replacement(action_loc, actions))
    resource_loc = stmt.locs.get("resources.0")
    if len(stmt.actions) == 1 and len(stmt.resources) == 1 and stmt.resources[0] == "*" and resource_loc is not None:
        references = tuple(dict.fromkeys(r for g in grants for r in g.resources))
        replacements.append(Replacement(resource_loc, references))
    lead = "Grant only " if narrow_actions else "Scope it to "
    return Fix(lead + _describe(grants, narrow_actions), replacements=tuple(replacements))
