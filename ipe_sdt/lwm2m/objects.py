"""The registry of LwM2M object definitions the codecs type values by.

The built-in table covers the objects the IPE manages (0, 1, 3, 4, 5, 9, 11, 20, 3311, 3342);
a server that meets other objects can build an extended registry from their DDF files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import MappingProxyType

from .model import ObjectDef, ResourceDef
from .object_table import OBJECTS


class ObjectRegistry:
    """Immutable lookup of object and resource definitions by id."""

    def __init__(self, objects: Iterable[ObjectDef]) -> None:
        by_id: dict[int, ObjectDef] = {}
        for obj in objects:
            if obj.id in by_id:
                raise ValueError(f"object {obj.id} defined twice")
            by_id[obj.id] = obj
        self._objects = MappingProxyType(dict(sorted(by_id.items())))

    def get_object(self, oid: int) -> ObjectDef | None:
        return self._objects.get(oid)

    def get_resource(self, oid: int, rid: int) -> ResourceDef | None:
        obj = self._objects.get(oid)
        return None if obj is None else obj.resource(rid)

    def extended(self, objects: Iterable[ObjectDef]) -> ObjectRegistry:
        """A new registry with these objects added; a same id replaces the built-in one."""
        merged = dict(self._objects)
        merged.update((obj.id, obj) for obj in objects)
        return ObjectRegistry(merged.values())

    def __contains__(self, oid: object) -> bool:
        return oid in self._objects

    def __iter__(self) -> Iterator[ObjectDef]:
        return iter(self._objects.values())

    def __len__(self) -> int:
        return len(self._objects)

    def __repr__(self) -> str:
        return f"ObjectRegistry({list(self._objects)})"


DEFAULT_REGISTRY = ObjectRegistry(OBJECTS)


def get_object(oid: int) -> ObjectDef | None:
    """The built-in definition of object oid, or None when we ship none."""
    return DEFAULT_REGISTRY.get_object(oid)


def get_resource(oid: int, rid: int) -> ResourceDef | None:
    """The built-in definition of resource /oid/x/rid, or None when we ship none."""
    return DEFAULT_REGISTRY.get_resource(oid, rid)
