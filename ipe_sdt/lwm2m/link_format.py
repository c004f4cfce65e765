"""CoRE link format (RFC 6690, application/link-format, content format 40): syntax only.

    </>;rt="oma.lwm2m";ct="110 112",</1/0>,</3/0>;ver=1.1

Parsing tolerates whitespace around separators, which real clients put after commas. The
LwM2M meaning of links lives in registration.py and attributes.py.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import CodecError

# RFC 6690 ptokenchar and RFC 5987 attr-char (parmname), as sets for scanning.
_PTOKEN = frozenset(string.ascii_letters + string.digits + "!#$%&'()*+-./:<=>?@[]^_`{|}~")
_PARMNAME = frozenset(string.ascii_letters + string.digits + "!#$&+-.^_`|~*")
_WHITESPACE = " \t\r\n"
# Written quoted even when a bare token would do: that is how RFC 6690 and LwM2M show them.
ALWAYS_QUOTED = frozenset({"rt", "if", "title", "anchor", "rel", "rev"})


@dataclass
class Link:
    """One link-value: the URI between angle brackets and its parameters in order.

    A parameter given without "=value" (a flag) maps to None.
    """

    target: str
    params: dict[str, str | None] = field(default_factory=dict)

    def __str__(self) -> str:
        return format_link(self)


def parse_links(payload: bytes | str) -> list[Link]:
    """All links of a link-format document; CodecError on any syntax error."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            text = bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CodecError("link-format payload is not UTF-8") from exc
    elif isinstance(payload, str):
        text = payload
    else:
        raise CodecError(f"link-format payload must be bytes or str, not {type(payload).__name__}")
    return _Parser(text).links()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, what: str) -> CodecError:
        return CodecError(f"link-format: {what} at offset {self.pos}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def links(self) -> list[Link]:
        links: list[Link] = []
        self.skip_ws()
        if not self.peek():
            return links
        while True:
            links.append(self.link())
            self.skip_ws()
            char = self.peek()
            if not char:
                return links
            if char != ",":
                raise self.error(f"expected ',' or end, found {char!r}")
            self.pos += 1
            self.skip_ws()

    def link(self) -> Link:
        if self.peek() != "<":
            raise self.error("expected '<'")
        end = self.text.find(">", self.pos + 1)
        if end < 0:
            raise self.error("unterminated '<'")
        target = self.text[self.pos + 1 : end]
        if any(c in target for c in "<\"") or not target.isprintable() or " " in target:
            raise self.error(f"bad link target {target!r}")
        self.pos = end + 1
        link = Link(target)
        while True:
            self.skip_ws()
            if self.peek() != ";":
                return link
            self.pos += 1
            self.skip_ws()
            name, value = self.param()
            # RFC 8288 section 3: later occurrences of a parameter are ignored.
            link.params.setdefault(name, value)

    def param(self) -> tuple[str, str | None]:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _PARMNAME:
            self.pos += 1
        name = self.text[start : self.pos]
        if not name:
            raise self.error("expected a parameter name")
        self.skip_ws()
        if self.peek() != "=":
            return name, None
        self.pos += 1
        self.skip_ws()
        if self.peek() == '"':
            return name, self.quoted()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _PTOKEN:
            self.pos += 1
        if start == self.pos:
            raise self.error(f"parameter {name!r} has no value")
        return name, self.text[start : self.pos]

    def quoted(self) -> str:
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                if self.pos + 1 >= len(self.text):
                    break
                out.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(out)
            else:
                out.append(char)
                self.pos += 1
        raise self.error("unterminated quoted string")


def _format_value(name: str, value: str) -> str:
    if value and name not in ALWAYS_QUOTED and all(c in _PTOKEN for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_link(link: Link) -> str:
    if not link.target.isprintable() or any(c in link.target for c in '<>" '):
        raise CodecError(f"bad link target {link.target!r}")
    parts = [f"<{link.target}>"]
    for name, value in link.params.items():
        if not name or any(c not in _PARMNAME for c in name):
            raise CodecError(f"bad link parameter name {name!r}")
        if value is not None and not value.isprintable():
            raise CodecError(f"link parameter {name} has an unprintable value")
        parts.append(name if value is None else f"{name}={_format_value(name, value)}")
    return ";".join(parts)


def format_links(links: Iterable[Link]) -> str:
    return ",".join(format_link(link) for link in links)
