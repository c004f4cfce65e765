"""A request primitive carried whole in a message body (TS-0004 clause 8, short names).

Release 5 CoAP sends a RETRIEVE as FETCH with the serialized primitive as payload (TS-0008
clause 6.6, Content-Format vnd.onem2m-preq+json/cbor/xml); message-oriented bindings carry
every request this way. The parameters that are query parameters over HTTP and CoAP go through
the same ``query.apply``, so both forms mean exactly the same.
"""

from __future__ import annotations

from typing import Any

from cse.bindings import query
from cse.errors import bad_request
from cse.primitives import Operation, Request

# Parameters that are plain strings of the Request.
_TEXT = ("fr", "rqi", "rvi", "ot", "rqet", "rset", "oet", "gid")
# Parameters that are query parameters in the URI forms.
_QUERY = ("rcn", "drt", "rp", "da")
# Parameters this CSE offers no feature for (as query.py ignores their URI forms).
_IGNORED = {"vsi", "rol", "tkns", "tids", "ltids", "tqi", "tqf", "sqi", "asi", "ati", "aus", "asri",
            "gtm", "cto", "cts", "rids", "arp", "smf", "catr", "gq"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_text(item) for item in value)
    if isinstance(value, (str, int, float)):
        return str(value)
    raise bad_request(f"request primitive value {value!r} is not a simple value")


def _int(name: str, value: Any) -> int:
    try:
        return int(_text(value))
    except ValueError:
        raise bad_request(f"request primitive parameter {name}={value!r} is not an integer") from None


def _filter_pairs(fc: Any) -> list[tuple[str, str]]:
    if not isinstance(fc, dict):
        raise bad_request("request primitive parameter fc is not a filterCriteria structure")
    pairs: list[tuple[str, str]] = []
    for name, value in fc.items():
        if name == "atr":
            # [{"nm": "lbl", "val": "x"}, ...]: one condition per attribute
            for condition in value if isinstance(value, list) else [value]:
                if not isinstance(condition, dict) or "nm" not in condition:
                    raise bad_request("fc/atr entries need 'nm' and 'val'")
                pairs.append((_text(condition["nm"]), _text(condition.get("val", ""))))
        else:
            pairs.append((name, _text(value)))
    return pairs


def apply(request: Request, primitive: Any, attribute_names: set[str], lenient_types: bool) -> None:
    """Complete ``request`` from a decoded request primitive; its values win over the options."""
    if isinstance(primitive, dict) and len(primitive) == 1 and "m2m:rqp" in primitive:
        primitive = primitive["m2m:rqp"]  # the XML form has a root element
    if not isinstance(primitive, dict):
        raise bad_request("the payload is not a request primitive")
    pairs: list[tuple[str, str]] = []
    for name, value in primitive.items():
        if name == "op":
            op = _int(name, value)
            if op != request.op and not (op == Operation.DISCOVERY and request.op == Operation.RETRIEVE):
                raise bad_request(f"the primitive's operation {op} does not match the CoAP method ({request.op.name})")
        elif name == "to":
            request.to = request.to or _text(value)  # Uri-Path names the target; the primitive may repeat it
        elif name in _TEXT:
            setattr(request, name, _text(value))
        elif name == "ty":
            request.ty = _int(name, value)
        elif name == "ec":
            request.ec = _int(name, value)
        elif name == "pc":
            request.pc = value
            request.lenient_types = lenient_types
        elif name == "rt":
            rtv, nu = (value.get("rtv"), value.get("nu")) if isinstance(value, dict) else (value, None)
            if rtv is not None:
                pairs.append(("rt", _text(rtv)))
            if nu:
                request.rtu = _text(nu).split()
        elif name == "fc":
            pairs.extend(_filter_pairs(value))
        elif name in _QUERY:
            pairs.append((name, _text(value)))
        elif name in _IGNORED:
            continue
        else:
            raise bad_request(f"unknown request primitive parameter {name!r}")
    query.apply(request, pairs, attribute_names)
