"""What names a rule: its id, its category, and the tokens that select it.

Defined once here and imported everywhere a rule is named: rule files and
their cases folders, ``# ruleid:`` annotations, ``# iac-lint: ignore``
comments, ``--select``/``--ignore``, and the configuration's ``severity``,
``per_path_ignores`` and ``no_inline_suppress``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# An uppercase prefix, an optional dash and more letters, then digits: IAM001, ORG042, E001, S002, and
# CFN-E3012 (the opt-in cfn-lint pass: our prefix, a dash, cfn-lint's own id).  The part after a dash is
# short so that a misspelt category (``publc-access``) is an error, not a prefix that selects nothing.
RULE_ID_PATTERN = r"[A-Z]{1,8}(?:-[A-Z]{1,3})?\d{3,5}"
RULE_ID = re.compile(rf"^{RULE_ID_PATTERN}$")
# A comma-separated list of ids, as ``# ruleid: IAM001, IAM002`` and ``ignore IAM001,IAM002`` write it.
RULE_ID_LIST_PATTERN = rf"{RULE_ID_PATTERN}(?:\s*,\s*{RULE_ID_PATTERN})*"
# What may select rules besides an id and a category: an id prefix (IAM, CFN, CFN-E, IAM00) or ALL.
_SELECTOR = re.compile(r"^(?:[A-Z]{1,8}(?:-[A-Z]{0,3})?\d{0,5}|ALL)$")

# Category -> id prefix of the built-in rules (DESIGN.md, "Rules"); add one only with a reason.
TEMPLATE_VALIDITY = "template-validity"
CATEGORIES: dict[str, str] = {
    "least-privilege": "IAM", "encryption": "ENC", "public-access": "PUB", "throttling": "THR",
    "secrets": "SEC", "logging": "LOG", "runtime": "RUN",
    # Not a rule category: cfn-lint's matches under --cfn-lint (engine/cfnlint_pass.py).
    TEMPLATE_VALIDITY: "CFN",
}


def is_rule_id(text: str) -> bool:
    return bool(RULE_ID.match(text))


def is_rule_token(token: str) -> bool:
    """A rule id (IAM001), an id prefix (IAM, CFN-E), a category (encryption) or ALL."""
    token = token.strip()
    return bool(token) and (bool(_SELECTOR.match(token.upper())) or token.lower() in CATEGORIES)


def matches_rule(rule_id: str, category: str, tokens: Iterable[str]) -> bool:
    """Whether any token names the rule: its id, a prefix of its id, its category, or ALL.

    A prefix never cuts through letters, so ``E`` names ``E001`` but not ``ENC001``, and ``CFN``
    names ``CFN-E3012``; it may cut through digits (``IAM00``), as ruff's selectors do.
    """
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        upper = token.upper()
        if upper in ("ALL", rule_id) or token.lower() == category:
            return True
        if rule_id.startswith(upper) and _SELECTOR.match(upper):
            rest = rule_id[len(upper):]
            if not (upper[-1].isalpha() and rest[:1].isalpha()):
                return True
    return False


def names_any_rule(token: str, rules: Iterable[tuple[str, str]]) -> bool:
    """Whether a selector names at least one of ``rules`` (``(id, category)`` pairs), or is ALL or a category.

    ``IAM01`` is well formed but names nothing: a gate selecting it would check nothing and pass.
    """
    token = token.strip()
    if token.upper() == "ALL" or token.lower() in CATEGORIES:
        return True
    return any(matches_rule(rule_id, category, [token]) for rule_id, category in rules)


def unknown_token_message(what: str, token: str) -> str:
    """The one message for a selector that names no rule, from the configuration file or a flag."""
    return (f"{what}: {token!r} is not a rule id (IAM001), a prefix (IAM) or a category "
            f"({', '.join(sorted(CATEGORIES))}) of any loaded rule")
