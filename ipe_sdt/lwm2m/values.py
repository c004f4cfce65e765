"""Python values of LwM2M resources, and their checks against the resource types.

Decoders produce, and encoders accept, per resource type:

    String, Corelnk      str
    Integer              int  (signed 64-bit)
    Unsigned Integer     int  (0 .. 2**64-1)
    Float                float (encoders also take int)
    Boolean              bool
    Opaque               bytes (encoders also take bytearray / memoryview)
    Time                 datetime, timezone-aware (encoders also take int seconds)
    Objlnk               ObjectLink (a (oid, iid) named tuple; encoders also take plain tuples)

A resource the registry does not know is typed by its Python value when encoding, and by what the
format itself says when decoding: bytes for TLV and opaque, str for text/plain, the value label
for SenML and LwM2M JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple, TypeAlias

from .errors import CodecError, show
from .model import ResourceDef, ResourceType
from .objects import ObjectRegistry
from .paths import MAX_ID, RESOURCE_DEPTH, RESOURCE_INSTANCE_DEPTH, Path, as_path, format_path

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1


class ObjectLink(NamedTuple):
    """An Objlnk value: a reference to object instance /oid/iid (65535:65535 is the null link)."""

    oid: int
    iid: int

    def __str__(self) -> str:
        return f"{self.oid}:{self.iid}"

    @classmethod
    def parse(cls, text: str) -> ObjectLink:
        """Parse the "oid:iid" form used by text/plain, SenML vlo and LwM2M JSON ov."""
        oid_text, sep, iid_text = text.partition(":")
        if not sep:
            raise CodecError(f"object link must be 'oid:iid': {show(text)}")
        return cls(_link_id(oid_text, text), _link_id(iid_text, text))


NULL_LINK = ObjectLink(MAX_ID, MAX_ID)


def _link_id(part: str, text: str) -> int:
    if not part or not part.isascii() or not part.isdigit() or len(part) > 5 or int(part) > MAX_ID:
        raise CodecError(f"bad object link {show(text)}")
    return int(part)


Value: TypeAlias = str | int | float | bool | bytes | datetime | ObjectLink


@dataclass(frozen=True, slots=True)
class TimedValue:
    """One value as a SenML record carries it: with the time it was measured, if any.

    time is seconds since the Unix epoch after applying base time, or a negative/small number
    relative to now exactly as RFC 8428 leaves it; None when the record has no time at all.
    """

    path: Path
    value: Value
    time: float | None = None


def seconds_to_time(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError) as exc:
        raise CodecError(f"time value {show(seconds)} is outside the representable range") from exc


def time_to_seconds(value: datetime | int, where: Path = ()) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            # A naive datetime is ambiguous between local time and UTC; refuse to guess.
            raise CodecError(f"{_where(where)}: Time values must be timezone-aware datetimes")
        seconds = math.floor(value.timestamp())
    elif isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        raise CodecError(f"{_where(where)}: a Time value must be a datetime or int, not {type(value).__name__}")
    if not INT64_MIN <= seconds <= INT64_MAX:
        raise CodecError(f"{_where(where)}: time {show(seconds)} does not fit 64 bits")
    return seconds


def _where(path: Path) -> str:
    return format_path(path) if path else "value"


def infer_type(value: object, where: Path = ()) -> ResourceType:
    """The resource type an encoder uses for a value of a resource the registry does not know."""
    if isinstance(value, bool):
        return ResourceType.BOOLEAN
    if isinstance(value, ObjectLink):
        return ResourceType.OBJLNK
    if isinstance(value, int):
        return ResourceType.INTEGER if value <= INT64_MAX else ResourceType.UNSIGNED_INTEGER
    if isinstance(value, float):
        return ResourceType.FLOAT
    if isinstance(value, str):
        return ResourceType.STRING
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ResourceType.OPAQUE
    if isinstance(value, datetime):
        return ResourceType.TIME
    raise CodecError(f"{_where(where)}: cannot encode a {type(value).__name__} as an LwM2M value")


def check_value(value: object, rtype: ResourceType | None, where: Path = ()) -> tuple[ResourceType, Value]:
    """Validate a value for encoding; returns the effective type and the canonical value.

    Canonical means what encoders write: bytes for Opaque, float for Float, ObjectLink for
    Objlnk, and int seconds for Time.
    """
    if rtype is None:
        rtype = infer_type(value, where)
    if rtype is ResourceType.NONE:
        raise CodecError(f"{_where(where)} is executable and carries no value")
    if rtype in (ResourceType.STRING, ResourceType.CORELNK):
        if isinstance(value, str):
            return rtype, value
    elif rtype is ResourceType.INTEGER:
        if isinstance(value, int) and not isinstance(value, bool):
            if not INT64_MIN <= value <= INT64_MAX:
                raise CodecError(f"{_where(where)}: integer {show(value)} does not fit signed 64 bits")
            return rtype, int(value)
    elif rtype is ResourceType.UNSIGNED_INTEGER:
        if isinstance(value, int) and not isinstance(value, bool):
            if not 0 <= value <= UINT64_MAX:
                raise CodecError(f"{_where(where)}: unsigned integer {show(value)} out of range")
            return rtype, int(value)
    elif rtype is ResourceType.FLOAT:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                return rtype, float(value)
            except OverflowError as exc:
                raise CodecError(f"{_where(where)}: {show(value)} does not fit a float") from exc
    elif rtype is ResourceType.BOOLEAN:
        if isinstance(value, bool):
            return rtype, value
    elif rtype is ResourceType.OPAQUE:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return rtype, bytes(value)
    elif rtype is ResourceType.TIME:
        if isinstance(value, (datetime, int)) and not isinstance(value, bool):
            # Encoders write seconds, and an int that no datetime can hold is still a valid Time.
            return rtype, time_to_seconds(value, where)
    elif rtype is ResourceType.OBJLNK:
        if isinstance(value, tuple) and len(value) == 2:
            oid, iid = value
            if all(type(i) is int and 0 <= i <= MAX_ID for i in (oid, iid)):
                return rtype, ObjectLink(oid, iid)
            raise CodecError(f"{_where(where)}: object link ids must be 0..65535: {show(value)}")
    raise CodecError(f"{_where(where)}: a {rtype.value} value cannot be a {type(value).__name__} ({show(value)})")


def resource_def(registry: ObjectRegistry, path: Path) -> ResourceDef | None:
    if len(path) < RESOURCE_DEPTH:
        return None
    return registry.get_resource(path[0], path[2])


def check_depth(path: Path, rdef: ResourceDef | None) -> None:
    """A value sits on a single resource or on an instance of a multiple resource, never across."""
    if len(path) not in (RESOURCE_DEPTH, RESOURCE_INSTANCE_DEPTH):
        raise CodecError(f"{format_path(path)}: a value needs a resource or resource instance path")
    if rdef is None:
        return
    if rdef.multiple_instances and len(path) == RESOURCE_DEPTH:
        raise CodecError(f"{format_path(path)} is a multiple-instance resource: address its instances")
    if not rdef.multiple_instances and len(path) == RESOURCE_INSTANCE_DEPTH:
        raise CodecError(f"{format_path(path[:RESOURCE_DEPTH])} is a single-instance resource")


def normalize_values(
    values: Mapping[Path | str, object], registry: ObjectRegistry, base: Path
) -> dict[Path, tuple[ResourceType, Value]]:
    """Check every (path, value) of a write against the base path and the object model."""
    if not isinstance(values, Mapping):
        raise CodecError(f"values must be a mapping of paths to values, not {type(values).__name__}")
    checked: dict[Path, tuple[ResourceType, Value]] = {}
    for key, value in values.items():
        path = as_path(key)
        if path[: len(base)] != base:
            raise CodecError(f"{format_path(path)} is not under {format_path(base)}")
        rdef = resource_def(registry, path)
        check_depth(path, rdef)
        if path in checked:
            raise CodecError(f"{format_path(path)} given twice")
        checked[path] = check_value(value, rdef.type if rdef else None, path)
    # /3/0/6 and /3/0/6/0 together would say both "single" and "multiple" for one resource.
    multiple = {p[:RESOURCE_DEPTH] for p in checked if len(p) == RESOURCE_INSTANCE_DEPTH}
    for path in checked:
        if path in multiple:
            raise CodecError(f"{format_path(path)} given both as a resource and as resource instances")
    return checked
