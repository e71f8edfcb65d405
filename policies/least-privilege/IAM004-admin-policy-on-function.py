"""Flags AdministratorAccess, PowerUserAccess or IAMFullAccess attached to a function's role."""

from iac_lint.model.iam_actions import ADMIN_MANAGED_POLICIES
from iac_lint.rules import Violation

RULE = {
    "id": "IAM004",
    "name": "admin-policy-on-function",
    "severity": "critical",
    "category": "least-privilege",
    "title": "Function role has an administrator-level AWS managed policy",
    "applies_to": "role",
    "message": "Role {role} of {functions} has the managed policy {policy}",
    "docs": {
        "what": "Flags the AWS managed policies `AdministratorAccess`, `PowerUserAccess` and `IAMFullAccess` "
                "attached to a role that a function runs with, by ARN or (SAM `Policies`) by name.",
        "why": "A function with `AdministratorAccess` turns any code-execution bug into full control of the "
               "account. `PowerUserAccess` is everything but IAM, and `IAMFullAccess` lets the holder grant "
               "itself everything.",
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
    if not role.functions:
        return
    users = ", ".join(sorted(fn.id for fn in role.functions))
    for ref in role.managed_policies:
        name = ref.short_name
        if name in ADMIN_MANAGED_POLICIES:
            yield Violation(RULE["message"].format(role=role.id, functions=users, policy=name),
                            ref.loc or role.loc, f"managed:{name}")
