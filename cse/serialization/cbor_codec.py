"""CBOR serialization (TS-0004 clause 8.6): the JSON data model, encoded as CBOR."""

from typing import Any

import cbor2

from cse.serialization.errors import SerializationError


def decode(body: bytes) -> Any:
    try:
        return cbor2.loads(body)
    except Exception as exc:  # hostile bytes can make the decoder fail in many ways
        raise SerializationError(f"malformed CBOR: {exc}") from None


def encode(content: Any) -> bytes:
    return cbor2.dumps(content)
