"""The TS-0023 clause 6 mapping rules that hold for every model, declared once.

Three places rely on them: the SDT mapping (:mod:`.mapping`) adds these attributes to what a
template declares, the standard set (:mod:`.standard`) adds them to what the shipped TS-0023 table
lists, and the generator of that table (:mod:`.build_tables`) checks that the source facts follow
them before it leaves them out of the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from cse.model.specializations import Kind


@dataclass(frozen=True)
class KindAttribute:
    """A custom attribute every specialization of a kind carries, always optional (0..1).

    ``name`` is the long name; the short name is the official one of the TS-0023 table.
    ``writable``: False where the device, not the client, sets the value.
    """

    name: str
    type: str
    writable: bool = True


KIND_ATTRIBUTES: dict[Kind, tuple[KindAttribute, ...]] = {
    # nodeLink and flexNodeLink point at the device's <node> and management-domain flexNode.
    Kind.DEVICE: (KindAttribute("nodeLink", "string"), KindAttribute("flexNodeLink", "string")),
    Kind.SUBDEVICE: (),
    # When the device produced the values; set by the device (its adapter), hence read-only.
    Kind.MODULECLASS: (KindAttribute("dataGenerationTime", "timestamp", writable=False),),
    Kind.ACTION: (KindAttribute("dataGenerationTime", "timestamp", writable=False),),
}

# An SDT Action's return value comes back in this (read-only, optional) attribute of the action's
# resource: the device's adapter writes it when the action has run. TS-0023 R4 used this name
# ('resut') for the actions that returned something; no R5.6 action does.
ACTION_RESULT = "result"

# The kind segment of a containerDefinition (TS-0023 clause 6.4), by the SDT element it maps.
KINDS = tuple(kind.value for kind in Kind)
