"""SenML CBOR (application/senml+cbor, content format 112), RFC 8428 section 6.

Labels are the integers RFC 8428 registers (bn -2, bt -3, n 0, v 2, vs 3, vb 4, t 6, vd 8, ...);
LwM2M's object-link value has no integer label and travels under the text key "vlo".
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import cbor2

from . import senml
from .errors import CodecError
from .model import ResourceType
from .objects import ObjectRegistry
from .paths import Path
from .values import TimedValue, Value

LABELS: dict[int, str] = {
    -1: "bver",
    -2: "bn",
    -3: "bt",
    -4: "bu",
    -5: "bv",
    -6: "bs",
    0: "n",
    1: "u",
    2: "v",
    3: "vs",
    4: "vb",
    5: "s",
    6: "t",
    7: "ut",
    8: "vd",
}
KEYS: dict[str, int | str] = {name: key for key, name in LABELS.items()}
KEYS["vlo"] = "vlo"


def loads(payload: bytes) -> Any:
    """One CBOR data item; trailing bytes are an error, not ignored."""
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise CodecError(f"CBOR payload must be bytes, not {type(payload).__name__}")
    stream = io.BytesIO(bytes(payload))
    try:
        item = cbor2.CBORDecoder(stream).decode()
    # cbor2 wraps most failures in CBORDecodeError, but tag decoders can surface others
    # (e.g. unhashable map keys); any of them means the bytes were not a usable CBOR item.
    except Exception as exc:
        raise CodecError(f"invalid CBOR: {exc}") from exc
    if stream.tell() != len(payload):
        raise CodecError(f"{len(payload) - stream.tell()} bytes after the CBOR data item")
    return item


def load_records(payload: bytes) -> list[dict[str, Any]]:
    pack = loads(payload)
    if not isinstance(pack, list):
        raise CodecError("SenML CBOR must be an array of records")
    records = []
    for item in pack:
        if not isinstance(item, dict):
            raise CodecError("SenML CBOR records must be maps")
        record: dict[str, Any] = {}
        for key, value in item.items():
            if isinstance(key, bool):
                continue
            if isinstance(key, int) and key in LABELS:
                record[LABELS[key]] = value
            # Text keys are for labels without an integer; an "n" here is not SenML CBOR's n.
            elif isinstance(key, str) and (key == "vlo" or key.endswith("_")):
                record[key] = value
        records.append(record)
    return records


def decode_timed(payload: bytes, base: Path, registry: ObjectRegistry) -> list[TimedValue]:
    return senml.to_timed_values(senml.resolve(load_records(payload)), base, registry)


def decode_paths(payload: bytes) -> list[Path]:
    return senml.to_paths(senml.resolve(load_records(payload)))


def dump_records(records: list[dict[str, Any]]) -> bytes:
    try:
        return cbor2.dumps([{KEYS[label]: value for label, value in record.items()} for record in records])
    except (cbor2.CBOREncodeError, TypeError, ValueError) as exc:
        raise CodecError(f"cannot write SenML CBOR: {exc}") from exc


def encode_timed(items: Iterable[tuple[Path, ResourceType, Value, float | None]], base: Path) -> bytes:
    return dump_records(senml.build_records(items, base))


def encode_paths(paths: Iterable[Path]) -> bytes:
    return dump_records(senml.path_records(paths))
