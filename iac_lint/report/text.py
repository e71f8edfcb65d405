"""Human output: findings grouped by file, with the offending source line."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import Any

from iac_lint.report.paths import display_path

_COLOURS = {"critical": "\033[1;35m", "high": "\033[1;31m", "medium": "\033[33m", "low": "\033[36m",
            "info": "\033[2m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


def _source_lines(report: Any, file: str, cache: dict[str, list[str]]) -> list[str]:
    if file not in cache:
        lines = None
        for tpl in report.templates:
            if file in tpl.sources:
                lines = tpl.sources[file]
                break
        if lines is None:
            try:
                with open(file, encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
            except OSError:
                lines = []
        cache[file] = lines
    return cache[file]


def render(report: Any, color: bool = False, show_suppressed: bool = False, **_: Any) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    shown = [f for f in report.findings if show_suppressed or not f.suppressed]
    out: list[str] = []
    cache: dict[str, list[str]] = {}
    for file, group in groupby(shown, key=lambda f: f.location.file):
        out.append(paint(display_path(file), _BOLD))
        lines = _source_lines(report, file, cache)
        for f in group:
            loc = f.location
            sev = paint(f"{f.severity:<8}", _COLOURS.get(f.severity, ""))
            tag = " (baselined)" if f.baselined else " (suppressed)" if f.suppressed else ""
            resource = f" [{f.resource}]" if f.resource else ""
            out.append(f"  {loc.line}:{loc.column}  {sev} {f.rule_id} {f.rule_name}{resource}{tag}")
            out.append(f"      {f.message}")
            if 0 < loc.line <= len(lines):
                source = lines[loc.line - 1].rstrip()
                if len(source) > 160:
                    source = source[:157] + "..."
                out.append(paint(f"      {loc.line:>4} | {source}", _DIM))
        out.append("")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def summary_line(report: Any) -> str:
    active = [f for f in report.findings if not f.suppressed]
    counts = Counter(f.severity for f in active)
    order = ("critical", "high", "medium", "low", "info")
    parts = ", ".join(f"{counts[s]} {s}" for s in order if counts[s])
    baselined = sum(f.baselined for f in report.findings)
    suppressed = len(report.findings) - len(active) - baselined
    text = f"{len(active)} finding{'s' if len(active) != 1 else ''}"
    if parts:
        text += f" ({parts})"
    if suppressed:
        text += f", {suppressed} suppressed"
    if baselined:
        text += f", {baselined} baselined"
    text = (f"{text} in {report.files} file{'s' if report.files != 1 else ''}, "
            f"{report.resources} resource{'s' if report.resources != 1 else ''}")
    hidden = getattr(report, "hidden_by_diff", 0)
    if hidden:
        text += f"; {hidden} finding{'s' if hidden != 1 else ''} on unchanged resources not shown"
    return text + "."
