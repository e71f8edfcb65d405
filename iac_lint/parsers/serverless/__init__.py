"""The Serverless Framework wing: a ``serverless.yml`` and what the framework would generate from it.

- ``variables``: ``${self:...}``, ``${opt:...}``, ``${file(...)}`` and friends, resolved before anything else.
- ``names``: the logical ids and names the framework gives what it generates.
- ``service``: the service in dependency order: functions, their events, raw ``resources``, roles.
- ``events``: the APIs, stages, routes, buckets, topics and triggers that events make.
- ``roles``: a function's own role, the per-function-roles plugin's, or the shared execution role.
"""
