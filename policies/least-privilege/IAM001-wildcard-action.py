"""Flags an IAM statement that allows every action (`*`) or every action of a service (`s3:*`)."""

from iac_lint.model.iam_actions import covers_every_resource, is_full_wildcard
from iac_lint.model.least_privilege import least_privilege_fix, narrowed_grants
from iac_lint.rules import RelatedLocation, Violation

RULE = {
    "id": "IAM001",
    "name": "wildcard-action",
    "severity": "high",
    "category": "least-privilege",
    # '*' on '*' says everything IAM002, IAM005 and IAM007 would say about the statement: one finding.
    "subsumes": ["IAM002", "IAM005", "IAM007"],
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
                "them. `*` on `Resource: \"*\"` is the `AdministratorAccess` grant written inline: the finding "
                "is the statement (with the action as a related location), `critical` when a function runs "
                "with it and `high` otherwise, as IAM004 grades the managed policy, and it stands for the "
                "statement's IAM002, IAM005 and IAM007 findings, which are not reported beside it.",
        "why": "A function's role is what an attacker gets when the function is compromised (a vulnerable "
               "dependency, an injection). `s3:*` includes `s3:DeleteBucket`, `s3:PutBucketPolicy` and "
               "`s3:PutBucketAcl`: enough to destroy data or make it public. `*` is the whole account.",
        "example": "Policies:\n  - Statement:\n      - Effect: Allow\n        Action: 's3:*'\n        Resource: '*'",
        "fix": {
            "sam": "Policies:\n  - S3ReadPolicy:\n      BucketName: !Ref ReportsBucket\n  - Statement:\n"
                   "      - Effect: Allow\n        Action: [s3:GetObject, s3:PutObject]\n"
                   "        Resource: !Sub '${ReportsBucket.Arn}/*'",
            "cloudformation": "PolicyDocument:\n  Statement:\n    - Effect: Allow\n"
                              "      Action: [s3:GetObject, s3:PutObject]\n"
                              "      Resource: !Sub '${ReportsBucket.Arn}/*'",
            "serverless": "provider:\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n"
                          "          Action: [s3:GetObject, s3:PutObject]\n"
                          "          Resource: arn:aws:s3:::reports-bucket/*",
            "terraform": 'data "aws_iam_policy_document" "reports" {\n  statement {\n'
                         '    actions   = ["s3:GetObject", "s3:PutObject"]\n'
                         '    resources = ["${aws_s3_bucket.reports.arn}/*"]\n  }\n}',
        },
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
            if not is_full_wildcard(action):
                continue
            everything = action.strip() in ("*", "*:*")
            scope = "" if everything else f" of {action.strip().split(':')[0]}"
            service = "*" if everything else action.strip().split(":")[0].lower()
            fix = least_privilege_fix(stmt, i, narrowed_grants(policy, service), narrow_actions=True)
            path = f"{stmt.source}:{stmt.sid or ''}:{action}"
            message = RULE["message"].format(subject=policy.subject, action=action, scope=scope)
            if not (everything and covers_every_resource(stmt.resources)):
                yield Violation(message, stmt.where(f"actions.{i}"), path, fix=fix)
                continue
            # Every action on every resource: the AdministratorAccess grant, written inline.  The finding is
            # the statement (it subsumes the statement's IAM002/IAM005/IAM007), graded as IAM004 grades.
            users = ", ".join(sorted(fn.id for fn in policy.functions))
            verb = "runs" if len(policy.functions) == 1 else "run"
            message += " on every resource: administrator access" + (f", and {users} {verb} with it" if users else "")
            yield Violation(message, stmt.span, path, fix=fix,
                            severity="critical" if users else None,
                            related=(RelatedLocation(stmt.where(f"actions.{i}"), f"'{action}': every action"),))
