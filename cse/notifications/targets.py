"""Where a notificationURI entry leads: a URL as it is, an AE through its pointOfAccess."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cse.model.typecodes import Ty

if TYPE_CHECKING:
    from cse.core.engine import CSE


def is_url(entry: str) -> bool:
    return "://" in entry


def urls(cse: "CSE", entry: str) -> list[str]:
    """The URLs a notification for ``entry`` goes to; empty if it leads nowhere reachable."""
    if is_url(entry):
        return [entry] if cse.outbound.supports(entry) else []
    resource = cse.lookup(entry)
    if resource is None or resource.ty != Ty.AE:
        return []
    return [poa for poa in resource.attrs.get("poa", []) if cse.outbound.supports(poa)]


def is_originator(cse: "CSE", entry: str, originator: str | None) -> bool:
    """Whether ``entry`` names the originator itself (which needs no verification)."""
    if not originator or is_url(entry):
        return False
    origin = cse.access.normalize(originator)
    if cse.access.normalize(entry) == origin:
        return True
    resource = cse.lookup(entry)
    return resource is not None and resource.ty == Ty.AE and resource.attrs.get("aei") == origin
