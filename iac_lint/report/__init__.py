"""Reporters: findings in, text out. They know nothing of parsers or rules."""

from __future__ import annotations

from collections.abc import Callable

FORMATS = ("text", "concise", "json", "sarif", "junit", "github", "gitlab", "markdown", "html")
# The formats that quote source lines (the HTML report reads whole models): a scan writing none of them
# leaves the lines of flagged files where they were read (Config.keep_lines).
LINE_FORMATS = ("text", "html")


def renderer(name: str) -> Callable[..., str]:
    """The render(report, **options) function of a format, imported on demand."""
    import importlib

    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    module_name = f"{name}_report" if name == "json" else name  # json.py would shadow the standard library's
    module = importlib.import_module(f"iac_lint.report.{module_name}")
    render: Callable[..., str] = module.render
    return render
