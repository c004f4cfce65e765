"""A small oneM2M-over-CoAP client for black-box tests, built on aiocoap's client.

It has the interface of tests/onem2m_client.OneM2MClient (create/retrieve/update/delete/request
returning a Reply with .status, .rsc, .headers, .body, .pc), so one test can run over HTTP and
over CoAP. The TS-0008 numbers are written out here again on purpose: a test that borrowed the
binding's own tables could not catch a wrong number in them.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from dataclasses import dataclass, field
from typing import Any

import aiocoap
from aiocoap import Message
from aiocoap.optiontypes import OpaqueOption, StringOption, UintOption

from tests.onem2m_client import OneM2MVerbs, Reply, decode, encode

# TS-0008 Table 6.2.2.4.0-1
FR, RQI, OT, RQET, RSET, OET, RTURI, EC, RSC, GID, TY, RVI, VSI = (
    279, 283, 259, 291, 295, 299, 263, 303, 307, 311, 267, 271, 331)
# TS-0008 clause 6.2.2.2 and Table 6.2.2.2-1
CONTENT_FORMAT_NUMBERS = {
    "application/json": 50, "application/cbor": 60, "application/xml": 41,
    "application/vnd.onem2m-res+json": 10001, "application/vnd.onem2m-res+cbor": 10010,
    "application/vnd.onem2m-res+xml": 10014,
    "application/vnd.onem2m-preq+json": 10007, "application/vnd.onem2m-preq+cbor": 10012,
    "application/vnd.onem2m-preq+xml": 10006, "text/plain": 0,
}
MEDIA_OF_NUMBER = {number: media for media, number in CONTENT_FORMAT_NUMBERS.items()}
SHORT_MEDIA = {"json": "application/json", "cbor": "application/cbor", "xml": "application/xml"}

# HTTP header names (TS-0009) of the parameters that CoAP carries in oneM2M options, so that a
# test written for HTTP can pass its headers to either client.
HEADER_OPTIONS = {
    "X-M2M-Origin": FR, "X-M2M-RI": RQI, "X-M2M-RVI": RVI, "X-M2M-OT": OT, "X-M2M-RET": RQET,
    "X-M2M-RST": RSET, "X-M2M-OET": OET, "X-M2M-RTU": RTURI, "X-M2M-GID": GID, "X-M2M-EC": EC,
}
UINT_OPTIONS = {EC, TY, RSC}

METHODS = {"GET": aiocoap.GET, "POST": aiocoap.POST, "PUT": aiocoap.PUT, "DELETE": aiocoap.DELETE,
           "FETCH": aiocoap.FETCH, "PATCH": aiocoap.PATCH}

_ids = itertools.count(1)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def option_values(message: Message) -> dict[int, bytes]:
    return {int(option.number): option.encode() for option in message.opt.option_list()}


def text_option(message: Message, number: int) -> str | None:
    options = message.opt.get_option(number)
    return options[0].encode().decode() if options else None


def uint_option(message: Message, number: int) -> int | None:
    options = message.opt.get_option(number)
    return int.from_bytes(options[0].encode(), "big") if options else None


@dataclass(repr=False)
class CoapReply(Reply):
    """A Reply whose status is the CoAP code ('2.05') and whose headers are the response
    parameters under their HTTP header names; the CoAP message itself is in .message."""

    message: Message = field(default=None)  # type: ignore[assignment]

    @property
    def code(self) -> str:
        return self.status

    @property
    def location(self) -> str | None:
        path = self.message.opt.location_path
        return "/" + "/".join(path) if path else None


def reply_of(message: Message) -> CoapReply:
    number = message.opt.content_format
    media = MEDIA_OF_NUMBER.get(int(number), "") if number is not None else ""
    headers: dict[str, str] = {}
    for name, option in (("X-M2M-RI", RQI), ("X-M2M-RVI", RVI), ("X-M2M-OT", OT)):
        value = text_option(message, option)
        if value is not None:
            headers[name] = value
    rsc = uint_option(message, RSC)
    if rsc is not None:
        headers["X-M2M-RSC"] = str(rsc)
    if message.opt.location_path:
        headers["Content-Location"] = "/" + "/".join(message.opt.location_path)
    if media:
        headers["Content-Type"] = media
    return CoapReply(
        status=message.code.dotted,
        rsc=rsc,
        headers=headers,
        body=decode(message.payload, media) if media else (message.payload or None),
        raw=message.payload,
        message=message,
    )


class CoapClient(OneM2MVerbs):
    def __init__(self, base_url: str, originator: str | None = "CAdmin", rvi: str | None = "3", media: str = "json"):
        self.base_url = base_url.rstrip("/")
        self.originator = originator
        self.rvi = rvi
        self.media = SHORT_MEDIA.get(media, media)
        self.context: aiocoap.Context | None = None

    async def __aenter__(self) -> "CoapClient":
        self.context = await aiocoap.Context.create_client_context(transports=["udp6"])
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self.context is not None
        await self.context.shutdown()

    def message(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        ty: int | None = None,
        originator: str | None | type = ...,
        rvi: str | None | type = ...,
        media: str | None = None,
        accept: str | int | None = None,
        rqi: str | None | type = ...,
        headers: dict[str, str] | None = None,
        content_type: str | int | None = None,
        options: dict[int, Any] | None = None,
        confirmable: bool = True,
    ) -> Message:
        media = SHORT_MEDIA.get(media, media) if media else self.media
        message = Message(code=METHODS[method], uri=self.base_url + (path if path.startswith("/") else "/" + path),
                          transport_tuning=aiocoap.Reliable if confirmable else aiocoap.Unreliable)
        sent: dict[int, Any] = {}
        origin = self.originator if originator is ... else originator
        if origin is not None:
            sent[FR] = origin
        request_id = f"rq{next(_ids)}" if rqi is ... else rqi
        if request_id is not None:
            sent[RQI] = request_id
        release = self.rvi if rvi is ... else rvi
        if release is not None:
            sent[RVI] = release
        if ty is not None:
            sent[TY] = ty
        if isinstance(content_type, str):
            content_type, _, parameter = content_type.partition(";")
            if parameter.startswith("ty="):
                sent[TY] = int(parameter[3:])
        for name, value in (headers or {}).items():
            sent[HEADER_OPTIONS[name]] = int(value) if HEADER_OPTIONS[name] in UINT_OPTIONS else value
        sent.update(options or {})
        for number, value in sent.items():
            if isinstance(value, bytes):
                message.opt.add_option(OpaqueOption(number, value))
            elif isinstance(value, int):
                message.opt.add_option(UintOption(number, value))
            else:
                message.opt.add_option(StringOption(number, value))
        wanted = accept if accept is not None else media
        if wanted is not None:
            message.opt.accept = wanted if isinstance(wanted, int) else CONTENT_FORMAT_NUMBERS[SHORT_MEDIA.get(wanted, wanted)]
        if body is not None:
            message.payload = encode(body, media)
            chosen = content_type if content_type is not None else media
            message.opt.content_format = chosen if isinstance(chosen, int) else CONTENT_FORMAT_NUMBERS[chosen]
        return message

    async def send(self, message: Message, timeout: float = 30) -> CoapReply:
        assert self.context is not None
        response = await asyncio.wait_for(self.context.request(message).response, timeout)
        return reply_of(response)

    async def request(self, method: str, path: str, **kw: Any) -> CoapReply:
        return await self.send(self.message(method, path, **kw))

