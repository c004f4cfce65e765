"""JSON serialization (TS-0004 clause 8.4, short names)."""

from typing import Any

import orjson

from cse.serialization.errors import SerializationError


def decode(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise SerializationError(f"malformed JSON: {exc}") from None


def encode(content: Any) -> bytes:
    return orjson.dumps(content)
