"""A minimal .proto (proto3) reader for the schema-compatibility tests.

Enough grammar for the TR-369 schemas: package, nested messages and enums,
oneofs, repeated and map fields. It yields the same normalized shape as
``schema_of_descriptor`` so a test can compare the published text with the
descriptors our generated modules register.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf.descriptor import Descriptor, FieldDescriptor, FileDescriptor


@dataclass(frozen=True)
class FieldSpec:
    number: int
    type: str  # scalar name, full name of a message/enum, or "map<K,V>"
    repeated: bool
    oneof: str | None


@dataclass
class Schema:
    package: str = ""
    messages: dict[str, dict[str, FieldSpec]] = field(default_factory=dict)
    enums: dict[str, dict[str, int]] = field(default_factory=dict)


SCALARS = {
    "double",
    "float",
    "int32",
    "int64",
    "uint32",
    "uint64",
    "sint32",
    "sint64",
    "fixed32",
    "fixed64",
    "sfixed32",
    "sfixed64",
    "bool",
    "string",
    "bytes",
}

_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_.]*)|(-?\d+)|(\S))')


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def tokens(text: str) -> list[str]:
    out = []
    body = strip_comments(text)
    pos = 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if match is None:
            break
        out.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = tokens(text)
        self.i = 0
        self.schema = Schema()
        # Fields as (message, name, number, repeated, oneof, raw type), typed
        # after parsing because a field may use a type declared further down.
        self.pending: list[tuple[str, str, int, bool, str | None, str]] = []

    def next(self) -> str:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, tok: str) -> None:
        got = self.next()
        if got != tok:
            raise ValueError(f"expected {tok!r}, got {got!r} at token {self.i}")

    def parse(self) -> Schema:
        while self.i < len(self.toks):
            tok = self.next()
            if tok in ("syntax", "option", "import"):
                while self.next() != ";":
                    pass
            elif tok == "package":
                self.schema.package = self.next()
                self.expect(";")
            elif tok == "message":
                self.message(self.schema.package)
            elif tok == "enum":
                self.enum(self.schema.package)
            else:
                raise ValueError(f"unexpected {tok!r}")
        for msg, name, number, repeated, oneof, raw in self.pending:
            self.schema.messages[msg][name] = FieldSpec(
                number, self.resolve(msg, raw), repeated, oneof
            )
        return self.schema

    def message(self, scope: str) -> None:
        full = f"{scope}.{self.next()}".lstrip(".")
        self.schema.messages[full] = {}
        self.expect("{")
        self.members(full, oneof=None)

    def members(self, msg: str, oneof: str | None) -> None:
        while (tok := self.next()) != "}":
            if tok == "message":
                self.message(msg)
            elif tok == "enum":
                self.enum(msg)
            elif tok == "oneof":
                name = self.next()
                self.expect("{")
                self.members(msg, oneof=name)
            elif tok == ";":
                continue
            elif tok == "map":
                self.expect("<")
                key = self.next()
                self.expect(",")
                value = self.next()
                self.expect(">")
                self.field_rest(msg, f"map<{key},{value}>", False, oneof)
            elif tok == "repeated":
                self.field_rest(msg, self.next(), True, oneof)
            else:
                self.field_rest(msg, tok, False, oneof)

    def field_rest(self, msg: str, raw_type: str, repeated: bool, oneof: str | None) -> None:
        name = self.next()
        self.expect("=")
        number = int(self.next())
        self.expect(";")
        self.pending.append((msg, name, number, repeated, oneof, raw_type))

    def enum(self, scope: str) -> None:
        full = f"{scope}.{self.next()}".lstrip(".")
        values: dict[str, int] = {}
        self.expect("{")
        while (tok := self.next()) != "}":
            if tok == ";":
                continue
            self.expect("=")
            values[tok] = int(self.next())
            self.expect(";")
        self.schema.enums[full] = values

    def resolve(self, scope: str, raw: str) -> str:
        if raw.startswith("map<"):
            key, value = raw[4:-1].split(",")
            return f"map<{self.resolve(scope, key)},{self.resolve(scope, value)}>"
        if raw in SCALARS:
            return raw
        # protobuf name resolution: innermost enclosing scope first.
        parts = scope.split(".")
        for depth in range(len(parts), -1, -1):
            candidate = ".".join([*parts[:depth], raw]).lstrip(".")
            if candidate in self.schema.messages or candidate in self.schema.enums:
                return candidate
        raise ValueError(f"cannot resolve type {raw!r} in {scope}")


def parse_proto_text(text: str) -> Schema:
    return _Parser(text).parse()


def parse_proto(path: Path) -> Schema:
    return parse_proto_text(path.read_text(encoding="utf-8"))


_SCALAR_OF_TYPE = {
    FieldDescriptor.TYPE_DOUBLE: "double",
    FieldDescriptor.TYPE_FLOAT: "float",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_INT64: "int64",
    FieldDescriptor.TYPE_UINT32: "uint32",
    FieldDescriptor.TYPE_UINT64: "uint64",
    FieldDescriptor.TYPE_SINT32: "sint32",
    FieldDescriptor.TYPE_SINT64: "sint64",
    FieldDescriptor.TYPE_FIXED32: "fixed32",
    FieldDescriptor.TYPE_FIXED64: "fixed64",
    FieldDescriptor.TYPE_SFIXED32: "sfixed32",
    FieldDescriptor.TYPE_SFIXED64: "sfixed64",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BYTES: "bytes",
}


def _is_map(f: FieldDescriptor) -> bool:
    return f.type == FieldDescriptor.TYPE_MESSAGE and f.message_type.GetOptions().map_entry


def _type_of(f: FieldDescriptor) -> str:
    if _is_map(f):
        key, value = (f.message_type.fields_by_name[n] for n in ("key", "value"))
        return f"map<{_type_of(key)},{_type_of(value)}>"
    if f.type == FieldDescriptor.TYPE_MESSAGE:
        return f.message_type.full_name
    if f.type == FieldDescriptor.TYPE_ENUM:
        return f.enum_type.full_name
    return _SCALAR_OF_TYPE[f.type]


def schema_of_descriptor(file: FileDescriptor) -> Schema:
    schema = Schema(package=file.package)

    def walk(desc: Descriptor) -> None:
        schema.messages[desc.full_name] = {
            f.name: FieldSpec(
                f.number,
                _type_of(f),
                f.is_repeated and not _is_map(f),
                f.containing_oneof.name if f.containing_oneof else None,
            )
            for f in desc.fields
        }
        for enum in desc.enum_types:
            schema.enums[enum.full_name] = {v.name: v.number for v in enum.values}
        for nested in desc.nested_types:
            if not nested.GetOptions().map_entry:
                walk(nested)

    for desc in file.message_types_by_name.values():
        walk(desc)
    for enum in file.enum_types_by_name.values():
        schema.enums[enum.full_name] = {v.name: v.number for v in enum.values}
    return schema
