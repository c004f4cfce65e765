"""Starting the measured servers in their own processes, waiting for their port, stopping them.

Each server is a separate OS process so that it gets its own interpreter (and GIL) and the
load generator in the bench process does not steal its event loop. Only loopback addresses
are used.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Sequence

from bench import cpu

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent


class ServerError(RuntimeError):
    """A server did not start, or died; the message carries the tail of its log."""


def free_port() -> int:
    """A port that was free a moment ago (the server binds it right after)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# Attempts at starting a server on a fresh port when the one picked was taken meanwhile
# (other programs on the machine may grab it between free_port() and the server's bind).
START_ATTEMPTS = 4


@dataclass
class ServerProcess:
    name: str
    # The command line, given the port to listen on.
    command: Callable[[int], Sequence[str]]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    _process: subprocess.Popen | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise ServerError(f"{self.name} is not running")
        return self._process.pid

    def start(self) -> None:
        self.port = free_port()
        self._log = open(self.log_path, "ab")
        env = {**os.environ, **self.env}
        # The bench may run from any directory: make the repository importable for `-m cse`.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            list(self.command(self.port)), cwd=REPO, env=env,
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
        )

    async def start_ready(self, timeout: float = 30.0) -> None:
        """Start, and return once the port accepts connections; on a port clash, try another."""
        for attempt in range(START_ATTEMPTS):
            self.start()
            try:
                await self._wait_ready(timeout)
                return
            except ServerError:
                clash = "Address already in use" in self.log_tail(3)
                self.stop()
                if not clash or attempt == START_ATTEMPTS - 1:
                    raise

    async def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self._process is None or self._process.poll() is not None:
                raise ServerError(f"{self.name} exited during start-up:\n{self.log_tail()}")
            try:
                _, writer = await asyncio.open_connection(HOST, self.port)
            except OSError:
                if time.monotonic() > deadline:
                    raise ServerError(f"{self.name} did not open port {self.port} in {timeout} s:\n{self.log_tail()}")
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return

    def cpu_seconds(self) -> float | None:
        """User plus system CPU time of the process so far (all its threads), or None off Linux."""
        return cpu.process_seconds(self.pid)

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM (a clean shutdown, which profilers need to write their output), then SIGKILL."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        return process.returncode

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def cse_server(workdir: Path, wrapper: Sequence[str] = ()) -> ServerProcess:
    """The CSE with an on-disk SQLite file in ``workdir`` and its default (durable) settings.

    ``wrapper`` goes before the interpreter's module arguments, e.g. ``("-m", "cProfile", "-o", F)``
    to run it under a profiler.
    """
    def command(port: int) -> list[str]:
        return [sys.executable, *wrapper, "-m", "cse", "--db", str(workdir / "cse.sqlite"),
                "--http-host", HOST, "--http-port", str(port)]

    # Only HTTP is measured: CoAP's fixed default UDP port would clash with any other CSE on
    # the machine. (An environment setting, which a CSE without CoAP simply ignores.)
    return ServerProcess("CSE", command, workdir / "cse.log", env={"CSE_COAP_PORT": "0"})


def baseline_server(workdir: Path) -> ServerProcess:
    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "bench.baseline", "--host", HOST, "--port", str(port)]

    return ServerProcess("baseline", command, workdir / "baseline.log")


async def start_all(*servers: ServerProcess) -> None:
    """Start the servers side by side; if one fails, stop the others."""
    try:
        await asyncio.gather(*(server.start_ready() for server in servers))
    except BaseException:
        for server in servers:
            server.stop()
        raise
