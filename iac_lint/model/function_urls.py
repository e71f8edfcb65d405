"""Who can call a function URL, under Lambda's rule since October 2025.

A URL with ``AuthType: NONE`` is callable by anyone only when the function's
resource policy grants *both* ``lambda:InvokeFunctionUrl`` and
``lambda:InvokeFunction`` to everyone (``Principal: "*"``).  SAM's
``FunctionUrlConfig`` and the Serverless Framework's ``url`` write those grants
themselves; a plain CloudFormation or Terraform URL needs them written as
permissions, in the unit or elsewhere.

The link stage's URL trigger still counts every ``NONE`` URL as publicly
reachable: rules about what a public function lacks (THR003) stay on the safe
side when the grants live outside the unit.
"""

from __future__ import annotations

from typing import Literal

from iac_lint.model.entities import Function, Permission
from iac_lint.model.iam_actions import matches_action

URL_INVOKE_ACTIONS = ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction")

# "public": anyone can call it; "policy-elsewhere": public if grants outside the unit allow it.
UrlExposure = Literal["public", "policy-elsewhere"]


def grants_everyone(perm: Permission) -> bool:
    """A permission whose principal is everyone, not narrowed to an organization."""
    return isinstance(perm.principal, str) and perm.principal.strip() in ("*", "AWS:*") and \
        perm.principal_org_id is None


def public_url_grants(fn: Function) -> set[str]:
    """Which of the two URL actions the unit grants to everyone (an unresolved action may be either)."""
    granted: set[str] = set()
    for perm in fn.permissions:
        if not grants_everyone(perm):
            continue
        for action in URL_INVOKE_ACTIONS:
            if not isinstance(perm.action, str) or matches_action(perm.action, action):
                granted.add(action)
    return granted


def url_exposure(fn: Function) -> UrlExposure | None:
    """How exposed the function's URL is; None when it has no URL or the URL requires IAM (or is unknown)."""
    if fn.url_auth_type != "NONE":
        return None
    if fn.url_grants_implicit or public_url_grants(fn) == set(URL_INVOKE_ACTIONS):
        return "public"
    return "policy-elsewhere"
