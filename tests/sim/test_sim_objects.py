"""The simulated objects and their bookkeeping, without a network: a host stands in for the device."""

from __future__ import annotations

import asyncio

import pytest

from ipe_sdt.lwm2m import Attributes
from ipe_sdt.sim.lwm2m import make_package, parse_package
from ipe_sdt.sim.lwm2m.errors import SimError
from ipe_sdt.sim.lwm2m.objects.firmware_update import FirmwareUpdateInstance
from ipe_sdt.sim.lwm2m.objects.light_control import LightControlInstance
from ipe_sdt.sim.lwm2m.objects.on_off_switch import OnOffSwitchInstance
from ipe_sdt.sim.lwm2m.objects.software_management import SoftwareManagementInstance
from ipe_sdt.sim.lwm2m.observers import Observers, merge
from ipe_sdt.sim.lwm2m.package_format import PackageError
from ipe_sdt.sim.lwm2m.store import ObjectStore


class Host:
    """What an object instance may ask of its device, recorded; time moves by hand."""

    endpoint = "unit"
    lwm2m_version = "1.1"

    def __init__(self) -> None:
        self.clock = 1_700_000_000.0
        self.changes: list[tuple[int, ...]] = []
        self.reboots: list[str] = []
        self.updates = 0

    def changed(self, path):
        self.changes.append(path)

    def spawn(self, coroutine, name):
        asyncio.get_running_loop().create_task(coroutine)

    def request_reboot(self, reason):
        self.reboots.append(reason)

    def request_factory_reset(self):
        self.reboots.append("factory reset")

    def request_registration_update(self):
        self.updates += 1

    def request_bootstrap(self):
        pass

    async def fetch_package(self, uri):
        raise AssertionError("no downloads in unit tests")

    def now(self):
        return self.clock


def test_package_format():
    package = make_package("firmware", "fw", "1.2.3", b"body")
    info = parse_package(package, "firmware")
    assert (info.kind, info.name, info.version, info.fail) == ("firmware", "fw", "1.2.3", False)
    for data, kind, reason in [
        (b"", "firmware", "type"),
        (b"LWM2M-SIM-PKG 1\n{not json}\n", "firmware", "type"),
        (b"LWM2M-SIM-PKG 1\n" + b"x" * 5000, "firmware", "type"),
        (b'LWM2M-SIM-PKG 1\n["list"]\n', "firmware", "type"),
        (package, "software", "type"),
        (make_package("firmware", "fw", "1", b"a", corrupt=True), "firmware", "integrity"),
        (package[:-1], "firmware", "integrity"),
    ]:
        with pytest.raises(PackageError) as error:
            parse_package(data, kind)
        assert error.value.reason == reason


async def test_firmware_push_update_and_restart():
    host = Host()
    fw = FirmwareUpdateInstance(0, host)
    fw.update_time = 0.0
    updated = []
    fw.on_updated = updated.append
    fw.write(0, make_package("firmware", "fw", "2.0"))
    assert (fw.get(3), fw.get(5), fw.get(7)) == (2, 0, "2.0")
    fw.execute(2, {})
    assert fw.get(3) == 3
    for _ in range(20):
        if host.reboots:
            break
        await asyncio.sleep(0.01)
    assert host.reboots == ["firmware updated to 2.0"] and updated == ["2.0"]
    assert (fw.get(3), fw.get(5)) == (0, 1)
    assert (5, 0, 3) in host.changes and (5, 0, 5) in host.changes


async def test_firmware_restart_in_the_middle():
    host = Host()
    fw = FirmwareUpdateInstance(0, host)
    fw.values[3] = 1  # downloading
    fw.reset_after_reboot()
    assert (fw.get(3), fw.get(5)) == (0, 4)
    fw.values[3] = 3  # updating
    fw.reset_after_reboot()
    assert (fw.get(3), fw.get(5)) == (2, 8)
    fw.write(1, "")  # an empty URI resets a downloaded package
    assert (fw.get(3), fw.get(5)) == (0, 0)
    fw.values[3] = 3
    with pytest.raises(SimError):
        fw.write(0, b"")  # but not while updating


async def test_software_state_machine_locally():
    host = Host()
    sw = SoftwareManagementInstance(0, host)
    sw.write(2, make_package("software", "app", "1.0"))
    assert (sw.get(7), sw.get(9)) == (3, 3)
    sw.execute(4, {})
    sw.execute(10, {})
    assert (sw.get(7), sw.get(12), sw.get(0)) == (4, True, "app")
    sw.execute(6, {0: "1"})  # for update: stays installed-and-active in spirit
    assert (sw.get(7), sw.get(0), sw.get(12)) == (0, "app", True)
    with pytest.raises(SimError):
        sw.execute(10, {})


def test_light_counts_on_time_and_energy():
    host = Host()
    light = LightControlInstance(0, host)
    light.write(5850, True)
    host.clock += 3600
    assert light.get(5852) == 3600
    assert light.get(5805) == pytest.approx(9.0)
    light.write(5851, 50)
    host.clock += 3600
    assert light.get(5805) == pytest.approx(13.5)
    light.write(5852, 0)
    assert light.get(5852) == 0
    light.write(5850, False)
    host.clock += 100
    assert light.get(5852) == 0
    with pytest.raises(SimError):
        light.write(5851, 101)


def test_switch_counts_transitions_and_times():
    host = Host()
    switch = OnOffSwitchInstance(0, host)
    host.clock += 10
    assert switch.get(5854) == 10 and switch.get(5852) == 0
    switch.press(True)
    switch.press(True)  # no change, no count
    host.clock += 5
    assert (switch.get(5500), switch.get(5501), switch.get(5852), switch.get(5854)) == (True, 1, 5, 0)
    switch.write(5852, 100)
    assert switch.get(5852) == 100
    assert (3342, 0, 5500) in host.changes


def test_store_reads_and_access():
    host = Host()
    store = ObjectStore()
    store.support(3311, lambda iid, h: LightControlInstance(iid, h))
    store.support(5, lambda iid, h: FirmwareUpdateInstance(iid, h))
    store.add(LightControlInstance(0, host))
    store.add(FirmwareUpdateInstance(0, host))
    assert store.read((3311, 0, 5850)) == {(3311, 0, 5850): False}
    assert (5, 0, 8, 0) in store.read((5, 0))
    for path, code in [((5, 0, 0), "4.05"), ((3311, 0, 9999), "4.04"), ((3311, 3), "4.04"), ((42,), "4.04"),
                       ((5, 0, 8, 9), "4.04"), ((3311, 0, 5850, 0), "4.04")]:
        with pytest.raises(SimError) as error:
            store.read(path)
        assert str(error.value.code).startswith(code)
    created = store.create(3311, None, host)
    assert created.iid == 1
    with pytest.raises(SimError):
        store.create(5, None, host)  # single instance, exists
    with pytest.raises(SimError):
        store.remove(5, 0)
    store.remove(3311, 1)
    objects = {o.id: o for o in store.registration_objects(with_versions=True)}
    assert objects[5].version == "1.2" and objects[3311].instances == (0,)


def test_observer_attributes_inherit_and_validate():
    observers = Observers(lambda p: None, lambda: (1, 60), lambda: True)
    assert observers.effective((3, 0, 9)) == Attributes(pmin=1, pmax=60)
    observers.write((3,), Attributes(pmax=30), frozenset())
    observers.write((3, 0, 9), Attributes(pmin=5, gt=50.0), frozenset())
    assert observers.effective((3, 0, 9)) == Attributes(pmin=5, pmax=30, gt=50.0)
    assert observers.effective((3, 0, 1)) == Attributes(pmin=1, pmax=30)
    observers.write((3, 0, 9), Attributes(), frozenset({"gt"}))
    assert observers.effective((3, 0, 9)).gt is None
    with pytest.raises(ValueError):
        observers.write((3, 0, 9), Attributes(gt=10.0, lt=20.0), frozenset())
    with pytest.raises(ValueError):
        observers.write((3, 0, 9), Attributes(gt=30.0, lt=20.0, st=6.0), frozenset())
    assert merge(Attributes(pmin=1), Attributes()) == Attributes(pmin=1)
