"""Flags functions without the tags every workload must carry: owner and cost-center."""

from collections.abc import Iterator

from iac_lint.model import Function
from iac_lint.model.raw_facts import resource_tags
from iac_lint.rules import RuleMeta, Violation, is_unknown

# Edit to your organisation's policy: tag key -> what it is for (shown in no message, only here).
REQUIRED_TAGS = ("owner", "cost-center")

RULE: RuleMeta = {
    "id": "ORG101",
    "name": "function-untagged",
    "severity": "low",
    "category": "tagging",
    "title": "Function lacks a required tag",
    "applies_to": "function",
    "message": "Function {id} has no {tag} tag",
    "docs": {
        "what": "Flags each Lambda function that does not carry every tag of `REQUIRED_TAGS` "
                "(`owner`, `cost-center`) on the function itself. Tags whose value is not static pass.",
        "why": "Untagged workloads have no owner to page during an incident and no budget to charge; "
               "tag-based IAM conditions and cost reports silently leave them out.",
        "example": "Worker:\n  Type: AWS::Serverless::Function\n  Properties:\n    Tags: {owner: payments}",
        "fix": "Tags: {owner: payments, cost-center: cc-1234}   # SAM; Terraform: tags = {...}; "
               "serverless.yml: functions.<name>.tags",
        "references": ["https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"],
    },
}


def check(fn: Function) -> Iterator[Violation]:
    tags = resource_tags(fn.resource)
    if is_unknown(tags):
        return  # decided: tags computed at deploy time are not judged
    present = tags if isinstance(tags, dict) else {}
    for tag in REQUIRED_TAGS:
        if tag not in present:
            # One finding per missing tag, each with its own fingerprint (path=the tag).
            yield Violation(path=f"tags.{tag}", fields={"tag": tag})
