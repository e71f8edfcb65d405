"""The README's CI snippets, run as written (minus the install line) against a real git history."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import REPO
from gate_support import copy_fixture, git

import iac_lint


def _snippet(heading: str) -> dict:
    """The first ```yaml block after a README heading."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    section = readme.split(f"\n### {heading}\n", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block, heading
    return yaml.safe_load(block.group(1))


def test_github_snippet_pins_the_release_and_lists_paths_one_per_line():
    workflow = _snippet("GitHub Actions")
    steps = workflow["jobs"]["iac-lint"]["steps"]
    action = next(s for s in steps if s.get("uses", "").startswith("iac-lint/iac-lint@"))
    assert action["uses"] == f"iac-lint/iac-lint@v{iac_lint.__version__}"
    assert action["with"]["paths"].splitlines() == ["infra", "serverless.yml"]
    with open(os.path.join(REPO, "action.yml"), encoding="utf-8") as handle:
        inputs = yaml.safe_load(handle)["inputs"]
    assert set(action["with"]) <= set(inputs)


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash")
def test_gitlab_snippet_runs_in_a_merge_request_pipeline(tmp_path):
    job = _snippet("GitLab CI")["iac-lint"]
    assert not job["image"].endswith("-slim")  # slim images have no git, which --changed-since needs
    script = job["script"]
    assert script[0].startswith(f"pip install iac-lint=={iac_lint.__version__}")

    # The project: main has a template; the merge request changes one resource of it.
    origin = tmp_path / "origin"
    origin.mkdir()
    copy_fixture("app.yaml", str(origin), "app.yaml")
    git(str(origin), "init", "-q", "-b", "main")
    git(str(origin), "add", ".")
    git(str(origin), "commit", "-qm", "initial")
    git(str(origin), "checkout", "-q", "-b", "feature")
    app = origin / "app.yaml"
    app.write_text(app.read_text().replace("SqsManagedSseEnabled: false", "SqsManagedSseEnabled: false\n"
                                           "      VisibilityTimeout: 60"))
    git(str(origin), "commit", "-qam", "tune the queue")
    # What the runner does for a merge request pipeline: fetch the MR head only, check it out detached.
    build = tmp_path / "build"
    build.mkdir()
    git(str(build), "init", "-q")
    git(str(build), "remote", "add", "origin", str(origin))
    git(str(build), "fetch", "-q", "origin", "+refs/heads/feature:refs/pipelines/1")
    git(str(build), "checkout", "-q", "refs/pipelines/1")

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "iac-lint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m iac_lint "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": REPO,
           "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "GIT_CONFIG_NOSYSTEM": "1"}
    for line in script[1:]:  # each script entry is one shell command, as GitLab runs them
        done = subprocess.run(["bash", "-c", line], cwd=build, env=env, capture_output=True, text=True,
                              check=False)
        if "iac-lint scan" in line:
            assert done.returncode == 0, done.stdout + done.stderr  # one medium finding, below --fail-on high
        else:
            assert done.returncode == 0, done.stderr
    quality = json.loads((build / "gl-code-quality-report.json").read_text())
    # Only the changed resource's finding: the diff against origin/main worked.
    assert [issue["check_name"] for issue in quality] == ["ENC002 queue-sse-disabled"]
    assert (build / "iac-lint-junit.xml").exists()
