"""Side-by-side measurements: the same requests against the baseline and the CSE, alternating.

The machine is small and noisy, so one measurement of each proves little. Every case runs in
``plan.rounds`` rounds; in each round the baseline and the CSE are measured back to back, the
order flipping from round to round so that a slow phase of the machine hurts both alike. The
reported ratio is the median of the per-round ratios: each compares two runs taken moments apart.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass, field
from typing import Any, Literal

from bench import cpu
from bench.load import FactoryBuilder, LoadResult, client, closed_loop, percentile
from bench.plan import Plan
from bench.servers import ServerError, ServerProcess

# A short pause between measurements lets the previous server's last writes and the OS settle.
SETTLE_SECONDS = 0.3
# CPU times come in 10 ms clock ticks: below this window they say nothing, and are left out.
MIN_CPU_WINDOW = 0.5


@dataclass
class Context:
    cse: ServerProcess
    baseline: ServerProcess
    plan: Plan


@dataclass(frozen=True)
class Sample:
    """One measurement of one server."""

    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    # Server CPU (all threads) per request: less sensitive to noise than the rate.
    server_cpu_us: float | None
    # Share of one core the bench process (the load generator) used during the measurement.
    client_cpu: float
    # Cores' worth of CPU everything else on the machine used meanwhile: the noise.
    other_cpu: float | None

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class Target:
    metric: Literal["ratio", "median_ms"]
    bound: Literal[">=", "<="]
    value: float

    def met(self, figure: float) -> bool:
        return figure >= self.value if self.bound == ">=" else figure <= self.value

    def __str__(self) -> str:
        sign = "≥" if self.bound == ">=" else "≤"
        return f"{sign} {self.value:.0%}" if self.metric == "ratio" else f"{sign} {self.value:g} ms"


@dataclass
class Result:
    scenario: str
    label: str
    concurrency: int
    kind: Literal["throughput", "latency"]
    baseline: list[Sample]
    cse: list[Sample]
    target: Target | None = None
    # Latency cases: every single latency over all rounds, in seconds, to take a true median.
    baseline_latencies: list[float] = field(default_factory=list, repr=False)
    cse_latencies: list[float] = field(default_factory=list, repr=False)
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def baseline_rate(self) -> float:
        return statistics.median(s.rate for s in self.baseline)

    @property
    def cse_rate(self) -> float:
        return statistics.median(s.rate for s in self.cse)

    @property
    def ratios(self) -> list[float]:
        return [c.rate / b.rate for b, c in zip(self.baseline, self.cse)]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def cpu_ratios(self) -> list[float]:
        return [b.server_cpu_us / c.server_cpu_us for b, c in zip(self.baseline, self.cse)
                if b.server_cpu_us and c.server_cpu_us]

    @property
    def cpu_ratio(self) -> float | None:
        """Baseline server CPU per request / CSE server CPU per request, median over rounds.

        The rate ratio the CSE would reach if neither server shared its core with the load
        generator: on two cores the client can be the bottleneck, which flatters the rate ratio.
        """
        ratios = self.cpu_ratios
        return statistics.median(ratios) if ratios else None

    @property
    def baseline_median_ms(self) -> float:
        return percentile(self.baseline_latencies, 0.5) * 1000.0

    @property
    def cse_median_ms(self) -> float:
        return percentile(self.cse_latencies, 0.5) * 1000.0

    @property
    def figure(self) -> float:
        """The number the target is about."""
        return self.ratio if self.kind == "throughput" else self.cse_median_ms

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.figure)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "scenario": self.scenario,
            "label": self.label,
            "concurrency": self.concurrency,
            "kind": self.kind,
            "baseline_rate": self.baseline_rate,
            "cse_rate": self.cse_rate,
            "ratio": self.ratio,
            "round_ratios": self.ratios,
            "cpu_ratio": self.cpu_ratio,
            "round_cpu_ratios": self.cpu_ratios,
            "target": None if self.target is None else str(self.target),
            "met": self.met,
            "baseline": [s.to_json() for s in self.baseline],
            "cse": [s.to_json() for s in self.cse],
            "notes": self.notes,
        }
        if self.kind == "latency":
            data["baseline_median_ms"] = self.baseline_median_ms
            data["cse_median_ms"] = self.cse_median_ms
            data["cse_p90_ms"] = percentile(self.cse_latencies, 0.9) * 1000.0
        return data


async def measure(server: ServerProcess, factory_for: FactoryBuilder, requests: int, concurrency: int,
                  warmup: int) -> tuple[Sample, LoadResult]:
    """Warm up, then time ``requests`` requests, on one pool of ``concurrency`` connections."""
    factory = factory_for(server.url)
    async with client(concurrency) as session:
        await closed_loop(session, factory, warmup, concurrency)
        busy_before, cpu_before = cpu.machine_busy_seconds(), server.cpu_seconds()
        load = await closed_loop(session, factory, requests, concurrency)
        busy_after, cpu_after = cpu.machine_busy_seconds(), server.cpu_seconds()
    if not server.alive():
        raise ServerError(f"{server.name} died during the measurement:\n{server.log_tail()}")
    server_cpu = other_cpu = None
    if cpu_before is not None and cpu_after is not None and load.seconds >= MIN_CPU_WINDOW:
        server_cpu = (cpu_after - cpu_before) / requests * 1e6
        if busy_before is not None and busy_after is not None:
            others = (busy_after - busy_before) - (cpu_after - cpu_before) - load.client_cpu_seconds
            other_cpu = max(0.0, others / load.seconds)
    sample = Sample(
        requests=requests,
        seconds=load.seconds,
        rate=load.rate,
        p50_ms=load.percentile_ms(0.5),
        p90_ms=load.percentile_ms(0.9),
        p99_ms=load.percentile_ms(0.99),
        server_cpu_us=server_cpu,
        client_cpu=load.client_cpu_seconds / load.seconds,
        other_cpu=other_cpu,
    )
    await asyncio.sleep(SETTLE_SECONDS)
    return sample, load


async def compare(ctx: Context, scenario: str, label: str, factory_for: FactoryBuilder, concurrency: int,
                  requests: int, kind: Literal["throughput", "latency"] = "throughput",
                  target: Target | None = None, warmup: int | None = None) -> Result:
    """Measure baseline and CSE in alternating order for ``ctx.plan.rounds`` rounds."""
    result = Result(scenario, label, concurrency, kind, [], [], target)
    warmup = ctx.plan.warmup if warmup is None else warmup
    for round_number in range(ctx.plan.rounds):
        pair = [("baseline", ctx.baseline), ("cse", ctx.cse)]
        if round_number % 2:
            pair.reverse()
        for which, server in pair:
            sample, load = await measure(server, factory_for, requests, concurrency, warmup)
            getattr(result, which).append(sample)
            if kind == "latency":
                getattr(result, f"{which}_latencies").extend(load.latencies)
    return result
