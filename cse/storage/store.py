"""The resource tree in memory, kept consistent with its SQLite copy through transactions.

All reads are served from memory. A request changes the tree inside one ``Transaction``: the
changes apply to memory at once (so the request sees its own writes and no other request runs
in between, as all of this happens on the event loop without awaiting), are undone if the
request fails, and are handed to SQLite as one unit when the request commits. The request
answers only after ``commit`` returns, i.e. after the data is on disk.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from typing import Callable, Iterable, Iterator

import orjson

from cse import timestamps
from cse.model.resource import Resource
from cse.storage.sqlite import Change, PersistenceError, Row, SqlitePersistence

log = logging.getLogger("cse.storage")


class ResourceStore:
    def __init__(self, persistence: SqlitePersistence) -> None:
        self._persistence = persistence
        self._by_ri: dict[str, Resource] = {}
        self._by_srn: dict[str, str] = {}
        self._children: dict[str, dict[str, None]] = {}
        self._seq: dict[str, int] = {}
        self._counter = itertools.count()
        # (expiry time, ri); stale entries are skipped when popped. _expires_at holds the
        # current expiry of each resource, so that the heap only grows when an et changes.
        self._expiry: list[tuple[float, str]] = []
        self._expires_at: dict[str, float] = {}
        # label -> resource IDs, so that discovery by label need not scan the tree.
        self._by_label: dict[str, set[str]] = {}

    # -- loading -----------------------------------------------------------------------------

    def load(self) -> int:
        self._by_ri.clear()
        self._by_srn.clear()
        self._children.clear()
        self._seq.clear()
        self._expiry.clear()
        self._expires_at.clear()
        self._by_label.clear()
        for row in self._persistence.rows():
            attrs = orjson.loads(row.doc)
            self._index(Resource(row.ri, row.ty, row.pi, row.srn, attrs, row.owner))
        return len(self._by_ri)

    # -- reads -------------------------------------------------------------------------------

    def get(self, ri: str) -> Resource | None:
        return self._by_ri.get(ri)

    def by_srn(self, srn: str) -> Resource | None:
        ri = self._by_srn.get(srn)
        return None if ri is None else self._by_ri[ri]

    def children(self, ri: str) -> Iterator[Resource]:
        """Direct children, oldest first."""
        for child in self._children.get(ri, ()):
            yield self._by_ri[child]

    def children_reversed(self, ri: str) -> Iterator[Resource]:
        for child in reversed(self._children.get(ri, {})):
            yield self._by_ri[child]

    def descendants(self, ri: str) -> Iterator[tuple[Resource, int]]:
        """Every resource below ``ri`` with its depth (1 for children), depth-first, oldest first."""
        stack: list[tuple[Iterator[str], int]] = [(iter(list(self._children.get(ri, ()))), 1)]
        while stack:
            iterator, depth = stack[-1]
            child = next(iterator, None)
            if child is None:
                stack.pop()
                continue
            resource = self._by_ri.get(child)
            if resource is None:
                continue
            yield resource, depth
            if child in self._children:
                stack.append((iter(list(self._children[child])), depth + 1))

    def labelled(self, labels: list[str]) -> set[str]:
        """IDs of the resources that carry any of ``labels``."""
        found: set[str] = set()
        for label in labels:
            found |= self._by_label.get(label, set())
        return found

    def sequence(self, ri: str) -> int:
        """The creation order of a resource among all (children are listed in this order)."""
        return self._seq[ri]

    def __len__(self) -> int:
        return len(self._by_ri)

    def expired(self, moment: float) -> list[Resource]:
        """Resources whose expiration time has passed, removed from the expiry queue."""
        due: list[Resource] = []
        while self._expiry and self._expiry[0][0] <= moment:
            when, ri = heapq.heappop(self._expiry)
            resource = self._by_ri.get(ri)
            if resource is not None and self._expires_at.get(ri) == when:
                due.append(resource)
        return due

    # -- writes ------------------------------------------------------------------------------

    def transaction(self) -> "Transaction":
        return Transaction(self)

    def _index(self, resource: Resource, seq: int | None = None) -> None:
        self._by_ri[resource.ri] = resource
        self._by_srn[resource.srn] = resource.ri
        self._seq[resource.ri] = next(self._counter) if seq is None else seq
        if resource.pi is not None:
            self._children.setdefault(resource.pi, {})[resource.ri] = None
        self._relabel(resource.ri, (), resource.attrs.get("lbl") or ())
        self._schedule_expiry(resource)

    def _unindex(self, resource: Resource) -> int:
        del self._by_ri[resource.ri]
        self._by_srn.pop(resource.srn, None)
        self._expires_at.pop(resource.ri, None)
        self._relabel(resource.ri, resource.attrs.get("lbl") or (), ())
        if resource.pi is not None:
            siblings = self._children.get(resource.pi)
            if siblings is not None:
                siblings.pop(resource.ri, None)
                if not siblings:
                    del self._children[resource.pi]
        return self._seq.pop(resource.ri)

    def _restore_order(self, pi: str | None) -> None:
        if pi is None or pi not in self._children:
            return
        ordered = sorted(self._children[pi], key=self._seq.__getitem__)
        self._children[pi] = dict.fromkeys(ordered)

    def _relabel(self, ri: str, old: Iterable[str], new: Iterable[str]) -> None:
        if old is new or (not old and not new):
            return  # the common case: no labels, or the same list carried over by an update
        old, new = set(old), set(new)
        for label in old - new:
            holders = self._by_label.get(label)
            if holders is not None:
                holders.discard(ri)
                if not holders:
                    del self._by_label[label]
        for label in new - old:
            self._by_label.setdefault(label, set()).add(ri)

    def _schedule_expiry(self, resource: Resource) -> None:
        when = _expiry_of(resource)
        if when == self._expires_at.get(resource.ri):
            return
        if when is None:
            self._expires_at.pop(resource.ri, None)
        else:
            self._expires_at[resource.ri] = when
            heapq.heappush(self._expiry, (when, resource.ri))

    async def _persist(self, changes: list[Change]) -> None:
        try:
            await self._persistence.submit(changes)
        except PersistenceError:
            # Memory ran ahead of a write that did not reach the disk: the disk is the truth.
            log.error("reloading the resource tree from the database after a failed write")
            self.load()
            raise


def _expiry_of(resource: Resource) -> float | None:
    et = resource.attrs.get("et")
    if not et:
        return None
    try:
        return timestamps.parse(et).timestamp()
    except ValueError:
        return None


class Transaction:
    """Changes to the tree made by one request; see the module docstring."""

    def __init__(self, store: ResourceStore) -> None:
        self._store = store
        self._touched: dict[str, Resource] = {}
        # Undo actions, newest last: ("insert", resource) | ("replace", resource, old attrs)
        # | ("delete", resource, seq).
        self._undo: list[tuple] = []
        self._done = False
        # What the transaction added and removed, in order, for the resource events.
        self.inserted: list[Resource] = []
        self.deleted: list[Resource] = []
        # Rows of other tables that must be durable together with this change (the
        # notification outbox), and what to do in memory once they are.
        self._extra: list[Change] = []
        self._after: list[Callable[[], None]] = []

    def add_changes(self, changes: list[Change]) -> None:
        self._extra.extend(changes)

    def after_commit(self, action: Callable[[], None]) -> None:
        self._after.append(action)

    def insert(self, resource: Resource) -> None:
        if resource.ri in self._store._by_ri:
            raise KeyError(f"resource {resource.ri} already exists")
        self._store._index(resource)
        self._undo.append(("insert", resource))
        self._touched[resource.ri] = resource
        self.inserted.append(resource)

    def replace_attrs(self, resource: Resource, attrs: dict) -> None:
        self._undo.append(("replace", resource, resource.attrs))
        self._store._relabel(resource.ri, resource.attrs.get("lbl") or (), attrs.get("lbl") or ())
        resource.attrs = attrs
        self._store._schedule_expiry(resource)
        self._touched[resource.ri] = resource

    def delete(self, resource: Resource) -> None:
        seq = self._store._unindex(resource)
        self._undo.append(("delete", resource, seq))
        self._touched[resource.ri] = resource
        self.deleted.append(resource)

    def rollback(self) -> None:
        if self._done:
            return
        self._done = True
        store = self._store
        for entry in reversed(self._undo):
            kind, resource = entry[0], entry[1]
            if kind == "insert":
                store._unindex(resource)
            elif kind == "replace":
                store._relabel(resource.ri, resource.attrs.get("lbl") or (), entry[2].get("lbl") or ())
                resource.attrs = entry[2]
                store._schedule_expiry(resource)
            else:
                store._index(resource, seq=entry[2])
                store._restore_order(resource.pi)

    async def commit(self) -> None:
        """Make the changes durable; returns once they are on disk."""
        if self._done:
            return
        self._done = True
        store = self._store
        changes: list[Change] = []
        for ri, resource in self._touched.items():
            if store._by_ri.get(ri) is resource:
                changes.append(
                    Row(ri, resource.pi, resource.ty, resource.srn, resource.owner, orjson.dumps(resource.attrs))
                )
            else:
                changes.append(ri)
        changes.extend(self._extra)
        if changes:
            await store._persist(changes)
        for action in self._after:
            try:
                action()
            except Exception:
                log.exception("an after-commit action failed")

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.rollback()
