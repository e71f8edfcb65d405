"""The ``serverless-step-functions`` plugin: API routes that start a state machine.

A state machine under ``stepFunctions.stateMachines`` with ``- http:`` events
gets a method on the service's REST API (``ApiGatewayRestApi``, the one the
framework's own ``http`` events use) that starts an execution.  The routes
are read like a function's ``http`` events — ``path``, ``method``,
``private`` (an API key), ``authorizer`` — and ``cors`` adds the ``OPTIONS``
preflight the plugin answers with a mock.  A state machine is not a function:
the routes target none, so no function gains a trigger from them.

Read only when the plugin is listed in ``plugins``; without it the section
creates nothing.
"""

from __future__ import annotations

from typing import Any

from iac_lint.model import Location, Resource, Route, key_loc, loc_of, path_loc, value_loc
from iac_lint.parsers.serverless.events import Events
from iac_lint.parsers.serverless.names import STEP_FUNCTIONS_PLUGIN, as_map, merge_maps, normalized_name, truthy


class StepFunctions(Events):
    def build_state_machines(self) -> None:
        if not any(name.endswith(STEP_FUNCTIONS_PLUGIN) for name in self.plugins):
            return
        section = as_map(self.doc.get("stepFunctions"))
        machines = merge_maps(section.get("stateMachines"))
        for name, body in machines.items():
            if not isinstance(body, dict):
                continue
            header = key_loc(machines, name) or loc_of(body) or self.provider_loc
            logical = f"{normalized_name(name)}StepFunctionsStateMachine"
            res = self.generated(logical, "serverless:state-machine", body, header)
            events = body.get("events")
            for i, event in enumerate(events if isinstance(events, list) else []):
                if isinstance(event, dict) and "http" in event:
                    self.state_machine_route(logical, res, i, event["http"], value_loc(events, i) or header)

    def state_machine_route(self, logical: str, res: Resource, index: int, cfg: Any, where: Location) -> None:
        method, path, cfg_map = self.http_event(cfg)  # ``http: POST executions`` or the long form
        api = self.rest_api(where, cfg)
        path = "/" + path.strip().lstrip("/") if isinstance(path, str) else path
        route = Route(f"{logical}.events[{index}]", res, where, name=f"{logical} http", api=api,
                      method=method.upper() if isinstance(method, str) else method, path=path)
        if "private" in cfg_map:
            route.set("api_key_required", truthy(self.resolve(cfg_map["private"])), path_loc(cfg_map, "private"))
        if cfg_map.get("authorizer") is not None:
            route.set("authorization", self.rest_authorization(cfg_map["authorizer"]), key_loc(cfg_map, "authorizer"))
        self.read_route_throttling(route, cfg_map, self.stages.get("rest"))
        self.tpl.add(route)
        cors = self.resolve(cfg_map.get("cors"))
        if cors is not None and cors is not False and not (isinstance(cors, str) and cors.lower() == "false"):
            # The preflight the plugin adds for the path: a mock integration, open by design.
            at = key_loc(cfg_map, "cors") or where
            preflight = Route(f"{logical}.events[{index}].cors", res, at, name=f"{logical} cors", api=api,
                              method="OPTIONS", path=path)
            preflight.set("authorization", "NONE", at)
            self.tpl.add(preflight)
