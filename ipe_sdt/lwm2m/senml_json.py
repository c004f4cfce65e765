"""SenML JSON (application/senml+json, content format 110), RFC 8428 with LwM2M's "vlo".

Opaque values travel in "vd" as base64url without padding (RFC 8428 section 5); decoding also
takes padding and the standard alphabet, which some clients emit.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterable
from typing import Any

import orjson

from . import senml
from .errors import CodecError
from .model import ResourceType
from .objects import ObjectRegistry
from .paths import Path
from .values import TimedValue, Value

_BASE64ISH = re.compile(r"[A-Za-z0-9_\-+/]*={0,2}")


def load_records(payload: bytes) -> list[dict[str, Any]]:
    """The raw records of a SenML JSON pack, with "vd" already turned into bytes."""
    try:
        pack = orjson.loads(payload)
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise CodecError(f"invalid SenML JSON: {exc}") from exc
    if not isinstance(pack, list):
        raise CodecError("SenML JSON must be an array of records")
    records = []
    for record in pack:
        if not isinstance(record, dict):
            raise CodecError("SenML JSON records must be objects")
        if "vd" in record:
            record = dict(record, vd=decode_base64url(record["vd"]))
        records.append(record)
    return records


def decode_base64url(text: object) -> bytes:
    if not isinstance(text, str) or not _BASE64ISH.fullmatch(text):
        raise CodecError("SenML 'vd' must be a base64url string")
    body = text.rstrip("=").replace("+", "-").replace("/", "_")
    if len(body) % 4 == 1:
        raise CodecError("SenML 'vd' has a truncated base64url group")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CodecError(f"SenML 'vd' is not base64url: {exc}") from exc


def decode_timed(payload: bytes, base: Path, registry: ObjectRegistry) -> list[TimedValue]:
    return senml.to_timed_values(senml.resolve(load_records(payload)), base, registry)


def decode_paths(payload: bytes) -> list[Path]:
    return senml.to_paths(senml.resolve(load_records(payload)))


def dump_records(records: list[dict[str, Any]]) -> bytes:
    for record in records:
        if "vd" in record:
            record["vd"] = base64.urlsafe_b64encode(record["vd"]).rstrip(b"=").decode("ascii")
        for label in ("v", "t"):
            if isinstance(record.get(label), float) and not math.isfinite(record[label]):
                raise CodecError(f"SenML JSON cannot carry the number {record[label]}")
    try:
        return orjson.dumps(records)
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise CodecError(f"cannot write SenML JSON: {exc}") from exc


def encode_timed(items: Iterable[tuple[Path, ResourceType, Value, float | None]], base: Path) -> bytes:
    return dump_records(senml.build_records(items, base))


def encode_paths(paths: Iterable[Path]) -> bytes:
    return dump_records(senml.path_records(paths))
