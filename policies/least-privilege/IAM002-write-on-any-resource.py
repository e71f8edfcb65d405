"""Flags write or permission-management actions allowed on every resource (`Resource: "*"`)."""


from iac_lint.model.iam_actions import (
    LAMBDA_BASELINE_ACTIONS,
    WRITE_LEVELS,
    access_levels,
    covers_every_resource,
    is_full_wildcard,
    only_allows_any_resource,
)
from iac_lint.model.least_privilege import grants_covering, least_privilege_fix
from iac_lint.rules import Fix, RelatedLocation, Violation

# How many of a statement's actions the message names; the related locations list every one.
MAX_SHOWN = 5

RULE = {
    "id": "IAM002",
    "name": "write-on-any-resource",
    "severity": "high",
    "category": "least-privilege",
    "title": "IAM policy allows write or permission-management actions on all resources",
    "applies_to": "identity_policy",
    "message": "{subject} allows {actions}{count} on Resource '*' ({levels})",
    "docs": {
        "what": "Flags an `Allow` statement with `Resource: \"*\"`, or an ARN that names every resource of a "
                "service (`arn:aws:s3:::*`, `arn:aws:s3:::*/*`, `arn:aws:dynamodb:*:*:*`, `arn:aws:*:*:*:*`), "
                "whose actions include one at the *Write* or *Permissions management* access level of the "
                "AWS Service Authorization Reference. A wildcard action counts by what it matches: "
                "`s3:Put*` matches `s3:PutObject` (Write) and `s3:PutBucketPolicy` (Permissions "
                "management) and is flagged; `s3:Get*` and `s3:List*` match only Read and List actions "
                "and are not. Read and List on `*` are left alone. Also left alone, because `*` is the only "
                "Resource they can have or because AWS's own Lambda execution policies grant them on `*`: "
                "actions the reference lists with no resource type (`cloudwatch:PutMetricData`, "
                "`ec2:CreateTags`'s siblings without resource-level support), and, when written out exactly, "
                "the actions of `AWSLambdaBasicExecutionRole` and `AWSLambdaVPCAccessExecutionRole` "
                "(`logs:CreateLogStream`, `logs:PutLogEvents`, `ec2:CreateNetworkInterface`, ...); "
                "`logs:*` is still flagged. Actions of a service missing from the reference, and "
                "unresolvable values, are not flagged. "
                "Every identity-policy document is judged once, wherever it lives: the inline policies of a "
                "role, user or group, a standalone or managed policy (attached to anything, to a principal "
                "defined elsewhere, or to nothing), a Terraform policy document nothing in the module reads; "
                "trust policies never count. A document attached to several principals gives one finding naming "
                "them. One statement gives one finding, at the statement, naming its write actions (each "
                "one is a related location); a statement that allows `*` is IAM001's alone.",
        "why": "`dynamodb:DeleteItem` on `*` lets a compromised function delete from every table in the "
               "account, not only its own; `iam:AttachRolePolicy` on `*` lets it make itself administrator.",
        "example": "- Effect: Allow\n  Action: [dynamodb:PutItem, dynamodb:DeleteItem]\n  Resource: '*'",
        "fix": {
            "sam": "Policies:\n  - DynamoDBCrudPolicy:\n      TableName: !Ref OrdersTable",
            "cloudformation": "- Effect: Allow\n  Action: [dynamodb:PutItem, dynamodb:DeleteItem]\n"
                              "  Resource: !GetAtt OrdersTable.Arn",
            "serverless": "provider:\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n"
                          "          Action: [dynamodb:PutItem, dynamodb:DeleteItem]\n"
                          "          Resource: !GetAtt OrdersTable.Arn",
            "terraform": 'statement {\n  actions   = ["dynamodb:PutItem", "dynamodb:DeleteItem"]\n'
                         '  resources = [aws_dynamodb_table.orders.arn]\n}',
        },
        "references": [
            "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html",
        ],
    },
}


def _write_actions(policy, stmt):
    """(index, action, write levels) of each action of ``stmt`` that writes on ``*``."""
    for i, action in enumerate(stmt.actions):
        if not isinstance(action, str) or action.strip().lower() in LAMBDA_BASELINE_ACTIONS \
                or only_allows_any_resource(action):
            continue
        levels = access_levels(action)
        if levels and levels & WRITE_LEVELS:
            yield i, action, sorted(levels & WRITE_LEVELS)


def _merged_fix(stmt, fixes):
    """One fix for the statement: every action's narrowing, when each flagged action has one."""
    if not fixes or any(f is None for f in fixes):
        return None
    if len(fixes) == 1:
        return fixes[0]
    return Fix("; ".join(dict.fromkeys(f.description for f in fixes)),
               replacements=tuple(dict.fromkeys(r for f in fixes for r in f.replacements)))


def check(policy):
    for stmt in policy.statements:
        if stmt.effect != "Allow" or not covers_every_resource(stmt.resources):
            continue
        flagged = list(_write_actions(policy, stmt))
        if not flagged:
            continue
        levels = sorted({level for _, _, found in flagged for level in found})
        names = [action for _, action, _ in flagged]
        shown = ", ".join(names[:MAX_SHOWN]) + (f" and {len(names) - MAX_SHOWN} more" if len(names) > MAX_SHOWN else "")
        count = f" ({len(names)} write actions)" if len(names) > 1 else ""
        # A service wildcard is IAM001's to narrow; here the action stays and its resource narrows.
        fixes = [least_privilege_fix(stmt, i, [] if is_full_wildcard(action) else grants_covering(policy, action),
                                     narrow_actions=False) for i, action, _ in flagged]
        related = tuple(RelatedLocation(stmt.where(f"actions.{i}"), f"'{action}' ({', '.join(found)})")
                        for i, action, found in flagged if stmt.locs.get(f"actions.{i}") is not None)
        yield Violation(
            RULE["message"].format(subject=policy.subject, actions=shown, count=count, levels=", ".join(levels)),
            stmt.span,
            f"{stmt.source}:{stmt.sid or ''}:{','.join(sorted(names))}",
            fix=_merged_fix(stmt, fixes),
            related=related,
        )
