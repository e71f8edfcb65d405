"""A Markdown summary: counts and a findings table, for a CI job summary or a pull-request comment.

GitHub shows at most 10 annotations of each kind per step, so the action
also writes this to ``$GITHUB_STEP_SUMMARY``, where every active finding
(up to ``MAX_ROWS``) is listed.  Files are named relative to the repository
root, as in the annotations.  Suppressed and baselined findings are counted,
not listed.  Table cells escape HTML, line breaks and the characters Markdown
gives a meaning (``|``, ``*``, ``_``, backticks, ...), so a message quoting a
template cannot break the table or inject markup.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from iac_lint.model import SEVERITIES, severity_rank
from iac_lint.model.paths import repo_path, report_root

# Enough to review; far below GitHub's 1 MiB limit on a step's summary.
MAX_ROWS = 50
_ICON = {"critical": "\U0001F7E5", "high": "\U0001F7E5", "medium": "\U0001F7E7", "low": "\U0001F7E8",
         "info": "\u2B1C"}


def cell(text: str) -> str:
    """Text safe inside one Markdown table cell."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Backslash first; then every character that would start emphasis, code, a link or end the cell.
    for char in "\\`*_[]~|":
        text = text.replace(char, "\\" + char)
    return text


def render(report: Any, fail_on: str = "low", max_rows: int = MAX_ROWS, **_: Any) -> str:
    root = report_root(report)
    active = [f for f in report.findings if not f.suppressed]
    suppressed = len(report.findings) - len(active)
    threshold = severity_rank(fail_on)
    failing = [f for f in active if severity_rank(f.severity) >= threshold]
    order = sorted(SEVERITIES, key=severity_rank, reverse=True)
    counts = Counter(f.severity for f in active)

    out = ["## iac-lint", ""]
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    if failing:
        out.append(f"**{len(failing)} finding{'s' if len(failing) != 1 else ''} at or above `{fail_on}`** "
                   f"fail the check ({len(active)} active in {files}).")
    elif active:
        out.append(f"No finding at or above `{fail_on}`; {len(active)} below it, in {files}.")
    else:
        out.append(f"No findings in {files}.")
    out.append("")
    if active or suppressed:
        out += ["| severity | findings |", "|---|---:|"]
        out += [f"| {_ICON[s]} {s} | {counts[s]} |" for s in order if counts[s]]
        if suppressed:
            out.append(f"| suppressed or baselined | {suppressed} |")
        out.append("")
    if active:
        ranked = sorted(active, key=lambda f: (-severity_rank(f.severity), repo_path(f.location.file, root),
                                               f.location.line, f.rule_id))
        out += ["| severity | rule | location | message |", "|---|---|---|---|"]
        for f in ranked[:max_rows]:
            where = f"{repo_path(f.location.file, root)}:{f.location.line}"
            out.append(f"| {f.severity} | {cell(f.rule_id)} {cell(f.rule_name)} | {cell(where)} | "
                       f"{cell(f.message)} |")
        if len(ranked) > max_rows:
            rest = len(ranked) - max_rows
            out += ["", (f"_{rest} more finding{'s' if rest != 1 else ''} not listed here: the SARIF report and "
                         f"`iac-lint scan` locally show all of them._")]
    return "\n".join(out) + "\n"
