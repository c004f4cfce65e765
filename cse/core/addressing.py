"""Resolving the 'to' parameter (TS-0001 clause 9.3.1, TS-0004 clause 6.2.3).

Accepted forms, structured or unstructured each:
  CSE-relative  'cse-in/myAE/myCnt'   or 'cnt123'
  SP-relative   '/id-in/cse-in/myAE'  or '/id-in/cnt123'
  absolute      '//sp.example/id-in/cse-in/myAE'
In structured paths '-' may stand for the CSEBase name. A trailing virtual child name (such as
'la') is returned separately for the target's type to interpret.
"""

from __future__ import annotations

from dataclasses import dataclass

from cse.config import Settings
from cse.errors import RequestError, not_found
from cse.model.registry import TypeRegistry
from cse.model.resource import Resource
from cse.status import RSC
from cse.storage.store import ResourceStore


@dataclass(frozen=True)
class Target:
    resource: Resource
    # A virtual child name ('la', 'ol', 'fopt') and, for fanOutPoint, the path after it.
    virtual: str | None = None
    rest: str = ""


class Addressing:
    def __init__(self, settings: Settings, store: ResourceStore, registry: TypeRegistry) -> None:
        self._settings = settings
        self._store = store
        self._registry = registry
        self._sp = settings.sp_id[2:]
        self._cse = settings.cse_ri

    def resolve(self, to: str) -> Target:
        path = self._cse_relative(to)
        if not path:
            raise not_found(f"no resource at {to!r}")
        segments = path.split("/")
        if segments[0] in (self._settings.cse_name, "-"):
            return self._structured(to, segments[1:])
        resource = self._store.get(segments[0])
        if resource is None:
            raise not_found(f"no resource with ID {segments[0]!r}")
        # An unstructured ID may be followed by structured names below it ('cnt123/la').
        return self._walk(to, resource, segments[1:])

    def _cse_relative(self, to: str) -> str:
        if to.startswith("//"):
            sp, _, rest = to[2:].partition("/")
            if sp != self._sp:
                raise RequestError(RSC.NOT_FOUND, f"SP-ID {sp!r} is not this service provider's ({self._sp!r})")
            to = "/" + rest
        if to.startswith("/"):
            cse, _, rest = to[1:].partition("/")
            if cse != self._cse:
                raise RequestError(RSC.NOT_FOUND, f"CSE-ID /{cse} is not this CSE's ({self._settings.cse_id})")
            return rest or self._settings.cse_name
        return to.strip("/") if to.endswith("/") else to

    def _structured(self, to: str, names: list[str]) -> Target:
        return self._walk(to, self._store.get(self._cse), names)

    def _walk(self, to: str, resource: Resource, names: list[str]) -> Target:
        """Follow structured names below ``resource``; the common case is one dictionary lookup."""
        names = [n for n in names if n]
        if not names:
            return Target(resource)
        base = resource.srn + "/" if resource.srn else ""
        found = self._store.by_srn(base + "/".join(names))
        if found is not None:
            return Target(found)
        # Not a plain path: look for a virtual child on the way ('cnt/la', 'grp/fopt/a/b').
        current = resource
        for index, name in enumerate(names):
            if self._is_virtual(current, name):
                return Target(current, name, "/".join(names[index + 1:]))
            child = self._store.by_srn((current.srn + "/" if current.srn else "") + name)
            if child is None:
                break
            current = child
        raise not_found(f"no resource at {to!r}")

    def _is_virtual(self, parent: Resource, name: str) -> bool:
        rtype = self._registry.of(parent)
        return rtype is not None and name in rtype.virtual_children

    def structured_id(self, resource: Resource) -> str:
        """CSE-relative structured address: 'cse-in/myAE/myCnt'."""
        name = self._settings.cse_name
        return f"{name}/{resource.srn}" if resource.srn else name
