"""CoAP binding (TS-0008): CoAP requests to request primitives, response primitives to CoAP.

Built on aiocoap, which does the messaging layer: Confirmable and Non-confirmable requests,
piggy-backed responses and, for an operation slower than EMPTY_ACK_DELAY (0.1 s), an empty ACK
and a separate Confirmable response, and retransmissions. ``coap_transport`` binds the UDP
endpoint exclusively, rejects malformed datagrams as RFC 7252 says and detects duplicates by
Message ID in bounded memory (a duplicate Confirmable request gets the stored response again, a
duplicate Non-confirmable one is dropped); ``coap_blockwise`` does Block1/Block2 within the CSE's
limits; ``coap_options`` holds the TS-0008 tables this module reads.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
from typing import TYPE_CHECKING, Any, Iterable

import aiocoap
from aiocoap import Message
from aiocoap.numbers.codes import Code
from aiocoap.optiontypes import BlockOption, StringOption, UintOption

from cse import releases, timestamps
from cse.bindings import coap_options as opt
from cse.bindings import query, request_primitive
from cse.bindings.coap_blockwise import (
    REQUEST_ENTITY_INCOMPLETE,
    REQUEST_ENTITY_TOO_LARGE,
    Block1Assembler,
    Block2Cache,
    BlockError,
    block_of,
    exchange_key,
    needs_blocks,
    wanted_size_exponent,
)
from cse.bindings.coap_options import CONTENT_FORMATS, JSON_FORMAT, ContentFormat, Kind
from cse.bindings.coap_transport import TRUNCATED, add_server_endpoint
from cse.errors import RequestError, bad_request
from cse.primitives import Operation, Request, Response
from cse.serialization import SerializationError, codec_for
from cse.status import RSC, for_release

if TYPE_CHECKING:
    from cse.core.engine import CSE

log = logging.getLogger("cse.coap")

_RSC, _RQI, _RVI, _OT = (opt.NUMBER_OF[name] for name in ("rsc", "rqi", "rvi", "ot"))
# The block size this server uses and prefers: 1024 bytes, the largest for CoAP over UDP.
BLOCK_SIZE_EXPONENT = 6
# Exchanges remembered for duplicate detection: about 50 MB at most (under 1 kB each), and the
# full EXCHANGE_LIFETIME (247 s) up to 265 requests a second; beyond, a window that shrinks with
# the load (26 s at 2500 a second, which still covers retransmissions at about 2, 6 and 14 s).
DUPLICATE_DETECTION_CAPACITY = 65_536


class CoapBinding:
    def __init__(self, cse: "CSE", host: str, port: int) -> None:
        self._cse = cse
        self._host = host
        self._port = port
        self.port = port
        self._context: aiocoap.Context | None = None
        self._attribute_names: set[str] = set()
        self._block1 = Block1Assembler(cse.settings.max_body_size)
        self._block2 = Block2Cache()

    async def start(self) -> None:
        self._attribute_names = self._cse.registry.attribute_names()
        context = aiocoap.Context(loop=asyncio.get_running_loop(), serversite=_Site(self),
                                  loggername="cse.coap.transport")
        endpoint, _ = await add_server_endpoint(
            context, self._host, self._port, _rejects_non, capacity=DUPLICATE_DETECTION_CAPACITY,
        )
        self._context = context
        self.port = endpoint.port

    async def stop(self) -> None:
        if self._context is not None:
            await self._context.shutdown()
            self._context = None

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"coap://{host}:{self.port}"

    # -- one request ---------------------------------------------------------------------------

    async def respond(self, message: Message) -> Message:
        values, problem = opt.read(message.opt)
        rqi = values.get("rqi", "")
        rvi = values.get("rvi") or releases.DEFAULT
        reply_format = _reply_format(message)
        if getattr(message, TRUNCATED, False):
            refusal = self._refusal(REQUEST_ENTITY_TOO_LARGE, "the datagram was larger than this CSE receives "
                                    "in one piece: send the content block-wise (Block1)", rqi, rvi, reply_format)
            refusal.opt.size1 = self._block1.limit
            refusal.opt.block1 = BlockOption.BlockwiseTuple(0, False, BLOCK_SIZE_EXPONENT)
            return refusal
        if problem is not None:
            return self._refusal(problem.code, problem.reason, rqi, rvi, reply_format)
        block2 = message.opt.block2
        if block2 is not None and block2.block_number > 0:
            return await self._later_block(message, values, reply_format)
        try:
            whole = self._block1.feed(message)
        except BlockError as error:
            refusal = self._refusal(error.code, error.reason, rqi, rvi, reply_format)
            if error.size1 is not None:
                refusal.opt.size1 = error.size1
            return refusal
        if whole is None:
            return Message(code=Code.CONTINUE, block1=message.opt.block1)
        response = await self._exchange(whole, values, reply_format)
        return self._first_block(whole, response)

    def internal_error(self, message: Message) -> Message:
        values, _ = opt.read(message.opt)
        rvi = values.get("rvi") or releases.DEFAULT
        failure = _failure(RSC.INTERNAL_SERVER_ERROR, "internal error; see the CSE log", values.get("rqi", ""), rvi)
        return self._to_message(failure, JSON_FORMAT, None, rvi)

    async def _exchange(self, message: Message, values: dict[str, Any], reply_format: ContentFormat | None) -> Message:
        rqi = values.get("rqi", "")
        rvi = values.get("rvi") or releases.DEFAULT
        try:
            if reply_format is None:
                raise RequestError(RSC.NOT_ACCEPTABLE, f"Accept {int(message.opt.accept)} is not a Content-Format "
                                   "this CSE answers with (50, 60, 41, 10001, 10010, 10014)")
            request = self._to_request(message, values)
        except RequestError as error:
            failure = _failure(error.rsc, error.message, rqi, rvi)
            response = self._to_message(failure, reply_format or JSON_FORMAT, None, rvi)
        else:
            answer = await self._cse.handle(request)
            response = self._to_message(answer, reply_format, request.op, request.rvi)
        if message.opt.block1 is not None:
            response.opt.block1 = message.opt.block1  # RFC 7959 clause 2.3: the last block's echo
        return response

    def _first_block(self, request: Message, response: Message) -> Message:
        if not needs_blocks(response, request, BLOCK_SIZE_EXPONENT):
            return response
        self._block2.put(exchange_key(request), response)
        return block_of(response, 0, wanted_size_exponent(request, BLOCK_SIZE_EXPONENT))

    async def _later_block(self, message: Message, values: dict[str, Any], reply_format: ContentFormat | None) -> Message:
        rqi = values.get("rqi", "")
        rvi = values.get("rvi") or releases.DEFAULT
        block2 = message.opt.block2
        if block2.size_exponent == 7:
            return self._refusal(opt.coap_code("4.00"), "Block2 size exponent 7 (BERT) is not defined for UDP",
                                 rqi, rvi, reply_format)
        key = exchange_key(message)
        whole = self._block2.get(key)
        if whole is None:
            if int(message.code) not in (opt.GET, opt.FETCH):
                return self._refusal(REQUEST_ENTITY_INCOMPLETE, "the response this block belongs to is no longer "
                                     "kept: send the request again", rqi, rvi, reply_format)
            # A retrieval may simply be done again (a client may also start at a later block).
            whole = await self._exchange(message, values, reply_format)
            whole.opt.block1 = None
            self._block2.put(key, whole)
        try:
            block = block_of(whole, block2.block_number, block2.size_exponent)
        except BlockError as error:
            return self._refusal(error.code, error.reason, rqi, rvi, reply_format)
        block.opt.block1 = None
        return block

    def _refusal(self, code: int, reason: str, rqi: str, rvi: str, reply_format: ContentFormat | None) -> Message:
        """A CoAP-level refusal that still tells a oneM2M originator what happened (4000 + m2m:dbg)."""
        failure = _failure(RSC.BAD_REQUEST, reason, rqi, rvi)
        return self._to_message(failure, reply_format or JSON_FORMAT, None, rvi, code=code)

    # -- CoAP to request primitive -------------------------------------------------------------

    def _to_request(self, message: Message, values: dict[str, Any]) -> Request:
        method = int(message.code)
        op = opt.METHODS.get(method)
        if op is None:
            raise RequestError(RSC.OPERATION_NOT_ALLOWED, f"CoAP method {message.code} has no oneM2M meaning")
        pairs: list[tuple[str, str]] = []
        explicit_op = None
        for item in message.opt.uri_query:
            name, _, value = item.partition("=")
            if name == "op":
                explicit_op = _operation(method, op, value)
                continue
            # oneM2M separates list values with '+' in the query (TS-0009 too); query.apply splits on blanks.
            pairs.append((name, value.replace("+", " ")))
        request = Request(
            op=explicit_op or op,
            to=_target(message.opt.uri_path),
            fr=values.get("fr"),
            rqi=values.get("rqi", ""),
            rvi=values.get("rvi") or releases.DEFAULT,
            ty=values.get("ty"),
            ot=_time(values, "ot", durations=False),
            rqet=_time(values, "rqet"),
            rset=_time(values, "rset"),
            oet=_time(values, "oet"),
            gid=values.get("gid"),
            ec=values.get("ec"),
            peer=_peer(message.remote),
        )
        if "rtu" in values:
            request.rtu = [uri for uri in values["rtu"].split("&") if uri]
        query.apply(request, pairs, self._attribute_names)
        self._read_payload(message, request, method)
        if method == opt.POST and explicit_op is None and request.ty is None:
            raise bad_request(
                "a POST without oneM2M-TY (option 267) is a Notify, which this CSE does not accept for its "
                "own resources; to create a resource add the resource type in oneM2M-TY"
            )
        if request.op in (Operation.CREATE, Operation.UPDATE) and request.pc is None:
            raise bad_request(f"a {request.op.name} request needs content")
        if not request.rqi:
            raise bad_request("the oneM2M-RQI option (283, request identifier) is missing")
        return request

    def _read_payload(self, message: Message, request: Request, method: int) -> None:
        if not message.payload:
            return
        number = message.opt.content_format
        content_format = CONTENT_FORMATS.get(int(number)) if number is not None else None
        if content_format is None or content_format.kind in (Kind.NTFY, Kind.PRSP):
            raise RequestError(
                RSC.UNSUPPORTED_MEDIA_TYPE,
                f"Content-Format {int(number) if number is not None else '(none)'} is not supported in a request: use "
                "50 (JSON), 60 (CBOR), 41 (XML), their oneM2M forms 10001, 10010, 10014, or a request "
                "primitive as 10007, 10012, 10006",
            )
        codec = codec_for(content_format.codec)
        try:
            content = codec.decode(message.payload)
        except SerializationError as exc:
            raise bad_request(str(exc)) from None
        if content_format.kind is Kind.PREQ:
            request_primitive.apply(request, content, self._attribute_names, codec.lenient_types)
            return
        if method == opt.FETCH:
            raise RequestError(RSC.UNSUPPORTED_MEDIA_TYPE, "a FETCH carries a request primitive: Content-Format "
                               "10007 (JSON), 10012 (CBOR) or 10006 (XML)")
        if request.op in (Operation.RETRIEVE, Operation.DELETE):
            raise bad_request(f"a {request.op.name} request carries no content")
        request.pc = content
        request.lenient_types = codec.lenient_types

    # -- response primitive to CoAP ------------------------------------------------------------

    def _to_message(self, response: Response, reply_format: ContentFormat, op: Operation | None, rvi: str,
                    code: int | None = None) -> Message:
        message = Message(code=code if code is not None else opt.code_for(response.rsc, op))
        options = message.opt
        options.add_option(UintOption(_RSC, int(response.rsc)))
        if response.rqi:
            options.add_option(StringOption(_RQI, response.rqi))
        # oneM2M-RVI exists from release 2a on; a release 1 originator does not get it (as over HTTP).
        if rvi != "1" and response.rvi:
            options.add_option(StringOption(_RVI, response.rvi))
        if response.ot:
            options.add_option(StringOption(_OT, opt.basic_timestamp(response.ot)))
        # TS-0008 clause 6.4: Max-Age 0 keeps CoAP caches from answering in the CSE's place.
        options.max_age = 0
        if response.location:
            options.location_path = _location_path(response.location)
        if response.pc is None or (op == Operation.NOTIFY and response.rsc == RSC.OK):
            return message
        try:
            message.payload = codec_for(reply_format.codec).encode(response.pc)
        except SerializationError as exc:
            # The content has no form in this serialization (e.g. a key that is no XML name).
            log.info("response %s has no %s form: %s", response.rqi, reply_format.media, exc)
            return self._unrepresentable(response, reply_format, rvi, str(exc))
        except (TypeError, ValueError, OverflowError) as exc:
            log.error("cannot serialize response %s as %s: %s", response.rqi, reply_format.media, exc)
            failure = _failure(RSC.INTERNAL_SERVER_ERROR, "the response could not be serialized", response.rqi, rvi)
            return self._to_message(failure, JSON_FORMAT, None, rvi)
        options.content_format = reply_format.number
        return message

    def _unrepresentable(self, response: Response, reply_format: ContentFormat, rvi: str, reason: str) -> Message:
        dbg = f"the result cannot be represented as {reply_format.media}: {reason}; ask for another serialization"
        failure = _failure(RSC.NOT_ACCEPTABLE, dbg, response.rqi, rvi)
        try:
            codec_for(reply_format.codec).encode(failure.pc)
        except SerializationError:
            reply_format = JSON_FORMAT
        return self._to_message(failure, reply_format, None, rvi)


class _Site:
    """What aiocoap calls for every request that reaches the server."""

    def __init__(self, binding: CoapBinding) -> None:
        self._binding = binding

    async def render_to_pipe(self, pipe: Any) -> None:
        request = pipe.request
        try:
            response = await self._binding.respond(request)
        except Exception:
            # A bug in the binding must still produce a oneM2M answer, not aiocoap's bare 5.00.
            log.exception("CoAP request from %s could not be handled", request.remote)
            response = self._binding.internal_error(request)
        pipe.add_response(response, is_last=True)


def _rejects_non(message: Message) -> bool:
    return opt.read(message.opt)[1] is not None


def _reply_format(message: Message) -> ContentFormat | None:
    """The Content-Format to answer with: Accept if given (None if unsupported), else the
    request's own serialization as a representation, else JSON."""
    accept = message.opt.accept
    if accept is not None:
        wanted = CONTENT_FORMATS.get(int(accept))
        return wanted if wanted is not None and wanted.kind in opt.REPRESENTATION_KINDS else None
    number = message.opt.content_format
    sent = CONTENT_FORMATS.get(int(number)) if number is not None else None
    if sent is None:
        return JSON_FORMAT
    return sent if sent.kind in opt.REPRESENTATION_KINDS else opt.PLAIN_FOR_CODEC[sent.codec]


def _failure(rsc: RSC, message: str, rqi: str, rvi: str) -> Response:
    return Response(for_release(rsc, rvi), rqi, pc={"m2m:dbg": message},
                    rvi=rvi if rvi in releases.SUPPORTED else releases.LATEST)


def _operation(method: int, mapped: Operation, value: str) -> Operation:
    """The Operation parameter in Uri-Query (TS-0008 clause 6.2.2.3): non-blocking requests are
    POSTs that name their operation."""
    try:
        op = Operation(int(value))
        if op == Operation.DISCOVERY:
            raise ValueError
    except ValueError:
        raise bad_request(f"query parameter op={value!r} is not an operation (1 to 5)") from None
    if method != opt.POST and op != mapped:
        raise bad_request(f"query parameter op={value} contradicts the CoAP method")
    return op


def _target(segments: Iterable[str]) -> str:
    """The 'to' parameter from Uri-Path options (TS-0008 clause 6.2.2.3, Table 6.2.2.3-1)."""
    path = list(segments)
    if not path:
        return ""
    if path[0] == "~":
        return "/" + "/".join(path[1:]) if len(path) > 1 else ""  # SP-relative: '/id-in/...'
    if path[0] == "_":
        return "//" + "/".join(path[1:])  # absolute: '//sp-id/id-in/...'
    return "/".join(path)


def _location_path(location: str) -> tuple[str, ...]:
    if location.startswith("//"):
        return ("_", *location[2:].split("/"))
    if location.startswith("/"):
        return ("~", *location[1:].split("/"))
    return tuple(location.split("/"))


def _time(values: dict[str, Any], name: str, durations: bool = True) -> str | None:
    """A time option as sent, once checked: an absolute timestamp or, where allowed, milliseconds."""
    value = values.get(name)
    if value is None:
        return None
    if durations and value.strip().isdigit():
        return value
    try:
        timestamps.parse(value)
    except ValueError:
        allowed = "a timestamp (YYYYMMDDThhmmss)" + (" or a duration in milliseconds" if durations else "")
        option = opt.BY_NUMBER[opt.NUMBER_OF[name]]
        raise bad_request(f"option {option.name} ({option.number}) {value!r} is not {allowed}") from None
    return value


def _peer(remote: Any) -> str | None:
    """The client's IP address, as access control (acip) compares it."""
    sockaddr = getattr(remote, "sockaddr", None)
    return _plain_address(str(sockaddr[0])) if sockaddr else None


@functools.lru_cache(maxsize=4096)
def _plain_address(address: str) -> str | None:
    """'::ffff:192.0.2.1' -> '192.0.2.1'. Cached: parsing it for every request costs more than
    the rest of the request's mapping (clients are few, requests many)."""
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None
    mapped = getattr(parsed, "ipv4_mapped", None)
    return str(mapped or parsed)
