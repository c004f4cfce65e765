"""Which events notify whom: subscriptions, their criteria and policies.

The manager listens to resource events. For each subscription of the changed resource (or of
its parent, for child events) it checks eventNotificationCriteria, builds the notification in
the requested content type, counts it against expirationCounter, and passes it through the
subscription's rate limit and batching to the delivery.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from cse.core import representation
from cse.core.filters import Matcher
from cse.errors import RequestError
from cse.model import duration
from cse.model.resource import Resource
from cse.model.typecodes import Ty
from cse.notifications import content, targets
from cse.notifications.delivery import Delivery
from cse.primitives import FilterCriteria, Operation, Request
from cse.releases import LATEST
from cse.resources.subscription import NCT, NET
from cse.status import RSC
from cse.storage.sqlite import OutboxDone, OutboxEntry
from cse.storage.store import Transaction

if TYPE_CHECKING:
    from cse.core.engine import CSE

log = logging.getLogger("cse.notify")



@dataclass
class Batch:
    entries: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (outbox id, notification)
    timer: asyncio.TimerHandle | None = None


@dataclass
class RateWindow:
    started: float = 0.0
    sent: int = 0
    held: list[dict[str, Any]] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


class NotificationManager:
    def __init__(self, cse: "CSE") -> None:
        self._cse = cse
        settings = cse.settings
        self.delivery = Delivery(cse, max_queue=settings.notification_queue_limit,
                                 max_attempts=settings.notification_attempts, timeout=settings.notification_timeout)
        self.delivery.on_attempt = self._count_attempt
        self._by_parent: dict[str, dict[str, Resource]] = {}
        self._sent: dict[str, int] = {}
        self._batches: dict[str, Batch] = {}
        self._windows: dict[str, RateWindow] = {}
        self._commits: set[asyncio.Task] = set()
        self._matchers: dict[str, tuple[dict[str, Any], Matcher]] = {}

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        for resource, _ in self._cse.store.descendants(self._cse.settings.cse_ri):
            if resource.ty == Ty.SUB:
                self._index(resource)
        entries = list(self._cse.persistence.outbox())
        self.delivery.restore(entries)
        for entry in entries:
            if entry.kind == "batch":
                sub = self._cse.store.get(entry.sub)
                if sub is None:
                    self.delivery.persist([OutboxDone(entry.id)])
                    continue
                self._add_to_batch(sub, orjson.loads(entry.payload), entry.id)
        self._cse.events.add_listener(self)

    async def stop(self) -> None:
        for batch in self._batches.values():
            if batch.timer:
                batch.timer.cancel()
        for window in self._windows.values():
            if window.timer:
                window.timer.cancel()
        if self._commits:
            await asyncio.gather(*self._commits, return_exceptions=True)
        await self.delivery.stop()

    def _index(self, sub: Resource) -> None:
        self._by_parent.setdefault(sub.pi, {})[sub.ri] = sub

    def _unindex(self, sub: Resource) -> None:
        subs = self._by_parent.get(sub.pi)
        if subs is not None:
            subs.pop(sub.ri, None)
            if not subs:
                del self._by_parent[sub.pi]

    def subscriptions_of(self, ri: str) -> list[Resource]:
        return list(self._by_parent.get(ri, {}).values())

    # -- resource events -----------------------------------------------------------------------

    def created(self, resource: Resource, request: Request, tx: Transaction) -> None:
        if resource.ty == Ty.SUB:
            self._index(resource)
        for sub in self.subscriptions_of(resource.pi or ""):
            if sub is not resource:
                self._event(tx, sub, NET.CREATE_CHILD, resource)

    def updated(self, resource: Resource, changes: dict[str, Any], request: Request, tx: Transaction) -> None:
        if resource.ty == Ty.SUB:
            self._index(resource)
        for sub in self.subscriptions_of(resource.ri):
            atr = (sub.attrs.get("enc") or {}).get("atr")
            if atr and not set(atr) & changes.keys():
                continue
            self._event(tx, sub, NET.UPDATE, resource, changes)

    def deleted(self, resource: Resource, request: Request, tx: Transaction) -> None:
        for sub in self.subscriptions_of(resource.ri):
            self._event(tx, sub, NET.DELETE, resource)
        parent = self._cse.store.get(resource.pi) if resource.pi else None
        if parent is not None:
            for sub in self.subscriptions_of(parent.ri):
                if sub is not resource:
                    self._event(tx, sub, NET.DELETE_CHILD, resource)
        if resource.ty == Ty.SUB:
            self._subscription_gone(tx, resource)

    def retrieved_nothing(self, container: Resource) -> None:
        """A Retrieve of a container's latest or oldest instance found none (net 5)."""
        subs = self.subscriptions_of(container.ri)
        if not subs:
            return
        with self._cse.store.transaction() as tx:
            for sub in subs:
                self._event(tx, sub, NET.RETRIEVE_NO_CHILD, container)
        self._background(tx.commit())

    def _subscription_gone(self, tx: Transaction, sub: Resource) -> None:
        self._unindex(sub)
        self._flush_batch(sub, tx)
        window = self._windows.pop(sub.ri, None)
        if window is not None and window.timer:
            window.timer.cancel()
        self._sent.pop(sub.ri, None)
        self._matchers.pop(sub.ri, None)
        subscriber = sub.attrs.get("su")
        if subscriber:
            for url in targets.urls(self._cse, subscriber):
                self.delivery.enqueue(url, sub.ri, content.deletion(self._sur(sub)), latest=False, tx=tx)

    # -- one event, one subscription -----------------------------------------------------------

    def _event(self, tx: Transaction, sub: Resource, net: int, resource: Resource, changes: dict[str, Any] | None = None) -> None:
        enc = sub.attrs.get("enc") or {}
        if net not in enc.get("net", [NET.UPDATE]):
            return
        if net in (NET.CREATE_CHILD, NET.DELETE_CHILD) and enc.get("chty") and resource.ty not in enc["chty"]:
            return
        if not self._criteria(sub, enc)(resource):
            return
        notification = content.event(self._sur(sub), net, self._representation(sub, net, resource, changes))
        if sub.attrs.get("nse"):
            self._count_event(tx, sub)
        self._admit(sub, notification, tx)
        limit = sub.attrs.get("exc")
        if limit is not None:
            self._sent[sub.ri] = self._sent.get(sub.ri, 0) + 1
            if self._sent[sub.ri] >= limit:
                # The counter is spent: the subscription ends (with its deletion notification).
                tx.after_commit(lambda: self._background(self._expire(sub)))

    def _criteria(self, sub: Resource, enc: dict[str, Any]) -> Matcher:
        """The subscription's compiled event criteria, rebuilt only when its enc changes."""
        cached = self._matchers.get(sub.ri)
        if cached is None or cached[0] is not enc:
            cached = self._matchers[sub.ri] = (enc, _criteria(enc))
        return cached[1]

    def _representation(self, sub: Resource, net: int, resource: Resource, changes: dict[str, Any] | None) -> Any:
        nct = sub.attrs.get("nct", NCT.ALL_ATTRIBUTES)
        if nct == NCT.RESOURCE_ID:
            return {"m2m:uri": resource.ri}
        if nct == NCT.MODIFIED_ATTRIBUTES and net == NET.UPDATE and changes is not None:
            modified = {name: resource.attrs.get(name) for name in changes}
            return {self._cse.tpe_of(resource): modified}
        return representation.wrapped(self._cse, resource, LATEST)

    def _sur(self, sub: Resource) -> str:
        return self._cse.addressing.structured_id(sub)

    async def _expire(self, sub: Resource) -> None:
        if self._cse.store.get(sub.ri) is not sub:
            return
        request = Request(Operation.DELETE, to=sub.ri, fr=self._cse.settings.admin, rqi="exc")
        from cse.core import operations

        with self._cse.store.transaction() as tx:
            operations.delete_subtree(self._cse, tx, sub, request)
            self._cse.events.publish(tx, request)
        await tx.commit()

    # -- rate limit and batching ---------------------------------------------------------------

    def _admit(self, sub: Resource, notification: dict[str, Any], tx: Transaction) -> None:
        """Apply the rate limit (rl): at most mnn notifications per window tww, the rest held.

        Held notifications live in memory only: a restart forgets what a rate limit held back.
        """
        rl = sub.attrs.get("rl")
        if not rl:
            self._collect(sub, notification, tx)
            return
        window = self._windows.setdefault(sub.ri, RateWindow())
        now = time.monotonic()
        length = duration.seconds(rl["tww"])
        if now - window.started >= length:
            window.started, window.sent = now, 0
        if window.sent < rl["mnn"] and not window.held:
            window.sent += 1
            self._collect(sub, notification, tx)
            return
        if sub.attrs.get("ln"):
            window.held = [notification]
        else:
            window.held.append(notification)
        if window.timer is None:
            wait = max(length - (now - window.started), 0.0)
            window.timer = asyncio.get_running_loop().call_later(wait, self._next_window, sub.ri)

    def _next_window(self, ri: str) -> None:
        window = self._windows.get(ri)
        sub = self._cse.store.get(ri)
        if window is None or sub is None:
            return
        window.timer = None
        rl = sub.attrs.get("rl") or {"mnn": len(window.held), "tww": 0}
        window.started, window.sent = time.monotonic(), 0
        while window.held and window.sent < rl["mnn"]:
            window.sent += 1
            self._collect(sub, window.held.pop(0), None)
        if window.held:
            window.timer = asyncio.get_running_loop().call_later(duration.seconds(rl["tww"]), self._next_window, ri)

    def _collect(self, sub: Resource, notification: dict[str, Any], tx: Transaction | None) -> None:
        """Batch (bn) or send at once."""
        if not sub.attrs.get("bn"):
            self._send(sub, notification, tx)
            return
        entry_id = self.delivery.next_id()
        entry = OutboxEntry(entry_id, "batch", sub.ri, "", orjson.dumps(notification), False)
        if tx is None:
            self.delivery.persist([entry])
            self._add_to_batch(sub, notification, entry_id)
        else:
            # The batch entry is durable with the change that caused it; a crash cannot lose it.
            tx.add_changes([entry])
            tx.after_commit(lambda: self._add_to_batch(sub, notification, entry_id))

    def _add_to_batch(self, sub: Resource, notification: dict[str, Any], entry_id: int) -> None:
        batch = self._batches.setdefault(sub.ri, Batch())
        if sub.attrs.get("ln") and batch.entries:
            self.delivery.persist([OutboxDone(old_id) for old_id, _ in batch.entries])
            batch.entries.clear()
        batch.entries.append((entry_id, notification))
        bn = sub.attrs.get("bn") or {}
        if len(batch.entries) >= bn.get("num", 1):
            self._flush_batch(sub)
        elif batch.timer is None and "dur" in bn:
            batch.timer = asyncio.get_running_loop().call_later(duration.seconds(bn["dur"]), self._flush_by_ri, sub.ri)

    def _flush_by_ri(self, ri: str) -> None:
        sub = self._cse.store.get(ri)
        batch = self._batches.get(ri)
        if batch is not None:
            batch.timer = None
        if sub is not None:
            self._flush_batch(sub)

    def _flush_batch(self, sub: Resource, tx: Transaction | None = None) -> None:
        batch = self._batches.pop(sub.ri, None)
        if batch is None or not batch.entries:
            return
        if batch.timer:
            batch.timer.cancel()
        done = [OutboxDone(entry_id) for entry_id, _ in batch.entries]
        if tx is None:
            self.delivery.persist(done)
        else:
            tx.add_changes(done)
        self._send(sub, content.aggregate([n for _, n in batch.entries]), tx)

    def _send(self, sub: Resource, payload: dict[str, Any], tx: Transaction | None) -> None:
        reached = False
        for entry in sub.attrs.get("nu", []):
            for url in targets.urls(self._cse, entry):
                reached = True
                self.delivery.enqueue(url, sub.ri, payload, latest=bool(sub.attrs.get("ln")), tx=tx)
        if not reached:
            log.warning("subscription %s has no reachable notification target", sub.ri)

    # -- verification and blocking update ------------------------------------------------------

    async def verify(self, sur: str, originator: str | None, entries: list[str]) -> None:
        """Send a verification request to each target that is not the subscriber itself."""
        for entry in entries:
            if targets.is_originator(self._cse, entry, originator):
                continue
            urls = targets.urls(self._cse, entry)
            if not urls:
                raise RequestError(
                    RSC.SUBSCRIPTION_VERIFICATION_INITIATION_FAILED,
                    f"notification target {entry!r} has no reachable address",
                )
            for url in urls:
                try:
                    response = await self.delivery.send_now(url, content.verification(sur, originator))
                except Exception as exc:
                    raise RequestError(
                        RSC.SUBSCRIPTION_VERIFICATION_INITIATION_FAILED,
                        f"notification target {url} did not answer the verification request: {exc}",
                    ) from None
                if not response.rsc.is_success:
                    raise RequestError(
                        RSC.SUBSCRIPTION_VERIFICATION_INITIATION_FAILED,
                        f"notification target {url} refused the verification request ({int(response.rsc)})",
                    )

    async def before_update(self, resource: Resource, changes: dict[str, Any]) -> None:
        """Blocking update (net 7): the target must agree before the update is applied."""
        for sub in self.subscriptions_of(resource.ri):
            if NET.BLOCKING_UPDATE not in (sub.attrs.get("enc") or {}).get("net", []):
                continue
            payload = content.event(self._sur(sub), NET.BLOCKING_UPDATE, {self._cse.tpe_of(resource): changes})
            for entry in sub.attrs.get("nu", []):
                for url in targets.urls(self._cse, entry):
                    try:
                        response = await self.delivery.send_now(url, payload)
                    except Exception as exc:
                        raise RequestError(RSC.TARGET_NOT_REACHABLE, f"the blocking-update target {url} did not answer: {exc}") from None
                    if not response.rsc.is_success:
                        raise RequestError(
                            RSC.OPERATION_DENIED_BY_REMOTE_ENTITY,
                            f"the blocking-update target {url} refused the update ({int(response.rsc)})",
                        )

    # -- statistics (nse / nsi, release 4) -----------------------------------------------------

    def _count_event(self, tx: Transaction, sub: Resource) -> None:
        for entry in sub.attrs.get("nu", []):
            for url in targets.urls(self._cse, entry):
                self._bump_stats(tx, sub, url, "noec")

    def _count_attempt(self, sub_ri: str, url: str, answered: bool) -> None:
        sub = self._cse.store.get(sub_ri)
        if sub is None or not sub.attrs.get("nse"):
            return
        with self._cse.store.transaction() as tx:
            self._bump_stats(tx, sub, url, "rqs", "rsr" if answered else None)
        # Statistics are bookkeeping: nothing waits for them to reach the disk.
        self._background(tx.commit())

    def _bump_stats(self, tx: Transaction, sub: Resource, target: str, *counters: str | None) -> None:
        stats = [dict(entry) for entry in sub.attrs.get("nsi", [])]
        entry = next((e for e in stats if e["tg"] == target), None)
        if entry is None:
            entry = {"tg": target, "rqs": 0, "rsr": 0, "noec": 0}
            stats.append(entry)
        for counter in counters:
            if counter:
                entry[counter] += 1
        tx.replace_attrs(sub, {**sub.attrs, "nsi": stats})

    def _background(self, work) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._commits.add(task)
        task.add_done_callback(self._commits.discard)


def _criteria(enc: dict[str, Any]) -> Matcher:
    conditions = {key: enc[key] for key in ("crb", "cra", "ms", "us", "sts", "stb", "exb", "exa", "sza", "szb") if key in enc}
    return Matcher(FilterCriteria(**conditions, fo=enc.get("fo", 1)))
