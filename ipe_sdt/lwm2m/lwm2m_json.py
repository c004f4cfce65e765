"""LwM2M 1.0 JSON (application/vnd.oma.lwm2m+json, content format 11543).

    {"bn": "/3/0/", "bt": 1367491215,
     "e": [{"n": "0", "sv": "Open Mobile Alliance"}, {"n": "6/0", "v": 1},
           {"n": "x", "bv": true}, {"n": "y", "ov": "66:0"}, {"n": "z", "t": -5, "v": 22.4}]}

Unlike SenML, "bv" is a boolean value here, objects links are "ov", and Opaque values ride in
"sv" as (standard) base64, so typing a string needs the object model.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterable
from typing import Any

import orjson

from . import senml
from .errors import CodecError
from .model import ResourceType
from .objects import ObjectRegistry
from .paths import Path, format_path, is_under, parse_path
from .values import TimedValue, Value, check_depth, resource_def

_TO_SENML = {"v": "v", "sv": "vs", "bv": "vb", "ov": "vlo"}
_FROM_SENML = {senml_label: label for label, senml_label in _TO_SENML.items()}


def decode_timed(payload: bytes, base: Path, registry: ObjectRegistry) -> list[TimedValue]:
    try:
        document = orjson.loads(payload)
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise CodecError(f"invalid LwM2M JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("e"), list):
        raise CodecError("LwM2M JSON must be an object with an 'e' array")
    base_name = document.get("bn", "")
    base_time = document.get("bt")
    if not isinstance(base_name, str):
        raise CodecError("LwM2M JSON 'bn' must be a string")
    if base_time is not None and (isinstance(base_time, bool) or not isinstance(base_time, (int, float))):
        raise CodecError("LwM2M JSON 'bt' must be a number")
    out: list[TimedValue] = []
    for entry in document["e"]:
        if not isinstance(entry, dict):
            raise CodecError("LwM2M JSON entries must be objects")
        name = entry.get("n", "")
        if not isinstance(name, str):
            raise CodecError("LwM2M JSON 'n' must be a string")
        path = parse_path(base_name + name)
        if not is_under(path, base):
            raise CodecError(f"LwM2M JSON entry {format_path(path)} is outside {format_path(base)}")
        rdef = resource_def(registry, path)
        check_depth(path, rdef)
        labels = [label for label in _TO_SENML if label in entry]
        if len(labels) != 1:
            raise CodecError(f"LwM2M JSON entry {format_path(path)} needs exactly one value")
        label = labels[0]
        raw = entry[label]
        rtype = rdef.type if rdef else None
        senml_label = _TO_SENML[label]
        if label == "sv" and rtype is ResourceType.OPAQUE:
            raw, senml_label = _base64(raw, path), "vd"
        _check_json_type(label, raw, path)
        value = senml.typed_value(senml_label, raw, rtype, path)
        time = entry.get("t")
        if time is not None and (isinstance(time, bool) or not isinstance(time, (int, float))):
            raise CodecError(f"LwM2M JSON entry {format_path(path)}: 't' must be a number")
        if base_time is not None:
            time = base_time + (time or 0)
        out.append(TimedValue(path, value, time))
    return out


def _check_json_type(label: str, raw: Any, path: Path) -> None:
    ok = {
        "v": isinstance(raw, (int, float)) and not isinstance(raw, bool),
        "sv": isinstance(raw, (str, bytes)),
        "bv": isinstance(raw, bool),
        "ov": isinstance(raw, str),
    }[label]
    if not ok:
        raise CodecError(f"LwM2M JSON entry {format_path(path)}: '{label}' has the wrong type")


def _base64(raw: Any, path: Path) -> bytes:
    if not isinstance(raw, str):
        raise CodecError(f"{format_path(path)}: opaque 'sv' must be a base64 string")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CodecError(f"{format_path(path)}: opaque 'sv' is not base64") from exc


def encode_timed(items: Iterable[tuple[Path, ResourceType, Value, float | None]], base: Path) -> bytes:
    records = senml.build_records(items, base)
    document: dict[str, Any] = {}
    entries = []
    for record in records:
        if "bn" in record:
            document["bn"] = record.pop("bn")
        entry: dict[str, Any] = {}
        if "n" in record:
            entry["n"] = record["n"]
        for senml_label, label in (*_FROM_SENML.items(), ("vd", "sv")):
            if senml_label in record:
                value = record[senml_label]
                if senml_label == "vd":
                    value = base64.b64encode(value).decode("ascii")
                elif isinstance(value, float) and not math.isfinite(value):
                    raise CodecError(f"LwM2M JSON cannot carry the number {value}")
                entry[label] = value
        if "t" in record:
            entry["t"] = record["t"]
        entries.append(entry)
    document["e"] = entries
    try:
        return orjson.dumps(document)
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise CodecError(f"cannot write LwM2M JSON: {exc}") from exc
