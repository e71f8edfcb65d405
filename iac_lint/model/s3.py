"""S3 knowledge, written once: server-side encryption modes and canned ACLs."""

from __future__ import annotations

import re
from typing import Any

from iac_lint.model.core import Unknown

# The S3 API's SSEAlgorithm values and the model's encryption modes (``Bucket.encryption``).
SSE_MODES = {"AES256": "sse-s3", "aws:kms": "kms", "aws:kms:dsse": "kms-dsse"}


def sse_mode(algorithm: Any, written_as: str = "SSEAlgorithm") -> Any:
    """The model's encryption mode for an SSE algorithm; an Unknown naming the setting for any other value."""
    if isinstance(algorithm, Unknown):
        return algorithm
    return SSE_MODES.get(str(algorithm), Unknown(f"{written_as} {algorithm}"))


def canned_acl(value: Any) -> Any:
    """A canned ACL in the S3 API's spelling: CloudFormation's ``PublicRead`` becomes ``public-read``."""
    if not isinstance(value, str):
        return value
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "-", value).lower()


# The predefined groups an ACL grant may name (``uri``), and what they make a bucket: the canned ACL that
# grants the same.  Facts from the S3 ACL overview.
_PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "public-read",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "authenticated-read",
}
_WRITE_PERMISSIONS = frozenset({"WRITE", "WRITE_ACP", "FULL_CONTROL"})


def acl_of_grants(grants: list[tuple[Any, Any]]) -> str | None:
    """The canned ACL a list of ``(grantee uri, permission)`` grants amounts to, when it is public.

    Everyone with a write permission is ``public-read-write``; everyone with read, ``public-read``; any AWS
    account, ``authenticated-read``; grants to accounts and canonical users are not public (None).
    """
    found: str | None = None
    for uri, permission in grants:
        group = _PUBLIC_GROUPS.get(str(uri).strip()) if isinstance(uri, str) else None
        if group is None:
            continue
        if group == "public-read" and isinstance(permission, str) and permission.upper() in _WRITE_PERMISSIONS:
            return "public-read-write"
        if group == "public-read" or found is None:
            found = group
    return found
