"""Reading profiles into per-request costs: by area of the code, and by function.

Both readers return a ``Summary`` in µs per measured request, so profiles of runs with
different request counts compare directly.
"""

from __future__ import annotations

import linecache
import pstats
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.servers import REPO

# Source fragments of calls that block: a sample inside one is a thread waiting, not working.
IDLE_CALLS = ("self._selector.poll(", "self._queue.get()", "waiter.acquire()", ".wait(")

# Areas, by the first matching fragment of a frame's file path; order matters.
AREAS: tuple[tuple[str, str], ...] = (
    ("cse/bindings/", "cse HTTP binding"),
    ("cse/storage/", "cse storage (tree in memory, SQLite writer thread)"),
    ("cse/serialization/", "cse serialization"),
    ("cse/core/", "cse core (operations, access, addressing)"),
    ("cse/resources/", "cse resource types"),
    ("cse/", "cse other (timestamps, primitives, ...)"),
    ("sqlite3", "sqlite3 module"),
    ("aiohttp/web", "aiohttp server"),
    ("aiohttp/", "aiohttp other (HTTP parser, streams)"),
    ("multidict", "multidict/yarl"),
    ("yarl", "multidict/yarl"),
    ("asyncio/", "asyncio event loop"),
    ("selectors", "asyncio event loop"),
    ("_strptime", "datetime parsing (strptime)"),
    ("random.py", "secrets/random (resource IDs)"),
    ("<string>", "generated dataclass __init__"),
    ("datetime", "datetime"),
    ("logging/", "logging"),
    ("threading", "threads and queues"),
    ("queue", "threads and queues"),
)


def area_of(location: str) -> str:
    path = location.replace("\\", "/")
    for fragment, area in AREAS:
        if fragment in path:
            return area
    if path.startswith("<built-in") or path == "~" or not path:
        return "builtins (C)"
    return "other Python"


@dataclass
class Summary:
    """Per-request costs: by area (self time) and by function (self and inclusive time)."""

    requests: int
    total_us: float
    areas: list[tuple[str, float]]  # (area, µs per request), descending
    functions: list[tuple[str, float, float]]  # (function, self µs/req, inclusive µs/req)
    note: str
    measure: str = "CPU"

    def render(self, top: int) -> str:
        lines = [self.note, f"total: {self.total_us:,.0f} µs of {self.measure} per request", "",
                 "by area (own time)                                 µs/req   share"]
        for area, cost in self.areas:
            lines.append(f"  {area:<46} {cost:9,.1f}  {cost / self.total_us:6.1%}")
        lines += ["", "top functions by own time                                      own µs/req  incl µs/req"]
        for name, own, inclusive in self.functions[:top]:
            lines.append(f"  {name[:60]:<60} {own:10,.1f}  {inclusive:11,.1f}")
        return "\n".join(lines)


def _short(location: str) -> str:
    """Paths relative to the repository or to site-packages / the standard library."""
    for marker in (str(REPO) + "/", "site-packages/", "/lib/python3.11/", "/lib/python3.12/"):
        if marker in location:
            return location.split(marker, 1)[1]
    return location


def _frame(frame: str) -> tuple[str, str, int]:
    """'function (path:line)' -> (function, path, line)."""
    function, _, location = frame.partition(" (")
    path, _, line = location.rstrip(")").rpartition(":")
    return function, path, int(line) if line.isdigit() else 0


def _is_idle(path: str, line: int) -> bool:
    """A sample whose innermost frame waits (for sockets, a queue, a lock) is not work."""
    source = linecache.getline(path, line).strip()
    return any(call in source for call in IDLE_CALLS)


def summarize_pyspy(raw: Path, requests: int, thread_cpu: dict[int, float], sample_rate: int) -> Summary:
    """Collapsed stacks ('thread (tid): name;frame;frame count' lines) to per-request costs.

    py-spy counts a thread as busy when it is not asleep in a known wait, which includes waits
    for the GIL and for fsync. So each thread's samples are scaled to the CPU time that thread
    really used (``thread_cpu``, seconds, from /proc); samples innermost in epoll or a queue
    wait are idle and left out.
    """
    samples: dict[int, list[tuple[list[tuple[str, str, int]], int]]] = {}
    names: dict[int, str] = {}
    idle = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        parts = stack.split(";")
        if not count_text.isdigit() or not parts[0].startswith("thread ("):
            continue
        tid_text, _, thread_name = parts[0][len("thread ("):].partition("): ")
        frames = [_frame(f) for f in parts[1:] if f]
        if not frames:
            continue
        count = int(count_text)
        if _is_idle(frames[-1][1], frames[-1][2]):
            idle += count
            continue
        tid = int(tid_text) if tid_text.isdigit() else -1
        names[tid] = thread_name
        samples.setdefault(tid, []).append((frames, count))
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    threads = []
    for tid, stacks in samples.items():
        busy = sum(count for _, count in stacks)
        measured = thread_cpu.get(tid)
        # µs of CPU per sample of this thread, per request.
        if measured is not None:
            weight = measured * 1e6 / requests / busy
        else:
            weight = 1e6 / sample_rate / requests
        threads.append(f"{names[tid]} {busy * weight:,.0f} µs/req ({busy:,} samples)")
        for frames, count in stacks:
            labels = [f"{function} ({_short(path)})" for function, path, _ in frames]
            own[labels[-1]] += count * weight
            for label in set(labels):
                inclusive[label] += count * weight
            areas[area_of(frames[-1][1])] += count * weight
    return Summary(
        requests=requests,
        total_us=sum(own.values()),
        areas=areas.most_common(),
        functions=[(n, c, inclusive[n]) for n, c in own.most_common()],
        note=f"py-spy, {sample_rate} samples/s; per thread, samples scaled to the thread's CPU time "
             f"from /proc: {'; '.join(threads)}; {idle:,} idle samples left out",
    )


def summarize_cprofile(path: Path, requests: int) -> Summary:
    """pstats to per-request costs. cProfile's clock is wall time: waits for the GIL count
    against the function that released it (a syscall, a queue hand-off), which makes this the
    view that shows the main thread contending with the SQLite writer thread."""
    stats = pstats.Stats(str(path)).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    own: Counter[str] = Counter()
    inclusive: dict[str, float] = {}
    areas: Counter[str] = Counter()
    for (file, line, function), (_, _, tottime, cumtime, _) in stats.items():
        name = f"{function} ({_short(file)}:{line})" if file != "~" else function
        # The event loop waiting in epoll for the next request is idle time, not work.
        if "of 'select.epoll' objects" in name:
            continue
        own[name] += tottime
        inclusive[name] = max(inclusive.get(name, 0.0), cumtime)
        areas[area_of(file) if file != "~" else _builtin_area(function)] += tottime
    scale = 1e6 / requests
    return Summary(
        requests=requests,
        total_us=sum(own.values()) * scale,
        areas=[(a, t * scale) for a, t in areas.most_common() if t * scale >= 0.05],
        functions=[(n, t * scale, inclusive[n] * scale) for n, t in own.most_common()],
        note="cProfile, main thread only, wall-clock time (GIL waits included, epoll waits left out); "
             "its per-call overhead inflates small functions; set-up and warm-up requests are in the "
             "totals, divided by the measured requests",
        measure="main-thread wall time",
    )


def _builtin_area(function: str) -> str:
    """Area of a C function, by the object or module it belongs to."""
    for fragment, area in (("_socket", "socket send/recv (C)"), ("urandom", "secrets/random (resource IDs)"),
                           ("_queue", "threads and queues"), ("strftime", "datetime"), ("orjson", "cse serialization"),
                           ("sqlite3", "sqlite3 module")):
        if fragment in function:
            return area
    return "builtins (C)"
