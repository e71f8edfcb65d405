"""Terraform resources into entities, for HCL modules and plan JSON alike: the builder table on the kernel.

``instances`` says what builders read, ``resources`` and ``apigateway`` hold
the builders, ``policy`` renders policy documents.  References are resolved
here; the link stage (``iac_lint.link``) derives the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from iac_lint.model import IdentityPolicy, Resource, Template
from iac_lint.parsers.kernel import Built, Pending, build_and_link
from iac_lint.parsers.terraform.apigateway import APIGATEWAY_BUILDERS
from iac_lint.parsers.terraform.instances import BuildContext, Instance
from iac_lint.parsers.terraform.resources import RESOURCE_BUILDERS

BUILDERS: dict[str, Callable[[BuildContext, Instance], Built]] = {**RESOURCE_BUILDERS, **APIGATEWAY_BUILDERS}
# Linked after the others: they look for stages by API, and for buckets' own access blocks.
LATE = frozenset({"aws_s3_account_public_access_block", "aws_api_gateway_method_settings",
                   "aws_api_gateway_usage_plan"})


def build_template(tpl: Template, references: Any, instances: list[Instance], fmt: str = "terraform",
                   consumed_documents: set[str] | None = None) -> Template:
    """Raw resources and entities of every instance, their references resolved (not yet linked)."""
    ctx = BuildContext(tpl, references)
    for inst in instances:
        ctx.instances[inst.key] = inst
        resource = Resource(inst.id, inst.type, fmt, inst.props, inst.loc, inst.file)
        ctx.resources[inst.key] = resource
        tpl.resources.append(resource)
    for inst in ctx.instances.values():
        ctx.by_type.setdefault(inst.type, []).append(inst)
    pending = [Pending(inst.key, inst.type, functools.partial(BUILDERS[inst.type], ctx, inst))
               for inst in instances if inst.mode == "managed" and inst.type in BUILDERS]
    build_and_link(tpl, pending, ctx.entities, LATE)
    if consumed_documents is not None:
        add_unconsumed_documents(ctx, instances, consumed_documents)
    return tpl


def add_unconsumed_documents(ctx: BuildContext, instances: list[Instance], consumed: set[str]) -> None:
    """A policy document nothing in the module reads (an output, a module argument, a leftover) is still
    judged once as an identity policy, unless it names principals: then it is a resource or trust policy."""
    from iac_lint.parsers.iam import statements_from_document
    from iac_lint.parsers.terraform.policy import document_from_policy_data

    for inst in instances:
        if inst.mode != "data" or inst.type != "aws_iam_policy_document" or inst.key in consumed:
            continue
        statements = statements_from_document(document_from_policy_data(inst.props, inst.loc), source=inst.id,
                                              fallback=inst.loc)
        if statements and not any(s.principals or s.not_principals for s in statements):
            ctx.tpl.add(IdentityPolicy(inst.id, ctx.tpl_resource(inst), inst.loc, name=inst.id,
                                       statements=statements))
