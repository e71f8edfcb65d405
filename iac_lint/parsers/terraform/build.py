"""Terraform resources into entities, for HCL modules and plan JSON alike: the builder table on the kernel.

``instances`` says what builders read, ``resources`` and ``apigateway`` hold
the builders, ``policy`` renders policy documents.  References are resolved
here; the link stage (``iac_lint.link``) derives the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from iac_lint.model import Resource, Template
from iac_lint.parsers.kernel import Built, Pending, build_and_link
from iac_lint.parsers.terraform.apigateway import APIGATEWAY_BUILDERS
from iac_lint.parsers.terraform.instances import BuildContext, Instance
from iac_lint.parsers.terraform.resources import RESOURCE_BUILDERS

BUILDERS: dict[str, Callable[[BuildContext, Instance], Built]] = {**RESOURCE_BUILDERS, **APIGATEWAY_BUILDERS}
# Linked after the others: they look for stages by API, and for buckets' own access blocks.
LATE = frozenset({"aws_s3_account_public_access_block", "aws_api_gateway_method_settings",
                   "aws_api_gateway_usage_plan"})


def build_template(tpl: Template, references: Any, instances: list[Instance], fmt: str = "terraform") -> Template:
    """Raw resources and entities of every instance, their references resolved (not yet linked)."""
    ctx = BuildContext(tpl, references)
    for inst in instances:
        ctx.instances[inst.key] = inst
        resource = Resource(inst.id, inst.type, fmt, inst.props, inst.loc, inst.file)
        ctx.resources[inst.key] = resource
        tpl.resources.append(resource)
    pending = [Pending(inst.key, inst.type, functools.partial(BUILDERS[inst.type], ctx, inst))
               for inst in instances if inst.mode == "managed" and inst.type in BUILDERS]
    build_and_link(tpl, pending, ctx.entities, LATE)
    return tpl
