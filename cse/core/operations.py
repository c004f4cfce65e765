"""Create, Update and Delete: the generic processing every resource type shares."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cse import timestamps
from cse.core import representation, retrieval, validation
from cse.core.result_content import result_content
from cse.errors import RequestError, bad_request
from cse.model.resource import Resource
from cse.model.schema import NP, ResourceType
from cse.primitives import Operation, Request, Response, ResultContent
from cse.status import RSC
from cse.storage.store import Transaction

if TYPE_CHECKING:
    from cse.core.engine import CSE

# Resource names are path segments: unreserved URI characters only (RFC 3986 clause 2.3).
_RESOURCE_NAME = re.compile(r"^[A-Za-z0-9\-._~]+$")

@dataclass
class CreateOp:
    cse: "CSE"
    request: Request
    parent: Resource
    rtype: ResourceType
    attrs: dict[str, Any]
    ri: str | None = None
    owner: str | None = None
    tx: Transaction | None = None
    resource: Resource | None = None


@dataclass
class UpdateOp:
    cse: "CSE"
    request: Request
    resource: Resource
    rtype: ResourceType
    changes: dict[str, Any]
    tx: Transaction | None = None
    # The attributes as they were before the update.
    before: dict[str, Any] = field(default_factory=dict)


@dataclass
class DeleteOp:
    cse: "CSE"
    request: Request
    tx: Transaction
    removed: set[str] = field(default_factory=set)


def _new_ri(cse: "CSE", prefix: str) -> str:
    # Resource IDs need to be unique, not secret (access control protects resources), and
    # the secrets module costs a system call per ID on the create path.
    while True:
        ri = f"{prefix}{random.randrange(10**10):010d}"
        if cse.store.get(ri) is None:
            return ri


async def create(cse: "CSE", request: Request, parent: Resource) -> Response:
    rcn = result_content(request, Operation.CREATE)
    if request.ty is None:
        raise bad_request("a Create request needs a resource type (ty)")
    rtype = cse.registry.for_create(request.ty, request.pc)
    parent_type = cse.registry.of(parent)
    if parent_type is None or rtype.ty not in parent_type.children:
        raise RequestError(
            RSC.INVALID_CHILD_RESOURCE_TYPE,
            f"a {rtype.name} cannot be created under a {parent_type.name if parent_type else parent.ty}",
        )
    if rtype.ty != 2:  # AE registration is governed by the allowed AE-ID patterns instead
        cse.access.check(request.fr, parent, Operation.CREATE, request.peer)
    attrs = validation.for_create(rtype, validation.unwrap(rtype, request.pc), request.lenient_types)
    requested = dict(attrs)  # as validated: XML text compares as the typed value it became
    cse.check_references(attrs)

    now = timestamps.now()
    created = timestamps.format_ts(now)
    attrs["ty"] = rtype.ty
    attrs["pi"] = parent.ri
    attrs["ct"] = created
    attrs["lt"] = created
    if "et" in rtype.attributes:
        if "et" not in attrs:
            attrs["et"] = timestamps.format_ts(now + timedelta(seconds=cse.settings.default_lifetime))
        elif attrs["et"] <= created:
            raise bad_request(f"attribute et: {attrs['et']} is not in the future")
    if "st" in rtype.attributes:
        attrs["st"] = 0
    op = CreateOp(cse, request, parent, rtype, attrs, owner=cse.access.normalize(request.fr or ""))
    rtype.behaviour.on_create(op)

    ri = op.ri or _new_ri(cse, rtype.ri_prefix)
    rn = attrs.get("rn") or ri
    if not _RESOURCE_NAME.match(rn):
        raise bad_request(f"resource name {rn!r} may only contain letters, digits and '-._~'")
    if rn in parent_type.virtual_children:
        raise bad_request(f"resource name {rn!r} is reserved under a {parent_type.name}")
    srn = f"{parent.srn}/{rn}" if parent.srn else rn
    _check_name_free(cse, srn, rn, parent)
    if "cr" in attrs:
        attrs["cr"] = op.owner
    attrs["ri"] = ri
    attrs["rn"] = rn
    resource = Resource(ri=ri, ty=rtype.ty, pi=parent.ri, srn=srn, attrs=attrs, owner=op.owner)
    # Keep attribute order readable on the wire: universal attributes first.
    resource.attrs = _ordered(attrs)
    op.resource = resource
    await rtype.behaviour.prepare_create(op)
    # Others may have changed the tree while we awaited: check again what the await could spoil.
    if cse.store.get(parent.ri) is not parent:
        raise RequestError(RSC.NOT_FOUND, f"the parent {parent.ri!r} was deleted meanwhile")
    _check_name_free(cse, srn, rn, parent)
    if cse.store.get(ri) is not None:
        raise RequestError(RSC.CONFLICT, f"resource ID {ri!r} was taken meanwhile")

    with cse.store.transaction() as tx:
        op.tx, op.resource = tx, resource
        tx.insert(resource)
        rtype.behaviour.after_create(op)
        cse.events.publish(tx, request)
    await tx.commit()

    response = Response(RSC.CREATED, request.rqi, location=cse.addressing.structured_id(resource))
    if rcn == ResultContent.ATTRIBUTES:
        response.pc = representation.wrapped(cse, resource, request.rvi)
    elif rcn == ResultContent.HIERARCHICAL_ADDRESS:
        response.pc = {"m2m:uri": cse.addressing.structured_id(resource)}
    elif rcn == ResultContent.MODIFIED_ATTRIBUTES:
        response.pc = {rtype.tpe: _set_by_cse(requested, {}, resource.attrs)}
    elif rcn == ResultContent.HIERARCHICAL_ADDRESS_AND_ATTRIBUTES:
        response.pc = {
            "m2m:rce": {
                **representation.wrapped(cse, resource, request.rvi),
                "uri": cse.addressing.structured_id(resource),
            }
        }
    return response


def _set_by_cse(requested: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Modified attributes (rcn 9, TS-0004 clause 7.3.3.12): what the CSE set or changed beyond,
    or differently from, what the request asked for."""
    result = {}
    for name, value in after.items():
        if name in requested:
            if requested[name] != value:
                result[name] = value
        elif before.get(name) != value:
            result[name] = value
    return result


def _check_name_free(cse: "CSE", srn: str, rn: str, parent: Resource) -> None:
    if cse.store.by_srn(srn) is not None:
        raise RequestError(RSC.CONFLICT, f"a resource named {rn!r} already exists under {parent.ri!r}")


_FIRST = ("ty", "ri", "rn", "pi", "ct", "lt", "et")


def _ordered(attrs: dict[str, Any]) -> dict[str, Any]:
    result = {name: attrs[name] for name in _FIRST if name in attrs}
    result.update((name, value) for name, value in attrs.items() if name not in result)
    return result


async def update(cse: "CSE", request: Request, resource: Resource) -> Response:
    rcn = result_content(request, Operation.UPDATE)
    rtype = cse.registry.of(resource)
    cse.access.check(request.fr, resource, Operation.UPDATE, request.peer)
    op = UpdateOp(cse, request, resource, rtype, {})
    if request.pc is None:
        raise bad_request("an Update request needs content")
    if not any(a.update is not NP for a in rtype.attributes.values()):
        raise RequestError(RSC.OPERATION_NOT_ALLOWED, f"a {rtype.name} cannot be updated")
    raw = validation.unwrap(rtype, request.pc)
    if not raw and not rtype.behaviour.accepts_empty_update():
        raise bad_request("an Update request needs at least one attribute to change")
    op.changes = validation.for_update(rtype, raw, request.lenient_types)
    requested = dict(op.changes)
    rtype.behaviour.on_update(op)
    cse.check_references(op.changes)
    # A blocking-update subscriber consents before any device is asked to act.
    await cse.notifications.before_update(resource, op.changes)
    await rtype.behaviour.prepare_update(op)
    if cse.store.get(resource.ri) is not resource:
        raise RequestError(RSC.NOT_FOUND, f"{resource.ri!r} was deleted meanwhile")
    before = op.before = resource.attrs
    new_attrs = dict(resource.attrs)
    for name, value in op.changes.items():
        if value is None:
            new_attrs.pop(name, None)
        else:
            new_attrs[name] = value
    now = timestamps.format_ts(timestamps.now())
    if "et" in op.changes and op.changes["et"] is not None and op.changes["et"] <= now:
        raise bad_request(f"attribute et: {op.changes['et']} is not in the future")
    new_attrs["lt"] = now
    if "st" in new_attrs:
        new_attrs["st"] += 1
    with cse.store.transaction() as tx:
        op.tx = tx
        tx.replace_attrs(resource, new_attrs)
        rtype.behaviour.after_update(op)
        cse.events.publish(tx, request, updated=(resource, op.changes))
    await tx.commit()

    response = Response(RSC.UPDATED, request.rqi)
    if rcn == ResultContent.ATTRIBUTES:
        response.pc = representation.wrapped(cse, resource, request.rvi)
    elif rcn == ResultContent.MODIFIED_ATTRIBUTES:
        response.pc = {cse.tpe_of(resource): _set_by_cse(requested, before, resource.attrs)}
    return response


def delete_subtree(cse: "CSE", tx: Transaction, root: Resource, request: Request, op: DeleteOp | None = None) -> list[Resource]:
    """Remove ``root`` and everything below it inside ``tx``; returns what was removed."""
    op = op or DeleteOp(cse, request, tx)
    doomed = [root] + [resource for resource, _ in cse.store.descendants(root.ri)]
    op.removed.update(resource.ri for resource in doomed)
    for resource in reversed(doomed):
        rtype = cse.registry.of(resource)
        if rtype is not None:
            rtype.behaviour.on_delete(op, resource)
    # Top-down, so that listeners hear of a parent's deletion before its subscriptions go.
    for resource in doomed:
        tx.delete(resource)
    return doomed


async def delete(cse: "CSE", request: Request, resource: Resource) -> Response:
    rcn = result_content(request, Operation.DELETE)
    cse.access.check(request.fr, resource, Operation.DELETE, request.peer)
    # The representation is taken before the resource leaves the tree.
    pc = None
    if rcn != ResultContent.NOTHING:
        pc = retrieval.content_for(cse, request, resource, rcn)
    with cse.store.transaction() as tx:
        delete_subtree(cse, tx, resource, request)
        cse.events.publish(tx, request)
    await tx.commit()
    return Response(RSC.DELETED, request.rqi, pc=pc)
