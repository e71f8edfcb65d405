"""The CloudFormation wing: plain CloudFormation and AWS SAM (YAML or JSON).

- ``intrinsics``: ``CfnContext``, resolving ``Ref``/``Fn::*`` and finding references; fact readers.
- ``resources``: raw resources and the builders of Lambda, IAM, S3, SQS, SNS, DynamoDB, Kinesis, Logs, KMS.
- ``apigateway``: the builders of API Gateway REST, HTTP and WebSocket APIs.
- ``sam``: the SAM transform's resources, globals and implicit APIs, on a ``SamContext``.
- ``sam_policies``: SAM policy templates expanded into the statements they grant.
"""
