"""Placeholders for parents a unit names but does not define (DESIGN.md, "External parents").

A method of an imported API, a URL on a function of another stack, a policy on
an existing bucket: the child is judged on its own facts, so it needs a parent
to hang on.  The placeholder is marked ``external`` and its own settings are
Unknown, so that rules about the parent's own state neither flag nor pass it.
Parsers keep one placeholder per reference text (``parsers.kernel.external_parent``).
"""

from __future__ import annotations

from typing import Any

from iac_lint.model.core import Location, Resource, Unknown
from iac_lint.model.entities import Api, Bucket, Function


def external_api(id: str, resource: Resource, loc: Location, name: Any, api_kind: str) -> Api:
    """An API defined elsewhere: public unless known private (a REST API's endpoint type is not written
    here), no default authorizer (its methods and routes say their own)."""
    return Api(id, resource, loc, name=name, api_kind=api_kind, public=True, external=True)


def external_function(id: str, resource: Resource, loc: Location, name: Any) -> Function:
    """A function defined elsewhere: every setting of its own is Unknown."""
    unknown = Unknown(f"function {id} is defined elsewhere")
    return Function(id, resource, loc, name=name, runtime=unknown, handler=unknown, reserved_concurrency=unknown,
                    timeout=unknown, memory=unknown, tracing=unknown, vpc=unknown, dead_letter=unknown,
                    kms_key=unknown, external=True)


def external_bucket(id: str, resource: Resource, loc: Location, name: Any) -> Bucket:
    """A bucket defined elsewhere: its encryption and other settings are Unknown."""
    return Bucket(id, resource, loc, name=name, encryption=Unknown(f"bucket {id} is defined elsewhere"),
                  external=True)
