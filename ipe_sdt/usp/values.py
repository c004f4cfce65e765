"""Python values to the string forms USP carries (TR-106 data types)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

UspValue = str | bool | int | float | Decimal | datetime


def encode_value(value: UspValue) -> str:
    """TR-106 lexical form of ``value``; strings pass through unchanged.

    bool is checked before int because it is an int subclass and TR-106
    booleans are ``true``/``false``, not ``1``/``0``.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TR-106 decimal has no form for {value!r}")
        # repr round-trips the float; Decimal avoids the exponent notation
        # ("1e-07") that xs:decimal does not allow.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"TR-106 decimal has no form for {value!r}")
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a naive datetime is ambiguous; give it a timezone")
        text = value.astimezone(UTC).isoformat()
        return text.removesuffix("+00:00") + "Z"
    raise TypeError(f"no USP string form for {type(value).__name__}")
