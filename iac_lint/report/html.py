"""A reviewer's report: one self-contained HTML file.

It carries three data blocks and draws the rest from them in the browser:

- ``report-data``: exactly what ``--format json`` prints (one source of truth
  for findings and summary), with ``</`` and ``<!--`` escaped so that no
  value can end the script element;
- ``report-paths``: the diagrams as a graph (nodes, edges), and which node
  each finding concerns, and back;
- ``report-sources``: the source lines around each finding.

The exposure path of every function (who can reach it → the function → its
role → what the role's permissions reach) is drawn here as SVG, laid out in
four columns, so it shows without any script and the same input gives the
same bytes.  Nothing is fetched: styles and script are inlined, and a
Content-Security-Policy forbids every load, so a report opened from a CI
artifact cannot reach the network.  Every text from a scanned file is escaped.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from typing import Any

from iac_lint.model import Entity, Function, LogGroup, Role, Unknown, severity_rank
from iac_lint.model.exposure import (
    ACCESS_LEVELS,
    Entry,
    ExposurePath,
    Grant,
    exposure_paths,
)
from iac_lint.model.paths import display_path
from iac_lint.report import json_report

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
# Source lines shown around a finding, and the longest line kept.
CONTEXT_LINES = 2
MAX_SNIPPET_LINES = 12
MAX_LINE = 240

# Diagram geometry, in SVG user units (pixels at 100%).
NODE_W = 262
COL_GAP = 48
PAD = 12
HEAD_H = 26
LINE_H = 16
NODE_GAP = 12
CHAR_W = 6.6  # an average glyph of the 12px sans-serif text, to cut lines that would overflow
LABEL_CHAR_W = 8.0  # the same for the bold 12.5px label
LINE_CHARS = int((NODE_W - 20) / CHAR_W)
BADGE_W = 26  # room a findings badge takes from the label
LABEL_CHARS = int((NODE_W - 20 - BADGE_W) / LABEL_CHAR_W)
MAX_ROWS = 2  # a detail longer than a row wraps onto this many rows at most
COLUMNS = ("Who can reach it", "Function", "Role", "What its permissions reach")
_LEVEL_SHORT = {"Permissions management": "Permissions mgmt"}


def script_json(text: str) -> str:
    """JSON text safe inside ``<script type="application/json">``: equal once parsed, unable to close it."""
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def render(report: Any, **_: Any) -> str:
    data = json_report.render(report)
    findings = json.loads(data)["findings"]
    diagrams = _diagrams(report, findings)
    links = {
        "diagrams": [{"id": d.id, "function": d.function, "file": d.file, "format": d.format,
                      "edges": [[e.source, e.target, e.tone] for e in d.edges]} for d in diagrams],
        "nodes": {n.id: {"label": n.label, "diagram": d.id, "function": d.function, "findings": n.findings,
                         "column": COLUMNS[n.column], "tone": n.tone}
                  for d in diagrams for n in d.nodes},
        "finding_nodes": _finding_nodes(diagrams),
    }
    return _page(
        data=script_json(data.rstrip("\n")),
        links=script_json(json.dumps(links, sort_keys=True)),
        sources=script_json(json.dumps(_snippets(report))),
        diagrams="\n".join(_figure(d) for d in diagrams) or '<p class="empty">No functions in the scanned files.</p>',
    )


def _page(data: str, links: str, sources: str, diagrams: str) -> str:
    css = _asset("report.css")
    js = _asset("report.js")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>iac-lint report</title>
<style>
{css}</style>
</head>
<body>
<header class="top">
<h1>iac-lint report</h1>
<p id="headline" class="headline"></p>
</header>
<main>
<section id="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<div class="summary-body">
<div id="by-severity" class="cards"></div>
<table id="by-rule" class="rules"><thead><tr><th>Rule</th><th>Severity</th><th>Category</th><th>Findings</th></tr>
</thead><tbody></tbody></table>
</div>
</section>
<section id="paths" aria-labelledby="paths-title">
<h2 id="paths-title">Exposure paths</h2>
<p class="hint">Who can reach each function, and what its role then lets it do. Red: reachable by anyone, or a
wildcard. A badge counts the findings on a node; select a node to see them.</p>
{diagrams}
</section>
<section id="findings-section" aria-labelledby="findings-title">
<h2 id="findings-title">Findings</h2>
<form id="filters" class="filters" autocomplete="off">
<fieldset id="severity-filter"><legend>Severity</legend></fieldset>
<label>Rule <select id="rule-filter"><option value="">all</option></select></label>
<label>Format <select id="format-filter"><option value="">all</option></select></label>
<label>Text <input id="text-filter" type="search" placeholder="message, file or resource"></label>
<output id="filter-count"></output>
</form>
<div id="findings"></div>
</section>
<section id="suppressed-section">
<details id="suppressed">
<summary>Suppressed and baselined findings (<span id="suppressed-count">0</span>)</summary>
<div id="suppressed-findings"></div>
</details>
</section>
</main>
<noscript><p class="empty">The findings list needs JavaScript; the diagrams above do not.</p></noscript>
<script type="application/json" id="report-data">{data}</script>
<script type="application/json" id="report-paths">{links}</script>
<script type="application/json" id="report-sources">{sources}</script>
<script>
{js}</script>
</body>
</html>
"""


def _asset(name: str) -> str:
    return resources.files("iac_lint.report").joinpath("html_assets", name).read_text(encoding="utf-8")


# --- Source snippets -------------------------------------------------------------


def _snippets(report: Any) -> list[dict[str, Any] | None]:
    """Per finding (same order as the JSON's), the lines around it: ``{"start": n, "lines": [...]}``."""
    from iac_lint.report.text import source_lines

    cache: dict[str, list[str]] = {}
    out: list[dict[str, Any] | None] = []
    for original in report.findings:
        lines = source_lines(report, original.location.file, cache)
        line = original.location.line
        if not 0 < line <= len(lines):
            out.append(None)
            continue
        end = min(max(original.location.end_line or line, line), line + MAX_SNIPPET_LINES)
        start = max(1, line - CONTEXT_LINES)
        stop = min(len(lines), end + CONTEXT_LINES)
        out.append({"start": start, "lines": [_cut(text) for text in lines[start - 1:stop]]})
    return out


def _cut(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= MAX_LINE else text[:MAX_LINE] + "\u2026"


# --- Diagrams ------------------------------------------------------------------------


@dataclass(slots=True)
class Node:
    id: str
    column: int
    label: str  # the first line, for links and tooltips
    lines: list[tuple[str, str]]  # (css class, text) after the label
    tone: str  # public, private, unknown, function, role, wide, scoped, note
    entities: tuple[Entity, ...]
    tooltip: str = ""
    # Where a way in was written: a finding on the function at that line concerns the way in too (PUB005 names
    # the function, at its URL). (file, line); the function is added when the diagram is built.
    at: tuple[str, int] | None = None
    findings: list[int] = field(default_factory=list)
    worst: str = ""  # the highest severity among its findings
    x: float = 0.0
    y: float = 0.0

    def __post_init__(self) -> None:
        self.lines = [(css, row) for css, text in self.lines for row in _wrap(text, LINE_CHARS, MAX_ROWS)]

    @property
    def label_rows(self) -> list[str]:
        """The label on one or two rows, leaving room for a findings badge on the first."""
        return _wrap(self.label, LABEL_CHARS, MAX_ROWS)

    @property
    def height(self) -> float:
        return 10 + LINE_H * (len(self.label_rows) + len(self.lines))


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    tone: str  # public, wide, plain, unknown


@dataclass(slots=True)
class Diagram:
    id: str
    function: str
    file: str
    format: str
    nodes: list[Node]
    edges: list[Edge]
    width: float = 0.0
    height: float = 0.0


def _diagrams(report: Any, findings: list[dict[str, Any]]) -> list[Diagram]:
    diagrams: list[Diagram] = []
    counter = itertools.count(1)
    # Findings by the (template, resource) they name; a template is known by the files it was read from.
    by_template: dict[tuple[int, str], list[int]] = {}
    by_line: dict[tuple[str, int, str], list[int]] = {}
    templates_of_file: dict[str, list[int]] = {}
    for t_index, tpl in enumerate(report.templates):
        for file in set(tpl.sources) | {tpl.path}:
            templates_of_file.setdefault(display_path(file), []).append(t_index)
    for f_index, f in enumerate(findings):
        by_line.setdefault((f["file"], f["line"], f["resource"]), []).append(f_index)
        for t_index in templates_of_file.get(f["file"], []):
            if f["resource"]:
                by_template.setdefault((t_index, f["resource"]), []).append(f_index)
    for t_index, tpl in enumerate(report.templates):
        for path in exposure_paths(tpl.entities):
            diagram = _diagram(f"path-{len(diagrams) + 1}", path, counter)
            for node in diagram.nodes:
                found = {i for e in node.entities for i in by_template.get((t_index, e.id), [])}
                if node.at is not None:
                    found.update(by_line.get((*node.at, path.function.id), []))
                node.findings = sorted(found)
                node.worst = max((findings[i]["severity"] for i in found), key=severity_rank, default="")
            _layout(diagram)
            diagrams.append(diagram)
    return diagrams


def _finding_nodes(diagrams: list[Diagram]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in diagrams:
        for n in d.nodes:
            for i in n.findings:
                out.setdefault(str(i), []).append(n.id)
    return out


def _diagram(diagram_id: str, path: ExposurePath, counter: Iterator[int]) -> Diagram:
    fn = path.function

    def new_id() -> str:
        return f"node-{next(counter)}"

    nodes: list[Node] = []
    edges: list[Edge] = []
    fn_node = Node(new_id(), 1, f"\u03bb {fn.id}", _function_lines(fn), "function", _function_entities(fn),
                   tooltip=f"Function {fn.id} ({fn.resource.type})")
    entries = [_entry_node(new_id(), e) for e in path.entries] or [
        Node(new_id(), 0, "No trigger in these files", [("muted", "invoked by other means, if at all")], "note", ())]
    nodes.extend(entries)
    nodes.append(fn_node)
    for entry, node in zip(path.entries, entries, strict=False):
        edges.append(Edge(node.id, fn_node.id, "public" if entry.public is True else
                          "unknown" if entry.public is None else "plain"))
    if not path.entries:
        edges.append(Edge(entries[0].id, fn_node.id, "unknown"))
    role = path.role
    if role is None:
        role_node = Node(new_id(), 2, "No role found", [("muted", "the function's role is not in these files")],
                         "note", ())
    else:
        role_node = Node(new_id(), 2, role.id, _role_lines(role), "role", (role,), tooltip=f"Role {role.id}")
    nodes.append(role_node)
    edges.append(Edge(fn_node.id, role_node.id, "plain"))
    for grant in path.grants:
        node = _grant_node(new_id(), grant)
        nodes.append(node)
        wide = grant.every_resource or bool(grant.wildcard_actions)
        edges.append(Edge(role_node.id, node.id, "wide" if wide else "unknown" if grant.note else "plain"))
    if role is not None and not path.grants:
        nodes.append(Node(new_id(), 3, "No permissions granted", [("muted", "no Allow statement or policy")],
                          "note", ()))
        edges.append(Edge(role_node.id, nodes[-1].id, "unknown"))
    return Diagram(diagram_id, fn.id, display_path(fn.loc.file), fn.format, nodes, edges)


def _function_entities(fn: Function) -> tuple[Entity, ...]:
    # A function's log group has no node of its own: its findings belong to the function.
    return (fn,) + ((fn.log_group,) if isinstance(fn.log_group, LogGroup) else ())


def _function_lines(fn: Function) -> list[tuple[str, str]]:
    lines = []
    if fn.runtime is not None or fn.handler is not None:
        lines.append(("", " \u00b7 ".join(_value(v) for v in (fn.runtime, fn.handler) if v is not None)))
    reserved = fn.reserved_concurrency
    lines.append(("", f"reserved concurrency {_value(reserved)}") if reserved is not None
                 else ("muted", "no reserved concurrency"))
    lines.append(("muted", f"{os.path.basename(fn.loc.file)}:{fn.loc.line}"))
    return lines


def _entry_node(node_id: str, entry: Entry) -> Node:
    lines: list[tuple[str, str]] = []
    if entry.via:
        lines.append(("", entry.via))
    if entry.auth is not None:
        open_auth = entry.auth.upper() == "NONE"
        lines.append(("bad" if open_auth else "", f"auth: {entry.auth}"))
    if entry.throttle is not None:
        lines.append(("bad" if entry.throttle == "none" else "", f"throttle: {entry.throttle}"))
    tone = "public" if entry.public is True else "unknown" if entry.public is None else "private"
    reach = {"public": "reachable by anyone", "unknown": "public or not: unknown", "private": "not public"}[tone]
    lines.append(("bad" if tone == "public" else "muted", reach))
    tooltip = "\n".join([entry.title] + [text for _, text in lines])
    if entry.loc is not None:
        tooltip += f"\n{display_path(entry.loc.file)}:{entry.loc.line}"
    at = (display_path(entry.loc.file), entry.loc.line) if entry.loc is not None else None
    return Node(node_id, 0, entry.title, lines, tone, entry.entities, tooltip=tooltip, at=at)


def _role_lines(role: Role) -> list[tuple[str, str]]:
    lines = []
    if role.external:
        lines.append(("muted", "defined outside these files"))
    count = len(role.statements)
    policies = len(role.managed_policies)
    lines.append(("", f"{count} statement{'s' if count != 1 else ''}, "
                      + f"{policies} managed polic{'ies' if policies != 1 else 'y'}"))
    if len(role.functions) > 1:
        lines.append(("warn", f"shared by {len(role.functions)} functions"))
    return lines


def _grant_node(node_id: str, grant: Grant) -> Node:
    entity = grant.entity
    lines: list[tuple[str, str]] = []
    if entity is not None:
        label = f"{entity.kind.replace('_', ' ')} {entity.id}"
    elif grant.target == "*":
        label = "* (every resource)"
    elif grant.source == "managed-policy":
        label = grant.target.rsplit("/", 1)[-1]
        lines.append(("muted", "AWS managed policy" if ":aws:policy/" in grant.target else "managed policy"))
    elif grant.source == "external-role":
        label = "role defined elsewhere"
    else:
        label = grant.target
    if grant.every_resource and grant.target != "*" and entity is None and not grant.note:
        lines.append(("bad", "every resource of the service"))
    if grant.levels:
        lines.append(("", _levels_summary(grant)))
    if grant.wildcard_actions:
        lines.append(("bad", ", ".join(grant.wildcard_actions)))
    else:
        named = [a for _, actions in grant.levels for a in actions]
        if named:
            lines.append(("muted", ", ".join(dict.fromkeys(named))))
    if grant.note:
        lines.append(("bad" if grant.every_resource else "muted", grant.note))
    tone = "wide" if grant.every_resource or grant.wildcard_actions else "note" if grant.note else "scoped"
    tooltip = "\n".join([grant.target] + [f"{level}: {', '.join(actions)}" for level, actions in grant.levels]
                        + ([grant.note] if grant.note else []))
    return Node(node_id, 3, label, lines, tone, (entity,) if entity is not None else (), tooltip=tooltip)


def _levels_summary(grant: Grant) -> str:
    """``Write 4 · Read 6``; a level reached only through a wildcard is named without a count."""
    if len(grant.levels) == len(ACCESS_LEVELS):
        return "every access level"
    wild = set(grant.wildcard_actions)
    parts = []
    for level, actions in grant.levels:
        named = [a for a in actions if a not in wild]
        name = _LEVEL_SHORT.get(level, level)
        parts.append(f"{name} {len(named)}" if named and len(named) == len(actions) else name)
    return " \u00b7 ".join(parts)


def _value(value: Any) -> str:
    return f"unknown ({value.expr})" if isinstance(value, Unknown) else str(value)


def _layout(diagram: Diagram) -> None:
    """Columns left to right; each column's nodes stacked and centred on the tallest column."""
    columns: list[list[Node]] = [[n for n in diagram.nodes if n.column == c] for c in range(len(COLUMNS))]
    heights = [sum(n.height for n in col) + NODE_GAP * max(0, len(col) - 1) for col in columns]
    body = max(heights)
    for c, col in enumerate(columns):
        y = HEAD_H + PAD + (body - heights[c]) / 2
        for node in col:
            node.x = PAD + c * (NODE_W + COL_GAP)
            node.y = y
            y += node.height + NODE_GAP
    diagram.width = PAD * 2 + len(COLUMNS) * NODE_W + (len(COLUMNS) - 1) * COL_GAP
    diagram.height = HEAD_H + PAD * 2 + body


def _figure(d: Diagram) -> str:
    title = f"Exposure path of function {d.function}"
    return (f'<figure class="path" id="{escape(d.id)}" data-format="{escape(d.format)}">\n'
            f'<figcaption><span class="fn">{escape(d.function)}</span> <span class="where">{escape(d.file)}'
            f'</span> <span class="fmt">{escape(d.format)}</span></figcaption>\n'
            f'{_svg(d, title)}\n</figure>')


def _svg(d: Diagram, title: str) -> str:
    root = (f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" viewBox="0 0 {d.width:g} '
            f'{d.height:g}" width="{d.width:g}" height="{d.height:g}" aria-label="{escape(title)}">')
    out = [root, f"<title>{escape(title)}</title>"]
    for c, heading in enumerate(COLUMNS):
        out.append(f'<text class="col" x="{PAD + c * (NODE_W + COL_GAP):g}" y="{PAD + 8:g}">{escape(heading)}</text>')
    by_id = {n.id: n for n in d.nodes}
    for edge in d.edges:
        a, b = by_id[edge.source], by_id[edge.target]
        x1, y1 = a.x + NODE_W, a.y + a.height / 2
        x2, y2 = b.x, b.y + b.height / 2
        mid = (x1 + x2) / 2
        out.append(f'<path class="edge {edge.tone}" d="M{x1:g},{y1:g} C{mid:g},{y1:g} {mid:g},{y2:g} '
                   f'{x2 - 6:g},{y2:g}"/><path class="arrow {edge.tone}" d="M{x2 - 7:g},{y2 - 4:g} L{x2:g},{y2:g} '
                   f'L{x2 - 7:g},{y2 + 4:g}"/>')
    for node in d.nodes:
        out.append(_svg_node(node))
    out.append("</svg>")
    return "\n".join(out)


def _svg_node(node: Node) -> str:
    tooltip = node.tooltip or node.label
    if node.findings:
        tooltip += f"\n{len(node.findings)} finding{'s' if len(node.findings) != 1 else ''}: select to show"
    attrs = (f'class="node {node.tone}{" has-findings" if node.findings else ""}" id="{escape(node.id)}" '
             f'data-node="{escape(node.id)}"')
    if node.findings:
        attrs += ' tabindex="0" role="button"'
    parts = [f'<g {attrs} transform="translate({node.x:g},{node.y:g})">',
             f"<title>{escape(tooltip)}</title>",
             f'<rect class="box" width="{NODE_W}" height="{node.height:g}" rx="6"/>',
             ]
    rows = node.label_rows
    for i, text in enumerate(rows):
        parts.append(f'<text class="label" x="10" y="{LINE_H * (i + 1) + 1}">{escape(text)}</text>')
    for i, (css, text) in enumerate(node.lines):
        parts.append(f'<text class="line {css}" x="10" y="{LINE_H * (i + len(rows) + 1) + 1}">{escape(text)}</text>')
    if node.findings:
        parts.append(_badge(node))
    parts.append("</g>")
    return "".join(parts)


def _badge(node: Node) -> str:
    return (f'<g class="badge {escape(node.worst)}" transform="translate({NODE_W - 14},{14})"><circle r="10"/>'
            f'<text text-anchor="middle" y="4">{len(node.findings)}</text></g>')


_BREAKS = (" \u00b7 ", " ", ",", "/", ":", ".", "_")


def _wrap(text: str, chars: int, rows: int) -> list[str]:
    """``text`` on rows of at most ``chars``, broken after a separator; the last row cut with …"""
    text = " ".join(text.split())
    out: list[str] = []
    while text and len(out) < rows:
        if len(text) <= chars:
            out.append(text)
            return out
        # The first separator, in order of preference, that keeps at least half a row; else a hard cut.
        # (A separator's trailing space may fall just past the row: rows are right-stripped.)
        cuts = (text.rfind(sep, 0, chars + 1) + len(sep) for sep in _BREAKS)
        cut = next((c for c in cuts if c > chars // 2 and len(text[:c].rstrip()) <= chars), chars)
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        out[-1] = _fit(out[-1] + " " + text, chars)
    return out or [""]


def _fit(text: str, chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:max(1, chars - 1)] + "\u2026"

