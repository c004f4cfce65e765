"""/9 Software Management on a simulated device through the real server: download, install,
activate, deactivate, uninstall, and the failure results."""

from __future__ import annotations

import asyncio

import pytest

from ipe_sdt.lwm2m.server import DeviceError
from ipe_sdt.sim.lwm2m import make_package
from tests.lwm2m_server.lwm2m_harness import WAIT

INITIAL, DOWNLOAD_STARTED, DOWNLOADED, DELIVERED, INSTALLED = range(5)


async def sw(server, endpoint, iid=0):
    values = (await server.read(endpoint, f"/9/{iid}")).values
    return {rid: values.get((9, iid, rid)) for rid in (0, 1, 7, 9, 12)}


async def until(server, endpoint, state, result, iid=0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        found = await sw(server, endpoint, iid)
        if (found[7], found[9]) == (state, result):
            return found
        assert loop.time() < deadline, f"software state stayed {found}"
        await asyncio.sleep(0.05)


async def test_install_activate_deactivate_uninstall(server, devices, http_packages):
    http_packages.files["app.pkg"] = make_package("software", "sim-app", "1.4.2", b"app" * 1000)
    await devices.start("sw")
    await server.write("sw", "/9/0/3", http_packages.url("app.pkg"))
    delivered = await until(server, "sw", DELIVERED, 3)
    assert delivered[12] is False and delivered[0] == ""

    await server.execute("sw", "/9/0/4")  # install
    installed = await sw(server, "sw")
    assert (installed[7], installed[9], installed[12]) == (INSTALLED, 2, False)
    assert (installed[0], installed[1]) == ("sim-app", "1.4.2")

    await server.execute("sw", "/9/0/10")  # activate
    assert (await sw(server, "sw"))[12] is True
    await server.execute("sw", "/9/0/11")  # deactivate
    assert (await sw(server, "sw"))[12] is False

    await server.execute("sw", "/9/0/6")  # uninstall
    removed = await sw(server, "sw")
    assert (removed[7], removed[9], removed[0], removed[1]) == (INITIAL, 0, "", "")


async def test_push_and_uninstall_for_update(server, devices):
    await devices.start("sw-push")
    iid = await server.create("sw-push", 9, {}, instance_id=3)
    assert iid == 3
    await server.write("sw-push", "/9/3/2", make_package("software", "tool", "2.0"))
    assert (await sw(server, "sw-push", 3))[7] == DELIVERED
    await server.execute("sw-push", "/9/3/4")
    await server.execute("sw-push", "/9/3/10")
    await server.execute("sw-push", "/9/3/6", "1")  # ForUpdate: the installed software stays
    kept = await sw(server, "sw-push", 3)
    assert (kept[7], kept[0], kept[12]) == (INITIAL, "tool", True)


async def test_software_state_machine_refusals_and_failures(server, devices, http_packages):
    await devices.start("sw-bad")
    for rid in (4, 6, 10, 11):
        with pytest.raises(DeviceError) as refused:
            await server.execute("sw-bad", f"/9/0/{rid}")
        assert refused.value.code == "4.05"

    await server.write("sw-bad", "/9/0/2", make_package("software", "x", "1", b"data", corrupt=True))
    assert (await sw(server, "sw-bad"))[9] == 53
    await server.write("sw-bad", "/9/0/2", b"random bytes")
    assert (await sw(server, "sw-bad"))[9] == 54
    await server.write("sw-bad", "/9/0/3", "nonsense")
    assert (await sw(server, "sw-bad"))[9] == 56
    await server.write("sw-bad", "/9/0/3", http_packages.url("missing.pkg"))
    await until(server, "sw-bad", INITIAL, 52)

    await server.write("sw-bad", "/9/0/2", make_package("software", "x", "1", fail=True))
    await server.execute("sw-bad", "/9/0/4")
    failed = await sw(server, "sw-bad")
    assert (failed[7], failed[9]) == (DELIVERED, 58)
    with pytest.raises(DeviceError) as busy:
        await server.write("sw-bad", "/9/0/2", make_package("software", "y", "2"))
    assert busy.value.code == "4.05"
