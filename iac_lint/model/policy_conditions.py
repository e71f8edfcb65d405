"""When a resource policy's condition really narrows who may use a public grant.

A statement with ``Principal: "*"`` is public unless a condition pins where the
request comes from or who makes it.  Some conditions name such a key and still
let everyone in: ``aws:SourceIp`` ``0.0.0.0/0`` (or ``::/0``) matches every
address, and ``NotIpAddress`` keeps everyone but a few.  AWS's own
"is this policy public" evaluation treats them the same way.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from iac_lint.model.core import Unknown

# Condition keys that pin the caller or the request's origin (case-insensitive, as IAM reads them).
RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:userid", "aws:PrincipalServiceName", "aws:VpcSourceIp",
    # A bucket that delegates access control to its account's access points: each access point's own
    # policy decides who gets in (AWS's recommended bucket policy for access points).
    "s3:DataAccessPointAccount", "s3:DataAccessPointArn",
))
_IP_KEYS = frozenset({"aws:sourceip", "aws:vpcsourceip"})


def _values(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


def _ip_condition_narrows(operator: str, raw: Any) -> bool:
    """``IpAddress`` narrows unless a listed range is every address; ``NotIpAddress`` never narrows to a few."""
    if operator.lower().startswith("notipaddress"):
        return False
    for value in _values(raw):
        if isinstance(value, Unknown) or not isinstance(value, str):
            return True  # not decidable statically: the condition is taken as written
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            return True
        if network.prefixlen == 0:
            return False
    return True


def restricts_caller(conditions: dict[str, Any]) -> bool:
    """Whether a statement's ``Condition`` narrows who or where a public grant reaches.

    An unresolvable condition block counts as restricting (undecidable, so not flagged).
    """
    for operator, tests in conditions.items():
        if not isinstance(tests, dict):
            return True
        for key, raw in tests.items():
            name = str(key).lower()
            if name not in RESTRICTING_KEYS:
                continue
            if name in _IP_KEYS and not _ip_condition_narrows(str(operator), raw):
                continue
            return True
    return False
