"""Lambda runtimes' deprecation schedule, read from ``lambda_runtimes.csv`` (AWS's table, source noted there)."""

from __future__ import annotations

import csv
import functools
import os
from dataclasses import dataclass
from datetime import date

DATA_FILE = os.path.join(os.path.dirname(__file__), "lambda_runtimes.csv")


@dataclass(frozen=True, slots=True)
class RuntimeLifecycle:
    identifier: str
    deprecation: date  # no more security patches
    block_create: date
    block_update: date
    successor: str | None

    def stage_on(self, day: date) -> tuple[str, date] | None:
        """The latest lifecycle step that ``day`` has reached, with its date, or None before deprecation."""
        passed = [(step, when) for step, when in (("deprecated", self.deprecation),
                                                  ("blocked for new functions", self.block_create),
                                                  ("blocked for updates", self.block_update)) if when <= day]
        return max(passed, key=lambda pair: pair[1]) if passed else None


@functools.cache
def runtime_schedule() -> dict[str, RuntimeLifecycle]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["identifier"]: RuntimeLifecycle(
            row["identifier"], date.fromisoformat(row["deprecation"]), date.fromisoformat(row["block_create"]),
            date.fromisoformat(row["block_update"]), row["successor"] or None) for row in rows}


def runtime_lifecycle(identifier: str) -> RuntimeLifecycle | None:
    """The schedule of a managed runtime (``python3.9``), or None for an identifier AWS does not list."""
    return runtime_schedule().get(identifier.strip().lower())


def function_lifecycle(runtime: object, package_type: object) -> RuntimeLifecycle | None:
    """The schedule of a function's managed runtime; None for a container image (its runtime is the
    image's), an unresolved runtime, or one AWS does not list."""
    if not isinstance(runtime, str) or (isinstance(package_type, str) and package_type.lower() == "image"):
        return None
    return runtime_lifecycle(runtime)


def judged_on(as_of: str) -> date:
    """The day runtimes are judged on: ``as_of`` (an ISO date, for reproducible reports) or today."""
    return date.fromisoformat(as_of) if as_of else date.today()
