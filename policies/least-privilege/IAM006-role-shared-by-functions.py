"""Flags one execution role used by several functions."""

from iac_lint.rules import Violation

RULE = {
    "id": "IAM006",
    "name": "role-shared-by-functions",
    "severity": "low",
    "category": "least-privilege",
    "default": False,  # a design preference: one role per service is the Serverless Framework default
    "title": "One IAM role is shared by several functions",
    "applies_to": "role",
    "message": "Role {role} is shared by {count} functions ({functions}): each gets the permissions all of them need",
    "docs": {
        "what": "Flags a role that two or more functions run with: the Serverless Framework's shared "
                "`IamRoleLambdaExecution` (every function without a `role` or per-function statements), a "
                "`provider.iam.role` / `provider.role` ARN, or one CloudFormation/SAM/Terraform role named by "
                "several functions' `Role` / `role`. The finding points at the role: for the Serverless "
                "Framework, at `provider.iam` / `provider.iamRoleStatements` when written, else at `provider`.",
        "why": "A role is granted the union of what its functions need. When the function that only reads "
               "a table shares a role with the one that deletes from a bucket, a bug in the reader can "
               "delete too. One function, one role keeps the blast radius of each function to its own job, "
               "and makes every grant reviewable against the single piece of code that uses it.",
        "example": "provider:\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n"
                   "          Action: [dynamodb:GetItem, s3:DeleteObject]\n          Resource: '*'\n"
                   "functions:\n  reader: {handler: reader.handler}\n  cleaner: {handler: cleaner.handler}",
        "fix": "Give each function its own role with only its own statements. With the Serverless Framework, "
               "add the `serverless-iam-roles-per-function` plugin and move the statements to each function:\n"
               "plugins:\n  - serverless-iam-roles-per-function\nfunctions:\n  reader:\n"
               "    handler: reader.handler\n    iamRoleStatements:\n      - Effect: Allow\n"
               "        Action: dynamodb:GetItem\n        Resource: !GetAtt Table.Arn\n"
               "(set `iamRoleStatementsInherit: true` only where the provider's statements are really needed). "
               "With SAM, leave `Role` out and give each function its own `Policies`; with CloudFormation and "
               "Terraform, declare one role per function.",
        "references": [
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
            "https://www.serverless.com/plugins/serverless-iam-roles-per-function",
        ],
    },
}


def check(role):
    if len(role.functions) < 2:
        return
    names = sorted(str(fn.id) for fn in role.functions)
    shown = ", ".join(names[:5]) + (f", and {len(names) - 5} more" if len(names) > 5 else "")
    yield Violation(RULE["message"].format(role=role.id, count=len(names), functions=shown), role.loc,
                    "shared-role")
