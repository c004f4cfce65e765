"""TS-0008 clause 6.2: request and response parameters in CoAP options, Uri-Path and Uri-Query,
Content-Formats, the response code mapping, and Release 5 FETCH with a request primitive."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import cbor2
import orjson
import pytest

from tests.coap.coap_client import EC, GID, OT, RQI, RSC, RVI, VSI, CoapClient
from tests.onem2m_client import Reply

MAX_AGE, CONTENT_FORMAT = 14, 12
PREQ_JSON, PREQ_CBOR, PREQ_XML = 10007, 10012, 10006


def stamp(delta_seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=delta_seconds)).strftime("%Y%m%dT%H%M%S")


@pytest.fixture
async def ae(coap):
    assert (await coap.register_ae("map", originator="Cmap")).rsc == 2001
    coap.originator = "Cmap"
    for value in ("one", "two", "three"):
        await coap.create("/cse-in/map", 3, {"m2m:cnt": {"rn": value, "lbl": ["k:" + value, "all"]}})
    return coap


# -- options -----------------------------------------------------------------------------------


async def test_response_parameters_are_onem2m_options(coap_admin):
    reply = await coap_admin.retrieve("/cse-in", rqi="my-request-7")
    message = reply.message
    assert reply.code == "2.05"
    assert message.opt.get_option(RSC)[0].encode() == (2000).to_bytes(2, "big")  # uint, 2 bytes
    assert message.opt.get_option(RQI)[0].encode() == b"my-request-7"
    assert message.opt.get_option(RVI)[0].encode() == b"3"
    ot = message.opt.get_option(OT)[0].encode()
    assert len(ot) == 15 and ot[8:9] == b"T"  # TS-0008: YYYYMMDDThhmmss
    # TS-0008 clause 6.4: Max-Age 0, so that no CoAP cache answers in the CSE's place.
    assert message.opt.max_age == 0
    assert int(message.opt.content_format) == 50


async def test_release_1_originator_gets_no_release_option(coap_admin):
    reply = await coap_admin.retrieve("/cse-in", rvi=None)
    assert reply.rsc == 2000 and not reply.message.opt.get_option(RVI)


async def test_create_answers_with_location_path(coap):
    reply = await coap.register_ae("loc", originator="Cloc")
    assert reply.code == "2.01" and reply.message.opt.location_path == ("cse-in", "loc")
    cnt = await coap.create("/~/id-in/cse-in/loc", 3, {"m2m:cnt": {"rn": "c"}}, originator="Cloc")
    assert cnt.message.opt.location_path == ("cse-in", "loc", "c")


async def test_event_category_group_and_vendor_options_are_accepted(ae):
    reply = await ae.create("/cse-in/map/one", 4, {"m2m:cin": {"con": "x"}}, options={EC: 2, GID: "g-1", VSI: "v"})
    assert reply.code == "2.01"


async def test_time_options(ae):
    late = await ae.create("/cse-in/map", 3, {"m2m:cnt": {"rn": "late"}}, headers={"X-M2M-RET": stamp(-60)})
    assert late.code == "5.04" and late.rsc == 4008
    assert (await ae.create("/cse-in/map", 3, {"m2m:cnt": {"rn": "in-time"}},
                            headers={"X-M2M-RET": stamp(60), "X-M2M-OT": stamp(0)})).code == "2.01"
    assert (await ae.retrieve("/cse-in/map", headers={"X-M2M-OET": "50"})).code == "2.05"


# -- Uri-Path and Uri-Query --------------------------------------------------------------------


async def test_to_in_uri_path_cse_relative_sp_relative_absolute(ae):
    ri = (await ae.retrieve("/cse-in/map/one")).pc["ri"]
    for path in (f"/{ri}", "/~/id-in/cse-in/map/one", f"/~/id-in/{ri}", f"/_/example.com/id-in/{ri}"):
        reply = await ae.retrieve(path)
        assert reply.code == "2.05" and reply.pc["rn"] == "one", path


async def test_query_lists_use_plus(ae):
    found = (await ae.retrieve("/cse-in/map?fu=1&lbl=k:one+k:three&fo=2")).body["m2m:uril"]
    assert found == ["cse-in/map/one", "cse-in/map/three"]


async def test_operation_in_uri_query_with_post(ae):
    # TS-0008 clause 6.2.2.3: non-blocking requests are POSTs naming their operation.
    asynch = await ae.request("POST", "/cse-in/map?op=2&rt=1")
    assert asynch.rsc == 5206 and asynch.code == "5.01"
    blocking = await ae.request("POST", "/cse-in/map?op=2")
    assert blocking.rsc == 2000 and blocking.code == "2.05" and blocking.pc["rn"] == "map"
    contradiction = await ae.request("GET", "/cse-in/map?op=3")
    assert contradiction.rsc == 4000 and contradiction.code == "4.00"
    assert (await ae.request("POST", "/cse-in/map?op=9")).rsc == 4000


# -- Content-Formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, serialization",
    [(50, "json"), (60, "cbor"), (41, "xml"), (10001, "json"), (10010, "cbor"), (10014, "xml")],
)
async def test_accept_picks_the_content_format(ae, number, serialization):
    reply = await ae.retrieve("/cse-in/map/one", accept=number)
    assert reply.code == "2.05" and int(reply.message.opt.content_format) == number
    raw = reply.raw
    decoded = {"json": orjson.loads, "cbor": cbor2.loads}.get(serialization)
    if decoded:
        assert decoded(raw)["m2m:cnt"]["rn"] == "one"
    else:
        assert raw.startswith(b"<?xml") and b'rn="one"' in raw


@pytest.mark.parametrize("number, media", [(10001, "json"), (10010, "cbor"), (10014, "xml")])
async def test_onem2m_content_formats_in_requests(ae, number, media):
    reply = await ae.create("/cse-in/map", 3, {"m2m:cnt": {"rn": f"via{number}"}}, media=media,
                            content_type=number, accept=50)
    assert reply.code == "2.01" and reply.pc["rn"] == f"via{number}"


async def test_the_answer_comes_in_the_request_serialization(ae):
    reply = await ae.create("/cse-in/map", 3, {"m2m:cnt": {"rn": "cb"}}, media="cbor", accept=None)
    assert int(reply.message.opt.content_format) == 60 and cbor2.loads(reply.raw)["m2m:cnt"]["rn"] == "cb"


# -- response codes (Table 6.2.4-1) ------------------------------------------------------------


async def test_code_mapping(ae, coap_admin):
    cases: list[tuple[Reply, int, str]] = [
        (await ae.retrieve("/cse-in/map"), 2000, "2.05"),
        (await ae.create("/cse-in/map", 3, {"m2m:cnt": {"rn": "new"}}), 2001, "2.01"),
        (await ae.update("/cse-in/map/new", {"m2m:cnt": {"lbl": ["u"]}}), 2004, "2.04"),
        (await ae.delete("/cse-in/map/new"), 2002, "2.02"),
        (await ae.retrieve("/cse-in/map?rcn=99"), 4000, "4.00"),
        (await ae.retrieve("/cse-in", rvi="7"), 4001, "5.01"),
        (await ae.retrieve("/cse-in/map/none"), 4004, "4.04"),
        (await ae.update("/cse-in/map/one/la", {"m2m:cin": {"lbl": ["x"]}}), 4005, "4.05"),
        (await ae.retrieve("/cse-in/map", headers={"X-M2M-RET": stamp(-10)}), 4008, "5.04"),
        (await ae.create("/cse-in/map", 3, {"m2m:cnt": {}}, content_type=0), 4015, "4.15"),
        (await ae.retrieve("/cse-in/map", originator="Cstranger"), 4103, "4.03"),
        (await ae.create("/cse-in/map", 4, {"m2m:cin": {"con": "x"}}), 4108, "4.03"),
        (await coap_admin.register_ae("map", originator="Cmap"), 4117, "4.03"),
        (await coap_admin.register_ae("xx", originator="Xno"), 4126, "4.03"),
        (await ae.retrieve("/cse-in/map?rt=2"), 5206, "5.01"),
        (await ae.retrieve("/cse-in/map", accept=0), 5207, "4.06"),
    ]
    for reply, rsc, code in cases:
        assert (reply.rsc, reply.code) == (rsc, code), reply


# -- Release 5: FETCH with the request primitive in the payload (TS-0008 clause 6.6) ------------


async def fetch(client: CoapClient, path: str, primitive: dict, content_format: int = PREQ_JSON, **kw):
    encoders = {PREQ_JSON: orjson.dumps, PREQ_CBOR: cbor2.dumps}
    if content_format == PREQ_XML:
        from cse.serialization import xml_codec  # only to write the test's XML document
        payload = xml_codec.encode({"m2m:rqp": primitive})
    else:
        payload = encoders[content_format](primitive)
    message = client.message("FETCH", path, **kw)
    message.payload = payload
    message.opt.content_format = content_format
    return await client.send(message)


@pytest.mark.parametrize("content_format", [PREQ_JSON, PREQ_CBOR, PREQ_XML])
async def test_fetch_carries_a_retrieve_primitive(ae, content_format):
    primitive = {"op": 2, "fr": "Cmap", "rqi": "fetch-1", "rvi": "5", "fc": {"fu": 1, "lbl": ["all"], "lim": 2}}
    reply = await fetch(ae, "/cse-in/map", primitive, content_format, originator=None, rqi=None, rvi=None, accept=50)
    assert reply.code == "2.05" and reply.rsc == 2000
    assert reply.body["m2m:uril"] == ["cse-in/map/one", "cse-in/map/two"]
    assert reply.headers["X-M2M-RI"] == "fetch-1" and reply.headers["X-M2M-RVI"] == "5"


async def test_fetch_with_result_content_and_attribute_filter(ae):
    primitive = {"op": 2, "rqi": "f2", "rcn": 6}
    references = (await fetch(ae, "/cse-in/map", primitive)).body["m2m:rrl"]["rrf"]
    assert [ref["nm"] for ref in references] == ["one", "two", "three"]
    by_attribute = {"op": 2, "rqi": "f3", "fc": {"fu": 1, "atr": [{"nm": "rn", "val": "two"}]}}
    assert (await fetch(ae, "/cse-in/map", by_attribute)).body["m2m:uril"] == ["cse-in/map/two"]


async def test_fetch_primitive_that_is_no_retrieve_or_unknown(ae):
    wrong_op = await fetch(ae, "/cse-in/map", {"op": 1, "rqi": "f4"})
    assert wrong_op.rsc == 4000 and "operation" in wrong_op.body["m2m:dbg"]
    unknown = await fetch(ae, "/cse-in/map", {"op": 2, "rqi": "f5", "zzz": 1})
    assert unknown.rsc == 4000 and "zzz" in unknown.body["m2m:dbg"]
    not_a_primitive = await fetch(ae, "/cse-in/map", [1, 2])  # type: ignore[arg-type]
    assert not_a_primitive.rsc == 4000
