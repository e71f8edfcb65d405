"""Flags a function whose log group keeps its logs forever: no retention set, or none created at all."""

from iac_lint.model import Function
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "LOG002",
    "name": "log-group-never-expires",
    "severity": "low",
    "category": "logging",
    "title": "Function log group never expires",
    "applies_to": "function",
    "default": False,  # retention is a cost and compliance choice, not an exposure
    "message": "Function {function}: {detail}",
    "docs": {
        "what": "Flags a function whose CloudWatch log group keeps logs forever: an explicit group "
                "(`AWS::Logs::LogGroup`, `aws_cloudwatch_log_group` named `/aws/lambda/<function>` or by "
                "`LoggingConfig`) without `RetentionInDays`/`retention_in_days`, a Serverless Framework "
                "function without `logRetentionInDays` (its own or the provider's), and a function with no "
                "group in the template at all, whose group Lambda creates on first invocation with no "
                "retention. A function whose `LoggingConfig` names a group defined elsewhere is judged there. "
                "Opt-in (`--extend-select LOG002` or the `strict` profile): retention is a cost and compliance "
                "choice, not an exposure. The log groups the Serverless Framework creates for its functions "
                "share one setting, `provider.logRetentionInDays`: without it they give one finding, at the "
                "provider, not one per function.",
        "why": "Function logs hold request data, identifiers and, too often, tokens and personal data. Kept "
               "forever they are a growing store of sensitive data, outside any retention policy, that "
               "anyone with `logs:GetLogEvents` can read, and an unbounded cost.",
        "example": "Orders:\n  Type: AWS::Serverless::Function\n  Properties:\n    Handler: app.handler\n"
                   "    Runtime: python3.12",
        "fix": "Create the group in the template with a retention: `OrdersLogs: {Type: AWS::Logs::LogGroup, "
               "Properties: {LogGroupName: !Sub '/aws/lambda/${Orders}', RetentionInDays: 30}}`; serverless "
               "`provider.logRetentionInDays: 30`; Terraform `resource \"aws_cloudwatch_log_group\" "
               "{ name = \"/aws/lambda/${aws_lambda_function.orders.function_name}\", retention_in_days = 30 }`.",
        "references": [
            "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html",
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
        ],
    },
}


def check(fn: Function):
    if fn.external:
        return  # a function defined elsewhere: its logging is its own stack's
    group = fn.log_group
    if group is None:
        if fn.log_group_name is not None:
            return  # LoggingConfig names a group defined outside the unit: judged where it is defined
        detail = "no log group is defined, so Lambda creates one on first invocation that never expires"
        yield Violation(RULE["message"].format(function=fn.id, detail=detail), fn.loc, "log_group")
    elif group.retention_days is None and group.generated:
        # One setting governs every generated group: one finding at it, whichever function found it first.
        yield Violation("The log groups the framework creates for this service's functions never expire "
                        "(no logRetentionInDays in the provider)", group.where("retention_days"),
                        "log_group:generated")
    elif group.retention_days is None:
        detail = f"its log group {group.id} has no retention and never expires"
        yield Violation(RULE["message"].format(function=fn.id, detail=detail), group.where("retention_days"),
                        f"log_group:{group.id}")
