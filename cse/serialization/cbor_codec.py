"""CBOR serialization (TS-0004 clause 8.6): the JSON data model, encoded as CBOR."""

import io
from typing import Any

import cbor2

from cse.serialization.errors import SerializationError

# RFC 8949 clause 3.4.6: tag 55799 only marks the bytes as CBOR; it carries no meaning.
_SELF_DESCRIBE = b"\xd9\xd9\xf7"


def decode(body: bytes) -> Any:
    if body.startswith(_SELF_DESCRIBE):
        body = body[len(_SELF_DESCRIBE):]
    stream = io.BytesIO(body)
    try:
        content = cbor2.CBORDecoder(stream).decode()
    except Exception as exc:  # hostile bytes can make the decoder fail in many ways
        raise SerializationError(f"malformed CBOR: {exc}") from None
    extra = len(body) - stream.tell()
    if extra:
        # One primitive content is one data item; trailing bytes mean a broken or smuggled body.
        raise SerializationError(f"malformed CBOR: {extra} byte(s) after the end of the data item")
    return content


def encode(content: Any) -> bytes:
    return cbor2.dumps(content)
