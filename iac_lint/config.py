"""Scan settings: command-line flags over the project's configuration file."""

from __future__ import annotations

from dataclasses import dataclass, field

from iac_lint.parsers import ParseOptions


@dataclass(slots=True)
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "low"
    exclude: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    builtin_rules: bool = True
    parse: ParseOptions = field(default_factory=ParseOptions)
