"""OMA TLV (application/vnd.oma.lwm2m+tlv, content format 11542).

Each entry is a type byte, a 1- or 2-byte identifier, an optional 1..3-byte length and the value:

    bits 7-6  identifier kind: 00 object instance, 01 resource instance,
              10 multiple resource, 11 resource with value
    bit 5     identifier length: 0 = 8 bits, 1 = 16 bits
    bits 4-3  length field size: 00 = none (length in bits 2-0), 01/10/11 = 8/16/24 bits
    bits 2-0  the value length when bits 4-3 are 00

Object instances nest resources and multiple resources; multiple resources nest resource
instances. TLV does not carry value types, so decoding types values by the object model.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from .errors import CodecError, show
from .model import ResourceType
from .objects import ObjectRegistry
from .paths import (
    INSTANCE_DEPTH,
    OBJECT_DEPTH,
    RESOURCE_DEPTH,
    RESOURCE_INSTANCE_DEPTH,
    Path,
    format_path,
)
from .values import (
    INT64_MAX,
    INT64_MIN,
    UINT64_MAX,
    ObjectLink,
    Value,
    check_depth,
    resource_def,
    seconds_to_time,
)

MAX_LENGTH = 0xFFFFFF


class TlvKind(IntEnum):
    OBJECT_INSTANCE = 0
    RESOURCE_INSTANCE = 1
    MULTIPLE_RESOURCE = 2
    RESOURCE = 3


_CONTAINERS = {
    TlvKind.OBJECT_INSTANCE: (TlvKind.RESOURCE, TlvKind.MULTIPLE_RESOURCE),
    TlvKind.MULTIPLE_RESOURCE: (TlvKind.RESOURCE_INSTANCE,),
}


@dataclass(frozen=True, slots=True)
class Tlv:
    """One TLV entry: containers have children, the other kinds a raw value."""

    kind: TlvKind
    id: int
    value: bytes = b""
    children: tuple[Tlv, ...] = ()

    @property
    def is_container(self) -> bool:
        return self.kind in _CONTAINERS


# ---------------------------------------------------------------- structure


def parse_tlvs(data: bytes | bytearray | memoryview) -> list[Tlv]:
    """Parse a TLV byte string into entries, nesting checked; raises CodecError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CodecError(f"TLV payload must be bytes, not {type(data).__name__}")
    return _parse(bytes(data), None)


def _parse(data: bytes, parent: TlvKind | None) -> list[Tlv]:
    entries: list[Tlv] = []
    pos = 0
    end = len(data)
    while pos < end:
        start = pos
        type_byte = data[pos]
        pos += 1
        kind = TlvKind(type_byte >> 6)
        id_size = 2 if type_byte & 0x20 else 1
        length_size = (type_byte >> 3) & 0x03
        if pos + id_size + length_size > end:
            raise CodecError(f"truncated TLV header at offset {start}")
        ident = int.from_bytes(data[pos : pos + id_size], "big")
        pos += id_size
        if length_size:
            length = int.from_bytes(data[pos : pos + length_size], "big")
            pos += length_size
        else:
            length = type_byte & 0x07
        if pos + length > end:
            raise CodecError(f"TLV at offset {start} declares {length} bytes but only {end - pos} remain")
        value = data[pos : pos + length]
        pos += length
        if parent is not None and kind not in _CONTAINERS[parent]:
            raise CodecError(f"a {kind.name.lower()} TLV cannot sit inside a {parent.name.lower()} TLV")
        if kind in _CONTAINERS:
            entries.append(Tlv(kind, ident, children=tuple(_parse(value, kind))))
        else:
            entries.append(Tlv(kind, ident, value=value))
    return entries


def serialize_tlvs(entries: Iterable[Tlv]) -> bytes:
    out = bytearray()
    for entry in entries:
        _write(out, entry)
    return bytes(out)


def _write(out: bytearray, entry: Tlv) -> None:
    body = serialize_tlvs(entry.children) if entry.is_container else entry.value
    length = len(body)
    if length > MAX_LENGTH:
        raise CodecError(f"TLV value of {length} bytes exceeds the 24-bit length field")
    if not 0 <= entry.id <= 0xFFFF:
        raise CodecError(f"TLV identifier {entry.id} out of range")
    type_byte = entry.kind << 6
    id_size = 1
    if entry.id > 0xFF:
        type_byte |= 0x20
        id_size = 2
    if length < 8:
        type_byte |= length
        length_size = 0
    else:
        length_size = 1 if length <= 0xFF else 2 if length <= 0xFFFF else 3
        type_byte |= length_size << 3
    out.append(type_byte)
    out += entry.id.to_bytes(id_size, "big")
    if length_size:
        out += length.to_bytes(length_size, "big")
    out += body


# ---------------------------------------------------------------- values


def decode_value(raw: bytes, rtype: ResourceType | None, path: Path = ()) -> Value:
    """Type a raw TLV value; an unknown resource (rtype None) stays bytes."""
    where = format_path(path) if path else "TLV value"
    if rtype is None or rtype is ResourceType.OPAQUE:
        return bytes(raw)
    if rtype in (ResourceType.STRING, ResourceType.CORELNK):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CodecError(f"{where}: string is not UTF-8") from exc
    if rtype in (ResourceType.INTEGER, ResourceType.TIME):
        if len(raw) not in (1, 2, 4, 8):
            raise CodecError(f"{where}: integer of {len(raw)} bytes (1, 2, 4 or 8 allowed)")
        number = int.from_bytes(raw, "big", signed=True)
        return seconds_to_time(number) if rtype is ResourceType.TIME else number
    if rtype is ResourceType.UNSIGNED_INTEGER:
        if len(raw) not in (1, 2, 4, 8):
            raise CodecError(f"{where}: unsigned integer of {len(raw)} bytes (1, 2, 4 or 8 allowed)")
        return int.from_bytes(raw, "big", signed=False)
    if rtype is ResourceType.FLOAT:
        if len(raw) == 4:
            return float(struct.unpack(">f", raw)[0])
        if len(raw) == 8:
            return float(struct.unpack(">d", raw)[0])
        raise CodecError(f"{where}: float of {len(raw)} bytes (4 or 8 allowed)")
    if rtype is ResourceType.BOOLEAN:
        if raw == b"\x00":
            return False
        if raw == b"\x01":
            return True
        raise CodecError(f"{where}: boolean must be one byte 0 or 1, got {raw.hex()}")
    if rtype is ResourceType.OBJLNK:
        if len(raw) != 4:
            raise CodecError(f"{where}: object link of {len(raw)} bytes (4 required)")
        return ObjectLink(int.from_bytes(raw[:2], "big"), int.from_bytes(raw[2:], "big"))
    raise CodecError(f"{where} is executable and carries no value")


def encode_value(rtype: ResourceType, value: Value) -> bytes:
    """Raw TLV value of a value already checked by values.check_value."""
    if rtype is ResourceType.OPAQUE:
        assert isinstance(value, bytes)
        return value
    if rtype in (ResourceType.STRING, ResourceType.CORELNK):
        assert isinstance(value, str)
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as exc:  # lone surrogates
            raise CodecError(f"string {show(value)} cannot be encoded as UTF-8") from exc
    if rtype in (ResourceType.INTEGER, ResourceType.TIME):
        assert isinstance(value, int)
        return _int_bytes(value, signed=True)
    if rtype is ResourceType.UNSIGNED_INTEGER:
        assert isinstance(value, int)
        return _int_bytes(value, signed=False)
    if rtype is ResourceType.FLOAT:
        assert isinstance(value, float)
        # Four bytes whenever that loses nothing, as constrained clients prefer.
        try:
            single = struct.pack(">f", value)
        except OverflowError:
            return struct.pack(">d", value)
        return single if struct.unpack(">f", single)[0] == value else struct.pack(">d", value)
    if rtype is ResourceType.BOOLEAN:
        return b"\x01" if value else b"\x00"
    if rtype is ResourceType.OBJLNK:
        assert isinstance(value, ObjectLink)
        return value.oid.to_bytes(2, "big") + value.iid.to_bytes(2, "big")
    raise CodecError(f"a {rtype.value} resource carries no value")


def _int_bytes(value: int, *, signed: bool) -> bytes:
    low, high = (INT64_MIN, INT64_MAX) if signed else (0, UINT64_MAX)
    if not low <= value <= high:
        raise CodecError(f"integer {show(value)} does not fit 8 bytes")
    for size in (1, 2, 4, 8):
        try:
            return value.to_bytes(size, "big", signed=signed)
        except OverflowError:
            continue
    raise AssertionError("unreachable: range checked above")


# ---------------------------------------------------------------- paths


def decode(payload: bytes, base: Path, registry: ObjectRegistry) -> dict[Path, Value]:
    """Values of a TLV payload that answers a request on base (object level or deeper)."""
    entries = parse_tlvs(payload)
    depth = len(base)
    out: dict[Path, Value] = {}
    if depth == OBJECT_DEPTH:
        if entries and all(e.kind is TlvKind.OBJECT_INSTANCE for e in entries):
            seen: set[int] = set()
            for entry in entries:
                if entry.id in seen:
                    raise CodecError(f"object instance {format_path((*base, entry.id))} appears twice")
                seen.add(entry.id)
                _instance(entry.children, (*base, entry.id), registry, out)
        elif entries and all(e.kind in (TlvKind.RESOURCE, TlvKind.MULTIPLE_RESOURCE) for e in entries):
            # Some clients answer a read of a single-instance object without the instance wrapper.
            obj = registry.get_object(base[0])
            if obj is None or obj.multiple_instances:
                raise CodecError(f"TLV for object {format_path(base)} must hold object instances")
            _instance(entries, (*base, 0), registry, out)
        elif entries:
            raise CodecError(f"TLV for object {format_path(base)} must hold object instances")
    elif depth == INSTANCE_DEPTH:
        if len(entries) == 1 and entries[0].kind is TlvKind.OBJECT_INSTANCE:
            if entries[0].id != base[1]:
                raise CodecError(f"TLV object instance {entries[0].id} answers {format_path(base)}")
            entries = list(entries[0].children)
        _instance(entries, base, registry, out)
    elif depth == RESOURCE_DEPTH:
        if entries and all(e.kind is TlvKind.RESOURCE_INSTANCE for e in entries):
            entries = [Tlv(TlvKind.MULTIPLE_RESOURCE, base[2], children=tuple(entries))]
        if len(entries) > 1:
            raise CodecError(f"TLV for resource {format_path(base)} holds {len(entries)} entries")
        for entry in entries:
            if entry.kind not in (TlvKind.RESOURCE, TlvKind.MULTIPLE_RESOURCE):
                raise CodecError(f"TLV for resource {format_path(base)} holds a {entry.kind.name.lower()}")
            if entry.id != base[2]:
                raise CodecError(f"TLV resource {entry.id} answers {format_path(base)}")
            _resource(entry, base[:2], registry, out)
    elif depth == RESOURCE_INSTANCE_DEPTH:
        if len(entries) != 1 or entries[0].kind is not TlvKind.RESOURCE_INSTANCE:
            raise CodecError(f"TLV for {format_path(base)} must be exactly one resource instance")
        if entries[0].id != base[3]:
            raise CodecError(f"TLV resource instance {entries[0].id} answers {format_path(base)}")
        _store(out, base, entries[0].value, registry)
    else:
        raise CodecError("TLV cannot address the root path")
    return out


def _instance(entries: Iterable[Tlv], base: Path, registry: ObjectRegistry, out: dict[Path, Value]) -> None:
    seen: set[int] = set()
    for entry in entries:
        if entry.kind not in (TlvKind.RESOURCE, TlvKind.MULTIPLE_RESOURCE):
            raise CodecError(f"a {entry.kind.name.lower()} TLV cannot sit in object instance {format_path(base)}")
        if entry.id in seen:
            raise CodecError(f"resource {format_path((*base, entry.id))} appears twice")
        seen.add(entry.id)
        _resource(entry, base, registry, out)


def _resource(entry: Tlv, instance: Path, registry: ObjectRegistry, out: dict[Path, Value]) -> None:
    path = (*instance, entry.id)
    if entry.kind is TlvKind.RESOURCE:
        _store(out, path, entry.value, registry)
        return
    rdef = resource_def(registry, path)
    if rdef is not None and not rdef.multiple_instances:
        raise CodecError(f"{format_path(path)} is a single-instance resource but came as multiple")
    seen: set[int] = set()
    for child in entry.children:
        if child.id in seen:
            raise CodecError(f"resource instance {format_path((*path, child.id))} appears twice")
        seen.add(child.id)
        _store(out, (*path, child.id), child.value, registry)


def _store(out: dict[Path, Value], path: Path, raw: bytes, registry: ObjectRegistry) -> None:
    rdef = resource_def(registry, path)
    check_depth(path, rdef)
    out[path] = decode_value(raw, rdef.type if rdef else None, path)


def encode(values: Mapping[Path, tuple[ResourceType, Value]], base: Path, registry: ObjectRegistry) -> bytes:
    """TLV for a write (or read answer) on base; values come from values.normalize_values."""
    depth = len(base)
    if depth == 0:
        raise CodecError("TLV cannot address the root path")
    ordered = sorted(values.items())
    if depth == RESOURCE_INSTANCE_DEPTH:
        if len(ordered) != 1:
            raise CodecError(f"TLV for {format_path(base)} needs exactly one value")
        [(path, (rtype, value))] = ordered
        return serialize_tlvs([Tlv(TlvKind.RESOURCE_INSTANCE, path[3], value=encode_value(rtype, value))])
    resources = _resource_tlvs(ordered)
    if depth == RESOURCE_DEPTH:
        if not resources:
            rdef = resource_def(registry, base)
            if rdef is None or not rdef.multiple_instances:
                raise CodecError(f"no value to encode for {format_path(base)}")
            # An empty multiple resource is how a write empties a multi-instance resource.
            resources = {base: Tlv(TlvKind.MULTIPLE_RESOURCE, base[2])}
        return serialize_tlvs(resources.values())
    if depth == INSTANCE_DEPTH:
        return serialize_tlvs(resources.values())
    instances: dict[int, list[Tlv]] = {}
    for path, tlv in resources.items():
        instances.setdefault(path[1], []).append(tlv)
    return serialize_tlvs(Tlv(TlvKind.OBJECT_INSTANCE, iid, children=tuple(tlvs)) for iid, tlvs in instances.items())


def _resource_tlvs(ordered: list[tuple[Path, tuple[ResourceType, Value]]]) -> dict[Path, Tlv]:
    """One TLV per resource, keyed by resource path, in path order."""
    single: dict[Path, Tlv] = {}
    multiple: dict[Path, list[Tlv]] = {}
    for path, (rtype, value) in ordered:
        raw = encode_value(rtype, value)
        if len(path) == RESOURCE_INSTANCE_DEPTH:
            multiple.setdefault(path[:3], []).append(Tlv(TlvKind.RESOURCE_INSTANCE, path[3], value=raw))
        else:
            single[path] = Tlv(TlvKind.RESOURCE, path[2], value=raw)
    merged = dict(single)
    merged.update({p: Tlv(TlvKind.MULTIPLE_RESOURCE, p[2], children=tuple(c)) for p, c in multiple.items()})
    return dict(sorted(merged.items()))
