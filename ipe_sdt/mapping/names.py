"""Attribute short names by long name, read from the CSE's type tables.

The mapping speaks in long names (the oneM2M and SDT vocabulary); the short names on the wire
are the CSE's facts, declared once in its tables and specializations, never repeated here.
"""

from __future__ import annotations

from typing import Any

from cse.model.registry import TypeRegistry


class MissingType(Exception):
    pass


class Names:
    def __init__(self, registry: TypeRegistry) -> None:
        self._registry = registry
        self._cache: dict[str, dict[str, str]] = {}

    def of(self, tpe: str) -> dict[str, str]:
        """Long name -> short name for every attribute of the type ``tpe``."""
        names = self._cache.get(tpe)
        if names is None:
            rtype = self._registry.by_tpe(tpe)
            if rtype is None:
                raise MissingType(f"the CSE knows no resource type {tpe!r} (is its SDT template loaded?)")
            names = self._cache[tpe] = {a.ln: a.sn for a in rtype.attributes.values()}
        return names

    def short(self, tpe: str, values: dict[str, Any]) -> dict[str, Any]:
        """The same values keyed by short names; unknown long names are a programming error."""
        names = self.of(tpe)
        return {names[long]: value for long, value in values.items()}

    def long(self, tpe: str) -> dict[str, str]:
        return {short: long for long, short in self.of(tpe).items()}

    def not_on_create(self, tpe: str) -> set[str]:
        """Short names a Create of ``tpe`` may not carry (status attributes the owner reports)."""
        from cse.model.schema import NP

        rtype = self._registry.by_tpe(tpe)
        return {a.sn for a in rtype.attributes.values() if a.create is NP} if rtype else set()

    def type_named(self, name: str, ty: int) -> str:
        """The type name ('m2m:dvi', 'cod:devLt') of the type or specialization with long name
        ``name`` ('deviceInfo', 'deviceLight'); the common domain wins where several define it."""
        candidates = [t.tpe for t in self._registry.types() if t.ty == ty and t.name == name]
        if not candidates:
            raise MissingType(f"the CSE knows no {name!r} (resource type {ty}); is its SDT template loaded?")
        return sorted(candidates, key=lambda tpe: (not tpe.startswith(("m2m:", "cod:")), tpe))[0]

    def discriminator(self, tpe: str) -> Any:
        """The value that tells this specialization from its siblings (a mgmtObj's mgd)."""
        rtype = self._registry.by_tpe(tpe)
        if rtype is None or rtype.discriminator is None:
            raise MissingType(f"{tpe!r} is not a specialized type")
        return rtype.discriminator_value

    def cnd(self, tpe: str) -> str:
        from cse.model.specializations import lookup

        spec = lookup(self._registry, tpe)
        if spec is None:
            raise MissingType(f"{tpe!r} is not a registered flexContainer specialization")
        return spec.cnd
