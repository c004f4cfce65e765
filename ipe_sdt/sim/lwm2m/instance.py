"""One object instance of a simulated device: its resource values and the behaviour behind them.

Subclasses set object_id, fill their values in __init__ and override on_write / execute_<rid>
hooks where a write or an execute does more than store a value. Every change goes through
set(), which tells the device so that observations can notify.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from ipe_sdt.lwm2m import DEFAULT_REGISTRY, ObjectDef, ResourceDef
from ipe_sdt.lwm2m.paths import Path
from ipe_sdt.lwm2m.values import Value

from .errors import not_allowed, not_found

ResourceValue = Value | dict[int, Value]
"""A single resource's value, or {riid: value} for a multiple-instance resource."""


class DeviceHost(Protocol):
    """What object instances may ask of the device they live in."""

    endpoint: str
    lwm2m_version: str

    def changed(self, path: Path) -> None: ...

    def spawn(self, coroutine: Any, name: str) -> None: ...

    def request_reboot(self, reason: str) -> None: ...

    def request_factory_reset(self) -> None: ...

    def request_registration_update(self) -> None: ...

    def request_bootstrap(self) -> None: ...

    async def fetch_package(self, uri: str) -> bytes: ...

    def now(self) -> float: ...


class SimInstance:
    object_id: ClassVar[int]

    def __init__(self, iid: int, host: DeviceHost) -> None:
        self.iid = iid
        self.host = host
        self.values: dict[int, ResourceValue] = {}

    @property
    def definition(self) -> ObjectDef:
        obj = DEFAULT_REGISTRY.get_object(self.object_id)
        assert obj is not None, f"object {self.object_id} has no definition"
        return obj

    def resource_def(self, rid: int) -> ResourceDef | None:
        return self.definition.resource(rid)

    @property
    def path(self) -> Path:
        return (self.object_id, self.iid)

    # --- reading --------------------------------------------------------------------------------

    def present(self) -> list[int]:
        """Resource ids this instance has (stored, computed or executable), in id order."""
        ids = set(self.values)
        for r in self.definition.resources:
            if hasattr(self, f"current_{r.id}") or (r.executable and hasattr(self, f"execute_{r.id}")):
                ids.add(r.id)
        return sorted(ids)

    def get(self, rid: int) -> ResourceValue:
        """The current value; dynamic resources override current_<rid>()."""
        dynamic = getattr(self, f"current_{rid}", None)
        if dynamic is not None:
            return dynamic()
        if rid not in self.values:
            raise not_found(f"/{self.object_id}/{self.iid}/{rid} does not exist")
        return self.values[rid]

    # --- changing -------------------------------------------------------------------------------

    def set(self, rid: int, value: ResourceValue) -> None:
        """A change made by the device itself (sensor, state machine): stored and observable."""
        old = self.values.get(rid)
        self.values[rid] = dict(value) if isinstance(value, Mapping) else value
        if old != self.values[rid]:
            self.host.changed((self.object_id, self.iid, rid))

    def write(self, rid: int, value: ResourceValue, *, replace: bool = True) -> None:
        """A write from a server; value is a dict for a multiple resource.

        replace=False (partial update of a multiple resource) adds or overwrites instances
        instead of replacing the set.
        """
        if not self.on_write(rid, value):
            if isinstance(value, Mapping) and not replace and isinstance(self.values.get(rid), dict):
                merged = dict(self.values[rid])  # type: ignore[arg-type]
                merged.update(value)
                value = merged
            self.set(rid, value)

    def on_write(self, rid: int, value: ResourceValue) -> bool:
        """Hook: True when the subclass handled the write itself (state machines)."""
        return False

    def execute(self, rid: int, args: dict[int, str | None]) -> None:
        handler = getattr(self, f"execute_{rid}", None)
        if handler is None:
            raise not_allowed(f"/{self.object_id}/{self.iid}/{rid} is not executable here")
        handler(args)

    def delete_allowed(self) -> bool:
        return self.definition.multiple_instances

    def reset_after_reboot(self) -> None:
        """Hook: what a restart loses (downloads in progress, timers)."""
