"""Device management of an LwM2M device through mgmtObjs: reboot, firmware, software, reachability."""

import pytest
from aiohttp import web

from ipe_sdt.sim.lwm2m import make_package
from tests.ipe.conftest import eventually
from tests.onem2m_client import free_port

NODE = "/cse-in/node-lamp-1"
LIGHT = "/cse-in/sdt-ipe/lamp-1-light-0"


@pytest.fixture
async def packages():
    """A web server offering firmware and software packages, good and bad."""
    files = {
        "/fw-2.0.0.pkg": make_package("firmware", "lamp-fw", "2.0.0", b"new firmware"),
        "/fw-broken.pkg": make_package("firmware", "lamp-fw", "9.9.9", b"bad", fail=True),
        "/app-1.0.pkg": make_package("software", "dimmer-app", "1.0", b"an application"),
    }

    async def serve(request: web.Request) -> web.Response:
        body = files.get(request.path)
        return web.Response(body=body) if body is not None else web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def attribute(admin, path, name, expected, timeout=20.0):
    async def check():
        reply = await admin.retrieve(path)
        value = reply.pc.get(name) if reply.rsc == 2000 else None
        return value if value == expected else None

    return await eventually(check, timeout)


async def status(admin, path, name, action, sus, timeout=20.0):
    return await attribute(admin, path, name, {"acn": action, "sus": sus}, timeout)


async def test_firmware_update_reports_progress_until_success(admin, device, packages):
    await attribute(admin, f"{NODE}/firmware", "mgd", 1001)
    update = {"m2m:fwr": {"url": f"{packages}/fw-2.0.0.pkg", "ud": True}}
    reply = await admin.update(f"{NODE}/firmware", update)
    assert reply.rsc == 2004 and reply.pc["ud"] is False  # a trigger is not stored
    await status(admin, f"{NODE}/firmware", "uds", "update", 3)  # in process, reported at once
    await status(admin, f"{NODE}/firmware", "uds", "update", 1, timeout=30)  # success after the reboot
    assert (await admin.retrieve(f"{NODE}/deviceInfo")).pc["fwv"] == "2.0.0"
    assert device.instance(3, 0).get(3) == "2.0.0"


async def test_failing_firmware_update_reports_failure(admin, device, packages):
    await attribute(admin, f"{NODE}/firmware", "mgd", 1001)
    update = {"m2m:fwr": {"url": f"{packages}/fw-broken.pkg", "ud": True}}
    assert (await admin.update(f"{NODE}/firmware", update)).rsc == 2004
    await status(admin, f"{NODE}/firmware", "uds", "update", 2, timeout=30)


async def test_software_install_activate_deactivate_uninstall(admin, device, packages):
    path = f"{NODE}/software-0"
    await attribute(admin, path, "mgd", 1002)
    install = {"m2m:swr": {"url": f"{packages}/app-1.0.pkg", "in": True}}
    assert (await admin.update(path, install)).rsc == 2004
    await status(admin, path, "ins", "install", 1)
    assert (await admin.update(path, {"m2m:swr": {"act": True}})).rsc == 2004
    await status(admin, path, "acts", "activate", 1)
    assert device.instance(9, 0).get(12) is True
    assert (await admin.update(path, {"m2m:swr": {"dea": True}})).rsc == 2004
    await status(admin, path, "acts", "deactivate", 1)
    assert (await admin.update(path, {"m2m:swr": {"un": True}})).rsc == 2004
    await status(admin, path, "ins", "uninstall", 1)


async def test_activating_what_is_not_installed_is_refused_by_the_device(admin, device):
    path = f"{NODE}/software-0"
    await attribute(admin, path, "mgd", 1002)
    reply = await admin.update(path, {"m2m:swr": {"act": True}})
    assert reply.rsc == 4127 and "refused" in reply.body["m2m:dbg"]


async def test_reboot_drops_and_reregisters(admin, device):
    await attribute(admin, f"{NODE}/reboot", "mgd", 1009)
    registrations = device.registrations
    assert (await admin.update(f"{NODE}/reboot", {"m2m:rbo": {"rbo": True}})).rsc == 2004

    async def registered_again():
        return device.registrations > registrations

    await eventually(registered_again, 15)
    node = await attribute(admin, NODE, "ni", "lamp-1")
    assert node == "lamp-1"


async def test_deregistered_device_is_unreachable(admin, device):
    await attribute(admin, f"{LIGHT}/binarySwitch", "ty", 28)
    await device.stop(deregister=True)

    async def labelled_unreachable():
        reply = await admin.retrieve(NODE)
        return "reachable:false" in reply.pc.get("lbl", [])

    await eventually(labelled_unreachable)
    reply = await admin.update(f"{LIGHT}/binarySwitch", {"cod:binSh": {"state": True}})
    assert reply.rsc == 5103 and reply.status == 404
    found = (await admin.request("GET", "/cse-in?fu=1&ty=14&lbl=reachable:false")).body["m2m:uril"]
    assert found == ["cse-in/node-lamp-1"]
