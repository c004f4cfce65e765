"""How much load each run applies: the full measurement, and the quick smoke run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    # Measurements per server and case, alternating baseline and CSE; results are medians.
    rounds: int
    # Requests per measurement, by concurrency: enough for a few seconds per CSE run, so that
    # a scheduling hiccup on a noisy machine is a small part of it and the server's CPU time
    # (counted in 10 ms clock ticks) is precise to about 1%.
    requests: dict[int, int]
    # Requests sent on the same connections before each measurement (pool filled, code warm).
    warmup: int
    concurrencies: tuple[int, ...]
    # Discovery: resources below the discovery root, of which `discovery_matches` carry the label.
    discovery_resources: int
    discovery_matches: int
    # Discoveries per round (sequential; latency, not rate, is the figure).
    discovery_queries: int

    def with_rounds(self, rounds: int | None) -> "Plan":
        return self if rounds is None else dataclasses.replace(self, rounds=rounds)


FULL = Plan(
    name="full",
    rounds=5,
    requests={1: 3000, 32: 15000},
    warmup=500,
    concurrencies=(1, 32),
    discovery_resources=10_000,
    discovery_matches=100,
    discovery_queries=40,
)

# A smoke run (well under 60 s): every scenario and code path once, on a smaller scale.
QUICK = Plan(
    name="quick",
    rounds=1,
    requests={1: 500, 32: 2000},
    warmup=100,
    concurrencies=(1, 32),
    discovery_resources=1_000,
    discovery_matches=10,
    discovery_queries=10,
)
