"""Starting the CSE: options, config file, environment, banner, bad settings."""

import os
import subprocess
import sys

import pytest

from cse import config
from tests.cse.server_process import REPO, ServerProcess
from tests.onem2m_client import OneM2MClient


def run_cse(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cse", *args], capture_output=True, text=True, timeout=30, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )


def test_help_lists_the_options():
    result = run_cse("--help")
    assert result.returncode == 0
    for option in ("--http-host", "--http-port", "--db", "--cse-id", "--cse-name", "--sp-id", "--admin",
                   "--log-level", "--allowed-ae-ids", "--max-body-size", "--config"):
        assert option in result.stdout


def test_defaults_are_what_the_field_expects():
    settings = config.load(None, {}, {})
    assert (settings.cse_id, settings.cse_name, settings.admin, settings.http_port) == ("/id-in", "cse-in", "CAdmin", 8080)


def test_precedence_file_then_environment_then_command_line(tmp_path):
    file = tmp_path / "cse.toml"
    file.write_text('cse_name = "from-file"\nadmin = "CFile"\nhttp_port = 9000\nallowed_ae_ids = ["Ca*"]\n\n[plugin.sdt]\nenabled = true\nlwm2m_port = 5784\n')
    settings = config.load(str(file), {"CSE_ADMIN": "CEnv", "CSE_HTTP_PORT": "9100"}, {"http_port": "9200"})
    assert settings.cse_name == "from-file"
    assert settings.admin == "CEnv"
    assert settings.http_port == 9200
    assert settings.allowed_ae_ids == ["Ca*"]
    assert settings.plugins == ["sdt"]
    assert settings.plugin_options == {"sdt": {"enabled": True, "lwm2m_port": 5784}}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--http-port", "eighty"], "http_port"),
        (["--cse-id", "id-in"], "cse_id"),
        (["--log-level", "loud"], "log_level"),
    ],
)
def test_bad_settings_are_reported_clearly(args, message):
    result = run_cse(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unknown_key_in_config_file(tmp_path):
    file = tmp_path / "cse.toml"
    file.write_text("htp_port = 1\n")
    result = run_cse("--config", str(file))
    assert result.returncode == 2 and "htp_port" in result.stderr


async def test_custom_identity_from_environment_and_banner(tmp_path):
    server = ServerProcess(tmp_path / "db.sqlite", "--cse-name", "my-cse", cse_name="my-cse",
                           env={"CSE_CSE_ID": "/my-id", "CSE_ADMIN": "CRoot"})
    await server.start()
    try:
        async with OneM2MClient(server.url, originator="CRoot") as client:
            cse_base = (await client.retrieve("/my-cse")).pc
            assert cse_base["csi"] == "/my-id" and cse_base["rn"] == "my-cse" and cse_base["ri"] == "my-id"
            assert (await client.retrieve("/~/my-id/my-cse")).rsc == 2000
            assert (await client.retrieve("/cse-in")).rsc == 4004
    finally:
        log = server.terminate()
    assert "CSE-ID /my-id" in log and "my-cse" in log and str(server.db) in log
