"""Flags reads of secrets, parameters, decryption or objects allowed on every resource (`Resource: "*"`)."""

from iac_lint.model.iam_actions import DATA_READ_ACTIONS, covers_every_resource, data_reads
from iac_lint.rules import Violation

RULE = {
    "id": "IAM007",
    "name": "read-any-secret-or-object",
    "severity": "medium",
    "category": "least-privilege",
    "title": "IAM policy reads every secret, parameter, key or object",
    "applies_to": "identity_policy",
    "message": "{subject} can read every {what} ('{action}' on Resource '*')",
    "docs": {
        "what": "Flags an `Allow` statement of any identity policy (inline on a role, user or group, standalone, "
                "or a policy document) whose `Resource` is `*` or every resource of a service "
                "(`arn:aws:s3:::*/*`, `arn:aws:secretsmanager:*:*:*`) and whose actions read data itself: "
                "`secretsmanager:GetSecretValue`, `ssm:GetParameter`, `ssm:GetParameters`, "
                "`ssm:GetParametersByPath`, `ssm:GetParameterHistory`, `kms:Decrypt`, `s3:GetObject`, "
                "`s3:GetObjectVersion`, written out or through a wildcard that grants them (`s3:Get*`, "
                "`ssm:GetParameter*`). A whole-service wildcard (`s3:*`) is left to IAM001. A statement with a "
                "`Condition` is not flagged (`kms:ViaService`, `s3:ExistingObjectTag` and the like narrow it). "
                "Graded below write and permissions-management grants (IAM002): it reads, it does not change.",
        "why": "A function that can read every secret, every parameter, every object or decrypt with every key "
               "hands all of them to whoever compromises it: database passwords of other services, API keys, "
               "customer files. It is the most common way a small injection becomes a data breach.",
        "example": "- Effect: Allow\n  Action: secretsmanager:GetSecretValue\n  Resource: '*'",
        "fix": "Name the secrets, parameters, keys or bucket paths the code reads, e.g. "
               "`!Ref DatabaseSecret`, `arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/*`, "
               "`!GetAtt DataKey.Arn`, `arn:aws:s3:::reports/*`; with SAM, use "
               "`AWSSecretsManagerGetSecretValuePolicy`, `SSMParameterReadPolicy`, `KMSDecryptPolicy` or "
               "`S3ReadPolicy` with the resource's name.",
        "references": [
            "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        ],
    },
}


def check(policy):
    for stmt in policy.statements:
        if stmt.effect != "Allow" or stmt.conditions or not covers_every_resource(stmt.resources):
            continue
        for i, action in enumerate(stmt.actions):
            reads = data_reads(action)
            if not reads:
                continue
            what = " and every ".join(dict.fromkeys(DATA_READ_ACTIONS[name] for name in reads))
            yield Violation(RULE["message"].format(subject=policy.subject, what=what, action=action),
                            stmt.where(f"actions.{i}"), f"{stmt.source}:{stmt.sid or ''}:{action}")
