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

    Returns None when Accept names only unsupported types.
    """
    if not accept:
        return fallback
    candidates: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            candidates.append((-quality, index, media))
    for _, _, media in sorted(candidates):
        if media in MEDIA_TYPES:
            return media
        if media in ("*/*", "application/*"):
            return fallback
    return None


__all__ = ["Codec", "SerializationError", "codec_for", "negotiate", "MEDIA_TYPES", "DEFAULT_MEDIA_TYPE"]
