"""One line per finding, ``path:line:col: ID [severity] message``, for terminals, editors and grep.

The same headers as the text report without the source, and the same closing lines.
"""

from __future__ import annotations

from typing import Any

from iac_lint.report.text import Verdict, closing_lines, header_lines, shown_findings


def render(report: Any, color: bool = False, show_suppressed: bool = False, verdict: Verdict | None = None,
           **_: Any) -> str:
    out = header_lines(shown_findings(report, show_suppressed), color)
    if out:
        out.append("")
    out.extend(closing_lines(report, verdict))
    return "\n".join(out) + "\n"
