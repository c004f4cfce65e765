"""CPU accounting from /proc (Linux): per process, and for the whole machine.

Used to tell how much work a server does per request, independent of how fast the load
generator and the other tenants of the machine let it go, and how busy the machine was with
other work during a measurement (the noise the interleaving has to cope with).
"""

from __future__ import annotations

import os
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_seconds(path: Path) -> float | None:
    try:
        stat = path.read_text()
    except OSError:
        return None
    # Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def process_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process so far (all its threads), or None if unknown."""
    return _stat_seconds(Path(f"/proc/{pid}/stat"))


def machine_busy_seconds() -> float | None:
    """CPU time all processors spent on anything but idling and waiting for I/O, or None."""
    try:
        with open("/proc/stat") as stat:
            first = stat.readline().split()
    except OSError:
        return None
    # cpu user nice system idle iowait irq softirq steal ...: steal counts as busy, since
    # it is time the hypervisor gave to someone else.
    values = [int(v) for v in first[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / _CLOCK_TICKS


def thread_seconds(pid: int) -> dict[int, float]:
    """CPU time so far of each thread of a process, by OS thread ID (empty if unknown)."""
    result: dict[int, float] = {}
    try:
        tids = [int(name) for name in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return result
    for tid in tids:
        seconds = _stat_seconds(Path(f"/proc/{pid}/task/{tid}/stat"))
        if seconds is not None:
            result[tid] = seconds
    return result
