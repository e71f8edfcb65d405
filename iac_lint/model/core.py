"""The types every part of iac-lint meets at: locations, unknowns, raw resources, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    """Order of a severity name, ``info`` lowest; unknown names rank below info."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        return -1


# Not frozen, but hashed by value as if it were: a frozen dataclass sets each field through
# ``object.__setattr__`` (four times the cost), and parsing makes one per located value, hundreds of
# thousands a scan.  Nothing changes a location once made.
@dataclass(slots=True, unsafe_hash=True)
class Location:
    """A span in a file; lines and columns are 1-based."""

    file: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def set_loc(locs: dict[Any, Location], key: Any, loc: Location | None) -> None:
    """Remember where ``key`` was written, when that is known (a missing place is never stored)."""
    if loc is not None:
        locs[key] = loc


@dataclass(slots=True, unsafe_hash=True)  # as Location: not frozen, for the cost of making one
class Unknown:
    """A value that cannot be known statically, with the expression that produced it.

    Rules must decide explicitly what an unknown means: it is neither a bad
    value nor a good one.
    """

    expr: str
    # The value with its unknown parts written as ``*``, given only when those
    # parts are deploy-time constants (account id, region, partition) that
    # cannot narrow what the value matches: ``arn:aws:iam::*:role/*``.
    pattern: str | None = None

    def __str__(self) -> str:
        return f"<unknown: {self.expr}>"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


@dataclass(slots=True)
class Resource:
    """What the file says, format-native: ``AWS::S3::Bucket``, ``aws_s3_bucket``, ``serverless:function``."""

    id: str
    type: str
    format: str
    properties: Any
    location: Location
    file: str
    metadata: Any = None
    # Suppressions written on the resource itself (CloudFormation Metadata), as (rule_id, reason, location).
    suppressions: list[tuple[str, str, Location]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text at ``location`` (its start to its end column) with ``text``."""

    location: Location
    text: str


@dataclass(frozen=True, slots=True)
class Reference:
    """An entity's ARN in a fix, to be written the way the entity's own format writes references.

    ``part``: ``arn`` (the resource), ``objects`` (a bucket's objects), ``indexes`` (a table's indexes),
    ``stream`` (a table's stream), ``streams`` (a log group's streams), ``log-group`` (a function's
    ``/aws/lambda/<name>`` log group, by the function's name).
    """

    entity_id: str
    entity_kind: str
    format: str
    part: str = "arn"


@dataclass(frozen=True, slots=True)
class Replacement:
    """Values (literal strings or references) that replace the node at ``location``, format-neutrally."""

    location: Location
    values: tuple[str | Reference, ...]


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    """Another node that belongs to a finding's one root cause (an action of the statement it flags).

    SARIF writes these as ``relatedLocations``, the language server as ``relatedInformation``, JSON as
    ``related``; the finding itself stays at the one spot to fix.
    """

    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A suggested change that resolves a finding: what it does, in words, and the edits that do it.

    Reports show the description; SARIF writes the edits as a ``fixes`` entry and the language server
    offers them as a quick fix.  A rule states ``replacements`` (what goes where); the engine writes them
    as text ``edits`` in the syntax of the file around each node.  A fix is only ever derived from what the
    template says, never guessed.
    """

    description: str
    edits: tuple[Edit, ...] = ()
    replacements: tuple[Replacement, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: str
    category: str
    message: str
    location: Location
    resource: str
    format: str
    fingerprint: str = ""
    suppressed: bool = False
    suppression_reason: str | None = None
    # Who suppressed it, in SARIF's terms: "inSource" (a comment or Metadata in the scanned file) or
    # "external" (a baseline, a per-path ignore in the configuration).
    suppression_kind: str | None = None
    # Accepted by the baseline file (then also suppressed, kind "external", reason "baseline"): reports say
    # "baselined", which is not the same news as a suppression someone wrote.
    baselined: bool = False
    # A logical path used for stable fingerprints: the resource and the attribute, never a line.
    logical_path: str = ""
    # Spans of secret values in the scanned files: every view of the source (the text report's line, an
    # editor's hover) shows them masked.  The message itself never carries the value.
    redactions: tuple[Location, ...] = ()
    fix: Fix | None = None
    # The other nodes of the same root cause (one finding per statement, its actions here).
    related: tuple[RelatedLocation, ...] = ()

    @property
    def file(self) -> str:
        return self.location.file

    @property
    def line(self) -> int:
        return self.location.line
