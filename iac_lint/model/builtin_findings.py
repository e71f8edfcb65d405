"""The finding ids iac-lint reports itself, not through a rule: one registry.

Parse and analysis problems (``E``, ``I``) come from reading files; the
suppression checks (``S``) from reading ``iac-lint: ignore`` comments and
Metadata.  Each has the same metadata and five-part documentation as a rule,
so that ``iac-lint rules list``/``rules show``, the SARIF descriptors and the
pages under ``docs/rules/`` describe them like any rule.  They are always on:
``--select``/``--ignore`` choose rules and do not remove them (per-path
ignores, baselines and the configuration's ``severity`` still apply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR_CATEGORY = "error"
SUPPRESSION_CATEGORY = "suppression"


@dataclass(frozen=True, slots=True)
class BuiltinFinding:
    """A finding id of iac-lint itself, described like a rule."""

    id: str
    name: str
    severity: str
    category: str
    title: str
    docs: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks_analysis(self) -> bool:
        """An error that left part of a file unread (E001-E005), as opposed to a notice or a suppression check."""
        return self.category == ERROR_CATEGORY and self.severity != "info"


def _entry(id: str, name: str, severity: str, category: str, title: str, **docs: Any) -> BuiltinFinding:
    return BuiltinFinding(id, name, severity, category, title, docs)


_SUPPRESSION_REFERENCES = ["https://github.com/iac-lint/iac-lint#suppressing-a-finding"]

BUILTIN_FINDINGS: dict[str, BuiltinFinding] = {f.id: f for f in (
    _entry(
        "E001", "parse-error", "high", ERROR_CATEGORY, "The file could not be parsed",
        what="Reports a file that iac-lint recognised as infrastructure-as-code but could not read: invalid "
             "YAML, JSON or HCL, a document of the wrong shape (a template that is not a mapping, a resource "
             "without `Type`), or a file over the size and nesting limits. The finding points at the line "
             "where reading failed.",
        why="Nothing in an unreadable file is checked, so a clean report would be a false promise. A parse "
            "error fails the gate at every `--fail-on` threshold for the same reason.",
        example="Resources:\n  Bucket:\n    Type: [AWS::S3::Bucket\n",
        fix="Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
        references=["https://yaml.org/spec/1.2.2/",
                    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html"]),
    _entry(
        "E002", "unsafe-include", "high", ERROR_CATEGORY,
        "An include points outside the scanned root and was not read",
        what="Reports a `${file(...)}` include of a Serverless Framework project, or a local Terraform "
             "module, that points outside the directories being scanned, is too large, or cannot be read. "
             "The referenced file is not read.",
        why="iac-lint runs on untrusted pull requests and never reads a file outside the scanned roots: an "
            "include of `../../secrets.yml` could otherwise leak another project's content into the report. "
            "Whatever the include would have contributed is not checked.",
        example="custom: ${file(../../shared/settings.yml)}",
        fix="Scan the directory that holds both files (`iac-lint scan .` from the repository root), or move "
            "the included file inside the project.",
        references=["https://www.serverless.com/framework/docs/providers/aws/guide/variables"]),
    _entry(
        "E003", "unresolvable-variable", "high", ERROR_CATEGORY,
        "A variable could not be resolved (cycle or depth limit)",
        what="Reports Serverless Framework variables that refer to each other in a cycle, nest deeper than "
             "the resolver's limit, or expand the file beyond its size limit. The values involved become "
             "unknowns.",
        why="The Serverless Framework itself fails on such a file, and every setting that depends on the "
            "variables is unknown to the rules, which neither flag nor accept unknown values.",
        example="custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n",
        fix="custom:\n  a: ${self:custom.b}\n  b: orders\n",
        references=["https://www.serverless.com/framework/docs/providers/aws/guide/variables"]),
    _entry(
        "E004", "rule-error", "high", ERROR_CATEGORY, "A rule failed while evaluating a resource",
        what="Reports a rule that raised an error on a file. The message names the rule and the error; the "
             "other rules still run on the file.",
        why="The failing rule checked nothing in this file, so its silence means nothing. For a built-in rule "
            "this is a bug in iac-lint; for your own rule, a bug in the rule.",
        example="```python\ndef check(fn):\n"
                "    yield Violation(fn.environment['PASSWORD'])  # KeyError on most functions\n```",
        fix="```python\ndef check(fn):\n    if 'PASSWORD' in fn.environment:\n"
            "        yield Violation(f'{fn.id} has PASSWORD in its environment',\n"
            "                        fn.where('environment.PASSWORD'))\n```",
        references=["https://github.com/iac-lint/iac-lint#writing-your-own-rules"]),
    _entry(
        "E005", "budget-exceeded", "high", ERROR_CATEGORY, "Analysis of a value was cut short by a work budget",
        what="Reports a value whose analysis went over one of iac-lint's work or memory budgets: a number "
             "wider than 1024 bits, `dynamic` blocks nested too deep or too many, too many findings in one "
             "file, a unit that took longer than its deadline. The value becomes unknown; the finding points "
             "at the expression that was cut short. The budgets are listed in the README's \"Security model\".",
        why="iac-lint runs on pull requests whose author controls every file: without budgets a file of a "
            "few kilobytes could take the scan down, and a value cut short without a word would pass "
            "unchecked. Like every error that leaves something unanalysed, it fails the gate at every "
            "`--fail-on` threshold.",
        example="```hcl\nlocals {\n  a1 = 99999999999 * 99999999999\n  a2 = local.a1 * local.a1\n  # ... "
                "a24 = local.a23 * local.a23\n}\n```",
        fix="Write the value the template means (a literal, a variable) instead of a computation that grows "
            "without bound.",
        references=["https://github.com/iac-lint/iac-lint#security-model"]),
    _entry(
        "I001", "not-analysed", "info", ERROR_CATEGORY, "The file is code and is not analysed",
        what="Reports a file that describes infrastructure but that iac-lint does not analyse: "
             "`serverless.ts`/`serverless.js` (code, which iac-lint never runs) and Serverless Framework "
             "services for a provider other than AWS.",
        why="It says that part of the project was not checked, rather than passing over it in silence.",
        example="service: orders\nprovider:\n  name: azure\n",
        fix="Write the service configuration as `serverless.yml`, or accept that it is not checked (a "
            "per-path ignore of `I001` records that decision).",
        references=["https://www.serverless.com/framework/docs/providers/aws/guide/intro"]),
    _entry(
        "I002", "module-not-fetched", "info", ERROR_CATEGORY,
        "A remote module is never fetched and was not analysed",
        what="Reports a Terraform `module` block whose source is a registry, git or HTTP address, is not "
             "static, is outside the scanned root, or calls itself. Its resources are not analysed.",
        why="iac-lint never reaches the network, so remote modules are not checked; the finding keeps that "
            "visible next to the module call.",
        example='```hcl\nmodule "api" {\n  source = "terraform-aws-modules/apigateway-v2/aws"\n}\n```',
        fix="Scan a `terraform show -json` plan of the root module, which contains the resources of every "
            "module, or vendor the module into the repository.",
        references=["https://developer.hashicorp.com/terraform/language/modules/sources",
                    "https://developer.hashicorp.com/terraform/internals/json-format"]),
    _entry(
        "S001", "suppression-without-reason", "info", SUPPRESSION_CATEGORY, "A suppression does not say why",
        what="Reports an `iac-lint: ignore` comment without `-- reason`, or a `Metadata` suppression without "
             "`reason:`. The suppression still applies.",
        why="A reviewer cannot judge a silenced security finding without the reason it is acceptable, and "
            "nobody can later tell whether the reason still holds.",
        example="# iac-lint: ignore IAM001\nAction: s3:*\n",
        fix="# iac-lint: ignore IAM001 -- the migration job rewrites every bucket; removed after SEC-42\n"
            "Action: s3:*\n",
        references=_SUPPRESSION_REFERENCES),
    _entry(
        "S002", "unused-suppression", "info", SUPPRESSION_CATEGORY, "A suppression matches no finding",
        what="Reports a suppression of a rule that ran but found nothing the suppression covers: the problem "
             "was fixed, or the comment sits in the wrong place. Suppressions of rules that did not run "
             "(`--select`) are not reported.",
        why="A stale suppression silences the next real finding at that spot without anyone deciding so.",
        example="# iac-lint: ignore IAM001 -- needs every S3 action\nAction: s3:GetObject\n",
        fix="```yaml\nAction: s3:GetObject\n```",
        references=_SUPPRESSION_REFERENCES),
    _entry(
        "S003", "suppression-refused", "info", SUPPRESSION_CATEGORY,
        "The configuration does not allow this rule to be suppressed in the source",
        what="Reports a comment or `Metadata` suppression of a rule that the configuration's "
             "`no_inline_suppress` lists. The finding stays active.",
        why="Some rules are for the owners of the configuration to waive (with a baseline or a per-path "
            "ignore), not for the author of the change under review.",
        example="# .iac-lint.yaml: no_inline_suppress: [IAM004]\n"
                "# iac-lint: ignore IAM004 -- temporary\n- AdministratorAccess\n",
        fix="Remove the comment and fix the finding, or ask the owners of the configuration to record an "
            "exception in the baseline.",
        references=_SUPPRESSION_REFERENCES),
    _entry(
        "S004", "expired-suppression", "info", SUPPRESSION_CATEGORY,
        "A suppression is past its expiry date and no longer applies",
        what="Reports a suppression whose `until` date has passed. It no longer applies, so the finding it "
             "covered is reported again.",
        why="Temporary exceptions have an end date so that they end; this finding says why a finding came "
            "back.",
        example="# iac-lint: ignore IAM001 until 2024-01-31 -- during the migration\n",
        fix="Fix the finding and remove the comment, or set a new date with a new reason.",
        references=_SUPPRESSION_REFERENCES),
    _entry(
        "S005", "malformed-suppression", "info", SUPPRESSION_CATEGORY, "An iac-lint comment could not be read",
        what="Reports an `iac-lint:` comment or `Metadata` entry that is not a valid suppression: a misspelt "
             "directive, a rule id that is not one, an `until` that is not a date. It is not applied.",
        why="The author meant to suppress something and believes it is suppressed; it is not.",
        example="# iac-lint: ignroe IAM001 -- reviewed\n",
        fix="```yaml\n# iac-lint: ignore IAM001 -- reviewed\n```",
        references=_SUPPRESSION_REFERENCES),
)}
