"""The flexContainer resource type (TS-0004 clause 7.4.37), declared as data.

Every specialization shares the common part below; ``resource_type`` adds a specialization's
custom attributes (cse.model.specializations) to it. The plain 'm2m:fcnt' entry stands for
the type as a whole: it puts 28 in the CSEBase's supportedResourceType, makes every Create of
ty 28 name a specialization (unknown root: SPECIALIZATION_SCHEMA_NOT_FOUND), and serves stored
flexContainers whose specialization is not registered.

Not served: flexContainerInstance (ty 58) and its retention attributes mni, mbs, mia, cni,
cbs, which a request therefore cannot set; locationID; announcement (at/aa are kept as given,
like on every other type here).
"""

from __future__ import annotations

from cse.model import datatypes as dt
from cse.model.schema import M, NP, O, Attribute as A, ResourceType, attributes
from cse.model.specializations import Specialization, SpecializationError
from cse.model.typecodes import Ty
from cse.resources import table
from cse.resources.flex_container import FlexContainerBehaviour

COMMON = attributes(
    table.UNIVERSAL,
    table.COMMON,
    table.CREATOR,
    table.STATE_TAG,
    A("cnd", "containerDefinition", dt.Str(max_length=1024), M, NP, since="2"),
    A("cs", "contentSize", dt.NON_NEG_INT, NP, NP, since="2"),
    table.ONTOLOGY,
    table.NODE_LINK,
)

# Child resource types of every flexContainer; which specializations may be children is up to
# each specialization (checked by the behaviour).
CHILD_TYPES = frozenset({Ty.CNT, Ty.SUB, Ty.FCNT})

FLEX_CONTAINER = ResourceType(
    ty=Ty.FCNT,
    tpe="m2m:fcnt",
    name="flexContainer",
    ri_prefix="fcnt",
    attributes=COMMON,
    children=CHILD_TYPES,
    behaviour=FlexContainerBehaviour(None),
    since="2",
    discriminator="cnd",
    discriminator_value=None,
)


def resource_type(spec: Specialization) -> ResourceType:
    """The resource type of a specialization: the common attributes plus its custom ones."""
    custom: list[A] = []
    for attr in spec.attributes:
        if attr.sn in COMMON:
            raise SpecializationError(
                f"{spec.tpe}: custom attribute {attr.sn!r} has the name of a common flexContainer attribute"
            )
        custom.append(A(attr.sn, attr.ln, attr.dtype, M if attr.mandatory else O, O, since="2"))
    return ResourceType(
        ty=Ty.FCNT,
        tpe=spec.tpe,
        name=spec.name,
        ri_prefix="fcnt",
        attributes=attributes(tuple(COMMON.values()), tuple(custom)),
        children=CHILD_TYPES,
        behaviour=FlexContainerBehaviour(spec),
        since="2",
        discriminator="cnd",
        discriminator_value=spec.cnd,
    )
