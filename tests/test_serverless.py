"""The Serverless Framework parser: variables, the generated resources, locations, and the corpus."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest
from conftest import REPO, corpus_files, needs_corpus

from iac_lint import lint_text, scan
from iac_lint.config import Config
from iac_lint.discover import discover
from iac_lint.link import link_template
from iac_lint.model import (
    Api,
    Bucket,
    Function,
    Role,
    Route,
    Stage,
    Topic,
    Unknown,
    UsagePlan,
)
from iac_lint.model.apigateway import route_authorizer
from iac_lint.parsers import ParseOptions, parse_document, parse_unit

FIXTURES = os.path.join(REPO, "tests", "fixtures", "serverless")


def parse(text: str, tmp_path=None, name: str = "serverless.yml", **options):
    """Parse a service file's text; written to ``tmp_path`` when includes must be found beside it."""
    text = textwrap.dedent(text)
    if tmp_path is not None:
        path = str(tmp_path / name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        options.setdefault("roots", [str(tmp_path)])
    else:
        path = name
    tpl = parse_document(path, text, ParseOptions(**options))
    assert tpl is not None and tpl.format == "serverless"
    return link_template(tpl)


def one(tpl, cls, ident=None):
    found = [e for e in tpl.of(cls) if ident is None or e.id == ident]
    assert len(found) == 1, [e.id for e in tpl.of(cls)]
    return found[0]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle`` in dedented ``text``."""
    hits = [i for i, line in enumerate(textwrap.dedent(text).splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def rules(*ids: str):
    cfg = Config(profile="strict")  # the rules named, opt-in ones too
    from iac_lint.api import active_rules
    return [r for r in active_rules(cfg) if r.id in ids]


# --- variables ------------------------------------------------------------------------

VARS = """\
    service: shop
    params:
      default:
        tableSuffix: main
      prod:
        tableSuffix: live
    custom:
      stage: ${opt:stage, 'dev'}
      names:
        dev: shop-dev
      table: ${self:custom.names.${self:custom.stage}, 'fallback-table'}
      region: ${opt:region, self:provider.region}
    provider:
      name: aws
      region: eu-west-1
      runtime: ${self:custom.runtimes.${sls:stage}, 'python3.12'}
      environment:
        TABLE: ${self:custom.table}
        SUFFIX: ${param:tableSuffix}
        REGION: ${self:custom.region}
        FROM_ENV: ${env:SHOP_SECRET}
        FROM_ENV_FALLBACK: ${env:SHOP_MODE, 'safe'}
        FROM_SSM: ${ssm:/shop/key}
        FROM_CF: ${cf:other-stack.Output}
        FROM_AWS: ${aws:accountId}
        FROM_S3: ${s3:bucket/key}
        BOOL: ${strToBool(true)}
        CFN_SUB: arn:aws:s3:::${AWS::Region}-${Bucket}
        PARTIAL: arn:aws:s3:::${env:BUCKET}/*
        STAGE: ${sls:stage}
    functions:
      api:
        handler: api.handler
"""


def env_of(tpl):
    return one(tpl, Function).environment


def test_self_nested_fallback_and_stage_defaults():
    env = env_of(parse(VARS))
    assert env["TABLE"] == "shop-dev"
    assert env["REGION"] == "eu-west-1"  # a fallback that is itself a variable
    assert env["STAGE"] == "dev"
    assert env["SUFFIX"] == "main"  # params.default when the stage has no block
    assert env["BOOL"] is True
    assert one(parse(VARS), Function).runtime == "python3.12"


def test_stage_and_params_chosen_by_the_user():
    env = env_of(parse(VARS, stage="prod", params={"other": "x"}))
    assert env["STAGE"] == "prod"
    assert env["TABLE"] == "fallback-table"  # custom.names has no prod entry
    assert env["SUFFIX"] == "live"  # params.prod
    env = env_of(parse(VARS, stage="prod", params={"tableSuffix": "cli"}))
    assert env["SUFFIX"] == "cli"  # --param wins over the file's params


def test_deploy_time_sources_stay_unknown_unless_a_fallback_is_given():
    env = env_of(parse(VARS))
    for key in ("FROM_ENV", "FROM_SSM", "FROM_CF", "FROM_AWS", "FROM_S3", "PARTIAL"):
        assert isinstance(env[key], Unknown), key
    assert env["FROM_ENV"].expr == "${env:SHOP_SECRET}"
    assert env["FROM_ENV_FALLBACK"] == "safe"


def test_cloudformation_substitutions_are_not_serverless_variables():
    assert env_of(parse(VARS))["CFN_SUB"] == "arn:aws:s3:::${AWS::Region}-${Bucket}"


def test_unresolved_self_reference_is_unknown_not_an_error():
    tpl = parse("""\
        service: s
        provider: {name: aws, environment: {X: "${self:custom.missing}"}}
        functions: {f: {handler: h}}
    """)
    assert isinstance(env_of(tpl)["X"], Unknown)
    assert tpl.problems == []


def test_cycle_is_an_error_finding_and_never_hangs():
    text = """\
        service: s
        custom:
          a: ${self:custom.b}
          b: prefix-${self:custom.a}
          whole: ${self:custom}
        provider:
          name: aws
          environment:
            A: ${self:custom.a}
        functions:
          f: {handler: h}
    """
    started = time.monotonic()
    tpl = parse(text)
    assert time.monotonic() - started < 2
    assert isinstance(env_of(tpl)["A"], Unknown)
    cycles = [p for p in tpl.problems if p.rule_id == "E003"]
    assert {p.location.line for p in cycles} >= {line_of(text, "a: ${self:custom.b}")}
    assert all(p.severity == "high" and "cycle" in p.message for p in cycles)


def test_depth_limit_stops_long_chains_with_an_error_finding():
    lines = ["service: s", "custom:"] + [f"  v{i}: ${{self:custom.v{i + 1}}}" for i in range(60)] + [
        "  v60: end", "provider: {name: aws, environment: {X: '${self:custom.v0}'}}", "functions: {f: {handler: h}}"]
    tpl = parse_document("serverless.yml", "\n".join(lines) + "\n", ParseOptions())
    assert isinstance(env_of(tpl)["X"], Unknown)
    assert any(p.rule_id == "E003" and "deeper" in p.message for p in tpl.problems)


def test_doubling_references_are_bounded():
    lines = ["service: s", "custom:", "  v0: [a, b, c, d, e, f, g, h]"]
    lines += [f"  v{i}: ['${{self:custom.v{i - 1}}}', '${{self:custom.v{i - 1}}}', '${{self:custom.v{i - 1}}}']"
              for i in range(1, 40)]
    lines += ["  s0: xxxxxxxxxx"]
    lines += [f"  s{i}: '${{self:custom.s{i - 1}}}${{self:custom.s{i - 1}}}'" for i in range(1, 40)]
    lines += ["provider: {name: aws}", "functions: {f: {handler: h}}"]
    started = time.monotonic()
    tpl = parse_document("serverless.yml", "\n".join(lines) + "\n", ParseOptions())
    assert time.monotonic() - started < 5
    assert any(p.rule_id == "E003" for p in tpl.problems)


# --- file includes ---------------------------------------------------------------------


def test_file_include_locations_point_into_the_included_file(tmp_path):
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam" / "statements.yml").write_text(textwrap.dedent("""\
        admin:
          - Effect: Allow
            Action:
              - s3:GetObject
              - "*"
            Resource: "*"
    """))
    (tmp_path / "env.json").write_text('{"dev": {"LEVEL": "debug"}, "prod": {"LEVEL": "warn"}}')
    tpl = parse("""\
        service: s
        provider:
          name: aws
          iamRoleStatements: ${file(./iam/statements.yml):admin}
          environment: ${file(./env.json):${sls:stage}}
        functions:
          f: {handler: h}
    """, tmp_path, stage="prod")
    role = one(tpl, Role)
    where = role.effective_statements[0].where("actions.1")
    assert where.file.endswith(os.path.join("iam", "statements.yml")) and where.line == 5
    assert env_of(tpl) == {"LEVEL": "warn"}
    assert any(path.endswith("statements.yml") for path in tpl.sources)  # shown and suppressible
    assert tpl.problems == []


def test_include_outside_the_scanned_root_is_refused_and_never_read(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    secret = tmp_path / "secret.yml"
    secret.write_text("token: do-not-read\n")
    (root / "link.yml").symlink_to(secret)
    opened = []
    real_open = open

    def spy(path, *args, **kwargs):
        opened.append(os.path.realpath(str(path)))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    tpl = parse(f"""\
        service: s
        provider:
          name: aws
          environment:
            UP: ${{file(../secret.yml):token}}
            ABSOLUTE: ${{file({secret}):token}}
            LINKED: ${{file(./link.yml):token}}
        functions:
          f: {{handler: h}}
    """, root)
    env = env_of(tpl)
    assert all(isinstance(env[k], Unknown) for k in ("UP", "ABSOLUTE", "LINKED"))
    escapes = [p for p in tpl.problems if p.rule_id == "E002"]
    assert sorted(p.location.line for p in escapes) == [5, 6, 7]
    assert all(p.severity == "high" and "outside" in p.message for p in escapes)
    assert str(secret.resolve()) not in opened


def test_missing_include_takes_the_fallback_and_code_is_never_run(tmp_path):
    (tmp_path / "config.js").write_text("module.exports = {value: 'x'}")
    tpl = parse("""\
        service: s
        provider:
          name: aws
          environment:
            A: ${file(./nope.yml):x, 'default'}
            B: ${file(./nope.yml):x}
            CODE: ${file(./config.js):value}
        functions:
          f: {handler: h}
    """, tmp_path)
    env = env_of(tpl)
    assert env["A"] == "default" and isinstance(env["B"], Unknown) and isinstance(env["CODE"], Unknown)


def test_broken_included_file_is_a_located_parse_error(tmp_path):
    (tmp_path / "bad.yml").write_text("a: [unclosed\n")
    tpl = parse("""\
        service: s
        provider:
          name: aws
          environment: ${file(./bad.yml)}
        functions:
          f: {handler: h}
    """, tmp_path)
    errors = [p for p in tpl.problems if p.rule_id == "E001"]
    assert errors and errors[0].location.file.endswith("bad.yml")


def test_resources_and_functions_from_includes_keep_their_locations():
    path = os.path.join(FIXTURES, "includes", "serverless.yml")
    tpl = parse_document(path, Path(path).read_text(encoding="utf-8"), ParseOptions(stage="prod"))
    thumbs = one(tpl, Function, "thumbs")
    assert thumbs.loc.file.endswith(os.path.join("config", "functions.yml")) and thumbs.loc.line == 1
    assert thumbs.environment == {"LOG_LEVEL": "warn"}
    uploads = one(tpl, Bucket, "Uploads")  # existing: true links to the bucket defined in resources
    assert uploads.loc.file.endswith("storage.yml")
    assert next(r for r in tpl.resources if r.id == "Uploads").file.endswith("storage.yml")
    assert thumbs.triggers[0].kind == "s3" and thumbs.triggers[0].source == "Uploads"
    # provider.iam.role names a role in resources: that Role entity, with its own statements
    role = thumbs.role
    assert role.id == "MediaRole" and role.resource.type == "AWS::IAM::Role"
    assert role.effective_statements[0].actions == ["s3:*"]
    resize = one(tpl, Function, "resize")
    assert resize.role.external and resize.role.id == "arn:aws:iam::123456789012:role/resizer"
    # ThumbsLogGroup in resources has no Type: it extends the generated log group
    group = thumbs.log_group
    assert group.retention_days == 14 and group.kms_key.startswith("arn:aws:kms")
    assert tpl.problems == []


# --- provider and roles -----------------------------------------------------------------

BASIC = os.path.join(FIXTURES, "basic", "serverless.yml")


@pytest.fixture(scope="module")
def basic():
    with open(BASIC, encoding="utf-8") as handle:
        text = handle.read()
    return link_template(parse_document(BASIC, text, ParseOptions())), text


def test_shared_role_reads_every_statement_form_at_exact_lines(basic):
    tpl, text = basic
    role = one(tpl, Role)
    assert role.id == "IamRoleLambdaExecution" and role.format == "serverless"
    assert role.loc.line == line_of(text, "iamRoleStatements:")  # the first IAM block written
    actions = {a: stmt.where(f"actions.{i}").line
               for stmt in role.effective_statements for i, a in enumerate(stmt.actions)}
    assert actions == {"dynamodb:GetItem": line_of(text, "dynamodb:GetItem"), "*": line_of(text, '- "*"'),
                       "s3:*": line_of(text, '"s3:*"')}
    assert [m.arn for m in role.managed_policies] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert role.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"
    assert role.effective_statements[1].resources == ["arn:aws:s3:::orders-dev/*"]


def test_functions_without_a_role_share_the_same_role_object(basic):
    tpl, _ = basic
    functions = list(tpl.of(Function))
    assert len(functions) == 3
    assert all(fn.role is functions[0].role for fn in functions)
    assert sorted(fn.id for fn in functions[0].role.functions) == ["list", "secured", "upload"]


def test_function_settings_and_environment_merge(basic):
    tpl, text = basic
    listing, upload = one(tpl, Function, "list"), one(tpl, Function, "upload")
    assert listing.loc.line == line_of(text, "  list:") and listing.format == "serverless"
    assert listing.resource.type == "serverless:function"
    assert listing.runtime == "python3.12" and upload.runtime == "nodejs14.x"
    assert upload.where("runtime").line == line_of(text, "runtime: nodejs14.x")
    assert listing.where("runtime").line == line_of(text, "runtime: python3.12")
    assert listing.reserved_concurrency == 5 and upload.reserved_concurrency is None
    assert listing.tracing == "Active"
    assert listing.environment == {"TABLE": "orders-dev", "SHARED": "function-value"}
    assert listing.where("environment.SHARED").line == line_of(text, "SHARED: function-value")
    assert upload.where("environment.SHARED").line == line_of(text, "SHARED: provider-value")
    assert upload.url_auth_type == "NONE" and upload.where("url_auth_type").line == line_of(text, "url: true")
    assert one(tpl, Function, "secured").url_auth_type == "AWS_IAM"


def test_role_by_arn_and_per_function_roles():
    text = """\
        service: s
        plugins: [serverless-iam-roles-per-function]
        custom:
          serverless-iam-roles-per-function:
            defaultInherit: true
        provider:
          name: aws
          runtime: nodejs20.x
          iam:
            role:
              statements:
                - {Effect: Allow, Action: xray:PutTraceSegments, Resource: "*"}
        functions:
          own:
            handler: own.handler
            iamRoleStatementsName: own-role
            iamRoleStatements:
              - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/*"}
          noinherit:
            handler: n.handler
            iamRoleStatementsInherit: false
            iamRoleStatements: []
          byarn:
            handler: a.handler
            role: arn:aws:iam::123456789012:role/x
          byarn2:
            handler: a.handler
            role: arn:aws:iam::123456789012:role/x
          shared:
            handler: s.handler
    """
    tpl = parse(text)
    own, noinherit = one(tpl, Function, "own"), one(tpl, Function, "noinherit")
    assert own.role.id == "OwnIamRoleLambdaExecution" and own.role.name == "own-role"
    assert [s.actions for s in own.role.effective_statements] == [["s3:GetObject"], ["xray:PutTraceSegments"]]
    assert own.role.loc.line == line_of(text, "iamRoleStatements:", 1)
    assert noinherit.role.effective_statements == [] and noinherit.role is not own.role
    assert one(tpl, Function, "byarn").role is one(tpl, Function, "byarn2").role
    assert one(tpl, Function, "byarn").role.external
    assert one(tpl, Function, "shared").role.id == "IamRoleLambdaExecution"


def test_provider_role_given_by_arn_is_shared_and_external():
    tpl = parse("""\
        service: s
        provider:
          name: aws
          role: arn:aws:iam::123456789012:role/legacy
        functions:
          a: {handler: a.h}
          b: {handler: b.h}
    """)
    a, b = one(tpl, Function, "a"), one(tpl, Function, "b")
    assert a.role is b.role and a.role.external and a.role.loc.line == 4
    assert not any(r.id == "IamRoleLambdaExecution" for r in tpl.of(Role))


def test_function_statements_without_the_plugin_are_ignored_like_the_framework_does():
    tpl = parse("""\
        service: s
        provider: {name: aws}
        functions:
          a:
            handler: a.h
            iamRoleStatements:
              - {Effect: Allow, Action: "*", Resource: "*"}
    """)
    assert one(tpl, Function).role.id == "IamRoleLambdaExecution"
    assert one(tpl, Role).effective_statements == []


# --- events and generated resources -----------------------------------------------------


def test_http_events_generate_one_rest_api_located_at_the_first_event(basic):
    tpl, text = basic
    api = one(tpl, Api, "ApiGatewayRestApi")
    first_http = line_of(text, "- http:")
    assert api.loc.line == first_http and api.implicit and api.api_kind == "rest"
    stage = one(tpl, Stage, "ApiGatewayStage")
    assert stage.loc.line == first_http and stage.api is api and stage.stage_name == "dev"
    assert stage.access_logging is True and stage.tracing is True
    plan = one(tpl, UsagePlan)
    assert plan.stages == [stage] and stage.usage_plans == [plan]
    assert plan.throttle.rate_limit == 100 and plan.throttle.burst_limit == 200
    routes = [r for r in tpl.of(Route) if r.api is api]
    assert [(r.method, r.path, r.api_key_required, r.loc.line) for r in routes] == [
        ("GET", "/orders", True, first_http), ("POST", "/orders", None, line_of(text, "- http: POST orders"))]


def test_http_api_routes_and_authorizers(basic):
    tpl, text = basic
    api = one(tpl, Api, "HttpApi")
    assert api.api_kind == "http" and api.loc.line == line_of(text, "- httpApi:")
    assert one(tpl, Stage, "HttpApiStage").stage_name == "$default"
    routes = {r.path: r for r in tpl.of(Route) if r.api is api}
    assert routes["/me"].authorization == "CUSTOM" and routes["/open"].authorization is None
    assert routes["/me"].where("authorization").line == line_of(text, "authorizer:", 2)


def test_event_kinds_and_generated_buckets_and_topics():
    text = """\
        service: s
        provider:
          name: aws
          httpApi:
            authorizers:
              jwt: {issuerUrl: "https://issuer", audience: [a]}
        functions:
          f:
            handler: f.h
            events:
              - s3: photos
              - s3: {bucket: partner, existing: true}
              - sqs: arn:aws:sqs:us-east-1:1:q
              - sns: alerts
              - sns: arn:aws:sns:us-east-1:1:t
              - stream: {type: dynamodb, arn: "arn:aws:dynamodb:us-east-1:1:table/t/stream/x"}
              - schedule: rate(1 day)
              - eventBridge: {pattern: {source: [app]}}
              - eventBridge: {schedule: rate(1 hour)}
              - alb: {listenerArn: "arn:aws:elasticloadbalancing:l", priority: 1, conditions: {path: /x}}
              - cloudFront: {eventType: viewer-request, origin: "s3://b.s3.amazonaws.com"}
              - cognitoUserPool: {pool: users, trigger: PreSignUp}
              - websocket: {route: $connect, authorizer: auth}
              - websocket: $default
              - http: {path: x, method: get, authorizer: {type: aws_iam}}
              - http: {path: y, method: get, authorizer: {arn: "arn:aws:cognito-idp:us-east-1:1:userpool/p"}}
              - httpApi: {method: GET, path: /z, authorizer: {name: jwt}}
    """
    tpl = parse(text)
    fn = one(tpl, Function)
    kinds = [t.kind for t in fn.triggers if t.route is None]
    assert kinds == ["s3", "s3", "sqs", "sns", "sns", "stream", "schedule", "eventbridge", "schedule", "alb",
                     "cloudfront", "cognito"]
    alb = next(t for t in fn.triggers if t.kind == "alb")
    assert isinstance(alb.public, Unknown)
    bucket = one(tpl, Bucket)
    assert bucket.id == "S3BucketPhotos" and bucket.loc.line == line_of(text, "- s3: photos")
    topic = one(tpl, Topic)
    assert topic.id == "SNSTopicAlerts" and topic.loc.line == line_of(text, "- sns: alerts")
    # A WebSocket message route is guarded by $connect's authorizer.
    auth = {(r.api.api_kind, r.method): route_authorizer(r) for r in tpl.of(Route)}
    assert auth == {("websocket", "$connect"): "CUSTOM", ("websocket", "$default"): "CUSTOM",
                    ("rest", "GET"): "COGNITO_USER_POOLS", ("http", "GET"): "JWT"}
    rest = [r for r in tpl.of(Route) if r.api.api_kind == "rest"]
    assert [r.authorization for r in rest] == ["AWS_IAM", "COGNITO_USER_POOLS"]


def test_throttling_plugin_sets_stage_and_route_limits():
    tpl = parse("""\
        service: s
        plugins: [serverless-api-gateway-throttling]
        custom:
          apiGatewayThrottling: {maxRequestsPerSecond: 100, maxConcurrentRequests: 50}
        provider: {name: aws}
        functions:
          f:
            handler: h
            events:
              - http: {path: a, method: get, throttling: {maxRequestsPerSecond: 5, maxConcurrentRequests: 2}}
              - httpApi: {method: POST, path: /b, throttling: {maxRequestsPerSecond: 7}}
    """)
    rest, http = one(tpl, Stage, "ApiGatewayStage"), one(tpl, Stage, "HttpApiStage")
    assert rest.throttle.rate_limit == 100 and rest.throttle.burst_limit == 50
    assert rest.route_throttles["GET /a"].rate_limit == 5
    assert http.throttle.rate_limit == 100 and http.route_throttles["POST /b"].rate_limit == 7


def test_existing_rest_api_has_no_stage_of_this_service():
    tpl = parse("""\
        service: s
        provider:
          name: aws
          endpointType: PRIVATE
          apiGateway: {restApiId: abc123}
        functions:
          f: {handler: h, events: [{http: GET x}]}
    """)
    api = one(tpl, Api)
    assert api.public is False
    assert list(tpl.of(Stage)) == []


def test_resources_reference_generated_resources_by_logical_id():
    tpl = parse("""\
        service: s
        provider: {name: aws}
        functions:
          send-mail:
            handler: h
            events: [{http: GET x}]
        resources:
          Resources:
            Invoke:
              Type: AWS::Lambda::Permission
              Properties:
                FunctionName: !GetAtt SendDashmailLambdaFunction.Arn
                Action: lambda:InvokeFunction
                Principal: "*"
            Extra:
              Type: AWS::IAM::Policy
              Properties:
                PolicyName: extra
                Roles: [!Ref IamRoleLambdaExecution]
                PolicyDocument:
                  Statement: [{Effect: Allow, Action: "sqs:*", Resource: "*"}]
    """)
    fn = one(tpl, Function)
    assert [p.id for p in fn.permissions] == ["Invoke"]
    assert fn.role.effective_statements[0].actions == ["sqs:*"]
    assert next(r for r in tpl.resources if r.id == "Invoke").format == "serverless"


# --- findings: format, locations, suppression -------------------------------------------


def test_findings_have_format_serverless_and_an_inline_suppression_on_the_event_silences_them():
    text = textwrap.dedent("""\
        service: s
        provider: {name: aws, runtime: nodejs20.x}
        functions:
          f:
            handler: h
            events:
              - http: GET a  # iac-lint: ignore THR001 -- internal API behind a WAF rate rule
              - http: GET b
    """)
    findings = lint_text("serverless.yml", text, Config(), rules=rules("THR001", "PUB006"))
    thr = [f for f in findings if f.rule_id == "THR001"]
    assert len(thr) == 1 and thr[0].line == 7 and thr[0].suppressed and thr[0].format == "serverless"
    pub = sorted((f.line, f.suppressed) for f in findings if f.rule_id == "PUB006")
    assert pub == [(7, False), (8, False)]


def test_iam006_points_at_the_provider_iam_block():
    text = textwrap.dedent("""\
        service: s
        provider:
          name: aws
          iamRoleStatements:
            - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/*"}
        functions:
          a: {handler: a.h}
          b: {handler: b.h}
    """)
    findings = lint_text("serverless.yml", text, Config(), rules=rules("IAM006"))
    assert [(f.rule_id, f.line, f.severity, f.category) for f in findings] == [
        ("IAM006", 4, "low", "least-privilege")]


# --- discovery and odd inputs -------------------------------------------------------------


def test_discovery_of_serverless_files_by_name_and_content(tmp_path):
    (tmp_path / "serverless.ts").write_text("export default {}")
    (tmp_path / "app.yml").write_text("service: s\nprovider: {name: aws}\nfunctions: {f: {handler: h}}\n")
    (tmp_path / "serverless.json").write_text('{"service": "j", "provider": {"name": "aws"}}')
    templates = [t for unit in discover([str(tmp_path)]) for t in parse_unit(unit, ParseOptions())]
    by_name = {os.path.basename(t.path): t for t in templates}
    assert {t.format for t in templates} == {"serverless"}
    code = by_name["serverless.ts"]
    assert [(p.rule_id, p.severity) for p in code.problems] == [("I001", "info")]
    assert len(list(by_name["app.yml"].of(Function))) == 1


def test_non_aws_provider_is_reported_as_not_analysed():
    tpl = parse("service: s\nprovider:\n  name: azure\nfunctions: {f: {handler: h}}\n")
    assert [(p.rule_id, p.severity, p.location.line) for p in tpl.problems] == [("I001", "info", 3)]
    assert list(tpl.entities) == []


@pytest.mark.parametrize("text", [
    "service: s\nprovider: aws\n",
    "service: s\nprovider: {name: aws}\nfunctions: [1, 2]\n",
    "service: s\nprovider: {name: aws}\nfunctions: {f: 3, g: null}\n",
    "service: s\nprovider: {name: aws}\nfunctions: {f: {handler: h, events: [null, {http: null}, {s3: {}}, "
    "{httpApi: {}}, {sns: {}}, {websocket: {}}, {unknownEvent: 1}]}}\n",
    "service: s\nprovider: {name: aws, iam: {role: {statements: 5}}, environment: [1]}\nfunctions: {f: {handler: h}}\n",
    "service: s\nprovider: {name: aws}\nresources: [1, {Resources: []}, {Resources: {X: 1, Y: {}}}]\n",
    "service: ${self:service}\nprovider: {name: '${self:provider.name}'}\n",
    "service: s\nprovider: {name: aws}\ncustom: {x: '${self:'}\nfunctions: {f: {handler: '${self:custom.x}'}}\n",
])
def test_malformed_services_never_crash(text):
    parse(text)


# --- the corpus ---------------------------------------------------------------------------------


@needs_corpus
def test_every_serverless_file_of_the_corpus_parses_without_a_crash():
    files = corpus_files("serverless")
    assert len(files) > 150
    root = os.path.dirname(os.path.dirname(files[0]))
    formats = set()
    for path in files:
        with open(path, encoding="utf-8") as handle:
            tpl = parse_document(path, handle.read(), ParseOptions(roots=[root]))
        assert tpl is not None, path
        formats.add(tpl.format)
        assert not [p for p in tpl.problems if p.rule_id == "E001" and "internal" in p.message], path
    assert formats == {"serverless"}


@needs_corpus
def test_corpus_serverless_scan_reports_no_internal_errors():
    report = scan(corpus_files("serverless"), Config())
    assert not [f for f in report.findings if f.rule_id in ("E004",) or "internal error" in f.message]
    assert any(f.format == "serverless" and f.rule_id.startswith("IAM") for f in report.findings)
