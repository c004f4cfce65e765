"""A small oneM2M-over-HTTP client for black-box tests (TS-0009 headers, three serializations)."""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
import socket
from dataclasses import dataclass
from typing import Any

import aiohttp
import cbor2
import orjson

from cse.serialization import xml_codec

MEDIA = {
    "json": "application/json",
    "cbor": "application/cbor",
    "xml": "application/xml",
}
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def encode(body: Any, media: str) -> bytes:
    if isinstance(body, (bytes, str)):
        return body.encode() if isinstance(body, str) else body
    if "cbor" in media:
        return cbor2.dumps(body)
    if "xml" in media:
        return xml_codec.encode(body)
    return orjson.dumps(body)


def decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if "cbor" in content_type:
        return cbor2.loads(raw)
    if "xml" in content_type:
        return xml_codec.decode(raw)
    return orjson.loads(raw)


@dataclass
class Reply:
    status: int
    rsc: int | None
    headers: Any
    body: Any
    raw: bytes

    @property
    def pc(self) -> Any:
        """The single resource representation in the body: {"m2m:cnt": {...}} -> {...}."""
        assert isinstance(self.body, dict) and len(self.body) == 1, self.body
        return next(iter(self.body.values()))

    def __repr__(self) -> str:
        return f"Reply(status={self.status}, rsc={self.rsc}, body={self.body!r})"


class OneM2MVerbs(ABC):
    """The oneM2M operations in terms of a binding's ``request(method, path, **options)``."""

    @abstractmethod
    async def request(self, method: str, path: str, **kw: Any) -> Any:
        """Send one request over the binding and return its reply."""

    async def create(self, path: str, ty: int, body: Any, **kw: Any) -> Any:
        return await self.request("POST", path, body=body, ty=ty, **kw)

    async def retrieve(self, path: str, **kw: Any) -> Any:
        return await self.request("GET", path, **kw)

    async def update(self, path: str, body: Any, **kw: Any) -> Any:
        return await self.request("PUT", path, body=body, **kw)

    async def delete(self, path: str, **kw: Any) -> Any:
        return await self.request("DELETE", path, **kw)

    async def register_ae(self, name: str, originator: str | None = None, **attrs: Any) -> Any:
        body = {"m2m:ae": {"rn": name, "api": f"N{name}", "rr": False, "srv": ["3"], **attrs}}
        return await self.create("/cse-in", 2, body, originator=originator or f"C{name}")


class OneM2MClient(OneM2MVerbs):
    def __init__(self, base_url: str, originator: str | None = "CAdmin", rvi: str | None = "3", media: str = "json"):
        self.base_url = base_url.rstrip("/")
        self.originator = originator
        self.rvi = rvi
        self.media = MEDIA.get(media, media)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "OneM2MClient":
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._session is not None
        await self._session.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        ty: int | None = None,
        originator: str | None | type = ...,
        rvi: str | None | type = ...,
        media: str | None = None,
        accept: str | None = None,
        rqi: str | None | type = ...,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
    ) -> Reply:
        media = MEDIA.get(media, media) if media else self.media
        sent: dict[str, str] = {}
        origin = self.originator if originator is ... else originator
        if origin is not None:
            sent["X-M2M-Origin"] = origin
        request_id = f"rq{next(_ids)}" if rqi is ... else rqi
        if request_id is not None:
            sent["X-M2M-RI"] = request_id
        release = self.rvi if rvi is ... else rvi
        if release is not None:
            sent["X-M2M-RVI"] = release
        sent["Accept"] = accept or media
        data = None
        if body is not None:
            data = encode(body, media)
            sent["Content-Type"] = content_type or (media + (f";ty={ty}" if ty is not None else ""))
        elif content_type:
            sent["Content-Type"] = content_type
        sent.update(headers or {})
        url = self.base_url + (path if path.startswith("/") else "/" + path)
        assert self._session is not None
        async with self._session.request(method, url, data=data, headers=sent) as response:
            raw = await response.read()
            rsc = response.headers.get("X-M2M-RSC")
            return Reply(
                status=response.status,
                rsc=int(rsc) if rsc else None,
                headers=response.headers,
                body=decode(raw, response.headers.get("Content-Type", "")),
                raw=raw,
            )

