"""The Serverless Framework's roles: a function's own, the per-function-roles plugin's, the shared one.

Mixed into ``Service``: reads its provider, context and functions, and adds
to its template.
"""

from __future__ import annotations

from typing import Any

from iac_lint.model import (
    Entity,
    Function,
    IdentityPolicy,
    Location,
    ManagedPolicyRef,
    Resource,
    Role,
    Unknown,
    get_path,
    key_loc,
    loc_of,
    path_loc,
    value_loc,
)
from iac_lint.parsers.cloudformation.resources import external_role
from iac_lint.parsers.iam import statements_from_document
from iac_lint.parsers.serverless.names import LAMBDA_PRINCIPAL, SHARED_ROLE_ID, is_intrinsic, normalized_name, truthy
from iac_lint.parsers.serverless.state import ServiceState


class Roles(ServiceState):
    def link_role(self, fn: Function, body: dict) -> None:
        """A function's own ``role``, its per-function role (plugin), or the shared provider role."""
        if body.get("role") is not None:
            fn.set("role", self.role_reference(body["role"], fn.resource, path_loc(body, "role") or fn.loc),
                   path_loc(body, "role"))
            return
        if "iamRoleStatements" in body and self.has_per_function_roles:
            fn.set("role", self.per_function_role(fn, body), path_loc(body, "iamRoleStatements"))
            return
        fn.set("role", self.provider_role(), None)

    def role_reference(self, raw: Any, owner: Resource, where: Location) -> Role:
        """A role named by ARN (defined elsewhere) or by the logical id or name of a role in ``resources``."""
        found: Entity | None
        if isinstance(raw, dict):
            found = self.ctx.entity_for(raw, Role)
            if isinstance(found, Role):
                return found
        value = self.resolve(raw)
        if isinstance(value, str) and not value.startswith("arn:"):
            found = self.ctx.entities.get(value)
            if not isinstance(found, Role):
                found = self.ctx.name_or_arn(value, Role)
            if isinstance(found, Role):
                return found
        elif isinstance(value, str):
            found = self.ctx.name_or_arn(value, Role)
            if isinstance(found, Role):
                return found
        key = value.expr if isinstance(value, Unknown) else str(value)
        role = self.external_roles.get(key)
        if role is None:  # one object per ARN: functions that name the same role share it
            role = external_role(value, owner, where)
            self.external_roles[key] = role
            self.tpl.add(role)
        return role

    def provider_statement_sources(self) -> list[tuple[Any, str]]:
        """Every place the provider lists statements: v1/v2 ``iamRoleStatements``, v3+ ``iam.role.statements``."""
        out: list[tuple[Any, str]] = []
        if self.provider.get("iamRoleStatements") is not None:
            out.append((self.provider["iamRoleStatements"], "provider.iamRoleStatements"))
        statements = get_path(self.provider, "iam", "role", "statements")
        if statements is not None:
            out.append((statements, "provider.iam.role.statements"))
        return out

    def provider_managed_policies(self) -> list[tuple[Any, Any]]:
        out: list[tuple[Any, Any]] = []
        managed = get_path(self.provider, "iam", "role", "managedPolicies")
        for node in (self.provider.get("iamManagedPolicies"), managed):
            if isinstance(node, list):
                out.extend((raw, value_loc(node, i)) for i, raw in enumerate(node))
            elif node is not None:
                out.append((node, loc_of(node)))
        return out

    def uses_shared_role(self, body: dict) -> bool:
        return body.get("role") is None and not ("iamRoleStatements" in body and self.has_per_function_roles)

    def custom_shared_role(self) -> tuple[Any, Location | None]:
        """``provider.iam.role`` (v3+) or ``provider.role`` given as an ARN, a resource name or a reference."""
        custom, where = get_path(self.provider, "iam", "role"), path_loc(self.provider, "iam", "role")
        if isinstance(custom, dict) and not is_intrinsic(custom):
            custom = None  # ``iam.role: {statements: ...}`` configures the generated role
        if custom is None:
            custom, where = self.provider.get("role"), path_loc(self.provider, "role")
        return custom, where

    def prepare_shared_role(self) -> None:
        """Create ``IamRoleLambdaExecution`` before ``resources`` is read, so that it can be referenced there.

        The framework generates it only when some function runs with it, and
        not when the provider names a role of its own or ``resources``
        defines one under that logical id.
        """
        if (any(self.uses_shared_role(body) for _, body in self.functions)
                and self.custom_shared_role()[0] is None and not isinstance(self.resources.get(SHARED_ROLE_ID), dict)):
            self.shared_role = self.new_shared_role()

    def new_shared_role(self) -> Role:
        written = [loc for k in ("iam", "iamRoleStatements", "iamManagedPolicies")
                   if k in self.provider and (loc := key_loc(self.provider, k)) is not None]
        where = min(written, key=lambda loc: (loc.line, loc.column)) if written else self.provider_loc
        res = self.generated(SHARED_ROLE_ID, "serverless:iam-role", self.provider, where)
        role = Role(SHARED_ROLE_ID, res, where, name=self.resolve(get_path(self.provider, "iam", "role", "name")),
                    assume_principals=[LAMBDA_PRINCIPAL])
        self.register(SHARED_ROLE_ID, role)
        self.tpl.add(role)
        return role

    def provider_role(self) -> Role:
        """The role every function without its own runs with: named by the provider, or generated."""
        if self.provider_role_final is not None:
            return self.provider_role_final
        custom, where = self.custom_shared_role()
        if custom is not None:
            role = self.role_reference(custom, self.provider_res, where or self.provider_loc)
        else:
            # ``resources`` may define IamRoleLambdaExecution itself; the provider's grants then join it.
            found = self.shared_role or self.ctx.entities.get(SHARED_ROLE_ID)
            role = found if isinstance(found, Role) else self.new_shared_role()
            self.add_provider_grants(role)
        self.provider_role_final = role
        return role

    def add_provider_grants(self, role: Role) -> None:
        for node, source in self.provider_statement_sources():
            role.statements.extend(statements_from_document(node, self.resolve, source=source,
                                                            fallback=loc_of(node)))
        for raw, where in self.provider_managed_policies():
            managed = self.ctx.entity_for(raw)
            if isinstance(managed, IdentityPolicy):  # a managed policy of `resources`: judged once, as its own
                managed.attach(role)
            else:
                role.managed_policies.append(ManagedPolicyRef(self.resolve(raw), where))
        for path in (("iam", "role", "permissionsBoundary"), ("rolePermissionsBoundary",)):
            if get_path(self.provider, *path) is not None:
                role.set("permissions_boundary", self.resolve(get_path(self.provider, *path)),
                         path_loc(self.provider, *path))

    def per_function_role(self, fn: Function, body: dict) -> Role:
        """The role the per-function-roles plugin creates from a function's ``iamRoleStatements``.

        The plugin's documented behaviour: the function's statements replace
        the provider's, unless ``iamRoleStatementsInherit: true`` on the
        function (or ``custom.serverless-iam-roles-per-function.defaultInherit``)
        asks to add the provider's statements and managed policies too.
        """
        logical = f"{normalized_name(fn.id)}IamRoleLambdaExecution"
        where = key_loc(body, "iamRoleStatements") or fn.loc
        res = self.generated(logical, "serverless:iam-role", body, where)
        name = self.resolve(body.get("iamRoleStatementsName")) if body.get("iamRoleStatementsName") else None
        role = Role(logical, res, where, name=name or logical, assume_principals=[LAMBDA_PRINCIPAL])
        role.statements.extend(statements_from_document(body.get("iamRoleStatements"), self.resolve,
                                                        source=f"{fn.id}.iamRoleStatements", fallback=where))
        default_inherit = truthy(get_path(self.doc, "custom", "serverless-iam-roles-per-function", "defaultInherit"))
        inherit = body.get("iamRoleStatementsInherit")
        if truthy(inherit) is True or (inherit is None and default_inherit is True):
            self.add_provider_grants(role)
        self.tpl.add(role)
        return role
