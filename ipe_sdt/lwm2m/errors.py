"""The one exception type the LwM2M data layer raises for bad payloads or bad values."""


class CodecError(ValueError):
    """A payload could not be decoded, or values could not be encoded, in the requested format.

    Decoders raise nothing else for bad bytes, so a server can map this one type to
    4.00 Bad Request (or 4.06/4.15 when the content format itself is the problem).
    """


def show(value: object, limit: int = 60) -> str:
    """A short repr for error messages.

    Payloads can carry integers with thousands of digits (CBOR bignums), whose str() raises
    ValueError; an error message must never turn into a different exception.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"<{value.bit_length()}-bit integer>"
    try:
        text = repr(value)
    except ValueError:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "..."
