"""Flags a Lambda permission that lets anyone, or any account's use of a service, invoke the function."""

from iac_lint.rules import Violation

RULE = {
    "id": "PUB004",
    "name": "lambda-permission-public",
    "severity": "high",
    "category": "public-access",
    "title": "Lambda permission grants invoke to everyone, or to a service without a source condition",
    "applies_to": "permission",
    "message": "Permission {permission} {problem}",
    "docs": {
        "what": "Flags an `AWS::Lambda::Permission` / `aws_lambda_permission` whose principal is `*` (unless it "
                "is limited to an organization with `PrincipalOrgID`, or is the `AWS_IAM` function URL "
                "permission), and one whose principal is an AWS service (`s3.amazonaws.com`, "
                "`sns.amazonaws.com`, ...) with neither `SourceArn` nor `SourceAccount`.",
        "why": "Principal `*` lets any AWS account invoke the function. A service principal without a source "
               "condition lets *any customer's* bucket, topic or rule of that service invoke it — the "
               "confused-deputy problem.",
        "example": "Permission:\n  Type: AWS::Lambda::Permission\n  Properties:\n    Action: lambda:InvokeFunction\n"
                   "    FunctionName: !Ref Fn\n    Principal: s3.amazonaws.com",
        "fix": "Add `SourceArn: !GetAtt Bucket.Arn` (and `SourceAccount: !Ref AWS::AccountId` for S3), or name "
               "the account principal.",
        "references": [
            "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        ],
    },
}


def check(permission):
    principal = permission.principal
    if not isinstance(principal, str):
        return
    where = permission.where("principal")
    if principal.strip() == "*":
        if permission.principal_org_id is not None or permission.function_url_auth_type == "AWS_IAM":
            return
        yield Violation(RULE["message"].format(permission=permission.id, problem="lets any AWS account invoke"),
                        where, "principal:*")
    elif principal.endswith(".amazonaws.com") and permission.source_arn is None and permission.source_account is None:
        yield Violation(
            RULE["message"].format(permission=permission.id,
                                   problem=f"lets {principal} invoke on behalf of any account "
                                           f"(no SourceArn or SourceAccount)"),
            where, f"principal:{principal}")
