"""``cse sim lwm2m``: options, and real runs in a child process against the server in the test."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from ipe_sdt.lwm2m.server import DeviceDeregistered, DeviceRegistered
from ipe_sdt.sim.cli import main as sim_main
from ipe_sdt.sim.lwm2m.cli import main as lwm2m_main
from tests.lwm2m_server.lwm2m_harness import WAIT, next_event

REPO = Path(__file__).resolve().parents[2]
CSE = "import sys; from cse.cli import main; sys.exit(main(sys.argv[1:]))"


def test_help(capsys):
    assert sim_main(["--help"]) == 0
    assert "lwm2m" in capsys.readouterr().out
    assert sim_main([]) == 2
    with pytest.raises(SystemExit) as done:
        lwm2m_main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for option in ("--count", "--server", "--queue", "--bootstrap", "--endpoint-prefix", "--lifetime"):
        assert option in out


@pytest.mark.parametrize(
    "argv",
    [
        [],                                                   # neither --server nor --bootstrap
        ["--server", "http://127.0.0.1:5783"],
        ["--server", "coaps://127.0.0.1:5784"],
        ["--server", "coap://127.0.0.1:99999"],
        ["--server", "coap://127.0.0.1:5783", "--count", "0"],
        ["--server", "coap://127.0.0.1:5783", "--lifetime", "0"],
        ["--server", "coap://127.0.0.1:5783", "--root-path", "lwm2m"],
    ],
)
def test_bad_options_exit_2(argv, capsys):
    assert lwm2m_main(argv) == 2
    assert "cse sim lwm2m:" in capsys.readouterr().err
    assert sim_main(["nonsense"]) == 2


async def start_cli(*argv: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", CSE, "sim", "lwm2m", *argv, "--change-interval", "0",
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )


async def read_until(process: asyncio.subprocess.Process, text: str) -> str:
    seen = []

    async def scan() -> str:
        while True:
            line = await process.stdout.readline()
            if not line:
                raise AssertionError(f"output ended before {text!r}: {''.join(seen)}")
            seen.append(line.decode())
            if text in seen[-1]:
                return "".join(seen)

    return await asyncio.wait_for(scan(), WAIT * 3)


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    try:
        out, _ = await asyncio.wait_for(process.communicate(), WAIT * 3)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode, out.decode()


async def test_run_for_a_duration(server, events):
    process = await start_cli("--count", "3", "--server", f"coap://127.0.0.1:{server.port}",
                              "--endpoint-prefix", "cli-", "--duration", "2", "--lwm2m-version", "1.0")
    names = {(await next_event(events, DeviceRegistered, timeout=WAIT * 3)).device.endpoint for _ in range(3)}
    assert names == {"cli-00000", "cli-00001", "cli-00002"}
    code, out = await finish(process)
    assert code == 0, out
    assert "3 devices registered" in out and "stopping" in out
    gone = {(await next_event(events, DeviceDeregistered)).device.endpoint for _ in range(3)}
    assert gone == names


async def test_ctrl_c_deregisters_and_exits(server, events):
    process = await start_cli("--count", "2", "--server", f"coap://127.0.0.1:{server.port}", "--queue", "--awake", "5")
    try:
        await read_until(process, "devices registered")
        assert len(server) == 2 and all(d.queue_mode for d in server.devices())
        process.send_signal(signal.SIGINT)
        code, out = await finish(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0, out
    for _ in range(2):
        await next_event(events, DeviceDeregistered)
    assert len(server) == 0
