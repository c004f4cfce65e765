"""Typed object model shared by SDT 3.0 and SDT 4.0 templates.

Both versions describe the same concepts with slightly different element names
(SDT 3.0 ``Modules/Module`` + ``extends domain class`` and ``Devices/Device``,
SDT 4.0 ``ModuleClasses/ModuleClass`` + ``Extend domain entity`` and
``DeviceClasses/DeviceClass``).  The parser maps both onto the classes below, so
the mapping layer never has to care which version a template was written in.

Every object carries a :class:`SourceLocation`.  It is excluded from equality, so
two definitions with the same content compare equal wherever they were written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterator, TypeAlias

from .diagnostics import Diagnostic

NS_SDT3 = "http://homegatewayinitiative.org/xml/dal/3.0"
NS_SDT4 = "http://www.onem2m.org/xml/sdt/4.0"
NS_XINCLUDE = "http://www.w3.org/2001/XInclude"

UNBOUNDED: None = None
"""Value of ``max_occurs`` when the template says ``maxOccurs="unbounded"``."""


class SDTVersion(StrEnum):
    V3 = "3.0"
    V4 = "4.0"

    @property
    def namespace(self) -> str:
        return NS_SDT3 if self is SDTVersion.V3 else NS_SDT4

    @classmethod
    def from_namespace(cls, namespace: str) -> SDTVersion | None:
        return {NS_SDT3: cls.V3, NS_SDT4: cls.V4}.get(namespace)


class MemberKind(StrEnum):
    """What an ``Include``/``Exclude`` of an SDT 4.0 ``Extend`` refers to (its ``type``)."""

    DATAPOINT = "datapoint"
    ACTION = "action"
    EVENT = "event"
    PROPERTY = "property"

    @property
    def label(self) -> str:
        return _MEMBER_LABELS[self]


_MEMBER_LABELS = {
    MemberKind.DATAPOINT: "data point",
    MemberKind.ACTION: "action",
    MemberKind.EVENT: "event",
    MemberKind.PROPERTY: "property",
}


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where an element was written: file, 1-based line and an element path.

    The path uses the real XML element names with ``[@name=..]``/``[@id=..]``
    predicates, e.g. ``Domain[@id=x]/ModuleClasses/ModuleClass[@name=y]/Data/DataPoint[@name=z]``.
    """

    file: str
    line: int
    path: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}"


@dataclass(kw_only=True)
class SDTElement:
    source: SourceLocation = field(compare=False, repr=False)


@dataclass(kw_only=True)
class Doc(SDTElement):
    """Human-readable documentation; inline markup (``<tt>``, ``<em>``, ...) is kept as text."""

    text: str


@dataclass(kw_only=True)
class Constraint(SDTElement):
    name: str
    type: str | None = None
    value: str | None = None
    semantic_uri: str | None = None
    doc: Doc | None = None


@dataclass(kw_only=True)
class SimpleType(SDTElement):
    type: str


@dataclass(kw_only=True)
class StructType(SDTElement):
    fields: list[DataType] = field(default_factory=list)


@dataclass(kw_only=True)
class ArrayType(SDTElement):
    element: DataType | None = None


@dataclass(kw_only=True)
class EnumValue(SDTElement):
    name: str
    value: str | None = None
    type: str | None = None
    semantic_uri: str | None = None
    doc: Doc | None = None


@dataclass(kw_only=True)
class EnumType(SDTElement):
    values: list[EnumValue] = field(default_factory=list)


@dataclass(kw_only=True)
class ExtendFilter(SDTElement):
    """An ``Include`` or ``Exclude`` inside an SDT 4.0 ``Extend``."""

    name: str
    type: MemberKind = MemberKind.DATAPOINT


@dataclass(kw_only=True)
class Extend(SDTElement):
    """Inheritance reference; SDT 3.0 ``<extends domain class>`` maps here with ``entity=class``."""

    domain: str
    entity: str
    includes: list[ExtendFilter] = field(default_factory=list)
    excludes: list[ExtendFilter] = field(default_factory=list)


@dataclass(kw_only=True)
class DataTypeRef(SDTElement):
    """An SDT 4.0 ``<DataType><Extend .../></DataType>`` naming a domain-level ``DataType``."""

    extend: Extend


TypeChoice: TypeAlias = SimpleType | StructType | ArrayType | EnumType | DataTypeRef


@dataclass(kw_only=True)
class DataType(SDTElement):
    name: str | None = None
    unit_of_measure: str | None = None
    semantic_uri: str | None = None
    doc: Doc | None = None
    type: TypeChoice | None = None
    constraints: list[Constraint] = field(default_factory=list)

    @property
    def simple_type(self) -> str | None:
        """The basic type name when this is a simple type, else ``None``."""
        return self.type.type if isinstance(self.type, SimpleType) else None


@dataclass(kw_only=True)
class Property(SDTElement):
    name: str
    optional: bool = False
    value: str | None = None
    semantic_uri: str | None = None
    doc: Doc | None = None
    type: SimpleType | None = None


@dataclass(kw_only=True)
class Arg(SDTElement):
    name: str
    optional: bool = False
    default: str | None = None
    semantic_uri: str | None = None
    doc: Doc | None = None
    type: DataType | None = None


@dataclass(kw_only=True)
class Action(SDTElement):
    name: str
    optional: bool = False
    semantic_uri: str | None = None
    doc: Doc | None = None
    return_type: DataType | None = None
    args: list[Arg] = field(default_factory=list)


@dataclass(kw_only=True)
class DataPoint(SDTElement):
    name: str
    optional: bool = False
    readable: bool = True
    writable: bool = True
    eventable: bool = False
    default: str | None = None
    semantic_uri: str | None = None
    doc: Doc | None = None
    type: DataType | None = None


@dataclass(kw_only=True)
class Event(SDTElement):
    name: str
    optional: bool = False
    semantic_uri: str | None = None
    doc: Doc | None = None
    data_points: list[DataPoint] = field(default_factory=list)


@dataclass(kw_only=True)
class Occurrence:
    """``minOccurs``/``maxOccurs``; ``max_occurs`` is ``None`` for ``unbounded``."""

    min_occurs: int = 1
    max_occurs: int | None = 1


@dataclass(kw_only=True)
class ModuleClass(SDTElement, Occurrence):
    """A ``ModuleClass`` (domain level) or a ``Module``/``ModuleClass`` used inside a device.

    ``element`` keeps the XML element name because SDT 3.0 distinguishes the
    class definition (``ModuleClass``) from its use in a device (``Module``).
    """

    name: str
    element: str = "ModuleClass"
    optional: bool = False
    semantic_uri: str | None = None
    doc: Doc | None = None
    extend: Extend | None = None
    properties: list[Property] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    data_points: list[DataPoint] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def is_optional(self) -> bool:
        return self.optional or self.min_occurs == 0


@dataclass(kw_only=True)
class SubDevice(SDTElement, Occurrence):
    id: str
    semantic_uri: str | None = None
    doc: Doc | None = None
    extend: Extend | None = None
    properties: list[Property] = field(default_factory=list)
    module_classes: list[ModuleClass] = field(default_factory=list)


@dataclass(kw_only=True)
class DeviceClass(SDTElement):
    """An SDT 4.0 ``DeviceClass`` or an SDT 3.0 ``Device``."""

    id: str
    semantic_uri: str | None = None
    doc: Doc | None = None
    properties: list[Property] = field(default_factory=list)
    module_classes: list[ModuleClass] = field(default_factory=list)
    sub_devices: list[SubDevice] = field(default_factory=list)


@dataclass(kw_only=True)
class ProductClass(SDTElement):
    """An SDT 4.0 ``ProductClass``; ``extend`` names the ``DeviceClass`` it specialises."""

    name: str
    semantic_uri: str | None = None
    doc: Doc | None = None
    extend: Extend | None = None
    properties: list[Property] = field(default_factory=list)
    module_classes: list[ModuleClass] = field(default_factory=list)
    sub_devices: list[SubDevice] = field(default_factory=list)


@dataclass(kw_only=True)
class Import(SDTElement):
    """One imported domain; ``href`` is the XInclude reference or ``None`` when written inline."""

    href: str | None
    file: str
    domain: Domain


@dataclass(kw_only=True)
class Domain(SDTElement):
    id: str
    version: SDTVersion
    semantic_uri: str | None = None
    doc: Doc | None = None
    imports: list[Import] = field(default_factory=list)
    data_types: list[DataType] = field(default_factory=list)
    module_classes: list[ModuleClass] = field(default_factory=list)
    sub_devices: list[SubDevice] = field(default_factory=list)
    device_classes: list[DeviceClass] = field(default_factory=list)
    product_classes: list[ProductClass] = field(default_factory=list)

    def iter_domains(self) -> Iterator[Domain]:
        """This domain and every domain it imports, transitively, each once."""
        seen: set[int] = set()
        pending = [self]
        while pending:
            domain = pending.pop(0)
            if id(domain) in seen:
                continue
            seen.add(id(domain))
            yield domain
            pending.extend(imp.domain for imp in domain.imports)


@dataclass(kw_only=True)
class SDTDocument:
    """Result of parsing: the root domain plus problems found while reading its structure.

    ``diagnostics`` holds structure problems only; :func:`ipe_sdt.sdt.validate`
    adds the semantic checks and returns everything together.
    """

    domain: Domain
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: tuple[str, ...] = ()

    @property
    def version(self) -> SDTVersion:
        return self.domain.version
