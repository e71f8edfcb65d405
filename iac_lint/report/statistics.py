"""``--statistics``: how many findings each rule reported, most first (like ruff's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from iac_lint.model import Finding


def render_statistics(findings: Iterable[Finding]) -> str:
    """One line per rule: active findings, rule id, name, severity, and how many were suppressed."""
    active: Counter[str] = Counter()
    suppressed: Counter[str] = Counter()
    names: dict[str, tuple[str, str]] = {}
    for f in findings:
        (suppressed if f.suppressed else active)[f.rule_id] += 1
        names.setdefault(f.rule_id, (f.rule_name, f.severity))
    if not names:
        return "No findings.\n"
    order = sorted(names, key=lambda rule_id: (-active[rule_id], -suppressed[rule_id], rule_id))
    count_width = max(len(str(active[r])) for r in order)
    id_width = max(len(r) for r in order)
    name_width = max(len(names[r][0]) for r in order)
    lines = []
    for rule_id in order:
        name, severity = names[rule_id]
        line = f"{active[rule_id]:>{count_width}}  {rule_id:<{id_width}}  {name:<{name_width}}  [{severity}]"
        if suppressed[rule_id]:
            line += f"  ({suppressed[rule_id]} suppressed)"
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"
