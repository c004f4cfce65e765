"""Filter criteria matching (TS-0004 clause 6.3.5.8, filterCriteria conditions)."""

from __future__ import annotations

import fnmatch
from typing import Any, Callable

from cse.model.resource import Resource
from cse.primitives import FilterCriteria


def _conditions(fc: FilterCriteria) -> list[Callable[[dict[str, Any], int], bool]]:
    """One predicate per condition present; values in a condition's list are alternatives."""
    checks: list[Callable[[dict[str, Any], int], bool]] = []
    if fc.ty:
        types = set(fc.ty)
        checks.append(lambda a, ty: ty in types)
    if fc.lbl:
        wanted = set(fc.lbl)
        checks.append(lambda a, ty: not wanted.isdisjoint(a.get("lbl") or ()))
    if fc.crb is not None:
        checks.append(lambda a, ty: a.get("ct", "") < fc.crb)
    if fc.cra is not None:
        checks.append(lambda a, ty: a.get("ct", "") > fc.cra)
    if fc.ms is not None:
        checks.append(lambda a, ty: a.get("lt", "") > fc.ms)
    if fc.us is not None:
        checks.append(lambda a, ty: a.get("lt", "") < fc.us)
    if fc.sts is not None:
        checks.append(lambda a, ty: "st" in a and a["st"] < fc.sts)
    if fc.stb is not None:
        checks.append(lambda a, ty: "st" in a and a["st"] > fc.stb)
    if fc.exb is not None:
        checks.append(lambda a, ty: "et" in a and a["et"] < fc.exb)
    if fc.exa is not None:
        checks.append(lambda a, ty: "et" in a and a["et"] > fc.exa)
    if fc.sza is not None:
        checks.append(lambda a, ty: "cs" in a and a["cs"] >= fc.sza)
    if fc.szb is not None:
        checks.append(lambda a, ty: "cs" in a and a["cs"] < fc.szb)
    if fc.cty:
        media = set(fc.cty)
        checks.append(lambda a, ty: "cnf" in a and a["cnf"].split(":", 1)[0] in media)
    for name, expected in fc.atr.items():
        checks.append(_attribute_check(name, expected))
    return checks


def _attribute_check(name: str, expected: Any) -> Callable[[dict[str, Any], int], bool]:
    def check(attrs: dict[str, Any], ty: int) -> bool:
        if name not in attrs:
            return False
        value = attrs[name]
        if isinstance(value, list):
            return any(_equal(entry, expected) for entry in value)
        return _equal(value, expected)

    return check


def _equal(value: Any, expected: Any) -> bool:
    # Query parameters arrive as text: compare in the stored value's own terms.
    if isinstance(expected, str) and not isinstance(value, str):
        if isinstance(value, bool):
            return expected in (("true", "1") if value else ("false", "0"))
        return str(value) == expected
    if isinstance(expected, str) and "*" in expected:
        return fnmatch.fnmatchcase(value, expected)
    return value == expected


class Matcher:
    """A compiled filter: call it with a resource; True when the filter criteria hold."""

    def __init__(self, fc: FilterCriteria) -> None:
        self._checks = _conditions(fc)
        self._any = fc.fo == 2

    def __call__(self, resource: Resource) -> bool:
        if not self._checks:
            return True
        attrs, ty = resource.attrs, resource.ty
        if self._any:
            return any(check(attrs, ty) for check in self._checks)
        return all(check(attrs, ty) for check in self._checks)
