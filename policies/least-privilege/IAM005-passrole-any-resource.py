"""Flags iam:PassRole allowed on every resource."""

from iac_lint.model.iam_actions import covers_every_role, matches_action
from iac_lint.rules import Violation

RULE = {
    "id": "IAM005",
    "name": "passrole-any-resource",
    "severity": "high",
    "category": "least-privilege",
    "title": "iam:PassRole is allowed on all resources",
    "applies_to": "identity_policy",
    "message": "{subject} can pass any role ('{action}' on every role)",
    "docs": {
        "what": "Flags an `Allow` statement whose actions include `iam:PassRole`, written out or through a "
                "wildcard (`iam:Pass*`, `iam:*`, `*`), on every role: `Resource: \"*\"`, "
                "`arn:aws:iam::*:*`, or all roles of an account (`arn:aws:iam::123456789012:role/*`, also "
                "written with `!Sub` and `${AWS::AccountId}`). A path prefix (`role/service-role/*`) or a "
                "name prefix (`role/app-*`) narrows the set and is not flagged. "
                "Every identity-policy document is judged once, wherever it lives: the inline policies of a "
                "role, user or group, a standalone or managed policy (attached to anything, to a principal "
                "defined elsewhere, or to nothing), a Terraform policy document nothing in the module reads; "
                "trust policies never count. A document attached to several principals gives one finding naming "
                "them.",
        "why": "Passing a role to a service (a new Lambda function, an EC2 instance, a Glue job) runs code with "
               "that role's permissions. With `iam:PassRole` on `*`, a compromised function can launch "
               "compute with the most privileged role in the account: a privilege escalation.",
        "example": "- Effect: Allow\n  Action: iam:PassRole\n  Resource: '*'",
        "fix": "Name the role(s) that may be passed, and add an `iam:PassedToService` condition.",
        "references": [
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        ],
    },
}


def check(policy):
    for stmt in policy.statements:
        if stmt.effect != "Allow" or not covers_every_role(stmt.resources):
            continue
        for i, action in enumerate(stmt.actions):
            if matches_action(action, "iam:PassRole"):
                yield Violation(RULE["message"].format(subject=policy.subject, action=action),
                                stmt.where(f"actions.{i}"), f"{stmt.source}:{stmt.sid or ''}:{action}")
