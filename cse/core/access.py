"""Access control (TS-0001 clause 9.6.8 and 11.2, TS-0004 clause 7.3.3.15).

A request is granted when any of these holds:
  - the originator is the CSE's admin originator;
  - the originator owns the target or one of its ancestors (it created it; an AE owns its
    own AE resource), which are the default rights of the creator;
  - the nearest resource, from the target up, that has accessControlPolicyIDs lists an
    accessControlPolicy with a rule (acr) that matches the originator (acor), the operation
    (acop) and the context (acco); for an accessControlPolicy resource its own selfPrivileges
    (pvs) decide.
Retrieve and discovery of the CSEBase itself are open to every originator, so that an AE can
learn what the CSE supports. Everything else is denied with ORIGINATOR_HAS_NO_PRIVILEGE (4103).
"""

from __future__ import annotations

import fnmatch
import ipaddress
from datetime import datetime, timezone
from typing import Any, Callable

from cse import timestamps
from cse.config import Settings
from cse.errors import RequestError
from cse.model.resource import Resource
from cse.model.typecodes import Ty
from cse.primitives import Operation
from cse.status import RSC
from cse.storage.store import ResourceStore

OPERATION_BITS = {
    Operation.CREATE: 1,
    Operation.RETRIEVE: 2,
    Operation.UPDATE: 4,
    Operation.DELETE: 8,
    Operation.NOTIFY: 16,
    Operation.DISCOVERY: 32,
}


class AccessControl:
    def __init__(self, settings: Settings, store: ResourceStore, lookup: Callable[[str], Resource | None]) -> None:
        self._settings = settings
        self._store = store
        self._lookup = lookup
        self._own_prefix = settings.cse_id + "/"

    def check(self, originator: str | None, resource: Resource, op: Operation, peer: str | None) -> None:
        if not self.allowed(originator, resource, op, peer):
            raise RequestError(
                RSC.ORIGINATOR_HAS_NO_PRIVILEGE,
                f"originator {originator!r} has no {op.name} privilege on {resource.ri!r}",
            )

    def allowed(
        self,
        originator: str | None,
        resource: Resource,
        op: Operation,
        peer: str | None,
        policies: list[str] | None = None,
    ) -> bool:
        """Whether ``originator`` may do ``op`` on ``resource``; ``policies``, if given, stand in
        for the resource's own accessControlPolicyIDs (a group's membersAccessControlPolicyIDs)."""
        origin = self.normalize(originator or "")
        if origin == self._settings.admin:
            return True
        if resource.ty == Ty.CSEBASE and op in (Operation.RETRIEVE, Operation.DISCOVERY):
            return True
        policy_decided = False
        node: Resource | None = resource
        while node is not None:
            if node.owner == origin and node.ty != Ty.CSEBASE:
                return True
            if not policy_decided:
                if node.ty == Ty.ACP and node is resource:
                    policy_decided = True
                    if _grants([node.attrs.get("pvs")], origin, op, peer, self):
                        return True
                else:
                    acpi = policies if policies is not None and node is resource else node.attrs.get("acpi")
                    if acpi:
                        policy_decided = True
                        if self._policies_grant(acpi, origin, op, peer):
                            return True
            node = self._store.get(node.pi) if node.pi else None
        return False

    def normalize(self, originator: str) -> str:
        """An SP-relative ID of one of our own entities names the same entity as its bare ID."""
        if originator.startswith(self._own_prefix):
            return originator[len(self._own_prefix):]
        return originator

    def _policies_grant(self, acpi: list[str], origin: str, op: Operation, peer: str | None) -> bool:
        privileges = []
        for acp_id in acpi:
            acp = self._lookup(acp_id)
            if acp is not None and acp.ty == Ty.ACP:
                privileges.append(acp.attrs.get("pv"))
        return _grants(privileges, origin, op, peer, self)


def _grants(privileges: list[Any], origin: str, op: Operation, peer: str | None, ac: AccessControl) -> bool:
    bit = OPERATION_BITS[op]
    for pv in privileges:
        for rule in (pv or {}).get("acr", []):
            if not rule.get("acop", 0) & bit:
                continue
            if not any(_originator_matches(ac.normalize(entry), origin) for entry in rule.get("acor", [])):
                continue
            contexts = rule.get("acco")
            if contexts and not any(_context_matches(context, peer) for context in contexts):
                continue
            return True
    return False


def _originator_matches(entry: str, origin: str) -> bool:
    if entry == "all":
        return True
    if "*" in entry or "?" in entry:
        return fnmatch.fnmatchcase(origin, entry)
    return entry == origin


def _context_matches(context: dict, peer: str | None) -> bool:
    windows = context.get("actw")
    if windows and not any(time_window_matches(window, timestamps.now()) for window in windows):
        return False
    ips = context.get("acip")
    if ips:
        if peer is None:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        networks = ips.get("ipv4", []) + ips.get("ipv6", [])
        if networks and not any(_in_network(address, network) for network in networks):
            return False
    return True


def _in_network(address: ipaddress.IPv4Address | ipaddress.IPv6Address, network: str) -> bool:
    try:
        return address in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


# Fields of an actw window, an m2m:scheduleEntry (TS-0004 table 7.4.9.1-4): 'second minute hour
# day-of-month month day-of-week year', matched in UTC. The year may be left out (six fields),
# as crontab-like windows commonly are; it then matches every year.
_FIELD_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6), (2000, 9999))


def time_window_matches(window: str, moment: datetime) -> bool:
    """True when ``moment`` lies in the schedule entry ``window``; malformed entries never match."""
    fields = window.split()
    if len(fields) not in (6, 7):
        return False
    utc = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    # Python counts Monday as 0; a schedule entry counts Sunday as 0.
    values = (utc.second, utc.minute, utc.hour, utc.day, utc.month, (utc.weekday() + 1) % 7, utc.year)
    return all(_field_matches(f, v, r) for f, v, r in zip(fields, values, _FIELD_RANGES))


def window_is_valid(window: str) -> bool:
    """Whether ``window`` is a well-formed schedule entry (6 or 7 fields of valid elements)."""
    fields = window.split()
    if len(fields) not in (6, 7):
        return False
    for spec, (lowest, highest) in zip(fields, _FIELD_RANGES):
        for text in spec.split(","):
            element = _element(text, (lowest, highest))
            if element is None or not lowest <= element[0] <= element[1] <= highest:
                return False
    return True


def _field_matches(spec: str, value: int, bounds: tuple[int, int]) -> bool:
    """One field: '*', a number, a range 'a-b', either with a step '/n', or a comma list of those."""
    elements = [_element(text, bounds) for text in spec.split(",")]
    # One malformed element makes the whole entry malformed, not merely that element unmatched.
    if any(element is None for element in elements):
        return False
    return any(low <= value <= high and (value - low) % step == 0 for low, high, step in elements)


def _element(text: str, bounds: tuple[int, int]) -> tuple[int, int, int] | None:
    """(low, high, step) of one element, or None if it is malformed."""
    base, slash, step_text = text.partition("/")
    try:
        step = int(step_text) if slash else 1
        if base == "*":
            low, high = bounds
        elif "-" in base:
            low_text, high_text = base.split("-", 1)
            low, high = int(low_text), int(high_text)
        else:
            low = int(base)
            # 'a/n' counts from a to the end of the field's range, as '*/n' does from its start.
            high = bounds[1] if slash else low
    except ValueError:
        return None
    return (low, high, step) if step > 0 else None
