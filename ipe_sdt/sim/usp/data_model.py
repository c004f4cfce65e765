"""An in-memory TR-181 data model: objects, parameters, tables (multi-instance
objects), commands and events, with path resolution.

The supported data model (what GetSupportedDM reports and what decides
"7026 Invalid Path") comes from the same tree as the instantiated one: a
table's prototype instance describes every instance it can hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ipe_sdt.usp import CmdType, ObjAccess, ParamValueType


@dataclass
class Param:
    value: str = ""
    type: ParamValueType = ParamValueType.STRING
    writable: bool = False
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    # Values that are computed when read (UpTime, NumberOfEntries, ...).
    getter: Callable[[], str] | None = None

    def get(self) -> str:
        return self.getter() if self.getter is not None else self.value


CommandHandler = Callable[..., Any]


@dataclass(frozen=True)
class CommandSpec:
    """A command such as ``Reboot()``; ``handler`` is bound by the Agent."""

    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    is_async: bool = False
    required: tuple[str, ...] = ()
    handler: CommandHandler | None = None

    @property
    def cmd_type(self) -> CmdType:
        return CmdType.ASYNC if self.is_async else CmdType.SYNC


@dataclass(frozen=True)
class EventSpec:
    args: tuple[str, ...] = ()


@dataclass
class Obj:
    params: dict[str, Param] = field(default_factory=dict)
    children: dict[str, Obj | Table] = field(default_factory=dict)
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    events: dict[str, EventSpec] = field(default_factory=dict)


@dataclass
class Table:
    """A multi-instance object. ``factory`` builds a fresh instance with its
    default parameters; the first one built is kept as the schema prototype.
    ``on_create`` may complete or refuse (by raising) an instance a Controller
    adds; ``on_delete`` may refuse a deletion."""

    factory: Callable[[], Obj]
    access: ObjAccess = ObjAccess.READ_ONLY
    unique_keys: tuple[str, ...] = ()
    on_create: Callable[[Obj, str], None] | None = None
    on_delete: Callable[[Obj], None] | None = None
    instances: dict[int, Obj] = field(default_factory=dict)
    next_number: int = 1
    _prototype: Obj | None = None

    @property
    def prototype(self) -> Obj:
        if self._prototype is None:
            self._prototype = self.factory()
        return self._prototype

    def add(self, obj: Obj | None = None) -> tuple[int, Obj]:
        number = self.next_number
        self.next_number += 1
        instance = obj if obj is not None else self.factory()
        self.instances[number] = instance
        return number, instance

    def keys_of(self, obj: Obj) -> dict[str, str]:
        return {k: obj.params[k].get() for k in self.unique_keys if k in obj.params}


Node = Obj | Table


class UnsupportedPath(Exception):
    """The path is not in the supported data model (TR-369 7026)."""


def schema_node(root: Obj, segments: tuple[str, ...]) -> Node:
    """Walk the supported data model; instance segments (number, ``*``,
    ``{i}``) step into a table's prototype. Raises UnsupportedPath."""
    node: Node = root
    for seg in segments[1:]:
        if isinstance(node, Table):
            if seg == "*" or seg == "{i}" or seg.isdigit():
                node = node.prototype
                continue
            raise UnsupportedPath(f"{seg!r} where an instance number is expected")
        child = node.children.get(seg)
        if child is None:
            raise UnsupportedPath(f"no object {seg!r}")
        node = child
    return node


def resolve(root: Obj, segments: tuple[str, ...]) -> Iterator[tuple[str, Node]]:
    """Instantiated nodes matching ``segments`` (``Device`` first), with their
    paths ending in ``.``. Missing instances simply yield nothing; call
    ``schema_node`` first to tell an unsupported path from an empty one."""

    def walk(node: Node, rest: tuple[str, ...], prefix: str) -> Iterator[tuple[str, Node]]:
        if not rest:
            yield prefix, node
            return
        seg, tail = rest[0], rest[1:]
        if isinstance(node, Table):
            if seg == "*":
                for number, inst in list(node.instances.items()):
                    yield from walk(inst, tail, f"{prefix}{number}.")
            elif seg.isdigit():
                found = node.instances.get(int(seg))
                if found is not None:
                    yield from walk(found, tail, f"{prefix}{seg}.")
            return
        child = node.children.get(seg)
        if child is not None:
            yield from walk(child, tail, f"{prefix}{seg}.")

    yield from walk(root, segments[1:], segments[0] + ".")


def iter_objects(node: Node, path: str, depth: int | None = None) -> Iterator[tuple[str, Obj]]:
    """Every instantiated object at or below ``node`` (tables contribute their
    instances). ``depth`` 1 means ``node`` alone; None means unlimited."""
    if depth is not None and depth <= 0:
        return
    if isinstance(node, Table):
        # A table path is a container: its instances are one level down.
        for number, inst in list(node.instances.items()):
            yield from iter_objects(inst, f"{path}{number}.", depth)
        return
    yield path, node
    next_depth = None if depth is None else depth - 1
    for name, child in node.children.items():
        yield from iter_objects(child, f"{path}{name}.", next_depth)


def iter_tables(node: Node, path: str, first_level_only: bool) -> Iterator[tuple[str, Table]]:
    """Tables at or below ``node`` (instances of nested tables included unless
    ``first_level_only``)."""
    if isinstance(node, Table):
        yield path, node
        if first_level_only:
            return
        for number, inst in list(node.instances.items()):
            yield from iter_tables(inst, f"{path}{number}.", first_level_only)
        return
    for name, child in node.children.items():
        if isinstance(child, Table):
            yield from iter_tables(child, f"{path}{name}.", first_level_only)
        elif not first_level_only:
            yield from iter_tables(child, f"{path}{name}.", first_level_only)


def iter_schema(node: Node, path: str, first_level_only: bool) -> Iterator[tuple[str, Node]]:
    """Supported objects at or below ``node``: tables as ``Name.{i}.``."""
    yield path, node
    obj = node.prototype if isinstance(node, Table) else node
    for name, child in obj.children.items():
        child_path = f"{path}{name}.{{i}}." if isinstance(child, Table) else f"{path}{name}."
        if first_level_only:
            yield child_path, child
        else:
            yield from iter_schema(child, child_path, False)
