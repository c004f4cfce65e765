"""The resource types one CSE knows: the built-in table plus any registered later."""

from __future__ import annotations

from typing import Iterable

from cse import releases
from cse.model.schema import ResourceType


class TypeRegistry:
    def __init__(self, types: Iterable[ResourceType]) -> None:
        self._by_ty: dict[int, ResourceType] = {}
        self._by_tpe: dict[str, ResourceType] = {}
        # Per type, the newest release that added an attribute: responses to older releases
        # must leave out what their release does not define.
        self._newest_attribute: dict[int, int] = {}
        for rtype in types:
            self.register(rtype)

    def register(self, rtype: ResourceType) -> None:
        self._by_ty[rtype.ty] = rtype
        self._by_tpe[rtype.tpe] = rtype
        self._newest_attribute[rtype.ty] = max(
            (releases.rank(a.since) for a in rtype.attributes.values()), default=0
        )

    def get(self, ty: int) -> ResourceType | None:
        return self._by_ty.get(ty)

    def by_tpe(self, tpe: str) -> ResourceType | None:
        return self._by_tpe.get(tpe)

    def supported(self) -> list[int]:
        return sorted(self._by_ty)

    def needs_release_filter(self, ty: int, release: str) -> bool:
        return self._newest_attribute.get(ty, 0) > releases.rank(release)

    def attribute_names(self) -> set[str]:
        """Every attribute short name of every type (query parameters may filter on them)."""
        return {name for rtype in self._by_ty.values() for name in rtype.attributes}
