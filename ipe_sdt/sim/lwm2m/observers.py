"""Observations a simulated device serves, and the notification attributes that pace them.

Attributes are written per path (object, instance, resource, resource instance) and inherited
downwards; pmin and pmax default to the server object's Default Minimum / Maximum Period. A
change notifies when it passes the thresholds (crossing gt or lt, or moving by st since the last
notification; any change when none is set), but never sooner than pmin after the last one; pmax
forces a notification when nothing was sent for that long. A sleeping device keeps what it
would have sent and sends it when it wakes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ipe_sdt.lwm2m import Attributes
from ipe_sdt.lwm2m.paths import RESOURCE_DEPTH, Path, is_under

log = logging.getLogger(__name__)

ValueReader = Callable[[Path], Any]


def merge(outer: Attributes, inner: Attributes) -> Attributes:
    """inner's attributes over outer's (a resource's own over its instance's)."""
    updates = {name: value for name, value in inner.to_params().items()}
    if not updates:
        return outer
    return replace(outer, **{name: getattr(inner, name) for name in updates})


class SimObservation:
    def __init__(self, observers: Observers, path: Path, remote: Any, servobs: Any) -> None:
        self.observers = observers
        self.path = path
        self.remote = remote
        self.servobs = servobs
        self.loop = asyncio.get_running_loop()
        self.last_sent = self.loop.time()
        self.last_value = observers.numeric(path)
        self.pending = False
        self._pmin_timer: asyncio.TimerHandle | None = None
        self._pmax_timer: asyncio.TimerHandle | None = None
        self.closed = False
        self._arm_pmax()

    def attributes(self) -> Attributes:
        return self.observers.effective(self.path)

    def _arm_pmax(self) -> None:
        if self._pmax_timer is not None:
            self._pmax_timer.cancel()
            self._pmax_timer = None
        attrs = self.attributes()
        if attrs.pmax and attrs.pmax > 0 and (attrs.pmin is None or attrs.pmax >= attrs.pmin):
            self._pmax_timer = self.loop.call_at(self.last_sent + attrs.pmax, self.send)

    def _passes(self) -> bool:
        attrs = self.attributes()
        if attrs.gt is None and attrs.lt is None and attrs.st is None:
            return True
        value = self.observers.numeric(self.path)
        if value is None or self.last_value is None:
            return True
        last = self.last_value
        crossed_gt = attrs.gt is not None and (last > attrs.gt) != (value > attrs.gt)
        crossed_lt = attrs.lt is not None and (last < attrs.lt) != (value < attrs.lt)
        stepped = attrs.st is not None and abs(value - last) >= attrs.st
        return crossed_gt or crossed_lt or stepped

    def changed(self) -> None:
        if self.closed or not self._passes():
            return
        pmin = self.attributes().pmin or 0
        due = self.last_sent + pmin
        if self.loop.time() >= due:
            self.send()
        elif self._pmin_timer is None:
            self._pmin_timer = self.loop.call_at(due, self.send)

    def send(self) -> None:
        if self.closed:
            return
        if self._pmin_timer is not None:
            self._pmin_timer.cancel()
            self._pmin_timer = None
        if not self.observers.awake():
            self.pending = True
            return
        self.pending = False
        self.last_sent = self.loop.time()
        self.last_value = self.observers.numeric(self.path)
        self.servobs.trigger()
        self._arm_pmax()

    def end(self, *, tell_server: bool) -> None:
        """Stop notifying; tell_server sends a last answer that closes the observation."""
        if self.closed:
            return
        self.close()
        if tell_server:
            self.servobs.trigger(is_last=True)

    def close(self) -> None:
        self.closed = True
        for timer in (self._pmin_timer, self._pmax_timer):
            if timer is not None:
                timer.cancel()
        self._pmin_timer = self._pmax_timer = None


class Observers:
    def __init__(
        self,
        read_numeric: Callable[[Path], float | None],
        default_periods: Callable[[], tuple[int | None, int | None]],
        awake: Callable[[], bool],
    ) -> None:
        self.numeric = read_numeric
        self._default_periods = default_periods
        self.awake = awake
        self.attributes: dict[Path, Attributes] = {}
        self.active: list[SimObservation] = []

    def effective(self, path: Path) -> Attributes:
        pmin, pmax = self._default_periods()
        result = Attributes(pmin=pmin, pmax=pmax)
        for depth in range(1, len(path) + 1):
            own = self.attributes.get(path[:depth])
            if own is not None:
                result = merge(result, own)
        return result

    def write(self, path: Path, attributes: Attributes, unset: frozenset[str]) -> None:
        current = self.attributes.get(path, Attributes())
        values = {name: getattr(current, name) for name in ("pmin", "pmax", "gt", "lt", "st", "epmin", "epmax")}
        for name in unset:
            values[name] = None
        values.update({name: getattr(attributes, name) for name in attributes.to_params()})
        updated = Attributes(**values)  # type: ignore[arg-type]
        gt, lt, st = updated.gt, updated.lt, updated.st
        if gt is not None and lt is not None and not lt < gt:
            raise ValueError("lt must be below gt")
        if gt is not None and lt is not None and st is not None and not lt + 2 * st < gt:
            raise ValueError("lt + 2*st must be below gt")
        if updated.is_empty():
            self.attributes.pop(path, None)
        else:
            self.attributes[path] = updated
        for observation in self.active:
            if is_under(observation.path, path):
                observation._arm_pmax()

    def own(self, path: Path) -> Attributes:
        return self.attributes.get(path, Attributes())

    def add(self, path: Path, remote: Any, servobs: Any) -> SimObservation:
        observation = SimObservation(self, path, remote, servobs)
        self.active.append(observation)

        def cancelled() -> None:
            observation.close()
            if observation in self.active:
                self.active.remove(observation)

        servobs.accept(cancelled)
        return observation

    def cancel(self, remote: Any, path: Path) -> int:
        """The server asked to stop observing path (GET with Observe 1)."""
        matching = [o for o in self.active if o.path == path and o.remote == remote]
        for observation in matching:
            observation.end(tell_server=True)
        return len(matching)

    def changed(self, path: Path) -> None:
        for observation in list(self.active):
            if is_under(path, observation.path) or (len(path) < RESOURCE_DEPTH and is_under(observation.path, path)):
                observation.changed()

    def woke(self) -> None:
        for observation in list(self.active):
            if observation.pending:
                observation.send()

    def clear(self) -> None:
        """The device restarted: its observations are gone (the server must observe again)."""
        for observation in self.active:
            observation.close()
        self.active.clear()
