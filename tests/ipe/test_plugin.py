"""The SDT IPE as a plugin of the CSE: enabled by configuration, registered as an AE."""

import pytest

from cse.app import Application
from cse.config import Settings
from cse.plugins import PluginError
from tests.onem2m_client import OneM2MClient, free_port


async def test_plugin_registers_its_ae_and_adapter_and_stops_cleanly():
    settings = Settings(db=":memory:", http_port=free_port(), coap_port=0, plugins=["sdt"],
                        plugin_options={"sdt": {"drivers": []}})
    app = Application(settings)
    await app.start()
    try:
        async with OneM2MClient(app.http.url, originator="CAdmin") as admin:
            ae = await admin.retrieve("/cse-in/sdt-ipe")
            assert ae.rsc == 2000 and ae.pc["aei"] == "Csdt-ipe" and "interworking:sdt" in ae.pc["lbl"]
        assert app.cse.adapters.adapter_for_originator("Csdt-ipe") is not None
    finally:
        await app.stop()
    assert app.cse.adapters.adapter_for_originator("Csdt-ipe") is None


async def test_plugin_finds_its_ae_again_after_a_restart(tmp_path):
    db = str(tmp_path / "cse.sqlite")
    for _ in range(2):
        settings = Settings(db=db, http_port=free_port(), coap_port=0, plugins=["sdt"],
                            plugin_options={"sdt": {"drivers": []}})
        app = Application(settings)
        await app.start()  # the second start must not fail on the AE registered by the first
        try:
            async with OneM2MClient(app.http.url, originator="CAdmin") as admin:
                found = (await admin.request("GET", "/cse-in?fu=1&ty=2")).body["m2m:uril"]
                assert found.count("cse-in/sdt-ipe") == 1
        finally:
            await app.stop()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"colour": "blue"}, "unknown option"),
        ({"drivers": ["zigbee"]}, "drivers must be"),
        ({"drivers": "lwm2m"}, "drivers must be"),
    ],
)
def test_bad_plugin_options_are_refused_clearly(options, message):
    with pytest.raises(PluginError, match=message):
        Application(Settings(db=":memory:", http_port=free_port(), coap_port=0, plugins=["sdt"],
                             plugin_options={"sdt": options}))


def test_unknown_plugin_is_refused():
    with pytest.raises(PluginError, match="unknown plugin"):
        Application(Settings(db=":memory:", plugins=["nope"]))
