"""The VS Code extension's manifest offers exactly the settings the server reads."""

from __future__ import annotations

import json
import os
from pathlib import Path

from iac_lint.lsp.config import Settings

EXTENSION = Path(__file__).resolve().parent.parent / "editors" / "vscode"


def manifest() -> dict:
    return json.loads((EXTENSION / "package.json").read_text())


def test_every_server_setting_is_contributed_and_understood() -> None:
    properties = manifest()["contributes"]["configuration"]["properties"]
    server_keys = {name.split(".", 1)[1] for name in properties} - {"path", "args", "trace.server"}
    assert server_keys == {"policies", "minSeverity", "lintOn", "debounceMs"}
    # Each one, as VS Code sends it, changes the server's settings.
    sent = {"iac-lint": {"policies": ["rules"], "minSeverity": "high", "lintOn": "save", "debounceMs": 50}}
    assert Settings.from_client(sent) == Settings(policies=("rules",), min_severity="high", lint_on="save",
                                                  debounce_ms=50)
    assert properties["iac-lint.minSeverity"]["enum"] == ["info", "low", "medium", "high", "critical"]
    assert properties["iac-lint.debounceMs"]["default"] == Settings().debounce_ms


def test_the_program_and_rule_directories_are_not_the_workspace_s_to_choose_when_untrusted() -> None:
    restricted = manifest()["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]
    assert set(restricted) == {"iac-lint.path", "iac-lint.args", "iac-lint.policies"}


def test_build_script_and_lockfile_are_committed() -> None:
    assert os.access(EXTENSION / "build.sh", os.X_OK)
    lock = json.loads((EXTENSION / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == manifest()["dependencies"]


def test_bad_client_settings_keep_the_previous_ones() -> None:
    base = Settings(min_severity="medium", debounce_ms=300)
    assert Settings.from_client({"minSeverity": "loud", "debounceMs": -5, "lintOn": 3}, base) == base
