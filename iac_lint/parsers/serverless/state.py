"""What a Serverless Framework service's builders share: the state ``Service`` sets up, and the
few operations on it that the events and roles builders (mixed into ``Service``) use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iac_lint.model import Api, Entity, Function, LMap, Location, Resource, Role, Stage, Template, Value
from iac_lint.parsers.cloudformation.intrinsics import CfnContext
from iac_lint.parsers.serverless.names import FORMAT


class ServiceState:
    """Set by ``Service.__init__``; declared here so that each builder is checked against it."""

    tpl: Template
    doc: dict[str, Any]
    path: str
    stage: str
    service: Any
    provider: dict[str, Any]  # a mapping from the file (located) or, when absent, an empty LMap
    provider_loc: Location
    provider_res: Resource
    resources: LMap
    ctx: CfnContext
    plugins: list[str]
    has_per_function_roles: bool
    functions: list[tuple[Function, dict[str, Any]]]
    apis: dict[str, Api]
    stages: dict[str, Stage]
    after_resources: list[Callable[[], None]]
    external_roles: dict[str, Role]
    shared_role: Role | None
    provider_role_final: Role | None

    def resolve(self, value: Any) -> Value:
        """A plain value: CloudFormation intrinsics resolved as far as they go, the rest Unknown."""
        return self.ctx.resolve(value)

    def register(self, logical_id: str, entity: Entity) -> None:
        self.ctx.entities[logical_id] = entity
        self.ctx.resource_ids.add(logical_id)

    def generated(self, logical_id: str, rtype: str, node: Any, where: Location) -> Resource:
        """The raw resource behind an entity the framework generates: the node that caused it."""
        return Resource(logical_id, rtype, FORMAT, node if isinstance(node, dict) else LMap(loc=where), where,
                        where.file)
