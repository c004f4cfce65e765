"""Every TS-0023 specialization of the shared facts, through the CSE's HTTP binding: created with its
type name, containerDefinition and short names, retrieved, updated; and the R4 forms on request."""

from __future__ import annotations

import csv
import dataclasses
from typing import Any

import pytest

from cse.model.specializations import DOMAIN_NAMESPACES
from tests.sdt.conftest import SHARED_DIR

FACTS = SHARED_DIR / "sdt"
# The one type name the CSE corrects (TS-0023 table 6.3.2-1 wins over the facts' deDPr).
CORRECTED = {"cod:deDPr": "cod:dTDPr"}

SAMPLES: dict[str, tuple[Any, Any]] = {
    # CSV type: (value on Create, value on Update), as JSON carries them
    "string": ("text", "other text"),
    "timestamp": ("20250101T120000", "20250102T130000"),
    "float": (1.5, 2.5),
    "integer": (3, 7),  # within the bounds the shipped templates add (percent, 0..255)
    "nonNegInteger": (3, 4),
    "boolean": (True, False),
    "list": ([], []),  # item types differ (the shipped templates say them); empty fits all
    "anyuri": ("http://example.com/a", "http://example.com/b"),
    "dateTime": ("2025-01-01T12:00:00Z", "2025-01-02T12:00:00Z"),
    "time": ("12:00:00", "13:00:00"),
    "date": ("2025-01-01", "2025-01-02"),
}


def same(stored: Any, sent: Any) -> bool:
    # The CSE keeps timestamps in one canonical form, with fractions of a second.
    return stored == sent or isinstance(sent, str) and stored == sent + ",000000"


def facts() -> list[tuple[str, dict[str, str], list[dict[str, str]]]]:
    """(type name, row, attribute rows) of every TS-0023 specialization of the shared facts."""
    table, attributes = FACTS / "ts0023-r5.6-specializations.csv", FACTS / "ts0023-r5.6-attributes.csv"
    if not table.exists():
        return []
    with attributes.open(newline="") as f:
        by_type: dict[str, list[dict[str, str]]] = {}
        for row in csv.DictReader(f):
            by_type.setdefault(row["type"], []).append(row)
    with table.open(newline="") as f:
        return [
            (f"{row['ns']}:{row['shortname']}", row, by_type.get(f"{row['ns']}:{row['shortname']}", []))
            for row in csv.DictReader(f)
            if row["ns"] != "m2m" and not row["shortname"].endswith(("Annc", "Inst"))
        ]


FACTS_ROWS = facts()


@pytest.fixture
async def app(client):
    if not FACTS_ROWS:
        pytest.skip("the shared TS-0023 facts are not beside this checkout")
    assert (await client.register_ae("app", originator="Capp")).rsc == 2001
    client.originator = "Capp"
    return client


async def test_every_ts0023_specialization_is_created_retrieved_and_updated(app):
    assert len(FACTS_ROWS) == 260
    for index, (csv_type, row, attributes) in enumerate(FACTS_ROWS):
        tpe = CORRECTED.get(csv_type, csv_type)
        rn = f"s{index}"
        values = {a["sname"]: SAMPLES[a["atype"]][0] for a in attributes}
        created = await app.create("/cse-in/app", 28, {tpe: {"rn": rn, "cnd": row["cnd"], **values}})
        assert created.rsc == 2001, (tpe, created)
        assert list(created.body) == [tpe]

        got = await app.retrieve(f"/cse-in/app/{rn}")
        assert got.rsc == 2000 and list(got.body) == [tpe], (tpe, got)
        stored = got.pc
        assert stored["cnd"] == row["cnd"] and stored["ty"] == 28
        for name, value in values.items():
            assert same(stored[name], value), (tpe, name, stored[name])

        changes = {a["sname"]: SAMPLES[a["atype"]][1] for a in attributes}
        updated = await app.update(f"/cse-in/app/{rn}", {tpe: {"lbl": [row["longname"]], **changes}})
        assert updated.rsc == 2004, (tpe, updated)
        after = (await app.retrieve(f"/cse-in/app/{rn}")).pc
        assert after["lbl"] == [row["longname"]]
        for name, value in changes.items():
            assert same(after[name], value), (tpe, name, after[name])


async def test_mandatory_attributes_and_types_are_checked(app):
    """A sample of the set: what the facts call mandatory is, and values are typed as they say."""
    switch = {"rn": "sw", "cnd": "org.onem2m.common.moduleclass.binarySwitch"}
    switch = await app.create("/cse-in/app", 28, {"cod:binSh": switch})
    assert switch.rsc == 4000 and "state" in switch.body["m2m:dbg"]
    reboot = {"rn": "rb", "cnd": "org.onem2m.management.action.reboot", "rebTe": -1}
    refused = await app.create("/cse-in/app", 28, {"mad:rebot": reboot})
    assert refused.rsc == 4000 and "rebTe" in refused.body["m2m:dbg"]
    stamped = {"rn": "ts", "cnd": "org.onem2m.common.moduleclass.clock", "curTe": "12:00:00", "curDe": "2025-01-01",
               "dgt": "yesterday"}
    refused = await app.create("/cse-in/app", 28, {"cod:clock": stamped})
    assert refused.rsc == 4000 and "timestamp" in refused.body["m2m:dbg"]
    printer = {"rn": "p", "cnd": "org.onem2m.common.device.device3DPrinter"}
    printer = await app.create("/cse-in/app", 28, {"cod:deDPr": printer})
    assert printer.rsc == 4125  # only the specification's name, dTDPr, is known


async def test_each_domain_serializes_in_its_namespace(app):
    seen: dict[str, str] = {}
    for csv_type, row, attributes in FACTS_ROWS:
        prefix = csv_type.partition(":")[0]
        if prefix in seen or any(a["car"] == "1" for a in attributes):
            continue
        seen[prefix] = CORRECTED.get(csv_type, csv_type)
        made = await app.create("/cse-in/app", 28, {seen[prefix]: {"rn": prefix, "cnd": row["cnd"]}}, media="xml")
        assert made.rsc == 2001, made
        assert f'xmlns:{prefix}="{DOMAIN_NAMESPACES[prefix]}"'.encode() in made.raw
        assert f"<{seen[prefix]} ".encode() in made.raw
    assert set(seen) == {"agd", "cid", "cod", "hed", "hod", "mad", "mdd", "psd", "rad", "ved"}


async def test_children_follow_the_facts(app):
    light = {"rn": "lamp", "cnd": "org.onem2m.common.device.deviceLight"}
    assert (await app.create("/cse-in/app", 28, {"cod:devLt": light})).rsc == 2001
    battery = {"rn": "bat", "cnd": "org.onem2m.common.moduleclass.battery", "lvl": 50}
    refused = await app.create("/cse-in/app/lamp", 28, {"cod:bat": battery})
    assert refused.rsc == 4108 and "cod:binSh" in refused.body["m2m:dbg"]
    cuff = {"rn": "cuff", "cnd": "org.onem2m.health.subdevice.subDeviceCuff"}
    assert (await app.create("/cse-in/app", 28, {"hed:suDCf": cuff})).rsc == 2001
    # The corrected children: the common domain's binarySwitch belongs under a cuff.
    switch = {"rn": "sw", "cnd": "org.onem2m.common.moduleclass.binarySwitch", "state": True}
    assert (await app.create("/cse-in/app/cuff", 28, {"cod:binSh": switch})).rsc == 2001


class TestRelease4:
    @pytest.fixture
    def settings(self, settings):
        return dataclasses.replace(settings, sdt_release="4")

    async def test_binary_switch_has_power_state(self, app):
        cnd = "org.onem2m.common.moduleclass.binarySwitch"
        made = await app.create("/cse-in/app", 28, {"cod:binSh": {"rn": "sw", "cnd": cnd, "powSe": True}})
        assert made.rsc == 2001, made
        assert (await app.update("/cse-in/app/sw", {"cod:binSh": {"powSe": False}})).rsc == 2004
        assert (await app.retrieve("/cse-in/app/sw")).pc["powSe"] is False
        r5 = await app.create("/cse-in/app", 28, {"cod:binSh": {"rn": "sw5", "cnd": cnd, "state": True}})
        assert r5.rsc == 4000 and "'state'" in r5.body["m2m:dbg"]
