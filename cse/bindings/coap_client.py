"""Sending requests over CoAP (TS-0008): notifications and verification requests to coap:// targets.

Requests go out Confirmable (aiocoap retransmits them until acknowledged), block-wise when the
content is larger than a block, and from a client endpoint of their own, so the CSE can reach
coap:// targets whether or not it listens for CoAP itself.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiocoap
from aiocoap import Message
from aiocoap.optiontypes import StringOption, UintOption

from cse import timestamps
from cse.bindings import coap_options as opt
from cse.core.outbound import TargetUnreachable
from cse.primitives import Operation, Request, Response
from cse.serialization import SerializationError, codec_for
from cse.status import RSC

# Request parameters sent as oneM2M options when present (TS-0008 clause 6.2.2.4).
_TEXT_PARAMETERS = ("fr", "rqi", "rvi", "ot", "rqet", "rset", "oet", "gid")


class CoapSender:
    schemes = ("coap",)

    def __init__(self, media: str = "application/json") -> None:
        self._format = opt.CONTENT_FORMATS[opt.NUMBER_FOR_MEDIA[media]]
        self._context: aiocoap.Context | None = None
        self._starting = asyncio.Lock()

    async def send(self, url: str, request: Request, timeout: float) -> Response:
        message = self._message(url, request)
        context = await self._client()
        pending = context.request(message)
        try:
            reply = await asyncio.wait_for(pending.response, timeout)
        except asyncio.TimeoutError:
            raise TargetUnreachable(f"no CoAP answer from {url} within {timeout:g} s") from None
        except (aiocoap.error.Error, OSError) as exc:
            raise TargetUnreachable(f"{type(exc).__name__}: {exc}") from None
        return self._response(reply, request)

    async def close(self) -> None:
        if self._context is not None:
            await self._context.shutdown()
            self._context = None

    async def _client(self) -> aiocoap.Context:
        async with self._starting:
            if self._context is None:
                self._context = await aiocoap.Context.create_client_context(
                    loggername="cse.coap.client", transports=["udp6"],
                )
            return self._context

    def _message(self, url: str, request: Request) -> Message:
        parts = urlsplit(url)
        if parts.scheme != "coap" or not parts.hostname:
            raise TargetUnreachable(f"{url!r} is no coap:// address")
        try:
            message = Message(code=opt.METHOD_FOR[request.op], uri=url)
        except ValueError as exc:
            raise TargetUnreachable(f"{url!r} is no usable CoAP address: {exc}") from None
        values = {name: getattr(request, name) for name in _TEXT_PARAMETERS}
        values["ot"] = opt.basic_timestamp(values["ot"] or timestamps.format_ts(timestamps.now()))
        for name, value in values.items():
            if value:
                message.opt.add_option(StringOption(opt.NUMBER_OF[name], value))
        if request.rtu:
            message.opt.add_option(StringOption(opt.NUMBER_OF["rtu"], "&".join(request.rtu)))
        if request.ec is not None:
            message.opt.add_option(UintOption(opt.NUMBER_OF["ec"], request.ec))
        if request.op == Operation.CREATE and request.ty is not None:
            message.opt.add_option(UintOption(opt.NUMBER_OF["ty"], int(request.ty)))
        if request.pc is not None:
            message.payload = codec_for(self._format.codec).encode(request.pc)
            message.opt.content_format = self._format.number
        return message

    @staticmethod
    def _response(reply: Message, request: Request) -> Response:
        values, _ = opt.read(reply.opt)
        code = int(reply.code)
        try:
            rsc = RSC(values["rsc"])
        except (KeyError, ValueError):
            # A plain CoAP server answers with a CoAP code only: read it as the nearest oneM2M code.
            rsc = RSC(opt.rsc_for(code, request.op))
        pc = None
        number = reply.opt.content_format
        content_format = opt.CONTENT_FORMATS.get(int(number)) if number is not None else None
        if reply.payload and content_format is not None:
            try:
                pc = codec_for(content_format.codec).decode(reply.payload)
            except SerializationError:
                pc = None
        return Response(rsc, values.get("rqi") or request.rqi, pc=pc, rvi=values.get("rvi"), ot=values.get("ot"))
