"""The CSE core: takes request primitives, answers with response primitives.

Bindings (HTTP, CoAP, ...) and in-process callers (the IPE) talk to the core only through
``CSE.handle``; nothing here knows about wire formats.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from cse import releases, timestamps
from cse.config import Settings
from cse.core import operations, retrieval
from cse.core.access import AccessControl
from cse.core.adapters import Adapters
from cse.core.addressing import Addressing
from cse.core.events import ResourceEvents
from cse.core.outbound import Outbound
from cse.errors import RequestError, bad_request
from cse.model.registry import TypeRegistry
from cse.model.resource import Resource
from cse.model.typecodes import Ty
from cse.primitives import FilterUsage, Operation, Request, Response, ResponseType
from cse.notifications.manager import NotificationManager
from cse.resources.catalog import ALL_TYPES
from cse.status import RSC, for_release
from cse.storage.sqlite import SqlitePersistence
from cse.storage.store import ResourceStore

log = logging.getLogger("cse.core")

CSE_TYPE_IN = 1
# A deferred operation keeps its connection open; beyond this it is not worth holding.
MAX_EXECUTION_DELAY = 300


class CSE:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = TypeRegistry(ALL_TYPES)
        self.persistence = SqlitePersistence(settings.db)
        self.store = ResourceStore(self.persistence)
        self.access = AccessControl(settings, self.store, self.lookup)
        self.addressing = Addressing(settings, self.store, self.registry)
        self.events = ResourceEvents()
        self.outbound = Outbound()
        self.notifications = NotificationManager(self)
        self.adapters = Adapters(self.store)
        self.points_of_access: list[str] = []
        self._expiry_task: asyncio.Task | None = None

    # -- life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        count = self.store.load()
        self.persistence.start()
        await self._ensure_cse_base()
        self.notifications.start()
        log.info("resource tree loaded: %d resources from %s", count, self.settings.db)
        self._expiry_task = asyncio.create_task(self._expire_forever(), name="expiry")

    async def stop(self) -> None:
        if self._expiry_task is not None:
            self._expiry_task.cancel()
            try:
                await self._expiry_task
            except asyncio.CancelledError:
                pass
            self._expiry_task = None
        await self.notifications.stop()
        await self.outbound.close()
        self.persistence.close()

    async def _ensure_cse_base(self) -> None:
        """Create the CSEBase on first start; afterwards keep it in line with the settings."""
        s = self.settings
        wanted = {
            "rn": s.cse_name,
            "csi": s.cse_id,
            "cst": CSE_TYPE_IN,
            "srt": self.registry.supported(),
            "poa": self.points_of_access,
            "csz": ["application/json", "application/cbor", "application/xml"],
            "srv": list(releases.SUPPORTED),
        }
        existing = self.store.get(s.cse_ri)
        with self.store.transaction() as tx:
            if existing is None:
                created = timestamps.format_ts(timestamps.now())
                attrs = {"ty": Ty.CSEBASE.value, "ri": s.cse_ri, "rn": s.cse_name, "ct": created, "lt": created}
                attrs.update(wanted)
                tx.insert(Resource(s.cse_ri, Ty.CSEBASE, None, "", attrs, owner=s.admin))
            elif any(existing.attrs.get(k) != v for k, v in wanted.items()) or existing.owner != s.admin:
                existing.owner = s.admin
                tx.replace_attrs(existing, {**existing.attrs, **wanted})
        await tx.commit()

    async def _expire_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.expiry_interval)
            try:
                await self.expire(time.time())
            except Exception:
                log.exception("expiration sweep failed")

    async def expire(self, moment: float) -> int:
        """Delete every resource whose expiration time has passed, with its subtree."""
        due = self.store.expired(moment)
        if not due:
            return 0
        request = Request(Operation.DELETE, to="", fr=self.settings.admin, rqi="expiry")
        with self.store.transaction() as tx:
            for resource in due:
                if self.store.get(resource.ri) is resource:
                    operations.delete_subtree(self, tx, resource, request)
            self.events.publish(tx, request)
        await tx.commit()
        log.info("expired %d resource(s)", len(due))
        return len(due)

    # -- requests ------------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        try:
            response = await self._dispatch(request)
        except RequestError as error:
            response = self._error(request, error.rsc, error.message)
        except Exception:
            log.exception("request %s failed unexpectedly", request.rqi)
            response = self._error(request, RSC.INTERNAL_SERVER_ERROR, "internal error; see the CSE log")
        response.rvi = request.rvi if request.rvi in releases.SUPPORTED else releases.LATEST
        response.ot = timestamps.format_ts(timestamps.now())
        return response

    def _error(self, request: Request, rsc: RSC, message: str) -> Response:
        return Response(for_release(rsc, request.rvi), request.rqi, pc={"m2m:dbg": message})

    async def _dispatch(self, request: Request) -> Response:
        releases.check(request.rvi)
        if not request.rqi:
            raise bad_request("the request identifier (rqi) is missing")
        if not request.fr and not (request.op == Operation.CREATE and request.ty == Ty.AE):
            raise bad_request("the originator (fr) is missing")
        if request.rt in (ResponseType.NON_BLOCKING_SYNCH, ResponseType.NON_BLOCKING_ASYNCH):
            raise RequestError(
                RSC.NON_BLOCKING_SYNCH_REQUEST_NOT_SUPPORTED,
                "non-blocking requests (rt=1, rt=2) are not supported; send a blocking request (rt=3)",
            )
        await self._respect_timing(request)
        target = self.addressing.resolve(request.to)
        if target.virtual is not None:
            rtype = self.registry.of(target.resource)
            return await rtype.behaviour.handle_virtual(self, request, target)
        resource = target.resource
        op = request.op
        if op == Operation.CREATE:
            return await operations.create(self, request, resource)
        if op == Operation.RETRIEVE:
            if request.fc.fu == FilterUsage.DISCOVERY:
                return retrieval.discover(self, request, resource)
            return await retrieval.retrieve(self, request, resource)
        if op == Operation.UPDATE:
            return await operations.update(self, request, resource)
        if op == Operation.DELETE:
            if resource.ty == Ty.CSEBASE:
                raise RequestError(RSC.OPERATION_NOT_ALLOWED, "the CSEBase cannot be deleted")
            return await operations.delete(self, request, resource)
        raise RequestError(RSC.OPERATION_NOT_ALLOWED, f"{op.name} is not supported on {resource.ri!r}")

    async def _respect_timing(self, request: Request) -> None:
        """Request expiration (rqet) and operation execution time (oet), TS-0004 clause 7.3.2.1."""
        now = timestamps.now()
        deadline = timestamps.parse_request_time(request.rqet, "rqet") if request.rqet else None
        if deadline is not None and deadline <= now:
            raise RequestError(RSC.REQUEST_TIMEOUT, f"the request expired at {timestamps.format_ts(deadline)}")
        if not request.oet:
            return
        when = timestamps.parse_request_time(request.oet, "oet")
        if deadline is not None and when > deadline:
            raise RequestError(RSC.REQUEST_TIMEOUT, "the operation execution time is after the request expiration")
        delay = (when - now).total_seconds()
        if delay > MAX_EXECUTION_DELAY:
            raise bad_request(f"oet: execution may be deferred by at most {MAX_EXECUTION_DELAY} seconds")
        if delay > 0:
            await asyncio.sleep(delay)

    # -- helpers shared by the operations --------------------------------------------------------

    def lookup(self, address: str) -> Resource | None:
        """The resource an ID or address names, or None."""
        try:
            target = self.addressing.resolve(address)
        except RequestError:
            return None
        return None if target.virtual else target.resource

    def tpe_of(self, resource: Resource) -> str:
        rtype = self.registry.of(resource)
        return rtype.tpe if rtype else f"m2m:ty{resource.ty}"

    def check_references(self, attrs: dict[str, Any]) -> None:
        """Policy references (acpi; a group's macp) must name existing accessControlPolicies."""
        for name in ("acpi", "macp"):
            for acp_id in attrs.get(name) or ():
                acp = self.lookup(acp_id)
                if acp is None or acp.ty != Ty.ACP:
                    raise bad_request(f"attribute {name}: {acp_id!r} is not an accessControlPolicy")
