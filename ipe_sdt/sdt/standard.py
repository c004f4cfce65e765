"""The TS-0023 R5.6 specializations, registered from the shipped table.

Every specialization of the shared TS-0023 facts (all domains) comes from the table
``ts0023_table.json`` rather than from SDT files: the table states exactly what the facts say
(TS-0004 types such as m2m:timestamp or xs:nonNegativeInteger, which SDT has no simple type for;
the child specializations of each device without inventing module instance names), and it loads
in milliseconds. The same rules as for templates apply (``rules.KIND_ATTRIBUTES``); what the
facts do not give stays at its least restrictive: every attribute writable, list items of any
type. The hand-written templates in ``sdt_models/`` refine the models they describe (read-only
data points, bounds, documentation) and replace the table's entries for them.
"""

from __future__ import annotations

from functools import lru_cache

from cse.model.specializations import CustomAttribute, Kind, Specialization, sdt_datatype

from .mapping import MappedSpecialization, NamedAttribute, kind_attributes
from .names import NameTable, StandardEntry, name_table


@lru_cache(maxsize=None)
def standard_specializations(release: str) -> tuple[MappedSpecialization, ...]:
    """Every TS-0023 specialization with the names of ``release``; computed once per release."""
    names = name_table(release)
    return tuple(_specialization(entry, names) for entry in names.entries.values())


def _specialization(entry: StandardEntry, names: NameTable) -> MappedSpecialization:
    attributes = kind_attributes(entry.kind, entry.cnd, names)
    for long, type_name, mandatory in entry.attributes:
        official = names.attribute(entry.cnd, long)
        assert official is not None  # the generator took every long name into the table
        long, short = official
        # A module class's attributes are its data points, whose values live in the device.
        attribute = CustomAttribute(short, long, sdt_datatype(type_name), mandatory=mandatory,
                                    device_backed=entry.kind is Kind.MODULECLASS)
        attributes.append(NamedAttribute(attribute, True))
    spec = Specialization(
        tpe=entry.tpe,
        name=entry.name,
        cnd=entry.cnd,
        kind=entry.kind,
        attributes=tuple(a.attribute for a in attributes),
        children=frozenset(entry.children),
    )
    # Children of a table device are named after their specialization's long name.
    child_names = tuple((_long_name(child, names), child) for child in entry.children)
    return MappedSpecialization(spec, True, tuple(attributes), child_names)


def _long_name(tpe: str, names: NameTable) -> str:
    entry = names.by_type.get(tpe)
    return entry.name if entry is not None else tpe.partition(":")[2]
