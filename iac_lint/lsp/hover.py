"""Hover on a flagged range: the rule's documentation, as Markdown, with the fix for this file's format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iac_lint.engine.rules import Rule

# A format's fix may also be found under its family's name.
_FAMILY = {"sam": ("sam", "cloudformation", "yaml"), "cloudformation": ("cloudformation", "yaml"),
           "serverless": ("serverless", "yaml"), "terraform": ("terraform", "hcl"),
           "terraform-plan": ("terraform-plan", "terraform", "json")}


def fix_for_format(fix: Any, fmt: str, json_file: bool = False) -> tuple[str, str | None]:
    """The documented fix for ``fmt`` (a per-format mapping or one text), and the format it was written for."""
    if isinstance(fix, Mapping):
        names = _FAMILY.get(fmt, (fmt,))
        if json_file:
            names = ("json", *names)
        for name in names:
            if fix.get(name):
                return str(fix[name]), name
        first = next(iter(fix.items()), None)
        return (str(first[1]), str(first[0])) if first else ("", None)
    return (str(fix) if fix else ""), None


def _looks_like_code(text: str) -> bool:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    return not lines[-1].rstrip().endswith((".", ")")) or any(line.startswith((" ", "\t")) for line in lines)


def _fence(text: str, written_for: str | None) -> str:
    if not _looks_like_code(text):
        return text.strip()
    if written_for in ("terraform", "hcl"):
        language = "hcl"
    elif written_for == "json":
        language = "json"
    elif written_for is None and "=" in text and "{" in text and ":" not in text.split("\n", 1)[0]:
        language = "hcl"
    else:
        language = "yaml"
    return f"```{language}\n{text.strip()}\n```"


def rule_markdown(rule: Rule, fmt: str, json_file: bool = False) -> str:
    """The rule's head, what, why and fix (for ``fmt``) under the same headings as its page, and a link."""
    from iac_lint.docs import help_uri, summary
    from iac_lint.rules import DOC_PARTS

    docs: Mapping[str, Any] = rule.docs or {}
    parts = [summary(rule), rule.title]
    for key in ("what", "why"):
        if docs.get(key):
            parts.append(f"**{DOC_PARTS[key]}** {str(docs[key]).strip()}")
    fix, written_for = fix_for_format(docs.get("fix"), fmt, json_file)
    if fix:
        label = f"**{DOC_PARTS['fix']}** ({written_for})" if written_for else f"**{DOC_PARTS['fix']}**"
        parts.append(f"{label}\n\n{_fence(fix, written_for)}" if _looks_like_code(fix) else f"{label} {fix.strip()}")
    uri = help_uri(rule)
    if uri:
        parts.append(f"[{rule.id} documentation]({uri})")
    return "\n\n".join(parts)
