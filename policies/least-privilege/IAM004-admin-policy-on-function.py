"""Flags an administrator-level AWS managed policy on a role, user or group of the unit."""

from iac_lint.model.iam_actions import is_admin_level_managed_policy
from iac_lint.rules import Violation

RULE = {
    "id": "IAM004",
    "name": "admin-policy-on-function",
    "severity": "critical",
    "category": "least-privilege",
    "title": "Principal has an administrator-level AWS managed policy",
    "applies_to": "role",
    "message": "{principal} has the managed policy {policy}",
    "docs": {
        "what": "Flags an administrator-level AWS managed policy attached, by ARN or (SAM `Policies`) by "
                "name, to a role, user or group defined in the scanned unit: `AdministratorAccess`, "
                "`PowerUserAccess`, `IAMFullAccess`, and full access to a sensitive service "
                "(`AmazonS3FullAccess`, `AmazonDynamoDBFullAccess`, `AWSLambda_FullAccess`, "
                "`SecretsManagerReadWrite`, `AmazonSSMFullAccess`, `AWSKeyManagementServicePowerUser`, "
                "`AmazonEC2FullAccess`, `AWSCloudFormationFullAccess`, `AmazonRDSFullAccess`, ...). The finding "
                "is critical when a function runs with the role, and high for any other principal (a "
                "deployment role, a CI user, a group). Principals defined elsewhere are not judged.",
        "why": "A function with `AdministratorAccess` turns any code-execution bug into full control of the "
               "account. `PowerUserAccess` is everything but IAM, and `IAMFullAccess` lets the holder grant "
               "itself everything; `AmazonS3FullAccess` reads and deletes every bucket of the account. A user "
               "or role holding them without a function is one leaked key or one confused deputy away from "
               "the same.",
        "example": "Policies:\n  - AdministratorAccess",
        "fix": "Replace it with the few actions the function needs, on its own resources; with SAM, use "
               "policy templates (`DynamoDBCrudPolicy`, `S3ReadPolicy`, ...).",
        "references": [
            "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        ],
    },
}


def check(role):
    if role.external:  # defined elsewhere: its own policies are not this unit's to judge
        return
    if role.functions:
        users = ", ".join(sorted(fn.id for fn in role.functions))
        principal, severity = f"{role.label} of {users}", "critical"
    else:
        principal, severity = role.label, "high"
    for ref in role.managed_policies:
        name = ref.short_name
        if is_admin_level_managed_policy(name):
            yield Violation(RULE["message"].format(principal=principal, policy=name),
                            ref.loc or role.loc, f"managed:{name}", severity=severity)
