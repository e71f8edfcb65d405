"""What the Serverless Framework calls things it generates, and small readers its wing shares."""

from __future__ import annotations

import re
from typing import Any

from iac_lint.model import Bucket, Function, LMap, LogGroup, Role, Stage, Topic, Unknown, loc_of

FORMAT = "serverless"
SHARED_ROLE_ID = "IamRoleLambdaExecution"
REST_API_ID = "ApiGatewayRestApi"
HTTP_API_ID = "HttpApi"
WEBSOCKET_API_ID = "WebsocketsApi"
LAMBDA_PRINCIPAL = "Service:lambda.amazonaws.com"

# Plugins whose function-level ``iamRoleStatements`` give that function its own role.
PER_FUNCTION_ROLE_PLUGINS = ("serverless-iam-roles-per-function", "serverless-granular-iam")
THROTTLING_PLUGIN = "serverless-api-gateway-throttling"
# Its state machines' ``http`` events add routes to the service's REST API.
STEP_FUNCTIONS_PLUGIN = "serverless-step-functions"

# Event name -> Trigger.kind, for events that do not go through an API.
EVENT_KINDS = {
    "s3": "s3", "sqs": "sqs", "sns": "sns", "stream": "stream", "schedule": "schedule",
    "eventBridge": "eventbridge", "cloudwatchEvent": "eventbridge", "alb": "alb", "cloudFront": "cloudfront",
    "cognitoUserPool": "cognito", "iot": "iot", "iotFleetProvisioning": "iot", "alexaSkill": "alexa",
    "alexaSmartHome": "alexa", "cloudwatchLog": "logs", "msk": "stream", "kafka": "stream",
    "activemq": "stream", "rabbitmq": "stream",
}


# Generated entities that ``resources`` may extend, and the CloudFormation type that reads the extension.
EXTENDED_TYPES: dict[type, str] = {
    Function: "AWS::Lambda::Function", LogGroup: "AWS::Logs::LogGroup", Bucket: "AWS::S3::Bucket",
    Role: "AWS::IAM::Role", Topic: "AWS::SNS::Topic", Stage: "AWS::ApiGatewayV2::Stage",
}


# --- names the framework gives to what it generates ------------------------------


def normalized_name(name: str) -> str:
    """The framework's logical-id form of a function name: ``my-fn_x`` -> ``MyDashfnUnderscorex``."""
    text = str(name).replace("-", "Dash").replace("_", "Underscore")
    return text[:1].upper() + text[1:]


def alphanumeric_name(name: str) -> str:
    """The framework's logical-id form of a bucket or topic name: letters and digits only."""
    text = re.sub(r"[^0-9A-Za-z]", "", str(name))
    return text[:1].upper() + text[1:]


def lambda_logical_id(function: str) -> str:
    return f"{normalized_name(function)}LambdaFunction"


# --- small helpers on located trees ----------------------------------------------


def as_map(value: Any) -> dict:
    return value if isinstance(value, dict) else LMap()


def truthy(value: Any) -> Any:
    """YAML/JSON booleans as the framework reads them; Unknown stays Unknown."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def is_intrinsic(value: Any) -> bool:
    """``{Ref: X}`` / ``{Fn::GetAtt: [X, Arn]}``: a reference, not a configuration map."""
    return isinstance(value, dict) and len(value) == 1 and any(
        str(k) == "Ref" or str(k).startswith("Fn::") for k in value)


def plugin_names(doc: dict) -> list[str]:
    plugins = doc.get("plugins")
    if isinstance(plugins, dict):  # the ``{localPath, modules}`` form
        plugins = plugins.get("modules")
    return [str(p) for p in plugins if isinstance(p, str)] if isinstance(plugins, list) else []


def merge_maps(value: Any) -> LMap:
    """A map, or a list of maps (``functions: [${file(a.yml)}, ${file(b.yml)}]``), as one located map."""
    out = LMap(loc=loc_of(value))
    for part in value if isinstance(value, list) else [value]:
        if not isinstance(part, dict):
            continue
        for key, body in part.items():
            out.put(key, body, part)
    return out
