"""Serializations of primitive content: JSON, CBOR and XML, chosen by media type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from cse.serialization import cbor_codec, json_codec, xml_codec
from cse.serialization.errors import SerializationError


@dataclass(frozen=True)
class Codec:
    name: str
    decode: Callable[[bytes], Any]
    encode: Callable[[Any], bytes]
    # XML carries scalars as text: the core must coerce them by attribute type.
    lenient_types: bool = False


JSON = Codec("json", json_codec.decode, json_codec.encode)
CBOR = Codec("cbor", cbor_codec.decode, cbor_codec.encode)
XML = Codec("xml", xml_codec.decode, xml_codec.encode, lenient_types=True)

MEDIA_TYPES: dict[str, Codec] = {
    "application/json": JSON,
    "application/vnd.onem2m-res+json": JSON,
    "application/cbor": CBOR,
    "application/vnd.onem2m-res+cbor": CBOR,
    "application/xml": XML,
    "text/xml": XML,
    "application/vnd.onem2m-res+xml": XML,
}

DEFAULT_MEDIA_TYPE = "application/json"


def codec_for(media_type: str) -> Codec | None:
    return MEDIA_TYPES.get(media_type.strip().lower())


def negotiate(accept: str | None, fallback: str) -> str | None:
    """The media type to answer with: the best supported one in Accept, else ``fallback``.

    Follows RFC 9110 clause 12.5.1: higher quality first, then the order given; ``q=0`` rules
    a type out, also for a later wildcard. A wildcard ('*/*', 'application/*') prefers
    ``fallback`` (the request's own serialization). Returns None when Accept allows nothing
    this CSE can produce.
    """
    if not accept or not accept.strip():
        return fallback
    ranges = [_media_range(part) for part in accept.split(",")]
    excluded = {media for media, quality in ranges if quality == 0 and media in MEDIA_TYPES}
    wanted = sorted(
        ((-quality, index, media) for index, (media, quality) in enumerate(ranges) if quality > 0),
    )
    for _, _, media in wanted:
        if media in MEDIA_TYPES and media not in excluded:
            return media
        if media.endswith("/*"):
            chosen = _for_wildcard(media, fallback, excluded)
            if chosen is not None:
                return chosen
    return None


# The order in which a wildcard is served when the request's own serialization is excluded.
_PREFERENCE = ("application/json", "application/cbor", "application/xml", "text/xml")


def _media_range(part: str) -> tuple[str, float]:
    media, _, params = part.strip().partition(";")
    quality = 1.0
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                quality = 0.0  # a broken weight cannot be trusted to allow anything
            if not quality >= 0.0:  # negative, or nan
                quality = 0.0
            quality = min(quality, 1.0)
    return media.strip().lower(), quality


def _for_wildcard(media_range: str, fallback: str, excluded: set[str]) -> str | None:
    major = media_range.partition("/")[0]
    for media in (fallback, *_PREFERENCE):
        if media in excluded or media not in MEDIA_TYPES:
            continue
        if major == "*" or media.startswith(major + "/"):
            return media
    return None


__all__ = ["Codec", "SerializationError", "codec_for", "negotiate", "MEDIA_TYPES", "DEFAULT_MEDIA_TYPE"]
