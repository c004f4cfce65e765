"""Checking request content against the type table: names, types, optionality."""

from __future__ import annotations

from typing import Any

from cse.errors import bad_request
from cse.model.schema import M, NP, ResourceType


def unwrap(rtype: ResourceType, content: Any) -> dict[str, Any]:
    """The attribute dict inside ``{"m2m:cnt": {...}}``, checked to be of the stated type."""
    if not isinstance(content, dict) or len(content) != 1:
        raise bad_request(f"content must be one resource representation, e.g. {{\"{rtype.tpe}\": {{...}}}}")
    (root, attrs), = content.items()
    if root != rtype.tpe:
        raise bad_request(f"content is {root!r} but the resource type {rtype.ty} needs {rtype.tpe!r}")
    if not isinstance(attrs, dict):
        raise bad_request(f"{root} must be a structure of attributes")
    return attrs


def for_create(rtype: ResourceType, attrs: dict[str, Any], lenient: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in attrs.items():
        attribute = rtype.attribute(name)
        if attribute is None:
            raise bad_request(f"attribute {name!r} is not an attribute of {rtype.name} ({rtype.tpe})")
        if name == "cr":
            # The creator is requested with a null value and filled in by the CSE.
            if value not in (None, ""):
                raise bad_request("attribute cr: must be null in a Create request; the CSE sets it")
            result[name] = None
            continue
        if attribute.create is NP:
            raise bad_request(f"attribute {name!r} is not permitted in a Create request of {rtype.name}")
        if value is None:
            continue
        result[name] = attribute.dtype.check(value, name, lenient)
    missing = [a.sn for a in rtype.attributes.values() if a.create is M and a.sn not in result]
    if missing:
        raise bad_request(f"mandatory attribute(s) missing for {rtype.name}: {', '.join(missing)}")
    return result


def for_update(rtype: ResourceType, attrs: dict[str, Any], lenient: bool) -> dict[str, Any]:
    """Validated changes; a None value asks to remove the attribute (TS-0004 clause 7.3.3.2)."""
    result: dict[str, Any] = {}
    for name, value in attrs.items():
        attribute = rtype.attribute(name)
        if attribute is None:
            raise bad_request(f"attribute {name!r} is not an attribute of {rtype.name} ({rtype.tpe})")
        if attribute.update is NP:
            raise bad_request(f"attribute {name!r} is not permitted in an Update request of {rtype.name}")
        if value is None or (lenient and value == ""):
            if attribute.create is M:
                raise bad_request(f"attribute {name!r} is mandatory and cannot be removed")
            result[name] = None
            continue
        result[name] = attribute.dtype.check(value, name, lenient)
    return result
