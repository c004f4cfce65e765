"""A few flexContainer specializations written by hand (TS-0023 R5.6 'common' domain), for tests.

The SDT engine registers the full set from SDT templates; these follow the same TS-0023 data:
short names, containerDefinitions and children as in TS-0023 (children that are not described
here, e.g. cod:fauDn, stay allowed and simply never match). dataGenerationTime (dgt) is read-only
here, as a device sets it; state and brightness are device-backed, as a lamp holds them.
"""

from cse.model.specializations import (
    CustomAttribute,
    Kind,
    Specialization,
    container_definition,
    sdt_datatype,
)

DGT = CustomAttribute("dgt", "dataGenerationTime", sdt_datatype("timestamp"), writable=False)

DEVICE_LIGHT = Specialization(
    tpe="cod:devLt",
    name="deviceLight",
    cnd=container_definition("common", Kind.DEVICE, "deviceLight"),
    kind=Kind.DEVICE,
    attributes=(CustomAttribute("nodLk", "nodeLink", sdt_datatype("string")),),
    children=frozenset(
        {"cod:fauDn", "cod:binSh", "cod:runSe", "cod:color", "cod:colSn", "cod:brigs", "cod:timer", "cod:devLtInst"}
    ),
)

BINARY_SWITCH = Specialization(
    tpe="cod:binSh",
    name="binarySwitch",
    cnd=container_definition("common", Kind.MODULECLASS, "binarySwitch"),
    kind=Kind.MODULECLASS,
    attributes=(
        DGT,
        CustomAttribute("state", "state", sdt_datatype("boolean"), mandatory=True, device_backed=True),
    ),
    children=frozenset({"cod:togge", "cod:binShInst"}),
)

TOGGLE = Specialization(
    tpe="cod:togge",
    name="toggle",
    cnd=container_definition("common", Kind.ACTION, "toggle"),
    kind=Kind.ACTION,
    attributes=(DGT,),
    children=frozenset({"cod:toggeInst"}),
)

BRIGHTNESS = Specialization(
    tpe="cod:brigs",
    name="brightness",
    cnd=container_definition("common", Kind.MODULECLASS, "brightness"),
    kind=Kind.MODULECLASS,
    attributes=(
        DGT,
        CustomAttribute(
            "brigs", "brightness", sdt_datatype("integer", minimum=0, maximum=100), mandatory=True, device_backed=True
        ),
    ),
    children=frozenset({"cod:brigsInst"}),
)

ALL = (DEVICE_LIGHT, BINARY_SWITCH, TOGGLE, BRIGHTNESS)
