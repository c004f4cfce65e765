"""The subscription resource type (TS-0004 clause 7.4.8), declared as data."""

from __future__ import annotations

from cse.model import datatypes as dt
from cse.model.duration import DURATION
from cse.model.schema import M, NP, O, Attribute as A, ResourceType, attributes
from cse.model.typecodes import Ty
from cse.resources import table
from cse.resources.subscription import NCT, SubscriptionBehaviour

EVENT_CRITERIA = dt.Struct(
    members={
        "crb": dt.TIMESTAMP, "cra": dt.TIMESTAMP, "ms": dt.TIMESTAMP, "us": dt.TIMESTAMP,
        "sts": dt.NON_NEG_INT, "stb": dt.NON_NEG_INT, "exb": dt.TIMESTAMP, "exa": dt.TIMESTAMP,
        "sza": dt.NON_NEG_INT, "szb": dt.POSITIVE_INT,
        "net": dt.ListOf(item=dt.Int(minimum=1, maximum=10)),
        "atr": dt.STRING_LIST,
        "chty": dt.ListOf(item=dt.NON_NEG_INT),
        "fo": dt.Enum(values=frozenset({1, 2})),
    }
)
BATCH_NOTIFY = dt.Struct(members={"num": dt.POSITIVE_INT, "dur": DURATION})
RATE_LIMIT = dt.Struct(members={"mnn": dt.POSITIVE_INT, "tww": DURATION}, required=frozenset({"mnn", "tww"}))
STATS = dt.ListOf(item=dt.Struct(members={"tg": dt.ID, "rqs": dt.NON_NEG_INT, "rsr": dt.NON_NEG_INT, "noec": dt.NON_NEG_INT}))

SUBSCRIPTION = ResourceType(
    ty=Ty.SUB,
    tpe="m2m:sub",
    name="subscription",
    ri_prefix="sub",
    attributes=attributes(
        table.UNIVERSAL,
        table.EXPIRATION,
        table.ACPI,
        table.LABELS,
        table.DACI,
        table.CUSTODIAN,
        table.CREATOR,
        A("enc", "eventNotificationCriteria", EVENT_CRITERIA, O, O),
        A("exc", "expirationCounter", dt.POSITIVE_INT, O, O),
        A("nu", "notificationURI", dt.ListOf(item=dt.Str(), min_items=1), M, O),
        A("gpi", "groupID", dt.ID, O, O),
        A("nfu", "notificationForwardingURI", dt.ANY_URI, O, O),
        A("bn", "batchNotify", BATCH_NOTIFY, O, O),
        A("rl", "rateLimit", RATE_LIMIT, O, O),
        A("pn", "pendingNotification", dt.Enum(values=frozenset({1, 2})), O, O),
        A("nsp", "notificationStoragePriority", dt.POSITIVE_INT, O, O),
        A("ln", "latestNotify", dt.BOOLEAN, O, O),
        A("nct", "notificationContentType", dt.Enum(values=frozenset(NCT)), O, O),
        A("nec", "notificationEventCat", dt.INTEGER, O, O),
        A("su", "subscriberURI", dt.ANY_URI, O, NP, since="2"),
        A("nse", "notificationStatsEnable", dt.BOOLEAN, O, O, since="4"),
        A("nsi", "notificationStatsInfo", STATS, NP, NP, since="4"),
    ),
    children=frozenset(),
    behaviour=SubscriptionBehaviour(),
)
