"""The HTML report of examples/ in a real browser: headless Chromium, driven over its DevTools pipe.

Checks what a reader sees: every finding drawn from the embedded data, one
diagram per function, links between them, the filters; and what must never
happen: a console error, an exception, a request for anything but the page
itself, markup injected by a template.  Saves a screenshot to
``build/report-screenshot.png`` for CI to keep.  Skips, saying why, where
Chromium is missing (``tests/browser/install_chromium.sh`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from conftest import REPO
from devtools_pipe import Browser, DevToolsError, find_browser
from gate_support import cli

SCREENSHOT = os.path.join(REPO, "build", "report-screenshot.png")
EXECUTABLE = find_browser()

pytestmark = pytest.mark.skipif(
    EXECUTABLE is None, reason="Chromium not found: run tests/browser/install_chromium.sh (Debian package chromium)")


@pytest.fixture(scope="module")
def browser():
    try:
        instance = Browser(EXECUTABLE)
    except (DevToolsError, OSError) as exc:
        pytest.skip(f"Chromium would not start: {exc}")
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """The examples' HTML report on disk, and their JSON report to compare with."""
    target = tmp_path_factory.mktemp("html") / "report.html"
    run = cli("scan", "examples", "--format", "html", "--output", str(target), cwd=REPO)
    assert run.code == 1
    return "file://" + str(target), cli("scan", "examples", "--format", "json", cwd=REPO).json()


@pytest.fixture(scope="module")
def opened(browser, examples):
    url, data = examples
    browser.events.clear()
    browser.open(url)
    assert browser.evaluate("document.body.dataset.ready") == "true"
    return browser, url, data


def test_every_finding_is_listed_with_its_message(opened):
    browser, _, data = opened
    cards = browser.evaluate("""Array.from(document.querySelectorAll('article.finding')).map(function (card) {
        return [card.id, card.querySelector('.rule').textContent, card.querySelector('.msg').textContent]; })""")
    assert [c[0] for c in cards] == [f"finding-{i}" for i in range(len(data["findings"]))]
    assert [(c[1], c[2]) for c in cards] == [(f["rule_id"], f["message"]) for f in data["findings"]]
    headline = browser.evaluate("document.getElementById('headline').textContent")
    assert headline.startswith(f"{len(data['findings'])} findings in {data['summary']['files']} files")


def test_one_diagram_per_function_with_its_function_node(opened):
    browser, _, _ = opened
    figures = browser.evaluate("""Array.from(document.querySelectorAll('figure.path')).map(function (figure) {
        return [figure.querySelectorAll('svg').length, figure.querySelector('.fn').textContent,
                figure.querySelector('.node.function title').textContent,
                figure.querySelector('svg').getBoundingClientRect().width]; })""")
    names = sorted(name for _, name, _, _ in figures)
    assert names == sorted(["Thumbnail", "CreateOrder", "GetOrder", "resize", "status", "admin",
                            "aws_lambda_function.webhook"])
    for svgs, name, label, width in figures:
        assert svgs == 1 and label.startswith(f"Function {name} (") and width > 600


def test_nothing_is_loaded_and_nothing_fails(opened):
    browser, url, _ = opened
    assert browser.problems() == []
    assert browser.requests() == [url]


def test_the_content_security_policy_blocks_any_request(opened):
    browser, _, _ = opened
    outcome = browser.evaluate("""new Promise(function (resolve) {
        var violated = false;
        document.addEventListener('securitypolicyviolation', function () { violated = true; });
        fetch('http://127.0.0.1:9/x').then(function () { resolve('loaded'); },
            function () { setTimeout(function () { resolve(violated ? 'blocked by CSP' : 'failed'); }, 50); });
    })""")
    assert outcome == "blocked by CSP"
    browser.events.clear()


def test_a_finding_links_to_its_node_and_a_node_to_its_findings(opened):
    browser, _, data = opened
    index = next(i for i, f in enumerate(data["findings"]) if f["rule_id"] == "PUB006")
    link = browser.evaluate("""(function () {
        var a = document.querySelector('#finding-INDEX a.node-link');
        a.click();
        return [a.getAttribute('href'), document.querySelector('.node.flash').id];
    })()""".replace("INDEX", str(index)))
    assert link[0] == "#" + link[1]
    highlighted = browser.evaluate("""(function () {
        var node = Array.from(document.querySelectorAll('svg .node.has-findings'))
            .find(function (n) { return n.querySelector('.label').textContent === 'IamRoleLambdaExecution'; });
        node.dispatchEvent(new MouseEvent('click', {bubbles: true}));
        return Array.from(document.querySelectorAll('article.highlight .rule')).map(function (r) {
            return r.textContent; }).sort();
    })()""")
    assert highlighted == ["IAM001", "IAM002"]


def test_filters_by_severity_rule_and_format(opened):
    browser, _, data = opened
    visible = """Array.from(document.querySelectorAll('#findings article.finding'))
        .filter(function (c) { return !c.hidden; }).length"""
    total = len(data["findings"])
    assert browser.evaluate(visible) == total
    high = sum(1 for f in data["findings"] if f["severity"] == "high")
    browser.evaluate("""(function () { var box = document.querySelector('#severity-filter input[value=high]');
        box.checked = false; box.dispatchEvent(new Event('change', {bubbles: true})); })()""")
    assert browser.evaluate(visible) == total - high
    browser.evaluate("""(function () { var box = document.querySelector('#severity-filter input[value=high]');
        box.checked = true; box.dispatchEvent(new Event('change', {bubbles: true}));
        var rule = document.getElementById('rule-filter'); rule.value = 'IAM001';
        rule.dispatchEvent(new Event('change', {bubbles: true})); })()""")
    assert browser.evaluate(visible) == sum(1 for f in data["findings"] if f["rule_id"] == "IAM001")
    browser.evaluate("""(function () { var rule = document.getElementById('rule-filter'); rule.value = '';
        rule.dispatchEvent(new Event('change', {bubbles: true}));
        var fmt = document.getElementById('format-filter'); fmt.value = 'terraform';
        fmt.dispatchEvent(new Event('change', {bubbles: true})); })()""")
    assert browser.evaluate(visible) == sum(1 for f in data["findings"] if f["format"] == "terraform")
    assert browser.evaluate("""Array.from(document.querySelectorAll('figure.path'))
        .filter(function (f) { return !f.hidden; }).length""") == 1
    browser.evaluate("""(function () { var fmt = document.getElementById('format-filter'); fmt.value = '';
        fmt.dispatchEvent(new Event('change', {bubbles: true})); window.scrollTo(0, 0); })()""")


def test_a_screenshot_for_the_ci_artifacts(opened):
    browser, _, _ = opened
    browser.screenshot(SCREENSHOT)
    with open(SCREENSHOT, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_markup_in_a_template_stays_text(browser, tmp_path):
    shutil.copytree(os.path.join(REPO, "tests", "fixtures", "html", "hostile"), tmp_path / "hostile")
    target = tmp_path / "hostile.html"
    cli("scan", "hostile", "--format", "html", "--output", str(target), cwd=str(tmp_path))
    browser.events.clear()
    browser.open("file://" + str(target))
    assert browser.evaluate("document.body.dataset.ready") == "true"
    assert browser.evaluate("document.querySelectorAll('img, b').length") == 0
    handlers = browser.evaluate("""Array.from(document.querySelectorAll('*')).filter(function (e) {
        return Array.from(e.attributes).some(function (a) { return a.name.indexOf('on') === 0; }); }).length""")
    assert handlers == 0
    messages = browser.evaluate(
        "Array.from(document.querySelectorAll('.msg')).map(function (m) { return m.textContent; })")
    data = json.loads(browser.evaluate("document.getElementById('report-data').textContent"))
    assert messages == [f["message"] for f in data["findings"]]
    assert any("<img src=x onerror=alert(1)>" in m for m in messages)
    assert not [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
    assert browser.problems() == []
