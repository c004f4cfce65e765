"""A real HTTP notification target for tests: records what arrives, answers as told."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from tests.onem2m_client import free_port


@dataclass
class Received:
    headers: dict[str, str]
    body: Any

    @property
    def sgn(self) -> dict[str, Any]:
        return self.body["m2m:sgn"]


@dataclass
class NotificationReceiver:
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    # The oneM2M status to answer with; a verification request can be answered differently.
    rsc: int = 2000
    verification_rsc: int = 2000
    # While cleared, the receiver holds every answer back (a slow target).
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/notify"

    async def start(self) -> "NotificationReceiver":
        self.gate.set()
        app = web.Application()
        app.router.add_post("/notify", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            self.gate.set()
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = orjson.loads(await request.read())
        entry = Received(dict(request.headers), body)
        is_verification = "m2m:sgn" in body and body["m2m:sgn"].get("vrq")
        async with self._arrived:
            self.received.append(entry)
            self._arrived.notify_all()
        await self.gate.wait()
        rsc = self.verification_rsc if is_verification else self.rsc
        status = 200 if rsc < 3000 else 403 if rsc in (4101, 4103) else 400
        return web.Response(status=status, headers={"X-M2M-RSC": str(rsc), "X-M2M-RI": request.headers.get("X-M2M-RI", "")})

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until at least ``count`` requests arrived (bounded), and return them all."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.received) >= count), timeout)
        return list(self.received)

    def notifications(self) -> list[Received]:
        """Everything but verification requests."""
        return [r for r in self.received if not ("m2m:sgn" in r.body and r.body["m2m:sgn"].get("vrq"))]

    async def wait_notifications(self, count: int, timeout: float = 10.0) -> list[Received]:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.notifications()) >= count), timeout)
        return self.notifications()
