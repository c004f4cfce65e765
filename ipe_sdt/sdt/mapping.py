"""SDT templates as flexContainer specializations (TS-0023 clause 6).

=====================  =====================================================================
SDT                    flexContainer specialization
=====================  =====================================================================
DeviceClass (Device)   kind device, cnd ``<base>.device.<id>``; custom attributes nodeLink and
                       flexNodeLink (``rules.KIND_ATTRIBUTES``), then the device's Properties
                       (read-only); children: its module classes and sub-devices
SubDevice              kind subdevice, cnd ``<base>.subdevice.<id>``; Properties as above;
                       children: its module classes
ModuleClass            kind moduleclass, cnd ``<base>.moduleclass.<name>``; custom attributes
                       dataGenerationTime (read-only), then the effective (inherited) Properties
                       (read-only) and DataPoints; children: its actions
DataPoint              custom attribute: type (``types``), mandatory unless optional, writable
                       as the DataPoint says, device-backed (an Update reaches the device first)
Action                 kind action, cnd ``<base>.action.<name>``; dataGenerationTime, then its
                       Args (mandatory unless optional); a return value other than void adds the
                       read-only attribute ``result`` that the device's adapter fills in. An
                       Update of the action's resource invokes it.
=====================  =====================================================================

``<base>``, the type name prefix and its namespace come from the domain the element is written
in (``names.domain_naming``); short names are the official ones where the TS-0023 table knows
them, generated ones otherwise (``names``).

A module inside a device that only names a class (``<Extend>`` without own members or
Include/Exclude) is that class: the device's child is the class's specialization. One with its
own members is a module class of its own, named by its module name in the device's domain; the
same goes for sub-devices. Events are not mapped (subscriptions to the data points serve them);
neither are ProductClasses; module and sub-device multiplicities are not enforced.

Problems come back as diagnostics at the SDT element (file:line): short names that clash
(two names in one specialization, a generated name that is the official name of something else,
the name of a common flexContainer attribute), a containerDefinition produced twice with
different content, a type that cannot be an attribute type, a prefix taken by another
namespace. Nothing is renamed to avoid a clash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from cse.model.datatypes import DataType
from cse.model.specializations import (
    DOMAIN_NAMESPACES,
    CustomAttribute,
    Kind,
    Specialization,
    SpecializationError,
    sdt_datatype,
)
from cse.resources.flex_container_table import COMMON
from cse.serialization import xml_codec

from .diagnostics import Diagnostic, sort_diagnostics
from .model import (
    Action,
    DataType as SDTDataType,
    DeviceClass,
    Doc,
    Domain,
    ModuleClass,
    Property,
    SDTDocument,
    SourceLocation,
    SubDevice,
)
from .names import DomainNaming, NameTable, domain_naming, generated_short_name, name_table
from .resolve import ResolutionError, SDTResolver
from .rules import ACTION_RESULT, KIND_ATTRIBUTES
from .types import TypeProblem, attribute_type, is_void, simple_type


@dataclass(frozen=True)
class NamedAttribute:
    """A custom attribute with where its names come from."""

    attribute: CustomAttribute
    official: bool  # the short name is TS-0023's
    source: SourceLocation | None = None  # the SDT element; None for the kind attributes
    doc: str | None = None


@dataclass(frozen=True)
class MappedSpecialization:
    """A specialization with what tools show about it."""

    spec: Specialization
    official: bool  # the type name is TS-0023's
    attributes: tuple[NamedAttribute, ...]
    # The children as a device instance would name them: (resource name, type name).
    child_names: tuple[tuple[str, str], ...]
    source: SourceLocation | None = None  # None: from the TS-0023 table
    doc: str | None = None

    @property
    def origin(self) -> str:
        return f"{self.source.file}:{self.source.line}" if self.source else "TS-0023 table"


@dataclass
class Mapping:
    specializations: list[MappedSpecialization] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def by_tpe(self, tpe: str) -> MappedSpecialization | None:
        return next((m for m in self.specializations if m.spec.tpe == tpe), None)


def map_document(document: SDTDocument, release: str = "5") -> Mapping:
    """The specializations of every device, sub-device and module class of ``document`` and the
    domains it imports. Map only documents that validate without errors."""
    return _Mapper(document, name_table(release)).run()


@dataclass
class _Member:
    long: str
    dtype: DataType
    mandatory: bool
    writable: bool
    device_backed: bool
    source: SourceLocation
    doc: Doc | None


def _text(doc: Doc | None) -> str | None:
    return doc.text if doc is not None and doc.text else None


def _is_use(module: ModuleClass) -> bool:
    """Whether a module only names a module class (and so is that class)."""
    extend = module.extend
    return (
        extend is not None
        and not (extend.includes or extend.excludes)
        and not (module.properties or module.actions or module.data_points or module.events)
    )


class _Mapper:
    def __init__(self, document: SDTDocument, names: NameTable) -> None:
        self.root = document.domain
        self.names = names
        self.resolver = SDTResolver(self.root)
        self.out: dict[str, MappedSpecialization] = {}
        self.problems: list[Diagnostic] = []
        self._owner: dict[int, Domain] = {}  # id() of a module class, action or sub-device
        self._done: dict[int, str | None] = {}  # id() of a mapped element -> its type name
        self._prefixes: dict[str, tuple[str, Domain]] = {}
        self._prefixes_reported: set[str] = set()

    # -- driver ------------------------------------------------------------------------------

    def run(self) -> Mapping:
        domains = list(self.root.iter_domains())
        for domain in domains:
            self._index(domain)
        for domain in domains:
            for module in domain.module_classes:
                self.module_class(module)
            for sub_device in domain.sub_devices:
                self.sub_device(sub_device)
            for device in domain.device_classes:
                self.device(device, domain)
        self._check_type_names()
        return Mapping(list(self.out.values()), sort_diagnostics(self.problems))

    def _index(self, domain: Domain) -> None:
        def modules(items: Iterable[ModuleClass]) -> None:
            for module in items:
                self._owner[id(module)] = domain
                for action in module.actions:
                    self._owner[id(action)] = domain

        modules(domain.module_classes)
        for sub_device in domain.sub_devices:
            self._owner[id(sub_device)] = domain
            modules(sub_device.module_classes)
        for device in domain.device_classes:
            modules(device.module_classes)
            for sub_device in device.sub_devices:
                self._owner[id(sub_device)] = domain
                modules(sub_device.module_classes)

    def _error(self, source: SourceLocation, message: str) -> None:
        self.problems.append(Diagnostic.at(source, message))

    def _memo(self, element: object) -> tuple[bool, str | None]:
        key = id(element)
        return (key in self._done, self._done.get(key))

    # -- elements ----------------------------------------------------------------------------

    def module_class(self, module: ModuleClass) -> str | None:
        done, tpe = self._memo(module)
        if done:
            return tpe
        self._done[id(module)] = None  # an inheritance loop was reported by the validator
        if _is_use(module):
            assert module.extend is not None
            try:
                target = self.resolver.module_class(module.extend)
            except ResolutionError as error:
                self.problems.append(error.diagnostic)
                return None
            tpe = self.module_class(target)
        else:
            tpe = self._module_class(module)
        self._done[id(module)] = tpe
        return tpe

    def _module_class(self, module: ModuleClass) -> str | None:
        try:
            effective = self.resolver.effective_module_class(module)
        except ResolutionError as error:
            self.problems.append(error.diagnostic)
            return None
        members = [self._property(p) for p in effective.properties]
        for point in effective.data_points:
            members.append(self._typed(point.name, point.type, point.source, point.doc,
                                       mandatory=not point.optional, writable=point.writable, device_backed=True))
        children = [(action.name, self.action(action, module)) for action in effective.actions]
        return self._emit(Kind.MODULECLASS, module.name, module, members, children)

    def action(self, action: Action, module: ModuleClass) -> str | None:
        done, tpe = self._memo(action)
        if done:
            return tpe
        self._done[id(action)] = None
        members = [
            self._typed(arg.name, arg.type, arg.source, arg.doc,
                        mandatory=not arg.optional, writable=True, device_backed=False)
            for arg in action.args
        ]
        if action.return_type is not None and not self._void(action.return_type, action.source):
            members.append(self._typed(ACTION_RESULT, action.return_type, action.return_type.source,
                                       action.return_type.doc, mandatory=False, writable=False, device_backed=False))
        domain = self._owner.get(id(action)) or self._owner.get(id(module)) or self.root
        tpe = self._emit(Kind.ACTION, action.name, action, members, [], domain=domain)
        self._done[id(action)] = tpe
        return tpe

    def sub_device(self, sub_device: SubDevice) -> str | None:
        done, tpe = self._memo(sub_device)
        if done:
            return tpe
        self._done[id(sub_device)] = None
        if sub_device.extend is not None and not (sub_device.properties or sub_device.module_classes):
            try:
                tpe = self.sub_device(self.resolver.sub_device(sub_device.extend))
            except ResolutionError as error:
                self.problems.append(error.diagnostic)
                tpe = None
        else:
            members = [self._property(p) for p in sub_device.properties]
            children = [(m.name, self.module_class(m)) for m in sub_device.module_classes]
            tpe = self._emit(Kind.SUBDEVICE, sub_device.id, sub_device, members, children)
        self._done[id(sub_device)] = tpe
        return tpe

    def device(self, device: DeviceClass, domain: Domain) -> str | None:
        members = [self._property(p) for p in device.properties]
        children = [(m.name, self.module_class(m)) for m in device.module_classes]
        children += [(s.id, self.sub_device(s)) for s in device.sub_devices]
        return self._emit(Kind.DEVICE, device.id, device, members, children, domain=domain)

    # -- members -----------------------------------------------------------------------------

    def _property(self, prop: Property) -> _Member | None:
        # Properties describe the device (vendor, model...): the device sets them.
        try:
            dtype = simple_type(prop.type.type if prop.type else "string")
        except TypeProblem as problem:
            self._error(prop.source, f"property '{prop.name}' cannot be a custom attribute: {problem}.")
            return None
        return _Member(prop.name, dtype, not prop.optional, False, False, prop.source, prop.doc)

    def _typed(self, name: str, data_type: SDTDataType | None, source: SourceLocation, doc: Doc | None, *,
               mandatory: bool, writable: bool, device_backed: bool) -> _Member | None:
        try:
            dtype = attribute_type(data_type, self.resolver)
        except TypeProblem as problem:
            self._error(source, f"'{name}' cannot be a custom attribute: {problem}.")
            return None
        return _Member(name, dtype, mandatory, writable, device_backed, source, doc)

    def _void(self, data_type: SDTDataType, source: SourceLocation) -> bool:
        try:
            return is_void(data_type, self.resolver)
        except TypeProblem as problem:
            self._error(source, f"the return type cannot be used: {problem}.")
            return True

    # -- naming and output -------------------------------------------------------------------

    def _emit(self, kind: Kind, name: str, element: ModuleClass | Action | SubDevice | DeviceClass,
              members: list[_Member | None],
              children: list[tuple[str, str | None]], domain: Domain | None = None) -> str | None:
        domain = domain or self._owner.get(id(element)) or self.root
        naming = domain_naming(domain.id)
        source: SourceLocation = element.source
        if not self._prefix_usable(naming, domain):
            return None
        cnd = naming.cnd(kind, name)
        official_tpe = self.names.type_name(cnd)
        tpe = official_tpe or f"{naming.prefix}:{generated_short_name(name)}"
        attributes = self._attributes(kind, cnd, members, tpe, source)
        if attributes is None or any(m is None for m in members):
            return tpe  # reported; children may still name it
        child_names = tuple((rn, child) for rn, child in children if child is not None)
        spec = Specialization(
            tpe=tpe, name=name, cnd=cnd, kind=kind,
            attributes=tuple(a.attribute for a in attributes),
            children=frozenset(child for _, child in child_names),
            namespace=None if naming.official else naming.namespace,
        )
        try:
            spec.check()
        except SpecializationError as error:
            self._error(source, f"{kind.value} '{name}' cannot be served: {error}.")
            return tpe
        mapped = MappedSpecialization(spec, official_tpe is not None, attributes, child_names, source,
                                      _text(getattr(element, "doc", None)))
        earlier = self.out.get(cnd)
        if earlier is None:
            self.out[cnd] = mapped
        elif earlier.spec != spec:
            self._error(source, f"{kind.value} '{name}' has the containerDefinition {cnd} of the different "
                                f"{kind.value} at {earlier.origin}; rename one of them.")
        return tpe

    def _attributes(self, kind: Kind, cnd: str, members: list[_Member | None], tpe: str,
                    source: SourceLocation) -> tuple[NamedAttribute, ...] | None:
        named = kind_attributes(kind, cnd, self.names)
        taken: dict[str, NamedAttribute] = {a.attribute.sn: a for a in named}
        ok = True
        for member in members:
            if member is None:
                continue
            official = self.names.attribute(cnd, member.long)
            long, short = official or (member.long, generated_short_name(member.long))
            where = f"'{member.long}' (short name '{short}') of {tpe}"
            if short in COMMON:
                self._error(member.source, f"{where} has the name of a common flexContainer attribute; rename it.")
                ok = False
                continue
            if official is None:
                owner = self.names.official_long_name(short)
                if owner is not None and owner != long:
                    self._error(member.source, f"the generated short name of {where} is the official TS-0023 "
                                               f"short name of '{owner}'; rename '{member.long}'.")
                    ok = False
                    continue
            other = taken.get(short)
            if other is not None:
                what = "is declared twice" if other.attribute.ln == long else \
                    f"clashes with '{other.attribute.ln}', which has the same short name"
                self._error(member.source, f"{where} {what}; rename one of them.")
                ok = False
                continue
            attribute = CustomAttribute(short, long, member.dtype, mandatory=member.mandatory,
                                        writable=member.writable, device_backed=member.device_backed)
            taken[short] = NamedAttribute(attribute, official is not None, member.source, _text(member.doc))
            named.append(taken[short])
        return tuple(named) if ok else None

    def _prefix_usable(self, naming: DomainNaming, domain: Domain) -> bool:
        """A prefix names one XML namespace: that of a oneM2M domain, or of one template domain."""
        if naming.official:
            return True
        known = DOMAIN_NAMESPACES.get(naming.prefix) or xml_codec.NAMESPACES.get(naming.prefix)
        first = self._prefixes.setdefault(naming.prefix, (naming.namespace, domain))
        if first[0] != naming.namespace:
            known = f"{first[0]} (domain '{first[1].id}')"
        elif known is None or known == naming.namespace:
            return True
        if domain.id not in self._prefixes_reported:
            self._prefixes_reported.add(domain.id)
            self._error(domain.source, f"the type name prefix '{naming.prefix}' this domain gets from its id is "
                                       f"the prefix of the XML namespace {known}; rename the domain.")
        return False

    def _check_type_names(self) -> None:
        """Type names must be unique: a generated one may not be another's official name either."""
        by_tpe: dict[str, MappedSpecialization] = {}
        official: dict[str, str] = {e.tpe: e.cnd for e in self.names.entries.values()}
        for mapped in list(self.out.values()):
            spec = mapped.spec
            first = by_tpe.setdefault(spec.tpe, mapped)
            holder = official.get(spec.tpe)
            if first is not mapped or (holder is not None and holder != spec.cnd):
                other = first.spec.cnd if first is not mapped else holder
                assert mapped.source is not None
                self._error(mapped.source, f"the type name {spec.tpe} of {spec.kind.value} '{spec.name}' "
                                           f"is also that of {other}; rename '{spec.name}'.")
                del self.out[spec.cnd]


def kind_attributes(kind: Kind, cnd: str, names: NameTable) -> list[NamedAttribute]:
    """The attributes every specialization of ``kind`` carries (rules.KIND_ATTRIBUTES)."""
    named = []
    for rule in KIND_ATTRIBUTES[kind]:
        official = names.attribute(cnd, rule.name)
        assert official is not None, f"rules.py names {rule.name!r}, which the TS-0023 table does not know"
        long, short = official
        attribute = CustomAttribute(short, long, sdt_datatype(rule.type), writable=rule.writable)
        named.append(NamedAttribute(attribute, True))
    return named
