"""How the IPE talks to the CSE: request primitives, like any AE.

``CseClient`` builds requests with the IPE's originator and hands them to a transport. The
in-process transport calls the CSE's ``handle`` directly; a transport speaking HTTP to a
remote CSE fits the same place, which is what lets the IPE run in another process.
"""

from __future__ import annotations

import itertools
from typing import Any, Awaitable, Callable

from cse import releases
from cse.primitives import Operation, Request, Response
from cse.status import RSC

Transport = Callable[[Request], Awaitable[Response]]


class CseRequestFailed(Exception):
    def __init__(self, response: Response, what: str) -> None:
        message = response.pc.get("m2m:dbg") if isinstance(response.pc, dict) else None
        super().__init__(f"{what}: {int(response.rsc)} {message or ''}".strip())
        self.response = response


class CseClient:
    def __init__(self, transport: Transport, originator: str, release: str = releases.LATEST) -> None:
        self._transport = transport
        self.originator = originator
        self.release = release
        self._ids = itertools.count(1)

    async def send(self, op: Operation, to: str, pc: Any = None, ty: int | None = None) -> Response:
        request = Request(op=op, to=to, fr=self.originator, rqi=f"ipe-{next(self._ids)}", rvi=self.release, ty=ty, pc=pc)
        return await self._transport(request)

    async def create(self, parent: str, ty: int, pc: dict[str, Any]) -> dict[str, Any]:
        response = await self.send(Operation.CREATE, parent, pc, ty)
        return _body(response, RSC.CREATED, f"create under {parent}")

    async def retrieve(self, to: str) -> dict[str, Any] | None:
        response = await self.send(Operation.RETRIEVE, to)
        if response.rsc == RSC.NOT_FOUND:
            return None
        return _body(response, RSC.OK, f"retrieve {to}")

    async def update(self, to: str, pc: dict[str, Any]) -> dict[str, Any]:
        response = await self.send(Operation.UPDATE, to, pc)
        return _body(response, RSC.UPDATED, f"update {to}")

    async def delete(self, to: str) -> bool:
        response = await self.send(Operation.DELETE, to)
        if response.rsc == RSC.NOT_FOUND:
            return False
        _body(response, RSC.DELETED, f"delete {to}")
        return True


def _body(response: Response, expected: RSC, what: str) -> dict[str, Any]:
    if response.rsc != expected:
        raise CseRequestFailed(response, what)
    if isinstance(response.pc, dict) and len(response.pc) == 1:
        return next(iter(response.pc.values()))
    return {}


def in_process(cse) -> Transport:
    """A transport that hands requests straight to a CSE in this process."""
    return cse.handle
