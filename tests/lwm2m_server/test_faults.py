"""Devices that answer with errors, with garbage, or not at all, and devices that restart while
a request is on its way: each gets a clear failure, bounded in time, and no other device notices."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiocoap.numbers.codes import Code

from ipe_sdt.lwm2m.server import (
    BadResponse,
    DeviceError,
    DeviceRegistered,
    DeviceState,
    DeviceTimeout,
    DeviceUnreachable,
)

from .lwm2m_harness import HOST, WAIT, next_event


async def test_device_answering_errors(server, devices):
    broken = await devices.start("broken")
    await devices.start("healthy")
    broken.faults.errors[(3311,)] = Code.SERVICE_UNAVAILABLE
    with pytest.raises(DeviceError) as failure:
        await server.read("broken", "/3311/0/5850")
    assert failure.value.code == "5.03" and "simulated fault" in failure.value.message
    assert (await server.read("healthy", "/3311/0/5850")).value() is False
    # The rest of the broken device still works.
    assert (await server.read("broken", "/3/0/9")).value() == 100


async def test_device_answering_garbage(server, events, devices):
    device = await devices.start("garbled")
    device.faults.garbage.add((3, 0))
    with pytest.raises(BadResponse) as failure:
        await server.read("garbled", "/3/0")
    assert failure.value.code == "2.05" and "undecodable" in failure.value.message
    with pytest.raises(BadResponse):
        await server.observe("garbled", "/3/0")
    assert server.observations("garbled") == []


async def test_device_not_answering(server, devices):
    mute = await devices.start("mute")
    await devices.start("chatty")
    mute.radio.on = False
    silent = asyncio.ensure_future(server.read("mute", "/3/0/9", timeout=0.5))
    # Another device is served while the mute one keeps a request waiting.
    assert (await server.read("chatty", "/3/0/9")).value() == 100
    with pytest.raises(DeviceTimeout):
        await asyncio.wait_for(silent, WAIT)
    assert server.device("mute").state is DeviceState.UNREACHABLE
    assert mute.radio.dropped >= 1
    mute.radio.on = True
    assert (await server.read("mute", "/3/0/9", timeout=2.0)).value() == 100
    assert server.device("mute").state is DeviceState.ONLINE


async def test_a_busy_device_times_out_the_next_request(server, devices):
    mute = await devices.start("busy")
    mute.radio.on = False
    first = asyncio.ensure_future(server.read("busy", "/3/0/9", timeout=1.0))
    await asyncio.sleep(0)
    with pytest.raises(DeviceTimeout):
        await server.read("busy", "/3/0/9", timeout=0.2)
    with pytest.raises(DeviceTimeout):
        await asyncio.wait_for(first, WAIT)


async def test_request_pending_when_the_device_restarts(server, events, devices):
    device = await devices.start("restarter")
    await next_event(events, DeviceRegistered)
    device.radio.on = False
    pending = asyncio.ensure_future(server.write("restarter", "/3311/0/5850", True, timeout=WAIT))
    await asyncio.sleep(0.05)
    device.request_reboot("power glitch")
    # Unreachable either way: by the closed socket's ICMP error or by the new registration,
    # whichever comes first.
    with pytest.raises(DeviceUnreachable, match="registered again|NetworkError"):
        await asyncio.wait_for(pending, WAIT)
    await next_event(events, DeviceRegistered)
    # The write never reached the device; the new registration works.
    assert (await server.read("restarter", "/3311/0/5850")).value() is False


async def test_request_to_a_device_that_is_rebooting(server, events, devices):
    device = await devices.start("rebooting", reboot_delay=1.0)
    await server.execute("rebooting", "/3/0/4")
    await asyncio.wait_for(device.wait_for(lambda d: d.context is None), WAIT)
    # Its socket is gone: the server learns it from the ICMP error or the timeout, not by hanging.
    with pytest.raises((DeviceUnreachable, DeviceTimeout)):
        await server.read("rebooting", "/3/0/9", timeout=1.0)
    await asyncio.wait_for(device.wait_registered(2), WAIT)
    assert (await server.read("rebooting", "/3/0/9")).value() == 100


async def test_reboot_during_firmware_download(server, events, devices):
    stalled = asyncio.Event()

    async def handler(reader, writer):
        stalled.set()
        await asyncio.sleep(3600)  # never answers; the device's restart cuts the download

    package_server = await asyncio.start_server(handler, HOST, 0)
    port = package_server.sockets[0].getsockname()[1]
    try:
        device = await devices.start("fw-reboot")
        await server.write("fw-reboot", "/5/0/1", f"http://{HOST}:{port}/fw.pkg")
        await asyncio.wait_for(stalled.wait(), WAIT)
        assert (await server.read("fw-reboot", "/5/0/3")).value() == 1  # downloading
        await server.execute("fw-reboot", "/3/0/4")
        await asyncio.wait_for(device.wait_registered(2), WAIT)
        state = (await server.read("fw-reboot", "/5/0")).values
        assert state[(5, 0, 3)] == 0 and state[(5, 0, 5)] == 4  # idle, connection lost
    finally:
        package_server.close()


async def test_garbage_datagrams_do_not_disturb_the_server(server, devices):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
        for junk in (b"", b"\x00", b"\xff" * 40, bytes(range(256)), b"\x40\x01\x00\x01\xff"):
            raw.sendto(junk, (HOST, server.port))
    await devices.start("after-junk")
    assert (await server.read("after-junk", "/3/0/9")).value() == 100


async def test_unknown_endpoints_and_paths_are_caller_errors(server, devices):
    await devices.start("known")
    from ipe_sdt.lwm2m import CodecError
    from ipe_sdt.lwm2m.server import UnknownDevice

    with pytest.raises(UnknownDevice):
        await server.read("unknown", "/3/0")
    for bad in ("3/0", "/3/x", "/70000", "/1/2/3/4/5"):
        with pytest.raises(CodecError):
            await server.read("known", bad)
    with pytest.raises(CodecError):
        await server.execute("known", "/3/0")
    with pytest.raises(CodecError):
        await server.delete("known", "/3")


async def test_write_format_falls_back_when_the_device_refuses(server, devices):
    from ipe_sdt.lwm2m import ContentFormat

    device = await devices.start("picky", lwm2m_version="1.1")
    assert 112 in server.device("picky").content_formats
    device.faults.unsupported_formats = {int(ContentFormat.SENML_CBOR), int(ContentFormat.SENML_JSON)}
    values = {(3311, 0, 5850): True, (3311, 0, 5851): 20}
    await server.write("picky", "/3311/0", values, partial=True)
    assert device.faults.refused == 2  # SenML CBOR, SenML JSON, then TLV was taken
    await server.write("picky", "/3311/0", {(3311, 0, 5851): 30, (3311, 0, 5850): False}, partial=True)
    assert device.faults.refused == 2  # the format that worked is used first from now on
    assert (await server.read("picky", "/3311/0/5851")).value() == 30
