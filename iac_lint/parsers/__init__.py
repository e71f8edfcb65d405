"""Text -> model: one wing per format (``cloudformation/``, ``terraform/``, ``serverless/``) on one kernel.

``parse_unit`` reads a discovered unit safely (size limit, UTF-8 errors as
located findings), classifies YAML/JSON by content and hands it to its
format's wing.  A wing builds entities on ``kernel`` and resolves its own
format's references; it does not link: ``iac_lint.api`` runs the link stage
on what comes out.  Heavy parsers (Terraform's HCL grammar) are imported
only when a unit of theirs is found, to keep start-up fast.
"""

from __future__ import annotations

import os
from typing import Any

from iac_lint.discover import SERVERLESS_NAMES, Unit
from iac_lint.model import Location, Template
from iac_lint.parsers.source import ParseOptions, failed_template, is_oversized, read_text

__all__ = ["ParseOptions", "classify", "parse_document", "parse_unit", "read_text"]

_IAC_HINTS = ("AWSTemplateFormatVersion", "AWS::", "Resources", "provider", "planned_values")


def classify(data: Any, path: str) -> str | None:
    """``cloudformation``, ``sam``, ``serverless``, ``terraform-plan``, or None (not IaC)."""
    if not isinstance(data, dict):
        return None
    if "planned_values" in data or ("format_version" in data and "terraform_version" in data):
        return "terraform-plan"
    if os.path.basename(path).lower() in SERVERLESS_NAMES or ("service" in data and "provider" in data):
        return "serverless"
    from iac_lint.parsers.cloudformation.sam import is_sam
    if is_sam(data):
        return "sam"
    if "AWSTemplateFormatVersion" in data:
        return "cloudformation"
    resources = data.get("Resources")
    if isinstance(resources, dict) and any(
            isinstance(body, dict) and isinstance(body.get("Type"), str) and "::" in body["Type"]
            for body in resources.values()):
        return "cloudformation"
    return None


def _looks_like_iac(text: str, path: str) -> bool:
    return os.path.basename(path).lower() in SERVERLESS_NAMES or any(h in text for h in _IAC_HINTS)


# How much of an oversized file is read to decide whether it is infrastructure-as-code at all.
CLASSIFY_PREFIX = 64 * 1024


def _prefix_looks_like_iac(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            prefix = handle.read(CLASSIFY_PREFIX).decode("utf-8", "replace")
    except OSError:
        return True
    return _looks_like_iac(prefix, path)


def parse_document(path: str, text: str, options: ParseOptions | None = None) -> Template | None:
    """Parse one YAML/JSON file's text; None when it is not infrastructure-as-code."""
    options = options or ParseOptions()
    if not _looks_like_iac(text, path):
        return None
    # Here, not at the top: a re-run that finds every unit in the cache never imports the YAML parser.
    from iac_lint.parsers.yaml_loader import LoadError, load_text

    try:
        data = load_text(text, path)
    except LoadError as exc:
        return failed_template(path, "unknown", f"cannot parse: {exc.message}", exc.line, exc.column)
    fmt = classify(data, path)
    if fmt is None:
        return None
    if fmt == "cloudformation":
        from iac_lint.parsers.cloudformation.resources import parse_template
        tpl = parse_template(data, path, "cloudformation")
    elif fmt == "sam":
        from iac_lint.parsers.cloudformation.sam import parse_template as parse_sam
        tpl = parse_sam(data, path)
    elif fmt == "serverless":
        from iac_lint.parsers.serverless.service import parse_serverless
        tpl = parse_serverless(data, path, text, options)
    else:
        from iac_lint.parsers.terraform.plan import parse_plan
        tpl = parse_plan(data, path, options)
    tpl.sources.setdefault(path, text.splitlines())
    return tpl


def parse_unit(unit: Unit, options: ParseOptions | None = None) -> list[Template]:
    options = options or ParseOptions()
    if unit.kind == "terraform":
        from iac_lint.parsers.terraform.module import parse_module
        return parse_module(unit.path, unit.files, options)
    if unit.kind == "serverless-code":
        tpl = Template(path=unit.path, format="serverless")
        tpl.problem("I001", "serverless.ts/serverless.js is code and is not analysed; "
                    "export it with `serverless print` to a YAML file to scan it",
                    Location(unit.path, 1, 1), severity="info")
        return [tpl]
    text, failed = read_text(unit.path, roots=options.roots or None)
    if text is None:
        if is_oversized(failed) and not _prefix_looks_like_iac(unit.path):
            return []  # a huge data file of a monorepo is not a template we failed to read
        return [failed] if failed is not None else []
    document = parse_document(unit.path, text, options)
    return [document] if document is not None else []

