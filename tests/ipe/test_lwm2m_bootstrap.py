"""Bootstrap through the IPE: operators keep per-PLMN configuration as oneM2M resources; devices
that know only the bootstrap server get it, register with the DM server and are shown as nodes."""

from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator

import pytest

from cse.app import Application
from cse.config import Settings
from ipe_sdt.drivers.lwm2m.bootstrap import plmn_candidates
from ipe_sdt.drivers.lwm2m.operator_config import ConfigError, parse
from ipe_sdt.sim.lwm2m import DeviceSettings, SimulatedDevice
from tests.ipe.conftest import eventually, free_udp_port
from tests.onem2m_client import OneM2MClient, free_port

BOOTSTRAP = "/cse-in/sdt-ipe/bootstrap"
IMSI = "urn:imsi:208011234567890"  # MCC 208, MNC 01
OPERATOR = "Cop-orange"
WAIT = 15.0
KEY = "000102030405060708090a0b0c0d0e0f"


@pytest.fixture
async def bs_app() -> AsyncIterator[Application]:
    lwm2m_port, bootstrap_port = free_udp_port(), free_udp_port()
    lwm2m = {"port": lwm2m_port, "bootstrap_port": bootstrap_port, "request_timeout": 3.0,
             "bootstrap_operators": [OPERATOR]}
    settings = Settings(db=":memory:", http_port=free_port(), coap_port=0, plugins=["sdt"],
                        plugin_options={"sdt": {"drivers": ["lwm2m"], "lwm2m": lwm2m}})
    app = Application(settings)
    await app.start()
    app.lwm2m_port, app.bootstrap_port = lwm2m_port, bootstrap_port
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
async def admin(bs_app) -> AsyncIterator[OneM2MClient]:
    async with OneM2MClient(bs_app.http.url, originator="CAdmin") as client:
        yield client


@pytest.fixture
async def devices(bs_app) -> AsyncIterator[list[SimulatedDevice]]:
    started: list[SimulatedDevice] = []
    yield started
    for device in started:
        await asyncio.wait_for(device.stop(), WAIT)


async def start_device(app, started, endpoint: str) -> SimulatedDevice:
    """A device that ships knowing only the IPE's bootstrap server."""
    device = SimulatedDevice(DeviceSettings(
        endpoint=endpoint, bootstrap_uri=f"coap://127.0.0.1:{app.bootstrap_port}", bind_host="127.0.0.1",
        request_timeout=3.0, bootstrap_timeout=10.0, retry_max=2.0,
    ))
    started.append(device)
    await device.start()
    return device


async def configure(client: OneM2MClient, operator: str, con, **kw) -> None:
    reply = await client.create(BOOTSTRAP, 3, {"m2m:cnt": {"rn": operator}}, **kw)
    assert reply.rsc == 2001, reply.body
    reply = await client.create(f"{BOOTSTRAP}/{operator}", 4, {"m2m:cin": {"con": con}}, **kw)
    assert reply.rsc == 2001, reply.body


def orange(app) -> dict:
    return {
        "serverUri": f"coap://127.0.0.1:{app.lwm2m_port}",
        "securityMode": "psk", "pskIdentity": "orange-psk", "pskKey": KEY,
        "shortServerId": 3, "lifetime": 60, "binding": "U",
        "apnProfiles": [
            {"service": "dm", "apn": "dm.orange.example", "authentication": "chap", "user": "dm", "secret": "s3"},
            {"service": "telemetry", "apn": "iot.orange.example"},
        ],
    }


async def node_of(admin, endpoint: str) -> dict:
    async def shown():
        reply = await admin.retrieve(f"/cse-in/node-{endpoint.replace(':', '_')}")
        return reply.pc if reply.rsc == 2000 and reply.pc.get("ni") == endpoint else None

    return await eventually(shown, WAIT)


def provisioned_account(device: SimulatedDevice):
    [security] = [i for i in device.store.instances(0).values() if not i.is_bootstrap]
    return security


async def test_operator_configuration_is_provisioned_and_device_is_managed(bs_app, admin, devices):
    async with OneM2MClient(bs_app.http.url, originator=OPERATOR) as operator:
        # A non-admin operator, allowed by the bootstrap container's ACP, manages its PLMN.
        assert (await operator.register_ae("op-orange", originator=OPERATOR)).rsc == 2001
        await configure(operator, "20801", orange(bs_app))
    device = await start_device(bs_app, devices, IMSI)
    await asyncio.wait_for(device.wait_registered(), WAIT)
    assert device.bootstraps == 1

    security = provisioned_account(device)
    assert security.values[0] == f"coap://127.0.0.1:{bs_app.lwm2m_port}"
    assert security.values[2] == 0  # PSK
    assert security.values[3] == b"orange-psk" and security.values[5] == bytes.fromhex(KEY)
    assert security.values[10] == 3
    server = device.instance(1, 0)
    assert server.values[0] == 3 and server.values[1] == 60 and server.values[7] == "U"
    apn = {i.values[0]: i.values for i in device.store.instances(11).values()}
    assert apn["dm"][1] == "dm.orange.example" and apn["dm"][4] == 1 and apn["dm"][5] == "dm"
    assert apn["telemetry"][1] == "iot.orange.example" and set(apn) == {"dm", "telemetry"}

    node = await node_of(admin, IMSI)
    assert "reachable:true" in node.get("lbl", [])


async def test_unauthorised_originator_cannot_write_the_configuration(bs_app):
    async with OneM2MClient(bs_app.http.url, originator="Cstranger") as stranger:
        assert (await stranger.register_ae("stranger", originator="Cstranger")).rsc == 2001
        reply = await stranger.create(BOOTSTRAP, 3, {"m2m:cnt": {"rn": "20801"}})
        assert reply.rsc == 4103


async def test_unknown_operator_gets_the_default_configuration(bs_app, admin, devices):
    await configure(admin, "20801", orange(bs_app))
    # No serverUri: the default is the IPE's own DM server.
    await configure(admin, "default", {"apnProfiles": [{"service": "dm", "apn": "roaming.example"}], "lifetime": 45})
    device = await start_device(bs_app, devices, "urn:imsi:310260000000001")
    await asyncio.wait_for(device.wait_registered(), WAIT)
    security = provisioned_account(device)
    assert security.values[0] == f"coap://127.0.0.1:{bs_app.lwm2m_port}" and security.values[2] == 3  # NoSec
    assert [i.values[1] for i in device.store.instances(11).values()] == ["roaming.example"]
    assert device.instance(1, 0).values[1] == 45
    await node_of(admin, "urn:imsi:310260000000001")


async def test_plain_endpoint_name_gets_the_default_configuration(bs_app, admin, devices):
    await configure(admin, "default", {})
    device = await start_device(bs_app, devices, "meter-7")
    await asyncio.wait_for(device.wait_registered(), WAIT)
    await node_of(admin, "meter-7")


async def refused(device: SimulatedDevice) -> None:
    await asyncio.wait_for(device.wait_for(lambda d: "Bootstrap-Request answered" in (d.last_error or "")), WAIT)
    assert device.bootstraps == 0 and device.registrations == 0
    assert not [i for i in device.store.instances(0).values() if not i.is_bootstrap]


async def test_without_configuration_the_device_is_not_provisioned(bs_app, admin, devices, caplog):
    caplog.set_level(logging.WARNING, logger="ipe.lwm2m.bootstrap")
    device = await start_device(bs_app, devices, IMSI)
    await refused(device)
    assert f"bootstrap of {IMSI} refused: no operator configuration applies" in caplog.text


async def test_operator_container_without_content_is_not_provisioned(bs_app, admin, devices, caplog):
    caplog.set_level(logging.WARNING, logger="ipe.lwm2m.bootstrap")
    assert (await admin.create(BOOTSTRAP, 3, {"m2m:cnt": {"rn": "20801"}})).rsc == 2001
    await configure(admin, "default", {})  # the operator's own (empty) container wins over default
    device = await start_device(bs_app, devices, IMSI)
    await refused(device)
    assert "operator 20801 has no configuration" in caplog.text


async def test_malformed_configuration_is_refused(bs_app, admin, devices, caplog):
    caplog.set_level(logging.WARNING, logger="ipe.lwm2m.bootstrap")
    bad = orange(bs_app)
    del bad["pskKey"]  # PSK security without a key
    await configure(admin, "20801", bad)
    device = await start_device(bs_app, devices, IMSI)
    await refused(device)
    assert "configuration of operator 20801" in caplog.text and "PSK security needs an identity and a key" in caplog.text

    # The operator fixes it with a new contentInstance; the device's next attempt succeeds.
    reply = await admin.create(f"{BOOTSTRAP}/20801", 4, {"m2m:cin": {"con": orange(bs_app)}})
    assert reply.rsc == 2001
    await asyncio.wait_for(device.wait_registered(), WAIT)
    assert device.bootstraps == 1


def test_configuration_validation():
    uri = "coap://127.0.0.1:5783"
    assert parse('{"lifetime": 30}', uri).servers[0].lifetime == 30  # con sent as text
    for bad, reason in [
        ("not json", "not JSON"),
        ([1], "JSON object"),
        ({"lifetme": 30}, "unknown key(s) lifetme"),
        ({"securityMode": "magic"}, "securityMode"),
        ({"lifetime": "30"}, "lifetime must be an integer"),
        ({"pskKey": "xyz"}, "hexadecimal"),
        ({"serverUri": "http://x"}, "coap://"),
        ({"apnProfiles": [{"apn": "a"}]}, "service is required"),
        ({"apnProfiles": [{"service": "dm"}, {"service": "dm"}]}, "one APN profile"),
        ({"apnProfiles": [{"service": "dm", "authentication": "md5"}]}, "authentication"),
    ]:
        with pytest.raises(ConfigError, match=None) as info:
            parse(bad, uri)
        assert reason in str(info.value), (bad, str(info.value))
    with pytest.raises(ConfigError, match="coap://"):
        parse({}, "")  # a wildcard-bound IPE has no own URI: the operator must give serverUri


def test_plmn_candidates():
    assert plmn_candidates("urn:imsi:208011234567890") == ["208011", "20801"]
    assert plmn_candidates("urn:imsi:20801") == [] and plmn_candidates("lamp-1") == []
