"""GitHub Actions workflow commands: one annotation per active finding.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message``;
critical and high are errors, medium warnings, low and info notices.  The
message escapes ``%``, CR and LF; property values also escape ``:`` and
``,``, which would otherwise end the value (GitHub's toolkit does the same).
A plain summary line closes the output.
"""

from __future__ import annotations

from typing import Any

from iac_lint.model.paths import repo_path, report_root
from iac_lint.report.text import summary_line

COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Any, **_: Any) -> str:
    root = report_root(report)  # the runner resolves ``file=`` against the repository, not the step's directory
    out = []
    for f in report.findings:
        if f.suppressed:
            continue
        loc = f.location
        props = [("file", repo_path(loc.file, root)), ("line", str(loc.line)), ("col", str(loc.column))]
        end_line = loc.end_line or loc.line
        props.append(("endLine", str(end_line)))
        if loc.end_column and end_line == loc.line and loc.end_column > loc.column:
            props.append(("endColumn", str(loc.end_column)))
        props.append(("title", f"{f.rule_id} {f.rule_name} ({f.severity})"))
        where = f" [{f.resource}]" if f.resource else ""
        body = ",".join(f"{key}={escape_property(value)}" for key, value in props)
        out.append(f"::{COMMAND.get(f.severity, 'warning')} {body}::{escape_data(f.message + where)}")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"
