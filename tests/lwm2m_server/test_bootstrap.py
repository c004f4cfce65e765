"""Bootstrap: devices that know only the bootstrap server get the management server's account
(URI, security mode, PSK) and APN profiles, then register with the management server."""

from __future__ import annotations

import asyncio

import pytest
from aiocoap.numbers.codes import Code

from ipe_sdt.lwm2m.bootstrap import (
    ApnAuthentication,
    ApnProfile,
    BootstrapCompleted,
    BootstrapConfig,
    BootstrapFailed,
    Lwm2mBootstrapServer,
    SecurityMode,
    ServerAccount,
)
from ipe_sdt.lwm2m.bootstrap.provisioning import plan
from ipe_sdt.lwm2m.server import DeviceRegistered
from ipe_sdt.sim.lwm2m import DeviceSettings, SimulatedDevice, State

from .lwm2m_harness import HOST, WAIT, RawClient, next_event


@pytest.fixture
async def bootstrap(server):
    accounts = {}

    def provider(endpoint):
        return accounts.get(endpoint)

    bs = Lwm2mBootstrapServer(HOST, 0, provider=provider, request_timeout=3.0, ack_timeout=0.5)
    bs.accounts = accounts
    await bs.start()
    try:
        yield bs
    finally:
        await bs.stop()


def config_for(server, **account):
    return BootstrapConfig(
        servers=(ServerAccount(uri=f"coap://{HOST}:{server.port}", short_server_id=7, lifetime=45, **account),),
        apn_profiles=(
            ApnProfile("iot", apn="iot.operator.example", authentication=ApnAuthentication.CHAP, user="u", secret="s"),
            ApnProfile("backup", apn="backup.example"),
        ),
    )


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
async def test_bootstrap_then_register(server, events, devices, bootstrap, version):
    bootstrap.accounts["bs-dev"] = config_for(
        server, security_mode=SecurityMode.PSK, psk_identity=b"bs-dev", psk_key=bytes(range(16))
    )
    bs_events = bootstrap.stream()
    device = await devices.start("bs-dev", server_uri=None, bootstrap_uri=f"coap://{HOST}:{bootstrap.port}",
                                 lwm2m_version=version, wait=False)
    done = await next_event(bs_events, BootstrapCompleted)
    assert done.endpoint == "bs-dev"
    registered = (await next_event(events, DeviceRegistered)).device
    assert registered.endpoint == "bs-dev" and registered.lifetime == 45
    await asyncio.wait_for(device.wait_registered(), WAIT)
    assert device.bootstraps == 1

    security = [i for i in device.store.instances(0).values() if not i.is_bootstrap]
    assert len(security) == 1
    assert security[0].values[0] == f"coap://{HOST}:{server.port}"
    assert security[0].values[2] == SecurityMode.PSK
    assert security[0].values[3] == b"bs-dev" and security[0].values[5] == bytes(range(16))
    assert security[0].values[10] == 7
    assert any(i.is_bootstrap for i in device.store.instances(0).values())  # kept its bootstrap account
    # The management server sees the provisioned objects, but never the security object.
    assert (await server.read("bs-dev", "/1/0/0")).value() == 7
    apn = (await server.read("bs-dev", "/11")).values
    assert apn[(11, 0, 1)] == "iot.operator.example" and apn[(11, 0, 4)] == ApnAuthentication.CHAP
    assert apn[(11, 1, 0)] == "backup"


async def test_unknown_endpoint_is_refused_and_retried(server, devices, bootstrap):
    device = await devices.start("stranger", server_uri=None, bootstrap_uri=f"coap://{HOST}:{bootstrap.port}",
                                 wait=False)
    await asyncio.wait_for(device.wait_for(lambda d: d.last_error is not None and "4.00" in d.last_error), WAIT)
    assert device.state is not State.REGISTERED
    # Once the operator adds it, the next attempt (back-off) succeeds.
    bootstrap.accounts["stranger"] = config_for(server)
    await asyncio.wait_for(device.wait_registered(), WAIT)


async def test_bootstrap_request_trigger(server, events, devices, bootstrap):
    bootstrap.accounts["retrigger"] = config_for(server)
    device = await devices.start("retrigger", bootstrap_uri=f"coap://{HOST}:{bootstrap.port}")
    assert device.bootstraps == 0  # shipped with a management server account
    bs_events = bootstrap.stream()
    await server.execute("retrigger", "/1/0/9")
    await next_event(bs_events, BootstrapCompleted)
    again = await next_event(events, DeviceRegistered, lambda e: e.previous is not None)
    assert again.device.lifetime == 45
    assert device.bootstraps == 1


async def test_bootstrap_server_rejects_bad_requests(bootstrap):
    async with RawClient(bootstrap.port) as client:
        assert (await client.send(Code.POST, ("bs",))).code == Code.BAD_REQUEST
        assert (await client.send(Code.POST, ("bs",), ("ep=nobody",))).code == Code.BAD_REQUEST
        assert (await client.send(Code.POST, ("bs",), ("ep=x", "pct=abc"))).code == Code.UNSUPPORTED_CONTENT_FORMAT
        assert (await client.send(Code.POST, ("bs",), ("ep=x", "pct=0"))).code == Code.UNSUPPORTED_CONTENT_FORMAT
        assert (await client.send(Code.GET, ("bs",))).code == Code.METHOD_NOT_ALLOWED
        assert (await client.send(Code.POST, ("rd",), ("ep=x",))).code == Code.NOT_FOUND


async def test_a_client_that_cannot_be_bootstrapped(server, bootstrap):
    bootstrap.accounts["ghost"] = config_for(server)
    bs_events = bootstrap.stream()
    async with RawClient(bootstrap.port) as client:
        # Asks for bootstrap, then answers every request of the server with 4.04 (no objects).
        response = await client.send(Code.POST, ("bs",), ("ep=ghost",))
        assert response.code == Code.CHANGED
        failed = await next_event(bs_events, BootstrapFailed)
    assert failed.endpoint == "ghost" and "Bootstrap-Write /0/1 answered 4.04" in failed.reason
    assert bootstrap.in_progress == []


async def test_a_client_that_goes_silent_mid_bootstrap(server, bootstrap):
    bootstrap.accounts["silent"] = config_for(server)
    bs_events = bootstrap.stream()
    async with RawClient(bootstrap.port) as client:
        response = await client.send(Code.POST, ("bs",), ("ep=silent",))
        assert response.code == Code.CHANGED
    # The client's socket is closed now: the next requests fail (ICMP or timeout), bounded.
    failed = await next_event(bs_events, BootstrapFailed)
    assert failed.endpoint == "silent" and failed.reason.startswith("Bootstrap-")


def test_plan_orders_deletes_writes_and_finish():
    config = BootstrapConfig(servers=(ServerAccount("coap://dm.example:5783"),), apn_profiles=(ApnProfile("a"),))
    steps = plan(config, kept_security_instances=(0, 1))
    assert [(s.kind, s.path) for s in steps] == [
        ("delete", (0,)), ("delete", (1,)), ("delete", (11,)),
        ("write", (0, 2)), ("write", (1, 0)), ("write", (11, 0)), ("finish", ()),
    ]
    assert steps[3].values[(0, 2, 1)] is False and steps[3].values[(0, 2, 10)] == 1


@pytest.mark.parametrize(
    "account",
    [
        {"uri": "http://dm.example"},
        {"uri": "coap://dm.example", "security_mode": SecurityMode.PSK},
        {"uri": "coap://dm.example", "short_server_id": 0},
        {"uri": "coap://dm.example", "binding": "X"},
    ],
)
def test_bad_accounts_are_refused(account):
    with pytest.raises(ValueError):
        ServerAccount(**account)


async def test_device_settings_need_a_server():
    with pytest.raises(ValueError):
        SimulatedDevice(DeviceSettings("nowhere"))
