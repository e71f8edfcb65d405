"""Flags a bucket policy that allows anyone (Principal "*") with no restricting condition."""

from iac_lint.model.policy_conditions import restricts_caller
from iac_lint.rules import Violation

RULE = {
    "id": "PUB003",
    "name": "bucket-policy-public",
    "severity": "high",
    "category": "public-access",
    "title": "S3 bucket policy allows any principal without a restricting condition",
    "applies_to": "bucket",
    "message": "Bucket {bucket} policy allows {actions} to everyone",
    "docs": {
        "what": "Flags an `Allow` statement of a bucket policy whose principal is `*` or `{AWS: \"*\"}` and "
                "which has no condition on who or where the request comes from (`aws:SourceArn`, "
                "`aws:SourceAccount`, `aws:SourceVpc(e)`, `aws:SourceIp`, `aws:PrincipalOrgID`, "
                "`aws:PrincipalAccount`, `aws:PrincipalArn` and their `s3:`-less variants). A condition such "
                "as `aws:SecureTransport` does not restrict who, and does not make it pass; nor does "
                "`aws:SourceIp` `0.0.0.0/0` or `::/0` (every address) or a `NotIpAddress` test (everyone but a "
                "few). A narrower range (a `/8`) restricts.",
        "why": "Principal `*` is everyone on the internet, not everyone in your account.",
        "example": "- Effect: Allow\n  Principal: '*'\n  Action: s3:GetObject\n  Resource: !Sub '${Bucket.Arn}/*'",
        "fix": "Name the principals (an account, a role, the CloudFront service with an `aws:SourceArn` "
               "condition for origin access control).",
        "references": [
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
        ],
    },
}

def public_principal(principals):
    return any(p in ("*", "AWS:*") for p in principals if isinstance(p, str))


def check(bucket):
    for stmt in bucket.policy:
        if stmt.effect != "Allow" or not public_principal(stmt.principals) or restricts_caller(stmt.conditions):
            continue
        actions = ", ".join(str(a) for a in stmt.actions) or "every action but " + ", ".join(map(str, stmt.not_actions))
        yield Violation(RULE["message"].format(bucket=bucket.id, actions=actions),
                        stmt.where("principals"), f"policy:{stmt.sid or ''}:{actions}")
