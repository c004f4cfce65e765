"""Resource events: who wants to know when resources are created, updated or deleted.

Subscriptions, groups and the interworking proxy listen here. Events are published inside the
transaction that made the change, just before it commits: a listener may add rows that must be
durable together with the change (``tx.add_changes``) and defer what it does in memory until
the change is on disk (``tx.after_commit``). A failing listener is logged without affecting
the request or the other listeners.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cse.model.resource import Resource
    from cse.primitives import Request
    from cse.storage.store import Transaction

log = logging.getLogger("cse.events")


class ResourceListener(Protocol):
    def created(self, resource: "Resource", request: "Request", tx: "Transaction") -> None: ...

    def updated(self, resource: "Resource", changes: dict[str, Any], request: "Request", tx: "Transaction") -> None: ...

    def deleted(self, resource: "Resource", request: "Request", tx: "Transaction") -> None: ...


class ResourceEvents:
    def __init__(self) -> None:
        self._listeners: list[ResourceListener] = []

    def add_listener(self, listener: ResourceListener) -> None:
        self._listeners.append(listener)

    def publish(self, tx: "Transaction", request: "Request", updated: tuple["Resource", dict[str, Any]] | None = None) -> None:
        """Tell the listeners what the transaction did; call it just before ``tx.commit()``."""
        if not self._listeners:
            return
        for resource in tx.inserted:
            self._call("created", resource, request, tx)
        if updated is not None:
            self._call("updated", updated[0], updated[1], request, tx)
        for resource in tx.deleted:
            self._call("deleted", resource, request, tx)

    def _call(self, method: str, *args: Any) -> None:
        for listener in self._listeners:
            try:
                getattr(listener, method)(*args)
            except Exception:
                log.exception("resource listener %r failed on %s", listener, method)
