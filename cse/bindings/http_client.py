"""Sending requests over HTTP (TS-0009): notifications and verification requests.

A small HTTP/1.1 client of our own rather than a general one: the CSE sends the same shape of
request again and again (a POST of a JSON primitive), and a notification target is served in
order, one request at a time, so one kept-alive connection per target does. What comes back is
read with strict limits, because a target is not to be trusted to answer sanely.
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

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

MAX_LINE = 8192
MAX_HEADERS = 100
MAX_BODY = 1 << 20
IDLE_PER_TARGET = 4

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class BadAnswer(Exception):
    pass


class HttpSender:
    schemes = ("http", "https")

    def __init__(self) -> None:
        self._idle: dict[tuple[str, str, int], list[Connection]] = {}
        self._tls: ssl.SSLContext | None = None

    async def send(self, url: str, request: Request, timeout: float) -> Response:
        parts = urlsplit(url)
        if parts.scheme not in self.schemes or not parts.hostname:
            raise TargetUnreachable(f"not an http(s) URL: {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, parts.hostname, port)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        payload = self._encode(request, parts.hostname, port, path)
        # A kept-alive connection may have been closed by the target meanwhile: one more try
        # on a fresh connection then, which cannot have delivered the request twice.
        for fresh in (False, True):
            connection = None if fresh else self._take(key)
            reused = connection is not None
            try:
                if connection is None:
                    connection = await asyncio.wait_for(self._connect(key), timeout)
                status, headers, body = await asyncio.wait_for(self._exchange(connection, payload), timeout)
            except asyncio.TimeoutError:  # before OSError: TimeoutError is one since Python 3.11
                _close(connection)
                raise TargetUnreachable("no answer in time") from None
            except BadAnswer as exc:
                _close(connection)
                raise TargetUnreachable(f"unusable answer: {exc}") from None
            except (OSError, asyncio.IncompleteReadError, ConnectionError) as exc:
                _close(connection)
                if reused and not fresh:
                    continue
                raise TargetUnreachable(f"{type(exc).__name__}: {exc}") from None
            if headers.get("connection", "").lower() == "close":
                _close(connection)
            else:
                self._give_back(key, connection)
            return _response(request, status, headers, body)
        raise TargetUnreachable("the connection failed")  # the loop above returns or raises

    def _encode(self, request: Request, host: str, port: int, path: str) -> bytes:
        lines = [
            f"{_METHODS[request.op]} {path} HTTP/1.1",
            f"Host: {host}:{port}",
            f"X-M2M-Origin: {request.fr or ''}",
            f"X-M2M-RI: {request.rqi}",
            f"X-M2M-RVI: {request.rvi}",
        ]
        body = b""
        if request.pc is not None:
            body = JSON.encode(request.pc)
            lines.append("Content-Type: application/json" + (f";ty={request.ty}" if request.ty else ""))
        lines.append(f"Content-Length: {len(body)}")
        for line in lines:
            if "\r" in line or "\n" in line:
                raise TargetUnreachable("a header value would break the request")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body

    async def _connect(self, key: tuple[str, str, int]) -> Connection:
        scheme, host, port = key
        if scheme == "https" and self._tls is None:
            self._tls = ssl.create_default_context()
        return await asyncio.open_connection(host, port, ssl=self._tls if scheme == "https" else None,
                                             limit=MAX_LINE * 2)

    async def _exchange(self, connection: Connection, payload: bytes) -> tuple[int, dict[str, str], bytes]:
        reader, writer = connection
        writer.write(payload)
        await writer.drain()
        status_line = await _line(reader)
        try:
            version, code, *_ = status_line.split(" ", 2)
            status = int(code)
        except ValueError:
            raise BadAnswer(f"not an HTTP status line: {status_line[:60]!r}") from None
        if not version.startswith("HTTP/1."):
            raise BadAnswer(f"not an HTTP/1.x answer: {version[:20]!r}")
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS):
            line = await _line(reader)
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        else:
            raise BadAnswer("too many header lines")
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await _chunked(reader)
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise BadAnswer("Content-Length is not a number") from None
            if not 0 <= length <= MAX_BODY:
                raise BadAnswer(f"an answer of {length} bytes is more than accepted")
            body = await reader.readexactly(length)
        elif status in (204, 304) or status < 200:
            body = b""
        else:
            body = await reader.read(MAX_BODY + 1)
            headers["connection"] = "close"  # the body ended with the connection
        if len(body) > MAX_BODY:
            raise BadAnswer("the answer is larger than accepted")
        return status, headers, body

    def _take(self, key: tuple[str, str, int]) -> Connection | None:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            if not connection[0].at_eof() and not connection[1].is_closing():
                return connection
            _close(connection)
        return None

    def _give_back(self, key: tuple[str, str, int], connection: Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if len(idle) < IDLE_PER_TARGET:
            idle.append(connection)
        else:
            _close(connection)

    async def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                _close(connection)
        self._idle.clear()


async def _line(reader: asyncio.StreamReader) -> str:
    try:
        raw = await reader.readuntil(b"\r\n")
    except asyncio.LimitOverrunError:
        raise BadAnswer("a header line is longer than accepted") from None
    return raw[:-2].decode("latin-1")


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = (await _line(reader)).split(";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise BadAnswer("a malformed chunk size") from None
        if size == 0:
            while await _line(reader):  # trailers
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise BadAnswer("the answer is larger than accepted")
        body += await reader.readexactly(size)
        await reader.readexactly(2)


def _response(request: Request, status: int, headers: dict[str, str], body: bytes) -> Response:
    rsc_header = headers.get("x-m2m-rsc", "")
    try:
        rsc = RSC(int(rsc_header)) if rsc_header else _FROM_HTTP.get(status, RSC.INTERNAL_SERVER_ERROR)
    except ValueError:
        rsc = _FROM_HTTP.get(status, RSC.INTERNAL_SERVER_ERROR)
    pc = None
    if body and "json" in headers.get("content-type", ""):
        try:
            pc = JSON.decode(body)
        except Exception:
            pc = None
    return Response(rsc, request.rqi, pc=pc)


def _close(connection: Connection | None) -> None:
    if connection is not None:
        connection[1].close()
