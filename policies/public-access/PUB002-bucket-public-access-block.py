"""Flags a bucket without a public access block, or with any of its four settings off."""

from iac_lint.rules import Violation

RULE = {
    "id": "PUB002",
    "name": "bucket-public-access-block",
    "severity": "medium",
    "category": "public-access",
    "title": "S3 bucket has no public access block, or one with a setting turned off",
    "applies_to": "bucket",
    "message": "Bucket {bucket} {problem}",
    "docs": {
        "what": "Flags a bucket defined in the scanned files with no `PublicAccessBlockConfiguration` "
                "(Terraform: no `aws_s3_bucket_public_access_block` for it and no account-level block), "
                "and a block in which any of `BlockPublicAcls`, `BlockPublicPolicy`, `IgnorePublicAcls`, "
                "`RestrictPublicBuckets` is false. A setting left out of a block that exists counts as false, "
                "as S3 treats it. Unresolvable values pass. A block written here for a bucket defined elsewhere "
                "(a variable, a data source, a literal name) is judged the same way.",
        "why": "The public access block is the guard that keeps a later ACL or policy change from exposing "
               "the bucket. New buckets get all four settings on by default since April 2023, but templates "
               "that write the block with a setting off, or stacks created before, are exposed.",
        "example": "Bucket:\n  Type: AWS::S3::Bucket\n  Properties:\n    PublicAccessBlockConfiguration:\n"
                   "      BlockPublicPolicy: false",
        "fix": "PublicAccessBlockConfiguration:\n  BlockPublicAcls: true\n  BlockPublicPolicy: true\n"
               "  IgnorePublicAcls: true\n  RestrictPublicBuckets: true",
        "references": [
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        ],
    },
    # Quick fixes an editor offers (see iac_lint/lsp/fixes.py).
    "fixes": [
        {
            "title": "Add a public access block with all four settings on",
            "paths": ["public_access_block"],
            "edits": [
                {"op": "properties", "types": ["AWS::S3::Bucket"], "absent": "PublicAccessBlockConfiguration",
                 "text": "PublicAccessBlockConfiguration:\n  BlockPublicAcls: true\n  BlockPublicPolicy: true\n"
                         "  IgnorePublicAcls: true\n  RestrictPublicBuckets: true"},
                {"op": "after", "types": ["aws_s3_bucket"],
                 "text": 'resource "aws_s3_bucket_public_access_block" "{name}" {\n'
                         "  bucket = {address}.id\n\n"
                         "  block_public_acls       = true\n  block_public_policy     = true\n"
                         "  ignore_public_acls      = true\n  restrict_public_buckets = true\n}"},
            ],
        },
        {
            "title": "Turn {Key} on",
            "paths": ["public_access_block.*"],
            "edits": [
                {"op": "value", "from": ["false"], "text": "true"},
                {"op": "child", "syntax": "yaml", "text": "{Key}: true"},
                {"op": "child", "syntax": "hcl", "text": "{key} = true"},
            ],
        },
    ],
}

_NAMES = {
    "block_public_acls": "BlockPublicAcls", "block_public_policy": "BlockPublicPolicy",
    "ignore_public_acls": "IgnorePublicAcls", "restrict_public_buckets": "RestrictPublicBuckets",
}


def check(bucket):
    block = bucket.public_access_block
    if bucket.external and block is None:
        return  # a bucket defined elsewhere: whether it has a block is its own state, not known here
    if block is None:
        yield Violation(RULE["message"].format(bucket=bucket.id, problem="has no public access block"),
                        bucket.loc, "public_access_block")
        return
    for flag in block.FLAGS:
        value = getattr(block, flag)
        if value is True or (isinstance(value, str) and value.lower() == "true"):
            continue
        if value is not None and not isinstance(value, (bool, str)):
            continue  # unknown: not decidable statically
        state = "is false" if value is not None else "is not set (false)"
        problem = f"public access block: {_NAMES[flag]} {state}"
        yield Violation(RULE["message"].format(bucket=bucket.id, problem=problem),
                        block.locs.get(flag) or block.loc or bucket.loc, f"public_access_block.{flag}")
