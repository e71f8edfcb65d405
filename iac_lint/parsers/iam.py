"""IAM policy documents into ``PolicyStatement``s, shared by every format.

A document may come from CloudFormation, a SAM ``Policies`` list, a
serverless ``iamRoleStatements`` list, Terraform ``jsonencode``/heredoc JSON
or an ``aws_iam_policy_document``: each parser hands over a located tree
(``LMap``/``LSeq``/``LStr``) and a ``resolve`` callable that turns an
expression of its own format into a plain value or an ``Unknown``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from iac_lint.model import Location, PolicyStatement, Unknown, key_loc, loc_of, locate_plain, set_loc, value_loc

Resolve = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


def is_no_value(node: Any) -> bool:
    """``!Ref AWS::NoValue``: CloudFormation removes the property or list item it stands in."""
    return isinstance(node, dict) and len(node) == 1 and node.get("Ref") == "AWS::NoValue"


def branches(node: Any, where: Location | None = None, depth: int = 0) -> list[tuple[Any, Location | None]]:
    """Every value ``node`` may deploy as, with where each was written.

    A CloudFormation ``Fn::If`` deploys one branch or the other, and a policy
    grants what the chosen branch says: ``!If [IsProd, "s3:*", "s3:GetObject"]``
    may allow ``s3:*``, so IAM checks look at both branches (a union, "may
    grant").  ``!Ref AWS::NoValue`` branches grant nothing and are dropped.
    Any other value is its own single branch.
    """
    if isinstance(node, dict) and len(node) == 1:  # only a one-key mapping is an intrinsic: most nodes are not
        if is_no_value(node):
            return []
        if depth < 16 and "Fn::If" in node:
            arg = node["Fn::If"]
            if isinstance(arg, list) and len(arg) == 3:
                out: list[tuple[Any, Location | None]] = []
                for i in (1, 2):
                    out.extend(branches(arg[i], value_loc(arg, i) or where, depth + 1))
                return out
    return [(node, loc_of(node) or where)]


def _leaves(node: Any, where: Location | None, depth: int = 0) -> list[tuple[Any, Location | None]]:
    """The items of an ``Action``/``Resource`` value: a string, a list, a list built with ``Fn::If``."""
    out: list[tuple[Any, Location | None]] = []
    for value, loc in branches(node, where):
        if isinstance(value, list) and depth < 4:
            for i, item in enumerate(value):
                if isinstance(item, (dict, list)):
                    out.extend(_leaves(item, value_loc(value, i) or loc, depth + 1))
                else:  # a scalar is its own leaf (what the recursion would say, without it)
                    out.append((item, loc_of(item) or value_loc(value, i) or loc))
        else:
            out.append((value, loc))
    return out


def _items_with_locs(container: Any, key: str, resolve: Resolve) -> tuple[list[Any], list[Location | None]]:
    raw = container.get(key)
    if raw is None:
        return [], []
    values: list[Any] = []
    locs: list[Location | None] = []
    for leaf, where in _leaves(raw, value_loc(container, key)):
        value = resolve(leaf)
        if not isinstance(value, (list, dict)):
            values.append(value)
            locs.append(where)
            continue
        # A value that resolves to a list (``!FindInMap`` of a list) lists its items where it was written.
        for item in (value if isinstance(value, list) else [value]):
            values.append(item if not isinstance(item, (list, dict)) else Unknown(json.dumps(item, default=str)))
            locs.append(where)
    return values, locs


def principals_of(raw: Any, resolve: Resolve = _identity) -> list[Any]:
    """``"*"`` stays ``"*"``; ``{"AWS": ["a", "b"]}`` becomes ``["AWS:a", "AWS:b"]``."""
    value = resolve(raw)
    if value is None:
        return []
    if isinstance(value, Unknown):
        return [value]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out: list[Any] = []
        for kind, members in value.items():
            for member in _listify(members):
                member = resolve(member)
                out.append(member if isinstance(member, Unknown) else f"{kind}:{member}")
        return out
    return [Unknown(json.dumps(value, default=str))]


_LISTED = (("Action", "actions"), ("NotAction", "not_actions"), ("Resource", "resources"),
           ("NotResource", "not_resources"))


def statement_from(raw: Any, resolve: Resolve = _identity, source: str = "inline",
                   fallback: Location | None = None) -> PolicyStatement | None:
    """One statement mapping; None when ``raw`` is not one."""
    if not isinstance(raw, dict):
        return None
    loc = loc_of(raw) or fallback
    stmt = PolicyStatement(source=source, loc=loc)
    set_loc(stmt.locs, "statement", loc)
    raw_effect = raw.get("Effect", "Allow")
    # An Effect that is Allow in one branch of an ``Fn::If`` may allow: judge the statement as an Allow.
    effect = "Allow" if any(resolve(v) == "Allow" for v, _ in branches(raw_effect)) else resolve(raw_effect)
    stmt.effect = effect
    if "Effect" in raw:
        set_loc(stmt.locs, "effect", key_loc(raw, "Effect") or loc)
    for key, attr in _LISTED:
        if key not in raw:
            continue  # the statement's own empty list
        values, locs = _items_with_locs(raw, key, resolve)
        setattr(stmt, attr, values)
        set_loc(stmt.locs, attr, key_loc(raw, key) or loc)
        for i, where in enumerate(locs):
            if where is not None:
                stmt.locs[f"{attr}.{i}"] = where
    if "Principal" in raw:
        stmt.principals = principals_of(raw["Principal"], resolve)
        set_loc(stmt.locs, "principals", key_loc(raw, "Principal") or loc)
    if "NotPrincipal" in raw:
        stmt.not_principals = principals_of(raw["NotPrincipal"], resolve)
        set_loc(stmt.locs, "not_principals", key_loc(raw, "NotPrincipal") or loc)
    condition = resolve(raw.get("Condition"))
    if isinstance(condition, dict):
        stmt.conditions = {str(k): v for k, v in condition.items()}
    elif condition is not None:
        stmt.conditions = {"unknown": condition}
    if "Condition" in raw:
        set_loc(stmt.locs, "conditions", key_loc(raw, "Condition") or loc)
    sid = raw.get("Sid")
    stmt.sid = resolve(sid) if sid is not None else None
    return stmt


def statements_from_document(doc: Any, resolve: Resolve = _identity, source: str = "inline",
                             fallback: Location | None = None) -> list[PolicyStatement]:
    """Every statement of a policy document (``{"Statement": [...]}``), or of a bare statement list."""
    if isinstance(doc, str):
        try:  # a JSON document written as a string (heredoc, CloudFormation JSON string)
            doc = locate_plain(json.loads(doc), fallback or loc_of(doc))
        except ValueError:
            return []
    out = []
    for document, doc_loc in branches(doc, fallback or loc_of(doc)):
        if isinstance(document, dict) and "Statement" in document:
            raw_list = document["Statement"]
        elif isinstance(document, list):
            raw_list = document
        elif isinstance(document, dict) and ("Effect" in document or "Action" in document):
            raw_list = [document]
        else:
            continue
        # A statement list, or any statement in it, may be an ``Fn::If``: every branch is a statement.
        for raw, where in _leaves(raw_list, doc_loc):
            stmt = statement_from(raw, resolve, source, fallback or where or doc_loc)
            if stmt is not None:
                out.append(stmt)
    return out
