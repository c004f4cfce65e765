"""Starting the CoAP binding: port and host settings, 0 disables it, a taken port is an error,
the CSEBase announces it, the banner shows it."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from cse import config
from cse.app import Application
from cse.config import Settings
from tests.coap.coap_client import CoapClient, free_udp_port
from tests.cse.server_process import REPO, ServerProcess
from tests.onem2m_client import OneM2MClient, free_port


def test_defaults_and_validation():
    settings = config.load(None, {}, {})
    assert (settings.coap_host, settings.coap_port) == ("127.0.0.1", 5683)
    assert config.load(None, {"CSE_COAP_PORT": "0"}, {}).coap_port == 0
    with pytest.raises(config.ConfigError, match="coap_port"):
        config.load(None, {}, {"coap_port": "70000"})


async def test_port_0_disables_coap(settings):
    settings.coap_port = 0
    app = Application(settings)
    await app.start()
    try:
        assert app.coap is None
        async with OneM2MClient(app.http.url) as client:
            assert (await client.retrieve("/cse-in")).pc["poa"] == [app.http.url]
    finally:
        await app.stop()


async def test_cse_base_announces_both_points_of_access(cse_app, coap_admin):
    cse_base = (await coap_admin.retrieve("/cse-in")).pc
    assert cse_base["poa"] == [cse_app.http.url, cse_app.coap.url]
    assert cse_app.coap.url == f"coap://127.0.0.1:{cse_app.settings.coap_port}"


async def test_a_taken_port_is_an_error_and_leaves_nothing_open(settings):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("127.0.0.1", settings.coap_port))
        app = Application(settings)
        with pytest.raises(OSError):
            await app.start()
    # The HTTP port it had opened is free again.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", settings.http_port))


async def test_a_second_cse_cannot_share_the_coap_port(cse_app, settings):
    # aiocoap's own server sockets use SO_REUSEPORT, which would let two CSEs split the traffic.
    second = Application(Settings(db=":memory:", http_port=free_port(), coap_port=settings.coap_port))
    with pytest.raises(OSError):
        await second.start()
    async with CoapClient(cse_app.coap.url) as client:
        assert (await client.retrieve("/cse-in")).rsc == 2000


def test_command_line_options():
    result = subprocess.run([sys.executable, "-m", "cse", "--help"], capture_output=True, text=True, timeout=30,
                            cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert "--coap-port" in result.stdout and "--coap-host" in result.stdout


async def test_banner_and_a_request_to_the_running_process(tmp_path):
    port = free_udp_port()
    server = ServerProcess(tmp_path / "cse.sqlite", "--coap-port", str(port))
    await server.start()
    try:
        async with CoapClient(f"coap://127.0.0.1:{port}") as client:
            assert (await client.retrieve("/cse-in")).rsc == 2000
    finally:
        log = server.terminate()
    assert f"CoAP   coap://127.0.0.1:{port}/cse-in" in log and "Traceback" not in log
