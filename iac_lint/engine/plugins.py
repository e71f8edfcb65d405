"""Rule packs: rules an organisation ships as a Python package, enabled by name.

A pack declares an entry point in the group ``iac_lint.policies``; its name is
what users enable, its value names the folder of rules (laid out like
``policies/``, cases beside each rule)::

    # the pack's pyproject.toml
    [project.entry-points."iac_lint.policies"]
    acme = "acme_iac_rules"             # a package: its own folder holds the rules
    # acme = "acme_iac_rules:RULES_DIR" # or an attribute holding the folder's path

Installed is not enabled: a pack runs only when named with ``--plugins acme``
or ``plugins: [acme]`` in the configuration.  The configuration may name one
because only someone who can install packages into the environment iac-lint
runs in (the CI image, the developer) can make a name resolve; a pull request
cannot add a package there, and nothing is ever loaded from the scanned
repository.  The pack is trusted like any installed package: its Python rules
run.
"""

from __future__ import annotations

import os
from importlib import metadata
from typing import Any

GROUP = "iac_lint.policies"


class PluginError(Exception):
    """A plugin name that does not resolve to a folder of rules."""


def installed_plugins() -> dict[str, metadata.EntryPoint]:
    """Name -> entry point of every installed rule pack."""
    return {ep.name: ep for ep in metadata.entry_points(group=GROUP)}


def plugin_dir(name: str) -> str:
    """The folder of rules of the installed pack ``name``."""
    available = installed_plugins()
    entry = available.get(name)
    if entry is None:
        known = ", ".join(sorted(available)) or "none is installed"
        raise PluginError(f"no rule pack named {name!r} (installed packs, entry point group {GROUP}: {known})")
    try:
        loaded: Any = entry.load()
    except Exception as exc:  # an installed but broken pack is a configuration error
        raise PluginError(f"rule pack {name!r} ({entry.value}) cannot be loaded: {type(exc).__name__}: {exc}") \
            from None
    if isinstance(loaded, (str, os.PathLike)):
        directory = os.fspath(loaded)
    else:
        paths = list(getattr(loaded, "__path__", []) or [])
        file = getattr(loaded, "__file__", None)
        directory = paths[0] if paths else os.path.dirname(file) if file else ""
    if not directory or not os.path.isdir(directory):
        raise PluginError(f"rule pack {name!r} ({entry.value}) names no folder of rules")
    return directory


def plugin_dirs(names: list[str]) -> list[str]:
    return [plugin_dir(name) for name in dict.fromkeys(names)]
