"""Flags a written public access block with any of its four settings off (one finding per block)."""

from iac_lint.rules import RelatedLocation, Violation

RULE = {
    "id": "PUB002",
    "name": "bucket-public-access-block",
    "severity": "medium",
    "category": "public-access",
    "title": "S3 bucket's public access block has a setting turned off",
    "applies_to": "bucket",
    "message": "Bucket {bucket} {problem}",
    # A block on every bucket, written out, whatever S3's default: compliance advice, off by default.
    "options": {"require_block": False},
    "docs": {
        "what": "Flags a written public access block (`PublicAccessBlockConfiguration`, Terraform "
                "`aws_s3_bucket_public_access_block`) in which any of `BlockPublicAcls`, `BlockPublicPolicy`, "
                "`IgnorePublicAcls`, `RestrictPublicBuckets` is false: one finding per block, naming every "
                "setting that is off: at the setting when one is, else at the block with each setting a related "
                "location. A setting left out of a "
                "block that exists counts as false, as S3 treats it. Unresolvable values pass. A block written "
                "here for a bucket defined elsewhere (a variable, a data source, a literal name) is judged the "
                "same way. `high` when `IgnorePublicAcls` or `RestrictPublicBuckets` is off (those two "
                "neutralise public ACLs and policies that already exist), `medium` when only "
                "`BlockPublicAcls`/`BlockPublicPolicy` are. A bucket with no block at all is not flagged: "
                "S3 turns all four settings on for every new bucket since April 2023. To require a written "
                "block on every bucket anyway (a compliance choice), set "
                "`rule_options: {PUB002: {require_block: true}}`; such findings are `low`.",
        "why": "The public access block is the guard that keeps a later ACL or policy change from exposing "
               "the bucket. New buckets get all four settings on by default since April 2023, but templates "
               "that write the block with a setting off, or stacks created before, are exposed.",
        "example": "Bucket:\n  Type: AWS::S3::Bucket\n  Properties:\n    PublicAccessBlockConfiguration:\n"
                   "      BlockPublicPolicy: false",
        "fix": {
            "cloudformation": "PublicAccessBlockConfiguration:\n  BlockPublicAcls: true\n  BlockPublicPolicy: true\n"
                              "  IgnorePublicAcls: true\n  RestrictPublicBuckets: true",
            "sam": "PublicAccessBlockConfiguration:\n  BlockPublicAcls: true\n  BlockPublicPolicy: true\n"
                   "  IgnorePublicAcls: true\n  RestrictPublicBuckets: true",
            "serverless": "resources:\n  Resources:\n    UploadsBucket:\n      Type: AWS::S3::Bucket\n"
                          "      Properties:\n        PublicAccessBlockConfiguration:\n"
                          "          BlockPublicAcls: true\n          BlockPublicPolicy: true\n"
                          "          IgnorePublicAcls: true\n          RestrictPublicBuckets: true",
            "terraform": 'resource "aws_s3_bucket_public_access_block" "uploads" {\n'
                         "  bucket                  = aws_s3_bucket.uploads.id\n"
                         "  block_public_acls       = true\n  block_public_policy     = true\n"
                         "  ignore_public_acls      = true\n  restrict_public_buckets = true\n}",
        },
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


# These two neutralise public grants that already exist (ACLs, a bucket policy); the other two only refuse new ones.
_NEUTRALISING = ("ignore_public_acls", "restrict_public_buckets")


def _weak_flags(block):
    """(flag, written location or None) of each setting of the block that is off; unknown values pass."""
    for flag in block.FLAGS:
        value = getattr(block, flag)
        if value is True or (isinstance(value, str) and value.lower() == "true"):
            continue
        if value is not None and not isinstance(value, (bool, str)):
            continue  # unknown: not decidable statically
        yield flag, value is None


def check(bucket, options):
    block = bucket.public_access_block
    if block is None:
        # S3 turns all four settings on for every new bucket (April 2023): a block nobody wrote is not
        # an exposure.  Requiring one written anyway is a compliance choice, behind the option.
        if options.get("require_block") and not bucket.external:
            yield Violation(RULE["message"].format(bucket=bucket.id, problem="has no public access block written"),
                            bucket.loc, "public_access_block", severity="low")
        return
    weak = list(_weak_flags(block))
    if not weak:
        return
    listed = ", ".join(f"{_NAMES[flag]}{' (not set)' if unset else ''}" for flag, unset in weak)
    off = {flag for flag, _ in weak}
    neutralising = bool(off & set(_NEUTRALISING))
    problem = f"has a public access block with {listed} off"
    effects = [what for flag, what in (("ignore_public_acls", "public ACLs"),
                                       ("restrict_public_buckets", "a public bucket policy")) if flag in off]
    if effects:
        problem += f": {' and '.join(effects)} on it take effect"
    related = tuple(RelatedLocation(block.locs[flag], f"{_NAMES[flag]} is off")
                    for flag, _ in weak if block.locs.get(flag) is not None)
    if len(weak) == 1:  # at the setting itself (or its block when unset): the quick fix turns it on
        flag = weak[0][0]
        where, path, related = block.locs.get(flag) or block.loc or bucket.loc, f"public_access_block.{flag}", ()
    else:
        where, path = block.loc or bucket.loc, "public_access_block"
    yield Violation(RULE["message"].format(bucket=bucket.id, problem=problem),
                    where, path, severity="high" if neutralising else "medium", related=related)
