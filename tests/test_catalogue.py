"""The catalogue's machinery: opt-in rules, rule options, the secret tests, the runtime schedule, URL exposure."""

import os
from datetime import date

import pytest

from iac_lint.api import scan
from iac_lint.config import Config
from iac_lint.model import Location, LStr, locate_within
from iac_lint.model.lambda_runtimes import runtime_lifecycle, runtime_schedule
from iac_lint.model.secrets import (
    CREDENTIAL_FORMATS,
    credential_format,
    credentials_in_code,
    is_secret_name,
    looks_like_secret,
    mask,
    secret_kind,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICIES = os.path.join(REPO, "policies")


def test_rules_list_says_default_or_opt_in(run_cli):
    code, out = run_cli("rules", "list")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines() if line[:3] in ("LOG", "SEC", "RUN")}
    assert " default " in rows["LOG001"] and " opt-in " in rows["LOG004"]


def test_rule_options_are_validated(tmp_path, run_cli):
    (tmp_path / "t.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    (tmp_path / ".iac-lint.yaml").write_text("rule_options: {RUN002: {window: 30}}\n")
    assert run_cli("scan", str(tmp_path), "--select", "RUN")[0] == 2
    (tmp_path / ".iac-lint.yaml").write_text("rule_options: {RUN002: {window_days: soon}}\n")
    assert run_cli("scan", str(tmp_path), "--select", "RUN")[0] == 2
    (tmp_path / ".iac-lint.yaml").write_text("rule_options: {RUN002: {window_days: 30}}\n")
    assert run_cli("scan", str(tmp_path), "--select", "RUN")[0] == 0


def test_runtime_window_is_an_option(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.13\n"
        "      Handler: a.b\n      Role: arn:aws:iam::123456789012:role/r\n      Code: {ZipFile: x}\n")
    far = Config(select=["RUN002"], rule_options={"RUN002": {"as_of": "2029-03-01"}})
    near = Config(select=["RUN002"], rule_options={"RUN002": {"as_of": "2029-03-01", "window_days": 30}})
    (finding,) = scan([str(tmp_path)], far).findings
    assert "deprecated on 2029-06-30 (in 121 days)" in finding.message
    assert scan([str(tmp_path)], near).findings == []
    gone = Config(select=["RUN001"], rule_options={"RUN001": {"as_of": "2029-08-31"}})
    (finding,) = scan([str(tmp_path)], gone).findings
    assert "deprecated (no security patches) since 2029-06-30" in finding.message
    assert "updates blocked since 2029-08-31" in finding.message and "move to python3.14" in finding.message


def test_runtime_schedule_is_consistent():
    schedule = runtime_schedule()
    assert len(schedule) > 40
    for life in schedule.values():
        assert life.successor is None or life.successor in schedule, life.identifier
        if life.deprecation.year >= 2023:  # AWS's older rows predate the three-step schedule
            assert life.deprecation <= life.block_create <= life.block_update, life.identifier
    assert runtime_lifecycle("Python3.9").deprecation == date(2025, 12, 15)
    assert runtime_lifecycle("python9.9") is None


@pytest.mark.parametrize("name, expected", [
    ("DB_PASSWORD", True), ("clientSecret", True), ("api-key", True), ("GITHUB_TOKEN", True),
    ("SECRET_ARN", False), ("PasswordLength", False), ("TOKEN_TTL", False), ("GenerateSecretString", False),
    ("ManageMasterUserPassword", False), ("KEY", False), ("BUCKET_KEY", False),
])
def test_secret_names(name, expected):
    assert is_secret_name(name) is expected


@pytest.mark.parametrize("value, expected", [
    ("Tr0ub4dor&3-horse", True), ("changeme", False), ("<your-key>", False), ("xxxxxxxxxxxx", False),
    ("{{resolve:secretsmanager:db}}", False), ("${ssm:/db/password}", False), ("orders-table", False),
    ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db", False), ("/prod/db/password", False),
])
def test_secret_values(value, expected):
    assert looks_like_secret(value) is expected


def test_credential_formats_and_placeholders_of_their_shape():
    assert credential_format("AKIAQ7TESTW3KZ5N4RLM") == "an AWS access key id"
    assert credential_format("AKIAIOSFODNN7EXAMPLE") is None
    assert credential_format("postgres://app:S3cr3t-pw@db.example.com/orders") == "a credential in a URL"
    assert secret_kind("DB_PASSWORD", "correcthorsebatterystaple") == "a literal password"
    assert secret_kind("DB_PASSWORD_PARAM", "/prod/db/password") is None


# One value of each provider format, made up here (pieces joined so that no scanner mistakes this file for a leak).
_FORMAT_SAMPLES = {
    "an AWS access key id": "ASIA" + "Q7TESTW3KZ5N4RLM",
    "a private key": "-----BEGIN EC " + "PRIVATE KEY-----",
    "a GitHub token": "ghs_" + "Zq8" * 12,
    "a GitLab token": "glpat-" + "Zq8wV3nR7tY2mK9pL4xB",
    "a Slack token": "xoxb-" + "1234567890-ZqwVnRtYmK",
    "a Slack webhook URL": "https://hooks.slack.com/services/T0ABCDE/B0FGHIJ/" + "Zq8wV3nR7tY2mK9p",
    "a Stripe secret key": "rk_test_" + "Zq8wV3nR7tY2mK9pL4xB",
    "a Google API key": "AIza" + "Zq8wV3nR7tY2mK9pL4xB_Zq8wV3nR7tY2mK",
    "a SendGrid API key": "SG." + "Zq8wV3nR7tY2mK9pL4xB_q" + "." + ("Zq8wV3nR7tY2mK9pL4xB_q" * 2)[:43],
    "an npm token": "npm_" + "Zq8" * 12,
    "an OpenAI API key": "sk-proj-" + "Zq8wV3nR7tY2mK9pL4xB" + "T3BlbkFJ" + "Zq8wV3nR7tY2mK9pL4xB",
    "an Anthropic API key": "sk-ant-" + "Zq8wV3nR7tY2mK9pL4xB_Zq8wV3nR7tY2",
    "a Twilio API key": "SK" + "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "a Mailgun API key": "key-" + "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "a credential in a URL": "amqps://" + "broker:Zq8wV3nR7t@mq.internal:5671",
}


# The other prefixes a format allows, each needing its own hint.
_MORE_SAMPLES = [
    ("an AWS access key id", "ABIA" + "Q7TESTW3KZ5N4RLM"),
    ("an AWS access key id", "ACCA" + "Q7TESTW3KZ5N4RLM"),
    ("an AWS access key id", "AKIA" + "Q7TESTW3KZ5N4RLM"),
    ("a GitHub token", "github_pat_" + "Zq8wV3nR7tY2mK9pL4xB" * 3),
    ("a Stripe secret key", "sk_live_" + "Zq8wV3nR7tY2mK9pL4xB"),
]


def test_every_credential_format_is_recognised():
    """Each format passes the cheap test of its hints before its pattern is tried."""
    assert set(_FORMAT_SAMPLES) == {description for description, _, _ in CREDENTIAL_FORMATS}
    for description, sample in [*_FORMAT_SAMPLES.items(), *_MORE_SAMPLES]:
        assert credential_format(sample) == description, sample
        assert credential_format(f"prefix {sample} suffix") == description, sample


def test_mask_shows_a_prefix_only_of_long_values():
    assert mask("AKIAQ7TESTW3KZ5N4RLM") == "AKIA****(20 chars)"
    assert mask("hunter2-pass") == "****(12 chars)"


def test_function_url_exposure_messages():
    report = scan([os.path.join(POLICIES, "public-access", "PUB005")], Config(select=["PUB005"]))
    messages = {f.resource: f.message for f in report.findings}
    assert messages["Open"].endswith("anyone can invoke it")
    assert "public if its resource policy allows" in messages["Half"]
    assert "does not grant lambda:InvokeFunction to everyone" in messages["Half"]
    assert messages["Webhook"].endswith("anyone can invoke it")  # SAM writes both grants itself


def test_credentials_in_code_are_fixed_formats_only():
    code = "\n".join([
        "KEY = 'AKIAQ7FAKEW3KZ5N4RLM'",
        "SECRET = 'Q7fAkEsEcReTkEy/2K9mZp4Xv8RtWq3Ny6Lb0Hd5'",
        "password = 'Tr0ub4dor&3-horse-battery'",  # a secret-named literal: not judged in code
        "DIGEST = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b'",  # 40 characters, but one class
        "DOC = 'AKIAIOSFODNN7EXAMPLE'",  # the documentation's example key
        "URL = 'postgres://app:' + pw + '@db'",
    ])
    kinds = [(kind, code[start:end]) for kind, start, end in credentials_in_code(code)]
    assert kinds == [("an AWS access key id", "AKIAQ7FAKEW3KZ5N4RLM"),
                     ("an AWS secret access key", "Q7fAkEsEcReTkEy/2K9mZp4Xv8RtWq3Ny6Lb0Hd5")]
    far = "SECRET = 'Q7fAkEsEcReTkEy/2K9mZp4Xv8RtWq3Ny6Lb0Hd5'" + "\n" * 10 + "KEY = 'AKIAQ7FAKEW3KZ5N4RLM'"
    assert [kind for kind, _, _ in credentials_in_code(far)] == ["an AWS access key id"]


def test_locate_within_a_block_scalar():
    value = LStr("import os\nKEY = 'AKIAQ7FAKEW3KZ5N4RLM'\n", Location("t.yaml", 10, 18, 13, 1))
    value.raw = "|\n          import os\n          KEY = 'AKIAQ7FAKEW3KZ5N4RLM'\n"
    assert locate_within(value, "AKIAQ7FAKEW3KZ5N4RLM") == Location("t.yaml", 12, 18, 12, 38)
    assert locate_within(value, "absent") is None
    assert locate_within(LStr("no raw text kept", None), "raw") is None
