"""What a credential looks like: fixed-prefix key formats, secret-like names, and the masked form.

Three tests, in the order rules apply them:

- ``credential_format(value)``: a value in a provider's documented key format
  (an AWS access key id, a GitHub token, a PEM private key ...) is a credential
  whatever it is called;
- ``is_secret_name(name)``: a name that says it holds a secret (``DB_PASSWORD``,
  ``clientSecret``, ``api-key``) and not something about one (``SECRET_ARN``,
  ``PasswordLength``);
- ``looks_like_secret(value)``: a literal under such a name that could be the
  secret itself (long enough, mixed characters or high entropy) rather than a
  placeholder, a reference, a name, a path or an ARN.

``mask(value)`` is the only form of a secret any output may contain.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from iac_lint.model.core import Location

# Provider key formats with a fixed prefix (each provider's documentation describes its own), each with the
# text every match contains: most values hold none of it, and testing for it is much cheaper than a search.
CREDENTIAL_FORMATS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("an AWS access key id", ("AKIA", "ASIA", "ABIA", "ACCA"),
     re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("a private key", ("PRIVATE KEY",), re.compile(r"-----BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY(?: BLOCK)?-----")),
    ("a GitHub token", ("gh", "github_pat_"),
     re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b")),
    ("a GitLab token", ("glpat-",), re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b")),
    ("a Slack token", ("xox",), re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Slack webhook URL", ("hooks.slack.com",),
     re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}")),
    ("a Stripe secret key", ("k_live_", "k_test_"), re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b")),
    ("a Google API key", ("AIza",), re.compile(r"\bAIza[A-Za-z0-9_-]{35}\b")),
    ("a SendGrid API key", ("SG.",), re.compile(r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b")),
    ("an npm token", ("npm_",), re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("an OpenAI API key", ("T3BlbkFJ",), re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b")),
    ("an Anthropic API key", ("sk-ant-",), re.compile(r"\bsk-ant-[A-Za-z0-9_-]{30,}\b")),
    ("a Twilio API key", ("SK",), re.compile(r"\bSK[0-9a-f]{32}\b")),
    ("a Mailgun API key", ("key-",), re.compile(r"\bkey-[0-9a-f]{32}\b")),
    ("a credential in a URL", ("://",),
     re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:(?P<secret>[^\s@/{}$]{6,})@[^\s]+")),
)

# Words that make a name secret-named.  Multi-word secrets are matched on the joined words.
_SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "secret", "secrets", "token", "apikey", "credential",
    "credentials", "privatekey", "secretkey", "accesskey", "authkey", "signingkey", "encryptionkey", "clientsecret",
    "masterkey", "sessionkey", "webhooksecret", "licensekey", "connectionstring", "dbpass", "pass",
})
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("secret", "key"), ("access", "key"),
                           ("auth", "key"), ("signing", "key"), ("encryption", "key"), ("client", "secret"),
                           ("master", "key"), ("session", "key"), ("license", "key"), ("connection", "string"),
                           ("db", "pass"), ("app", "key"), ("consumer", "key"), ("hmac", "key"), ("jwt", "key")})
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass"})
# A last word that names something *about* a secret, not the secret: SECRET_ARN, PasswordLength, TOKEN_TTL.
_ABOUT_WORDS = frozenset({
    "arn", "arns", "name", "names", "id", "ids", "path", "param", "parameter", "parameters", "table", "bucket",
    "queue", "topic", "region", "ttl", "expiry", "expiration", "expires", "length", "header", "field", "type",
    "enabled", "enable", "file", "policy", "rotation", "version", "location", "endpoint", "uri", "url", "prefix",
    "suffix", "format", "mode", "source", "store", "ref", "reference", "manager", "generator", "template",
    "seconds", "minutes", "hours", "days", "duration", "min", "max", "required", "requirements", "reset",
    "characters", "pattern", "validity", "units", "config", "configuration",
    "lambda", "function", "role", "user", "username", "usage", "audience", "issuer", "count", "age", "hash",
    "algorithm", "kms", "selector", "method", "scope", "scopes", "keys", "storage", "env", "var", "variable",
    "exclude", "include", "punctuation", "uppercase", "lowercase", "numbers", "space",
})
_ABOUT_FIRST_WORDS = frozenset({"no", "require", "requires", "manage", "generate", "exclude", "kms", "rotate",
                                "include", "min", "max", "enable", "disable", "is", "use", "allow"})
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Values that stand for a secret to be filled in, not a secret.
_PLACEHOLDER = re.compile(
    r"(?i)^(?:change[-_ ]?me|changeit|replace[-_ ]?me|replace|todo|tbd|fixme|dummy|example|sample|placeholder|"
    r"secret|password|passwd|token|none|null|nil|undefined|empty|default|test|testing|foo|bar|foobar|"
    r"your[-_ ].*|my[-_ ].*|insert[-_ ].*|enter[-_ ].*|put[-_ ].*|add[-_ ].*|set[-_ ].*|fill[-_ ].*|"
    r"x+|\*+|\.+|-+|_+|#+|0+|1234(?:5678?)?9?0?|abc(?:d(?:ef?)?)?123|password\d*|secret\d*|admin\d*)$")
_PLACEHOLDER_PART = re.compile(
    r"(?i)(?:<[^>]*>|\[[^\]]*\]|\bexample\b|EXAMPLE|xxxx|\*\*\*|change[-_]?me|replace[-_]?me|your[-_]|placeholder|"
    r"dummy|redacted|not[-_]?a[-_]?real|fake[-_]|\.\.\.)")
# References and variables: the value is fetched at deploy or run time, not written here.
_REFERENCE = re.compile(r"\$\{|\{\{resolve:|\{\{|\$\(|%\{|#\{|^\$[A-Za-z_]|^\$\$?\.|^arn:|^alias/|^ssm:|"
                        r"^secretsmanager:")
_NAME_LIKE = re.compile(r"^[a-z][a-z0-9]*(?:[._/-][a-z0-9]+)*$|^[A-Z][A-Z0-9]*(?:[._-][A-Z0-9]+)*$")


# Whether a value holds any format's hint, in one pass over it: the test nearly every value fails.
_ANY_HINT = re.compile("|".join(re.escape(hint) for _, hints, _ in CREDENTIAL_FORMATS for hint in hints))


def _hinted(formats: Iterable[tuple[str, tuple[str, ...], re.Pattern[str]]],
            text: str) -> Iterator[tuple[str, re.Pattern[str]]]:
    """The formats, in order, that could match ``text``: those whose hint it contains."""
    for description, hints, pattern in formats:
        if any(hint in text for hint in hints):
            yield description, pattern


def credential_format(value: str) -> str | None:
    """What provider key format ``value`` contains (``"a GitHub token"``), or None."""
    if len(value) < 16 or not _ANY_HINT.search(value):
        return None
    for description, pattern in _hinted(CREDENTIAL_FORMATS, value):
        match = pattern.search(value)
        # Only the credential itself is judged: "cluster0.example.net" around a real password is not a placeholder.
        secret = match.groupdict().get("secret") or match.group(0) if match else ""
        if match and not is_placeholder(secret) and not _PLACEHOLDER_PART.search(secret):
            return description
    return None


# Inside code only formats that are credentials whatever surrounds them: not a password in a URL (code builds
# those from variables), never a literal judged by its entropy or its variable's name.
_CODE_FORMATS = tuple(fmt for fmt in CREDENTIAL_FORMATS if fmt[0] != "a credential in a URL")
# An AWS secret access key: 40 characters of base64, recognised only within a few lines of a key id.
_AWS_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_SECRET_KEY_LINES = 3
_PRIVATE_KEY_END = re.compile(r"-----END (?:[A-Z0-9]+ )?PRIVATE KEY(?: BLOCK)?-----")


def credentials_in_code(code: str) -> list[tuple[str, int, int]]:
    """The credentials written in inline code, as (kind, start, end) offsets into ``code``.

    Fixed-prefix key formats (an AWS access key id, a GitHub or Stripe token ...), a private key block (its
    whole extent, to its ``END`` line), and an AWS secret access key written within a few lines of an access
    key id.  Nothing is judged by entropy or by a variable's name: code is full of random-looking literals.
    """
    found: list[tuple[str, int, int]] = []
    for description, pattern in _hinted(_CODE_FORMATS, code):
        for match in pattern.finditer(code):
            text = match.group(0)
            if is_placeholder(text) or _PLACEHOLDER_PART.search(text):
                continue
            end = match.end()
            if description == "a private key":
                closing = _PRIVATE_KEY_END.search(code, end)
                end = closing.end() if closing else end
            found.append((description, match.start(), end))
    key_lines = {code.count("\n", 0, start) for kind, start, _ in found if kind == "an AWS access key id"}
    for match in _AWS_SECRET_KEY.finditer(code):
        line = code.count("\n", 0, match.start())
        text = match.group(0)
        if any(abs(line - k) <= _SECRET_KEY_LINES for k in key_lines) and _character_classes(text) >= 3 \
                and not _PLACEHOLDER_PART.search(text) and not any(s <= match.start() < e for _, s, e in found):
            found.append(("an AWS secret access key", match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


# Names repeat across a scan (every function has its ``Environment``, every database its ``MasterUsername``):
# the verdicts on a name are kept, keyed by its plain text.
@functools.lru_cache(maxsize=16384)
def _words(name: str) -> tuple[str, ...]:
    """``DB_PASSWORD`` -> (db, password); ``clientSecret`` -> (client, secret)."""
    return tuple(w.lower() for part in _NON_ALNUM.split(name) for w in _CAMEL.findall(part))


def is_password_name(name: str) -> bool:
    """A secret-like name that says *password*: its value is a password whatever it looks like."""
    return is_secret_name(name) and not _PASSWORD_WORDS.isdisjoint(_words(str(name)))


def is_secret_name(name: str) -> bool:
    """Whether ``name`` says it holds a secret itself (not its ARN, length or rotation)."""
    return _is_secret_name(str(name))


@functools.lru_cache(maxsize=16384)
def _is_secret_name(name: str) -> bool:
    words = _words(name)
    if not words or words[-1] in _ABOUT_WORDS or words[0] in _ABOUT_FIRST_WORDS:
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    if any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words)):
        return True
    return "".join(words) in _SECRET_WORDS


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def is_placeholder(value: str) -> bool:
    text = value.strip().strip("'\"")
    return bool(_PLACEHOLDER.match(text) or _PLACEHOLDER_PART.search(text)) or len(set(text)) <= 2


def is_reference(value: str) -> bool:
    """A variable, a dynamic reference, an ARN: the secret itself is elsewhere."""
    return bool(_REFERENCE.search(value.strip()))


def _character_classes(value: str) -> int:
    return sum(bool(re.search(pattern, value)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))


def looks_like_secret(value: str) -> bool:
    """Whether a literal under a secret-like name could be the secret itself.

    Eight characters at least (the shortest password most services accept); not a placeholder, a reference,
    a path, a URL without credentials, prose or a plain name; then mixed characters or high entropy.
    """
    text = value.strip()
    if len(text) < 8 or len(text) > 8192 or is_placeholder(text) or is_reference(text):
        return False
    if credential_format(text):
        return True
    if text.startswith(("/", "./", "../", "~/")) or re.match(r"^[a-z][a-z0-9+.-]*://", text):
        return False
    if text.startswith(("{", "[")):
        return _json_holds_secret(text)
    if " " in text or text.lower() in ("true", "false") or re.fullmatch(r"[\d.,:-]+", text):
        return False
    if _NAME_LIKE.match(text) and not re.search(r"\d", text):
        return False  # orders-table, ACTIVEMQ_SECRET_ARN: a name, or a name standing in for a value
    return _character_classes(text) >= 3 or entropy(text) >= 3.5 or (
        _character_classes(text) == 2 and len(text) >= 12 and entropy(text) >= 3.0)


def _json_holds_secret(text: str) -> bool:
    """A JSON document (a ``SecretString``) with a secret-named member holding a secret-like literal."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                if isinstance(item, str) and is_secret_name(str(key)) and looks_like_secret(item):
                    return True
                stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)
    return False


def secret_kind(name: str, value: str) -> str | None:
    """Why a literal ``value`` under ``name`` is a credential (``"an AWS access key id"``), or None."""
    found = credential_format(value)
    if found:
        return found
    if not is_secret_name(name):  # the test nearly every name fails, made once
        return None
    if looks_like_secret(value):
        return "a literal secret"
    if is_password_name(name) and looks_like_password(value):
        return "a literal password"
    return None


def looks_like_password(value: str) -> bool:
    """Under a password name, any literal that is not a placeholder, a reference, a path or a number.

    Passwords need not look random (``correcthorsebatterystaple``), and a password-named variable rarely holds
    a name, so the character tests of ``looks_like_secret`` would miss them.
    """
    text = value.strip()
    return 8 <= len(text) <= 1024 and not is_placeholder(text) and not is_reference(text) and " " not in text \
        and not text.startswith(("/", "./", "~/")) and not re.match(r"^[a-z][a-z0-9+.-]*://", text) \
        and not re.fullmatch(r"[\d.,:-]+", text) and text.lower() not in ("true", "false")


def mask(value: str) -> str:
    """The only form of a secret that output may show: its first characters and its length.

    Four characters of a long value name its kind (``AKIA``, ``ghp_``, ``sk_l``) without weakening it; a short
    one shows none.
    """
    shown = value[:4] if len(value) >= 16 else ""
    return f"{shown}{'*' * 4}({len(value)} chars)"


def redact_lines(lines: list[str], spans: list[Location]) -> list[str]:
    """``lines`` (1-based by ``Location.line``) with every character inside ``spans`` replaced by ``*``.

    A span without an end column runs to the end of its line; idempotent, so any view may apply it again.
    """
    out = list(lines)
    for span in spans:
        last = span.end_line or span.line
        for number in range(span.line, min(last, len(out)) + 1):
            if number < 1:
                continue
            text = out[number - 1]
            start = span.column - 1 if number == span.line else 0
            end = (span.end_column - 1) if number == last and span.end_column else len(text)
            start, end = max(0, start), min(len(text), end)
            if end > start:
                out[number - 1] = text[:start] + "*" * (end - start) + text[end:]
    return out
