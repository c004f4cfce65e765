"""Request parameters carried as URI query parameters (TS-0009 clause 6.2.2.2, TS-0008 6.2.2.3).

Shared by the HTTP and CoAP bindings: both carry the same names the same way.
"""

from __future__ import annotations

from typing import Iterable

from cse import timestamps
from cse.errors import bad_request
from cse.primitives import (
    DesiredIdentifierResultType,
    FilterUsage,
    Request,
    ResponseType,
    ResultContent,
)

_TIMESTAMP_CONDITIONS = ("crb", "cra", "ms", "us", "exb", "exa")
_INTEGER_CONDITIONS = ("sts", "stb", "sza", "szb", "lim", "lvl", "ofst")
# Parameters we accept and ignore: they only matter for features this CSE does not offer
# (result persistence, delivery aggregation, semantic and token parameters).
_IGNORED = {"rp", "da", "smf", "tids", "ltids", "tqf", "rids", "arp", "catr", "gq", "nu", "cfs", "cfo"}
# TS-0009 table 6.2.2.2-1: these may be repeated (their values add up); every other
# parameter has multiplicity 0..1, and a second occurrence would silently override the first.
_REPEATABLE = {"lbl", "ty", "cty", "smf", "rids", "tids", "ltids"}


def _int(name: str, value: str, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"query parameter {name}={value!r} is not an integer") from None
    if number < minimum:
        raise bad_request(f"query parameter {name}={value!r} must be at least {minimum}")
    return number


def _enum(name: str, value: str, enum_type):
    number = _int(name, value)
    try:
        return enum_type(number)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum_type)
        raise bad_request(f"query parameter {name}={value!r} is not one of {allowed}") from None


def apply(request: Request, params: Iterable[tuple[str, str]], attribute_names: set[str]) -> None:
    """Set the request's parameters and filter criteria from query parameters.

    ``attribute_names`` are the short names of resource attributes: a query parameter with
    such a name is an attribute filter condition (atr).
    """
    fc = request.fc
    seen: set[str] = set()
    for name, value in params:
        if name in seen and name not in _REPEATABLE:
            raise bad_request(f"query parameter {name!r} may appear only once")
        seen.add(name)
        if name == "rcn":
            request.rcn = _enum(name, value, ResultContent)
        elif name == "rt":
            request.rt = _enum(name, value, ResponseType)
        elif name == "drt":
            request.drt = _enum(name, value, DesiredIdentifierResultType)
        elif name == "fu":
            fc.fu = _enum(name, value, FilterUsage)
        elif name == "fo":
            fc.fo = _int(name, value, minimum=1)
            if fc.fo not in (1, 2):
                raise bad_request(f"query parameter fo={value!r} must be 1 (AND) or 2 (OR)")
        elif name == "ty":
            fc.ty.extend(_int(name, part) for part in value.split())
        elif name == "lbl":
            fc.lbl.extend(value.split())
        elif name == "cty":
            fc.cty.extend(value.split())
        elif name in _TIMESTAMP_CONDITIONS:
            try:
                setattr(fc, name, timestamps.format_ts(timestamps.parse(value)))
            except ValueError as exc:
                raise bad_request(f"query parameter {name}: {exc}") from None
        elif name in _INTEGER_CONDITIONS:
            setattr(fc, name, _int(name, value, minimum=1 if name == "ofst" else 0))
        elif name in _IGNORED:
            continue
        elif name in attribute_names:
            fc.atr[name] = value
        else:
            raise bad_request(f"unknown query parameter {name!r}")
