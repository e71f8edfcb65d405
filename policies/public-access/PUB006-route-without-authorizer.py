"""Flags an API method or route with no authorizer on a public API."""

from iac_lint.model import Unknown
from iac_lint.model.apigateway import (
    authorization_is_open,
    authorizer_applies,
    invokes_something,
    requires_api_key,
    route_authorizer,
    route_key,
)
from iac_lint.rules import Violation

RULE = {
    "id": "PUB006",
    "name": "route-without-authorizer",
    "severity": "medium",
    "category": "public-access",
    "title": "API method or route has no authorizer",
    "applies_to": "route",
    "message": "{route} on {api} has no authorizer: {who}",
    "docs": {
        "what": "Flags a REST API method (`AWS::ApiGateway::Method`, `aws_api_gateway_method`, SAM `Api` "
                "events, serverless `http` events) or an HTTP/WebSocket API route (`AWS::ApiGatewayV2::Route`, "
                "`aws_apigatewayv2_route`, SAM `HttpApi` events, serverless `httpApi` events, and the paths of "
                "an inline OpenAPI `DefinitionBody`/`Body`) whose authorization is `NONE` or absent, with no "
                "default authorizer on its API. A method or route of an API defined elsewhere (a parameter, an "
                "`ImportValue`, a literal id, a variable or data source) is judged too, its API counted public "
                "unless known private. `OPTIONS` methods answered by a mock (CORS preflight) are left alone; "
                "an `OPTIONS` method that proxies to a function is not. Routes of private REST APIs are left "
                "alone. A WebSocket API takes an authorizer on `$connect` only: `$connect` is flagged when it "
                "has none, and other routes (`$disconnect`, `$default`, custom actions) never are. An API key "
                "alone is not an authorizer and does not make a route pass, but such a route is not callable by "
                "anyone: its finding says that only an API key guards it and is `low`.",
        "why": "An unauthenticated route is reachable by anyone on the internet; if it was meant to be "
               "public, say so with a suppression and a reason so the next reviewer knows.",
        "example": "Events:\n  Get:\n    Type: Api\n    Properties:\n      Path: /orders\n      Method: get",
        "fix": {
            "sam": "OrdersApi:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod\n"
                   "    Auth:\n      DefaultAuthorizer: AWS_IAM",
            "cloudformation": "GetOrders:\n  Type: AWS::ApiGateway::Method\n  Properties:\n"
                              "    AuthorizationType: COGNITO_USER_POOLS\n    AuthorizerId: !Ref UsersAuthorizer",
            "serverless": "functions:\n  list:\n    events:\n      - http:\n          path: orders\n"
                          "          method: get\n          authorizer: aws_iam",
            "terraform": 'resource "aws_apigatewayv2_route" "orders" {\n'
                         '  api_id             = aws_apigatewayv2_api.http.id\n'
                         '  route_key          = "GET /orders"\n  authorization_type = "JWT"\n'
                         '  authorizer_id      = aws_apigatewayv2_authorizer.users.id\n}',
        },
        "references": [
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html",
        ],
    },
}


def check(route):
    api = route.api
    if api is None or not invokes_something(route) or api.public is not True or not authorizer_applies(route):
        return
    auth = route_authorizer(route)  # WebSocket routes: $connect's; an API-key-only default is no authorizer
    if isinstance(auth, Unknown) or not authorization_is_open(auth):
        return
    if route.method is not None and route.method == route.path:  # a WebSocket or $default route key
        label = str(route.method)
    else:
        label = route_key(route.method or "ANY", route.path or "").strip()
    # An API key identifies a caller for a usage plan; it is no authentication (keys are shared and sent
    # in clear), but the route is not open to anyone either: say which it is, and grade it lower.
    keyed = requires_api_key(route)
    who = "only an API key guards it, and an API key is not authentication" if keyed else "anyone can call it"
    yield Violation(RULE["message"].format(route=label, api=api.label, who=who), route.where("authorization"),
                    f"route:{label}", severity="low" if keyed else None)
