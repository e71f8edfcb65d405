"""Flags an IAM statement that allows every action (`*`) or every action of a service (`s3:*`)."""

from iac_lint.model.iam_actions import is_full_wildcard
from iac_lint.model.least_privilege import least_privilege_fix, narrowed_grants
from iac_lint.rules import Violation

RULE = {
    "id": "IAM001",
    "name": "wildcard-action",
    "severity": "high",
    "category": "least-privilege",
    "title": "IAM policy allows all actions, or all actions of a service",
    "applies_to": "identity_policy",
    "message": "{subject} allows '{action}': every action{scope}",
    "docs": {
        "what": "Flags an `Allow` statement of an identity policy whose `Action` is `*`, `*:*` or "
                "`<service>:*`, in any letter case, written as a string or inside a list, whether it comes "
                "from an inline policy, a standalone policy attached to the role, a serverless "
                "`iamRoleStatements` entry or a Terraform policy document. A CloudFormation `Fn::If` counts "
                "by every branch (a policy, statement, action or `Effect: Allow` that only some deployments "
                "get is still a grant they get), and a JSON document built with `!Sub` is read. Actions that "
                "cannot be resolved statically (an unresolved `!Sub` or variable) are not flagged. "
                "Every identity-policy document is judged once, wherever it lives: the inline policies of a "
                "role, user or group, a standalone or managed policy (attached to anything, to a principal "
                "defined elsewhere, or to nothing), a Terraform policy document nothing in the module reads; "
                "trust policies never count. A document attached to several principals gives one finding naming "
                "them.",
        "why": "A function's role is what an attacker gets when the function is compromised (a vulnerable "
               "dependency, an injection). `s3:*` includes `s3:DeleteBucket`, `s3:PutBucketPolicy` and "
               "`s3:PutBucketAcl`: enough to destroy data or make it public. `*` is the whole account.",
        "example": "Policies:\n  - Statement:\n      - Effect: Allow\n        Action: 's3:*'\n        Resource: '*'",
        "fix": "List the actions the function really calls, e.g. `s3:GetObject` and `s3:PutObject` on "
               "`arn:aws:s3:::my-bucket/*`. With SAM, a policy template such as `S3ReadPolicy` grants a "
               "reviewed, minimal set.",
        "references": [
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        ],
    },
}


def check(policy):
    for stmt in policy.statements:
        if stmt.effect != "Allow":
            continue
        for i, action in enumerate(stmt.actions):
            if is_full_wildcard(action):
                everything = action.strip() in ("*", "*:*")
                scope = "" if everything else f" of {action.strip().split(':')[0]}"
                service = "*" if everything else action.strip().split(":")[0].lower()
                yield Violation(
                    RULE["message"].format(subject=policy.subject, action=action, scope=scope),
                    stmt.where(f"actions.{i}"),
                    f"{stmt.source}:{stmt.sid or ''}:{action}",
                    fix=least_privilege_fix(stmt, i, narrowed_grants(policy, service), narrow_actions=True),
                )
