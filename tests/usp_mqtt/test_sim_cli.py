"""``cse sim usp``: options are checked, and a run onboards its Agents."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cse.cli import main as cse_main
from ipe_sdt.sim.usp.cli import main as usp_main

from .event_helpers import booted, collect


@pytest.mark.parametrize(
    "argv",
    [["--count", "0"], ["--broker", "http://x"], ["--controller-id", "a/b"], ["--duration", "-1"],
     ["--qos", "2"], ["--count", "many"]],
)
def test_bad_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as info:
        usp_main(argv)
    assert info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_cse_sim_lists_usp(capsys):
    assert cse_main(["sim", "--help"]) == 0
    assert "usp" in capsys.readouterr().out


async def test_cli_run_onboards_agents(controller, test_tag):
    with controller.events() as stream:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cse.cli", "sim", "usp", "--count", "3", "--broker", controller.broker.url,
             "--controller-id", controller.endpoint_id, "--serial-prefix", f"C{test_tag}", "--duration", "20"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.getcwd()},
        )
        try:
            events = await collect(stream, booted(), 3, timeout=30)
            ids = {e.agent.endpoint_id for e in events}
            assert ids == {f"os::00D09E-C{test_tag}{n:06d}" for n in (1, 2, 3)}
            values = await controller.get(sorted(ids)[0], ["Device.DeviceInfo.ProductClass"])
            assert values == {"Device.DeviceInfo.ProductClass": "USPSimLight"}
        finally:
            proc.terminate()
            out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert b"3/3 agents connected" in out and b"stopped" in out
