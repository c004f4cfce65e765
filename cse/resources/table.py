"""The resource types this CSE serves, declared once (TS-0004 clause 7.4).

Each entry lists the type's attributes by short name with their data type, their optionality
on Create and Update, and the first release that has them; and the child types it may hold.
Everything else is generic, except what a type's behaviour module adds.
"""

from __future__ import annotations

from cse.model import datatypes as dt
from cse.model.schema import M, NP, O, Attribute, ResourceType, attributes, create_only
from cse.model.typecodes import Ty
from cse.resources.access_control_policy import ACPBehaviour
from cse.resources.application_entity import AEBehaviour
from cse.resources.behaviour import Behaviour
from cse.resources.container import ContainerBehaviour
from cse.resources.content_instance import ContentInstanceBehaviour
from cse.resources.cse_base import CSEBaseBehaviour

A = Attribute

UNIVERSAL = (
    A("ty", "resourceType", dt.NON_NEG_INT, NP, NP),
    A("ri", "resourceID", dt.ID, NP, NP),
    A("rn", "resourceName", dt.Str(max_length=255), O, NP),
    A("pi", "parentID", dt.ID, NP, NP),
    A("ct", "creationTime", dt.TIMESTAMP, NP, NP),
    A("lt", "lastModifiedTime", dt.TIMESTAMP, NP, NP),
)
EXPIRATION = A("et", "expirationTime", dt.TIMESTAMP, O, O)
LABELS = A("lbl", "labels", dt.STRING_LIST, O, O)
ACPI = A("acpi", "accessControlPolicyIDs", dt.URI_LIST, O, O)
ANNOUNCE = (
    A("at", "announceTo", dt.URI_LIST, O, O),
    A("aa", "announcedAttribute", dt.STRING_LIST, O, O),
    A("ast", "announceSyncType", dt.Enum(values=frozenset({1, 2})), NP, NP, since="4"),
)
DACI = A("daci", "dynamicAuthorizationConsultationIDs", dt.URI_LIST, O, O, since="2")
CUSTODIAN = A("cstn", "custodian", dt.ID, O, O, since="4")
CREATOR = A("cr", "creator", dt.ID, O, NP, since="2")
STATE_TAG = A("st", "stateTag", dt.NON_NEG_INT, NP, NP)
# The common attributes of an announceable resource with access control (TS-0004 clause 7.4).
COMMON = (EXPIRATION, ACPI, LABELS, *ANNOUNCE, DACI, CUSTODIAN)
ONTOLOGY = A("or", "ontologyRef", dt.ANY_URI, O, O, since="2")
NODE_LINK = A("nl", "nodeLink", dt.ID, O, O)
RELEASES = dt.ListOf(item=dt.Str())

_ACCESS_CONTROL_RULE = dt.Struct(
    members={
        "acor": dt.STRING_LIST,
        "acop": dt.Int(minimum=1, maximum=63),
        "acco": dt.ListOf(
            item=dt.Struct(
                members={
                    "actw": dt.SCHEDULE_LIST,
                    "acip": dt.Struct(members={"ipv4": dt.STRING_LIST, "ipv6": dt.STRING_LIST}),
                    "aclr": dt.Struct(open=True),
                }
            )
        ),
        "acaf": dt.BOOLEAN,
        "acod": dt.ListOf(item=dt.Struct(open=True)),
    },
    required=frozenset({"acor", "acop"}),
)
PRIVILEGES = dt.Struct(members={"acr": dt.ListOf(item=_ACCESS_CONTROL_RULE)})

CSE_BASE = ResourceType(
    ty=Ty.CSEBASE,
    tpe="m2m:cb",
    name="CSEBase",
    ri_prefix="cb",
    attributes=attributes(
        tuple(a for a in UNIVERSAL if a.sn != "pi"),
        ACPI,
        LABELS,
        A("cst", "cseType", dt.Enum(values=frozenset({1, 2, 3})), NP, NP),
        A("csi", "CSE-ID", dt.ID, NP, NP),
        A("srt", "supportedResourceType", dt.ListOf(item=dt.NON_NEG_INT), NP, NP),
        A("poa", "pointOfAccess", dt.URI_LIST, NP, O),
        NODE_LINK,
        A("csz", "contentSerialization", dt.STRING_LIST, NP, O, since="2"),
        A("srv", "supportedReleaseVersions", RELEASES, NP, NP, since="2a"),
        A("ctm", "currentTime", dt.TIMESTAMP, NP, NP, since="3"),
    ),
    children=frozenset({Ty.ACP, Ty.AE, Ty.CNT, Ty.GRP, Ty.NODE, Ty.SUB, Ty.FCNT, Ty.CSR}),
    behaviour=CSEBaseBehaviour(),
)

AE = ResourceType(
    ty=Ty.AE,
    tpe="m2m:ae",
    name="AE",
    ri_prefix="C",
    attributes=attributes(
        UNIVERSAL,
        COMMON,
        A("apn", "appName", dt.STRING, O, O),
        A("api", "App-ID", dt.Str(max_length=255), M, NP),
        A("aei", "AE-ID", dt.ID, NP, NP),
        A("poa", "pointOfAccess", dt.URI_LIST, O, O),
        ONTOLOGY,
        NODE_LINK,
        A("rr", "requestReachability", dt.BOOLEAN, M, O),
        A("csz", "contentSerialization", dt.STRING_LIST, O, O, since="2"),
        A("esi", "e2eSecInfo", dt.Struct(open=True), O, O, since="2"),
        A("srv", "supportedReleaseVersions", RELEASES, O, O, since="2a"),
        A("regs", "registrationStatus", dt.Enum(values=frozenset({1, 2, 3})), NP, NP, since="4"),
        A("trps", "trackRegistrationPoints", dt.BOOLEAN, O, O, since="4"),
        A("scp", "sessionCapabilities", dt.Struct(open=True), O, O, since="4"),
        A("tren", "triggerEnable", dt.BOOLEAN, O, O, since="4"),
    ),
    children=frozenset({Ty.ACP, Ty.CNT, Ty.GRP, Ty.SUB, Ty.FCNT}),
    behaviour=AEBehaviour(),
)

CONTAINER = ResourceType(
    ty=Ty.CNT,
    tpe="m2m:cnt",
    name="container",
    ri_prefix="cnt",
    attributes=attributes(
        UNIVERSAL,
        COMMON,
        CREATOR,
        STATE_TAG,
        A("mni", "maxNrOfInstances", dt.NON_NEG_INT, O, O),
        A("mbs", "maxByteSize", dt.NON_NEG_INT, O, O),
        A("mia", "maxInstanceAge", dt.NON_NEG_INT, O, O),
        A("cni", "currentNrOfInstances", dt.NON_NEG_INT, NP, NP),
        A("cbs", "currentByteSize", dt.NON_NEG_INT, NP, NP),
        A("li", "locationID", dt.ANY_URI, O, O),
        ONTOLOGY,
        A("disr", "disableRetrieval", dt.BOOLEAN, O, O, since="3"),
    ),
    children=frozenset({Ty.CNT, Ty.CIN, Ty.SUB, Ty.FCNT}),
    behaviour=ContainerBehaviour(),
    virtual_children=frozenset({"la", "ol"}),
)

CONTENT_INSTANCE = ResourceType(
    ty=Ty.CIN,
    tpe="m2m:cin",
    name="contentInstance",
    ri_prefix="cin",
    attributes=create_only(attributes(
        UNIVERSAL,
        EXPIRATION,
        LABELS,
        ANNOUNCE,
        CUSTODIAN,
        CREATOR,
        STATE_TAG,
        A("cnf", "contentInfo", dt.STRING, O, NP),
        A("cs", "contentSize", dt.NON_NEG_INT, NP, NP),
        A("conr", "contentRef", dt.Struct(open=True), O, NP, since="2"),
        ONTOLOGY,
        A("con", "content", dt.ANY, M, NP),
    )),
    children=frozenset(),
    behaviour=ContentInstanceBehaviour(),
)

ACCESS_CONTROL_POLICY = ResourceType(
    ty=Ty.ACP,
    tpe="m2m:acp",
    name="accessControlPolicy",
    ri_prefix="acp",
    attributes=attributes(
        UNIVERSAL,
        EXPIRATION,
        LABELS,
        ANNOUNCE,
        CUSTODIAN,
        A("pv", "privileges", PRIVILEGES, M, O),
        A("pvs", "selfPrivileges", PRIVILEGES, M, O),
    ),
    children=frozenset({Ty.SUB}),
    behaviour=ACPBehaviour(),
)

BUILTIN_TYPES: tuple[ResourceType, ...] = (
    CSE_BASE,
    AE,
    CONTAINER,
    CONTENT_INSTANCE,
    ACCESS_CONTROL_POLICY,
)

__all__ = ["BUILTIN_TYPES", "Behaviour"]
