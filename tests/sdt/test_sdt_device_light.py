"""deviceLight end to end over HTTP: the proxy creates the device with its modules from the example
payloads, a client switches the lamp and invokes toggle, the device acts first and the state reads
back. Also: every device's example payloads are ready to send; an action's return value comes back
in the action's resource."""

from __future__ import annotations

import dataclasses

import pytest

from cse.model.specializations import Kind
from cse.primitives import Operation, Request, Response
from cse.status import RSC
from ipe_sdt.sdt.examples import example_requests
from ipe_sdt.sdt.mapping import MappedSpecialization

ACP = {"m2m:acp": {"rn": "acp", "pv": {"acr": [{"acor": ["Cuser"], "acop": 63}]},
                   "pvs": {"acr": [{"acor": ["Cproxy"], "acop": 63}]}}}


class Lamp:
    """A light behind a management adapter, as the SDT proxy registers one: an Update that changes
    the switch or invokes an action reaches it before the CSE stores anything."""

    def __init__(self, cse, originator: str = "Cproxy") -> None:
        self.cse = cse
        self.originator = originator
        self.on = False
        self.asked: list[dict] = []

    async def report(self, to: str, content: dict) -> None:
        reply = await self.cse.handle(Request(Operation.UPDATE, to=to, fr=self.originator, rqi="report", rvi="4",
                                              pc=content))
        assert reply.rsc == RSC.UPDATED, reply

    async def handle(self, request: Request, resource) -> Response:
        self.asked.append(request.pc)
        ((tpe, changes),) = request.pc.items()
        if tpe == "cod:binSh" and "state" in changes:
            self.on = changes["state"]
        elif tpe == "cod:togge":
            self.on = not self.on
            # The switch's new state, reported by its owner before the CSE answers the client.
            await self.report(resource.pi, {"cod:binSh": {"state": self.on}})
        elif tpe == "lights:calie":
            # The action's result, written into the action's resource.
            await self.report(resource.ri, {"lights:calie": {"resut": 6500}})
        return Response(RSC.UPDATED, request.rqi)


def catalogue(cse_app) -> dict[str, MappedSpecialization]:
    return {mapped.spec.tpe: mapped for mapped, _ in cse_app.templates.active.values()}


def with_acp(requests: list[dict]) -> list[dict]:
    for request in requests:
        (content,) = request["pc"].values()
        content["acpi"] = ["cse-in/proxy/acp"]
    return requests


async def create_all(client, requests: list[dict], originator: str) -> None:
    for request in requests:
        reply = await client.create(request["to"], request["ty"], request["pc"], originator=originator)
        assert reply.rsc == 2001, (request, reply)


@pytest.fixture
async def lamp(cse_app, client):
    """The proxy's AE with a deviceLight tree, its adapter registered, and a user allowed in."""
    adapter = Lamp(cse_app.cse)
    cse_app.cse.adapters.register("Cproxy", adapter)
    assert (await client.register_ae("proxy", originator="Cproxy")).rsc == 2001
    assert (await client.create("/cse-in/proxy", 1, ACP, originator="Cproxy")).rsc == 2001
    known = catalogue(cse_app)
    await create_all(client, with_acp(example_requests(known["cod:devLt"], known, "/cse-in/proxy", "lamp")), "Cproxy")
    return adapter


async def test_device_light_end_to_end(client, lamp):
    tree = (await client.retrieve("/cse-in/proxy/lamp?rcn=4", originator="Cuser"))
    assert tree.rsc == 2000, tree
    device = tree.body["cod:devLt"]
    assert device["cnd"] == "org.onem2m.common.device.deviceLight"
    assert {key for key in device if ":" in key} == {
        "cod:fauDn", "cod:binSh", "cod:runSe", "cod:color", "cod:colSn", "cod:brigs", "cod:timer"}
    switch = "/cse-in/proxy/lamp/binarySwitch"
    assert device["cod:binSh"][0]["state"] is False and device["cod:binSh"][0]["cod:togge"][0]["rn"] == "toggle"

    # Switching the lamp: the device acts before the CSE answers.
    switched = await client.update(switch, {"cod:binSh": {"state": True}}, originator="Cuser")
    assert switched.rsc == 2004, switched
    assert lamp.on is True and lamp.asked == [{"cod:binSh": {"state": True}}]
    assert (await client.retrieve(switch, originator="Cuser")).pc["state"] is True

    # Invoking toggle: an Update of the action's resource, with nothing in it.
    toggled = await client.update(f"{switch}/toggle", {"cod:togge": {}}, originator="Cuser")
    assert toggled.rsc == 2004, toggled
    assert lamp.on is False
    assert (await client.retrieve(switch, originator="Cuser")).pc["state"] is False
    assert (await client.update(f"{switch}/toggle", {"cod:togge": {}}, originator="Cuser")).rsc == 2004
    assert (await client.retrieve(switch, originator="Cuser")).pc["state"] is True

    # Dimming goes to the device too; what the device reports (read-only) is the proxy's to write.
    dimmed = await client.update("/cse-in/proxy/lamp/brightness", {"cod:brigs": {"brigs": 40}}, originator="Cuser")
    assert dimmed.rsc == 2004
    assert lamp.asked[-1] == {"cod:brigs": {"brigs": 40}}
    fault = await client.update("/cse-in/proxy/lamp/faultDetection", {"cod:fauDn": {"sus": True}}, originator="Cuser")
    assert fault.rsc == 4000 and "read-only" in fault.body["m2m:dbg"]
    reported = await client.update("/cse-in/proxy/lamp/faultDetection", {"cod:fauDn": {"sus": True, "code": 3}},
                                   originator="Cproxy")
    assert reported.rsc == 2004
    assert (await client.retrieve("/cse-in/proxy/lamp/faultDetection", originator="Cuser")).pc["code"] == 3


async def test_device_light_in_xml(client, lamp):
    switched = await client.update("/cse-in/proxy/lamp/binarySwitch", {"cod:binSh": {"state": "true"}},
                                   originator="Cuser", media="xml")
    assert switched.rsc == 2004 and lamp.on is True
    got = await client.retrieve("/cse-in/proxy/lamp/binarySwitch", originator="Cuser", media="xml")
    assert b"<state>true</state>" in got.raw and b"<cod:binSh" in got.raw


async def test_management_through_flex_node(cse_app, client, lamp):
    known = catalogue(cse_app)
    await create_all(client, with_acp(example_requests(known["mad:fleNe"], known, "/cse-in/proxy", "node1")), "Cproxy")
    agent = "/cse-in/proxy/node1/dmAgent"
    assert (await client.retrieve(f"{agent}/reboot", originator="Cuser")).pc["cnd"] == "org.onem2m.management.action.reboot"
    # The action's arguments are its attributes: the Update carries them to the device.
    rebooted = await client.update(f"{agent}/reboot", {"mad:rebot": {"rebTe": 2}}, originator="Cuser")
    assert rebooted.rsc == 2004, rebooted
    assert lamp.asked[-1] == {"mad:rebot": {"rebTe": 2}}
    deploy = {"mad:depPe": {"name": "app", "versn": "1.2", "url": "http://example.com/app-1.2.tar"}}
    assert (await client.update(f"{agent}/deployPackage", deploy, originator="Cuser")).rsc == 2004
    assert lamp.asked[-1] == deploy
    # What the node reports is read-only to everyone but the node's adapter.
    info = "/cse-in/proxy/node1/dmDeviceInfo"
    forged = await client.update(info, {"mad:dmDIo": {"manur": "ACME"}}, originator="Cuser")
    assert forged.rsc == 4000 and "read-only" in forged.body["m2m:dbg"]
    assert (await client.update(info, {"mad:dmDIo": {"manur": "ACME"}}, originator="Cproxy")).rsc == 2004


async def test_example_payloads_of_every_device_are_ready_to_send(cse_app, client):
    assert (await client.register_ae("app", originator="Capp")).rsc == 2001
    known = catalogue(cse_app)
    devices = [m for m in known.values() if m.spec.kind is Kind.DEVICE]
    assert len(devices) >= 78
    for index, device in enumerate(devices):
        requests = example_requests(device, known, "/cse-in/app", f"d{index}")
        assert len(requests) >= 1 + len(device.spec.children)
        await create_all(client, requests, "Capp")


class TestReturnValue:
    TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="com.acme.lights">
    <ModuleClasses>
        <ModuleClass name="colourTemperature">
            <Actions>
                <Action name="calibrate">
                    <Doc>Measures the white point; returns it in kelvin.</Doc>
                    <DataType><Simple type="integer"/></DataType>
                </Action>
            </Actions>
        </ModuleClass>
    </ModuleClasses>
</Domain>
"""

    @pytest.fixture
    def settings(self, settings, tmp_path):
        (tmp_path / "lights.xml").write_text(self.TEMPLATE)
        return dataclasses.replace(settings, sdt_dirs=[str(tmp_path)])

    async def test_result_comes_back_in_the_action_resource(self, cse_app, client, lamp):
        known = catalogue(cse_app)
        requests = example_requests(known["lights:colTe"], known, "/cse-in/proxy", "white")
        await create_all(client, with_acp(requests), "Cproxy")
        action = "/cse-in/proxy/white/calibrate"
        forged = await client.update(action, {"lights:calie": {"resut": 1}}, originator="Cuser")
        assert forged.rsc == 4000 and "read-only" in forged.body["m2m:dbg"]
        invoked = await client.update(action, {"lights:calie": {}}, originator="Cuser")
        assert invoked.rsc == 2004, invoked
        assert lamp.asked[-1] == {"lights:calie": {}}
        assert (await client.retrieve(action, originator="Cuser")).pc["resut"] == 6500
