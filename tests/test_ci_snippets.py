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


def _snippets(heading: str) -> list:
    """Every ```yaml block of a README section."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    section = readme.split(f"\n### {heading}\n", 1)[1].split("\n### ", 1)[0]
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)]


def test_github_sharding_snippet_scans_every_part_and_merges_them():
    workflow = _snippets("Sharding across CI jobs")[0]
    scan_job, merge_job = workflow["jobs"]["scan"], workflow["jobs"]["merge"]
    shards = scan_job["strategy"]["matrix"]["shard"]
    runs = " ".join(step.get("run", "") for step in scan_job["steps"])
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in runs
    assert shards == list(range(1, len(shards) + 1))
    assert any("iac-lint merge shard-*.sarif" in step.get("run", "") for step in merge_job["steps"])
    assert merge_job["needs"] == "scan" and merge_job["if"] == "always()"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_gitlab_sharding_snippet_merges_into_the_unsharded_report(tmp_path):
    pipeline = _snippets("Sharding across CI jobs")[1]
    scan_job, report_job = pipeline["iac-lint"], pipeline["iac-lint-report"]
    project = tmp_path / "project"
    shutil.copytree(os.path.join(REPO, "examples"), project / "examples")
    shutil.copytree(os.path.join(REPO, "tests", "fixtures", "terraform"), project / "terraform")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "iac-lint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m iac_lint "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": REPO}
    total = scan_job["parallel"]
    report_dir = tmp_path / "report"
    shutil.copytree(project, report_dir)  # every job has a checkout of its own; artifacts land in it
    for index in range(1, total + 1):
        job = tmp_path / f"job-{index}"
        shutil.copytree(project, job)
        for line in scan_job["script"][1:]:
            subprocess.run(["bash", "-c", line], cwd=job, check=False, capture_output=True,
                           env={**env, "CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(total)})
        assert (job / f"gl-code-quality-{index}.json").exists()
        shutil.copy(job / f"iac-lint-{index}.json", report_dir)
    for line in report_job["script"][1:]:
        done = subprocess.run(["bash", "-c", line], cwd=report_dir, env=env, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
    whole = subprocess.run(["bash", "-c", "iac-lint scan . --no-cache -q --format json --output ../whole.json"],
                           cwd=project, env=env, check=False)
    assert whole.returncode == 1
    merged = json.loads((report_dir / "iac-lint.json").read_text())
    assert merged == json.loads((tmp_path / "whole.json").read_text())
    assert merged["findings"]
