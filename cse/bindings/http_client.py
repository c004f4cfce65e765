"""Sending requests over HTTP (TS-0009): notifications and verification requests."""

from __future__ import annotations

import asyncio

import aiohttp

from cse.core.outbound import TargetUnreachable
from cse.primitives import Operation, Request, Response
from cse.serialization import JSON
from cse.status import RSC

_METHODS = {Operation.CREATE: "POST", Operation.NOTIFY: "POST", Operation.RETRIEVE: "GET",
            Operation.UPDATE: "PUT", Operation.DELETE: "DELETE"}

# A plain web hook answers with an HTTP status only: read it as the nearest oneM2M code.
_FROM_HTTP = {200: RSC.OK, 201: RSC.CREATED, 202: RSC.ACCEPTED, 204: RSC.OK, 400: RSC.BAD_REQUEST,
              403: RSC.ORIGINATOR_HAS_NO_PRIVILEGE, 404: RSC.NOT_FOUND, 405: RSC.OPERATION_NOT_ALLOWED,
              409: RSC.CONFLICT, 415: RSC.UNSUPPORTED_MEDIA_TYPE, 501: RSC.NOT_IMPLEMENTED}


class HttpSender:
    schemes = ("http", "https")

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    async def send(self, url: str, request: Request, timeout: float) -> Response:
        if self._session is None:
            # Notifications carry no cookies; a jar would only cost time on every request.
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        client_timeout = self._timeouts.get(timeout)
        if client_timeout is None:
            client_timeout = self._timeouts[timeout] = aiohttp.ClientTimeout(total=timeout)
        headers = {"X-M2M-Origin": request.fr or "", "X-M2M-RI": request.rqi, "X-M2M-RVI": request.rvi}
        data = None
        if request.pc is not None:
            data = JSON.encode(request.pc)
            headers["Content-Type"] = "application/json" + (f";ty={request.ty}" if request.ty else "")
        try:
            async with self._session.request(
                _METHODS[request.op], url, data=data, headers=headers, timeout=client_timeout
            ) as reply:
                body = await reply.read()
                rsc_header = reply.headers.get("X-M2M-RSC", "")
                status = reply.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TargetUnreachable(f"{type(exc).__name__}: {exc}") from None
        try:
            rsc = RSC(int(rsc_header)) if rsc_header else _FROM_HTTP.get(status, RSC.INTERNAL_SERVER_ERROR)
        except ValueError:
            rsc = _FROM_HTTP.get(status, RSC.INTERNAL_SERVER_ERROR)
        pc = None
        if body and "json" in reply.headers.get("Content-Type", ""):
            try:
                pc = JSON.decode(body)
            except Exception:
                pc = None
        return Response(rsc, request.rqi, pc=pc)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
