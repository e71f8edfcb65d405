"""Helpers for the pull-request gate tests: run the CLI in a directory, copy the gate fixtures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass

from click.testing import CliRunner
from conftest import REPO

GATE = os.path.join(REPO, "tests", "fixtures", "gate")
# Bundled with the tests (see tests/data/README.md), so that a clone alone runs them.
SARIF_SCHEMA = os.path.join(REPO, "tests", "data", "sarif-schema-2.1.0.json")


@dataclass(frozen=True, slots=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)

    def findings(self, active_only: bool = False) -> list[dict]:
        found = self.json()["findings"]
        return [f for f in found if not f["suppressed"]] if active_only else found


def cli(*args: str, cwd: str | None = None) -> Run:
    """The CLI in-process, from ``cwd`` (paths in the output are relative to it)."""
    from iac_lint.cli import main

    before = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)
    return Run(result.exit_code, result.stdout, result.stderr)


# The gate fixtures were written to exercise the reports with advice rules too (a bucket without explicit
# encryption or a written public access block): the projects they are copied into opt in to them.
GATE_CONFIG = "profile: strict\nrule_options: {PUB002: {require_block: true}}\n"


def copy_fixture(name: str, dest_dir: str, as_name: str | None = None, advice: bool = True) -> str:
    """Copy a gate fixture into ``dest_dir``; ``advice`` writes the configuration that opts in to advice rules."""
    target = os.path.join(dest_dir, as_name or name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(os.path.join(GATE, name), target)
    config = os.path.join(dest_dir, ".iac-lint.yaml")
    if advice and not os.path.exists(config):
        with open(config, "w", encoding="utf-8") as handle:
            handle.write(GATE_CONFIG)
    return target


def git(cwd: str, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout
