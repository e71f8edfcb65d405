"""The language server over a session: typing, broken buffers, folders with their own config, settings."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")

from lsp_client import WILDCARD_TEMPLATE, Client, uri_of

TEMPLATE = WILDCARD_TEMPLATE + """\
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        {BlockPublicAcls: false, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true}
"""

PYTHON_RULE = '''\
from iac_lint.engine.rules import Violation

RULE = {"id": "ORG001", "name": "bucket-needs-owner", "severity": "low", "category": "logging",
        "title": "Every bucket names its owner", "applies_to": "bucket", "message": "Bucket {bucket} has no owner"}


def check(bucket):
    yield Violation(RULE["message"].format(bucket=bucket.id), bucket.loc, "owner")
'''


def codes(diagnostics: list) -> set[str]:
    return {d["code"] for d in diagnostics}


def wait_for(client: Client, path: Path, wanted: Callable[[set[str]], bool], seconds: float = 20) -> set[str]:
    """The codes of the first publication for ``path`` that ``wanted`` accepts (the last one on timeout)."""
    deadline, found = time.monotonic() + seconds, set()
    while time.monotonic() < deadline:
        found = codes(client.diagnostics(uri_of(path)))
        if wanted(found):
            break
    return found


def test_a_broken_buffer_keeps_the_last_good_diagnostics(tmp_path: Path) -> None:
    client = Client(str(tmp_path), init_options={"debounceMs": 0})
    try:
        path = tmp_path / "template.yaml"
        first = client.open(path, TEMPLATE)
        assert {"IAM001", "PUB002"} <= codes(first)
        # Half-typed: an unclosed flow sequence at the end of the file.
        client.replace(path, TEMPLATE + "  Queue:\n    Type: [\n", 2)
        broken = client.diagnostics(uri_of(path), 2)
        assert [d for d in broken if d["code"] != "E001"] == first  # nothing flickers away
        (parse,) = [d for d in broken if d["code"] == "E001"]
        assert parse["range"]["start"]["line"] >= 15
        client.replace(path, TEMPLATE.replace('"s3:*"', '"s3:GetObject"'), 3)
        fixed = client.diagnostics(uri_of(path), 3)
        assert "E001" not in codes(fixed) and "IAM001" not in codes(fixed)
    finally:
        client.close()


def test_rapid_edits_are_debounced_and_only_the_newest_is_published(tmp_path: Path) -> None:
    client = Client(str(tmp_path), init_options={"debounceMs": 150})
    try:
        path = tmp_path / "template.yaml"
        client.open(path, TEMPLATE)
        for version in range(2, 7):
            client.replace(path, TEMPLATE + f"# edit {version}\n", version)
            time.sleep(0.02)
        published = client.quiet(uri_of(path), 1.5)
        assert [p["version"] for p in published] == [6]
    finally:
        client.close()


def test_lint_on_save_only(tmp_path: Path) -> None:
    client = Client(str(tmp_path), init_options={"lintOn": "save", "debounceMs": 0})
    try:
        path = tmp_path / "template.yaml"
        client.open(path, TEMPLATE)  # opening a file lints it
        narrowed = TEMPLATE.replace('"s3:*"', '"s3:GetObject"')
        client.replace(path, narrowed, 2)
        assert client.quiet(uri_of(path), 0.8) == []
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri_of(path)}})
        assert "IAM001" not in codes(client.diagnostics(uri_of(path), 2))
    finally:
        client.close()


def test_minimum_severity_from_initialization_options(tmp_path: Path) -> None:
    client = Client(str(tmp_path), init_options={"minSeverity": "high", "debounceMs": 0})
    try:
        found = client.open(tmp_path / "template.yaml", TEMPLATE)
        assert "IAM001" in codes(found) and "PUB002" not in codes(found)  # high stays, medium goes
    finally:
        client.close()


def test_each_folder_has_its_own_config_reread_when_it_changes(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / ".iac-lint.yaml").write_text("ignore: [IAM001]\n")
    capabilities = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}
    client = Client(str(tmp_path), folders=[str(one), str(two)], capabilities=capabilities,
                    init_options={"debounceMs": 0})
    try:
        assert "IAM001" not in codes(client.open(one / "template.yaml", TEMPLATE))
        assert "IAM001" in codes(client.open(two / "template.yaml", TEMPLATE))
        (registration,) = client.registrations
        assert registration["method"] == "workspace/didChangeWatchedFiles"
        patterns = [w["globPattern"] for w in registration["registerOptions"]["watchers"]]
        assert "**/.iac-lint.yaml" in patterns and "**/pyproject.toml" in patterns

        (two / "pyproject.toml").write_text('[tool.iac-lint]\nignore = ["IAM001", "PUB002"]\n')
        client.notify("workspace/didChangeWatchedFiles", {"changes": [
            {"uri": uri_of(two / "pyproject.toml"), "type": 1}]})
        found = wait_for(client, two / "template.yaml", lambda found: "IAM001" not in found)
        assert not {"IAM001", "PUB002"} & found
    finally:
        client.close()


def test_folder_settings_from_the_client_trust_its_python_rules(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    rules = tmp_path / "org-rules" / "logging"
    for folder in (one, two, rules):
        folder.mkdir(parents=True)
    (rules / "ORG001-bucket-needs-owner.py").write_text(PYTHON_RULE)
    settings = {
        None: {"debounceMs": 0},
        uri_of(one): {"policies": [str(tmp_path / "org-rules")], "debounceMs": 0},
        uri_of(two): {"debounceMs": 0, "minSeverity": "critical"},
    }
    capabilities = {"workspace": {"configuration": True}}
    client = Client(str(tmp_path), folders=[str(one), str(two)], capabilities=capabilities, settings=settings)
    try:
        for name in ("one", "two"):
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri_of(tmp_path / name / "template.yaml"), "languageId": "yaml", "version": 1,
                "text": TEMPLATE}})
        # The settings arrive once the server has asked for them; it then lints the open buffers again.
        assert "ORG001" in wait_for(client, one / "template.yaml", lambda found: "ORG001" in found)
        assert wait_for(client, two / "template.yaml", lambda found: not found) == set()

        # The user changes the settings: the server asks again and lints the open buffers again.
        client.settings[uri_of(two)] = {"debounceMs": 0, "minSeverity": "high"}
        client.notify("workspace/didChangeConfiguration", {"settings": None})
        assert wait_for(client, two / "template.yaml", lambda found: "IAM001" in found) == {"IAM001"}
    finally:
        client.close()


def test_a_broken_folder_config_falls_back_and_says_so(tmp_path: Path) -> None:
    (tmp_path / ".iac-lint.yaml").write_text("selekt: [IAM]\n")
    client = Client(str(tmp_path), init_options={"debounceMs": 0})
    try:
        assert "IAM001" in codes(client.open(tmp_path / "template.yaml", TEMPLATE))
        (shown,) = [m["params"] for m in client.notifications if m["method"] == "window/showMessage"]
        assert shown["type"] == 2 and "configuration of" in shown["message"] and "selekt" in shown["message"]
    finally:
        client.close()
