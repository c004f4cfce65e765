"""group: its members, their type checked by the consistency strategy, and the fanOutPoint.

Members (TS-0001 clause 9.6.13 and 10.2.7, TS-0004 clause 7.4.13) are named by any form of ID:
unstructured ('cnt123'), structured ('cse-in/app/cnt'), SP-relative ('/id-in/cnt123') or
absolute. A group's fanOutPoint may itself be a member ('cse-in/app/subgroup/fopt'): requests
then reach the sub-group's members too, and the sub-group counts with its own memberType. On
Create and on every Update of mid or mt:
  - a member must exist (else BAD_REQUEST), unless it is hosted on another CSE: this CSE cannot
    reach one, so it is kept unvalidated and memberTypeValidated is false unless the group is
    mixed; a member that existed when it was added but is gone now is kept, and answers as
    missing (4004) in fan-outs;
  - duplicates (the same resource named twice, in any form) are removed, the first kept;
  - a member whose type differs from a non-mixed memberType is handled by consistencyStrategy:
    ABANDON_MEMBER drops it, ABANDON_GROUP refuses the request with
    GROUP_MEMBER_TYPE_INCONSISTENT (4110), SET_MIXED makes the group mixed;
  - more members than maxNrOfMembers is MAX_NUMBER_OF_MEMBER_EXCEEDED (6010);
  - a group that would reach itself through fanOutPoint members is refused (4000).
The fanOutPoint 'fopt' (TS-0001 clause 9.6.14, TS-0004 clause 7.4.14) takes any operation,
optionally with a path below each member ('fopt/la'), checks the originator against
membersAccessControlPolicyIDs (or, without them, the group's own access control), refuses a
group without members with NO_MEMBERS (4109), and then sends the request to every member as the
originator, so that each member's access control decides too (cse.core.fanout).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Iterable

from cse.core import fanout, filters
from cse.core.operations import result_content
from cse.errors import RequestError, bad_request
from cse.model.resource import Resource
from cse.model.typecodes import Ty
from cse.primitives import FilterUsage, Operation
from cse.resources.behaviour import Behaviour
from cse.status import RSC

if TYPE_CHECKING:
    from cse.core.engine import CSE

FANOUT_POINT = "fopt"
MIXED = 0


class ConsistencyStrategy(IntEnum):
    ABANDON_MEMBER = 1
    ABANDON_GROUP = 2
    SET_MIXED = 3


_SUFFIX = "/" + FANOUT_POINT


@dataclass(frozen=True)
class Member:
    """What one memberID names."""

    mid: str
    # The local member, or for a fanOutPoint member the group it belongs to; None otherwise.
    resource: Resource | None = None
    fanout_point: bool = False
    # The CSE hosting a member on another CSE ('/id-mn', '//sp.example/id-mn'), and the
    # member's address there.
    host: str | None = None
    path: str = ""

    @property
    def missing(self) -> bool:
        return self.resource is None and self.host is None

    @property
    def key(self) -> tuple:
        """Two memberIDs with the same key name the same member."""
        if self.resource is not None:
            return ("local", self.resource.ri, self.fanout_point)
        if self.host is not None:
            return ("other", self.host, self.path)
        return ("missing", self.mid)

    @property
    def type(self) -> int | None:
        """The member's resource type; for a fanOutPoint, its group's memberType."""
        if self.resource is None:
            return None
        if self.fanout_point:
            return self.resource.attrs.get("mt", MIXED)
        return self.resource.ty


def resolve_member(cse: "CSE", mid: str, where: str = "mid") -> Member:
    """Classify a memberID; raises BAD_REQUEST for one that cannot name a member at all."""
    if not isinstance(mid, str) or not mid.strip("/") or mid != mid.strip():
        raise bad_request(f"attribute {where}: {mid!r} is not a resource ID")
    elsewhere = _elsewhere(cse, mid, where)
    if elsewhere is not None:
        host, path = elsewhere
        return Member(mid, host=host, path=path)
    try:
        target = cse.addressing.resolve(mid)
    except RequestError:
        return Member(mid)
    if target.virtual is None:
        return Member(mid, target.resource)
    if target.virtual == FANOUT_POINT and not target.rest and target.resource.ty == Ty.GRP:
        return Member(mid, target.resource, fanout_point=True)
    raise bad_request(
        f"attribute {where}: {mid!r} is a virtual resource ('{target.virtual}'); only the fanOutPoint "
        "of a group can be a member besides real resources"
    )


def _elsewhere(cse: "CSE", mid: str, where: str) -> tuple[str, str] | None:
    """For a member on another CSE: that CSE's ID (SP-relative, or absolute for another SP)
    and the member's address on it; None for a member of this CSE."""
    settings = cse.settings
    address = mid
    sp = None
    if address.startswith("//"):
        sp, _, rest = address[2:].partition("/")
        address = "/" + rest
        if sp == settings.sp_id[2:]:
            sp = None
    if not address.startswith("/"):
        return None
    cse_id, _, path = address[1:].partition("/")
    if not cse_id:
        raise bad_request(f"attribute {where}: {mid!r} has no CSE-ID")
    if sp is not None:
        return f"//{sp}/{cse_id}", path.strip("/")
    return None if cse_id == settings.cse_ri else ("/" + cse_id, path.strip("/"))


def settle_members(
    cse: "CSE",
    mids: Iterable[str],
    member_type: int,
    strategy: ConsistencyStrategy,
    maximum: int,
    known: frozenset[str] = frozenset(),
) -> tuple[list[str], int, bool]:
    """The memberIDs to keep, the memberType after the consistency strategy, and whether every
    member's type could be validated. ``known`` holds memberIDs the group already had: those
    may have disappeared meanwhile without making the request wrong."""
    kept: list[str] = []
    seen: set[tuple] = set()
    unvalidated = False
    for index, mid in enumerate(mids):
        member = resolve_member(cse, mid, f"mid[{index}]")
        if member.key in seen:
            continue
        if member.missing:
            if mid not in known:
                raise bad_request(f"attribute mid[{index}]: no resource {mid!r} exists to be a member")
            unvalidated = True
        elif member.host is not None:
            # Another CSE's member: this CSE has no route to check its type, so
            # memberTypeValidated stays false until it can be (TS-0001 clause 10.2.7).
            unvalidated = True
        elif member_type != MIXED and member.type != member_type:
            if strategy == ConsistencyStrategy.ABANDON_MEMBER:
                continue
            if strategy == ConsistencyStrategy.ABANDON_GROUP:
                raise RequestError(
                    RSC.GROUP_MEMBER_TYPE_INCONSISTENT,
                    f"member {mid!r} is of type {_type_name(cse, member)}, but the group's memberType is "
                    f"{_type_label(cse, member_type)} and its consistencyStrategy is ABANDON_GROUP (2)",
                )
            member_type = MIXED
        seen.add(member.key)
        kept.append(mid)
    if len(kept) > maximum:
        raise RequestError(
            RSC.MAX_NUMBER_OF_MEMBER_EXCEEDED,
            f"the group would have {len(kept)} members, more than its maxNrOfMembers ({maximum})",
        )
    validated = member_type == MIXED or not unvalidated
    return kept, member_type, validated


def _type_label(cse: "CSE", ty: int) -> str:
    if ty == MIXED:
        return "mixed (0)"
    rtype = cse.registry.get(ty)
    return f"{rtype.name} ({ty})" if rtype else str(ty)


def _type_name(cse: "CSE", member: Member) -> str:
    label = _type_label(cse, member.type)
    return f"{label} (a fanOutPoint of a group with that memberType)" if member.fanout_point else label


def _check_member_type(cse: "CSE", ty: int) -> None:
    if ty != MIXED and cse.registry.get(ty) is None:
        known = ", ".join(str(t) for t in cse.registry.supported())
        raise bad_request(f"attribute mt: {ty} is not a resource type of this CSE (0 for mixed, or one of {known})")


def check_no_loop(cse: "CSE", group: Resource) -> None:
    """Refuse membership by which ``group``'s fanOutPoint would reach the group again."""
    stack: list[tuple[Resource, list[str]]] = [(group, [])]
    visited = {group.ri}
    while stack:
        current, path = stack.pop()
        for mid in current.attrs.get("mid") or ():
            if not mid.rstrip("/").endswith(_SUFFIX):
                continue
            try:
                member = resolve_member(cse, mid)
            except RequestError:
                continue
            if not member.fanout_point or member.resource is None:
                continue
            if member.resource.ri == group.ri:
                chain = " -> ".join([group.ri, *path, mid])
                raise bad_request(f"attribute mid: the group would be a member of itself through fanOutPoints ({chain})")
            if member.resource.ri not in visited:
                visited.add(member.resource.ri)
                stack.append((member.resource, [*path, mid]))


class GroupBehaviour(Behaviour):
    def on_create(self, op) -> None:
        cse, attrs = op.cse, op.attrs
        strategy = ConsistencyStrategy(attrs.setdefault("csy", int(ConsistencyStrategy.ABANDON_MEMBER)))
        _check_member_type(cse, attrs["mt"])
        mid, mt, validated = settle_members(cse, attrs["mid"], attrs["mt"], strategy, attrs["mnm"])
        attrs.update(mt=mt, mid=mid, cnm=len(mid), mtv=validated, ssi=False)

    def after_create(self, op) -> None:
        # The new group is in the tree now (inside the transaction): a loop through members
        # that name it by its path is found like any other, and undone with the create.
        check_no_loop(op.cse, op.resource)

    def on_update(self, op) -> None:
        cse, current, changes = op.cse, op.resource.attrs, op.changes
        if "mt" in changes:
            _check_member_type(cse, changes["mt"])
        maximum = changes.get("mnm", current["mnm"])
        if "mid" in changes or "mt" in changes:
            strategy = ConsistencyStrategy(current.get("csy", ConsistencyStrategy.ABANDON_MEMBER))
            mid, mt, validated = settle_members(
                cse,
                changes.get("mid", current["mid"]),
                changes.get("mt", current["mt"]),
                strategy,
                maximum,
                known=frozenset(current["mid"]),
            )
            changes.update(mid=mid, mt=mt, cnm=len(mid), mtv=validated)
        elif len(current["mid"]) > maximum:
            raise RequestError(
                RSC.MAX_NUMBER_OF_MEMBER_EXCEEDED,
                f"maxNrOfMembers {maximum} is less than the group's current number of members ({len(current['mid'])})",
            )

    def after_update(self, op) -> None:
        if "mid" in op.changes:
            check_no_loop(op.cse, op.resource)

    async def handle_virtual(self, cse, request, target):
        if target.virtual != FANOUT_POINT:
            return await super().handle_virtual(cse, request, target)
        group = target.resource
        operation = request.op
        if operation not in (Operation.CREATE, Operation.RETRIEVE, Operation.UPDATE, Operation.DELETE):
            raise RequestError(RSC.OPERATION_NOT_ALLOWED, f"{operation.name} is not allowed on a fanOutPoint")
        if operation == Operation.RETRIEVE and request.fc.fu == FilterUsage.DISCOVERY:
            operation = Operation.DISCOVERY
        # Authorization first, so that an originator without it learns nothing more.
        if not _may_fan_out(cse, request, group, operation):
            via = "membersAccessControlPolicyIDs" if group.attrs.get("macp") else "access control"
            raise RequestError(
                RSC.ORIGINATOR_HAS_NO_PRIVILEGE,
                f"originator {request.fr!r} has no {operation.name} privilege on the fanOutPoint of "
                f"{group.ri!r} (by the group's {via})",
            )
        # What every member would refuse alike is refused once, before anything is sent.
        result_content(request, operation)
        if operation in (Operation.RETRIEVE, Operation.DISCOVERY):
            filters.check(request.fc)
        if request.op == Operation.CREATE and request.ty is None:
            raise bad_request("a Create request needs a resource type (ty)")
        members = group.attrs.get("mid") or []
        if not members:
            raise RequestError(RSC.NO_MEMBERS, f"the group {group.ri!r} has no members to send the request to")
        targets = [_target(cse, mid, target.rest) for mid in members]
        with fanout.entering(group.ri, f"the group {group.ri!r}"):
            return await fanout.fan_out(cse, request, targets)


def _may_fan_out(cse: "CSE", request, group: Resource, operation: Operation) -> bool:
    """TS-0001 clause 9.6.14: membersAccessControlPolicyIDs decide who may use the fanOutPoint;
    without them, the group's own accessControlPolicyIDs do. The group's creator keeps its
    default rights either way, as for any resource."""
    return cse.access.allowed(request.fr, group, operation, request.peer, policies=group.attrs.get("macp") or None)


def _target(cse: "CSE", mid: str, rest: str) -> fanout.Target:
    try:
        member = resolve_member(cse, mid)
    except RequestError as error:
        return fanout.Target(mid, None, (RSC.BAD_REQUEST, error.message))
    if member.host is not None:
        return fanout.Target(
            mid,
            None,
            (RSC.TARGET_NOT_REACHABLE, f"member {mid!r} is hosted on {member.host}, which this CSE cannot reach"),
        )
    to = mid.rstrip("/") + ("/" + rest if rest else "")
    return fanout.Target(mid, to, nested=member.fanout_point)
