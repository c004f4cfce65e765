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
import re
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

# XML 1.0 (fifth edition) names without ':' (NCName), and the characters a document may carry.
# Content such as a JSON 'con' may hold keys and characters that XML cannot express; encoding
# them anyway would produce a document no parser accepts.
_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NCNAME = re.compile(f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
    except (LookupError, ValueError) as exc:
        # An unknown encoding in the XML declaration, or bytes that do not decode in it.
        raise SerializationError(f"malformed XML: {exc}") from None
    if root is None:
        raise SerializationError("malformed XML: no root element")
    value = _value(root, prefixes, depth=0)
    if value == "" or (isinstance(value, str) and not value.strip()):
        # The root is a resource representation: an empty one has no attributes, not empty text.
        value = {}
    return {_name(root.tag, prefixes): value}


def _name(tag: str, prefixes: dict[str, str]) -> str:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        # A namespace we know keeps its registered prefix whatever the document calls it
        # ('<c:devLt xmlns:c=".../commondomain">' is a 'cod:devLt').
        prefix = next((p for p, u in NAMESPACES.items() if u == uri), None) or prefixes.get(uri)
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
        # Text is kept as sent: whitespace is significant in xs:string values such as 'con';
        # numeric and boolean types strip it when they coerce the text.
        text = element.text or ""
        if attributes:
            # A child resource reference: <rrf nm=".." typ="..">address</rrf>
            if text.strip():
                attributes["val"] = text.strip()
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
    used: set[str] = {"m2m"}
    root = Element(_element_name(name, used))
    _fill(root, value, used, resource=True)
    # Declarations first, for readers; the prefixes in use are only known after filling.
    declarations = {f"xmlns:{prefix}": NAMESPACES[prefix] for prefix in sorted(used)}
    root.attrib = {**declarations, **root.attrib}
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _element_name(name: Any, used: set[str]) -> str:
    """``name`` checked to be an XML element name whose prefix (if any) we can declare."""
    if not isinstance(name, str):
        raise SerializationError(f"the name {name!r} cannot be an XML element name")
    prefix, colon, local = name.rpartition(":")
    if not _NCNAME.fullmatch(local) or (colon and not _NCNAME.fullmatch(prefix)):
        raise SerializationError(f"the name {name!r} is not a valid XML element name")
    if colon:
        if prefix not in NAMESPACES:
            raise SerializationError(f"the name {name!r} has a namespace prefix with no known namespace")
        used.add(prefix)
    return name


def _is_reference(value: dict[str, Any]) -> bool:
    """A child resource reference {nm, typ, val}: its address is the text, the rest attributes."""
    return "val" in value and value.keys() <= _REFERENCE_KEYS and len(value) > 1


def _fill(element: Element, value: Any, used: set[str], resource: bool = False) -> None:
    if isinstance(value, dict):
        if _is_reference(value):
            for key in ("nm", "typ"):
                if key in value:
                    element.set(key, _text(value[key]))
            element.text = _text(value["val"])
            return
        for key, member in value.items():
            if member is None:
                continue
            name = _element_name(key, used)
            if resource and key == "rn":
                element.set("rn", _text(member))
                continue
            if isinstance(member, list) and not _is_simple_list(member):
                # Lists of structures are repeated elements (XSD maxOccurs="unbounded"), and so
                # are lists of texts with spaces (schedule entries), which xs:list cannot carry.
                for entry in member:
                    _fill(SubElement(element, name), entry, used, resource=":" in key)
            else:
                _fill(SubElement(element, name), member, used, resource=":" in key)
        return
    element.text = _text(value)


def _is_simple_list(values: list[Any]) -> bool:
    """True when the values survive as one space-separated text (an xs:list): no structures,
    no text with spaces in it, no empty text."""
    for value in values:
        if isinstance(value, (dict, list)):
            return False
        if isinstance(value, str) and (not value or any(c.isspace() for c in value)):
            return False
    return True


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        # xs:list: the simple values separated by single spaces.
        text = " ".join(_text(v) for v in value)
    else:
        text = str(value)
    bad = _NOT_XML_CHAR.search(text)
    if bad:
        raise SerializationError(f"the character {bad.group()!r} cannot be carried in XML 1.0")
    return text
