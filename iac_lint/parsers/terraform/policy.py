"""Terraform's IAM policy documents: an ``aws_iam_policy_document`` data source as the JSON it renders."""

from __future__ import annotations

import json
from typing import Any

from iac_lint.model import LMap, Location, LSeq, LStr, Unknown, key_loc, loc_of, set_loc, value_loc
from iac_lint.parsers.terraform.instances import each_block

_STATEMENT_KEYS = (("sid", "Sid"), ("effect", "Effect"), ("actions", "Action"), ("not_actions", "NotAction"),
                   ("resources", "Resource"), ("not_resources", "NotResource"))


def _principal_map(blocks: list[Any], loc: Location) -> Any:
    out = LMap(loc=loc)
    for block in blocks:
        kind = block.get("type")
        identifiers = block.get("identifiers")
        if kind == "*" and (identifiers == ["*"] or identifiers == "*"):
            return LStr("*", loc_of(block) or loc)
        key = kind if isinstance(kind, str) else str(kind)
        existing = out.get(key)
        merged = LSeq((existing or []) + (list(identifiers) if isinstance(identifiers, list) else [identifiers]),
                      loc=loc_of(identifiers) or loc_of(block))
        merged.item_locs = ((existing.item_locs if isinstance(existing, LSeq) else []) +
                            (identifiers.item_locs if isinstance(identifiers, LSeq)
                             else [loc_of(block)] * (len(identifiers) if isinstance(identifiers, list) else 1)))
        out[key] = merged
        out.value_locs[key] = loc_of(block) or loc
    return out


def _document_statements(doc: Any) -> list[Any]:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return []
    if isinstance(doc, dict):
        found = doc.get("Statement")
        return list(found) if isinstance(found, list) else ([found] if isinstance(found, dict) else [])
    return []


def document_from_policy_data(props: Any, loc: Location) -> Any:
    """An ``aws_iam_policy_document`` data source as the JSON document it renders."""
    statements = LSeq(loc=loc)
    for source in props.get("source_policy_documents") or [] if isinstance(props, dict) else []:
        for stmt in _document_statements(source):
            statements.append(stmt)
            statements.item_locs.append(loc_of(stmt) or loc)
    blocks = each_block(props, "statement")
    if not blocks and isinstance(props, dict) and isinstance(props.get("json"), str):
        return props.get("json")  # a plan's rendered document, when its blocks are not given
    for block in blocks:
        stmt_loc = loc_of(block) or loc
        stmt = LMap(loc=stmt_loc)
        for tf_key, iam_key in _STATEMENT_KEYS:
            if block.get(tf_key) is not None:
                stmt[iam_key] = block[tf_key]
                set_loc(stmt.value_locs, iam_key, value_loc(block, tf_key))
                set_loc(stmt.key_locs, iam_key, key_loc(block, tf_key))
        for tf_key, iam_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            found = each_block(block, tf_key)
            if found:
                stmt[iam_key] = _principal_map(found, stmt_loc)
                set_loc(stmt.value_locs, iam_key, loc_of(found[0]))
                set_loc(stmt.key_locs, iam_key, loc_of(found[0]))
        conditions = each_block(block, "condition")
        if conditions:
            cond = LMap(loc=loc_of(conditions[0]))
            for c in conditions:
                test, variable = c.get("test"), c.get("variable")
                if isinstance(test, Unknown) or isinstance(variable, Unknown):
                    cond[str(test)] = Unknown("condition")
                    continue
                cond.setdefault(str(test), LMap(loc=loc_of(c)))[str(variable)] = c.get("values")
            stmt["Condition"] = cond
            set_loc(stmt.value_locs, "Condition", cond.loc)
            set_loc(stmt.key_locs, "Condition", cond.loc)
        statements.append(stmt)
        statements.item_locs.append(stmt.loc)
    overrides = props.get("override_policy_documents") if isinstance(props, dict) else None
    for override in overrides if isinstance(overrides, list) else []:
        for stmt in _document_statements(override):
            sid = stmt.get("Sid") if isinstance(stmt, dict) else None
            kept = [s for s in statements if not (sid and isinstance(s, dict) and s.get("Sid") == sid)]
            statements[:] = kept + [stmt]
            statements.item_locs = [loc_of(s) or loc for s in statements]
    doc = LMap(loc=loc)
    doc["Version"] = props.get("version") or "2012-10-17" if isinstance(props, dict) else "2012-10-17"
    doc["Statement"] = statements
    doc.value_locs["Statement"] = loc
    return doc
