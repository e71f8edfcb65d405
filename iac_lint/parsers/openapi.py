"""The routes an inline OpenAPI definition declares (CloudFormation ``Body``, SAM ``DefinitionBody``,
Terraform ``body``), with who may call each: shared by every format, like ``parsers.iam``.

API Gateway reads ``security`` (per operation, else the document's) against the
security schemes: an ``apiKey`` scheme without ``x-amazon-apigateway-authtype``
or ``x-amazon-apigateway-authorizer`` is an API key, any other scheme an
authorizer; ``security: []`` or no requirement at all leaves the operation
open.  ``x-amazon-apigateway-any-method`` is ``ANY``; the Lambda an operation
proxies to is in ``x-amazon-apigateway-integration.uri``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from iac_lint.model import Location, Unknown, key_loc, loc_of

Resolve = Callable[[Any], Any]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "x-amazon-apigateway-any-method")
_AUTHTYPE_AUTHORIZATION = {"awssigv4": "AWS_IAM", "cognito_user_pools": "COGNITO_USER_POOLS", "custom": "CUSTOM"}


@dataclass(slots=True)
class Operation:
    method: str  # GET ... or ANY
    path: str
    loc: Location | None
    authorization: Any  # "NONE", "AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM", "JWT", or None (the API's default)
    api_key_required: bool
    integration_uri: Any  # the raw ``uri`` node, for the format to resolve into a function


def _schemes(doc: dict[str, Any], resolve: Resolve) -> dict[str, tuple[str | None, bool]]:
    """Scheme name -> (authorization it stands for, is an API key)."""
    out: dict[str, tuple[str | None, bool]] = {}
    components = resolve(doc.get("components"))
    found = [doc.get("securityDefinitions"),
             components.get("securitySchemes") if isinstance(components, dict) else None]
    for table in found:
        table = resolve(table)
        for name, scheme in (table.items() if isinstance(table, dict) else []):
            scheme = resolve(scheme)
            if not isinstance(scheme, dict):
                out[str(name)] = ("CUSTOM", False)
                continue
            authtype = resolve(scheme.get("x-amazon-apigateway-authtype"))
            authorizer = scheme.get("x-amazon-apigateway-authorizer")
            kind = resolve(scheme.get("type"))
            if isinstance(authtype, str) and authtype.lower() in _AUTHTYPE_AUTHORIZATION:
                out[str(name)] = (_AUTHTYPE_AUTHORIZATION[authtype.lower()], False)
            elif authorizer is not None:
                out[str(name)] = ("JWT" if isinstance(resolve(authorizer), dict) and
                                  resolve(resolve(authorizer).get("type")) == "jwt" else "CUSTOM", False)
            elif kind == "apiKey":
                out[str(name)] = (None, True)
            elif kind in ("oauth2", "openIdConnect", "http"):
                out[str(name)] = ("JWT", False)
            else:
                out[str(name)] = ("CUSTOM", False)
    return out


def _guard(requirements: Any, schemes: dict[str, tuple[str | None, bool]], resolve: Resolve) -> tuple[Any, bool]:
    """(authorization, api key required) of a ``security`` list: the weakest alternative wins."""
    requirements = resolve(requirements)
    if isinstance(requirements, Unknown):
        return requirements, False
    if not isinstance(requirements, list) or not requirements:
        return "NONE", False
    weakest: tuple[Any, bool] | None = None
    for requirement in requirements:
        requirement = resolve(requirement)
        if not isinstance(requirement, dict) or not requirement:
            return "NONE", False  # `{}`: this alternative asks for nothing
        auth: Any = None
        key = False
        for name in requirement:
            scheme_auth, is_key = schemes.get(str(name), ("CUSTOM", False))
            auth = auth or scheme_auth
            key = key or is_key
        option = (auth or "NONE", key)
        if weakest is None or (option[0] == "NONE" and (weakest[0] != "NONE" or not option[1])):
            weakest = option
    return weakest or ("NONE", False)


def operations(doc: Any, resolve: Resolve, default_applies: bool = False) -> list[Operation] | None:
    """Every operation of an OpenAPI/Swagger document; None when ``doc`` is not one (an include, an unknown).

    ``default_applies``: the API has a default authorizer (SAM ``Auth.DefaultAuthorizer``) that guards an
    operation without its own ``security``: such an operation's authorization is left None.
    """
    doc = resolve(doc) if not isinstance(doc, dict) else doc
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        return None
    schemes = _schemes(doc, resolve)
    top = doc.get("security")
    out: list[Operation] = []
    for path, item in doc["paths"].items():
        if not isinstance(item, dict):
            continue
        for method_key, operation in item.items():
            if str(method_key).lower() not in _METHODS or not isinstance(operation, dict):
                continue
            method = "ANY" if str(method_key).lower() == _METHODS[-1] else str(method_key).upper()
            requirements = operation.get("security", top)
            if requirements is None and default_applies:
                auth, key = None, False
            else:
                auth, key = _guard(requirements, schemes, resolve)
            integration = operation.get("x-amazon-apigateway-integration")
            uri = integration.get("uri") if isinstance(integration, dict) else None
            out.append(Operation(method, str(path), key_loc(item, method_key) or loc_of(operation), auth, key, uri))
    return out
