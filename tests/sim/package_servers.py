"""Small package servers on loopback for firmware and software downloads (HTTP and CoAP)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiocoap
from aiocoap import Message
from aiocoap.numbers.codes import Code
from aiocoap.resource import Resource, Site
from aiohttp import web

HOST = "127.0.0.1"


class HttpPackageServer:
    """Serves files by name; a gate holds a download until the test releases it."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.gate: asyncio.Event | None = None
        self.requested = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _serve(self, request: web.Request) -> web.Response:
        self.requested.set()
        if self.gate is not None:
            await self.gate.wait()
        body = self.files.get(request.match_info["name"])
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type="application/octet-stream")

    def url(self, name: str) -> str:
        return f"http://{HOST}:{self.port}/{name}"

    async def __aenter__(self) -> HttpPackageServer:
        app = web.Application()
        app.router.add_get("/{name}", self._serve)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.gate is not None:
            self.gate.set()
        assert self._runner is not None
        await self._runner.cleanup()


class _File(Resource):
    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    async def render_get(self, request: Message) -> Message:
        return Message(code=Code.CONTENT, payload=self.body)


class CoapPackageServer:
    def __init__(self) -> None:
        self.site = Site()
        self.context: Any = None
        self.port = 0

    def add(self, name: str, body: bytes) -> str:
        self.site.add_resource([name], _File(body))
        return f"coap://{HOST}:{self.port}/{name}"

    async def __aenter__(self) -> CoapPackageServer:
        from ipe_sdt.lwm2m.server.udp_bind import reserve_port

        self.port = reserve_port(HOST, 0)
        self.context = await aiocoap.Context.create_server_context(
            self.site, bind=(HOST, self.port), transports=["udp6"]
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.context.shutdown()
