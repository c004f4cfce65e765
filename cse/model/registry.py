"""The resource types one CSE knows: the built-in table plus any registered later.

Most types are one entry per ty. A specialized type (mgmtObj, flexContainer) has one entry per
specialization, all with the same ty: a Create names the specialization by its content's root
element ('m2m:fwr', 'cod:devLt'), and a stored resource is matched by its discriminating
attribute ('mgd', 'cnd').
"""

from __future__ import annotations

from typing import Any, Iterable

from cse import releases
from cse.errors import RequestError, bad_request
from cse.model.resource import Resource
from cse.model.schema import ResourceType
from cse.status import RSC


class TypeRegistry:
    def __init__(self, types: Iterable[ResourceType]) -> None:
        self._by_ty: dict[int, ResourceType] = {}
        self._by_tpe: dict[str, ResourceType] = {}
        self._by_discriminator: dict[int, dict[Any, ResourceType]] = {}
        # Per type, the newest release that added an attribute: responses to older releases
        # must leave out what their release does not define.
        self._newest_attribute: dict[str, int] = {}
        # Kept current as types register, so bindings holding it see new specializations.
        self._attribute_names: set[str] = set()
        for rtype in types:
            self.register(rtype)

    def register(self, rtype: ResourceType) -> None:
        """Add or replace a type (specializations may be registered while the CSE runs)."""
        self._by_tpe[rtype.tpe] = rtype
        if rtype.discriminator is None:
            self._by_ty[rtype.ty] = rtype
        else:
            self._by_discriminator.setdefault(rtype.ty, {})[rtype.discriminator_value] = rtype
            self._by_ty.setdefault(rtype.ty, rtype)
        self._newest_attribute[rtype.tpe] = max(
            (releases.rank(a.since) for a in rtype.attributes.values()), default=0
        )
        self._attribute_names.update(rtype.attributes)

    def unregister(self, tpe: str) -> None:
        rtype = self._by_tpe.pop(tpe, None)
        if rtype is not None and rtype.discriminator is not None:
            self._by_discriminator.get(rtype.ty, {}).pop(rtype.discriminator_value, None)

    def get(self, ty: int) -> ResourceType | None:
        """The type of that number; for specialized types, a representative one (for children
        and parent rules, which all specializations of a ty share)."""
        return self._by_ty.get(ty)

    def by_tpe(self, tpe: str) -> ResourceType | None:
        return self._by_tpe.get(tpe)

    def for_create(self, ty: int, content: Any) -> ResourceType:
        """The type a Create of ``ty`` with ``content`` makes."""
        rtype = self._by_ty.get(ty)
        if rtype is None:
            raise bad_request(f"resource type {ty} is not supported by this CSE")
        if ty not in self._by_discriminator:
            return rtype
        root = next(iter(content), None) if isinstance(content, dict) and len(content) == 1 else None
        special = self._by_tpe.get(root) if isinstance(root, str) else None
        if special is None or special.ty != ty:
            raise RequestError(
                RSC.SPECIALIZATION_SCHEMA_NOT_FOUND if ty == 28 else RSC.BAD_REQUEST,
                f"{root!r} is not a known specialization of resource type {ty}",
            )
        return special

    def of(self, resource: Resource) -> ResourceType | None:
        """The type of a stored resource, its specialization included."""
        variants = self._by_discriminator.get(resource.ty)
        if variants is not None:
            rtype = self._by_ty[resource.ty]
            special = variants.get(resource.attrs.get(rtype.discriminator))
            if special is not None:
                return special
        return self._by_ty.get(resource.ty)

    def types(self) -> list[ResourceType]:
        """Every registered type, specializations included."""
        return list(self._by_tpe.values())

    def supported(self) -> list[int]:
        return sorted(self._by_ty)

    def needs_release_filter(self, rtype: ResourceType, release: str) -> bool:
        return self._newest_attribute.get(rtype.tpe, 0) > releases.rank(release)

    def attribute_names(self) -> set[str]:
        """Every attribute short name of every type ever registered (query parameters may filter
        on them); a live set that grows as types register."""
        return self._attribute_names

    def by_discriminator(self, ty: int, value: Any) -> ResourceType | None:
        """The specialization of ``ty`` whose discriminating attribute has ``value``."""
        return self._by_discriminator.get(ty, {}).get(value)
