"""Terraform HCL modules into the shared model: values, links, locations, unknowns, bad input."""

import collections
import os
import subprocess
import sys
import time

import pytest
from conftest import CORPUS, REPO, corpus_files, needs_corpus

from iac_lint.link import link_template
from iac_lint.model import Bucket, Function, Queue, Role, Topic, Unknown
from iac_lint.parsers import ParseOptions
from iac_lint.parsers.terraform.module import parse_module

FIXTURES = os.path.join(REPO, "tests", "fixtures", "terraform")
POLICIES = os.path.join(REPO, "policies")


def parse_dir(path, options=None):
    files = sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith((".tf", ".tf.json")))
    (tpl,) = parse_module(path, files, options or ParseOptions(roots=[path]))
    return link_template(tpl)


def by_id(tpl, cls):
    return {e.id: e for e in tpl.of(cls)}


def line_of(path, needle, nth=0):
    """The 1-based line of the nth line containing ``needle``: fixtures assert against their own text."""
    with open(path, encoding="utf-8") as handle:
        hits = [i for i, text in enumerate(handle.read().splitlines(), start=1) if needle in text]
    return hits[nth]


# --- S3: both styles, count and for_each ---------------------------------------------------


def test_split_and_inline_encryption_link_to_their_bucket_whatever_the_reference_style():
    case = os.path.join(POLICIES, "encryption", "ENC001", "tf-encrypted-both-styles")
    buckets = by_id(parse_dir(case), Bucket)
    assert buckets["aws_s3_bucket.inline"].encryption == "kms"
    assert buckets["aws_s3_bucket.by_id"].encryption == "sse-s3"
    assert buckets["aws_s3_bucket.by_name_attr"].encryption == "kms-dsse"
    assert buckets["aws_s3_bucket.archive"].encryption == "sse-s3"  # literal name on one side, var on the other
    assert buckets["aws_s3_bucket.shards[*]"].encryption == "sse-s3"
    assert buckets["aws_s3_bucket.tenants[*]"].encryption == "kms"  # for_each = aws_s3_bucket.tenants
    assert buckets["aws_s3_bucket.regions[*]"].encryption == "sse-s3"
    # The fact points at the resource that set it.
    main = os.path.join(case, "main.tf")
    assert buckets["aws_s3_bucket.by_id"].where("encryption").line == line_of(
        main, 'resource "aws_s3_bucket_server_side_encryption_configuration" "by_id"')


def test_public_access_block_flags_are_located_at_their_attribute():
    case = os.path.join(POLICIES, "public-access", "PUB002", "tf-positive")
    buckets = by_id(parse_dir(case), Bucket)
    block = buckets["aws_s3_bucket.website[*]"].public_access_block
    assert (block.block_public_acls, block.block_public_policy, block.restrict_public_buckets) == (True, False, False)
    main_tf = os.path.join(case, "main.tf")
    assert block.locs["block_public_policy"].line == line_of(main_tf, "block_public_policy = false")
    assert buckets["aws_s3_bucket.exports"].public_access_block is None


# --- IAM: every policy style --------------------------------------------------------------


def test_every_policy_style_lands_on_the_role_with_the_line_of_each_action():
    case = os.path.join(POLICIES, "least-privilege", "IAM001", "tf-wildcards-every-policy-style")
    main = os.path.join(case, "main.tf")
    roles = by_id(parse_dir(case), Role)
    worker = roles["aws_iam_role.worker"]
    found = {}
    for stmt in worker.effective_statements:
        for i, action in enumerate(stmt.actions):
            found[action] = stmt.where(f"actions.{i}").line
    assert found["logs:*"] == line_of(main, '"logs:*"')  # jsonencode inline_policy
    assert found["s3:*"] == line_of(main, '"s3:*",')  # policy document statement block
    assert found["dynamodb:*"] == line_of(main, 'for_each = ["dynamodb:*"')  # dynamic statement
    assert found["sqs:SendMessage"] == line_of(main, 'for_each = ["dynamodb:*"')
    assert found["*"] == line_of(main, '            "*"')  # heredoc JSON
    assert worker.assume_principals == ["Service:lambda.amazonaws.com"]
    consumer = roles["aws_iam_role.consumer"]  # managed_policy_arns -> a policy of this module, via a local
    assert [s.actions for s in consumer.effective_statements] == [["sqs:*"]]
    assert consumer.effective_statements[0].where("actions.0").line == line_of(main, 'Action   = "sqs:*"')


def test_policy_from_a_file_inside_the_root_is_read_and_located_in_that_file():
    case = os.path.join(FIXTURES, "files")
    tpl = parse_dir(os.path.join(case), ParseOptions(roots=[case]))
    role = by_id(tpl, Role)["aws_iam_role.worker"]
    assert role.assume_principals == ["Service:lambda.amazonaws.com"]
    stmt = role.effective_statements[0]
    policy = os.path.join(case, "policies", "worker.json")
    assert stmt.actions == ["dynamodb:GetItem", "dynamodb:*"]
    assert (stmt.where("actions.1").file, stmt.where("actions.1").line) == (policy, line_of(policy, '"dynamodb:*"'))


def test_a_file_outside_the_root_is_an_error_finding_and_is_never_read():
    case = os.path.join(FIXTURES, "files")
    tpl = parse_dir(case, ParseOptions(roots=[case]))
    problems = [p for p in tpl.problems if p.rule_id == "E002"]
    assert len(problems) == 1
    assert problems[0].location.line == line_of(os.path.join(case, "main.tf"), "../outside_target")
    assert not any("outside_target" in path for path in tpl.sources)
    role = by_id(tpl, Role)["aws_iam_role.worker"]
    assert all(stmt.source != "aws_iam_role_policy.outside" for stmt in role.effective_statements)


def test_templatefile_policy_is_located_in_the_template_and_its_variables_resolved():
    case = os.path.join(FIXTURES, "templates")
    role = by_id(parse_dir(case), Role)["aws_iam_role.worker"]
    (stmt,) = role.effective_statements
    template = os.path.join(case, "policies", "tables.json.tpl")
    assert stmt.resources == ["arn:aws:dynamodb:*:*:table/orders"]
    assert (stmt.where("actions.1").file, stmt.where("actions.1").line) == (template, line_of(template, '"dynamodb:*"'))


# --- Lambda ----------------------------------------------------------------------------------


def test_function_facts_and_links():
    case = os.path.join(POLICIES, "throttling", "THR003", "tf-positive")
    tpl = parse_dir(case)
    fns = by_id(tpl, Function)
    webhook = fns["aws_lambda_function.webhook"]
    assert webhook.url_auth_type == "NONE"
    assert webhook.reserved_concurrency is None  # -1 is Terraform's "unreserved"
    assert [t.kind for t in webhook.triggers] == ["url"]
    orders = fns["aws_lambda_function.orders"]
    assert [(t.kind, t.public, t.route.method, t.route.path) for t in orders.triggers] == [
        ("http-api", True, "POST", "/orders")]
    items = fns["aws_lambda_function.items"]
    assert [(t.kind, t.route.method, t.route.path) for t in items.triggers] == [("api", "GET", "/items")]


def test_permission_by_qualified_function_arn_links_to_the_function():
    fn = by_id(parse_dir(os.path.join(FIXTURES, "templates")), Function)["aws_lambda_function.worker"]
    assert [p.id for p in fn.permissions] == ["aws_lambda_permission.live"]


def test_role_shared_across_a_module_boundary_and_module_addresses():
    case = os.path.join(FIXTURES, "modules")
    tpl = parse_dir(case, ParseOptions(roots=[case]))
    fn = by_id(tpl, Function)["aws_lambda_function.reader"]
    assert fn.role is not None and fn.role.id == "module.store.aws_iam_role.this"
    assert fn.environment == {"BUCKET": "acme-store"}  # a module output, resolved from the caller's input
    buckets = by_id(tpl, Bucket)
    store = buckets["module.store.aws_s3_bucket.this"]
    module_file = os.path.join(case, "modules", "store", "main.tf")
    assert (store.loc.file, store.loc.line) == (module_file, line_of(module_file, 'resource "aws_s3_bucket" "this"'))
    assert store.name == "acme-store" and store.encryption == "none"  # encrypted = false: count = 0
    assert buckets["module.replicas[*].aws_s3_bucket.this"].encryption == "kms"
    assert not any(k.startswith("module.disabled") for k in buckets)  # count = 0 module
    remote = [p for p in tpl.problems if p.rule_id == "I002"]
    assert len(remote) == 2 and all(p.severity == "info" for p in remote)


# --- values ----------------------------------------------------------------------------------------


def test_variable_precedence_locals_and_explicit_unknowns():
    case = os.path.join(FIXTURES, "vars")
    options = ParseOptions(roots=[case], var_files=[os.path.join(case, "extra.tfvars")],
                           tf_vars={"from_cli": "cli-value"})
    tpl = parse_dir(case, options)
    (resource,) = tpl.resources
    assert resource.id == "aws_sqs_queue.q[*]"
    props = resource.properties
    assert props["name"] == "default-value/tfvars-value"
    tags = props["tags"]
    assert tags["auto"] == "AUTO-VALUE"
    assert tags["varfile"] == "var-file-value"
    assert tags["cli"] == tags["env"] == "cli-value"
    assert tags["first"] == "bucket-a"
    assert tags["unknown"] == Unknown("var.no_default")
    assert isinstance(tags["index"], Unknown) and "count.index" in tags["index"].expr


def test_try_falls_back_on_errors_only_and_can_tells_them_apart(tmp_path):
    (tmp_path / "main.tf").write_text("""
locals {
  cfg   = { a = 1, arn = aws_sqs_queue.other.arn }
  plain = { a = 1 }
}
resource "aws_sqs_queue" "other" {}
resource "aws_sqs_queue" "q" {
  for_each = { x = 1 }
  tags = {
    missing     = try(local.cfg.missing, "fallback")
    not_known   = try(local.cfg.arn, "fallback")
    each_value  = try(each.value.principal, "fallback")
    nested      = try(flatten([local.cfg["nope"]]), [])
    bad_call    = try(jsondecode(local.plain), "not json")
    can_missing = can(local.cfg.missing)
    can_present = can(local.cfg.a)
    can_unknown = can(each.value.x)
    empty_fmt   = format("%s.amazonaws.com", try(local.cfg.service, ""))
  }
}
""")
    tpl = parse_dir(str(tmp_path))
    tags = {r.id: r for r in tpl.resources}["aws_sqs_queue.q[*]"].properties["tags"]
    assert tags["missing"] == "fallback"
    assert isinstance(tags["not_known"], Unknown) and isinstance(tags["each_value"], Unknown)
    assert tags["nested"] == [] and tags["bad_call"] == "not json"
    assert (tags["can_missing"], tags["can_present"]) == (False, True)
    assert isinstance(tags["can_unknown"], Unknown)
    assert tags["empty_fmt"] == ".amazonaws.com"


def test_tf_json_feeds_the_same_model():
    tpl = parse_dir(os.path.join(FIXTURES, "tfjson"))
    bucket = by_id(tpl, Bucket)["aws_s3_bucket.data"]
    assert bucket.name == "json-bucket"
    assert bucket.public_access_block.block_public_policy is False
    role = by_id(tpl, Role)["aws_iam_role.r"]
    assert [s.actions for s in role.effective_statements] == [["s3:*"]]


# --- bad input ---------------------------------------------------------------------------------------


def test_syntax_error_is_located_and_the_other_files_are_still_read():
    case = os.path.join(FIXTURES, "broken")
    tpl = parse_dir(case)
    (problem,) = tpl.problems
    bad = os.path.join(case, "bad.tf")
    assert problem.rule_id == "E001" and problem.location.file == bad
    assert problem.location.line == line_of(bad, "tags = { a =")
    assert list(by_id(tpl, Topic)) == ["aws_sns_topic.ok"]


@pytest.mark.parametrize("text, reason", [
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nesting"),
    ('resource "a" "b" {\n  x = "' + "a" * (3 * 1024 * 1024) + '"\n}\n', "limit"),
    ("resource \"a\" {\n  policy = <<EOF\nunterminated\n", "syntax"),
    ('locals {\n  a = local.b\n  b = local.a\n}\nresource "aws_sqs_queue" "q" {\n  name = local.a\n}\n', None),
])
def test_hostile_input_is_a_located_finding_never_a_traceback(tmp_path, text, reason):
    path = tmp_path / "main.tf"
    path.write_text(text)
    (tpl,) = parse_module(str(tmp_path), [str(path)], ParseOptions(roots=[str(tmp_path)]))
    if reason is None:  # a cycle between locals is an unknown, not a hang
        assert isinstance(tpl.resources[0].properties["name"], Unknown)
    else:
        assert [p.rule_id for p in tpl.problems] == ["E001"]
        assert reason in tpl.problems[0].message or reason == "syntax"


_BLOWUPS = {
    # Each level is under the per-collection limit; their product is 25 million steps.
    "nested for": 'locals {\n  p = [for a in range(5000) : [for b in range(5000) : a * b]]\n}\n',
    "doubling list": "locals {\n  e0 = [1]\n" + "".join(
        f"  e{i} = concat(local.e{i - 1}, local.e{i - 1})\n" for i in range(1, 26)) + "  p = local.e25\n}\n",
    "doubling string": 'locals {\n  s0 = "ab"\n' + "".join(
        f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"\n' for i in range(1, 31)) + "  p = local.s30\n}\n",
    "replace bomb": 'locals {\n  s0 = "aaaaaaaaaaaaaaaa"\n' + "".join(
        f'  s{i} = replace(local.s{i - 1}, "a", "aaaa")\n' for i in range(1, 12)) +
        '  p = replace(local.s11, "a", local.s11)\n}\n',
    "join bomb": 'locals {\n  s = join("", [for i in range(9000) : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])\n'
                 '  p = join(",", [for i in range(9000) : local.s])\n}\n',
}


@pytest.mark.parametrize("name", sorted(_BLOWUPS))
def test_values_that_would_explode_stay_unknown_quickly(tmp_path, name):
    text = _BLOWUPS[name] + 'resource "aws_sqs_queue" "q" {\n  count = 1000000\n  name  = jsonencode(local.p)\n}\n'
    (tmp_path / "main.tf").write_text(text)
    started = time.monotonic()
    tpl = parse_dir(str(tmp_path))
    assert time.monotonic() - started < 10
    (resource,) = tpl.resources
    assert resource.id == "aws_sqs_queue.q[*]" and isinstance(resource.properties["name"], Unknown)


def test_modules_calling_each_other_are_reported_not_followed(tmp_path):
    for me, other in (("a", "b"), ("b", "a")):
        (tmp_path / me).mkdir()
        (tmp_path / me / "main.tf").write_text(f'module "{other}" {{\n  source = "../{other}"\n}}\n')
    tpl = parse_dir(str(tmp_path / "a"), ParseOptions(roots=[str(tmp_path)]))
    assert [(p.rule_id, p.location.line) for p in tpl.problems] == [("I002", 2)]
    assert "calls itself" in tpl.problems[0].message


def test_unsaved_buffer_overrides_the_file_on_disk(tmp_path):
    path = tmp_path / "main.tf"
    path.write_text('resource "aws_sqs_queue" "q" {\n  name = "disk"\n}\n')
    buffer = 'resource "aws_sqs_queue" "q" {\n  name = "buffer"\n  sqs_managed_sse_enabled = false\n}\n'
    (tpl,) = parse_module(str(tmp_path), [str(path)], ParseOptions(), overrides={str(path): buffer})
    queue = by_id(tpl, Queue)["aws_sqs_queue.q"]
    assert queue.name == "buffer" and queue.explicit_disabled and queue.where("encryption").line == 3


def test_hcl2_is_imported_only_when_terraform_is_parsed():
    code = "import sys, iac_lint.parsers, iac_lint.api; print('hcl2' in sys.modules, 'lark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- the corpus ------------------------------------------------------------------------------------------


@needs_corpus
def test_every_corpus_terraform_folder_parses_without_a_crash():
    folders = collections.defaultdict(list)
    for path in corpus_files("terraform"):
        folders[os.path.dirname(path)].append(path)
    if not folders:
        pytest.skip("the corpus has no terraform entries")
    options = ParseOptions(roots=[os.path.abspath(CORPUS)])
    entities = 0
    for folder, files in sorted(folders.items()):
        (tpl,) = parse_module(folder, sorted(files), options)
        entities += len(tpl.entities)
        assert not [p for p in tpl.problems if p.rule_id == "E001"], folder
    assert len(folders) > 150 and entities > 500


def test_modules_terraform_init_downloaded_are_analysed_without_network(tmp_path):
    import json as _json

    from iac_lint.api import scan
    from iac_lint.config import Config

    (tmp_path / "main.tf").write_text(
        'module "store" {\n  source  = "acme/store/aws"\n  version = "1.2.0"\n  name    = "orders"\n}\n'
        'module "missing" {\n  source = "git::https://example.com/x.git"\n}\n')
    installed = tmp_path / ".terraform" / "modules" / "store"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text(
        'variable "name" {}\nresource "aws_sqs_queue" "q" {\n  name = var.name\n  sqs_managed_sse_enabled = false\n}\n')
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(_json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "store", "Source": "registry.terraform.io/acme/store/aws", "Version": "1.2.0",
         "Dir": ".terraform/modules/store"},
        # A manifest entry pointing outside the scanned root is never read.
        {"Key": "missing", "Source": "git::https://example.com/x.git", "Dir": "../../elsewhere"},
    ]}))
    report = scan([str(tmp_path)], Config())
    found = {(f.rule_id, f.resource) for f in report.findings}
    assert ("ENC002", "module.store.aws_sqs_queue.q") in found
    assert any(f.rule_id == "I002" and "missing" in f.message for f in report.findings)
