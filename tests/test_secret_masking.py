"""No secret value reaches any output: every report format, the text report's source lines, the editor."""

import os

import pytest

from iac_lint.api import lint_text
from iac_lint.model.secrets import mask
from iac_lint.report import FORMATS

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "secrets")
# Every secret the fixtures hold; each must be found, and none may be printed.
SECRETS = {
    "template.yaml": ["Par4m-Def4ult!xyz", "Env-Passw0rd!abc", "AKIAMASKTEST2345ABCD", "Pr0perty-Pw!def"],
    "serverless.yml": ["xoxb-7391046285-5820374619-MaskMeSlackToken9", "sk_live_MaskMeStripeKeyQzWxVbNm"],
    os.path.join("tf", "main.tf"): ["Tf-Var1able!tok3n", "ghp_MaskMeGithubTokenQwErTyUiOpAsDfGhJk"],
    # Inline function code: each credential found on its own line inside the code, a private key's body too.
    "inline-code.yaml": ["AKIAMASKCODE7QZ2XN6V", "Mk3Pq7Ws1Zx5Rv9Tb2Nm6Ly0Cd4Fg8Ja3Ue7MaSk",
                         "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDMaskMeBodyLine1",
                         "Zx8Rt2Yp6Nk0Lb3Vc7Xh1Mq4Wz8Rt2Yp6Nk0Lb3Vc7Xh1MaskMeBodyLine2Qw"],
    "inline-code.json": ["sk_live_MaskMeJsonCodeKeyQzWxVb"],
    os.path.join("tf", "code.tf"): ["npm_MaskMeArchiveCodeTokenQwErTyUiOpAs12"],
}
# Findings per file where they are fewer than the secrets: a private key block is one credential, however
# many lines of it are listed above.
FINDINGS = {"inline-code.yaml": 3}
ALL_SECRETS = [s for values in SECRETS.values() for s in values]


def _leaks(text: str) -> list[str]:
    # Any 8-character piece of a secret is a leak too (a partial mask would show one).
    return [s for s in ALL_SECRETS if any(s[i:i + 8] in text for i in range(len(s) - 7))]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_prints_a_secret(run_cli, fmt):
    code, output = run_cli("scan", FIXTURES, "--select", "secrets", "--format", fmt, "--show-suppressed")
    assert code == 1
    assert "SEC00" in output
    assert _leaks(output) == []


def test_every_secret_is_found_and_its_source_line_masked(run_cli):
    _code, output = run_cli("scan", FIXTURES, "--select", "secrets", "--format", "text")
    assert output.count("SEC00") >= sum(FINDINGS.get(name, len(values)) for name, values in SECRETS.items())
    assert "****" in output  # the source line under each finding, masked
    assert mask("AKIAMASKTEST2345ABCD") in output


def test_secrets_are_masked_in_the_other_rules_source_lines_too(run_cli):
    _code, output = run_cli("scan", FIXTURES, "--format", "text")
    assert _leaks(output) == []


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_editor_diagnostics_never_hold_a_secret(name):
    path = os.path.join(FIXTURES, name)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    findings = lint_text(path, text)
    secret_findings = [f for f in findings if f.rule_id.startswith("SEC")]
    assert len(secret_findings) >= FINDINGS.get(name, len(SECRETS[name]))
    assert _leaks(" ".join(f.message for f in findings)) == []
    assert all(f.redactions for f in secret_findings)


def test_inline_code_secrets_are_located_on_their_own_line():
    path = os.path.join(FIXTURES, "inline-code.yaml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    found = sorted((f.location.line, f.location.column, f.location.end_line) for f in lint_text(path, text)
                   if f.rule_id == "SEC002")
    # The key id, the secret key beside it, and the private key block from its BEGIN line to its END line.
    assert found == [(11, 19, 11), (12, 19, 12), (13, 18, 16)]
