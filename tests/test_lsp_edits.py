"""The text edits behind quick fixes, on the shapes templates take."""

from __future__ import annotations

from iac_lint.lsp import edits


def apply(text: str, edit: edits.Edit | None) -> str:
    assert edit is not None
    lines = text.split("\n")
    (sl, sc), (el, ec) = edit.start, edit.end
    start = sum(len(line) + 1 for line in lines[:sl]) + sc
    end = sum(len(line) + 1 for line in lines[:el]) + ec
    return text[:start] + edit.plain + text[end:]


def test_snippet_text_and_its_plain_form() -> None:
    assert edits.as_plain("a ${1:TODO: reason} b \\$x") == "a TODO: reason b $x"
    assert edits.as_plain(edits.escape_snippet("${var.x}")) == "${var.x}"


def test_no_comment_inside_a_yaml_block_scalar() -> None:
    lines = ["Resources:", "  Fn:", "    Properties:", "      Code: |", "        print(1)", "      Handler: x"]
    assert not edits.comment_allowed_above(lines, 4, "yaml")
    assert edits.comment_allowed_above(lines, 5, "yaml")
    assert edits.comment_allowed_above(lines, 3, "yaml")


def test_no_comment_inside_a_heredoc() -> None:
    lines = ['resource "x" "y" {', "  policy = <<-EOT", "    {}", "  EOT", "}"]
    assert [edits.comment_allowed_above(lines, n, "hcl") for n in range(5)] == [True, True, False, False, True]


def test_hcl_block_end_skips_braces_in_strings_comments_and_heredocs() -> None:
    lines = ['resource "x" "y" {', '  name = "}{"  # }', "  body = <<EOF", "}", "EOF", "  nested {", "  }", "}", ""]
    assert edits.hcl_block_end(lines, 0) == 7


def test_yaml_property_added_with_properties_created() -> None:
    text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n  C:\n    Type: AWS::SNS::Topic\n"
    out = apply(text, edits.yaml_add_property(text.split("\n"), 1, "Key:\n  Sub: 1"))
    assert out == ("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Key:\n        Sub: 1\n"
                   "  C:\n    Type: AWS::SNS::Topic\n")


def test_yaml_property_not_added_to_flow_style_properties() -> None:
    lines = ["Resources:", "  B:", "    Type: AWS::S3::Bucket", "    Properties: {BucketName: b}"]
    assert edits.yaml_add_property(lines, 1, "Key: 1") is None


def test_json_ignore_entry_joins_an_existing_list() -> None:
    text = '{"Resources": {"B": {"Metadata": {"iac-lint": {"ignore": [{"id": "ENC001", "reason": "r"}]}}}}}'
    out = apply(text, edits.json_metadata_ignore(text, "B", '{"id": "PUB002", "reason": "${1:why}"}'))
    assert '"ignore": [{"id": "PUB002", "reason": "why"}, {"id": "ENC001"' in out


def test_json_ignore_list_created_in_an_existing_block() -> None:
    text = '{"Resources": {"B": {"Metadata": {"iac-lint": {}}}}}'
    out = apply(text, edits.json_metadata_ignore(text, "B", '{"id": "PUB002"}'))
    assert out == '{"Resources": {"B": {"Metadata": {"iac-lint": {"ignore": [{"id": "PUB002"}]}}}}}'


def test_json_without_the_resource_or_broken_gives_no_edit() -> None:
    assert edits.json_metadata_ignore('{"Resources": {}}', "B", "{}") is None
    assert edits.json_metadata_ignore('{"Resources": {"B": ', "B", "{}") is None
