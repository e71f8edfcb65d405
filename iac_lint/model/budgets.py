"""The work and memory budgets of one scan, in one place (the README's "Security model" lists them).

Every input a pull request controls is read within these limits.  A unit cut
short by one of them gets a located ``E005`` (budget-exceeded) finding, which
fails the gate like every error that leaves something unanalysed, and the
value that was cut short becomes an ``Unknown``: never a partial value that
would look complete.
"""

from __future__ import annotations

import dataclasses

from iac_lint.model.core import Finding

# Terraform: an integer wider than this (about 300 decimal digits) is not computed.  Multiplication doubles
# the width, so a chain of 24 products would otherwise hold numbers of millions of digits.
MAX_NUMBER_BITS = 1024
# Terraform: ``dynamic`` blocks expanded in one module (nested ones multiply).
MAX_DYNAMIC_BLOCKS = 10_000
# Terraform: ``dynamic`` blocks nested in each other.
MAX_DYNAMIC_DEPTH = 16
# Seconds one unit (a template, a Terraform module) may take to parse before the rest is left unevaluated.
UNIT_DEADLINE_SECONDS = 30.0
# Seconds after which a unit is given up whole (the net under every other budget; SIGALRM, main thread only).
UNIT_HARD_DEADLINE_SECONDS = 120.0
# Reports: a resource id or message longer than this is cut, with an ellipsis (text read through an include
# must not flood every annotation).
MAX_REPORTED_ID = 200
MAX_REPORTED_MESSAGE = 1000
# SARIF and GitLab: findings kept per file; the rest are summed up in one finding at the file's first line.
MAX_FINDINGS_PER_FILE = 500
# Paths longer than this are not matched against ``exclude`` / ``per_path_ignores`` patterns.
MAX_MATCHED_PATH = 4096

BUDGET_EXCEEDED = "E005"


def bounded_finding(f: Finding) -> Finding:
    """The finding with its resource id and message cut to the reported lengths."""
    resource, message = truncated(f.resource, MAX_REPORTED_ID), truncated(f.message, MAX_REPORTED_MESSAGE)
    if resource is f.resource and message is f.message:
        return f
    return dataclasses.replace(f, resource=resource, message=message)


def truncated(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked."""
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"
