"""SQLite persistence with group commit.

One thread owns the write connection. Requests hand it batches of row changes; it commits
everything queued so far in one transaction (WAL, synchronous=FULL) and only then resolves the
requests' futures. So an acknowledged write is on disk, and 32 concurrent creates cost one fsync
rather than 32.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

log = logging.getLogger("cse.storage")

SCHEMA_VERSION = "1"


@dataclass(slots=True)
class Row:
    ri: str
    pi: str | None
    ty: int
    srn: str
    owner: str | None
    doc: bytes


@dataclass(slots=True)
class OutboxEntry:
    """A notification not yet delivered ('queued' for a target) or waiting in a batch ('batch')."""

    id: int
    kind: str
    sub: str
    target: str
    payload: bytes
    latest: bool


@dataclass(slots=True)
class OutboxDone:
    id: int


# A change is a row to upsert, the resource ID of a row to delete, or an outbox change.
Change = Row | str | OutboxEntry | OutboxDone


class PersistenceError(Exception):
    pass


class SqlitePersistence:
    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS resources (
                ri TEXT PRIMARY KEY,
                pi TEXT,
                ty INTEGER NOT NULL,
                srn TEXT NOT NULL,
                owner TEXT,
                doc BLOB NOT NULL
            );
            CREATE INDEX IF NOT EXISTS resources_pi ON resources(pi);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS outbox (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                sub TEXT NOT NULL,
                target TEXT NOT NULL,
                payload BLOB NOT NULL,
                latest INTEGER NOT NULL
            );
            """
        )
        found = self._conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if found is None:
            self._conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif found[0] != SCHEMA_VERSION:
            raise PersistenceError(f"database {path} has schema {found[0]}, expected {SCHEMA_VERSION}")
        # Items handed to the writer: the submissions of one event-loop iteration.
        self._queue: queue.SimpleQueue[tuple[list[tuple[list[Change], asyncio.Future]], asyncio.AbstractEventLoop] | None]
        self._queue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pending: list[tuple[list[Change], asyncio.Future]] = []
        self._flush_scheduled = False

    def rows(self) -> Iterator[Row]:
        """Every stored resource in creation order (rowid order survives upserts)."""
        cursor = self._conn.execute("SELECT ri, pi, ty, srn, owner, doc FROM resources ORDER BY rowid")
        for ri, pi, ty, srn, owner, doc in cursor:
            yield Row(ri, pi, ty, srn, owner, doc)

    def outbox(self) -> Iterator[OutboxEntry]:
        cursor = self._conn.execute("SELECT id, kind, sub, target, payload, latest FROM outbox ORDER BY id")
        for id_, kind, sub, target, payload, latest in cursor:
            yield OutboxEntry(id_, kind, sub, target, payload, bool(latest))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, changes: list[Change]) -> asyncio.Future:
        """Queue changes for the next commit; the future resolves once they are on disk."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((changes, future))
        if not self._flush_scheduled:
            # One hand-off to the writer thread per event-loop iteration, not per request.
            self._flush_scheduled = True
            loop.call_soon(self._flush, loop)
        return future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self._flush_scheduled = False
        batch, self._pending = self._pending, []
        if batch:
            self._queue.put((batch, loop))

    def close(self) -> None:
        if self._pending:
            try:
                self._flush(asyncio.get_running_loop())
            except RuntimeError:
                pass  # no loop any more: nobody waits for those futures
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._conn.close()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            items = [first]
            stop = False
            while len(items) < 64:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                items.append(item)
            error = self._write([changes for batch, _ in items for changes, _ in batch])
            for batch, loop in items:
                try:
                    loop.call_soon_threadsafe(_resolve, [future for _, future in batch], error)
                except RuntimeError:
                    pass  # the loop has closed; nobody waits any more
            if stop:
                return

    def _write(self, change_lists: list[list[Change]]) -> Exception | None:
        # The changes reflect the in-memory state in order, so the last change of each row is
        # the one that counts: a container updated by 32 creates is written once.
        rows: dict[str, Row | None] = {}
        outbox: dict[int, OutboxEntry | None] = {}
        for changes in change_lists:
            for change in changes:
                if isinstance(change, str):
                    rows[change] = None
                elif isinstance(change, Row):
                    rows[change.ri] = change
                elif isinstance(change, OutboxEntry):
                    outbox[change.id] = change
                else:
                    outbox[change.id] = None
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("DELETE FROM resources WHERE ri=?", [(ri,) for ri, row in rows.items() if row is None])
            conn.executemany(
                "INSERT INTO resources (ri, pi, ty, srn, owner, doc) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(ri) DO UPDATE SET pi=excluded.pi, ty=excluded.ty, "
                "srn=excluded.srn, owner=excluded.owner, doc=excluded.doc",
                [(r.ri, r.pi, r.ty, r.srn, r.owner, r.doc) for r in rows.values() if r is not None],
            )
            conn.executemany("DELETE FROM outbox WHERE id=?", [(i,) for i, e in outbox.items() if e is None])
            conn.executemany(
                "INSERT OR REPLACE INTO outbox VALUES (?,?,?,?,?,?)",
                [(e.id, e.kind, e.sub, e.target, e.payload, int(e.latest)) for e in outbox.values() if e is not None],
            )
            conn.execute("COMMIT")
            return None
        except sqlite3.Error as exc:
            log.error("database write failed: %s", exc)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            return PersistenceError(str(exc))


def _resolve(futures: list[asyncio.Future], error: Exception | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
