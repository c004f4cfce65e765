"""What SenML JSON (110) and SenML CBOR (112) share: record resolution and LwM2M typing.

Each format turns its bytes into raw records keyed by the JSON label names (bn, bt, n, t, v,
vs, vb, vd, vlo); this module resolves base name and base time (RFC 8428 section 4.6), checks
the names are LwM2M paths under the request path and types values by the object model.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import CodecError, show
from .model import ResourceType
from .objects import ObjectRegistry
from .paths import Path, format_path, is_under, parse_path
from .values import (
    INT64_MAX,
    INT64_MIN,
    UINT64_MAX,
    ObjectLink,
    TimedValue,
    Value,
    check_depth,
    resource_def,
    seconds_to_time,
)

VALUE_LABELS = ("v", "vs", "vb", "vd", "vlo")
# RFC 8428 base version 10; a newer version may change meanings we do not know.
SENML_VERSION = 10


@dataclass(frozen=True, slots=True)
class ResolvedRecord:
    name: str
    time: float | None
    label: str | None
    value: Any


_TEXT_LABELS = ("bn", "n", "vs", "vlo")
_NUMBER_LABELS = ("bt", "t", "bv", "v")


def check_labels(record: Mapping[str, Any]) -> None:
    """The types RFC 8428 gives the labels we use; other labels are ignored, as it allows."""
    for label in _TEXT_LABELS:
        if label in record and not isinstance(record[label], str):
            raise CodecError(f"SenML '{label}' must be a string, not {type(record[label]).__name__}")
    for label in _NUMBER_LABELS:
        if label in record:
            value = record[label]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise CodecError(f"SenML '{label}' must be a number, not {type(value).__name__}")
            if label != "v" and isinstance(value, float) and not math.isfinite(value):
                raise CodecError(f"SenML '{label}' must be finite")
    if "vb" in record and not isinstance(record["vb"], bool):
        raise CodecError(f"SenML 'vb' must be a boolean, not {type(record['vb']).__name__}")
    if "vd" in record and not isinstance(record["vd"], bytes):
        raise CodecError(f"SenML 'vd' must be data, not {type(record['vd']).__name__}")
    if "bver" in record:
        version = record["bver"]
        if isinstance(version, bool) or not isinstance(version, int):
            raise CodecError("SenML 'bver' must be an integer")
        if version > SENML_VERSION:
            raise CodecError(f"SenML version {show(version)} is newer than {SENML_VERSION}")
    for label in record:
        # RFC 8428 section 4.4: a label ending in "_" must be understood or the pack rejected.
        if isinstance(label, str) and label.endswith("_"):
            raise CodecError(f"SenML label {label!r} must be understood and is not")


def resolve(records: Iterable[Mapping[str, Any]]) -> list[ResolvedRecord]:
    """Apply bn/bt/bv to each raw record (RFC 8428 section 4.6)."""
    base_name = ""
    base_time: float | None = None
    base_value: float | None = None
    resolved: list[ResolvedRecord] = []
    for record in records:
        check_labels(record)
        base_name = record.get("bn", base_name)
        base_time = record.get("bt", base_time)
        base_value = record.get("bv", base_value)
        name = base_name + record.get("n", "")
        if not name:
            raise CodecError("SenML record has no name")
        time = record.get("t")
        if base_time is not None:
            time = _add(base_time, time or 0, name)
        labels = [label for label in VALUE_LABELS if label in record]
        if len(labels) > 1:
            raise CodecError(f"SenML record {name!r} has several values: {', '.join(labels)}")
        label = labels[0] if labels else None
        value = record[label] if label else None
        if label == "v" and base_value is not None:
            value = _add(base_value, record["v"], name)
        resolved.append(ResolvedRecord(name, time, label, value))
    return resolved


def _add(a: float, b: float, name: str) -> float:
    try:
        return a + b
    except OverflowError as exc:  # a CBOR bignum plus a float
        raise CodecError(f"SenML record {name!r}: number out of range") from exc


def to_timed_values(records: Iterable[ResolvedRecord], base: Path, registry: ObjectRegistry) -> list[TimedValue]:
    out: list[TimedValue] = []
    for record in records:
        path = parse_path(record.name)
        if not is_under(path, base):
            raise CodecError(f"SenML record {record.name!r} is outside the request path {format_path(base)}")
        rdef = resource_def(registry, path)
        check_depth(path, rdef)
        if record.label is None:
            raise CodecError(f"SenML record {record.name!r} has no value")
        value = typed_value(record.label, record.value, rdef.type if rdef else None, path)
        out.append(TimedValue(path, value, record.time))
    return out


def latest(values: Iterable[TimedValue]) -> dict[Path, Value]:
    """One value per path: the most recent, where records without a time count as now."""
    best: dict[Path, tuple[float, Value]] = {}
    for item in values:
        when = math.inf if item.time is None else item.time
        current = best.get(item.path)
        if current is None or when >= current[0]:
            best[item.path] = (when, item.value)
    return {path: value for path, (_, value) in best.items()}


def to_paths(records: Iterable[ResolvedRecord]) -> list[Path]:
    """The names of a Read-Composite / Observe-Composite request, which carry no values."""
    paths = []
    for record in records:
        if record.label is not None:
            raise CodecError(f"SenML record {record.name!r} of a path list has a value")
        paths.append(parse_path(record.name))
    return paths


def typed_value(label: str, raw: Any, rtype: ResourceType | None, path: Path) -> Value:
    """The value of a record, its label and JSON/CBOR type already checked by check_labels."""
    where = format_path(path)
    value: Value = raw
    if rtype is None:
        # No model: the label alone says what the value is.
        return ObjectLink.parse(raw) if label == "vlo" else value
    if rtype is ResourceType.NONE:
        raise CodecError(f"{where} is executable and carries no value")
    expected = label_for(rtype)
    if label != expected:
        raise CodecError(f"{where} is a {rtype.value} resource: expected '{expected}', got '{label}'")
    if rtype in (ResourceType.INTEGER, ResourceType.UNSIGNED_INTEGER, ResourceType.TIME):
        number = _integral(raw, where)
        low, high = (0, UINT64_MAX) if rtype is ResourceType.UNSIGNED_INTEGER else (INT64_MIN, INT64_MAX)
        if not low <= number <= high:
            raise CodecError(f"{where}: {show(number)} is out of range for {rtype.value}")
        return seconds_to_time(number) if rtype is ResourceType.TIME else number
    if rtype is ResourceType.FLOAT:
        try:
            return float(raw)
        except OverflowError as exc:
            raise CodecError(f"{where}: {show(raw)} does not fit a double") from exc
    if rtype is ResourceType.OBJLNK:
        return ObjectLink.parse(raw)
    return value


def _integral(raw: int | float, where: str) -> int:
    if isinstance(raw, int):
        return raw
    if not math.isfinite(raw) or not raw.is_integer():
        raise CodecError(f"{where}: {show(raw)} is not an integer")
    return int(raw)


def label_for(rtype: ResourceType) -> str:
    if rtype in (ResourceType.INTEGER, ResourceType.UNSIGNED_INTEGER, ResourceType.TIME, ResourceType.FLOAT):
        return "v"
    if rtype is ResourceType.BOOLEAN:
        return "vb"
    if rtype is ResourceType.OPAQUE:
        return "vd"
    if rtype is ResourceType.OBJLNK:
        return "vlo"
    if rtype in (ResourceType.STRING, ResourceType.CORELNK):
        return "vs"
    raise CodecError(f"a {rtype.value} resource carries no value")


def build_records(
    values: Iterable[tuple[Path, ResourceType, Value, float | None]], base: Path
) -> list[dict[str, Any]]:
    """Raw records (JSON label names, ordered as written) for checked values under base.

    The first record carries the base name: the whole path when the only value sits on the
    request path itself (as in "bn":"/3/0/0"), else the request path with a trailing slash so
    names stay short ("bn":"/3/0/", "n":"6/0"); a request on the root uses full names.
    """
    items = sorted(values, key=lambda item: (item[0], -math.inf if item[3] is None else item[3]))
    records: list[dict[str, Any]] = []
    whole = len(items) == 1 and items[0][0] == base and base != ()
    prefix = format_path(base) + "/" if base else ""
    for index, (path, rtype, value, time) in enumerate(items):
        record: dict[str, Any] = {}
        if whole:
            record["bn"] = format_path(path)
        else:
            if index == 0 and base:
                record["bn"] = prefix
            full = format_path(path)
            record["n"] = full[len(prefix) :] if base else full
        if time is not None:
            record["t"] = time
        label = label_for(rtype)
        if label == "vlo":
            value = str(value)
        record[label] = value
        records.append(record)
    return records


def path_records(paths: Iterable[Path]) -> list[dict[str, Any]]:
    return [{"n": format_path(path)} for path in paths]
