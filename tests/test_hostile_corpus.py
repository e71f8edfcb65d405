"""The hostile corpus (tests/hostile_corpus.py) under CI's memory and time limits (issue 11, item 10)."""

import json
import time

import pytest
from hostile_corpus import SECRET, write_corpus
from test_untrusted_files import run_cli

MEMORY = 1536 << 20
SECONDS = 120


def test_the_hostile_corpus_cannot_break_blind_or_leak(tmp_path):
    repo = tmp_path / "repo"
    write_corpus(repo, tmp_path / "outside")
    started = time.monotonic()
    result = run_cli("scan", str(repo), "-f", "json", timeout=SECONDS, memory=MEMORY)
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr.decode(errors="replace")[-3000:]
    assert SECRET.encode() not in result.stdout and b"OutsideRole" not in result.stdout
    findings = json.loads(result.stdout)["findings"]
    assert not [f for f in findings if "internal error" in f["message"]]
    by_case: dict[str, set[str]] = {}
    for f in findings:
        case = f["file"].split("repo/", 1)[-1].split("/", 1)[0]
        by_case.setdefault(case, set()).add(f["rule_id"])
    assert "IAM001" in by_case["sentinel"]  # one hostile file never blinds another
    assert "IAM001" in by_case["suppression-in-string"] and "IAM001" in by_case["control-ids"]
    assert "IAM001" in by_case["byte-name"]
    for case in ("alias-nodes", "alias-bytes", "deep-flow", "broken-yaml", "fifo", "sparse", "tf-broken"):
        assert "E001" in by_case[case], case
    for case in ("symlink-out", "tf-git-include", "sls-git-include"):
        assert "E002" in by_case[case], case
    assert "E005" in by_case["tf-multiply"] and "E005" in by_case["tf-dynamic"]
    assert "monorepo" not in by_case
    assert elapsed < SECONDS


def test_every_output_format_survives_the_corpus(tmp_path):
    repo = tmp_path / "repo"
    write_corpus(repo, tmp_path / "outside")
    for fmt in ("text", "sarif", "junit", "github", "gitlab"):
        result = run_cli("scan", str(repo), "-f", fmt, "--no-color", timeout=SECONDS, memory=MEMORY)
        assert result.returncode == 1, (fmt, result.stderr.decode(errors="replace")[-2000:])
        assert SECRET.encode() not in result.stdout
        if fmt in ("text", "github"):
            assert not [line for line in result.stdout.splitlines() if line.startswith(b"::stop-commands")]


@pytest.mark.parametrize("extra", [["--jobs", "2"], ["--shard", "1/1"], ["--no-cache"]])
def test_the_corpus_in_a_pool_a_shard_and_without_the_cache(tmp_path, extra, monkeypatch):
    monkeypatch.setenv("IAC_LINT_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    write_corpus(repo, tmp_path / "outside")
    for _ in range(2):  # the second run reads the cache the first one wrote
        result = run_cli("scan", str(repo), "-f", "json", *extra, timeout=SECONDS, memory=MEMORY)
        assert result.returncode == 1, result.stderr.decode(errors="replace")[-3000:]
        findings = json.loads(result.stdout)["findings"]
        assert any(f["rule_id"] == "IAM001" and "sentinel" in f["file"] for f in findings)
        assert SECRET.encode() not in result.stdout
