"""Running the CSE as a separate process, as a user does: for restarts and kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.onem2m_client import free_port

REPO = Path(__file__).resolve().parents[2]


class ServerProcess:
    def __init__(self, db: Path, *extra: str, env: dict[str, str] | None = None, cse_name: str = "cse-in") -> None:
        self.db = db
        self.cse_name = cse_name
        self.port = free_port()
        self.extra = extra
        self.env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = subprocess.Popen(
            # CoAP stays off unless a test asks for it: parallel runs would share UDP 5683.
            [sys.executable, "-m", "cse", "--db", str(self.db), "--http-port", str(self.port), "--coap-port", "0",
             *self.extra],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO,
        )
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                if self.process.poll() is not None:
                    raise RuntimeError(f"CSE exited: {self.process.stdout.read().decode()}")
                try:
                    async with session.get(f"{self.url}/{self.cse_name}", headers={"X-M2M-Origin": "CAdmin", "X-M2M-RI": "up"}):
                        return
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
        raise RuntimeError("CSE did not start listening")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self) -> str:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=10)
        return output.decode()
