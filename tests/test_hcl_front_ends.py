"""The fast HCL front end (tree-sitter) against its oracle (python-hcl2): the same syntax tree, the same model.

For every ``.tf`` file of the repository (fixtures, examples, rule cases) and
of ``../shared/corpus`` when it is present: both front ends give equal
located syntax trees (every node, location and source text); and for every
Terraform module, the parsed and linked model and its findings are the same
whichever front end read it.  What the fast path does not accept it leaves
to python-hcl2, which is checked here too.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import random

import pytest
from conftest import CORPUS, REPO, needs_corpus
from test_snapshots import _template, _value

from iac_lint.api import active_rules
from iac_lint.config import Config
from iac_lint.discover import discover
from iac_lint.engine.evaluate import evaluate
from iac_lint.link import link_template
from iac_lint.parsers.terraform import hcl_tree_sitter, syntax
from iac_lint.parsers.terraform.module import parse_module

pytestmark = pytest.mark.skipif(not hcl_tree_sitter.available(), reason="tree-sitter-hcl is not installed")

REPO_DIRS = [os.path.join(REPO, d) for d in ("tests", "examples", "policies")]


def _tf_files(roots: list[str]) -> list[str]:
    return sorted(f for root in roots for f in glob.glob(os.path.join(root, "**", "*.tf"), recursive=True))


def _normalized(text: str) -> str:
    return syntax._HEREDOC_END_TRAILING.sub(r"\1", text) if "<<" in text else text


def _differences(files: list[str]) -> list[str]:
    problems = []
    for file in files:
        with open(file, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        try:
            oracle = syntax._parse_hcl(text, file, "python-hcl2")
        except syntax.SyntaxProblem:
            continue  # python-hcl2 rejects it: the fast path is not asked (see test_rejections_fall_back)
        fast = hcl_tree_sitter.convert(_normalized(text), file)
        if fast is None:
            problems.append(f"{file}: the fast path fell back")
        elif fast != oracle:
            problems.append(f"{file}: syntax trees differ")
    return problems


def test_same_syntax_tree_for_every_terraform_file_of_the_repository():
    files = _tf_files(REPO_DIRS)
    assert len(files) > 10
    assert _differences(files) == []


@needs_corpus
def test_same_syntax_tree_for_every_terraform_file_of_the_corpus():
    files = _tf_files([CORPUS])
    assert _differences(files) == []


def _model(directory: str, files: list[str], front_end: str, rules: list) -> str:
    syntax.FRONT_END = front_end
    syntax._CACHE.clear()
    try:
        config = Config()
        config.parse.roots = [os.path.abspath(directory)]
        templates = [link_template(t) for t in parse_module(directory, files, config.parse)]
        findings = evaluate(templates, rules)
    finally:
        syntax.FRONT_END = "fast"
        syntax._CACHE.clear()
    dump = [{**_template(t), "properties": [_value(r.properties) for r in t.resources]} for t in templates]
    return json.dumps([dump, [_value(dataclasses.asdict(f)) for f in findings]], sort_keys=True, default=str)


def _module_differences(root: str) -> list[str]:
    rules = active_rules(Config())
    modules = [u for u in discover([root]) if u.kind == "terraform"]
    assert modules
    return [unit.path for unit in modules
            if _model(unit.path, unit.files, "fast", rules) != _model(unit.path, unit.files, "python-hcl2", rules)]


def test_same_model_and_findings_for_every_terraform_module_of_the_repository():
    assert _module_differences(os.path.join(REPO, "tests", "fixtures")) == []
    assert _module_differences(os.path.join(REPO, "examples")) == []


@needs_corpus
def test_same_model_and_findings_for_every_terraform_module_of_the_corpus():
    assert _module_differences(CORPUS) == []


@pytest.mark.parametrize("text", [
    'x = "a ${~ b ~} c"\n',  # strip markers: python-hcl2 has none, so it decides (here: an error)
    'resource "a" {\n  x = \n}\n',  # a syntax error: python-hcl2's message and line
    'x = [1, 2\n',
])
def test_rejections_fall_back_to_python_hcl2(text):
    assert hcl_tree_sitter.convert(text, "main.tf") is None
    with pytest.raises(syntax.SyntaxProblem) as fast:
        syntax._parse_hcl(text, "main.tf", "fast")
    with pytest.raises(syntax.SyntaxProblem) as oracle:
        syntax._parse_hcl(text, "main.tf", "python-hcl2")
    assert (fast.value.message, fast.value.line, fast.value.column) == \
        (oracle.value.message, oracle.value.line, oracle.value.column)


def test_non_ascii_columns_are_counted_in_characters():
    text = 'x = "h\u00e9llo"  \ny = "\u00e9\u00e9" == z\n  z = 1\n'
    assert hcl_tree_sitter.convert(text, "f.tf") == syntax._parse_hcl(text, "f.tf", "python-hcl2")


def test_expressions_inside_heredocs_and_json_strings_match():
    loc = syntax.Location("f.tf", 3, 7)
    for text in ("var.a", "aws_iam_role.r[0].arn", "join(\",\", [for s in var.l : upper(s)])", "a ? b : c == d"):
        assert syntax.parse_expression(text, loc, "fast") == syntax.parse_expression(text, loc, "python-hcl2")


def test_escapes_are_resolved_as_python_hcl2_resolves_them():
    from hcl2.utils import process_escape_sequences

    pieces = ["\\", "n", "r", "t", '"', "u", "U", "0", "d", "D", "8", "f", "g", " ", "\n", "\u00e9", "\\u00e9",
              "\\ud800", "\\U0010ffff", "\\U00110000", "\\\\n", "\\u12"]
    generator = random.Random(0)
    texts = ["".join(generator.choice(pieces) for _ in range(generator.randrange(12))) for _ in range(3000)]
    assert [syntax._unescape(t) for t in texts] == [process_escape_sequences(t) for t in texts]


@pytest.mark.parametrize("text", ["a", "var.a", "aws_region.current.name", "_a._b1.c_", "each.value.null",
                                  "true", "null.a", "for", "in.x", "if", "a.0", "a-b.c", "a.b-c", "a .b", "a."])
def test_dotted_names_are_the_traversals_the_parse_gives(text):
    loc = syntax.Location("f.tf", 3, 7)
    assert hcl_tree_sitter.convert_expression(text, loc) == hcl_tree_sitter.parsed_expression(text, loc)


@pytest.mark.parametrize("text", [
    'x = <<EOT\n{"a": "${var.b}"}\nEOT',  # a heredoc closing the file without a line break
    'y = 1\nx = a == b',  # a binary operation closing the file
    'x = a == b # why\n\n  # more\ny = <<-EOT\n    c\n  EOT\n',
    'x = "$${a} %%{b} \\"q\\" ${c}%{ if d }e${f}%{ else }g%{ endif }"\n',
    'resource "a" "b" {\n  dynamic "c" {\n    for_each = { for k, v in var.m : k => v... if v != null }\n'
    '    content { d = c.value[*].e }\n  }\n  f = -1\n  g = !(h || i)\n  j = k.0\n  l = (m).n\n}\n',
])
def test_edge_cases_match(text):
    # Through the fast path as the scan takes it: converted, or handed to python-hcl2.
    assert syntax._parse_hcl(text, "f.tf", "fast") == syntax._parse_hcl(text, "f.tf", "python-hcl2")
