"""Flags a plaintext credential in a resource's properties or metadata, whatever the resource type."""

import bisect
import itertools
import re
from collections.abc import Iterator
from typing import Any

from iac_lint.model import LMap, Location, LSeq, Resource, key_loc, loc_of, locate_within, value_loc
from iac_lint.model.secrets import (
    credential_format,
    credentials_in_code,
    is_secret_name,
    looks_like_secret,
    mask,
    secret_kind,
)
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "SEC002",
    "name": "secret-in-property",
    "severity": "high",
    "category": "secrets",
    "title": "Resource property holds a plaintext credential",
    "applies_to": "resource",
    "default": True,
    "message": "{resource} has {kind} in {path}: {masked}",
    "docs": {
        "what": "Flags a literal credential in any resource's properties or metadata: a secret-like literal "
                "under a secret-named property (database master passwords, endpoint passwords, OAuth and "
                "access tokens, client secrets, basic-auth credentials, `AWS::CloudFormation::Authentication` "
                "keys, IAM login-profile passwords, `SecretString` documents, Serverless Framework `provider` "
                "credentials ...), a value in a provider's key format (an AWS access key id, a GitHub token, a "
                "private key ...) under any property, and an SSM parameter of type `String` whose name says it "
                "holds a secret. Inline function code (CloudFormation `Code.ZipFile`, SAM `InlineCode`, "
                "Terraform `archive_file` `source_content` and `source` blocks) is searched for credentials "
                "in a fixed format only — an AWS access key id and the secret access key written near it, a "
                "private key block, a provider token with a fixed prefix — and each is reported on its own "
                "line inside the code. Function environment variables are SEC001's. Dynamic references "
                "(`{{resolve:ssm-secure:...}}`, `{{resolve:secretsmanager:...}}`), `Ref`s, variables, ARNs, "
                "names and placeholders are not flagged, and the value is shown masked. In the default set.",
        "why": "A credential in a template is readable by everyone with access to the repository and its "
               "history, to CloudFormation's stored templates (`GetTemplate`) or to Terraform state; it "
               "cannot be rotated without a change to the code. An SSM `String` parameter is not encrypted "
               "and is readable with plain `ssm:GetParameter`.",
        "example": "Database:\n  Type: AWS::RDS::DBInstance\n  Properties:\n    MasterUsername: admin\n"
                   "    MasterUserPassword: 'Tr0ub4dor&3-horse'",
        "fix": "CloudFormation/SAM: `ManageMasterUserPassword: true`, or `MasterUserPassword: "
               "'{{resolve:secretsmanager:orders/db:SecretString:password}}'`; an SSM parameter that holds a "
               "secret is a `SecureString`, created outside the template. Terraform: "
               "`manage_master_user_password = true`, or a value from a sensitive variable or a "
               "`aws_secretsmanager_secret_version` data source. Serverless: `${ssm:/path}` or "
               "`${env:NAME}`. Rotate the exposed value.",
        "references": [
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/security-best-practices.html#creds",
            "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-securestring.html",
            "https://developer.hashicorp.com/terraform/language/state/sensitive-data",
        ],
    },
}

# Where a function's environment variables are written: SEC001 judges those.
_ENVIRONMENT_OWNERS = frozenset({"AWS::Lambda::Function", "AWS::Serverless::Function", "serverless:function",
                                 "serverless:provider", "aws_lambda_function"})
_NAMING_INTRINSICS = frozenset({"Ref", "Fn::GetAtt", "Fn::ImportValue", "Fn::FindInMap", "Condition",
                                "Fn::GetAZs"})
# Properties that hold a function's inline source code (Terraform's ``archive_file`` is matched by type).
_CODE_PATHS = frozenset({"Code.ZipFile", "InlineCode"})
_SSM_TYPES = {"AWS::SSM::Parameter": ("Type", "Name", "Value"), "aws_ssm_parameter": ("type", "name", "value")}


def _written_at_key(container: Any, key: Any, value: Any) -> Location | None:
    """Where ``value`` is written, when it is written at ``key`` itself (not brought in from a variable)."""
    where = value_loc(container, key) if isinstance(container, (LMap, LSeq)) else None
    where = loc_of(value) or where
    head = key_loc(container, key) if isinstance(container, LMap) else where
    if where is None or head is None or where.file != head.file or not 0 <= where.line - head.line <= 1:
        return None
    return where


def _is_code(rtype: str, path: str) -> bool:
    """Whether the property at ``path`` holds a function's inline source code."""
    if rtype == "archive_file":
        return path == "source_content" or re.fullmatch(r"source\[\d+\]\.content", path) is not None
    return path in _CODE_PATHS


def _credentials(node: Any, path: str, name: str, skip_environment: bool,
                 code: dict[str, Any] | None = None, rtype: str = "") -> list[tuple[str, str, str, Location]]:
    """(property path, kind of credential, value, location) of every literal credential written in ``node``,
    in order.

    Inline code is not walked: it goes into ``code`` (path -> node), judged by its own test.  A list is built
    by plain recursion rather than nested generators, and a value is located only once it is judged a
    credential: every string of every resource passes through here.
    """
    out: list[tuple[str, str, str, Location]] = []
    _collect(node, path, name, skip_environment, code, rtype, out)
    return out


def _kind(name: str, value: str) -> str | None:
    return secret_kind(name, value) if name else credential_format(value)


def _collect(node: Any, path: str, name: str, skip_environment: bool, code: dict[str, Any] | None, rtype: str,
             out: list[tuple[str, str, str, Location]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            key_text = str(key)
            if skip_environment and key_text.lower() == "environment":
                continue
            child = f"{path}.{key_text}" if path else key_text
            if code is not None and _is_code(rtype, child):
                code[child] = value
                continue
            if key_text in _NAMING_INTRINSICS or key_text.endswith(".$"):
                continue  # ``Ref: DbPassword`` names a parameter; ``Key.$`` is a Step Functions JSONPath
            if key_text == "Fn::Join":
                out.extend(_joined(node, key, value, path, name))
                continue
            if key_text == "Fn::If" and isinstance(value, list):
                value = LSeq(value[1:], loc=getattr(value, "loc", None))  # the first item names a condition
            # An intrinsic function that computes a value (``Fn::Join``) keeps the name of its property.
            owner = name if key_text.startswith("Fn::") else key_text
            if isinstance(value, str):
                kind = _kind(owner, value)
                where = _written_at_key(node, key, value) if kind else None
                if kind and where is not None:
                    out.append((child, kind, value, where))
            else:
                _collect(value, child, owner, False, code, rtype, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            child = f"{path}[{index}]"
            if isinstance(value, str):
                kind = _kind(name, value)
                where = (loc_of(value) or value_loc(node, index)) if kind else None
                if kind and where is not None:
                    out.append((child, kind, value, where))
            else:
                _collect(value, child, name, False, code, rtype, out)


def _joined(node: Any, key: Any, value: Any, path: str, name: str) -> Iterator[tuple[str, str, str, Location]]:
    """``Fn::Join``: its pieces are judged as the one string they make, a reference if any piece is one."""
    parts = value[1] if isinstance(value, list) and len(value) == 2 and isinstance(value[1], list) else None
    if parts is None:
        return
    text = "".join(p if isinstance(p, str) else "${ref}" for p in parts)
    kind = _kind(name, text)
    where = (loc_of(value) or value_loc(node, key)) if kind else None
    if kind and where is not None:
        yield f"{path}.Fn::Join" if path else "Fn::Join", kind, text, where


def _pieces(node: Any) -> Iterator[str]:
    """The literal strings of inline code in order: the code itself, or the parts ``Fn::Join`` /
    ``Fn::Sub`` / ``Fn::If`` make it from (a delimiter, a condition name or a ``Sub`` variable map is not code)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::Join" and isinstance(value, list) and len(value) == 2:
                yield from _pieces(value[1])
            elif key == "Fn::Sub" and isinstance(value, list) and value:
                yield from _pieces(value[0])
            elif key == "Fn::If" and isinstance(value, list):
                yield from _pieces(value[1:])
            elif str(key) in ("Fn::Sub", "Fn::Base64"):
                yield from _pieces(value)
    elif isinstance(node, list):
        for item in node:
            yield from _pieces(item)


def _code_violations(res: Resource, path: str, node: Any) -> Iterator[Violation]:
    """Credentials in inline code, each on its own line: the code is judged as one text, so that a secret
    access key is recognised beside its key id even in another part of an ``Fn::Join``."""
    pieces = list(_pieces(node))
    text = "\n".join(pieces)
    starts = list(itertools.accumulate((len(p) + 1 for p in pieces), initial=0))
    for kind, start, end in credentials_in_code(text):
        index = bisect.bisect_right(starts, start) - 1
        piece = pieces[index]
        offset = start - starts[index]
        secret = text[start:end]
        lines = secret.split("\n")
        first = locate_within(piece, lines[0], piece.count(lines[0], 0, offset))
        last = locate_within(piece, lines[-1], piece.count(lines[-1], 0, offset + len(secret) - len(lines[-1])))
        if first is None or last is None:
            where = loc_of(piece) or res.location  # not written literally: the whole value is the span
        else:
            where = Location(first.file, first.line, first.column, last.end_line, last.end_column)
        yield Violation(
            RULE["message"].format(resource=res.id, kind=kind, path=f"inline code ({path})", masked=mask(secret)),
            where, f"{path}:{kind}", redactions=(where,))


def _ssm_violation(res: Resource) -> Iterator[Violation]:
    type_key, name_key, value_key = _SSM_TYPES[res.type]
    props = res.properties
    if not isinstance(props, dict) or props.get(type_key) != "String":
        return
    name, value = props.get(name_key), props.get(value_key)
    if isinstance(name, str) and isinstance(value, str) and is_secret_name(name) and looks_like_secret(value):
        where = _written_at_key(props, value_key, value)
        if where is not None:
            yield Violation(
                f"{res.id} stores a secret-named SSM parameter as a plain String: {mask(value)}",
                where, value_key, redactions=(where,))


def check(res: Resource):
    if res.type in _SSM_TYPES:
        yield from _ssm_violation(res)
    skip_environment = res.type in _ENVIRONMENT_OWNERS
    code: dict[str, Any] = {}
    for section, node in (("", res.properties), ("Metadata", res.metadata)):
        for path, kind, value, where in _credentials(node, section, "", skip_environment, code, res.type):
            yield Violation(
                RULE["message"].format(resource=res.id, kind=kind, path=path, masked=mask(value)),
                where, path, redactions=(where,))
    for path, node in code.items():
        yield from _code_violations(res, path, node)
