"""A closed-loop HTTP load generator: ``concurrency`` workers, each sending its next request as
soon as its previous one is answered, until a fixed number of requests is done.

A fixed count (not a duration) keeps every run bounded and the work comparable between the
baseline and the CSE. The client is aiohttp with a keep-alive pool of exactly ``concurrency``
connections, so each worker keeps one connection and no time goes to connecting.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator

import aiohttp
from yarl import URL


@dataclass(frozen=True, slots=True)
class HttpCall:
    method: str
    url: URL
    headers: Mapping[str, str]
    body: bytes | None = None
    expect: int = 200


# Builds the i-th request of a run; called once per request, so it must be cheap.
RequestFactory = Callable[[int], HttpCall]
# Builds the request factory of a scenario for one server, from that server's base URL.
FactoryBuilder = Callable[[str], RequestFactory]


class LoadError(RuntimeError):
    """A request got an unexpected answer: the measurement would be meaningless."""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float]  # seconds, one per request, in request order
    client_cpu_seconds: float  # CPU the bench process used meanwhile (load generator overhead)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000.0


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; the median of an even count is the mean of the middle two."""
    if not values:
        return float("nan")
    if fraction == 0.5:
        return statistics.median(values)
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[rank]


@asynccontextmanager
async def client(concurrency: int) -> AsyncIterator[aiohttp.ClientSession]:
    """A session whose pool holds at most ``concurrency`` keep-alive connections."""
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False) as session:
        yield session


async def send(session: aiohttp.ClientSession, call: HttpCall) -> bytes:
    """One request; raises LoadError unless the status is the expected one."""
    async with session.request(call.method, call.url, headers=call.headers, data=call.body) as response:
        body = await response.read()
        if response.status != call.expect:
            raise LoadError(
                f"{call.method} {call.url} answered {response.status} "
                f"(RSC {response.headers.get('X-M2M-RSC')}), expected {call.expect}: {body[:300]!r}"
            )
        return body


async def closed_loop(
    session: aiohttp.ClientSession, factory: RequestFactory, requests: int, concurrency: int
) -> LoadResult:
    """Send ``requests`` requests from ``concurrency`` workers; fails on the first bad answer."""
    latencies = [0.0] * requests
    # All workers share one counter; the event loop is single-threaded, so no lock is needed.
    indices = itertools.count()
    clock = time.perf_counter

    async def worker() -> None:
        for index in indices:
            if index >= requests:
                return
            call = factory(index)
            started = clock()
            await send(session, call)
            latencies[index] = clock() - started

    cpu_before = time.process_time()
    started = clock()
    workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, requests))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    seconds = clock() - started
    return LoadResult(requests, concurrency, seconds, latencies, time.process_time() - cpu_before)
