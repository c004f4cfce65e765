"""Templates in a configured directory, loaded at start and picked up while the CSE runs: added,
changed, broken, removed (with and without resources of them)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

import pytest

from cse import config

CND = "com.acme.lights.moduleclass.nightLight"

NIGHT_LIGHT = """<?xml version="1.0" encoding="UTF-8"?>
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="com.acme.lights">
    <ModuleClasses>
        <ModuleClass name="nightLight">
            <Data>
                <DataPoint name="level"><DataType><Simple type="integer"/></DataType></DataPoint>
{extra}
            </Data>
        </ModuleClass>
    </ModuleClasses>
</Domain>
"""
COLOUR = '<DataPoint name="colour" optional="true"><DataType><Simple type="string"/></DataType></DataPoint>'


def night_light(extra: str = "") -> str:
    return NIGHT_LIGHT.format(extra=extra)


@pytest.fixture
def templates(tmp_path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(settings, templates):
    return dataclasses.replace(settings, sdt_dirs=[str(templates)], sdt_reload_interval=0.02)


@pytest.fixture
async def app(client):
    assert (await client.register_ae("app", originator="Capp")).rsc == 2001
    client.originator = "Capp"
    return client


_names = iter(range(1_000_000))


async def create(app, **attrs) -> int:
    body = {"lights:nigLt": {"rn": f"n{next(_names)}", "cnd": CND, "lvl": 1, **attrs}}
    return (await app.create("/cse-in/app", 28, body)).rsc


async def eventually(check, what: str) -> None:
    """Wait for the watcher to notice; fail after a long grace (no assumption on how fast)."""
    for _ in range(1000):
        if await check():
            return
        await asyncio.sleep(0.02)
    pytest.fail(f"the CSE never {what}")


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


async def test_added_and_changed_template(app, templates):
    assert await create(app) == 4125
    write(templates / "night.xml", night_light())

    async def registered() -> bool:
        return await create(app) == 2001
    await eventually(registered, "registered the added template")

    assert await create(app, color="red") == 4000
    write(templates / "night.xml", night_light(COLOUR))

    async def changed() -> bool:
        return await create(app, color="red") == 2001
    await eventually(changed, "picked up the change")

    listed = await app.retrieve("/cse-in/app?fu=1&ty=28")
    (first, *_) = listed.body["m2m:uril"]
    got = await app.retrieve("/" + first)
    assert got.rsc == 2000 and list(got.body) == ["lights:nigLt"] and got.pc["cnd"] == CND


async def test_removed_template_without_resources_is_forgotten(app, templates):
    write(templates / "night.xml", night_light())

    async def registered() -> bool:
        reply = await app.create("/cse-in/app", 28, {"lights:nigLt": {"rn": "probe", "cnd": CND, "lvl": 1}})
        if reply.rsc == 2001:
            assert (await app.delete("/cse-in/app/probe")).rsc == 2002
        return reply.rsc == 2001
    await eventually(registered, "registered the template")
    (templates / "night.xml").unlink()

    async def forgotten() -> bool:
        # Asked with a wrong value, so that nothing is created while it is still registered.
        return await create(app, lvl="high") == 4125
    await eventually(forgotten, "forgot the removed template")


async def test_resources_keep_a_removed_template_registered(app, templates, caplog):
    caplog.set_level(logging.WARNING, logger="cse.sdt")
    write(templates / "night.xml", night_light())

    async def registered() -> bool:
        return await create(app) == 2001
    await eventually(registered, "registered the template")
    (templates / "night.xml").unlink()

    async def warned() -> bool:
        return any("resources of it exist" in r.getMessage() and "lights:nigLt" in r.getMessage()
                   for r in caplog.records)
    await eventually(warned, "warned about the resources")
    assert await create(app) == 2001


async def test_broken_change_is_reported_and_the_last_good_version_kept(app, templates, caplog):
    caplog.set_level(logging.ERROR, logger="cse.sdt")
    write(templates / "night.xml", night_light())

    async def registered() -> bool:
        return await create(app) == 2001
    await eventually(registered, "registered the template")
    broken = night_light('<DataPoint name="oops"><DataType><Simple type="quaternion"/></DataType></DataPoint>')
    write(templates / "night.xml", broken)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "quaternion" in text)

    async def reported() -> bool:
        return any(f"night.xml:{line}: error:" in r.getMessage() for r in caplog.records)
    await eventually(reported, "reported the broken template at file:line")
    assert "last good version stays registered" in caplog.text
    assert await create(app) == 2001


class TestAtStart:
    @pytest.fixture
    def settings(self, settings, templates):
        write(templates / "night.xml", night_light())
        write(templates / "broken.xml", "<Domain xmlns='http://www.onem2m.org/xml/sdt/4.0' id='x'><Oops/>")
        write(templates / "twin.xml", night_light(COLOUR).replace("com.acme.lights", "com.acme.lights.moduleclass"))
        return dataclasses.replace(settings, sdt_dirs=[str(templates), str(templates / "missing")])

    @pytest.fixture
    def cse_app(self, caplog, cse_app):
        return cse_app

    async def test_broken_templates_are_reported_and_the_rest_works(self, app, caplog, cse_app):
        # The valid template is registered, and so is the whole TS-0023 set.
        assert await create(app) == 2001
        switch = {"rn": "s", "cnd": "org.onem2m.common.moduleclass.binarySwitch", "state": True}
        assert (await app.create("/cse-in/app", 28, {"cod:binSh": switch})).rsc == 2001
        messages = [r.getMessage() for r in caplog.get_records("setup") if r.name == "cse.sdt"]
        assert any("broken.xml:1: error:" in m for m in messages), messages
        # The same containerDefinition, described differently by a second template: that one is skipped.
        assert any("twin.xml skipped" in m and CND in m for m in messages), messages
        assert await create(app, color="red") == 4000
        assert any("missing does not exist" in m for m in messages), messages


def test_settings():
    assert config.load(None, {}, {}).sdt_release == "5"
    loaded = config.load(None, {"CSE_SDT_DIRS": "/a,/b", "CSE_SDT_RELEASE": "4"}, {"sdt_reload_interval": "0.5"})
    assert (loaded.sdt_dirs, loaded.sdt_release, loaded.sdt_reload_interval) == (["/a", "/b"], "4", 0.5)
    with pytest.raises(config.ConfigError, match="sdt_release '3' must be one of 5, 4"):
        config.load(None, {"CSE_SDT_RELEASE": "3"}, {})
    with pytest.raises(config.ConfigError, match="sdt_reload_interval"):
        config.load(None, {}, {"sdt_reload_interval": "-1"})
