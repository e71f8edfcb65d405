"""iac-lint: a security linter for serverless infrastructure-as-code.

Public API: ``scan(paths, config) -> Report`` and ``lint_text(path, text, config) -> list[Finding]``.
"""

__version__ = "0.1.0"


def scan(paths, config=None, rules=None):
    from iac_lint.api import scan as _scan
    return _scan(paths, config, rules)


def lint_text(path, text, config=None, rules=None):
    from iac_lint.api import lint_text as _lint_text
    return _lint_text(path, text, config, rules)


__all__ = ["__version__", "lint_text", "scan"]
