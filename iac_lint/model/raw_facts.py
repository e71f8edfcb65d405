"""Facts the entities do not normalize yet, read once from a resource's raw properties.

Organisation rules (the cookbook's tagging and VPC rules) need them in every
format; reading the format-native keys here keeps that knowledge out of the
rules, as the entities do for the facts they carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iac_lint.model.core import Resource, Unknown
from iac_lint.model.located import plain

# Format-native key of the tags, by raw resource type family.
_TAG_KEYS = ("Tags", "tags")


def resource_tags(resource: Resource) -> dict[str, Any] | Unknown | None:
    """The tags written on the resource, key -> value; None when it has none, Unknown when not static.

    CloudFormation writes ``Tags: [{Key, Value}]`` (SAM functions and the Serverless Framework a map),
    Terraform ``tags = {...}``.  Tags inherited from elsewhere (Terraform provider ``default_tags``,
    Serverless ``provider.tags``, stack tags) are not included.
    """
    props = resource.properties
    if not isinstance(props, Mapping):
        return None
    for key in _TAG_KEYS:
        if key not in props:
            continue
        value = plain(props[key])
        if isinstance(value, Mapping):
            if set(value) == {"unknown"}:
                return Unknown(str(value["unknown"]))
            if len(value) == 1 and str(next(iter(value))).startswith(("Fn::", "Ref")):
                return Unknown(str(value))  # a CloudFormation intrinsic: decided at deploy time
            return {str(k): v for k, v in value.items()}
        if isinstance(value, list):
            out: dict[str, Any] = {}
            for item in value:
                if isinstance(item, Mapping) and "Key" in item:
                    out[str(item["Key"])] = item.get("Value")
                else:
                    return Unknown(str(value))
            return out
        return Unknown(str(value))
    return None


def vpc_subnets(vpc: Any) -> list[Any]:
    """The subnet ids of a function's ``vpc`` as written (``SubnetIds``, ``subnetIds``, ``subnet_ids``)."""
    if not isinstance(vpc, Mapping):
        return []
    for key in ("SubnetIds", "subnetIds", "subnet_ids"):
        if key in vpc:
            value = vpc[key]
            return list(value) if isinstance(value, list) else [value]
    return []
