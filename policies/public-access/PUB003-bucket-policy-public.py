"""Flags a bucket policy that allows anyone (Principal "*") with no restricting condition."""

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
                "as `aws:SecureTransport` does not restrict who, and does not make it pass.",
        "why": "Principal `*` is everyone on the internet, not everyone in your account.",
        "example": "- Effect: Allow\n  Principal: '*'\n  Action: s3:GetObject\n  Resource: !Sub '${Bucket.Arn}/*'",
        "fix": "Name the principals (an account, a role, the CloudFront service with an `aws:SourceArn` "
               "condition for origin access control).",
        "references": [
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
        ],
    },
}

RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:userid", "aws:PrincipalServiceName", "aws:VpcSourceIp",
))


def public_principal(principals):
    return any(p in ("*", "AWS:*") for p in principals if isinstance(p, str))


def restricted(conditions):
    for _operator, tests in conditions.items():
        if not isinstance(tests, dict):
            return True  # an unresolvable condition: not decidable, so not flagged
        if any(str(key).lower() in RESTRICTING_KEYS for key in tests):
            return True
    return False


def check(bucket):
    for stmt in bucket.policy:
        if stmt.effect != "Allow" or not public_principal(stmt.principals) or restricted(stmt.conditions):
            continue
        actions = ", ".join(str(a) for a in stmt.actions) or "every action but " + ", ".join(map(str, stmt.not_actions))
        yield Violation(RULE["message"].format(bucket=bucket.id, actions=actions),
                        stmt.where("principals"), f"policy:{stmt.sid or ''}:{actions}")
