"""Building response content from resources: release filtering, child resources, references."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from cse import releases
from cse.model.resource import Resource

if TYPE_CHECKING:
    from cse.core.engine import CSE


def attributes(cse: "CSE", resource: Resource, release: str) -> dict[str, Any]:
    """The resource's attributes as the requesting release defines them."""
    attrs = resource.attrs
    rtype = cse.registry.of(resource)
    if rtype is None or not cse.registry.needs_release_filter(rtype, release):
        return dict(attrs)
    rank = releases.rank(release)
    result = {}
    for name, value in attrs.items():
        attribute = rtype.attribute(name) if rtype else None
        if attribute is None or releases.rank(attribute.since) <= rank:
            result[name] = value
    return result


def wrapped(cse: "CSE", resource: Resource, release: str) -> dict[str, Any]:
    """``{"m2m:cnt": {...}}``."""
    return {cse.tpe_of(resource): attributes(cse, resource, release)}


def child_reference(cse: "CSE", resource: Resource, structured: bool = True) -> dict[str, Any]:
    """A m2m:childResourceRef; ``val`` is the structured or the unstructured ID (drt)."""
    val = cse.addressing.structured_id(resource) if structured else resource.ri
    return {"nm": resource.rn, "typ": resource.ty, "val": val}


def grouped(cse: "CSE", resources: Iterable[Resource], release: str) -> dict[str, Any]:
    """Resources grouped by type name, as child resources appear in a representation."""
    body: dict[str, Any] = {}
    for resource in resources:
        body.setdefault(cse.tpe_of(resource), []).append(attributes(cse, resource, release))
    return body


def with_children(cse: "CSE", resource: Resource, children: Iterable[Resource], release: str) -> dict[str, Any]:
    """Attributes plus the given child resources grouped by type (rcn 4)."""
    return {cse.tpe_of(resource): {**attributes(cse, resource, release), **grouped(cse, children, release)}}
