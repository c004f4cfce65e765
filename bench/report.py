"""Presenting a run: the machine it ran on, a readable table, and the results as JSON."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp

from bench.measure import Result
from bench.plan import Plan
from bench.servers import REPO

RESULTS_DIR = REPO / "bench" / "results"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _filesystem(path: Path) -> str:
    """The file system type holding ``path`` (durable writes cost what its fsync costs)."""
    best, kind = "", "unknown"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    resolved = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and resolved.startswith(parts[1]) and len(parts[1]) > len(best):
            best, kind = parts[1], parts[2]
    return kind


def cpu_pressure() -> float | None:
    """Share of the last minute in which some runnable task waited for a CPU (Linux PSI)."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    fields = dict(part.split("=") for part in line.split()[1:])
    return float(fields["avg60"]) / 100.0 if "avg60" in fields else None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def machine(db_dir: Path) -> dict[str, Any]:
    cse_changed = _git("status", "--porcelain", "--", "cse")
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": _cpu_model(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "aiohttp": aiohttp.__version__,
        "sqlite": sqlite3.sqlite_version,
        "db_filesystem": _filesystem(db_dir),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "cpu_pressure_avg60": cpu_pressure(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "cse_uncommitted_changes": bool(cse_changed) if cse_changed is not None else None,
    }


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _met(result: Result) -> str:
    return {None: "", True: "yes", False: "NO"}[result.met]


def table(results: list[Result]) -> str:
    """Main figures, then the details that explain them."""
    header = ("case", "conc", "unit", "baseline", "CSE", "CSE/baseline", "target", "met", "CPU ratio")
    rows: list[tuple[str, ...]] = [header]
    for r in results:
        if r.kind == "throughput":
            rows.append((r.label, str(r.concurrency), "req/s", _number(r.baseline_rate), _number(r.cse_rate),
                         f"{r.ratio:.0%}", str(r.target or ""), _met(r), _percent(r.cpu_ratio)))
        else:
            rows.append((r.label, str(r.concurrency), "median ms", f"{r.baseline_median_ms:.2f}",
                         f"{r.cse_median_ms:.2f}", "", str(r.target or ""), _met(r), ""))
    details_header = ("case", "conc", "server", "per round", "p50 ms", "p99 ms", "server CPU µs/req", "client CPU",
                      "other load")
    details: list[tuple[str, ...]] = [details_header]
    for r in results:
        for name, samples in (("baseline", r.baseline), ("CSE", r.cse)):
            per_round = " ".join(_number(s.rate) for s in samples) + " req/s"
            middle = sorted(samples, key=lambda s: s.rate)[len(samples) // 2]
            cpu = f"{middle.server_cpu_us:,.0f}" if middle.server_cpu_us is not None else "n/a"
            other = f"{middle.other_cpu:.2f} cores" if middle.other_cpu is not None else "n/a"
            details.append((r.label, str(r.concurrency), name, per_round, f"{middle.p50_ms:.2f}",
                            f"{middle.p99_ms:.2f}", cpu, f"{middle.client_cpu:.0%}", other))
    legend = ("CSE/baseline: median of the per-round rate ratios. CPU ratio: baseline server CPU per request"
              " / CSE server CPU per request (the rate ratio without the shared-core load generator).")
    return _format(rows) + "\n" + legend + "\n\nDetails (latency and CPU of the median round):\n" + _format(details)


def _format(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) if i == 0 else cell.rjust(width) for i, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def document(plan: Plan, results: list[Result], machine_info: dict[str, Any], command: list[str],
             seconds: float) -> dict[str, Any]:
    return {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "plan": plan.__dict__ | {"requests": {str(k): v for k, v in plan.requests.items()}},
        "machine": machine_info,
        "seconds": seconds,
        "results": [r.to_json() for r in results],
    }


def default_json_path() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS_DIR / f"bench-{stamp}.json"
