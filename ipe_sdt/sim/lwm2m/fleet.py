"""Many simulated devices in one process: each with its own aiocoap context and UDP socket.

One context per device is what lets every device behave as a separate host: requests to a
device must reach the socket it registered from, and each device's observations, retransmissions
and sleep are its own. Measured on a 2-CPU machine (bench/lwm2m_bench.py): 1,000 devices take
about 20 MiB and have all registered 1.3 s after power-on; 3,000 take 57 MiB and 3.6 s.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from .client import SimulatedDevice, State
from .settings import DeviceSettings

log = logging.getLogger(__name__)


class Fleet:
    def __init__(self, devices: Iterable[SimulatedDevice]) -> None:
        self.devices = list(devices)
        self.started_at: float | None = None

    @classmethod
    def build(cls, count: int, template: DeviceSettings, prefix: str) -> Fleet:
        """count devices named prefix00000, prefix00001, ... otherwise set up like template."""
        if count < 1:
            raise ValueError("a fleet has at least one device")
        width = max(5, len(str(count - 1)))
        seed = template.seed or 0
        return cls(
            SimulatedDevice(replace(template, endpoint=f"{prefix}{i:0{width}d}", seed=seed + i)) for i in range(count)
        )

    def __len__(self) -> int:
        return len(self.devices)

    def by_endpoint(self, endpoint: str) -> SimulatedDevice | None:
        return next((d for d in self.devices if d.endpoint == endpoint), None)

    async def start(self) -> None:
        self.started_at = time.perf_counter()
        for device in self.devices:
            await device.start()

    def registered(self) -> int:
        return sum(1 for d in self.devices if d.state is State.REGISTERED)

    def states(self) -> Counter[str]:
        return Counter(d.state.value for d in self.devices)

    async def wait_registered(self, timeout: float) -> float | None:
        """Seconds from start() until every device had registered once, or None on timeout."""
        try:
            await asyncio.wait_for(asyncio.gather(*(d.wait_registered() for d in self.devices)), timeout)
        except asyncio.TimeoutError:
            return None
        assert self.started_at is not None
        return time.perf_counter() - self.started_at

    async def stop(self, *, deregister: bool = True, timeout: float = 15.0) -> None:
        """Stop every device; the De-registers run in parallel and are bounded by timeout."""
        tasks = [asyncio.ensure_future(d.stop(deregister=deregister)) for d in self.devices]
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
            # Those that did not finish in time still have sockets: close them without a word.
            await asyncio.gather(*(d.stop(deregister=False) for d in self.devices if d.state is not State.STOPPED),
                                 return_exceptions=True)
        for task in done:
            if task.exception() is not None:
                log.warning("stopping a simulated device failed: %s", task.exception())
