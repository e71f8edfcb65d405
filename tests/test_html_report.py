"""The HTML report: its data is the JSON report's, every function has a diagram, nothing from a template is markup."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser

import pytest
from conftest import REPO
from gate_support import cli, copy_fixture

EXAMPLES = os.path.join(REPO, "examples")
HOSTILE = os.path.join(REPO, "tests", "fixtures", "html", "hostile")


class Page(HTMLParser):
    """Elements, attributes and the text of each ``<script>``, as a browser's tokenizer sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._text = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def block(self, element_id: str) -> object:
        return json.loads(next(text for attrs, text in self.scripts if attrs.get("id") == element_id))


@pytest.fixture(scope="module")
def examples_html() -> str:
    run = cli("scan", "examples", "--format", "html", cwd=REPO)
    assert run.code == 1
    return run.stdout


@pytest.fixture(scope="module")
def examples_json() -> dict:
    return cli("scan", "examples", "--format", "json", cwd=REPO).json()


def test_the_embedded_data_is_the_json_report(examples_html, examples_json):
    assert Page(examples_html).block("report-data") == examples_json


def test_the_embedded_data_is_the_json_renderers_text_with_only_closing_sequences_escaped(examples_html):
    json_text = cli("scan", "examples", "--format", "json", cwd=REPO).stdout.rstrip("\n")
    embedded = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', examples_html,
                         re.DOTALL).group(1)
    assert embedded.replace("<\\/", "</").replace("<\\u0021--", "<!--") == json_text


def test_one_diagram_per_function_of_the_examples(examples_html):
    page = Page(examples_html)
    figures = [attrs for tag, attrs in page.tags if tag == "figure" and "path" in (attrs.get("class") or "")]
    links = page.block("report-paths")
    functions = sorted(d["function"] for d in links["diagrams"])
    assert functions == sorted(["Thumbnail", "CreateOrder", "GetOrder", "resize", "status", "admin",
                                "aws_lambda_function.webhook"])
    assert len(figures) == len(functions) == sum(1 for tag, _ in page.tags if tag == "svg")


def test_a_finding_links_to_the_node_it_concerns_and_the_node_back(examples_html):
    page = Page(examples_html)
    data, links = page.block("report-data"), page.block("report-paths")
    findings = data["findings"]

    def nodes_of(rule_id: str, resource: str) -> list[str]:
        index = next(i for i, f in enumerate(findings) if f["rule_id"] == rule_id and f["resource"] == resource)
        return [links["nodes"][n]["label"] for n in links["finding_nodes"].get(str(index), [])]

    # The route node carries its route's finding; the role node its role's, in every function sharing it.
    assert nodes_of("PUB006", "CreateOrder.Create") == ["POST /orders"]
    assert nodes_of("IAM001", "IamRoleLambdaExecution") == ["IamRoleLambdaExecution"] * 3
    assert nodes_of("IAM004", "ThumbnailRole") == ["ThumbnailRole"]
    # A finding on the function at its URL's line belongs to the function and to the URL.
    assert sorted(nodes_of("PUB005", "Thumbnail")) == ["Function URL", "\u03bb Thumbnail"]
    # A bucket no function reaches has no node; its findings are still listed.
    assert nodes_of("PUB001", "UploadBucket") == []
    for node_id, node in links["nodes"].items():
        for index in node["findings"]:
            assert node_id in links["finding_nodes"][str(index)]


def test_wildcards_are_red_and_grants_summarized_by_access_level(examples_html):
    figure = r'<figure class="path" id="[^"]+" data-format="sam">.*?</figure>'
    svg = re.search(figure, examples_html, re.DOTALL).group(0)
    assert 'class="node wide' in svg and "* (every resource)" in svg and ">s3:*<" in svg
    assert "table OrdersTable" in svg and "Write 4 \u00b7 Read 6" in svg
    assert 'class="edge public"' in svg  # POST /orders has no authorizer


def test_the_report_loads_nothing(examples_html):
    page = Page(examples_html)
    csp = next(attrs["content"] for tag, attrs in page.tags
               if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    for tag, attrs in page.tags:
        assert not (tag in ("script", "img", "iframe") and attrs.get("src")), (tag, attrs)
        assert not (tag == "link" and attrs.get("href")), attrs
    assert "http://" not in examples_html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in examples_html


def test_the_same_scan_gives_the_same_bytes(examples_html):
    assert cli("scan", "examples", "--format", "html", cwd=REPO).stdout == examples_html


def test_names_and_messages_from_a_template_are_never_markup(tmp_path):
    shutil.copytree(HOSTILE, tmp_path / "hostile")
    run = cli("scan", "hostile", "--format", "html", cwd=str(tmp_path))
    page = Page(run.stdout)
    # Only the page's own elements: nothing a template named became a tag or a handler.
    assert not [t for t, _ in page.tags if t in ("img", "b")]
    assert not [(t, a) for t, a in page.tags for name in a if name.startswith("on")]
    assert [attrs.get("id") for attrs, _ in page.scripts] == ["report-data", "report-paths", "report-sources", None]
    data = page.block("report-data")
    assert any("<img src=x onerror=alert(1)>" in f["message"] for f in data["findings"])
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in run.stdout  # the diagram's caption
    sources = page.block("report-sources")
    assert any("<!--<script>" in line for snippet in sources if snippet for line in snippet["lines"])


def test_suppressed_and_baselined_findings_are_in_the_data_and_their_own_section(tmp_path):
    copy_fixture("suppressed.yaml", str(tmp_path), "infra/suppressed.yaml")
    run = cli("scan", "infra", "--format", "html", cwd=str(tmp_path))
    page = Page(run.stdout)
    suppressed = [f for f in page.block("report-data")["findings"] if f["suppressed"]]
    assert suppressed and all(f["suppression_kind"] for f in suppressed)
    assert any(tag == "details" and attrs.get("id") == "suppressed" and "open" not in attrs
               for tag, attrs in page.tags)


def test_written_with_output_like_every_format(tmp_path):
    target = tmp_path / "report.html"
    run = cli("scan", "examples", "--format", "html", "--output", str(target), cwd=REPO)
    assert run.code == 1 and run.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_scan_without_functions_says_so(tmp_path):
    copy_fixture("suppressed.yaml", str(tmp_path), "infra/suppressed.yaml")
    run = cli("scan", "infra", "--format", "html", cwd=str(tmp_path))
    assert "No functions in the scanned files." in run.stdout


def test_long_details_wrap_at_separators_onto_two_rows_at_most():
    from iac_lint.report.html import _wrap

    assert _wrap("Permissions mgmt \u00b7 Write \u00b7 Tagging \u00b7 Read", 36, 2) == [
        "Permissions mgmt \u00b7 Write \u00b7 Tagging \u00b7", "Read"]
    assert _wrap("HTTP API aws_apigatewayv2_api.webhook", 36, 2) == ["HTTP API aws_apigatewayv2_api.", "webhook"]
    rows = _wrap("x" * 100, 36, 2)
    assert len(rows) == 2 and rows[1].endswith("\u2026") and all(len(r) <= 36 for r in rows)
