"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure DevOps).

One ``testsuite`` per scanned file, named by its path, so a report reads as
"which files are clean".  Every active finding is a failing ``testcase``
(``classname`` the rule, ``name`` the rule, resource and line); suppressed
findings are ``skipped`` testcases carrying the reason, and a file with no
finding has one passing testcase.  ElementTree does the escaping; XML 1.0
control characters, which no parser accepts, are dropped from messages.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from iac_lint.model.paths import repo_path, report_root

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    # Surrogates (a file name that is not UTF-8) are no XML characters either: shown as escapes.
    return _INVALID_XML.sub("", text).encode("utf-8", "backslashreplace").decode("utf-8")


def _scanned_files(report: Any) -> list[str]:
    files: list[str] = []
    for tpl in report.templates:
        files.extend(tpl.sources or [tpl.path])
    return files


def render(report: Any, **_: Any) -> str:
    import xml.etree.ElementTree as ET

    root = report_root(report)  # file attributes name repository files, as GitLab links them
    suites: OrderedDict[str, list[Any]] = OrderedDict()
    for file in _scanned_files(report):
        suites.setdefault(repo_path(file, root), [])
    for finding in report.findings:
        suites.setdefault(repo_path(finding.location.file, root), []).append(finding)

    tree = ET.Element("testsuites", name="iac-lint")
    total = failures = skipped = 0
    for file, findings in suites.items():
        suite = ET.SubElement(tree, "testsuite", name=_clean(file))
        suite_failures = suite_skipped = 0
        for f in findings:
            loc = f.location
            where = f" [{f.resource}]" if f.resource else ""
            case = ET.SubElement(suite, "testcase", classname=f"iac-lint.{f.rule_id}",
                                 name=_clean(f"{f.rule_id} {f.rule_name}{where} at line {loc.line}"),
                                 file=_clean(file), line=str(loc.line))
            if f.suppressed:
                ET.SubElement(case, "skipped", message=_clean(f"suppressed: {f.suppression_reason or ''}"))
                suite_skipped += 1
            else:
                failure = ET.SubElement(case, "failure", message=_clean(f.message), type=f.severity)
                failure.text = _clean(f"{f.severity} {f.rule_id} {f.rule_name}: {f.message}\n"
                                      f"{file}:{loc.line}:{loc.column}{where}")
                suite_failures += 1
        if not findings:
            ET.SubElement(suite, "testcase", classname="iac-lint", name="no findings", file=_clean(file))
        count = max(len(findings), 1)
        suite.set("tests", str(count))
        suite.set("failures", str(suite_failures))
        suite.set("errors", "0")
        suite.set("skipped", str(suite_skipped))
        total, failures, skipped = total + count, failures + suite_failures, skipped + suite_skipped
    tree.set("tests", str(total))
    tree.set("failures", str(failures))
    tree.set("errors", "0")
    tree.set("skipped", str(skipped))
    ET.indent(tree)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree, encoding="unicode") + "\n"
