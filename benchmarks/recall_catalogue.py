"""Recall and false alarms of the secrets and (default-on) logging rules on samples the tests never saw.

    python benchmarks/recall_catalogue.py [--corpus ../shared/corpus] [--verbose]

Three measurements, each per format:

1. **Secrets, seeded** (``secret_samples.tsv``, and ``secret_samples_blind.tsv``, written after the last
   change to the detector and run once): held-out values, credentials and look-alikes
   (placeholders, references, names, settings), each written into a minimal template of every format in
   each context the rules cover: a function's environment variable, a template parameter / Terraform
   variable default, and a secret-bearing resource property (a database master password). Expected: the
   sample's label. A CloudFormation parameter's default is a secret only without ``NoEcho``; the samples
   do not set it.
2. **Secrets, real templates**: every SEC finding over the whole corpus, each judged by hand in
   ``catalogue_labels.tsv`` (rows of rule SEC*; an unlabelled finding counts as a false alarm).
3. **Logging, real templates** (``catalogue_labels.tsv``, rules LOG001-LOG003): corpus files sampled at
   random among those with functions or API stages, every function and stage labelled by reading the file;
   ``catalogue_labels_blind.tsv`` is a second sample labelled before the rules were run on it, and measured
   once.

Recall is found / expected; the false-alarm rate is wrong findings / all findings.  The corpus is read
in place and never copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, REPO)

from iac_lint import scan  # noqa: E402
from iac_lint.config import Config  # noqa: E402

SECRET_RULES = ["SEC001", "SEC002", "SEC003"]
LOGGING_RULES = ["LOG001", "LOG002", "LOG003"]
FORMATS = ("cloudformation", "sam", "serverless", "terraform")


def _rows(name: str) -> list[dict[str, str]]:
    with open(os.path.join(HERE, name), encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


# --- 1. seeded secrets --------------------------------------------------------------------------------

_FUNCTION = {
    "cloudformation": ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
                       "    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n"
                       "      Role: arn:aws:iam::123456789012:role/fn\n"
                       "      Code: {{ZipFile: 'def handler(e, c): pass'}}\n"
                       "      Environment:\n        Variables:\n          {name}: {value}\n"),
    "sam": ("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n"
            "    Environment:\n      Variables:\n        {name}: {value}\nResources:\n  Fn:\n"
            "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n"
            "      Handler: app.handler\n      CodeUri: src/\n"),
    "serverless": ("service: sample\nprovider:\n  name: aws\n  runtime: python3.13\nfunctions:\n  fn:\n"
                   "    handler: app.handler\n    environment:\n      {name}: {value}\n"),
    "terraform": ('resource "aws_lambda_function" "fn" {{\n  function_name = "fn"\n  runtime = "python3.13"\n'
                  '  handler = "app.handler"\n  role = "arn:aws:iam::123456789012:role/fn"\n  filename = "fn.zip"\n'
                  '  environment {{\n    variables = {{\n      {name} = {value}\n    }}\n  }}\n}}\n'),
}
_PARAMETER = {
    "cloudformation": "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  {name}:\n    Type: String\n"
                      "    Default: {value}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
    "sam": "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nParameters:\n"
           "  {name}:\n    Type: String\n    Default: {value}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
    "terraform": 'variable "{name}" {{\n  type = string\n  default = {value}\n}}\n',
}
_PROPERTY = {
    "cloudformation": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n"
                      "    Properties:\n      Engine: postgres\n      MasterUsername: app\n"
                      "      MasterUserPassword: {value}\n",
    "sam": "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Db:\n"
           "    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      MasterUsername: app\n"
           "      MasterUserPassword: {value}\n",
    "serverless": "service: sample\nprovider:\n  name: aws\n  runtime: python3.13\nfunctions:\n  fn:\n"
                  "    handler: app.handler\nresources:\n  Resources:\n    Db:\n      Type: AWS::RDS::DBInstance\n"
                  "      Properties:\n        Engine: postgres\n        MasterUsername: app\n"
                  "        MasterUserPassword: {value}\n",
    "terraform": 'resource "aws_db_instance" "db" {{\n  engine = "postgres"\n  username = "app"\n'
                 '  password = {value}\n}}\n',
}
_FILE_NAMES = {"cloudformation": "template.yaml", "sam": "template.yaml", "serverless": "serverless.yml",
               "terraform": "main.tf"}


def seeded_cases(samples: str) -> list[tuple[str, str, dict[str, str], str]]:
    """(format, context, sample, file text) for every sample in every format and context it fits."""
    cases = []
    for sample in _rows(samples):
        value = sample["value"]
        for fmt in FORMATS:
            if fmt == "terraform" and "${" in value:
                continue  # not a string HCL can hold as written
            quoted = json.dumps(value)
            name = sample["name"].lower() if fmt == "terraform" else sample["name"]
            contexts = [("environment", _FUNCTION), ("parameter", _PARAMETER)]
            if sample["property"] == "y":
                contexts.append(("property", _PROPERTY))
            for context, templates in contexts:
                if fmt in templates:
                    cases.append((fmt, context, sample, templates[fmt].format(name=name, value=quoted)))
    return cases


def measure_seeded(samples: str, verbose: bool) -> dict[str, list[int]]:
    """format -> [true positives, false negatives, false positives]"""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    with tempfile.TemporaryDirectory() as tmp:
        for index, (fmt, context, sample, text) in enumerate(seeded_cases(samples)):
            folder = os.path.join(tmp, str(index))
            os.makedirs(folder)
            with open(os.path.join(folder, _FILE_NAMES[fmt]), "w", encoding="utf-8") as handle:
                handle.write(text)
            report = scan([folder], Config(select=SECRET_RULES))
            errors = [f for f in report.findings if f.rule_id.startswith("E")]
            if errors:
                raise SystemExit(f"sample does not parse ({fmt}, {context}, {sample['value']!r}): {errors[0].message}")
            found = any(f.rule_id in SECRET_RULES for f in report.findings)
            expected = sample["label"] == "1"
            if found and expected:
                counts[fmt][0] += 1
            elif expected:
                counts[fmt][1] += 1
            elif found:
                counts[fmt][2] += 1
            if verbose and found != expected:
                print(f"  {'missed' if expected else 'false alarm'}: {fmt} {context} {sample['name']}={sample['note']}")
    return counts


# --- 2 and 3. the corpus, labelled by hand ------------------------------------------------------------

def _format_of(report, path: str) -> str:
    formats = {t.format for t in report.templates} - {"unknown"}
    return sorted(formats)[0] if formats else "unknown"


def measure_labelled(corpus: str, rules: list[str], verbose: bool,
                     labels_file: str = "catalogue_labels.tsv") -> dict[str, list[int]]:
    labels: dict[str, dict[tuple[str, str], bool]] = defaultdict(dict)
    for row in _rows(labels_file):
        if row["rule"] in rules:
            labels[row["path"]][(row["rule"], row["resource"])] = row["label"] == "1"
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path, expected in sorted(labels.items()):
        report = scan([os.path.join(corpus, path)], Config(select=rules))
        fmt = _format_of(report, path)
        found = {(f.rule_id, f.resource) for f in report.findings if f.rule_id in rules}
        for key, positive in expected.items():
            hit = key in found
            if positive and hit:
                counts[fmt][0] += 1
            elif positive:
                counts[fmt][1] += 1
                if verbose:
                    print(f"  missed: {path} {key[0]} {key[1]}")
            elif hit:
                counts[fmt][2] += 1
                if verbose:
                    print(f"  false alarm: {path} {key[0]} {key[1]}")
        for key in sorted(found - set(expected)):
            counts[fmt][2] += 1  # a finding nobody labelled is not one we expected
            if verbose:
                print(f"  unlabelled finding (counted as a false alarm): {path} {key[0]} {key[1]}")
    return counts


def corpus_secret_findings(corpus: str) -> list[tuple[str, str, str]]:
    """Every SEC finding over the whole corpus, as (path, rule, resource)."""
    report = scan([corpus], Config(select=SECRET_RULES))
    return sorted({(os.path.relpath(f.location.file, corpus), f.rule_id, f.resource)
                   for f in report.findings if f.rule_id in SECRET_RULES})


def measure_corpus_secrets(corpus: str, verbose: bool) -> list[int]:
    labels = {(r["path"], r["rule"], r["resource"]): r["label"] == "1" for r in _rows("catalogue_labels.tsv")
              if r["rule"] in SECRET_RULES}
    found = corpus_secret_findings(corpus)
    true = sum(1 for key in found if labels.get(key) is True)
    false = len(found) - true
    missed = sum(1 for key, positive in labels.items() if positive and key not in found)
    if verbose:
        for key in found:
            print(f"  {'true' if labels.get(key) else 'FALSE'} finding: {' '.join(key)}")
    return [true, missed, false]


# --- report ---------------------------------------------------------------------------------------------

def _line(title: str, tp: int, fn: int, fp: int) -> str:
    recall = tp / (tp + fn) if tp + fn else float("nan")
    false_alarms = fp / (tp + fp) if tp + fp else 0.0
    return f"{title:<34} {tp + fn:>5} {tp:>5} {fp:>5}   recall {recall:5.2f}   false alarms {false_alarms:5.2f}"


def _table(title: str, counts: dict[str, list[int]]) -> list[str]:
    out = [f"{title:<34} {'expct':>5} {'found':>5} {'wrong':>5}"]
    total = [0, 0, 0]
    for fmt in FORMATS:
        if fmt in counts:
            out.append(_line(f"  {fmt}", *counts[fmt]))
            total = [a + b for a, b in zip(total, counts[fmt], strict=False)]
    out.append(_line("  all formats", *total))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "corpus"))
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    lines = _table("secrets, seeded samples", measure_seeded("secret_samples.tsv", args.verbose))
    lines += _table("secrets, seeded blind samples", measure_seeded("secret_samples_blind.tsv", args.verbose))
    if os.path.isdir(args.corpus):
        tp, fn, fp = measure_corpus_secrets(args.corpus, args.verbose)
        lines.append(_line("secrets, whole corpus (real)", tp, fn, fp))
        logging = measure_labelled(args.corpus, LOGGING_RULES, args.verbose)
        lines += _table("logging LOG001-003, labelled corpus", logging)
        blind = measure_labelled(args.corpus, LOGGING_RULES, args.verbose, "catalogue_labels_blind.tsv")
        lines += _table("logging, blind labelled sample", blind)
    else:
        lines.append(f"(no corpus at {args.corpus}: the corpus measurements are skipped)")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
