"""The parsers' shape, checked: wings do not link, and no module grows past 800 lines."""

import ast
import os

from conftest import REPO

PACKAGE = os.path.join(REPO, "iac_lint")
PARSERS = os.path.join(PACKAGE, "parsers")


def _modules(root):
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def _imports(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_parser_imports_the_link_stage_or_anything_downstream():
    downstream = ("iac_lint.link", "iac_lint.api", "iac_lint.engine", "iac_lint.report", "iac_lint.cli")
    offenders = [f"{os.path.relpath(path, REPO)}: {name}" for path in _modules(PARSERS)
                 for name in _imports(path) if name.startswith(downstream)]
    assert offenders == []


def test_no_module_is_longer_than_800_lines():
    long = []
    for path in _modules(PACKAGE):
        with open(path, encoding="utf-8") as handle:
            lines = sum(1 for _ in handle)
        if lines > 800:
            long.append(f"{os.path.relpath(path, REPO)}: {lines}")
    assert long == []
