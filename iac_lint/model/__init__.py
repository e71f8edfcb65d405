"""The model every format is normalized into (see DESIGN.md, "The model")."""

from iac_lint.model.core import (
    SEVERITIES,
    Finding,
    Location,
    Resource,
    Unknown,
    is_unknown,
    severity_rank,
)
from iac_lint.model.entities import (
    ENTITY_TYPES,
    Api,
    Bucket,
    Entity,
    Function,
    IdentityPolicy,
    Key,
    LogGroup,
    ManagedPolicyRef,
    Permission,
    PolicyStatement,
    PublicAccessBlock,
    Queue,
    Role,
    Route,
    Stage,
    Stream,
    Table,
    Throttle,
    Topic,
    Trigger,
    UsagePlan,
    entity_data,
)
from iac_lint.model.located import (
    LMap, LSeq, LStr, get_path, key_loc, loc_of, locate_plain, path_loc, plain, value_loc,
)
from iac_lint.model.project import Problem, Template

__all__ = [
    "ENTITY_TYPES", "SEVERITIES", "Api", "Bucket", "Entity", "Finding", "Function", "IdentityPolicy", "Key", "LMap",
    "LSeq", "LStr", "Location", "LogGroup", "ManagedPolicyRef", "Permission", "PolicyStatement",
    "Problem", "PublicAccessBlock", "Queue", "Resource", "Role", "Route", "Stage", "Stream", "Table",
    "Template", "Throttle", "Topic", "Trigger", "Unknown", "UsagePlan", "entity_data", "is_unknown",
    "get_path", "key_loc", "loc_of", "locate_plain", "path_loc", "plain", "severity_rank", "value_loc",
]
