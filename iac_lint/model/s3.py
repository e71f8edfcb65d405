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
