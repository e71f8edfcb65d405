"""A real editor: headless Neovim drives the server, applies quick fixes, and the buffer is checked.

Neovim comes from the distribution (``tests/editors/install_neovim.sh``, which CI runs); without
it this test is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")

from conftest import REPO

NVIM = shutil.which("nvim")
SCRIPT = Path(__file__).parent / "editors" / "nvim_quickfix.lua"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: reports
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "s3:*"
                Resource: arn:aws:s3:::reports/*
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: false
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
"""


@pytest.mark.skipif(NVIM is None, reason="nvim is not installed (tests/editors/install_neovim.sh installs it)")
def test_neovim_applies_quick_fixes(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    result = tmp_path / "result.txt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])),
               IAC_LINT_TEST_FILE=str(template), IAC_LINT_TEST_OUT=str(result), IAC_LINT_TEST_PYTHON=sys.executable,
               IAC_LINT_TEST_ACTIONS="IAM001=Suppress IAM001 on this line;PUB002=Turn BlockPublicPolicy on",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert NVIM is not None
    subprocess.run([NVIM, "--headless", "--clean", "-n", "-c", f"luafile {SCRIPT}"], env=env, cwd=tmp_path,
                   timeout=120, check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    status, *lines = result.read_text().splitlines()
    assert status == "ok", "\n".join([status, *lines])
    assert lines[10:13] == [
        "              - Effect: Allow",
        "                # iac-lint: ignore IAM001 -- TODO: reason",
        '                Action: "s3:*"',
    ]
    assert "        BlockPublicPolicy: true" in lines
