"""Flags an Allow statement written with NotAction or NotResource."""

from iac_lint.model import Unknown
from iac_lint.rules import Violation

RULE = {
    "id": "IAM003",
    "name": "allow-with-not-action",
    "severity": "medium",
    "category": "least-privilege",
    "title": "IAM policy allows with NotAction or NotResource",
    "applies_to": "identity_policy",
    "message": "{subject} allows with {field}: everything except what is listed",
    "docs": {
        "what": "Flags an `Allow` statement that uses `NotAction` or `NotResource`. A `NotAction` or "
                "`NotResource` whose every value is unresolvable (a parameter without a default) is not "
                "flagged. "
                "Every identity-policy document is judged once, wherever it lives: the inline policies of a "
                "role, user or group, a standalone or managed policy (attached to anything, to a principal "
                "defined elsewhere, or to nothing), a Terraform policy document nothing in the module reads; "
                "trust policies never count. A document attached to several principals gives one finding naming "
                "them.",
        "why": "`Allow` + `NotAction: iam:*` grants every other action of every service, including services "
               "AWS launches later. Such grants are almost always far wider than intended, and reviewers "
               "read them backwards. (`Deny` + `NotAction` is a legitimate guard rail and is not flagged.)",
        "example": "- Effect: Allow\n  NotAction: iam:*\n  Resource: '*'",
        "fix": "Write the allowed actions and resources as positive lists.",
        "references": [
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html",
        ],
    },
}


def check(policy):
    for stmt in policy.statements:
        if stmt.effect != "Allow":
            continue
        for attr, field in (("not_actions", "NotAction"), ("not_resources", "NotResource")):
            values = getattr(stmt, attr)
            # Only unresolvable values: the template does not say what is excluded; not decidable.
            if values and not all(isinstance(v, Unknown) for v in values):
                yield Violation(RULE["message"].format(subject=policy.subject, field=field), stmt.where(attr),
                                f"{stmt.source}:{stmt.sid or ''}:{field}")
