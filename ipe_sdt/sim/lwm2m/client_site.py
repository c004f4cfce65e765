"""The CoAP resources of a simulated device: the Device Management and Bootstrap interfaces.

Device management (from the registered server, under the device's root path):
    GET /p            Read (Accept picks the format), Discover (Accept 40), Observe 0 / 1
    PUT /p            Write (replace), or Write-Attributes when only Uri-Query is given
    POST /o/i, /o/i/r Write (partial update), Execute (resource)
    POST /o           Create
    DELETE /o/i       Delete
Bootstrap (only while bootstrapping): PUT writes anywhere, DELETE / or /o, GET Discover,
POST /bs finishes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiocoap import Message
from aiocoap import interfaces
from aiocoap.numbers.codes import Code
from aiocoap.resource import PathCapable, Resource

from ipe_sdt.lwm2m import (
    DEFAULT_REGISTRY,
    Attributes,
    CodecError,
    ContentFormat,
    DiscoveredLink,
    decode,
    encode,
    format_discover,
)
from ipe_sdt.lwm2m.codec import content_format
from ipe_sdt.lwm2m.paths import MAX_ID, RESOURCE_DEPTH, RESOURCE_INSTANCE_DEPTH, Path, format_path
from ipe_sdt.lwm2m.server.execute_args import parse_execute_args
from ipe_sdt.lwm2m.tlv import TlvKind, parse_tlvs
from ipe_sdt.lwm2m.values import Value

from .errors import SimError, bad_request, not_allowed, not_found
from .instance import ResourceValue, SimInstance

if TYPE_CHECKING:
    from .client import SimulatedDevice

log = logging.getLogger(__name__)

LINK_FORMAT = 40
FORMATS_1_0 = (ContentFormat.TLV, ContentFormat.LWM2M_JSON)
FORMATS_1_1 = (ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_JSON)


def supported_formats(version: str) -> tuple[ContentFormat, ...]:
    return FORMATS_1_0 if version == "1.0" else FORMATS_1_1


def preferred_format(version: str) -> ContentFormat:
    return ContentFormat.SENML_CBOR if version == "1.2" else ContentFormat.TLV


class ClientSite(Resource, PathCapable, interfaces.ObservableResource):
    def __init__(self, device: SimulatedDevice) -> None:
        super().__init__()
        self.device = device

    # --- aiocoap entry points ---------------------------------------------------------------------

    async def render(self, request: Message) -> Message:
        try:
            return self._render(request)
        except SimError as error:
            return Message(code=error.code, payload=error.message.encode("utf-8")[:200])
        except CodecError as exc:
            return Message(code=Code.BAD_REQUEST, payload=str(exc).encode("utf-8")[:200])
        except Exception:
            log.exception("%s: request failed", self.device.endpoint)
            return Message(code=Code.INTERNAL_SERVER_ERROR)

    async def add_observation(self, request: Message, serverobservation: Any) -> None:
        if self.device.bootstrapping or request.code != Code.GET or request.opt.accept == LINK_FORMAT:
            return
        try:
            path = self._path(request)
            if not path or self.device.faults.error_for(path) is not None:
                return
            self.device.store.read(path)
        except SimError:
            return  # not observable; render() gives the error answer
        self.device.observers.add(path, request.remote, serverobservation)

    # --- dispatch -------------------------------------------------------------------------------

    def _path(self, request: Message) -> Path:
        segments = list(request.opt.uri_path)
        root = self.device.root_segments
        if root and segments[: len(root)] == list(root):
            segments = segments[len(root) :]
        elif root and not self.device.bootstrapping:
            raise not_found("not under this device's root path")
        if segments == [""]:
            segments = []
        valid = all(s.isascii() and s.isdigit() and len(s) <= 5 and int(s) <= MAX_ID for s in segments)
        if len(segments) > 4 or not valid:
            raise not_found(f"not an LwM2M path: /{'/'.join(segments)}")
        return tuple(int(s) for s in segments)

    def _render(self, request: Message) -> Message:
        device = self.device
        if device.bootstrapping:
            return self._bootstrap(request)
        path = self._path(request)
        fault = device.faults.error_for(path)
        if fault is not None:
            device.faults.refused += 1
            return Message(code=fault, payload=b"simulated fault")
        code = request.code
        if code == Code.GET:
            if request.opt.accept == LINK_FORMAT:
                return self._discover(path)
            if request.opt.observe == 1:
                device.observers.cancel(request.remote, path)
            return self._read(path, request.opt.accept)
        if code == Code.PUT:
            if not request.payload and request.opt.uri_query:
                return self._write_attributes(path, request.opt.uri_query)
            return self._write(path, request, replace=True)
        if code == Code.POST:
            if len(path) == 1:
                return self._create(path[0], request)
            if len(path) == RESOURCE_DEPTH and self._is_executable(path):
                return self._execute(path, bytes(request.payload))
            return self._write(path, request, replace=False)
        if code == Code.DELETE:
            return self._delete(path)
        raise not_allowed(f"{code} is not an LwM2M operation")

    def _is_executable(self, path: Path) -> bool:
        instance = self.device.store.instance(path[0], path[1])
        rdef = instance.resource_def(path[2])
        return rdef is not None and rdef.executable

    # --- operations -----------------------------------------------------------------------------

    def _read(self, path: Path, accept: int | None) -> Message:
        values = self.device.store.read(path)
        if self.device.faults.garbles(path):
            return Message(code=Code.CONTENT, payload=b"\xff\x00garbage", content_format=int(ContentFormat.TLV))
        cf = self._answer_format(path, accept, values)
        payload = encode(values, cf, path)
        return Message(code=Code.CONTENT, payload=payload, content_format=int(cf))

    def _answer_format(self, path: Path, accept: int | None, values: Mapping[Path, Value]) -> ContentFormat:
        single = len(values) == 1 and next(iter(values)) == path
        version = self.device.lwm2m_version
        if accept is not None:
            try:
                cf = content_format(accept)
            except CodecError:
                raise SimError(Code.NOT_ACCEPTABLE, f"content format {accept} is not supported") from None
            if cf in (ContentFormat.TEXT, ContentFormat.OPAQUE):
                if not single:
                    raise SimError(Code.NOT_ACCEPTABLE, f"{cf.name} carries a single value")
                return cf
            if cf not in supported_formats(version):
                raise SimError(Code.NOT_ACCEPTABLE, f"content format {accept} is not supported")
            return cf
        if single and len(path) >= RESOURCE_DEPTH:
            return ContentFormat.OPAQUE if isinstance(values[path], bytes) else ContentFormat.TEXT
        return preferred_format(version)

    def _decode_request(self, path: Path, request: Message) -> dict[Path, Value]:
        number = request.opt.content_format
        if number is None:
            number = int(ContentFormat.TEXT) if len(path) >= RESOURCE_DEPTH else int(ContentFormat.TLV)
        try:
            cf = content_format(number)
        except CodecError:
            raise SimError(Code.UNSUPPORTED_CONTENT_FORMAT, f"content format {number} is not supported") from None
        if cf not in supported_formats(self.device.lwm2m_version) + (ContentFormat.TEXT, ContentFormat.OPAQUE):
            raise SimError(Code.UNSUPPORTED_CONTENT_FORMAT, f"content format {number} is not supported")
        if number in self.device.faults.unsupported_formats:
            self.device.faults.refused += 1
            raise SimError(Code.UNSUPPORTED_CONTENT_FORMAT, f"content format {number} is refused (simulated fault)")
        return decode(bytes(request.payload), cf, path)

    def _write(self, path: Path, request: Message, *, replace: bool, bootstrap: bool = False) -> Message:
        if len(path) < 2:
            raise not_allowed("Write needs an object instance or resource path")
        values = self._decode_request(path, request)
        store = self.device.store
        if bootstrap and len(path) >= 2 and path[1] not in store.instances(path[0]):
            # Bootstrap-Write creates the instance it writes to.
            store.create(path[0], path[1], self.device)
        instance = store.instance(path[0], path[1])
        grouped = self._group(instance, values, bootstrap=bootstrap)
        if not replace or len(path) != RESOURCE_DEPTH:
            for rid, value in grouped.items():
                instance.write(rid, value, replace=replace or len(path) == 2)
        else:
            # Replacing a resource: a multiple resource gets exactly the instances written.
            rid = path[2]
            instance.write(rid, grouped.get(rid, {}), replace=True)
        return Message(code=Code.CHANGED)

    def _group(
        self, instance: SimInstance, values: Mapping[Path, Value], *, bootstrap: bool
    ) -> dict[int, ResourceValue]:
        """Values per resource id, checked against the model before anything changes."""
        grouped: dict[int, ResourceValue] = {}
        for full, value in values.items():
            if full[:2] != instance.path or len(full) < RESOURCE_DEPTH:
                raise bad_request(f"{format_path(full)} is outside {format_path(instance.path)}")
            rdef = instance.resource_def(full[2])
            if rdef is None:
                raise not_found(f"{format_path(full[:3])} is not a resource of this object")
            if not bootstrap and not rdef.writable:
                raise not_allowed(f"{format_path(full[:3])} is not writable")
            if len(full) == RESOURCE_INSTANCE_DEPTH:
                bucket = grouped.setdefault(full[2], {})
                assert isinstance(bucket, dict)
                bucket[full[3]] = value
            else:
                grouped[full[2]] = value
        return grouped

    def _execute(self, path: Path, payload: bytes) -> Message:
        try:
            args = parse_execute_args(payload)
        except CodecError as exc:
            raise bad_request(str(exc)) from None
        self.device.store.instance(path[0], path[1]).execute(path[2], args)
        return Message(code=Code.CHANGED)

    def _create(self, object_id: int, request: Message) -> Message:
        store = self.device.store
        existing = store.instances(object_id)
        try:
            values = self._decode_request((object_id,), request)
            iids = {p[1] for p in values}
            if not iids and request.opt.content_format in (ContentFormat.TLV, ContentFormat.LEGACY_TLV):
                # An instance TLV without resources names its id but carries no values.
                iids = {e.id for e in parse_tlvs(bytes(request.payload)) if e.kind is TlvKind.OBJECT_INSTANCE}
        except CodecError:
            # A TLV Create without the instance wrapper: the device picks the instance id.
            free = next(i for i in range(MAX_ID) if i not in existing)
            values = self._decode_request((object_id, free), request)
            iids = {free}
        if len(iids) > 1:
            raise bad_request("Create makes one instance")
        iid = next(iter(iids)) if iids else None
        instance = store.create(object_id, iid, self.device)
        try:
            placed = {(object_id, instance.iid, *p[2:]): v for p, v in values.items()}
            grouped = self._group(instance, placed, bootstrap=False)
            for rid, value in grouped.items():
                instance.write(rid, value)
        except SimError:
            store.objects[object_id].pop(instance.iid, None)
            raise
        self.device.objects_changed((object_id,))
        return Message(code=Code.CREATED, location_path=(*self.device.root_segments, str(object_id), str(instance.iid)))

    def _delete(self, path: Path) -> Message:
        if len(path) != 2:
            raise not_allowed("Delete needs an object instance path")
        self.device.store.remove(path[0], path[1])
        self.device.objects_changed(path)
        return Message(code=Code.DELETED)

    def _write_attributes(self, path: Path, queries: Any) -> Message:
        if not path:
            raise bad_request("attributes cannot be written on the root")
        # The path must exist: attributes on nothing would never take effect.
        if len(path) > 2:
            self.device.store.read(path)
        elif len(path) == 2:
            self.device.store.instance(path[0], path[1])
        else:
            self.device.store.instances(path[0])
        try:
            attributes, unset = Attributes.from_query(queries)
            self.device.observers.write(path, attributes, unset)
        except (CodecError, ValueError) as exc:
            raise bad_request(str(exc)) from None
        return Message(code=Code.CHANGED)

    def _discover(self, path: Path, *, bootstrap: bool = False) -> Message:
        store = self.device.store
        observers = self.device.observers
        links: list[DiscoveredLink] = []
        if bootstrap:
            if len(path) > 1:
                raise bad_request("Bootstrap-Discover takes the root or an object")
            for oid in sorted(store.objects) if not path else [path[0]]:
                instances = store.instances(oid)
                params = {"ver": self._version(oid)} if self._version(oid) else {}
                links.append(DiscoveredLink((oid,), Attributes(), params))
                links.extend(DiscoveredLink((oid, iid)) for iid in sorted(instances))
            return Message(code=Code.CONTENT, payload=format_discover(links), content_format=LINK_FORMAT)
        if not path or path[0] == 0:
            raise not_found("nothing to discover there")
        if len(path) > RESOURCE_DEPTH:
            raise bad_request("Discover goes down to resources")
        instances = store.instances(path[0])
        if len(path) == 1:
            version = self._version(path[0])
            links.append(DiscoveredLink(path, observers.own(path), {"ver": version} if version else {}))
        chosen = [store.instance(path[0], path[1])] if len(path) > 1 else [instances[i] for i in sorted(instances)]
        for instance in chosen:
            if len(path) <= 2:
                links.append(DiscoveredLink(instance.path, observers.own(instance.path)))
            for rid in instance.present():
                if len(path) == RESOURCE_DEPTH and rid != path[2]:
                    continue
                rpath = (*instance.path, rid)
                own = observers.own(rpath)
                rdef = instance.resource_def(rid)
                if rdef is not None and rdef.multiple_instances and not rdef.executable:
                    value = instance.get(rid)
                    own = dataclasses.replace(own, dim=len(value) if isinstance(value, dict) else 0)
                links.append(DiscoveredLink(rpath, own))
            if len(path) == RESOURCE_DEPTH and not any(link.path == path for link in links):
                raise not_found(f"{format_path(path)} does not exist")
        return Message(code=Code.CONTENT, payload=format_discover(links), content_format=LINK_FORMAT)

    def _version(self, object_id: int) -> str | None:
        definition = DEFAULT_REGISTRY.get_object(object_id)
        if definition is None or definition.version == "1.0" or self.device.lwm2m_version == "1.0":
            return None
        return definition.version

    # --- bootstrap interface --------------------------------------------------------------------

    def _bootstrap(self, request: Message) -> Message:
        segments = tuple(request.opt.uri_path)
        if segments == ("bs",):
            if request.code != Code.POST:
                raise not_allowed("Bootstrap-Finish is a POST")
            return self.device.bootstrap_finished()
        path = self._path(request)
        if request.code == Code.PUT:
            if not path:
                raise bad_request("Bootstrap-Write needs an object path")
            if len(path) == 1:
                # A write to /oid carries whole instances; each one is created or replaced.
                values = self._decode_request(path, request)
                for iid in sorted({p[1] for p in values}):
                    part = {p: v for p, v in values.items() if p[1] == iid}
                    if iid not in self.device.store.instances(path[0]):
                        self.device.store.create(path[0], iid, self.device)
                    instance = self.device.store.instance(path[0], iid)
                    for rid, value in self._group(instance, part, bootstrap=True).items():
                        instance.write(rid, value)
                return Message(code=Code.CHANGED)
            return self._write(path, request, replace=True, bootstrap=True)
        if request.code == Code.DELETE:
            self.device.bootstrap_delete(path)
            return Message(code=Code.DELETED)
        if request.code == Code.GET:
            if request.opt.accept == LINK_FORMAT:
                return self._discover(path, bootstrap=True)
            if not path or path[0] not in (1, 11):
                raise not_allowed("Bootstrap-Read covers the Server and APN objects")
            values = self.device.store.read(path, check_access=False)
            cf = self._answer_format(path, request.opt.accept, values)
            return Message(code=Code.CONTENT, payload=encode(values, cf, path), content_format=int(cf))
        raise not_allowed("not a bootstrap operation")

