"""flexContainer specializations described as data (TS-0004 clause 7.4.37, TS-0023 clause 6).

A <flexContainer> (ty 28) is only ever created as one of its specializations: 'cod:devLt'
(deviceLight), 'cod:binSh' (binarySwitch), 'cod:togge' (the toggle action)... Each one is
described here by a :class:`Specialization`:

  - its type name ``ns:shortName``, the root element of its representation in every
    serialization, whose prefix is an XML namespace (TS-0023 table 6.5.1-1 for the oneM2M
    domains, or ``namespace`` for any other prefix);
  - its long name and its containerDefinition ``cnd``, by TS-0023 clause 6.4
    ``org.onem2m.<domain>.<device|subdevice|moduleclass|action>.<name>``
    (:func:`container_definition`), which tells stored resources of the type apart;
  - its custom attributes (:class:`CustomAttribute`): short and long name, data type,
    cardinality (1: mandatory on Create; 0..1: optional), whether originators other than the
    device's owner may write it, and whether a change must first reach the live device;
  - the specializations allowed as its children.

:func:`register` turns descriptions into resource types (through
``cse.resources.flex_container_table``) and adds them to a CSE's ``TypeRegistry``, at start or
while the CSE runs; the SDT engine fills it from SDT templates, the tests from a few
hand-written descriptions. A description that cannot be served is refused as a whole with a
:class:`SpecializationError` that says why, before anything is registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Iterable

import orjson

from cse.errors import bad_request
from cse.model import datatypes as dt
from cse.model.datatypes import DataType
from cse.model.typecodes import Ty
from cse.serialization import xml_codec

if TYPE_CHECKING:
    from cse.model.registry import TypeRegistry
    from cse.model.schema import ResourceType

# TS-0023 table 6.5.1-1: the XML name space of each domain's prefix.
DOMAIN_NAMESPACES: dict[str, str] = {
    "agd": "http://www.onem2m.org/xml/protocols/agriculturedomain",
    "cid": "http://www.onem2m.org/xml/protocols/citydomain",
    "cod": "http://www.onem2m.org/xml/protocols/commondomain",
    "hed": "http://www.onem2m.org/xml/protocols/healthdomain",
    "hod": "http://www.onem2m.org/xml/protocols/homedomain",
    "hd": "http://www.onem2m.org/xml/protocols/horizontaldomain",
    "ind": "http://www.onem2m.org/xml/protocols/industrydomain",
    "mad": "http://www.onem2m.org/xml/protocols/managementdomain",
    "mdd": "http://www.onem2m.org/xml/protocols/metadatadomain",
    "psd": "http://www.onem2m.org/xml/protocols/publicsafetydomain",
    "rad": "http://www.onem2m.org/xml/protocols/railwaydomain",
    "ved": "http://www.onem2m.org/xml/protocols/vehiculardomain",
    # TS-0033 interworking specializations (m2m:gis...) live in the oneM2M protocols namespace.
    "m2m": xml_codec.ONEM2M_NS,
}

# Names become XML element names: an NCName each, the type name a QName (prefix:local).
_NCNAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_TYPE_NAME = re.compile(f"^({_NCNAME}):({_NCNAME})$")
_ATTRIBUTE_NAME = re.compile(f"^{_NCNAME}$")


class SpecializationError(ValueError):
    """A specialization description that cannot be registered; the message says why."""


class Kind(StrEnum):
    """What an SDT element became (TS-0023 clause 6.4): the third segment of its cnd."""

    DEVICE = "device"
    SUBDEVICE = "subdevice"
    MODULECLASS = "moduleclass"
    ACTION = "action"


def container_definition(domain: str, kind: Kind | str, name: str) -> str:
    """The cnd TS-0023 clause 6.4 gives: ``org.onem2m.<domain>.<kind>.<name>``."""
    return f"org.onem2m.{domain}.{Kind(kind).value}.{name}"


@dataclass(frozen=True)
class CustomAttribute:
    """One custom attribute (an SDT DataPoint, or an Action's argument).

    ``mandatory``: cardinality 1, so a Create must carry it and an Update cannot remove it;
    otherwise 0..1.
    ``writable``: False for read-only data points; then only the device's owner (the
    originator that created the device's resources, e.g. the interworking proxy) or the CSE
    admin may change it, while everyone else gets BAD_REQUEST.
    ``device_backed``: the value lives in a device; when the resource is served by a management
    adapter, an Update changing it is forwarded to the adapter, which drives the device before
    the CSE stores anything (see cse.core.adapters).
    """

    sn: str
    ln: str
    dtype: DataType
    mandatory: bool = False
    writable: bool = True
    device_backed: bool = False


@dataclass(frozen=True)
class Specialization:
    """A flexContainer specialization; see the module docstring."""

    tpe: str
    name: str
    cnd: str
    kind: Kind | None = None
    attributes: tuple[CustomAttribute, ...] = ()
    # Type names (``ns:shortName``) of the specializations allowed as children; names that are
    # not registered (yet) are allowed and simply never match.
    children: frozenset[str] = frozenset()
    # The XML namespace URI of the type name's prefix; None: the TS-0023 table's.
    namespace: str | None = None
    _by_sn: dict[str, CustomAttribute] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Descriptions may come with lists; keep them immutable.
        object.__setattr__(self, "attributes", tuple(self.attributes))
        object.__setattr__(self, "children", frozenset(self.children))
        if self.kind is not None and not isinstance(self.kind, Kind):
            try:
                object.__setattr__(self, "kind", Kind(self.kind))
            except ValueError:
                raise SpecializationError(
                    f"{self.tpe}: kind {self.kind!r} is not one of {', '.join(k.value for k in Kind)}"
                ) from None
        object.__setattr__(self, "_by_sn", {a.sn: a for a in self.attributes if isinstance(a, CustomAttribute)})

    @property
    def prefix(self) -> str:
        return self.tpe.partition(":")[0]

    @property
    def short_name(self) -> str:
        return self.tpe.partition(":")[2]

    @property
    def is_action(self) -> bool:
        return self.kind is Kind.ACTION

    @property
    def namespace_uri(self) -> str | None:
        return self.namespace or DOMAIN_NAMESPACES.get(self.prefix)

    def attribute(self, sn: str) -> CustomAttribute | None:
        return self._by_sn.get(sn)

    def custom_values(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The custom attributes among a resource's attributes."""
        return {sn: attrs[sn] for sn in self._by_sn if attrs.get(sn) is not None}

    def check(self) -> None:
        """Raise SpecializationError unless the description is complete and consistent."""
        where = self.tpe if isinstance(self.tpe, str) and self.tpe else repr(self.tpe)
        if not isinstance(self.tpe, str) or not _TYPE_NAME.match(self.tpe):
            raise SpecializationError(f"{where}: the type name must be 'namespace:shortName', e.g. 'cod:devLt'")
        if not isinstance(self.name, str) or not self.name:
            raise SpecializationError(f"{where}: the long name is missing")
        if not isinstance(self.cnd, str) or not self.cnd.strip():
            raise SpecializationError(f"{where}: the containerDefinition (cnd) is missing")
        if self.namespace_uri is None:
            raise SpecializationError(
                f"{where}: the prefix {self.prefix!r} is not a TS-0023 domain prefix; give its XML namespace"
            )
        seen: set[str] = set()
        for attr in self.attributes:
            if not isinstance(attr, CustomAttribute):
                raise SpecializationError(f"{where}: {attr!r} is not a CustomAttribute")
            if not isinstance(attr.sn, str) or not _ATTRIBUTE_NAME.match(attr.sn):
                raise SpecializationError(f"{where}: custom attribute name {attr.sn!r} is not a valid XML name")
            if attr.sn in seen:
                raise SpecializationError(f"{where}: custom attribute {attr.sn!r} is declared twice")
            seen.add(attr.sn)
            if not isinstance(attr.dtype, DataType):
                raise SpecializationError(f"{where}: custom attribute {attr.sn!r} has no data type")
        for child in self.children:
            if not isinstance(child, str) or not _TYPE_NAME.match(child):
                raise SpecializationError(f"{where}: child specialization {child!r} is not 'namespace:shortName'")


# -- data types -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounded(DataType):
    """A numeric type with bounds (SDT minValue/maxValue constraints on floats)."""

    base: DataType = field(default_factory=dt.Float)
    minimum: float | None = None
    maximum: float | None = None

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.base.name

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        value = self.base.check(value, path, lenient)
        if self.minimum is not None and value < self.minimum:
            raise bad_request(f"attribute {path}: {value} is below the minimum {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise bad_request(f"attribute {path}: {value} is above the maximum {self.maximum}")
        return value


_SDT_TYPES: dict[str, DataType] = {
    "boolean": dt.BOOLEAN,
    "integer": dt.INTEGER,
    "nonneginteger": dt.NON_NEG_INT,
    "positiveinteger": dt.POSITIVE_INT,
    "byte": dt.Int(minimum=0, maximum=255),
    "float": dt.Float(),
    "string": dt.STRING,
    "blob": dt.STRING,  # base64 text
    "uri": dt.ANY_URI,
    "anyuri": dt.ANY_URI,
    "timestamp": dt.TIMESTAMP,  # m2m:timestamp, YYYYMMDDThhmmss
    "datetime": dt.STRING,  # xs:dateTime, xs:date and xs:time are kept as written
    "date": dt.STRING,
    "time": dt.STRING,
    "list": dt.ListOf(item=dt.JsonValue()),
}


def sdt_datatype(
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    values: Iterable[int] | None = None,
    item: DataType | None = None,
) -> DataType:
    """The data type for an SDT/TS-0023 simple type name ('boolean', 'integer', 'float',
    'string', 'timestamp', 'list', ...), with the bounds, enumeration values or list item type
    the template gives."""
    key = name.strip().lower() if isinstance(name, str) else ""
    if values is not None:
        allowed = frozenset(values)
        if not allowed or not all(isinstance(v, int) and not isinstance(v, bool) for v in allowed):
            raise SpecializationError(f"enumeration values must be integers, got {sorted(map(repr, allowed))}")
        return dt.Enum(values=allowed)
    if key == "list":
        return dt.ListOf(item=item) if item is not None else _SDT_TYPES["list"]
    base = _SDT_TYPES.get(key)
    if base is None:
        raise SpecializationError(f"data type {name!r} is not one of {', '.join(sorted(_SDT_TYPES))}")
    if minimum is None and maximum is None:
        return base
    if isinstance(base, dt.Int):
        low = minimum if base.minimum is None or (minimum is not None and minimum > base.minimum) else base.minimum
        high = maximum if base.maximum is None or (maximum is not None and maximum < base.maximum) else base.maximum
        if any(bound is not None and bound != int(bound) for bound in (low, high)):
            raise SpecializationError(f"bounds of an integer type must be integers, got {minimum!r}..{maximum!r}")
        return dt.Int(minimum=None if low is None else int(low), maximum=None if high is None else int(high))
    if isinstance(base, dt.Float):
        return Bounded(base=base, minimum=minimum, maximum=maximum)
    raise SpecializationError(f"data type {name!r} cannot have bounds")


# -- registration ---------------------------------------------------------------------------------


def register(registry: "TypeRegistry", specs: Iterable[Specialization]) -> list["ResourceType"]:
    """Register specializations with a CSE's type registry (``cse.registry``).

    All or nothing: every description is checked, against the others and against what is
    registered already, before any is added. Registering a type name again replaces its
    earlier description (resources already stored keep their attributes). Returns the
    resource types added.
    """
    from cse.resources.flex_container_table import resource_type

    batch = list(specs)
    by_tpe: dict[str, Specialization] = {}
    by_cnd: dict[str, Specialization] = {}
    for spec in batch:
        if not isinstance(spec, Specialization):
            raise SpecializationError(f"{spec!r} is not a Specialization")
        spec.check()
        if spec.tpe in by_tpe:
            raise SpecializationError(f"{spec.tpe}: described twice")
        if spec.cnd in by_cnd:
            raise SpecializationError(f"{spec.tpe}: containerDefinition {spec.cnd!r} is also that of {by_cnd[spec.cnd].tpe}")
        by_tpe[spec.tpe] = spec
        by_cnd[spec.cnd] = spec
    for spec in batch:
        existing = registry.by_tpe(spec.tpe)
        if existing is not None and of_type(existing) is None:
            raise SpecializationError(f"{spec.tpe}: the name of a resource type that is not a flexContainer specialization")
        holder = by_cnd_in(registry, spec.cnd)
        if holder is not None and holder.tpe != spec.tpe and holder.tpe not in by_tpe:
            raise SpecializationError(f"{spec.tpe}: containerDefinition {spec.cnd!r} is already that of {holder.tpe}")
        known = xml_codec.NAMESPACES.get(spec.prefix)
        if known is not None and known != spec.namespace_uri:
            raise SpecializationError(
                f"{spec.tpe}: the prefix {spec.prefix!r} already names the XML namespace {known!r}, not {spec.namespace_uri!r}"
            )
    # Namespaces within the batch must agree too.
    uris: dict[str, str] = {}
    for spec in batch:
        uri = spec.namespace_uri
        assert uri is not None  # check() made sure
        if uris.setdefault(spec.prefix, uri) != uri:
            raise SpecializationError(f"{spec.tpe}: the prefix {spec.prefix!r} is given two XML namespaces")
    types = [resource_type(spec) for spec in batch]  # may raise SpecializationError too

    for rtype in types:
        if registry.by_tpe(rtype.tpe) is not None:
            registry.unregister(rtype.tpe)
        registry.register(rtype)
    for prefix, uri in uris.items():
        if prefix not in xml_codec.NAMESPACES:
            xml_codec.register_namespace(prefix, uri)
    return types


def unregister(registry: "TypeRegistry", tpe: str) -> None:
    """Forget a specialization: it can no longer be created; stored resources of it are served
    as plain flexContainers ('m2m:fcnt') with their attributes as stored."""
    rtype = registry.by_tpe(tpe)
    if rtype is not None and of_type(rtype) is not None:
        registry.unregister(tpe)


def lookup(registry: "TypeRegistry", tpe: str) -> Specialization | None:
    """The registered specialization of that type name."""
    rtype = registry.by_tpe(tpe)
    return of_type(rtype) if rtype is not None else None


def by_cnd_in(registry: "TypeRegistry", cnd: Any) -> Specialization | None:
    """The registered specialization whose containerDefinition is ``cnd``."""
    if not isinstance(cnd, str):
        return None
    rtype = registry.by_discriminator(Ty.FCNT, cnd)
    spec = of_type(rtype) if rtype is not None else None
    return spec if spec is not None and spec.cnd == cnd else None


def of_type(rtype: "ResourceType") -> Specialization | None:
    """The description behind a registered resource type, or None for any other type."""
    if rtype.ty != Ty.FCNT:
        return None
    spec = getattr(rtype.behaviour, "specialization", None)
    return spec if isinstance(spec, Specialization) else None


def content_size(spec: Specialization, attrs: dict[str, Any]) -> int:
    """contentSize (cs): the bytes of data stored in the custom attributes.

    Each present custom attribute counts the bytes of its value in UTF-8: a string its text,
    anything else its compact JSON text (true: 4, 42: 2, [1,2]: 5). Names and the common
    attributes do not count, and neither does the serialization a request happens to use.
    """
    total = 0
    for value in spec.custom_values(attrs).values():
        total += len(value.encode()) if isinstance(value, str) else len(orjson.dumps(value))
    return total
