"""Requests the CSE sends (notifications, verification requests): one sender per URI scheme.

Bindings provide senders (the HTTP binding for http://, the CoAP binding for coap://); the
notification machinery picks one by the target URI's scheme and never sees the wire.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

from cse.errors import RequestError
from cse.primitives import Request, Response
from cse.status import RSC


class Sender(Protocol):
    schemes: tuple[str, ...]

    async def send(self, url: str, request: Request, timeout: float) -> Response:
        """Deliver ``request`` to ``url``; raise ``TargetUnreachable`` if nothing answers."""
        ...

    async def close(self) -> None: ...


class TargetUnreachable(Exception):
    """The target did not answer (refused, timed out, unreachable)."""


class Outbound:
    def __init__(self) -> None:
        self._senders: dict[str, Sender] = {}

    def register(self, sender: Sender) -> None:
        for scheme in sender.schemes:
            self._senders[scheme] = sender

    def supports(self, url: str) -> bool:
        return urlsplit(url).scheme in self._senders

    async def send(self, url: str, request: Request, timeout: float) -> Response:
        sender = self._senders.get(urlsplit(url).scheme)
        if sender is None:
            raise RequestError(RSC.BAD_REQUEST, f"no binding can reach {url!r}")
        return await sender.send(url, request, timeout)

    async def close(self) -> None:
        for sender in set(self._senders.values()):
            await sender.close()
