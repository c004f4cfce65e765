"""The Device Management operations, as CoAP requests to one registered device.

    Read              GET    /path                 2.05, values in the answer's format
    Discover          GET    /path  Accept: 40     2.05, link-format with attributes
    Write (replace)   PUT    /path  payload        2.04
    Write (partial)   POST   /oid/iid  payload     2.04
    Write-Attributes  PUT    /path?pmin=..         2.04, no payload
    Execute           POST   /oid/iid/rid  args    2.04
    Create            POST   /oid  payload         2.01, Location-Path oid/iid
    Delete            DELETE /oid/iid              2.02

Paths are prefixed with the device's root path. Requests go to the address of its last
Register or Update, from the server's socket, after the device is awake (queue mode).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from aiocoap import Message
from aiocoap.numbers.codes import Code

from ..attributes import Attributes, DiscoveredLink, parse_discover
from ..codec import ContentFormat, encode
from ..errors import CodecError, show
from ..objects import ObjectRegistry
from ..paths import INSTANCE_DEPTH, OBJECT_DEPTH, RESOURCE_DEPTH, RESOURCE_INSTANCE_DEPTH, Path, as_path, format_path
from ..registration import RegisteredObject
from ..tlv import Tlv, TlvKind, serialize_tlvs
from .coap_exchange import code_text, diagnostic, exchange, settle_quietly, tuning_for
from .config import ServerConfig
from .content import decode_answer, multi_value_formats, single_value_format
from .errors import BadResponse, DeviceError, DeviceTimeout, DeviceUnreachable
from .execute_args import ExecuteArgs, format_execute_args
from .results import ReadResult
from .session import Session

log = logging.getLogger(__name__)

LINK_FORMAT = 40
_UNSUPPORTED_FORMAT = 0x8F  # 4.15


def uri_path(session: Session, path: Path) -> tuple[str, ...]:
    root = tuple(p for p in session.registration.root_path.split("/") if p)
    return root + tuple(str(p) for p in path)


def _need_depth(path: Path, depths: Iterable[int], operation: str) -> None:
    allowed = tuple(depths)
    if len(path) not in allowed:
        names = {1: "an object", 2: "an object instance", 3: "a resource", 4: "a resource instance"}
        wanted = " or ".join(names[d] for d in allowed)
        raise CodecError(f"{operation} needs {wanted} path, not {format_path(path) or '/'}")


class DeviceRequests:
    def __init__(self, context: Any, config: ServerConfig, objects: ObjectRegistry) -> None:
        self.context = context
        self.config = config
        self.objects = objects

    # --- the one way out ------------------------------------------------------------------------

    def message(self, session: Session, code: Code, path: Path, **options: Any) -> Message:
        message = Message(code=code, uri_path=uri_path(session, path), **options)
        message.remote = session.remote
        return message

    async def send(self, session: Session, message: Message, timeout: float | None) -> Message:
        """Wait for the device to be awake, send, and return its answer (any code)."""
        _, response = await self.send_request(session, message, timeout)
        return response

    async def send_request(self, session: Session, message: Message, timeout: float | None) -> tuple[Any, Message]:
        """send(), also returning aiocoap's request object (an Observe's notifications hang on it).

        One exchange at a time per device, as CoAP's NSTART 1 asks: the next request waits for
        the device (bounded by its own timeout) instead of queueing inside aiocoap, where a
        timed-out exchange would keep it waiting and then fail it along with itself.
        """
        limit = self.config.request_timeout if timeout is None else timeout
        if not limit > 0:
            raise ValueError(f"a request timeout must be positive, not {timeout!r}")
        await session.wait_until_awake(self.config.max_held_requests, self.config.hold_timeout)
        try:
            await asyncio.wait_for(session.lock.acquire(), limit)
        except asyncio.TimeoutError:
            raise DeviceTimeout(f"{session.endpoint!r} stayed busy with earlier requests for {limit:g} s") from None
        release_later = False
        try:
            # The device may have moved (an Update from a new address) while the request waited.
            message.remote = session.remote
            message.transport_tuning = tuning_for(limit, self.config.ack_timeout, self.config.max_retransmit)
            request = self.context.request(message)
            response_future = asyncio.ensure_future(request.response)
            try:
                response = await exchange(response_future, limit, session.ended)
            except BaseException as failure:
                if not response_future.done():
                    # The exchange runs out by itself within limit; the device stays busy until then.
                    settle_quietly(response_future, session.lock.release)
                    release_later = True
                if isinstance(failure, (DeviceTimeout, DeviceUnreachable)):
                    self._note_failure(session, message, failure)
                raise
        finally:
            if not release_later:
                session.lock.release()
        session.unreachable = False
        return request, response

    def _note_failure(self, session: Session, message: Message, failure: Exception) -> None:
        if not session.is_ended:
            if session.queue_mode:
                session.fell_asleep()
            else:
                session.unreachable = True
        log.info("LwM2M %s %s on %s failed: %s", message.code, format_path(self._path_of(message, session)),
                 session.endpoint, failure)

    @staticmethod
    def _path_of(message: Message, session: Session) -> Path:
        segments = message.opt.uri_path[len(uri_path(session, ())) :]
        return tuple(int(s) for s in segments if s.isdigit())

    @staticmethod
    def _check(response: Message, operation: str, path: Path) -> None:
        if not response.code.is_successful():
            message = diagnostic(response) or f"{operation} {format_path(path)} failed"
            raise DeviceError(code_text(response.code), message)

    # --- operations -----------------------------------------------------------------------------

    async def read(
        self, session: Session, path: Path | str, content_format: int | None, timeout: float | None
    ) -> ReadResult:
        target = as_path(path)
        _need_depth(target, range(1, 5), "Read")
        options = {} if content_format is None else {"accept": int(content_format)}
        response = await self.send(session, self.message(session, Code.GET, target, **options), timeout)
        self._check(response, "Read", target)
        return self.decode(response, target)

    def decode(self, response: Message, path: Path) -> ReadResult:
        try:
            values, number = decode_answer(bytes(response.payload), response.opt.content_format, path, self.objects)
        except CodecError as exc:
            raise BadResponse(code_text(response.code), f"undecodable answer for {format_path(path)}: {exc}") from None
        return ReadResult(path, values, number)

    async def write(
        self,
        session: Session,
        path: Path | str,
        values: Mapping[Path | str, object] | object,
        *,
        partial: bool,
        content_format: int | None,
        timeout: float | None,
    ) -> None:
        target = as_path(path)
        if partial:
            # Partial update adds to an instance, or (1.1) adds instances to a multiple resource.
            _need_depth(target, (INSTANCE_DEPTH, RESOURCE_DEPTH), "a partial Write")
        else:
            _need_depth(target, (INSTANCE_DEPTH, RESOURCE_DEPTH, RESOURCE_INSTANCE_DEPTH), "Write")
        mapping = dict(values) if isinstance(values, Mapping) else {target: values}
        if not mapping and len(target) != RESOURCE_DEPTH:
            raise CodecError(f"nothing to write to {format_path(target)}")
        method = Code.POST if partial else Code.PUT
        if content_format is not None:
            formats = [ContentFormat(content_format)]
        elif self._one_value_at(target, mapping):
            rdef = self.objects.get_resource(target[0], target[2])
            formats = [single_value_format(rdef.type if rdef else None, next(iter(mapping.values())))]
        else:
            formats = self._formats(session)
        response: Message | None = None
        for cf in formats:
            payload = encode(mapping, cf, target, registry=self.objects)
            message = self.message(session, method, target, payload=payload, content_format=int(cf))
            response = await self.send(session, message, timeout)
            if response.code != _UNSUPPORTED_FORMAT:
                if response.code.is_successful() and len(formats) > 1:
                    session.write_format = cf
                break
            log.debug("LwM2M %s refused %s for %s; trying the next format",
                      session.endpoint, cf.name, format_path(target))
        assert response is not None
        self._check(response, "Write", target)

    def _one_value_at(self, target: Path, mapping: Mapping[Any, object]) -> bool:
        """The write is a single value for the resource (instance) at target itself."""
        if set(mapping) not in ({target}, {format_path(target)}) or len(target) < RESOURCE_DEPTH:
            return False
        rdef = self.objects.get_resource(target[0], target[2])
        return not (len(target) == RESOURCE_DEPTH and rdef is not None and rdef.multiple_instances)

    @staticmethod
    def _formats(session: Session) -> list[ContentFormat]:
        return multi_value_formats(session.lwm2m_version, session.registration.content_formats, session.write_format)

    async def execute(
        self, session: Session, path: Path | str, args: ExecuteArgs | str | None, timeout: float | None
    ) -> None:
        target = as_path(path)
        _need_depth(target, (RESOURCE_DEPTH,), "Execute")
        payload = format_execute_args(args)
        options: dict[str, Any] = {"content_format": int(ContentFormat.TEXT)} if payload else {}
        message = self.message(session, Code.POST, target, payload=payload, **options)
        response = await self.send(session, message, timeout)
        self._check(response, "Execute", target)

    async def create(
        self,
        session: Session,
        object_id: int,
        values: Mapping[Any, object],
        instance_id: int | None,
        content_format: int | None,
        timeout: float | None,
    ) -> int:
        (oid,) = as_path((object_id,))
        if instance_id is not None:
            as_path((oid, instance_id))
        if content_format is not None:
            cf = ContentFormat(content_format)
        else:
            cf = self._formats(session)[0]
        if instance_id is None and cf is not ContentFormat.TLV:
            # Only TLV can leave the instance id to the device; SenML names always carry one.
            instance_id = self._free_instance(session, oid)
        iid = 0 if instance_id is None else instance_id
        mapping = self._instance_values(oid, iid, values)
        if instance_id is None:
            payload = encode(mapping, cf, (oid, iid), registry=self.objects)
        elif not mapping:
            # An instance without values still needs its id on the wire: only TLV can say that.
            cf = ContentFormat.TLV
            payload = serialize_tlvs([Tlv(TlvKind.OBJECT_INSTANCE, instance_id, children=())])
        else:
            payload = encode(mapping, cf, (oid,), registry=self.objects)
        message = self.message(session, Code.POST, (oid,), payload=payload, content_format=int(cf))
        response = await self.send(session, message, timeout)
        self._check(response, "Create", (oid,))
        created = self._created_instance(response, oid, instance_id)
        self._note_instance(session, oid, created, present=True)
        return created

    @staticmethod
    def _instance_values(oid: int, iid: int, values: Mapping[Any, object]) -> dict[Path, object]:
        """Full paths for Create values keyed by resource id, (rid, riid) or full path."""
        if not isinstance(values, Mapping):
            raise CodecError(f"Create values must be a mapping, not {type(values).__name__}")
        out: dict[Path, object] = {}
        for key, value in values.items():
            if type(key) is int:
                path: Path = (oid, iid, key)
            elif isinstance(key, tuple) and len(key) == 2:
                path = (oid, iid, *key)
            else:
                path = as_path(key)
                if path[:2] != (oid, iid) or len(path) < RESOURCE_DEPTH:
                    raise CodecError(f"Create value {show(key)} is not a resource of /{oid}/{iid}")
            out[as_path(path)] = value
        return out

    @staticmethod
    def _free_instance(session: Session, oid: int) -> int:
        obj = session.registration.objects.get(oid)
        used = set(obj.instances) if obj else set()
        return next(i for i in range(65535) if i not in used)

    def _created_instance(self, response: Message, oid: int, instance_id: int | None) -> int:
        location = [s for s in response.opt.location_path if s]
        if location and location[-1].isdigit() and len(location) >= 2 and location[-2] == str(oid):
            created = int(location[-1])
            if created <= 65534 and (instance_id is None or created == instance_id):
                return created
            raise BadResponse(code_text(response.code), f"Create answered with location {'/'.join(location)!r}")
        if instance_id is not None:
            return instance_id
        raise BadResponse(code_text(response.code), "Create answered without the new instance's location")

    @staticmethod
    def _note_instance(session: Session, oid: int, iid: int, *, present: bool) -> None:
        """Keep the object list current until the device's next Update says so itself."""
        objects = dict(session.registration.objects)
        obj = objects.get(oid, RegisteredObject(oid))
        instances = set(obj.instances)
        if present:
            instances.add(iid)
        else:
            instances.discard(iid)
        objects[oid] = replace(obj, instances=tuple(sorted(instances)))
        session.registration = replace(session.registration, objects=objects)

    async def delete(self, session: Session, path: Path | str, timeout: float | None) -> None:
        target = as_path(path)
        _need_depth(target, (INSTANCE_DEPTH, RESOURCE_INSTANCE_DEPTH), "Delete")
        response = await self.send(session, self.message(session, Code.DELETE, target), timeout)
        self._check(response, "Delete", target)
        if len(target) == INSTANCE_DEPTH:
            self._note_instance(session, target[0], target[1], present=False)

    async def discover(self, session: Session, path: Path | str, timeout: float | None) -> list[DiscoveredLink]:
        target = as_path(path)
        _need_depth(target, (OBJECT_DEPTH, INSTANCE_DEPTH, RESOURCE_DEPTH), "Discover")
        response = await self.send(session, self.message(session, Code.GET, target, accept=LINK_FORMAT), timeout)
        self._check(response, "Discover", target)
        if response.opt.content_format not in (None, LINK_FORMAT):
            raise BadResponse(
                code_text(response.code), f"Discover answered in content format {response.opt.content_format}"
            )
        try:
            return parse_discover(bytes(response.payload), session.registration.root_path)
        except CodecError as exc:
            raise BadResponse(code_text(response.code), f"undecodable Discover answer: {exc}") from None

    async def write_attributes(
        self, session: Session, path: Path | str, attributes: Attributes, unset: Iterable[str], timeout: float | None
    ) -> None:
        target = as_path(path)
        _need_depth(target, range(1, 5), "Write-Attributes")
        query = attributes.to_query(unset)
        if not query:
            raise CodecError("Write-Attributes needs at least one attribute to set or unset")
        response = await self.send(session, self.message(session, Code.PUT, target, uri_query=tuple(query)), timeout)
        self._check(response, "Write-Attributes", target)

    # --- the bits observe needs -----------------------------------------------------------------

    def observe_message(self, session: Session, path: Path, content_format: int | None, observe: int) -> Message:
        options: dict[str, Any] = {"observe": observe}
        if content_format is not None:
            options["accept"] = int(content_format)
        return self.message(session, Code.GET, path, **options)

    def check(self, response: Message, operation: str, path: Path) -> None:
        self._check(response, operation, path)

