"""/5 Firmware Update on a simulated device, driven through the real server: pull over HTTP and
CoAP, push block-wise, the update with its restart, and every failure result."""

from __future__ import annotations

import asyncio

import pytest

from ipe_sdt.lwm2m.server import DeviceError, DeviceRegistered, NotificationReceived
from ipe_sdt.sim.lwm2m import make_package
from tests.lwm2m_server.lwm2m_harness import WAIT, next_event

IDLE, DOWNLOADING, DOWNLOADED, UPDATING = range(4)


async def fw_state(server, endpoint):
    values = (await server.read(endpoint, "/5/0")).values
    return values[(5, 0, 3)], values[(5, 0, 5)]


async def until_state(server, endpoint, wanted, limit=WAIT):
    """Read /5/0 until State and Update Result are as wanted (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while (found := await fw_state(server, endpoint)) != wanted:
        assert loop.time() < deadline, f"firmware state stayed {found}, wanted {wanted}"
        await asyncio.sleep(0.05)


async def test_pull_over_http_and_update(server, events, devices, http_packages):
    http_packages.files["fw-2.0.0.pkg"] = make_package("firmware", "sim-fw", "2.0.0", b"\x90" * 5000)
    http_packages.gate = asyncio.Event()
    device = await devices.start("fw-http")
    first = (await next_event(events, DeviceRegistered)).device
    await server.observe("fw-http", "/5/0/3")

    await server.write("fw-http", "/5/0/1", http_packages.url("fw-2.0.0.pkg"))
    assert (await next_event(events, NotificationReceived)).values == {(5, 0, 3): DOWNLOADING}
    await asyncio.wait_for(http_packages.requested.wait(), WAIT)
    http_packages.gate.set()
    assert (await next_event(events, NotificationReceived)).values == {(5, 0, 3): DOWNLOADED}
    values = (await server.read("fw-http", "/5/0")).values
    assert values[(5, 0, 6)] == "sim-fw" and values[(5, 0, 7)] == "2.0.0" and values[(5, 0, 5)] == 0

    await server.execute("fw-http", "/5/0/2")
    assert (await next_event(events, NotificationReceived)).values == {(5, 0, 3): UPDATING}
    # The device restarts on the new firmware and registers anew.
    again = await next_event(events, DeviceRegistered)
    assert again.previous.registration_id == first.registration_id
    await asyncio.wait_for(device.wait_registered(2), WAIT)
    assert await fw_state(server, "fw-http") == (IDLE, 1)
    assert (await server.read("fw-http", "/3/0/3")).value() == "2.0.0"


async def test_pull_over_coap_block_wise(server, devices, coap_packages):
    uri = coap_packages.add("fw", make_package("firmware", "sim-fw", "3.1.0", bytes(range(256)) * 40))
    await devices.start("fw-coap")
    await server.write("fw-coap", "/5/0/1", uri)
    await until_state(server, "fw-coap", (DOWNLOADED, 0))
    assert (await server.read("fw-coap", "/5/0/7")).value() == "3.1.0"


async def test_push_block_wise_then_update(server, events, devices):
    device = await devices.start("fw-push")
    package = make_package("firmware", "sim-fw", "4.0.0", b"\x01\x02" * 20000)
    await server.write("fw-push", "/5/0/0", package)
    assert await fw_state(server, "fw-push") == (DOWNLOADED, 0)
    await server.execute("fw-push", "/5/0/2")
    await asyncio.wait_for(device.wait_registered(2), WAIT)
    assert await fw_state(server, "fw-push") == (IDLE, 1)
    assert (await server.read("fw-push", "/3/0/3")).value() == "4.0.0"


@pytest.mark.parametrize(
    ("name", "body", "result"),
    [
        ("corrupt.pkg", make_package("firmware", "x", "1", b"abc", corrupt=True), 5),
        ("foreign.pkg", b"MZ\x90\x00 not ours", 6),
        ("software.pkg", make_package("software", "x", "1"), 6),
        ("missing.pkg", None, 4),
    ],
)
async def test_download_failures_show_in_update_result(server, devices, http_packages, name, body, result):
    if body is not None:
        http_packages.files[name] = body
    await devices.start("fw-fail")
    await server.write("fw-fail", "/5/0/1", http_packages.url(name))
    await until_state(server, "fw-fail", (IDLE, result))


@pytest.mark.parametrize(("uri", "result"), [("not a uri", 7), ("ftp://127.0.0.1/fw", 9), ("coaps://127.0.0.1/fw", 9)])
async def test_bad_package_uris(server, devices, uri, result):
    await devices.start("fw-uri")
    await server.write("fw-uri", "/5/0/1", uri)
    assert await fw_state(server, "fw-uri") == (IDLE, result)


async def test_failed_update_cancel_and_reset(server, devices):
    device = await devices.start("fw-states")
    with pytest.raises(DeviceError) as idle:
        await server.execute("fw-states", "/5/0/2")
    assert idle.value.code == "4.05"

    await server.write("fw-states", "/5/0/0", make_package("firmware", "x", "5.0", fail=True))
    with pytest.raises(DeviceError) as busy:
        await server.write("fw-states", "/5/0/1", "http://127.0.0.1/other")
    assert busy.value.code == "4.05"
    await server.execute("fw-states", "/5/0/2")
    await until_state(server, "fw-states", (DOWNLOADED, 8))  # update failed, package kept
    assert device.registrations == 1  # no restart

    await server.execute("fw-states", "/5/0/10")  # cancel
    assert await fw_state(server, "fw-states") == (IDLE, 10)
    await server.write("fw-states", "/5/0/0", make_package("firmware", "x", "5.1"))
    await server.write("fw-states", "/5/0/1", "")  # empty URI resets
    assert await fw_state(server, "fw-states") == (IDLE, 0)
