"""The management-adapter extension point: how the CSE asks a device's owner to act.

A management adapter (the SDT interworking proxy is one) owns the node resources it created
and everything below them. When an update asks a device to act (a mgmtObj trigger attribute
such as ``rbo`` or ``ud``, or a device-backed flexContainer attribute such as a light's
``state``), the CSE forwards that update, as a request primitive, to the adapter that owns the
resource and answers the originator only once the adapter has answered: the adapter drives the
device before the CSE acknowledges. The adapter later reports progress the way any AE talks to
the CSE: Update requests, with its own originator, on the status attributes (``uds``, ``ins``,
``acts``...), which the CSE accepts from the owning adapter only.

Adapters run in the CSE's process and register under their AE-ID. The primitive-shaped
interface keeps the door open for an adapter in another process reached through its AE's poa.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from cse import timestamps
from cse.errors import RequestError
from cse.model.typecodes import Ty
from cse.primitives import Request, Response
from cse.status import RSC

if TYPE_CHECKING:
    from cse.model.resource import Resource
    from cse.storage.store import ResourceStore


class ManagementAdapter(Protocol):
    async def handle(self, request: Request, resource: "Resource") -> Response:
        """Act on ``request`` (an Update of ``resource``); answer with the outcome.

        A success (2xxx) means the device accepted the action; the CSE then applies the
        update's ordinary attributes. Anything else is returned to the originator as it is.
        """
        ...


class Adapters:
    def __init__(self, store: "ResourceStore", timeout: float = 60.0) -> None:
        self._store = store
        self._by_originator: dict[str, ManagementAdapter] = {}
        # How long a device may take to answer, unless the request expires sooner (rqet).
        self.timeout = timeout

    def _deadline(self, request: Request) -> float:
        if request.rqet:
            remaining = (timestamps.parse_request_time(request.rqet, "rqet") - timestamps.now()).total_seconds()
            return max(min(remaining, self.timeout), 0.0)
        return self.timeout

    def register(self, originator: str, adapter: ManagementAdapter) -> None:
        self._by_originator[originator] = adapter

    def unregister(self, originator: str) -> None:
        self._by_originator.pop(originator, None)

    def adapter_for_originator(self, originator: str) -> ManagementAdapter | None:
        return self._by_originator.get(originator)

    def owner_of(self, resource: "Resource") -> str | None:
        """The originator that owns the device ``resource`` belongs to: the owner of its node,
        or of the resource itself if it is not below a node (a stand-alone flexContainer)."""
        node: Resource | None = resource
        while node is not None and node.ty != Ty.NODE:
            node = self._store.get(node.pi) if node.pi else None
        return (node or resource).owner

    def adapter_for(self, resource: "Resource") -> ManagementAdapter | None:
        owner = self.owner_of(resource)
        return self._by_originator.get(owner) if owner else None

    def is_owner(self, originator: str | None, resource: "Resource") -> bool:
        """Whether ``originator`` is the registered adapter that owns ``resource``."""
        owner = self.owner_of(resource)
        return originator is not None and originator == owner and owner in self._by_originator

    async def forward(self, request: Request, resource: "Resource") -> Response:
        """Have the owning adapter act; without one the device cannot be reached."""
        adapter = self.adapter_for(resource)
        if adapter is None:
            raise RequestError(
                RSC.TARGET_NOT_REACHABLE,
                f"no management adapter serves {resource.ri!r}: the device cannot be reached",
            )
        try:
            response = await asyncio.wait_for(adapter.handle(request, resource), self._deadline(request))
        except asyncio.TimeoutError:
            raise RequestError(
                RSC.REQUEST_TIMEOUT, f"the device behind {resource.ri!r} did not answer in time"
            ) from None
        except RequestError:
            raise
        except Exception as exc:
            raise RequestError(RSC.TARGET_NOT_REACHABLE, f"the management adapter failed: {exc}") from None
        if not response.rsc.is_success:
            message = response.pc.get("m2m:dbg") if isinstance(response.pc, dict) else None
            raise RequestError(response.rsc, message or f"the device refused the action ({int(response.rsc)})")
        return response
