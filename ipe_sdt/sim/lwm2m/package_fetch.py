"""Downloading a package from a Package URI: CoAP (block-wise, from the device's own socket) or
HTTP(S), bounded in size and time."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiocoap import Message
from aiocoap import error as coap_error
from aiocoap.numbers.codes import Code


class FetchError(Exception):
    """reason: "uri" (malformed), "protocol" (scheme not supported), "size" (too large),
    "connection" (anything on the way: timeout, refused, not found)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


async def fetch(uri: str, coap_context: Any, *, max_size: int, timeout: float) -> bytes:
    parts = urlsplit(uri)
    if not parts.scheme or not parts.netloc:
        raise FetchError("uri", f"not an absolute URI: {uri!r}")
    try:
        if parts.scheme == "coap":
            return await asyncio.wait_for(_coap(uri, coap_context, max_size), timeout)
        if parts.scheme in ("http", "https"):
            return await asyncio.wait_for(_http(uri, max_size), timeout)
    except asyncio.TimeoutError:
        raise FetchError("connection", f"download did not finish within {timeout:g} s") from None
    raise FetchError("protocol", f"scheme {parts.scheme!r} is not supported")


async def _coap(uri: str, context: Any, max_size: int) -> bytes:
    try:
        request = Message(code=Code.GET, uri=uri)
    except (ValueError, coap_error.Error) as exc:
        raise FetchError("uri", f"bad CoAP URI: {exc}") from None
    try:
        response = await context.request(request).response
    except (coap_error.Error, OSError) as exc:
        raise FetchError("connection", f"CoAP download failed: {exc}") from None
    if not response.code.is_successful():
        raise FetchError("connection", f"package server answered {response.code}")
    if len(response.payload) > max_size:
        raise FetchError("size", f"package of {len(response.payload)} bytes is too large")
    return bytes(response.payload)


async def _http(uri: str, max_size: int) -> bytes:
    try:
        async with aiohttp.ClientSession() as session, session.get(uri) as response:
            if response.status != 200:
                raise FetchError("connection", f"package server answered HTTP {response.status}")
            if response.content_length is not None and response.content_length > max_size:
                raise FetchError("size", f"package of {response.content_length} bytes is too large")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body.extend(chunk)
                if len(body) > max_size:
                    raise FetchError("size", "package is too large")
            return bytes(body)
    except aiohttp.InvalidURL as exc:
        raise FetchError("uri", f"bad HTTP URI: {exc}") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise FetchError("connection", f"HTTP download failed: {exc}") from None
