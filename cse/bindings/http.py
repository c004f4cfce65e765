"""HTTP binding (TS-0009): HTTP requests to request primitives, response primitives to HTTP."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

from aiohttp import ClientPayloadError, web
from aiohttp.http_exceptions import HttpProcessingError

from cse import releases, timestamps
from cse.bindings import query
from cse.errors import RequestError, bad_request
from cse.primitives import Operation, Request, Response
from cse.serialization import DEFAULT_MEDIA_TYPE, SerializationError, codec_for, negotiate
from cse.status import RSC, for_release

if TYPE_CHECKING:
    from cse.core.engine import CSE

log = logging.getLogger("cse.http")

_METHODS = {"GET": Operation.RETRIEVE, "PUT": Operation.UPDATE, "DELETE": Operation.DELETE, "POST": Operation.CREATE}

# TS-0009 table 6.3.2-1: the HTTP status for each response status code; unlisted errors are 500.
HTTP_STATUS: dict[int, int] = {
    RSC.ACCEPTED: 202, RSC.ACCEPTED_NON_BLOCKING_SYNCH: 202, RSC.ACCEPTED_NON_BLOCKING_ASYNCH: 202,
    RSC.OK: 200, RSC.CREATED: 201, RSC.DELETED: 200, RSC.UPDATED: 200,
    RSC.BAD_REQUEST: 400, RSC.CONTENTS_UNACCEPTABLE: 400, RSC.GROUP_MEMBER_TYPE_INCONSISTENT: 400,
    RSC.INVALID_TRIGGER_PURPOSE: 400, RSC.MAX_NUMBER_OF_MEMBER_EXCEEDED: 400, RSC.INVALID_CMDTYPE: 400,
    RSC.INVALID_ARGUMENTS: 400, RSC.INSUFFICIENT_ARGUMENTS: 400,
    RSC.SUBSCRIPTION_CREATOR_HAS_NO_PRIVILEGE: 403, RSC.ORIGINATOR_HAS_NO_PRIVILEGE: 403,
    RSC.RECEIVER_HAS_NO_PRIVILEGE: 403, RSC.TARGET_NOT_SUBSCRIBABLE: 403,
    RSC.SUBSCRIPTION_HOST_HAS_NO_PRIVILEGE: 403, RSC.SECURITY_ASSOCIATION_REQUIRED: 403,
    RSC.INVALID_CHILD_RESOURCE_TYPE: 403, RSC.NO_MEMBERS: 403, RSC.ORIGINATOR_HAS_ALREADY_REGISTERED: 403,
    RSC.APP_RULE_VALIDATION_FAILED: 403, RSC.OPERATION_DENIED_BY_REMOTE_ENTITY: 403,
    RSC.ORIGINATOR_HAS_NOT_REGISTERED: 403,
    RSC.NOT_FOUND: 404, RSC.TARGET_NOT_REACHABLE: 404, RSC.REMOTE_ENTITY_NOT_REACHABLE: 404,
    RSC.EXTERNAL_OBJECT_NOT_REACHABLE: 404, RSC.EXTERNAL_OBJECT_NOT_FOUND: 404,
    RSC.OPERATION_NOT_ALLOWED: 405,
    RSC.NOT_ACCEPTABLE: 406,
    RSC.GROUP_REQUEST_IDENTIFIER_EXISTS: 409, RSC.CONFLICT: 409, RSC.ALREADY_EXISTS: 409,
    RSC.ALREADY_COMPLETE: 409, RSC.MGMT_COMMAND_NOT_CANCELLABLE: 409,
    RSC.UNSUPPORTED_MEDIA_TYPE: 415,
    RSC.RELEASE_VERSION_NOT_SUPPORTED: 501, RSC.SPECIALIZATION_SCHEMA_NOT_FOUND: 501, RSC.NOT_IMPLEMENTED: 501,
    RSC.NON_BLOCKING_SYNCH_REQUEST_NOT_SUPPORTED: 501,
    RSC.REQUEST_TIMEOUT: 504,
}

# TS-0009 clause 6.3.3: the Reason-Phrase is omitted (the status line ends after the code).
_NO_REASON = ""
# Successful operations that changed the resource tree.
_WRITES_DONE = frozenset({RSC.CREATED, RSC.UPDATED, RSC.DELETED})


class HttpBinding:
    def __init__(self, cse: "CSE", host: str, port: int) -> None:
        self._cse = cse
        self._host = host
        self._port = port
        self._runner: web.ServerRunner | None = None
        self._attribute_names: set[str] = set()
        self.port = port

    async def start(self) -> None:
        self._attribute_names = self._cse.registry.attribute_names()
        server = web.Server(self._handle, access_log=None)
        self._runner = web.ServerRunner(server, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port, reuse_address=True)
        await site.start()
        # Port 0 asks the OS for a free port: report the one we got.
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    async def _handle(self, http: web.BaseRequest) -> web.StreamResponse:
        rqi = http.headers.get("X-M2M-RI", "")
        rvi = http.headers.get("X-M2M-RVI", releases.DEFAULT)
        accept = http.headers.get("Accept")
        content_type = http.headers.get("Content-Type", "")
        media, _, parameters = content_type.partition(";")
        reply_media = negotiate(accept, media.strip().lower() if codec_for(media) else DEFAULT_MEDIA_TYPE)
        try:
            if reply_media is None:
                raise RequestError(RSC.NOT_ACCEPTABLE, f"none of the media types in Accept ({accept!r}) is supported")
            request = await self._to_request(http, rqi, rvi, media.strip(), parameters)
        except RequestError as error:
            failure = self._failure(error.rsc, error.message, rqi, rvi)
            return self._to_http(failure, reply_media or DEFAULT_MEDIA_TYPE, rvi)
        except Exception:
            # A bug in the binding must still produce a oneM2M answer, not a bare HTTP 500.
            log.exception("request %s could not be read", rqi)
            failure = self._failure(RSC.INTERNAL_SERVER_ERROR, "internal error; see the CSE log", rqi, rvi)
            return self._to_http(failure, reply_media or DEFAULT_MEDIA_TYPE, rvi)
        response = await self._cse.handle(request)
        return self._to_http(response, reply_media, rvi)

    @staticmethod
    def _failure(rsc: RSC, message: str, rqi: str, rvi: str) -> Response:
        """A request refused by the binding, shaped like the core's own error responses."""
        return Response(for_release(rsc, rvi), rqi, pc={"m2m:dbg": message},
                        rvi=rvi if rvi in releases.SUPPORTED else releases.LATEST,
                        ot=timestamps.format_ts(timestamps.now()))

    async def _to_request(self, http: web.BaseRequest, rqi: str, rvi: str, media: str, parameters: str) -> Request:
        op = _METHODS.get(http.method)
        if op is None:
            raise RequestError(RSC.OPERATION_NOT_ALLOWED, f"HTTP method {http.method} has no oneM2M meaning")
        if not rqi:
            raise bad_request("the X-M2M-RI header (request identifier) is missing")
        ty = _resource_type(parameters)
        request = Request(
            op=op,
            to=_target(http.raw_path),
            fr=http.headers.get("X-M2M-Origin"),
            rqi=rqi,
            rvi=rvi,
            ty=ty,
            ot=http.headers.get("X-M2M-OT"),
            rqet=http.headers.get("X-M2M-RET"),
            rset=http.headers.get("X-M2M-RST"),
            oet=http.headers.get("X-M2M-OET"),
            gid=http.headers.get("X-M2M-GID"),
            peer=http.remote,
        )
        if "X-M2M-RTU" in http.headers:
            request.rtu = [uri for uri in http.headers["X-M2M-RTU"].split("&") if uri]
        if "X-M2M-EC" in http.headers:
            try:
                request.ec = int(http.headers["X-M2M-EC"])
            except ValueError:
                raise bad_request("the X-M2M-EC header (event category) is not a number") from None
        query_string = http.raw_path.partition("?")[2]
        query.apply(request, parse_qsl(query_string, keep_blank_values=True), self._attribute_names)
        body = await self._read_body(http)
        if body:
            if op in (Operation.RETRIEVE, Operation.DELETE):
                raise bad_request(f"a {op.name} request carries no content")
            codec = codec_for(media) if media else None
            if codec is None:
                raise RequestError(
                    RSC.UNSUPPORTED_MEDIA_TYPE,
                    f"Content-Type {media or '(none)'!r} is not supported: use application/json, "
                    "application/cbor or application/xml (or their vnd.onem2m-res forms)",
                )
            try:
                request.pc = codec.decode(body)
            except SerializationError as exc:
                raise bad_request(str(exc)) from None
            request.lenient_types = codec.lenient_types
        elif op in (Operation.CREATE, Operation.UPDATE):
            raise bad_request(f"a {op.name} request needs content")
        # Checked after the body, so that an unsupported Content-Type is named as the problem.
        if op == Operation.CREATE and ty is None:
            raise bad_request(
                "a POST without 'ty' in its Content-Type is a Notify, which this CSE does not accept "
                "for its own resources; to create a resource add ';ty=<type>' to the Content-Type"
            )
        return request

    async def _read_body(self, http: web.BaseRequest) -> bytes:
        """The whole body, refused as soon as it is known to exceed ``max_body_size``.

        A declared Content-Length over the limit is refused before reading anything; a chunked
        body is read only up to one byte past the limit.
        """
        limit = self._cse.settings.max_body_size
        declared = http.content_length
        if declared is not None and declared > limit:
            raise bad_request(f"the request body of {declared} bytes exceeds the limit of {limit} bytes")
        parts: list[bytes] = []
        size = 0
        try:
            # read(n) returns what has arrived so far (up to n bytes), not n bytes: loop to EOF.
            while size <= limit:
                part = await http.content.read(limit + 1 - size)
                if not part:
                    break
                parts.append(part)
                size += len(part)
        except (asyncio.IncompleteReadError, ConnectionError, HttpProcessingError, ClientPayloadError) as exc:
            raise bad_request(f"the request body could not be read: {exc}") from None
        if size > limit:
            raise bad_request(f"the request body exceeds the limit of {limit} bytes")
        return b"".join(parts)

    def _to_http(self, response: Response, media: str, rvi: str) -> web.Response:
        headers = {"X-M2M-RSC": str(int(response.rsc)), "X-M2M-RI": response.rqi}
        # X-M2M-RVI exists from release 2a on; a release 1 originator does not get it.
        if rvi != "1" and response.rvi:
            headers["X-M2M-RVI"] = response.rvi
        if response.ot:
            headers["X-M2M-OT"] = response.ot
        if response.location:
            headers["Content-Location"] = "/" + response.location
        body = b""
        if response.pc is not None:
            try:
                body = codec_for(media).encode(response.pc)
            except SerializationError as exc:
                # The content has no form in this serialization (e.g. a JSON key that is no XML
                # name): never send a broken document.
                log.info("response %s has no %s form: %s", response.rqi, media, exc)
                if response.rsc in _WRITES_DONE:
                    # The operation took place; a 406 would tell the originator it did not.
                    # TS-0009 clause 6.4.3 only says the answer *should* follow Accept.
                    return self._to_http(response, DEFAULT_MEDIA_TYPE, rvi)
                return self._unrepresentable(media, headers, str(exc))
            except (TypeError, ValueError, OverflowError) as exc:
                log.error("cannot serialize response %s as %s: %s", response.rqi, media, exc)
                headers["X-M2M-RSC"] = str(int(RSC.INTERNAL_SERVER_ERROR))
                body = codec_for(DEFAULT_MEDIA_TYPE).encode({"m2m:dbg": "the response could not be serialized"})
                headers["Content-Type"] = DEFAULT_MEDIA_TYPE
                return web.Response(status=500, reason=_NO_REASON, body=body, headers=headers)
            headers["Content-Type"] = media
        status = HTTP_STATUS.get(response.rsc, 500)
        return web.Response(status=status, reason=_NO_REASON, body=body, headers=headers)

    @staticmethod
    def _unrepresentable(media: str, headers: dict[str, str], reason: str) -> web.Response:
        """NOT_ACCEPTABLE for a result that only other serializations can carry."""
        headers["X-M2M-RSC"] = str(int(RSC.NOT_ACCEPTABLE))
        dbg = {"m2m:dbg": f"the result cannot be represented as {media}: {reason}; ask for another serialization"}
        try:
            body = codec_for(media).encode(dbg)
        except SerializationError:
            media = DEFAULT_MEDIA_TYPE
            body = codec_for(media).encode(dbg)
        headers["Content-Type"] = media
        return web.Response(status=HTTP_STATUS[RSC.NOT_ACCEPTABLE], reason=_NO_REASON, body=body, headers=headers)


def _resource_type(parameters: str) -> int | None:
    """The 'ty' media type parameter of a Create (TS-0009 clause 6.4.7), if present."""
    ty = None
    for parameter in parameters.split(";"):
        key, _, value = parameter.strip().partition("=")
        if key.strip().lower() == "ty":
            try:
                ty = int(value.strip().strip('"'))
            except ValueError:
                raise bad_request(f"Content-Type parameter ty={value!r} is not a resource type number") from None
    return ty


def _target(raw_path: str) -> str:
    """The 'to' parameter from an HTTP path (TS-0009 clause 6.2.2.1)."""
    path = unquote(raw_path.partition("?")[0])
    if path.startswith("/~/"):
        return path[2:]  # SP-relative: '/id-in/...'
    if path == "/~":
        return ""
    if path.startswith("/_/"):
        return "/" + path[2:]  # absolute: '//sp-id/id-in/...'
    return path[1:]
