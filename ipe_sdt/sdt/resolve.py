"""Reference resolution and inheritance (``Extend``/``extends`` with ``Include``/``Exclude``).

Inheritance rules implemented here:

* A module class inherits the *effective* members of the class it extends, so
  chains (``c`` extends ``b`` extends ``a``) accumulate.
* If the ``Extend`` contains any ``Include``, only the included members (of any
  kind) are inherited; otherwise all are.  ``Exclude`` then removes members.
  Include/Exclude ``type`` defaults to ``datapoint``.
* A member the extending class defines itself replaces an inherited member of the
  same kind and name in place; new members are appended after the inherited ones.

Extend references are looked up among the root domain and every domain it
imports, transitively.  The first domain seen with a given id wins; duplicates
are reported by the validator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence, TypeVar

from .diagnostics import Diagnostic, SDTError
from .model import (
    Action,
    DataPoint,
    DataType,
    DataTypeRef,
    DeviceClass,
    Domain,
    Event,
    Extend,
    ExtendFilter,
    MemberKind,
    ModuleClass,
    Property,
    SourceLocation,
    SubDevice,
)


class ResolutionError(SDTError):
    """A reference cannot be resolved; carries the location of the offending element."""

    def __init__(self, source: SourceLocation, message: str) -> None:
        super().__init__(f"{source.file}:{source.line}: {source.path}: {message}")
        self.source = source
        self.message = message

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic.at(self.source, self.message)


@dataclass(frozen=True)
class EffectiveModuleClass:
    """A module class with everything it inherits applied.

    ``bases`` lists the classes it extends, nearest first.
    """

    module_class: ModuleClass
    bases: tuple[ModuleClass, ...]
    properties: tuple[Property, ...]
    data_points: tuple[DataPoint, ...]
    actions: tuple[Action, ...]
    events: tuple[Event, ...]

    @property
    def name(self) -> str:
        return self.module_class.name

    def members(self, kind: MemberKind) -> tuple[Property | DataPoint | Action | Event, ...]:
        return {
            MemberKind.PROPERTY: self.properties,
            MemberKind.DATAPOINT: self.data_points,
            MemberKind.ACTION: self.actions,
            MemberKind.EVENT: self.events,
        }.get(kind, ())


_M = TypeVar("_M", Property, DataPoint, Action, Event)


def _merge(inherited: Sequence[_M], own: Sequence[_M]) -> tuple[_M, ...]:
    merged = list(inherited)
    position = {member.name: index for index, member in enumerate(merged)}
    for member in own:
        if member.name in position:
            merged[position[member.name]] = member
        else:
            position[member.name] = len(merged)
            merged.append(member)
    return tuple(merged)


def filter_problems(extend: Extend, base: EffectiveModuleClass, base_domain: str) -> list[tuple[ExtendFilter, str]]:
    """Every Include/Exclude of ``extend`` that does not match a member of ``base``."""
    problems: list[tuple[ExtendFilter, str]] = []
    included = {(f.type, f.name) for f in extend.includes}
    for item, verb in [*((f, "Include") for f in extend.includes), *((f, "Exclude") for f in extend.excludes)]:
        if not any(member.name == item.name for member in base.members(item.type)):
            problems.append(
                (
                    item,
                    f"{verb} refers to the {item.type.label} '{item.name}', but module class "
                    f"'{base.name}' in domain '{base_domain}' has no {item.type.label} with that name.",
                )
            )
        elif verb == "Exclude" and (item.type, item.name) in included:
            problems.append((item, f"the {item.type.label} '{item.name}' is both included and excluded."))
    return problems


class SDTResolver:
    """Resolves Extend references and computes effective module classes for one document."""

    def __init__(self, root: Domain) -> None:
        self.root = root
        self._domains: dict[str, Domain] = {}
        for domain in root.iter_domains():
            self._domains.setdefault(domain.id, domain)
        self._effective: dict[int, EffectiveModuleClass] = {}

    @property
    def domains(self) -> Mapping[str, Domain]:
        return self._domains

    def domain(self, extend: Extend) -> Domain:
        domain = self._domains.get(extend.domain)
        if domain is None:
            known = ", ".join(f"'{d}'" for d in self._domains) or "none"
            raise ResolutionError(
                extend.source,
                f"extends domain '{extend.domain}', which is neither this domain nor one it imports "
                f"(known domains: {known}).",
            )
        return domain

    def module_class(self, extend: Extend) -> ModuleClass:
        """The domain-level module class an ``Extend``/``extends`` names."""
        domain = self.domain(extend)
        return _find(domain.module_classes, "name", extend, domain, "module class")

    def sub_device(self, extend: Extend) -> SubDevice:
        domain = self.domain(extend)
        return _find(domain.sub_devices, "id", extend, domain, "sub-device")

    def device_class(self, extend: Extend) -> DeviceClass:
        domain = self.domain(extend)
        return _find(domain.device_classes, "id", extend, domain, "device class")

    def data_type(self, extend: Extend) -> DataType:
        domain = self.domain(extend)
        return _find(domain.data_types, "name", extend, domain, "data type")

    def concrete_data_type(self, data_type: DataType) -> DataType:
        """Follow ``<DataType><Extend/></DataType>`` references to the type they name."""
        seen: list[DataType] = []
        current = data_type
        while isinstance(current.type, DataTypeRef):
            if any(current is s for s in seen):
                names = " -> ".join(s.name or "?" for s in [*seen, current])
                raise ResolutionError(data_type.source, f"the data type refers to itself in a loop: {names}.")
            seen.append(current)
            current = self.data_type(current.type.extend)
        return current

    def effective_module_class(self, module: ModuleClass) -> EffectiveModuleClass:
        """Data points, actions, events and properties of ``module`` after inheritance.

        Raises :class:`ResolutionError` for an unknown domain or class, an
        Include/Exclude naming a missing member, or an inheritance cycle.
        """
        return self._resolve(module, ())

    def _resolve(self, module: ModuleClass, chain: tuple[ModuleClass, ...]) -> EffectiveModuleClass:
        cached = self._effective.get(id(module))
        if cached is not None:
            return cached
        if any(m is module for m in chain):
            start = next(i for i, m in enumerate(chain) if m is module)
            # Report at chain[-1], the class whose Extend closes the loop, and start the
            # description there so it reads from the author's point of view.
            members = [chain[-1], *chain[start:-1]]
            loop = " -> ".join(m.name for m in (*members, members[0]))
            closing = chain[-1].extend
            assert closing is not None  # only classes with an Extend are ever put on the chain
            raise ResolutionError(closing.source, f"module class inheritance forms a loop: {loop}.")
        extend = module.extend
        if extend is None:
            result = EffectiveModuleClass(
                module_class=module,
                bases=(),
                properties=tuple(module.properties),
                data_points=tuple(module.data_points),
                actions=tuple(module.actions),
                events=tuple(module.events),
            )
        else:
            base_module = self.module_class(extend)
            base = self._resolve(base_module, (*chain, module))
            problems = filter_problems(extend, base, extend.domain)
            if problems:
                item, message = problems[0]
                raise ResolutionError(item.source, message)
            selected = {(f.type, f.name) for f in extend.includes}
            dropped = {(f.type, f.name) for f in extend.excludes}

            def keep(kind: MemberKind, name: str) -> bool:
                return (not selected or (kind, name) in selected) and (kind, name) not in dropped

            result = EffectiveModuleClass(
                module_class=module,
                bases=(base_module, *base.bases),
                properties=_merge([m for m in base.properties if keep(MemberKind.PROPERTY, m.name)], module.properties),
                data_points=_merge(
                    [m for m in base.data_points if keep(MemberKind.DATAPOINT, m.name)], module.data_points
                ),
                actions=_merge([m for m in base.actions if keep(MemberKind.ACTION, m.name)], module.actions),
                events=_merge([m for m in base.events if keep(MemberKind.EVENT, m.name)], module.events),
            )
        self._effective[id(module)] = result
        return result


_T = TypeVar("_T")


def _find(items: Sequence[_T], key: str, extend: Extend, domain: Domain, what: str) -> _T:
    for item in items:
        if getattr(item, key) == extend.entity:
            return item
    raise ResolutionError(
        extend.source,
        f"refers to {what} '{extend.entity}' in domain '{domain.id}', but that domain defines no {what} "
        "with that name.",
    )


def effective_module_class(root: Domain, module: ModuleClass) -> EffectiveModuleClass:
    """Convenience wrapper: resolve ``module`` against ``root`` and its imports."""
    return SDTResolver(root).effective_module_class(module)
