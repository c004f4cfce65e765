"""Retrieve, conditional retrieve and discovery (TS-0004 clauses 7.3.3.x, 7.4.x; filterUsage)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from cse.core import representation
from cse.core.filters import Matcher
from cse.core.operations import result_content
from cse.errors import not_found
from cse.model.resource import Resource
from cse.primitives import DesiredIdentifierResultType, FilterUsage, Operation, Request, Response, ResultContent
from cse.status import RSC

if TYPE_CHECKING:
    from cse.core.engine import CSE


async def retrieve(cse: "CSE", request: Request, resource: Resource) -> Response:
    rcn = result_content(request, Operation.RETRIEVE)
    cse.access.check(request.fr, resource, Operation.RETRIEVE, request.peer)
    fc = request.fc
    if fc.fu == FilterUsage.CONDITIONAL_RETRIEVAL and not Matcher(fc)(resource):
        raise not_found(f"resource {resource.ri!r} does not meet the conditions of the request")
    return Response(RSC.OK, request.rqi, pc=content_for(cse, request, resource, rcn))


def content_for(cse: "CSE", request: Request, resource: Resource, rcn: ResultContent) -> Any:
    """The representation of ``resource`` that result content ``rcn`` asks for."""
    release = request.rvi
    if rcn in (ResultContent.ATTRIBUTES, ResultContent.ORIGINAL_RESOURCE):
        return representation.wrapped(cse, resource, release)
    children = _visible_children(cse, request, resource)
    if rcn == ResultContent.ATTRIBUTES_AND_CHILD_RESOURCES:
        return _nested(cse, request, resource, depth=1, with_attributes=True)
    if rcn == ResultContent.CHILD_RESOURCES:
        return _nested(cse, request, resource, depth=1, with_attributes=False)
    references = [representation.child_reference(cse, child) for child in children]
    if rcn == ResultContent.ATTRIBUTES_AND_CHILD_RESOURCE_REFERENCES:
        body = representation.attributes(cse, resource, release)
        body["ch"] = references
        return {cse.tpe_of(resource): body}
    return {"m2m:rrl": {"rrf": references}}


def _visible_children(cse: "CSE", request: Request, resource: Resource) -> list[Resource]:
    fc = request.fc
    matcher = Matcher(fc)
    result = []
    skipped = 0
    for child in cse.store.children(resource.ri):
        if not matcher(child) or not cse.access.allowed(request.fr, child, Operation.RETRIEVE, request.peer):
            continue
        if fc.ofst and skipped < fc.ofst - 1:
            skipped += 1
            continue
        result.append(child)
        if fc.lim is not None and len(result) >= fc.lim:
            break
    return result


def _nested(cse: "CSE", request: Request, resource: Resource, depth: int, with_attributes: bool) -> dict[str, Any]:
    """The resource with its children, and theirs, down to the requested level (rcn 4 and 8)."""
    body = representation.attributes(cse, resource, request.rvi) if with_attributes else {}
    if request.fc.lvl is None or depth <= request.fc.lvl:
        for child in _visible_children(cse, request, resource):
            inner = _nested(cse, request, child, depth + 1, with_attributes=True)
            (tpe, child_body), = inner.items()
            body.setdefault(tpe, []).append(child_body)
    return {cse.tpe_of(resource): body}


def discover(cse: "CSE", request: Request, resource: Resource) -> Response:
    rcn = result_content(request, Operation.DISCOVERY)
    cse.access.check(request.fr, resource, Operation.DISCOVERY, request.peer)
    found = list(_discovered(cse, request, resource))
    if rcn == ResultContent.DISCOVERY_RESULT_REFERENCES:
        if request.drt == DesiredIdentifierResultType.UNSTRUCTURED:
            uris = [match.ri for match in found]
        else:
            uris = [cse.addressing.structured_id(match) for match in found]
        return Response(RSC.OK, request.rqi, pc={"m2m:uril": uris})
    if rcn == ResultContent.CHILD_RESOURCE_REFERENCES:
        return Response(RSC.OK, request.rqi, pc={"m2m:rrl": {"rrf": [representation.child_reference(cse, m) for m in found]}})
    if rcn == ResultContent.ATTRIBUTES_AND_CHILD_RESOURCE_REFERENCES:
        body = representation.attributes(cse, resource, request.rvi)
        body["ch"] = [representation.child_reference(cse, match) for match in found]
        return Response(RSC.OK, request.rqi, pc={cse.tpe_of(resource): body})
    if rcn == ResultContent.ATTRIBUTES_AND_CHILD_RESOURCES:
        pc = representation.with_children(cse, resource, found, request.rvi)
    else:
        pc = {cse.tpe_of(resource): _only_children(cse, found, request.rvi)}
    return Response(RSC.OK, request.rqi, pc=pc)


def _only_children(cse: "CSE", found: list[Resource], release: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for match in found:
        body.setdefault(cse.tpe_of(match), []).append(representation.attributes(cse, match, release))
    return body


def _discovered(cse: "CSE", request: Request, resource: Resource) -> Iterator[Resource]:
    fc = request.fc
    matcher = Matcher(fc)
    limit = min(fc.lim if fc.lim is not None else cse.settings.discovery_limit, cse.settings.discovery_limit)
    offset = max((fc.ofst or 1) - 1, 0)
    count = 0
    for candidate, depth in cse.store.descendants(resource.ri):
        if fc.lvl is not None and depth > fc.lvl:
            continue
        if not matcher(candidate):
            continue
        if not cse.access.allowed(request.fr, candidate, Operation.DISCOVERY, request.peer):
            continue
        if offset:
            offset -= 1
            continue
        yield candidate
        count += 1
        if count >= limit:
            return
