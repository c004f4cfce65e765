"""TS-0008 as data: the oneM2M CoAP options, Content-Formats, method and response code maps.

Numbers are those of oneM2M TS-0008 V3.9.0: Table 6.2.1-1 (methods), Table 6.2.2.2-1
(Content-Formats), Table 6.2.2.4.0-1 (options) and Table 6.2.4-1 (response codes). The checks a
request's options must pass (RFC 7252 clause 5.4) live here too, next to the tables they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from cse.primitives import Operation


def coap_code(dotted: str) -> int:
    """'4.04' -> 132: a CoAP code as the specifications write it, as the byte on the wire."""
    klass, _, detail = dotted.partition(".")
    return int(klass) << 5 | int(detail)


def dotted(code: int) -> str:
    return f"{code >> 5}.{code & 0x1F:02d}"


def basic_timestamp(stamp: str) -> str:
    """'20240101T120000,123456' -> '20240101T120000': the 15 bytes the table gives oneM2M-OT."""
    return stamp.split(",", 1)[0].split(".", 1)[0]


# -- methods (Table 6.2.1-1; FETCH from clause 6.6 / RFC 8132) ---------------------------------

GET, POST, PUT, DELETE, FETCH = 1, 2, 3, 4, 5

# A POST is a CREATE when it carries oneM2M-TY and a NOTIFY otherwise (clause 6.2.1).
METHODS: dict[int, Operation] = {
    GET: Operation.RETRIEVE,
    POST: Operation.CREATE,
    PUT: Operation.UPDATE,
    DELETE: Operation.DELETE,
    FETCH: Operation.RETRIEVE,
}

METHOD_FOR: dict[Operation, int] = {
    Operation.CREATE: POST,
    Operation.RETRIEVE: GET,
    Operation.UPDATE: PUT,
    Operation.DELETE: DELETE,
    Operation.NOTIFY: POST,
}


# -- oneM2M options (Table 6.2.2.4.0-1: every one is critical and unsafe, none repeatable) -----

class Format(Enum):
    STRING = "string"
    UINT = "uint"


@dataclass(frozen=True)
class OneM2MOption:
    number: int
    name: str
    param: str  # the primitive parameter it carries, by its TS-0004 short name
    format: Format
    max_length: int  # bytes, as in the table
    min_length: int = 0
    # False: the CSE understands the option but offers no feature that uses it, so the value is
    # accepted and ignored (as query.py ignores rp, da, ...), rather than refused as unknown.
    used: bool = True


_S, _U = Format.STRING, Format.UINT
# The table gives the time options a length of 15 (YYYYMMDDThhmmss); TS-0004 also allows a
# fraction of a second and, for rqet/rset/oet, a duration in milliseconds, so up to 32 bytes pass.
ONEM2M_OPTIONS: tuple[OneM2MOption, ...] = (
    OneM2MOption(259, "oneM2M-OT", "ot", _S, 32, 1),
    OneM2MOption(263, "oneM2M-RTURI", "rtu", _S, 255),
    OneM2MOption(267, "oneM2M-TY", "ty", _U, 2),
    OneM2MOption(271, "oneM2M-RVI", "rvi", _S, 2, 1),
    OneM2MOption(275, "oneM2M-ASRI", "asri", _S, 255, used=False),
    OneM2MOption(279, "oneM2M-FR", "fr", _S, 255),
    OneM2MOption(283, "oneM2M-RQI", "rqi", _S, 255),
    OneM2MOption(291, "oneM2M-RQET", "rqet", _S, 32, 1),
    OneM2MOption(295, "oneM2M-RSET", "rset", _S, 32, 1),
    OneM2MOption(299, "oneM2M-OET", "oet", _S, 32, 1),
    OneM2MOption(303, "oneM2M-EC", "ec", _U, 1),
    OneM2MOption(307, "oneM2M-RSC", "rsc", _U, 2),
    OneM2MOption(311, "oneM2M-GID", "gid", _S, 255),
    OneM2MOption(319, "oneM2M-CTO", "cto", _U, 2, used=False),
    OneM2MOption(323, "oneM2M-CTS", "cts", _U, 2, used=False),
    OneM2MOption(327, "oneM2M-ATI", "ati", _S, 255, used=False),
    OneM2MOption(331, "oneM2M-VSI", "vsi", _S, 255, used=False),
    OneM2MOption(335, "oneM2M-GTM", "gtm", _S, 512, used=False),
    OneM2MOption(339, "oneM2M-AUS", "aus", _S, 255, used=False),
)

BY_NUMBER: dict[int, OneM2MOption] = {option.number: option for option in ONEM2M_OPTIONS}
NUMBER_OF: dict[str, int] = {option.param: option.number for option in ONEM2M_OPTIONS}


# -- standard options this binding acts on (RFC 7252 clause 5.10, RFC 7959, RFC 7967) ----------

URI_HOST, ETAG, URI_PORT, LOCATION_PATH, URI_PATH = 3, 4, 7, 8, 11
CONTENT_FORMAT, MAX_AGE, URI_QUERY, ACCEPT = 12, 14, 15, 17
BLOCK2, BLOCK1, SIZE2, SIZE1 = 23, 27, 28, 60
PROXY_URI, PROXY_SCHEME = 35, 39


@dataclass(frozen=True)
class StandardOption:
    name: str
    format: Format
    max_length: int
    min_length: int = 0
    repeatable: bool = False


# Uri-Host and Uri-Port name this server; a single-host CSE has nothing to do with them.
STANDARD_OPTIONS: dict[int, StandardOption] = {
    URI_HOST: StandardOption("Uri-Host", _S, 255, 1),
    URI_PORT: StandardOption("Uri-Port", _U, 2),
    URI_PATH: StandardOption("Uri-Path", _S, 255, repeatable=True),
    CONTENT_FORMAT: StandardOption("Content-Format", _U, 2),
    URI_QUERY: StandardOption("Uri-Query", _S, 255, repeatable=True),
    ACCEPT: StandardOption("Accept", _U, 2),
    BLOCK2: StandardOption("Block2", _U, 3),
    BLOCK1: StandardOption("Block1", _U, 3),
    SIZE2: StandardOption("Size2", _U, 4),
    SIZE1: StandardOption("Size1", _U, 4),
}

# A server that is no proxy answers these with 5.05 (RFC 7252 clause 5.10.2).
PROXY_OPTIONS = frozenset({PROXY_URI, PROXY_SCHEME})


# -- Content-Formats (clause 6.2.2.2) ----------------------------------------------------------

class Kind(Enum):
    PLAIN = "plain"  # application/json, cbor, xml
    RES = "res"  # a resource representation
    NTFY = "ntfy"  # a notification
    PREQ = "preq"  # a whole request primitive (Release 5 FETCH)
    PRSP = "prsp"  # a whole response primitive


@dataclass(frozen=True)
class ContentFormat:
    number: int
    media: str
    codec: str  # the serialization's plain media type, as cse.serialization knows it
    kind: Kind


_JSON, _CBOR, _XML = "application/json", "application/cbor", "application/xml"
CONTENT_FORMATS: dict[int, ContentFormat] = {
    cf.number: cf
    for cf in (
        ContentFormat(41, _XML, _XML, Kind.PLAIN),
        ContentFormat(50, _JSON, _JSON, Kind.PLAIN),
        ContentFormat(60, _CBOR, _CBOR, Kind.PLAIN),
        ContentFormat(10014, "application/vnd.onem2m-res+xml", _XML, Kind.RES),
        ContentFormat(10001, "application/vnd.onem2m-res+json", _JSON, Kind.RES),
        ContentFormat(10010, "application/vnd.onem2m-res+cbor", _CBOR, Kind.RES),
        ContentFormat(10002, "application/vnd.onem2m-ntfy+xml", _XML, Kind.NTFY),
        ContentFormat(10003, "application/vnd.onem2m-ntfy+json", _JSON, Kind.NTFY),
        ContentFormat(10011, "application/vnd.onem2m-ntfy+cbor", _CBOR, Kind.NTFY),
        ContentFormat(10006, "application/vnd.onem2m-preq+xml", _XML, Kind.PREQ),
        ContentFormat(10007, "application/vnd.onem2m-preq+json", _JSON, Kind.PREQ),
        ContentFormat(10012, "application/vnd.onem2m-preq+cbor", _CBOR, Kind.PREQ),
        ContentFormat(10008, "application/vnd.onem2m-prsp+xml", _XML, Kind.PRSP),
        ContentFormat(10009, "application/vnd.onem2m-prsp+json", _JSON, Kind.PRSP),
        ContentFormat(10013, "application/vnd.onem2m-prsp+cbor", _CBOR, Kind.PRSP),
    )
}

JSON_FORMAT = CONTENT_FORMATS[50]
# What a response may be asked for in Accept: a resource representation.
REPRESENTATION_KINDS = (Kind.PLAIN, Kind.RES)
PLAIN_FOR_CODEC: dict[str, ContentFormat] = {cf.codec: cf for cf in CONTENT_FORMATS.values() if cf.kind is Kind.PLAIN}
NUMBER_FOR_MEDIA: dict[str, int] = {cf.media: cf.number for cf in CONTENT_FORMATS.values()}


# -- response codes (Table 6.2.4-1) ------------------------------------------------------------

# Keyed by the number, not the RSC enum: the table names codes this CSE never produces.
_RESPONSE_CODES: dict[int, str] = {
    1001: "2.01", 1002: "2.04",  # 1002: 2.04 because this CSE has no <request> resources
    2000: "2.05", 2001: "2.01", 2002: "2.02", 2004: "2.04",
    4000: "4.00", 4001: "5.01", 4004: "4.04", 4005: "4.05", 4008: "5.04", 4015: "4.15",
    4101: "4.03", 4102: "4.00", 4103: "4.03", 4104: "4.00", 4105: "4.03", 4106: "4.03",
    4107: "4.03", 4108: "4.03", 4109: "4.03", 4110: "4.00", 4111: "4.03", 4112: "4.03",
    4113: "4.03", 4114: "4.03", 4115: "4.03", 4116: "4.03", 4117: "4.03", 4118: "4.04",
    4119: "4.04", 4120: "4.02", 4121: "4.04", 4122: "4.02", 4123: "4.00", 4124: "4.00",
    4125: "5.01", 4126: "4.03", 4127: "4.03", 4143: "4.00",
    5000: "5.00", 5001: "5.01", 5103: "4.04", 5105: "4.03", 5106: "4.00", 5107: "4.04",
    5203: "4.03", 5204: "5.00", 5205: "4.03", 5206: "5.01", 5207: "4.06", 5208: "4.03",
    5209: "5.00", 5210: "5.00", 5211: "5.00", 5212: "5.00", 5214: "4.03", 5215: "4.03",
    5216: "5.00", 5217: "5.00", 5218: "4.03", 5219: "4.00", 5220: "4.00", 5221: "5.00",
    5222: "4.03",
    6003: "4.04", 6005: "4.04", 6010: "4.00", 6020: "5.00", 6021: "5.00", 6022: "4.00",
    6023: "4.00", 6024: "4.00", 6025: "5.00", 6026: "5.00", 6028: "4.00", 6029: "4.00",
    6030: "5.04", 6031: "5.04",
}
RESPONSE_CODES: dict[int, int] = {rsc: coap_code(code) for rsc, code in _RESPONSE_CODES.items()}
# A NOTIFY answered with OK is 2.04 Changed with an empty payload, not 2.05.
NOTIFY_OK = coap_code("2.04")
# A code the table does not list is an error this binding cannot place better.
FALLBACK_CODE = coap_code("5.00")


def code_for(rsc: int, op: Operation | None) -> int:
    if rsc == 2000 and op == Operation.NOTIFY:
        return NOTIFY_OK
    return RESPONSE_CODES.get(int(rsc), FALLBACK_CODE)


# The reverse, for an answer without oneM2M-RSC (a plain CoAP server as a notification target).
_RSC_FOR_CODE: dict[str, int] = {
    "2.01": 2001, "2.02": 2002, "2.04": 2004, "2.05": 2000,
    "4.00": 4000, "4.02": 4000, "4.03": 4103, "4.04": 4004, "4.05": 4005, "4.06": 5207,
    "4.13": 4000, "4.15": 4015, "5.00": 5000, "5.01": 5001, "5.03": 5000, "5.04": 4008,
}
RSC_FOR_CODE: dict[int, int] = {coap_code(code): rsc for code, rsc in _RSC_FOR_CODE.items()}


def rsc_for(code: int, op: Operation) -> int:
    if code == NOTIFY_OK and op == Operation.NOTIFY:
        return 2000
    if code in RSC_FOR_CODE:
        return RSC_FOR_CODE[code]
    return 4000 if code >> 5 == 4 else 5000 if code >> 5 == 5 else 2000


# -- checking and reading a request's options --------------------------------------------------

BAD_OPTION = coap_code("4.02")
PROXYING_NOT_SUPPORTED = coap_code("5.05")


@dataclass(frozen=True)
class OptionProblem:
    """Why a request's options cannot be acted on, and the CoAP code that says so."""

    code: int
    reason: str


def read(options: Any) -> tuple[dict[str, Any], OptionProblem | None]:
    """The oneM2M parameters carried in ``options`` (an aiocoap Options), and the first problem.

    RFC 7252 clause 5.4: a critical option the server does not recognise, one whose value is
    outside its defined length or format, and a second occurrence of a non-repeatable one all
    make the request unprocessable (4.02 Bad Option). Every oneM2M option is critical.
    """
    values: dict[str, Any] = {}
    seen: set[int] = set()
    for option in options.option_list():
        number = int(option.number)
        spec: OneM2MOption | StandardOption | None = BY_NUMBER.get(number) or STANDARD_OPTIONS.get(number)
        if spec is None:
            if number in PROXY_OPTIONS:
                return values, OptionProblem(PROXYING_NOT_SUPPORTED, f"this CSE is no CoAP proxy (option {number})")
            if number & 1:
                return values, OptionProblem(BAD_OPTION, f"unrecognised critical option {number}")
            continue  # elective options may be ignored
        if number in seen and not getattr(spec, "repeatable", False):
            return values, OptionProblem(BAD_OPTION, f"option {spec.name} ({number}) is not repeatable")
        seen.add(number)
        # aiocoap keeps the options it has no format for (all oneM2M ones) as their bytes.
        raw = option.value if type(option.value) is bytes else option.encode()
        if not spec.min_length <= len(raw) <= spec.max_length:
            return values, OptionProblem(
                BAD_OPTION,
                f"option {spec.name} ({number}) has {len(raw)} bytes; "
                f"{spec.min_length} to {spec.max_length} are allowed",
            )
        if isinstance(spec, OneM2MOption):
            if spec.format is Format.UINT:
                values[spec.param] = int.from_bytes(raw, "big")
                continue
            try:
                values[spec.param] = raw.decode("utf-8")
            except UnicodeDecodeError:
                return values, OptionProblem(BAD_OPTION, f"option {spec.name} ({number}) is not UTF-8 text")
    return values, None
