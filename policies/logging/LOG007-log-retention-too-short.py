"""Flags a log group whose retention is shorter than the configured minimum (opt-in)."""

from typing import Any

from iac_lint.model import LogGroup
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "LOG007",
    "name": "log-retention-too-short",
    "severity": "low",
    "category": "logging",
    "title": "Log group keeps logs for less than the required time",
    "applies_to": "log_group",
    "default": False,
    "options": {"min_days": 365},
    "message": "Log group {group} keeps logs for {days} days, less than the required {min_days}",
    "docs": {
        "what": "Flags a log group (`AWS::Logs::LogGroup`, `aws_cloudwatch_log_group`, a serverless "
                "function's group) whose retention is set to fewer days than `min_days` (default 365, a "
                "common audit requirement). Groups without retention keep logs forever and are LOG002's. "
                "Opt-in: select it with `--select LOG007`, and set the minimum with "
                "`rule_options: {LOG007: {min_days: 90}}`.",
        "why": "An investigation often starts months after the fact; logs that expired first cannot answer "
               "it. The right minimum is a policy decision, hence opt-in and configurable.",
        "example": "RetentionInDays: 7",
        "fix": "Raise `RetentionInDays` / `retention_in_days` / `logRetentionInDays` to at least the minimum "
               "(CloudWatch accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731 ... days), or "
               "export older logs to S3.",
        "references": ["https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html"],
    },
}


def check(group: LogGroup, options: dict[str, Any]):
    days, minimum = group.retention_days, options["min_days"]
    if isinstance(days, str) and days.isdigit():
        days = int(days)
    if not isinstance(days, int) or isinstance(days, bool) or days >= minimum:
        return
    yield Violation(RULE["message"].format(group=group.id, days=days, min_days=minimum),
                    group.where("retention_days"), "retention_days")
