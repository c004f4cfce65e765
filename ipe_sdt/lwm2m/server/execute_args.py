"""Arguments of the Execute operation: the text/plain payload "0='http://x/y',1".

The TS grammar: arglist = arg *("," arg); arg = DIGIT ["=" "'" *CHAR "'"], where CHAR is
printable ASCII without space, double quote and single quote (%x21 / %x23-26 / %x28-7E).
Each digit may appear once. Formatting is strict; parsing also accepts spaces inside values,
which some servers send.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import CodecError, show

ExecuteArgs = Mapping[int, str | None]


def _value_ok(value: str, *, lenient: bool) -> bool:
    low = 0x20 if lenient else 0x21
    return all(low <= ord(c) <= 0x7E and c not in "'\"" for c in value)


def format_execute_args(args: ExecuteArgs | str | None) -> bytes:
    """The payload for these arguments; a str is sent as given after a syntax check."""
    if args is None:
        return b""
    if isinstance(args, str):
        parse_execute_args(args.encode("ascii", "replace"))
        return args.encode("ascii")
    if not isinstance(args, Mapping):
        raise CodecError(f"execute arguments must be a mapping of digits to values, not {type(args).__name__}")
    parts = []
    for digit, value in sorted(args.items()):
        if type(digit) is not int or not 0 <= digit <= 9:
            raise CodecError(f"execute argument names are the digits 0..9, not {show(digit)}")
        if value is None:
            parts.append(str(digit))
        elif isinstance(value, str) and _value_ok(value, lenient=False):
            parts.append(f"{digit}='{value}'")
        else:
            raise CodecError(
                f"execute argument {digit} must be printable ASCII without spaces or quotes: {show(value)}"
            )
    return ",".join(parts).encode("ascii")


def parse_execute_args(payload: bytes) -> dict[int, str | None]:
    """{digit: value or None} of an Execute payload; CodecError when it breaks the grammar."""
    try:
        text = bytes(payload).decode("ascii")
    except UnicodeDecodeError:
        raise CodecError("execute arguments must be ASCII") from None
    args: dict[int, str | None] = {}
    pos = 0
    if not text:
        return args
    while True:
        if pos >= len(text) or not text[pos].isdigit():
            raise CodecError(f"execute arguments: expected a digit at offset {pos}")
        digit = int(text[pos])
        if digit in args:
            raise CodecError(f"execute argument {digit} given twice")
        pos += 1
        value: str | None = None
        if text.startswith("='", pos):
            end = text.find("'", pos + 2)
            if end < 0:
                raise CodecError("execute arguments: unterminated quoted value")
            value = text[pos + 2 : end]
            if not _value_ok(value, lenient=True):
                raise CodecError(f"execute argument {digit} has a character outside the allowed set")
            pos = end + 1
        args[digit] = value
        if pos == len(text):
            return args
        if text[pos] != ",":
            raise CodecError(f"execute arguments: expected ',' at offset {pos}")
        pos += 1
