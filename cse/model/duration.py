"""Durations (xs:duration): ISO 8601 'PnDTnHnMnS' text, or a number of milliseconds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cse.errors import bad_request
from cse.model.datatypes import DataType

_ISO = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def seconds(value: Any) -> float:
    """The length of a stored duration value in seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 1000.0
    match = _ISO.match(value) if isinstance(value, str) else None
    if match is None or value in ("P", "PT"):
        raise ValueError(f"{value!r} is not a duration")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


@dataclass(frozen=True)
class Duration(DataType):
    name = "duration"

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        if lenient and isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        try:
            length = seconds(value)
        except (ValueError, TypeError):
            raise bad_request(
                f"attribute {path}: expected a duration (ISO 8601 like 'PT5S', or milliseconds), got {value!r}"
            ) from None
        if length < 0:
            raise bad_request(f"attribute {path}: a duration cannot be negative")
        return value


DURATION = Duration()
