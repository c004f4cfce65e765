"""Checking parameter values written by a Controller against their TR-106 type.

A simulated Agent must refuse what a real one refuses (wrong type, value out
of range, not one of the enumeration), with the TR-369 code a real one uses,
so that the Controller's error handling is exercised for real.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ipe_sdt.usp import ErrorCode, ParamValueType

_INT = re.compile(r"[+-]?[0-9]+\Z")
_UINT = re.compile(r"[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?\Z")
_HEX = re.compile(r"([0-9A-Fa-f]{2})*\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")

_RANGES = {
    ParamValueType.INT: (-(2**31), 2**31 - 1),
    ParamValueType.UNSIGNED_INT: (0, 2**32 - 1),
    ParamValueType.LONG: (-(2**63), 2**63 - 1),
    ParamValueType.UNSIGNED_LONG: (0, 2**64 - 1),
}


@dataclass(frozen=True)
class ValueProblem:
    code: int
    message: str


def canonical_bool(text: str) -> str | None:
    """TR-106 booleans are true/false/1/0; the Agent stores true/false."""
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return "true"
    if lowered in ("false", "0"):
        return "false"
    return None


def check_value(
    text: str,
    value_type: ParamValueType,
    *,
    enum: tuple[str, ...] = (),
    minimum: int | None = None,
    maximum: int | None = None,
) -> tuple[str, ValueProblem | None]:
    """Return (stored form, None) or (text, the problem)."""
    if value_type is ParamValueType.BOOLEAN:
        stored = canonical_bool(text)
        if stored is None:
            return text, ValueProblem(ErrorCode.INVALID_TYPE, f"{text!r} is not a boolean")
        return stored, None
    if value_type in _RANGES:
        pattern = _UINT if value_type in (ParamValueType.UNSIGNED_INT, ParamValueType.UNSIGNED_LONG) else _INT
        if not pattern.match(text):
            return text, ValueProblem(ErrorCode.INVALID_TYPE, f"{text!r} is not a {value_type.name.lower()}")
        number = int(text)
        low, high = _RANGES[value_type]
        low = low if minimum is None else max(low, minimum)
        high = high if maximum is None else min(high, maximum)
        if not low <= number <= high:
            return text, ValueProblem(ErrorCode.INVALID_VALUE, f"{number} is outside {low}..{high}")
        return str(number), None
    if value_type is ParamValueType.DECIMAL and not _DECIMAL.match(text):
        return text, ValueProblem(ErrorCode.INVALID_TYPE, f"{text!r} is not a decimal")
    if value_type is ParamValueType.DATE_TIME and not _DATETIME.match(text):
        return text, ValueProblem(ErrorCode.INVALID_TYPE, f"{text!r} is not a dateTime")
    if value_type is ParamValueType.HEX_BINARY and not _HEX.match(text):
        return text, ValueProblem(ErrorCode.INVALID_TYPE, f"{text!r} is not hexBinary")
    if value_type is ParamValueType.BASE_64 and (len(text) % 4 or not _BASE64.match(text)):
        return text, ValueProblem(ErrorCode.INVALID_TYPE, f"{text!r} is not base64")
    if enum and text not in enum:
        return text, ValueProblem(ErrorCode.INVALID_VALUE, f"{text!r} is not one of {', '.join(enum)}")
    return text, None
