"""The precision benchmarks: the judged sample's ratio and the per-rule comparison (no corpus needed)."""

from __future__ import annotations

import importlib.util
import os

from conftest import REPO


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, "benchmarks", f"{name}.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_judged_sample_meets_the_bar(capsys):
    ratio = _load("judged_ratio")
    rows = ratio.read(ratio.DEFAULT)
    assert len(rows) >= 60 and {r["judgement"] for r in rows} <= set(ratio.JUDGEMENTS)
    assert all(r["reason"].strip() for r in rows)  # every judgement says why
    assert ratio.main([]) == 0
    assert "low-value or false per real finding" in capsys.readouterr().out


def test_compare_lists_only_the_rules_whose_count_moved():
    per_rule = _load("findings_per_rule")
    before = {"total": 5, "by_rule": {"IAM001": 2, "IAM002": 3}}
    after = {"total": 3, "by_rule": {"IAM001": 2, "IAM002": 1}}
    lines = per_rule.compare(before, after).splitlines()
    assert [line.split()[0] for line in lines] == ["rule", "IAM002", "total"]
    assert lines[1].split() == ["IAM002", "3", "1", "-2"]
