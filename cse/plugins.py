"""Interworking plugins: found through Python entry points, started and stopped with the CSE.

A plugin is a class registered under the entry-point group ``onem2m_cse.plugins``; the CSE
creates it with its options and calls ``start(cse)`` once the CSE is up and ``stop()`` before
it goes down. Plugins are off unless enabled: ``plugins = ["sdt"]`` in the config file (or
``--plugins sdt``, ``CSE_PLUGINS=sdt``), with options in a ``[plugin.sdt]`` table.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cse.core.engine import CSE

log = logging.getLogger("cse.plugins")

ENTRY_POINT_GROUP = "onem2m_cse.plugins"


class Plugin(Protocol):
    def __init__(self, options: dict[str, Any]) -> None: ...

    async def start(self, cse: "CSE") -> None: ...

    async def stop(self) -> None: ...


class PluginError(Exception):
    pass


def available() -> dict[str, Any]:
    """Installed plugins by name (entry points, not yet loaded)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


class Plugins:
    def __init__(self, enabled: list[str], options: dict[str, dict[str, Any]]) -> None:
        installed = available()
        unknown = [name for name in enabled if name not in installed]
        if unknown:
            raise PluginError(
                f"unknown plugin(s) {', '.join(unknown)}; installed: {', '.join(sorted(installed)) or 'none'}"
            )
        self._plugins: list[tuple[str, Plugin]] = []
        for name in enabled:
            factory = installed[name].load()
            self._plugins.append((name, factory(dict(options.get(name, {})))))
        self._started: list[tuple[str, Plugin]] = []

    async def start(self, cse: "CSE") -> None:
        for name, plugin in self._plugins:
            await plugin.start(cse)
            self._started.append((name, plugin))
            log.info("plugin %s started", name)

    async def stop(self) -> None:
        # In reverse order, and every one of them even if one fails.
        while self._started:
            name, plugin = self._started.pop()
            try:
                await plugin.stop()
                log.info("plugin %s stopped", name)
            except Exception:
                log.exception("plugin %s failed to stop cleanly", name)

    def names(self) -> list[str]:
        return [name for name, _ in self._plugins]
