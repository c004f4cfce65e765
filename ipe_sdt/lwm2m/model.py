"""Definitions of LwM2M objects and resources, as the OMA registry describes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType


class Operations(Enum):
    """The <Operations> of a resource. NONE marks resources only the bootstrap server touches."""

    R = "R"
    W = "W"
    RW = "RW"
    E = "E"
    NONE = "none"

    @property
    def readable(self) -> bool:
        return self in (Operations.R, Operations.RW)

    @property
    def writable(self) -> bool:
        return self in (Operations.W, Operations.RW)

    @property
    def executable(self) -> bool:
        return self is Operations.E


class ResourceType(Enum):
    """The <Type> of a resource. NONE is the empty type of executable resources."""

    STRING = "String"
    INTEGER = "Integer"
    UNSIGNED_INTEGER = "Unsigned Integer"
    FLOAT = "Float"
    BOOLEAN = "Boolean"
    OPAQUE = "Opaque"
    TIME = "Time"
    OBJLNK = "Objlnk"
    CORELNK = "Corelnk"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ResourceDef:
    id: int
    name: str
    operations: Operations
    multiple_instances: bool
    mandatory: bool
    type: ResourceType
    range: str = ""
    """<RangeEnumeration> verbatim: the registry mixes "0..255", "0..255 bytes", "16,32,48"."""
    units: str = ""

    @property
    def readable(self) -> bool:
        return self.operations.readable

    @property
    def writable(self) -> bool:
        return self.operations.writable

    @property
    def executable(self) -> bool:
        return self.operations.executable


@dataclass(frozen=True, slots=True)
class ObjectDef:
    id: int
    name: str
    version: str
    """<ObjectVersion>: the "ver" a client announces at registration."""
    lwm2m_version: str
    urn: str
    multiple_instances: bool
    mandatory: bool
    resources: tuple[ResourceDef, ...]
    _by_id: Mapping[int, ResourceDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {r.id: r for r in self.resources}
        if len(by_id) != len(self.resources):
            raise ValueError(f"object {self.id} declares a resource id twice")
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))

    def resource(self, rid: int) -> ResourceDef | None:
        return self._by_id.get(rid)
