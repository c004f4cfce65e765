"""The mgmtObj specializations (TS-0004 clause 7.4.15 and annex D), declared as data.

All share resource type 13 and tell each other apart by mgmtDefinition (mgd): a Create names
the specialization by its root element ('m2m:fwr'), a stored resource by its mgd. Each entry
lists its attributes and, for the behaviour (mgmt_obj.py), the device actions it offers: the
trigger attributes, the m2m:actionStatus attribute that reports each one's progress, and the
triggers one Update may not combine.
"""

from __future__ import annotations

from cse.model import datatypes as dt
from cse.model.schema import M, NP, O, Attribute as A, ResourceType, attributes
from cse.model.typecodes import Ty
from cse.resources import table
from cse.resources.mgmt_obj import DeviceActions, MgmtObjBehaviour

# m2m:mgmtDefinition values of the specializations this CSE serves.
FIRMWARE, SOFTWARE, MEMORY, AREA_NWK_INFO, AREA_NWK_DEVICE_INFO = 1001, 1002, 1003, 1004, 1005
BATTERY, DEVICE_INFO, DEVICE_CAPABILITY, REBOOT, EVENT_LOG = 1006, 1007, 1008, 1009, 1010
MGMT_DEFINITIONS = frozenset(range(FIRMWARE, EVENT_LOG + 1))

# m2m:actionStatus: the action and its m2m:status (0 uninitialized, 1 successful, 2 failure,
# 3 in process).
ACTION_STATUS = dt.Struct(
    members={"acn": dt.STRING, "sus": dt.Enum(values=frozenset({0, 1, 2, 3}))},
    required=frozenset({"acn", "sus"}),
)
# m2m:mgmtLinkRef: a reference to another mgmtObj, with its name and mgmtDefinition.
MGMT_LINK_REF = dt.Struct(
    members={"nm": dt.STRING, "typ": dt.NON_NEG_INT, "val": dt.ID},
    required=frozenset({"nm", "typ", "val"}),
)
UNSIGNED_INT = dt.Int(minimum=0, maximum=2**32 - 1)
UNSIGNED_LONG = dt.NON_NEG_INT  # xs:unsignedLong, as far as a 64-bit JSON integer reaches
BATTERY_STATUS = dt.Enum(values=frozenset(range(1, 8)))  # normal ... unknown
LOG_TYPE = dt.Enum(values=frozenset(range(1, 6)))  # system, security, event, trace, panic
LOG_STATUS = dt.Enum(values=frozenset(range(1, 6)))  # started, stopped, unknown, not present, error

# Attributes of every mgmtObj (TS-0004 table 7.4.15.1-3).
COMMON = (
    table.UNIVERSAL,
    table.EXPIRATION,
    table.ACPI,
    table.LABELS,
    table.ANNOUNCE,
    table.DACI,
    table.CUSTODIAN,
    A("mgd", "mgmtDefinition", dt.Enum(values=MGMT_DEFINITIONS), M, NP),
    A("obis", "objectIDs", dt.URI_LIST, O, NP),
    A("obps", "objectPaths", dt.URI_LIST, O, NP),
    A("dc", "description", dt.STRING, O, O),
    A("cmlk", "mgmtLink", dt.ListOf(item=MGMT_LINK_REF), O, O),
)


def _trigger(sn: str, ln: str, create=O) -> A:
    return A(sn, ln, dt.BOOLEAN, create, O)


def _status(sn: str, ln: str, create=NP) -> A:
    # Updatable in the table; the behaviour accepts it from the owning adapter only.
    return A(sn, ln, ACTION_STATUS, create, O)


def _specialization(
    mgd: int, short: str, name: str, *specific: A, actions: DeviceActions | None = None
) -> ResourceType:
    return ResourceType(
        ty=Ty.MGMTOBJ,
        tpe=f"m2m:{short}",
        name=name,
        ri_prefix=short,
        attributes=attributes(*COMMON, *specific),
        children=frozenset({Ty.SUB}),
        behaviour=MgmtObjBehaviour(actions),
        discriminator="mgd",
        discriminator_value=mgd,
    )


FIRMWARE_TYPE = _specialization(
    FIRMWARE, "fwr", "firmware",
    A("vr", "version", dt.STRING, M, O),
    A("fwn", "firmwareName", dt.STRING, M, O),
    A("url", "URL", dt.ANY_URI, M, O),
    _trigger("ud", "update", create=M),
    _status("uds", "updateStatus"),
    actions=DeviceActions(triggers={"ud": "uds"}),
)

SOFTWARE_TYPE = _specialization(
    SOFTWARE, "swr", "software",
    A("vr", "version", dt.STRING, M, O),
    A("swn", "softwareName", dt.STRING, M, O),
    A("url", "URL", dt.ANY_URI, M, O),
    _trigger("in", "install", create=NP),
    _trigger("un", "uninstall", create=NP),
    _status("ins", "installStatus"),
    _trigger("act", "activate", create=NP),
    _trigger("dea", "deactivate", create=NP),
    _status("acts", "activeStatus"),
    actions=DeviceActions(
        triggers={"in": "ins", "un": "ins", "act": "acts", "dea": "acts"},
        exclusive=(frozenset({"in", "un"}), frozenset({"act", "dea"})),
    ),
)

MEMORY_TYPE = _specialization(
    MEMORY, "mem", "memory",
    A("mma", "memAvailable", UNSIGNED_LONG, M, O),
    A("mmt", "memTotal", UNSIGNED_LONG, M, O),
)

AREA_NWK_INFO_TYPE = _specialization(
    AREA_NWK_INFO, "ani", "areaNwkInfo",
    A("ant", "areaNwkType", dt.STRING, M, O),
    A("ldv", "listOfDevices", dt.URI_LIST, O, O),
)

AREA_NWK_DEVICE_INFO_TYPE = _specialization(
    AREA_NWK_DEVICE_INFO, "andi", "areaNwkDeviceInfo",
    A("dvd", "devId", dt.STRING, M, O),
    A("dvt", "devType", dt.STRING, M, O),
    A("awi", "areaNwkId", dt.ANY_URI, M, O),
    A("sli", "sleepInterval", dt.NON_NEG_INT, O, O),
    A("sld", "sleepDuration", dt.NON_NEG_INT, O, O),
    A("ss", "devStatus", dt.STRING, O, O),
    A("lnh", "listOfNeighbors", dt.URI_LIST, O, O),
)

BATTERY_TYPE = _specialization(
    BATTERY, "bat", "battery",
    A("btl", "batteryLevel", UNSIGNED_INT, M, O),
    A("bts", "batteryStatus", BATTERY_STATUS, M, O),
)

DEVICE_INFO_TYPE = _specialization(
    DEVICE_INFO, "dvi", "deviceInfo",
    A("dlb", "deviceLabel", dt.STRING, M, O),
    A("man", "manufacturer", dt.STRING, M, O),
    A("mfdl", "manufacturerDetailsLink", dt.ANY_URI, O, O),
    A("mfd", "manufacturingDate", dt.TIMESTAMP, O, O),
    A("mod", "model", dt.STRING, M, O),
    A("smod", "subModel", dt.STRING, O, O),
    A("dty", "deviceType", dt.STRING, M, O),
    A("dvnm", "deviceName", dt.STRING, O, O),
    A("fwv", "fwVersion", dt.STRING, O, O),
    A("swv", "swVersion", dt.STRING, O, O),
    A("hwv", "hwVersion", dt.STRING, O, NP),
    A("osv", "osVersion", dt.STRING, O, O),
    A("cnty", "country", dt.STRING, O, NP),
    A("loc", "location", dt.STRING, O, O),
    A("syst", "systemTime", dt.TIMESTAMP, O, O),
    A("spur", "supportURL", dt.ANY_URI, O, O),
    A("purl", "presentationURL", dt.ANY_URI, O, O),
    A("ptl", "protocol", dt.STRING_LIST, O, O),
)

DEVICE_CAPABILITY_TYPE = _specialization(
    DEVICE_CAPABILITY, "dvc", "deviceCapability",
    A("can", "capabilityName", dt.STRING, M, O),
    A("att", "attached", dt.BOOLEAN, M, O),
    _status("cas", "capabilityActionStatus", create=M),
    _trigger("ena", "enable"),
    _trigger("dis", "disable"),
    A("cus", "currentState", dt.BOOLEAN, M, O),
    actions=DeviceActions(triggers={"ena": "cas", "dis": "cas"}, exclusive=(frozenset({"ena", "dis"}),)),
)

REBOOT_TYPE = _specialization(
    REBOOT, "rbo", "reboot",
    _trigger("rbo", "reboot"),
    _trigger("far", "factoryReset"),
    actions=DeviceActions(triggers={"rbo": None, "far": None}, exclusive=(frozenset({"rbo", "far"}),)),
)

EVENT_LOG_TYPE = _specialization(
    EVENT_LOG, "evl", "eventLog",
    A("lgt", "logTypeId", LOG_TYPE, M, O),
    A("lgd", "logData", dt.STRING, M, O),
    A("lgst", "logStatus", LOG_STATUS, M, O),
    _trigger("lga", "logStart"),
    _trigger("lgo", "logStop"),
    actions=DeviceActions(triggers={"lga": None, "lgo": None}, exclusive=(frozenset({"lga", "lgo"}),)),
)

MGMT_OBJ_TYPES: tuple[ResourceType, ...] = (
    FIRMWARE_TYPE,
    SOFTWARE_TYPE,
    MEMORY_TYPE,
    AREA_NWK_INFO_TYPE,
    AREA_NWK_DEVICE_INFO_TYPE,
    BATTERY_TYPE,
    DEVICE_INFO_TYPE,
    DEVICE_CAPABILITY_TYPE,
    REBOOT_TYPE,
    EVENT_LOG_TYPE,
)
