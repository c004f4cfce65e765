"""Retrieve, conditional retrieve and discovery (TS-0004 clauses 7.3.3.6, 7.3.3.14, 7.3.3.17).

Result contents that include more than the target (rcn 4, 5, 6, 8, and discovery) select
descendants of the target the same way (TS-0001 clause 8.1.2, TS-0004 clause 7.3.3.17):
  - level (lvl) bounds the depth, 1 being the direct children;
  - offset (ofst) skips direct children together with their descendants, 1 being the first;
  - limit (lim) bounds the number of resources in the result, parents counted before children;
  - the matching conditions and the originator's privilege (RETRIEVE for a retrieve, DISCOVERY
    for a discovery) decide which resources are included.
Nested representations (rcn 4 and 8) cannot show a resource without its parent, so there a
resource that is left out takes its descendants with it; flat lists (references, discovery)
look below every resource.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any, Callable, Iterator

from cse.core import filters, representation
from cse.core.filters import Matcher
from cse.core.result_content import result_content
from cse.errors import not_found
from cse.model.resource import Resource
from cse.primitives import DesiredIdentifierResultType, FilterUsage, Operation, Request, Response, ResultContent
from cse.status import RSC

if TYPE_CHECKING:
    from cse.core.engine import CSE

# Result contents that show the target's own attributes, so they need a privilege on it.
_SHOWS_TARGET = (
    ResultContent.ATTRIBUTES_AND_CHILD_RESOURCES,
    ResultContent.ATTRIBUTES_AND_CHILD_RESOURCE_REFERENCES,
)


async def retrieve(cse: "CSE", request: Request, resource: Resource) -> Response:
    rcn = result_content(request, Operation.RETRIEVE)
    filters.check(request.fc)
    cse.access.check(request.fr, resource, Operation.RETRIEVE, request.peer)
    fc = request.fc
    if fc.fu == FilterUsage.CONDITIONAL_RETRIEVAL and not Matcher(fc)(resource):
        raise not_found(f"resource {resource.ri!r} does not meet the conditions of the request")
    return Response(RSC.OK, request.rqi, pc=content_for(cse, request, resource, rcn))


def content_for(cse: "CSE", request: Request, resource: Resource, rcn: ResultContent) -> Any:
    """The representation of ``resource`` that result content ``rcn`` asks for."""
    if rcn in (ResultContent.ATTRIBUTES, ResultContent.ORIGINAL_RESOURCE):
        return representation.wrapped(cse, resource, request.rvi)
    if rcn in (ResultContent.ATTRIBUTES_AND_CHILD_RESOURCES, ResultContent.CHILD_RESOURCES):
        selected = _select(cse, request, resource, Operation.RETRIEVE, nested=True)
        with_attributes = rcn == ResultContent.ATTRIBUTES_AND_CHILD_RESOURCES
        return _nested(cse, request, resource, selected, with_attributes)
    selected = _select(cse, request, resource, Operation.RETRIEVE, nested=False)
    return _references(cse, request, resource, selected, rcn)


def discover(cse: "CSE", request: Request, resource: Resource) -> Response:
    """Discovery (TS-0004 clause 7.3.3.14): the Receiver skips the authorization check of the
    target (Recv-6.3) and returns what the originator has DISCOVERY privilege on; only result
    contents that show the target's attributes need that privilege on the target itself."""
    rcn = result_content(request, Operation.DISCOVERY)
    filters.check(request.fc)
    if rcn in _SHOWS_TARGET:
        cse.access.check(request.fr, resource, Operation.DISCOVERY, request.peer)
    found = _select(cse, request, resource, Operation.DISCOVERY, nested=False)
    if rcn == ResultContent.DISCOVERY_RESULT_REFERENCES:
        if request.drt == DesiredIdentifierResultType.UNSTRUCTURED:
            uris = [match.ri for match in found]
        else:
            uris = [cse.addressing.structured_id(match) for match in found]
        return Response(RSC.OK, request.rqi, pc={"m2m:uril": uris})
    if rcn in (ResultContent.CHILD_RESOURCE_REFERENCES, ResultContent.ATTRIBUTES_AND_CHILD_RESOURCE_REFERENCES):
        return Response(RSC.OK, request.rqi, pc=_references(cse, request, resource, found, rcn))
    # A discovery result need not include the parents of what it found: matches are listed
    # directly under the target rather than nested.
    if rcn == ResultContent.ATTRIBUTES_AND_CHILD_RESOURCES:
        pc = representation.with_children(cse, resource, found, request.rvi)
    else:
        pc = {cse.tpe_of(resource): representation.grouped(cse, found, request.rvi)}
    return Response(RSC.OK, request.rqi, pc=pc)


def _references(
    cse: "CSE", request: Request, resource: Resource, selected: list[Resource], rcn: ResultContent
) -> dict[str, Any]:
    """rcn 5 (attributes plus 'ch') or rcn 6 (m2m:rrl) over the selected resources."""
    structured = request.drt != DesiredIdentifierResultType.UNSTRUCTURED
    references = [representation.child_reference(cse, match, structured) for match in selected]
    if rcn == ResultContent.ATTRIBUTES_AND_CHILD_RESOURCE_REFERENCES:
        body = representation.attributes(cse, resource, request.rvi)
        body["ch"] = references
        return {cse.tpe_of(resource): body}
    return {"m2m:rrl": {"rrf": references}}


def _nested(
    cse: "CSE", request: Request, resource: Resource, selected: list[Resource], with_attributes: bool
) -> dict[str, Any]:
    """The target with the selected resources nested below their parents (rcn 4 and 8)."""
    root = representation.attributes(cse, resource, request.rvi) if with_attributes else {}
    bodies: dict[str, dict[str, Any]] = {resource.ri: root}
    # ``selected`` lists parents before their children, so each parent's body exists already.
    for match in selected:
        body = representation.attributes(cse, match, request.rvi)
        bodies[match.pi].setdefault(cse.tpe_of(match), []).append(body)
        bodies[match.ri] = body
    return {cse.tpe_of(resource): root}


def _select(cse: "CSE", request: Request, resource: Resource, privilege: Operation, nested: bool) -> list[Resource]:
    """The descendants of ``resource`` the request's filter criteria select, parents first."""
    fc = request.fc
    limit = cse.settings.discovery_limit if fc.lim is None else min(fc.lim, cse.settings.discovery_limit)
    matcher = Matcher(fc)

    def accepted(candidate: Resource) -> bool:
        # Matching first: it is cheaper than walking the tree for the access decision.
        return matcher(candidate) and cse.access.allowed(request.fr, candidate, privilege, request.peer)

    skip = max((fc.ofst or 1) - 1, 0)
    if fc.lbl and fc.fo != 2 and not nested:
        # Every result carries one of the labels: start from the label index, not the tree.
        candidates = _labelled_below(cse, resource, fc.lbl, skip, fc.lvl)
        return list(islice((c for c in candidates if accepted(c)), limit))
    children = list(cse.store.children(resource.ri))[skip:]
    return list(islice(_below(cse, children, 1, fc.lvl, accepted, nested), limit))


def _labelled_below(cse: "CSE", resource: Resource, labels: list[str], skip: int, level: int | None) -> list[Resource]:
    """The labelled descendants of ``resource`` within ``level``, past the first ``skip``
    children's subtrees, in the order the depth-first walk of ``_below`` visits them."""
    skipped = {child.ri for child in islice(cse.store.children(resource.ri), skip)}
    ordered: list[tuple[tuple[int, ...], Resource]] = []
    for ri in cse.store.labelled(labels):
        candidate = cse.store.get(ri)
        if candidate is None or candidate.ri == resource.ri:
            continue  # discovery lists descendants, not the target itself
        chain: list[int] = []
        node = candidate
        # Walk up to the target; the creation numbers along the way sort as the walk visits.
        while node is not None and node.ri != resource.ri:
            chain.append(cse.store.sequence(node.ri))
            top = node
            node = cse.store.get(node.pi) if node.pi else None
        if node is None or top.ri in skipped or (level is not None and len(chain) > level):
            continue
        ordered.append((tuple(reversed(chain)), candidate))
    ordered.sort(key=lambda entry: entry[0])
    return [candidate for _, candidate in ordered]


def _below(
    cse: "CSE",
    children: list[Resource],
    depth: int,
    level: int | None,
    accepted: Callable[[Resource], bool],
    nested: bool,
) -> Iterator[Resource]:
    """Depth-first, oldest first: each accepted resource, then what is accepted below it."""
    if level is not None and depth > level:
        return
    for child in children:
        keep = accepted(child)
        if keep:
            yield child
        if keep or not nested:
            grandchildren = list(cse.store.children(child.ri))
            yield from _below(cse, grandchildren, depth + 1, level, accepted, nested)
