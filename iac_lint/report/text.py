"""Human output: one ``path:line:col:`` header per finding, the source line underlined, and a closing verdict.

The header starts with a ``path:line:col:`` token that terminals and editors
turn into a link, then the rule id and severity in aligned columns::

    infra/template.yaml:12:9: IAM001 [high] Role ProcessorRole allows every action
      12 |         Action: "*"
         |                 ^^^
         = resource ProcessorRole, rule wildcard-action; docs: iac-lint rules show IAM001

Under the source line a marker underlines the finding's exact range (to the
end of the first line when the range spans several).  The report closes with
the counts and with *why* the exit code is what it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from iac_lint.model import SEVERITIES, Finding, severity_rank
from iac_lint.model.builtin_findings import BUILTIN_FINDINGS
from iac_lint.model.paths import display_path
from iac_lint.model.secrets import redact_lines
from iac_lint.report.escape import printable, printable_finding

_COLOURS = {"critical": "\033[1;35m", "high": "\033[1;31m", "medium": "\033[33m", "low": "\033[36m",
            "info": "\033[2m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"
# Longer source lines are cut around the marked range, so that the marker stays under it.
MAX_SOURCE = 160
# A location token longer than this is not padded to align the columns after it.
MAX_ALIGN = 72


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why the exit code is what it is, as the command line decided it."""

    fail_on: str
    exit_code: int
    # Active findings at or above ``fail_on``, shown or not.
    failing: int = 0
    # Active findings, shown or not.
    active: int = 0
    # Active findings below ``--severity``, left out of the report (they still count for the gate).
    hidden: int = 0
    severity: str | None = None
    # No infrastructure-as-code file was found and ``--fail-on-empty`` asked for exit 2.
    empty: bool = False


def docs_pointer(rule_id: str) -> str:
    """Where a rule's documentation is; the one place to change when it gets a web page."""
    return f"iac-lint rules show {rule_id}"


def location_token(f: Finding) -> str:
    return f"{display_path(f.location.file)}:{f.location.line}:{f.location.column}:"


def _painter(color: bool) -> Callable[[str, str], str]:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color and code and text else text
    return paint


def header_lines(findings: list[Finding], color: bool) -> list[str]:
    """``path:line:col: ID [severity] message`` per finding, the id and severity columns aligned."""
    paint = _painter(color)
    tokens = [location_token(f) for f in findings]
    width = max((len(t) for t in tokens if len(t) <= MAX_ALIGN), default=0)
    id_width = max((len(f.rule_id) for f in findings), default=0)
    severity_width = max((len(f.severity) + 2 for f in findings), default=0)
    out = []
    for token, f in zip(tokens, findings, strict=False):
        severity = f"[{f.severity}]".ljust(severity_width)
        tag = ""
        if f.baselined:
            tag = " (baselined)"
        elif f.suppressed:
            tag = f" (suppressed{': ' + f.suppression_reason if f.suppression_reason else ''})"
        out.append(f"{paint(token, _BOLD)}{' ' * (width - len(token))} {f.rule_id.ljust(id_width)} "
                   f"{paint(severity, _COLOURS.get(f.severity, ''))} {f.message}{tag}")
    return out


def source_lines(report: Any, file: str, cache: dict[str, list[str]]) -> list[str]:
    if file not in cache:
        lines = None
        for tpl in report.templates:
            if file in tpl.sources:
                lines = tpl.sources[file]
                break
        if lines is None and not report.templates:
            lines = _small_regular_file_lines(file)  # a report built by hand, without the parsed templates
        # Otherwise a file no parser kept is not read here: they refused it (oversized, a FIFO, a link out).
        lines = lines if lines is not None else []
        # A secret's value never reaches the terminal, even from a file read here rather than by the scan.
        spans = [span for f in report.findings for span in f.redactions if span.file == file]
        cache[file] = redact_lines(lines, spans) if spans else lines
    return cache[file]


# A file read only for its source lines (a report without templates) is read up to this size.
_MAX_SNIPPET_FILE = 1 << 20


def _small_regular_file_lines(file: str) -> list[str]:
    import os
    import stat

    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return []
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_SNIPPET_FILE:
            return []
        return handle.read(_MAX_SNIPPET_FILE).decode("utf-8", "replace").splitlines()


def marked_range(source: str, f: Finding) -> tuple[int, int]:
    """The 0-based start and the width of the marker under ``source`` for the finding's range.

    End columns point one past the range (as SARIF's do); a range over several
    lines is marked to the end of its first line, one without an end by one caret.
    """
    loc = f.location
    start = min(max(loc.column, 1) - 1, len(source))
    end_line = loc.end_line or loc.line
    if end_line > loc.line:
        end = len(source.rstrip())
    elif loc.end_column and loc.end_column > loc.column:
        end = min(loc.end_column - 1, len(source))
    else:
        end = start + 1
    return start, max(end - start, 1)


def snippet(source: str, f: Finding, gutter: int, paint: Callable[[str, str], str]) -> list[str]:
    """The source line and the marker under its range, behind a line-number gutter."""
    source = source.rstrip()
    start, width = marked_range(source, f)
    if len(source) > MAX_SOURCE:
        # Keep the range in view: cut before it when it lies beyond the limit, and after it.
        cut = max(0, min(start - 20, len(source) - MAX_SOURCE)) if start + width > MAX_SOURCE - 3 else 0
        shown = source[cut:cut + MAX_SOURCE]
        prefix = "..." if cut else ""
        suffix = "..." if cut + MAX_SOURCE < len(source) else ""
        source, start = prefix + shown + suffix, start - cut + len(prefix)
        width = max(1, min(width, len(prefix) + len(shown) - start))
    # Tabs before the range stay tabs, so the marker lines up however wide the terminal draws them.
    pad = "".join(ch if ch == "\t" else " " for ch in source[:start])
    marker = paint("^" * width, _COLOURS.get(f.severity, ""))
    bar = paint(f"{'':>{gutter}} |", _DIM)
    return [f"{paint(f'{f.location.line:>{gutter}} |', _DIM)} {source}", f"{bar} {pad}{marker}"]


def footer(f: Finding, documented: set[str]) -> str:
    parts = []
    if f.resource:
        parts.append(f"resource {f.resource}")
    parts.append(f"rule {f.rule_name}")
    text = ", ".join(parts)
    # Only ids that ``rules show`` knows (rules and iac-lint's own findings): no pointer to a dead end.
    if f.rule_id in documented:
        text += f"; docs: {docs_pointer(f.rule_id)}"
    return text


def shown_findings(report: Any, show_suppressed: bool) -> list[Finding]:
    return [f for f in report.findings if show_suppressed or not f.suppressed]


def render(report: Any, color: bool = False, show_suppressed: bool = False, verdict: Verdict | None = None,
           **_: Any) -> str:
    paint = _painter(color)
    # Escaped for the terminal and the CI log; the source lines are looked up under the real file name.
    real_files = shown_findings(report, show_suppressed)
    shown = [printable_finding(f) for f in real_files]
    documented = {r.id for r in getattr(report, "rules", [])} | set(BUILTIN_FINDINGS)
    gutter = max((len(str(f.location.line)) for f in shown), default=1) + 2
    out: list[str] = []
    cache: dict[str, list[str]] = {}
    for f, real, head in zip(shown, real_files, header_lines(shown, color), strict=False):
        out.append(head)
        lines = source_lines(report, real.location.file, cache)
        if 0 < f.location.line <= len(lines):
            out.extend(snippet(printable(lines[f.location.line - 1]), f, gutter, paint))
        out.append(f"{'':>{gutter}} = {footer(f, documented)}")
        if f.fix is not None:
            out.append(f"{'':>{gutter}} = fix: {f.fix.description}")
        out.append("")
    out.extend(closing_lines(report, verdict))
    return "\n".join(out) + "\n"


def closing_lines(report: Any, verdict: Verdict | None) -> list[str]:
    return [summary_line(report)] + ([verdict_line(verdict)] if verdict else [])


def summary_line(report: Any) -> str:
    active = [f for f in report.findings if not f.suppressed]
    counts = Counter(f.severity for f in active)
    parts = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s])
    baselined = sum(f.baselined for f in report.findings)
    suppressed = len(report.findings) - len(active) - baselined
    text = _plural(len(active), "finding")
    if parts:
        text += f" ({parts})"
    if suppressed:
        text += f", {suppressed} suppressed"
    if baselined:
        text += f", {baselined} baselined"
    text = f"{text} in {_plural(report.files, 'file')}, {_plural(report.resources, 'resource')}"
    hidden = getattr(report, "hidden_by_diff", 0)
    if hidden:
        text += f"; {_plural(hidden, 'finding')} on unchanged resources not shown"
    return text + "."


def verdict_line(verdict: Verdict) -> str:
    """``18 findings at or above high → exit 1``: the reason for the exit code, hidden findings included."""
    hidden = f" ({verdict.hidden} below --severity {verdict.severity} not shown)" if verdict.hidden else ""
    if verdict.empty:
        reason = "no infrastructure-as-code files found (--fail-on-empty)"
    elif verdict.failing:
        reason = f"{_plural(verdict.failing, 'finding')} at or above {verdict.fail_on}{hidden}"
    elif verdict.active:
        reason = f"{_plural(verdict.active, 'finding')}, none at or above {verdict.fail_on}{hidden}"
    else:
        reason = "no findings"
    return f"{reason} \u2192 exit {verdict.exit_code}"


def at_or_above(findings: list[Finding], severity: str) -> list[Finding]:
    threshold = severity_rank(severity)
    return [f for f in findings if severity_rank(f.severity) >= threshold]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"
