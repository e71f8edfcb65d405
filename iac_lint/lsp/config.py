"""Configuration in the editor: the client's settings, and each workspace folder's own project config.

Settings come from the user's editor (``initializationOptions``, then
``workspace/configuration`` for each folder, or ``workspace/didChangeConfiguration``).
They are the user's own, so their ``policies`` directories are trusted the way
``--policies`` on the command line is: Python rules in them run.  A folder's
``.iac-lint.yaml`` / ``[tool.iac-lint]`` comes with the repository and keeps
the limits it has on the command line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iac_lint.config import SEVERITY_NAMES, Config
from iac_lint.engine.rules import Rule

SECTION = "iac-lint"
LINT_ON = ("type", "save")
DEFAULT_DEBOUNCE_MS = 200
# The files whose change re-reads a folder's configuration.
WATCHED = ("**/.iac-lint.yaml", "**/.iac-lint.yml", "**/pyproject.toml")


@dataclass(frozen=True, slots=True)
class Settings:
    policies: tuple[str, ...] = ()
    min_severity: str = "info"
    lint_on: str = "type"
    debounce_ms: int = DEFAULT_DEBOUNCE_MS

    @classmethod
    def from_client(cls, raw: object, base: Settings | None = None) -> Settings:
        """Settings as a client sends them: ``{"iac-lint": {...}}`` or the section itself.

        Unknown keys and bad values are ignored (the previous value stays), so a typo
        in an editor's settings never stops the diagnostics.
        """
        base = base or cls()
        if isinstance(raw, Mapping) and isinstance(raw.get(SECTION), Mapping):
            raw = raw[SECTION]
        if not isinstance(raw, Mapping):
            return base
        policies: Any = raw.get("policies", list(base.policies))
        if isinstance(policies, str):
            policies = [policies]
        severity = str(raw.get("minSeverity", raw.get("severity", base.min_severity))).lower()
        lint_on = str(raw.get("lintOn", base.lint_on)).lower()
        debounce = raw.get("debounceMs", base.debounce_ms)
        return cls(
            policies=tuple(str(p) for p in policies if p) if isinstance(policies, list) else base.policies,
            min_severity=severity if severity in SEVERITY_NAMES else base.min_severity,
            lint_on=lint_on if lint_on in LINT_ON else base.lint_on,
            debounce_ms=int(debounce) if isinstance(debounce, (int, float)) and 0 <= debounce <= 10_000
            else base.debounce_ms,
        )


@dataclass(slots=True)
class FolderState:
    """One workspace folder's configuration, and the rules it selects, loaded once."""

    root: str
    settings: Settings
    config: Config
    rules: list[Rule]
    error: str | None = None
    by_id: dict[str, Rule] = field(default_factory=dict)
    # Each rule's page, and the built-in findings' (E001 ...): a diagnostic's code links there.
    help: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from iac_lint.docs import help_uris

        self.by_id = {rule.id: rule for rule in self.rules}
        self.help = help_uris(self.rules)


def load_folder(root: str, settings: Settings) -> FolderState:
    """The folder's config file (in the folder itself, never the server's working directory) plus
    the editor's settings; a broken one falls back to the defaults and says why."""
    from iac_lint.api import active_rules
    from iac_lint.config import find_config_file, resolve_config

    policies = [os.path.expanduser(p) if os.path.isabs(os.path.expanduser(p)) else os.path.join(root, p)
                for p in settings.policies]
    try:
        file = find_config_file([root], cwd=root)
        config = resolve_config([root], file, use_config_file=file is not None, policies=policies or None)
        config.parse.roots = [root]
        return FolderState(root, settings, config, active_rules(config))
    except Exception as exc:
        config = Config()
        config.parse.roots = [root]
        return FolderState(root, settings, config, active_rules(config), error=str(exc))


class Folders:
    """Workspace folders, their settings and their loaded configuration."""

    def __init__(self) -> None:
        self.roots: list[str] = []
        self.defaults = Settings()
        self.settings: dict[str, Settings] = {}
        self.states: dict[str, FolderState] = {}

    def set_roots(self, roots: list[str]) -> None:
        self.roots = sorted({os.path.abspath(r) for r in roots}, key=len, reverse=True)

    def root_of(self, path: str) -> str:
        """The innermost workspace folder holding ``path``; outside them all, the file's own directory."""
        full = os.path.abspath(path)
        for root in self.roots:
            if full == root or full.startswith(root.rstrip(os.sep) + os.sep):
                return root
        return os.path.dirname(full)

    def settings_of(self, root: str) -> Settings:
        return self.settings.get(root, self.defaults)

    def state(self, path: str) -> tuple[FolderState, bool]:
        """The folder state for a document, and whether it was (re)loaded just now."""
        root = self.root_of(path)
        found = self.states.get(root)
        if found is not None:
            return found, False
        found = self.states[root] = load_folder(root, self.settings_of(root))
        return found, True

    def forget(self, changed: list[str] | None = None) -> None:
        """Drop loaded configuration: all of it, or that of the folders holding ``changed`` files."""
        if changed is None:
            self.states.clear()
            return
        for path in changed:
            self.states.pop(self.root_of(path), None)
