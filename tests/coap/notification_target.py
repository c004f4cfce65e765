"""A CoAP notification target for tests: a real aiocoap server on loopback that records what it
receives and answers as told."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiocoap
import aiocoap.resource
import cbor2
import orjson
from aiocoap.optiontypes import StringOption, UintOption

from tests.coap.coap_client import RQI, RSC, free_udp_port, text_option, uint_option


@dataclass
class Received:
    message: aiocoap.Message

    @property
    def method(self) -> str:
        return str(self.message.code)

    @property
    def content(self) -> Any:
        number = self.message.opt.content_format
        if number is not None and int(number) in (60, 10010, 10011):
            return cbor2.loads(self.message.payload)
        return orjson.loads(self.message.payload) if self.message.payload else None

    @property
    def sgn(self) -> dict[str, Any]:
        return self.content["m2m:sgn"]

    def text(self, number: int) -> str | None:
        return text_option(self.message, number)

    def uint(self, number: int) -> int | None:
        return uint_option(self.message, number)


class _Everything(aiocoap.resource.Resource):
    """Answers every path; aiocoap assembles Block1 bodies before render is called."""

    def __init__(self, target: "CoapTarget") -> None:
        super().__init__()
        self._target = target

    async def render(self, request: aiocoap.Message) -> aiocoap.Message:
        return await self._target.answer(request)


class CoapTarget:
    """Answers 2.04 with oneM2M-RSC ``rsc`` (None: a plain CoAP answer without oneM2M options;
    ``silent``: no answer at all)."""

    def __init__(self) -> None:
        self.port = free_udp_port()
        self.received: list[Received] = []
        self.rsc: int | None = 2000
        self.verification_rsc: int | None = None
        self.code = aiocoap.CHANGED
        self.silent = False
        self._arrived = asyncio.Condition()
        self._released = asyncio.Event()
        self._context: aiocoap.Context | None = None

    @property
    def url(self) -> str:
        return f"coap://127.0.0.1:{self.port}/notify"

    async def start(self) -> "CoapTarget":
        self._context = await aiocoap.Context.create_server_context(
            _Everything(self), bind=("127.0.0.1", self.port), transports=["udp6"])
        return self

    async def stop(self) -> None:
        self._released.set()
        if self._context is not None:
            await self._context.shutdown()

    async def answer(self, request: aiocoap.Message) -> aiocoap.Message:
        received = Received(request)
        async with self._arrived:
            self.received.append(received)
            self._arrived.notify_all()
        if self.silent:
            await self._released.wait()  # until the test is over
        rsc = self.rsc
        try:
            if self.verification_rsc is not None and received.sgn.get("vrq"):
                rsc = self.verification_rsc
        except (TypeError, KeyError, orjson.JSONDecodeError):
            pass
        response = aiocoap.Message(code=self.code if rsc is None or rsc < 4000 else aiocoap.FORBIDDEN)
        if rsc is not None:
            response.opt.add_option(UintOption(RSC, rsc))
            rqi = text_option(request, RQI)
            if rqi:
                response.opt.add_option(StringOption(RQI, rqi))
        return response

    async def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        async def enough() -> None:
            async with self._arrived:
                await self._arrived.wait_for(lambda: len(self.received) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.received[:count]

    def notifications(self) -> list[Received]:
        return [r for r in self.received if not r.sgn.get("vrq")]
