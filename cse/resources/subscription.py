"""subscription: checks of its criteria and targets; notifying is cse.notifications' job."""

from __future__ import annotations

from enum import IntEnum

from cse.errors import RequestError, bad_request
from cse.primitives import Operation
from cse.resources.behaviour import Behaviour
from cse.status import RSC


class NET(IntEnum):
    """notificationEventType values (TS-0004 table 6.3.4.2.x) this CSE acts on.

    6 (trigger for an AE) and 8 (missing time-series data) need resource types this CSE does
    not have, and are refused when a subscription asks for them.
    """

    UPDATE = 1
    DELETE = 2
    CREATE_CHILD = 3
    DELETE_CHILD = 4
    RETRIEVE_NO_CHILD = 5
    BLOCKING_UPDATE = 7


class NCT(IntEnum):
    """notificationContentType values."""

    ALL_ATTRIBUTES = 1
    MODIFIED_ATTRIBUTES = 2
    RESOURCE_ID = 3


BLOCKING_UPDATE = NET.BLOCKING_UPDATE


class SubscriptionBehaviour(Behaviour):
    def on_create(self, op) -> None:
        cse, request = op.cse, op.request
        if not cse.access.allowed(request.fr, op.parent, Operation.RETRIEVE, request.peer):
            raise RequestError(
                RSC.SUBSCRIPTION_CREATOR_HAS_NO_PRIVILEGE,
                f"originator {request.fr!r} may not retrieve {op.parent.ri!r}, so it may not subscribe to it",
            )
        enc = op.attrs.setdefault("enc", {"net": [1]})
        enc.setdefault("net", [1])
        op.attrs.setdefault("nct", 1)
        _check(op.attrs)
        if BLOCKING_UPDATE in enc["net"]:
            for other in cse.notifications.subscriptions_of(op.parent.ri):
                if BLOCKING_UPDATE in (other.attrs.get("enc") or {}).get("net", []):
                    raise RequestError(
                        RSC.BLOCKING_SUBSCRIPTION_ALREADY_EXISTS,
                        f"{op.parent.ri!r} already has a blocking-update subscription ({other.ri})",
                    )
        if op.attrs.get("nse"):
            op.attrs["nsi"] = []

    async def prepare_create(self, op) -> None:
        sur = op.cse.addressing.structured_id(op.resource)
        await op.cse.notifications.verify(sur, op.request.fr, op.attrs["nu"])

    def on_update(self, op) -> None:
        merged = {**op.resource.attrs, **{k: v for k, v in op.changes.items() if v is not None}}
        if "enc" in op.changes and op.changes["enc"] is not None:
            op.changes["enc"].setdefault("net", [1])
        _check(merged)
        if op.changes.get("nse") and not op.resource.attrs.get("nse"):
            # Switching statistics on starts them afresh.
            op.changes["nsi"] = []

    async def prepare_update(self, op) -> None:
        new_targets = [t for t in op.changes.get("nu") or [] if t not in op.resource.attrs.get("nu", [])]
        if new_targets:
            sur = op.cse.addressing.structured_id(op.resource)
            await op.cse.notifications.verify(sur, op.request.fr, new_targets)


def _check(attrs: dict) -> None:
    for net in attrs.get("enc", {}).get("net", []):
        if net not in NET._value2member_map_:
            supported = ", ".join(f"{e.value} ({e.name.lower().replace('_', ' ')})" for e in NET)
            raise bad_request(f"attribute enc.net: notification event type {net} is not supported (supported: {supported})")
    if BLOCKING_UPDATE in attrs.get("enc", {}).get("net", []):
        if len(attrs.get("nu", [])) != 1:
            raise bad_request("a blocking-update subscription (net 7) needs exactly one notification target")
        if attrs.get("bn") or attrs.get("rl"):
            raise bad_request("a blocking-update subscription (net 7) cannot batch or rate-limit")
    bn = attrs.get("bn")
    if bn is not None and "num" not in bn and "dur" not in bn:
        raise bad_request("attribute bn: batchNotify needs num, dur or both")
