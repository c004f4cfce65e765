"""Request and response primitives (TS-0004 clause 6.4): what every binding produces and consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from cse.status import RSC


class Operation(IntEnum):
    CREATE = 1
    RETRIEVE = 2
    UPDATE = 3
    DELETE = 4
    NOTIFY = 5
    # Discovery is a Retrieve with filterUsage=1; it has its own access-control bit.
    DISCOVERY = 6


class ResultContent(IntEnum):
    NOTHING = 0
    ATTRIBUTES = 1
    HIERARCHICAL_ADDRESS = 2
    HIERARCHICAL_ADDRESS_AND_ATTRIBUTES = 3
    ATTRIBUTES_AND_CHILD_RESOURCES = 4
    ATTRIBUTES_AND_CHILD_RESOURCE_REFERENCES = 5
    CHILD_RESOURCE_REFERENCES = 6
    ORIGINAL_RESOURCE = 7
    CHILD_RESOURCES = 8
    MODIFIED_ATTRIBUTES = 9
    DISCOVERY_RESULT_REFERENCES = 11


class FilterUsage(IntEnum):
    DISCOVERY = 1
    CONDITIONAL_RETRIEVAL = 2
    IPE_ON_DEMAND_DISCOVERY = 3


class DesiredIdentifierResultType(IntEnum):
    STRUCTURED = 1
    UNSTRUCTURED = 2


class ResponseType(IntEnum):
    NON_BLOCKING_SYNCH = 1
    NON_BLOCKING_ASYNCH = 2
    BLOCKING = 3
    FLEX_BLOCKING = 4
    NO_RESPONSE = 5


@dataclass
class FilterCriteria:
    """Filter criteria (TS-0004 clause 6.3.5.8) in short names, as parsed from a request."""

    crb: Any = None
    cra: Any = None
    ms: Any = None
    us: Any = None
    sts: int | None = None
    stb: int | None = None
    exb: Any = None
    exa: Any = None
    lbl: list[str] = field(default_factory=list)
    ty: list[int] = field(default_factory=list)
    sza: int | None = None
    szb: int | None = None
    cty: list[str] = field(default_factory=list)
    atr: dict[str, Any] = field(default_factory=dict)
    fu: FilterUsage | None = None
    lim: int | None = None
    lvl: int | None = None
    ofst: int | None = None
    fo: int = 1  # 1: AND, 2: OR


@dataclass
class Request:
    op: Operation
    to: str
    fr: str | None
    rqi: str
    rvi: str = "1"
    ty: int | None = None
    pc: Any = None
    rcn: ResultContent | None = None
    rt: ResponseType = ResponseType.BLOCKING
    rtu: list[str] = field(default_factory=list)
    rqet: Any = None
    rset: Any = None
    oet: Any = None
    ot: str | None = None
    ec: int | None = None
    drt: DesiredIdentifierResultType = DesiredIdentifierResultType.STRUCTURED
    fc: FilterCriteria = field(default_factory=FilterCriteria)
    gid: str | None = None
    # Transport facts the core may use for access control (acco/acip) and logging.
    peer: str | None = None
    # True when the content came from XML: scalars arrive as text and are coerced by type.
    lenient_types: bool = False


@dataclass
class Response:
    rsc: RSC
    rqi: str
    pc: Any = None
    rvi: str | None = None
    ot: str | None = None
    to: str | None = None
    fr: str | None = None
    # The address of a created resource (HTTP Content-Location, CoAP Location-Path).
    location: str | None = None
