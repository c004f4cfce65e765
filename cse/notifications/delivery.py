"""Delivering notifications: one ordered queue per target, retries, and an outbox on disk.

Each target URL has its own queue and worker, so a slow or dead target delays only its own
notifications. A notification that cannot be delivered at the first attempt is written to the
outbox table, and so is everything still queued when the CSE stops; a restart resends what the
outbox holds. (A notification delivered at once never touches the disk: writing every one
would double the write load of a subscribed resource for the rare crash within milliseconds of
a change.) A notification is sent again only if the target did not answer the previous attempt.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import orjson

from cse import releases
from cse.core.outbound import TargetUnreachable
from cse.primitives import Operation, Request, Response
from cse.storage.sqlite import Change, OutboxDone, OutboxEntry

if TYPE_CHECKING:
    from cse.core.engine import CSE
    from cse.storage.store import Transaction

log = logging.getLogger("cse.notify")


@dataclass
class Job:
    id: int
    sub: str
    url: str
    payload: dict[str, Any]
    latest: bool
    attempts: int = 0
    # Whether the outbox holds it (it failed once, or was restored from the outbox).
    persisted: bool = False


@dataclass
class TargetQueue:
    url: str
    jobs: deque[Job] = field(default_factory=deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: Job | None = None
    task: asyncio.Task | None = None


# What the delivery reports back per attempt: (subscription, target URL, answered?).
AttemptListener = Callable[[str, str, bool], None]


class Delivery:
    def __init__(
        self,
        cse: "CSE",
        max_queue: int = 1000,
        max_attempts: int = 8,
        timeout: float = 5.0,
        first_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self._cse = cse
        self.max_queue = max_queue
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self._queues: dict[str, TargetQueue] = {}
        self._ids = itertools.count(1)
        self._rqi = itertools.count(1)
        self._pending_writes: set[asyncio.Future] = set()
        self.on_attempt: AttemptListener | None = None

    # -- life cycle ----------------------------------------------------------------------------

    def restore(self, entries: list[OutboxEntry]) -> None:
        """Requeue what the outbox held at start ('queued' entries; batches belong to the manager)."""
        highest = max((e.id for e in entries), default=0)
        self._ids = itertools.count(highest + 1)
        for entry in entries:
            if entry.kind == "queued":
                job = Job(entry.id, entry.sub, entry.target, orjson.loads(entry.payload), entry.latest, persisted=True)
                queue = self._queue(entry.target)
                queue.jobs.append(job)
                queue.wakeup.set()
        if entries:
            log.info("restored %d undelivered notification(s) from the outbox", len(entries))

    async def stop(self) -> None:
        for queue in self._queues.values():
            if queue.task is not None:
                queue.task.cancel()
        for queue in self._queues.values():
            if queue.task is not None:
                try:
                    await queue.task
                except asyncio.CancelledError:
                    pass
        # What is still queued is owed to its targets: keep it for the next start.
        unsaved = [job for queue in self._queues.values() for job in queue.jobs if not job.persisted]
        if unsaved:
            self.persist([_entry(job) for job in unsaved])
            log.info("kept %d undelivered notification(s) in the outbox", len(unsaved))
        if self._pending_writes:
            await asyncio.gather(*self._pending_writes, return_exceptions=True)

    # -- ids and persistence -------------------------------------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def persist(self, changes: list[Change]) -> None:
        """Write outbox changes without making the caller wait; failures are logged."""
        future = self._cse.persistence.submit(changes)
        self._pending_writes.add(future)
        future.add_done_callback(self._written)

    def _written(self, future: asyncio.Future) -> None:
        self._pending_writes.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("could not record notification state: %s", future.exception())

    # -- queueing ------------------------------------------------------------------------------

    def enqueue(self, url: str, sub: str, payload: dict[str, Any], latest: bool, tx: "Transaction | None" = None) -> None:
        """Queue a notification for ``url``; with a transaction, once that is on disk."""
        job = Job(self.next_id(), sub, url, payload, latest)
        if tx is None:
            self._append(job)
        else:
            tx.after_commit(lambda: self._append(job))

    def _append(self, job: Job) -> None:
        queue = self._queue(job.url)
        done: list[Change] = []
        if job.latest:
            # latestNotify: a newer notification replaces those of the same subscription still waiting.
            for old in [j for j in queue.jobs if j.sub == job.sub and j is not queue.in_flight]:
                queue.jobs.remove(old)
                if old.persisted:
                    done.append(OutboxDone(old.id))
        while len(queue.jobs) >= self.max_queue:
            dropped = next((j for j in queue.jobs if j is not queue.in_flight), None)
            if dropped is None:
                break
            queue.jobs.remove(dropped)
            if dropped.persisted:
                done.append(OutboxDone(dropped.id))
            log.warning("queue for %s is full (%d): dropped the oldest notification of %s",
                        job.url, self.max_queue, dropped.sub)
        if done:
            self.persist(done)
        queue.jobs.append(job)
        queue.wakeup.set()

    def _queue(self, url: str) -> TargetQueue:
        queue = self._queues.get(url)
        if queue is None:
            queue = self._queues[url] = TargetQueue(url)
            queue.task = asyncio.create_task(self._work(queue), name=f"notify {url}")
        return queue

    # -- sending -------------------------------------------------------------------------------

    async def send_now(self, url: str, payload: dict[str, Any]) -> Response:
        """Send one notification and wait for the answer (verification, blocking update)."""
        return await self._cse.outbound.send(url, self._request(url, payload), self.timeout)

    def _request(self, url: str, payload: dict[str, Any]) -> Request:
        return Request(
            op=Operation.NOTIFY, to=url, fr=self._cse.settings.cse_id,
            rqi=f"notify-{next(self._rqi)}", rvi=releases.LATEST, pc=payload,
        )

    async def _work(self, queue: TargetQueue) -> None:
        while True:
            if not queue.jobs:
                queue.wakeup.clear()
                await queue.wakeup.wait()
                continue
            job = queue.jobs[0]
            queue.in_flight = job
            done = await self._attempt(job)
            queue.in_flight = None
            if done:
                if queue.jobs and queue.jobs[0] is job:
                    queue.jobs.popleft()
                if job.persisted:
                    self.persist([OutboxDone(job.id)])
            else:
                if not job.persisted:
                    # It will wait for the target: from now on it must survive a restart.
                    job.persisted = True
                    self.persist([_entry(job)])
                delay = min(self.first_backoff * 2 ** (job.attempts - 1), self.max_backoff)
                await asyncio.sleep(delay)

    async def _attempt(self, job: Job) -> bool:
        """True when the job is finished (acknowledged, refused or given up)."""
        job.attempts += 1
        try:
            response = await self.send_now(job.url, job.payload)
        except TargetUnreachable as exc:
            self._report(job, answered=False)
            if job.attempts >= self.max_attempts:
                log.warning("giving up on a notification of %s to %s after %d attempts: %s",
                            job.sub, job.url, job.attempts, exc)
                return True
            log.info("notification of %s to %s failed (attempt %d): %s", job.sub, job.url, job.attempts, exc)
            return False
        except Exception:
            log.exception("notification of %s to %s could not be sent", job.sub, job.url)
            return True
        self._report(job, answered=True)
        if not response.rsc.is_success:
            # The target answered: it refused. Sending it again would not change its mind.
            log.warning("notification target %s refused a notification of %s with %d", job.url, job.sub, response.rsc)
        return True

    def _report(self, job: Job, answered: bool) -> None:
        if self.on_attempt is not None:
            self.on_attempt(job.sub, job.url, answered)


def _entry(job: Job) -> OutboxEntry:
    return OutboxEntry(job.id, "queued", job.sub, job.url, orjson.dumps(job.payload), job.latest)
