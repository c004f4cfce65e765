"""XML serialization (TS-0004 clause 8.5; XSD of the oneM2M protocols namespace).

Decoding keeps the document's own namespace prefixes ('m2m:cin', 'cod:devLt') and returns
elements with children as dicts (repeated children as lists) and leaves as text; the core then
coerces the text by attribute type. DTDs, entities and external references are refused, never
expanded or fetched.

Encoding follows the XSD conventions: resourceName ('rn') is an XML attribute of a resource
element, lists of simple values are space-separated, lists of structures are repeated elements,
and child resource references carry 'nm'/'typ' as XML attributes with the address as text.
"""

from __future__ import annotations

import io
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from cse.serialization.errors import SerializationError

ONEM2M_NS = "http://www.onem2m.org/xml/protocols"

# Namespaces of prefixes used in resource type names; the SDT domains add theirs.
NAMESPACES: dict[str, str] = {"m2m": ONEM2M_NS}

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_REFERENCE_KEYS = {"nm", "typ", "val"}


def register_namespace(prefix: str, uri: str) -> None:
    NAMESPACES[prefix] = uri


def decode(body: bytes) -> Any:
    prefixes: dict[str, str] = {}
    try:
        events = iterparse(
            io.BytesIO(body), events=("start-ns", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        root = None
        for event, item in events:
            if event == "start-ns":
                prefix, uri = item
                prefixes.setdefault(uri, prefix)
            else:
                root = item
    except DefusedXmlException as exc:
        raise SerializationError(f"XML with DTDs, entities or external references is refused ({type(exc).__name__})") from None
    except ParseError as exc:
        raise SerializationError(f"malformed XML: {exc}") from None
    if root is None:
        raise SerializationError("malformed XML: no root element")
    return {_name(root.tag, prefixes): _value(root, prefixes, depth=0)}


def _name(tag: str, prefixes: dict[str, str]) -> str:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = prefixes.get(uri)
        if prefix is None:
            prefix = next((p for p, u in NAMESPACES.items() if u == uri), None)
        return f"{prefix}:{local}" if prefix else local
    return tag


def _value(element: Element, prefixes: dict[str, str], depth: int) -> Any:
    if depth > 32:
        raise SerializationError("XML nested deeper than 32 levels")
    children = list(element)
    attributes = {
        _name(key, prefixes): value for key, value in element.attrib.items() if not key.startswith(_XSI)
    }
    if not children:
        text = (element.text or "").strip()
        if attributes:
            # A child resource reference: <rrf nm=".." typ="..">address</rrf>
            if text:
                attributes["val"] = text
            return attributes
        return text
    result: dict[str, Any] = dict(attributes)
    repeated: set[str] = set()  # keys this element turned into lists (a value may be a list itself)
    for child in children:
        key = _name(child.tag, prefixes)
        value = _value(child, prefixes, depth + 1)
        if key in repeated:
            result[key].append(value)
        elif key in result:
            result[key] = [result[key], value]
            repeated.add(key)
        else:
            result[key] = value
    return result


def encode(content: Any) -> bytes:
    if not isinstance(content, dict) or len(content) != 1:
        raise SerializationError("XML needs exactly one root element")
    (name, value), = content.items()
    prefix = name.split(":", 1)[0] if ":" in name else None
    root = Element(name)
    for used in {prefix, "m2m"}:
        if used and used in NAMESPACES:
            root.set(f"xmlns:{used}", NAMESPACES[used])
    _fill(root, value, resource=True)
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _fill(element: Element, value: Any, resource: bool = False) -> None:
    if isinstance(value, dict):
        if value.keys() <= _REFERENCE_KEYS and "val" in value:
            for key in ("nm", "typ"):
                if key in value:
                    element.set(key, _text(value[key]))
            element.text = _text(value["val"])
            return
        for key, member in value.items():
            if member is None:
                continue
            if resource and key == "rn":
                element.set("rn", _text(member))
                continue
            if isinstance(member, list) and member and all(isinstance(m, dict) for m in member):
                for entry in member:
                    _fill(SubElement(element, key), entry, resource=":" in key)
            else:
                _fill(SubElement(element, key), member, resource=":" in key)
        return
    element.text = _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)
