"""The shape of a resource-type declaration: attributes with their rules, allowed children."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

from cse.model.datatypes import DataType

if TYPE_CHECKING:
    from cse.resources.behaviour import Behaviour


class Use(Enum):
    """Optionality of an attribute in a Create or Update request (TS-0004 resource tables)."""

    MANDATORY = "M"
    OPTIONAL = "O"
    NOT_PERMITTED = "NP"


M, O, NP = Use.MANDATORY, Use.OPTIONAL, Use.NOT_PERMITTED


@dataclass(frozen=True)
class Attribute:
    sn: str
    ln: str
    dtype: DataType
    create: Use = O
    update: Use = O
    # The first release whose resource representation carries the attribute.
    since: str = "1"


@dataclass(frozen=True)
class ResourceType:
    ty: int
    tpe: str  # the serialized root name, e.g. "m2m:cnt"
    name: str  # the long name, e.g. "container"
    ri_prefix: str  # prefix of generated resource identifiers
    attributes: dict[str, Attribute]
    children: frozenset[int]
    behaviour: "Behaviour"
    since: str = "1"
    # Names of virtual children (e.g. container 'la' and 'ol') served by the behaviour.
    virtual_children: frozenset[str] = field(default_factory=frozenset)
    # A specialization shares its ty with its siblings (mgmtObj: firmware, battery...;
    # flexContainer: deviceLight...): the attribute that tells them apart and its value.
    discriminator: str | None = None
    discriminator_value: Any = None

    def attribute(self, sn: str) -> Attribute | None:
        return self.attributes.get(sn)


def create_only(attrs: dict[str, Attribute]) -> dict[str, Attribute]:
    """The same attributes, none of them updatable: for immutable types like contentInstance."""
    return {sn: replace(a, update=NP) for sn, a in attrs.items()}


def attributes(*groups: tuple[Attribute, ...] | Attribute) -> dict[str, Attribute]:
    """Flatten attribute groups into the by-short-name mapping a ResourceType holds."""
    result: dict[str, Attribute] = {}
    for group in groups:
        for attr in group if isinstance(group, tuple) else (group,):
            result[attr.sn] = attr
    return result
