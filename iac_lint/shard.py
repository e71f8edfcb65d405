"""``--shard K/N``: the K-th of N parts of a scan, the same parts on every machine.

Units are split, never files: a Terraform module is one unit.  A module
that another scanned module calls by a local path (``source = "../x"``) goes
to its caller's shard, as does everything connected to it that way, so each
shard can leave out the modules it analyses through their callers exactly as
an unsharded scan does.  Groups are dealt out round-robin in discovery
order, which balances shards by count of units and depends only on the
checkout.  The sources are found with a regular expression over the text
(no parsing), so that a shard does not pay for parsing the others' modules.
"""

from __future__ import annotations

import os
import re

from iac_lint.discover import Unit

# Found by its literal first (the regular expression engine's fast scan), then held to the start of a line: an
# anchored pattern tries every line and was most of the pool's scheduling time.
_LOCAL_SOURCE = re.compile(r'''source"?\s*[=:]\s*"(\.\.?(?:/[^"]*)?)"''')


class ShardError(ValueError):
    """A ``--shard`` value that is not K/N with 1 <= K <= N."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; raises ``ShardError``."""
    k, sep, n = text.partition("/")
    try:
        index, count = int(k), int(n)
    except ValueError:
        raise ShardError(f"--shard takes K/N (such as 1/4), got {text!r}") from None
    if not sep or count < 1 or not 1 <= index <= count:
        raise ShardError(f"--shard K/N needs 1 <= K <= N, got {text!r}")
    return index, count


def _called_directories(unit: Unit) -> list[str]:
    out = []
    from iac_lint.parsers.source import read_text

    for file in unit.files:
        text, _ = read_text(file, "terraform")  # a regular file only, bounded: never a FIFO's open
        if text is None:
            continue
        for match in _LOCAL_SOURCE.finditer(text):
            start = match.start()
            if text[text.rfind("\n", 0, start) + 1:start].strip(" \t") not in ("", '"'):
                continue  # another key ending in "source", or not at the start of its line
            out.append(os.path.normpath(os.path.abspath(os.path.join(unit.path, match.group(1)))))
    return out


def unit_groups(units: list[Unit]) -> list[list[int]]:
    """Indexes of ``units`` grouped so that Terraform modules joined by local module calls stay together."""
    parent = list(range(len(units)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_dir = {os.path.normpath(os.path.abspath(u.path)): i for i, u in enumerate(units) if u.kind == "terraform"}
    for i, unit in enumerate(units):
        if unit.kind != "terraform":
            continue
        for directory in _called_directories(unit):
            j = by_dir.get(directory)
            if j is not None:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(units)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def units_of_shard(units: list[Unit], index: int, count: int) -> list[Unit]:
    """The units of shard ``index`` (1-based) of ``count``, in discovery order."""
    if count == 1:
        return list(units)
    mine = sorted(i for g, group in enumerate(unit_groups(units)) if g % count == index - 1 for i in group)
    return [units[i] for i in mine]
