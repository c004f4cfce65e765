"""LwM2M data layer: object model, value codecs and link format.

What a server or driver calls:

    decode(payload, content_format, base_path) -> {path: value}
    encode({path: value}, content_format, base_path) -> bytes
    decode_timed / encode_timed          values with SenML / LwM2M JSON timestamps
    encode_paths / decode_paths          Read-Composite and Observe-Composite bodies
    parse_registration / format_registration      Register and Update payloads
    parse_discover / format_discover, Attributes  Discover answers, Write-Attributes queries
    get_object / get_resource, ObjectRegistry     the object model

Every malformed input raises CodecError.
"""

from .attributes import Attributes, DiscoveredLink, format_discover, parse_discover
from .codec import (
    SUPPORTED_FORMATS,
    ContentFormat,
    content_format,
    decode,
    decode_paths,
    decode_timed,
    encode,
    encode_paths,
    encode_timed,
)
from .ddf import parse_ddf
from .errors import CodecError
from .link_format import Link, format_links, parse_links
from .model import ObjectDef, Operations, ResourceDef, ResourceType
from .objects import DEFAULT_REGISTRY, ObjectRegistry, get_object, get_resource
from .paths import Path, format_path, parse_path
from .registration import RegisteredObject, Registration, format_registration, parse_registration
from .values import NULL_LINK, ObjectLink, TimedValue, Value

__all__ = [
    "DEFAULT_REGISTRY",
    "NULL_LINK",
    "SUPPORTED_FORMATS",
    "Attributes",
    "CodecError",
    "ContentFormat",
    "DiscoveredLink",
    "Link",
    "ObjectDef",
    "ObjectLink",
    "ObjectRegistry",
    "Operations",
    "Path",
    "RegisteredObject",
    "Registration",
    "ResourceDef",
    "ResourceType",
    "TimedValue",
    "Value",
    "content_format",
    "decode",
    "decode_paths",
    "decode_timed",
    "encode",
    "encode_paths",
    "encode_timed",
    "format_discover",
    "format_links",
    "format_path",
    "format_registration",
    "get_object",
    "get_resource",
    "parse_ddf",
    "parse_discover",
    "parse_links",
    "parse_path",
    "parse_registration",
]
