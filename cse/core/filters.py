"""Filter criteria matching (TS-0004 clause 6.3.5.8, filterCriteria conditions).

The matching conditions follow TS-0004 table 7.3.3.17.0-1: the "after", "since", "bigger" and
"above" bounds are inclusive (createdAfter <= creationTime, modifiedSince <= lastModifiedTime,
stateTagBigger <= stateTag, expireAfter <= expirationTime, sizeAbove <= contentSize), the
"before", "unmodified", "smaller" and "below" bounds exclusive. Several values of one condition
tag (ty, lbl, cty, and all attribute conditions together) are alternatives; different tags are
combined by filterOperation, AND by default.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Callable

from cse.errors import bad_request
from cse.model.resource import Resource
from cse.primitives import FilterCriteria

Check = Callable[[dict[str, Any], int], bool]

# TS-0004 clause 7.3.3.17.9: these attributes have their own conditions and "shall not be used"
# as attribute conditions.
_NOT_ATTRIBUTE_CONDITIONS = frozenset({"ct", "lt", "st", "et", "lbl", "ty", "cs", "cnf"})


def check(fc: FilterCriteria) -> None:
    """Reject filter criteria that TS-0004 does not allow, before anything is evaluated."""
    misused = sorted(_NOT_ATTRIBUTE_CONDITIONS & fc.atr.keys())
    if misused:
        raise bad_request(
            f"attribute(s) {', '.join(misused)} cannot be used as attribute filter conditions; "
            "use their own conditions (cra/crb, ms/us, sts/stb, exa/exb, lbl, ty, sza/szb, cty)"
        )


def _range_checks(fc: FilterCriteria) -> list[Check]:
    """The bounded conditions on ct, lt, st, et and cs."""
    bounds = (
        ("ct", fc.cra, fc.crb),
        ("lt", fc.ms, fc.us),
        ("st", fc.stb, fc.sts),
        ("et", fc.exa, fc.exb),
        ("cs", fc.sza, fc.szb),
    )
    checks: list[Check] = []
    for name, low, high in bounds:
        if low is not None:
            checks.append(lambda a, ty, n=name, v=low: n in a and a[n] >= v)
        if high is not None:
            checks.append(lambda a, ty, n=name, v=high: n in a and a[n] < v)
    return checks


def _conditions(fc: FilterCriteria) -> list[Check]:
    """One predicate per condition present; values in a condition's list are alternatives."""
    checks: list[Check] = []
    if fc.ty:
        types = set(fc.ty)
        checks.append(lambda a, ty: ty in types)
    if fc.lbl:
        wanted = set(fc.lbl)
        checks.append(lambda a, ty: not wanted.isdisjoint(a.get("lbl") or ()))
    checks.extend(_range_checks(fc))
    if fc.cty:
        media = set(fc.cty)
        checks.append(lambda a, ty: "cnf" in a and a["cnf"].split(":", 1)[0] in media)
    if fc.atr:
        alternatives = [_attribute_check(name, expected) for name, expected in fc.atr.items()]
        checks.append(lambda a, ty: any(alternative(a) for alternative in alternatives))
    return checks


def _attribute_check(name: str, expected: Any) -> Callable[[dict[str, Any]], bool]:
    def matches(attrs: dict[str, Any]) -> bool:
        if name not in attrs:
            return False
        value = attrs[name]
        if isinstance(value, list):
            return any(_equal(entry, expected) for entry in value)
        return _equal(value, expected)

    return matches


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
            return any(condition(attrs, ty) for condition in self._checks)
        return all(condition(attrs, ty) for condition in self._checks)
