"""One scenario in every serialization (TS-0004 clause 8: JSON, CBOR, XML), plus Accept negotiation.

Each scenario test runs once per media type the CSE announces; XML also gets hand-written
requests, because the XML a test client produces from a dict is not what a device sends.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import cbor2
import orjson
import pytest

from tests.onem2m_client import OneM2MClient, Reply

M2M_NS = "http://www.onem2m.org/xml/protocols"

MEDIA_TYPES = [
    "application/json",
    "application/vnd.onem2m-res+json",
    "application/cbor",
    "application/vnd.onem2m-res+cbor",
    "application/xml",
    "application/vnd.onem2m-res+xml",
]

# Every attribute short name is at most four lower-case letters; long names must never appear.
SHORT_NAME = re.compile(r"^[a-z]{1,4}$")


def is_xml(media: str) -> bool:
    return "xml" in media


def wire(value: Any, media: str) -> Any:
    """``value`` as it comes back after decoding ``media``: XML turns scalars into text."""
    if not is_xml(media):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and not any(isinstance(v, dict) for v in value):
        return " ".join(str(wire(v, media)) for v in value)
    if isinstance(value, dict):
        return {k: wire(v, media) for k, v in value.items()}
    return str(value)


def parse_xml(raw: bytes) -> ET.Element:
    return ET.fromstring(raw)


def m2m(tag: str) -> str:
    return f"{{{M2M_NS}}}{tag}"


async def register(client: OneM2MClient, media: str, name: str = "app") -> Reply:
    body = {"m2m:ae": {"rn": name, "api": f"N{name}", "rr": False, "srv": ["3"]}}
    return await client.create("/cse-in", 2, body, originator=f"C{name}", media=media)


async def make_container(client: OneM2MClient, media: str) -> Reply:
    assert (await register(client, media)).rsc == 2001
    body = {"m2m:cnt": {"rn": "box", "mni": 3, "lbl": ["room:kitchen", "kind:temp"]}}
    return await client.create("/cse-in/app", 3, body, originator="Capp", media=media)


async def add_instance(client: OneM2MClient, media: str, con: Any, **attrs: Any) -> Reply:
    body = {"m2m:cin": {"con": con, **attrs}}
    return await client.create("/cse-in/app/box", 4, body, originator="Capp", media=media)


@pytest.fixture(params=MEDIA_TYPES)
def media(request) -> str:
    return request.param


# -- the scenario, once per serialization -----------------------------------------------------


async def test_register_ae_answers_in_the_request_serialization(client, media):
    reply = await register(client, media)
    assert reply.status == 201 and reply.rsc == 2001, reply
    assert reply.headers["Content-Type"] == media
    ae = reply.pc
    assert ae["ri"] == "Capp" and ae["rn"] == "app" and ae["api"] == "Napp"
    assert ae["rr"] == wire(False, media)
    assert ae["srv"] == wire(["3"], media)
    assert ae["ty"] == wire(2, media)


async def test_create_container_keeps_types_of_mni_and_lbl(client, media):
    reply = await make_container(client, media)
    assert reply.rsc == 2001, reply
    assert reply.headers["Content-Location"] == "/cse-in/app/box"
    cnt = reply.pc
    assert cnt["mni"] == wire(3, media)
    assert cnt["lbl"] == wire(["room:kitchen", "kind:temp"], media)
    assert cnt["cni"] == wire(0, media)
    # The JSON view of the same resource shows the real types, whatever the create used.
    as_json = await client.retrieve("/cse-in/app/box", originator="Capp", media="json")
    assert as_json.pc["mni"] == 3 and as_json.pc["lbl"] == ["room:kitchen", "kind:temp"]


async def test_string_content_instance_round_trips(client, media):
    await make_container(client, media)
    created = await add_instance(client, media, "21.5 C", cnf="text/plain:0")
    assert created.rsc == 2001, created
    assert created.pc["con"] == "21.5 C" and created.pc["cs"] == wire(6, media)
    latest = await client.retrieve("/cse-in/app/box/la", originator="Capp", media=media)
    assert latest.rsc == 2000 and latest.headers["Content-Type"] == media
    assert latest.pc["con"] == "21.5 C" and latest.pc["cnf"] == "text/plain:0"


async def test_json_object_content_instance_round_trips(client, media):
    await make_container(client, media)
    content = {"temp": 21, "unit": "C", "ok": True}
    created = await add_instance(client, media, content)
    assert created.rsc == 2001, created
    latest = await client.retrieve("/cse-in/app/box/la", originator="Capp", media=media)
    # XML carries the structure but not the JSON scalar types (xs:anyType holds text).
    assert latest.pc["con"] == wire(content, media)


async def test_update_container_changes_limits_and_trims_instances(client, media):
    await make_container(client, media)
    for value in ("1", "2", "3"):
        assert (await add_instance(client, media, value)).rsc == 2001
    reply = await client.update(
        "/cse-in/app/box", {"m2m:cnt": {"mni": 1, "lbl": ["moved"]}}, originator="Capp", media=media
    )
    assert reply.status == 200 and reply.rsc == 2004, reply
    assert reply.pc["mni"] == wire(1, media) and reply.pc["lbl"] == wire(["moved"], media)
    assert reply.pc["cni"] == wire(1, media)
    oldest = await client.retrieve("/cse-in/app/box/ol", originator="Capp", media=media)
    assert oldest.pc["con"] == "3"


async def test_discovery_lists_structured_addresses(client, media):
    await make_container(client, media)
    await add_instance(client, media, "x")
    reply = await client.retrieve("/cse-in/app?fu=1&ty=3", originator="Capp", media=media)
    assert reply.rsc == 2000, reply
    assert reply.body["m2m:uril"] == wire(["cse-in/app/box"], media)


async def test_discovery_by_label_uses_plus_for_alternatives(client, media):
    await make_container(client, media)
    reply = await client.retrieve("/cse-in?fu=1&lbl=nothing+kind:temp", originator="Capp", media=media)
    assert reply.body["m2m:uril"] == wire(["cse-in/app/box"], media)


async def test_retrieve_with_child_resources(client, media):
    await make_container(client, media)
    await add_instance(client, media, "a")
    await add_instance(client, media, "b")
    reply = await client.retrieve("/cse-in/app/box?rcn=4", originator="Capp", media=media)
    assert reply.rsc == 2000, reply
    children = reply.pc["m2m:cin"]
    assert [child["con"] for child in children] == ["a", "b"]


async def test_error_response_is_dbg_in_the_same_serialization(client, media):
    await register(client, media)
    reply = await client.retrieve("/cse-in/app/missing", originator="Capp", media=media)
    assert reply.status == 404 and reply.rsc == 4004
    assert reply.headers["Content-Type"] == media
    assert list(reply.body) == ["m2m:dbg"]
    assert "missing" in reply.body["m2m:dbg"]


async def test_bad_request_error_is_dbg_in_the_same_serialization(client, media):
    await register(client, media)
    body = {"m2m:cnt": {"rn": "x", "mni": "lots"}}
    reply = await client.create("/cse-in/app", 3, body, originator="Capp", media=media)
    assert reply.status == 400 and reply.rsc == 4000
    assert reply.headers["Content-Type"] == media
    assert "mni" in reply.body["m2m:dbg"]


async def test_delete_then_retrieve_is_not_found(client, media):
    await make_container(client, media)
    deleted = await client.delete("/cse-in/app/box", originator="Capp", media=media)
    assert deleted.status == 200 and deleted.rsc == 2002
    assert (await client.retrieve("/cse-in/app/box", originator="Capp", media=media)).rsc == 4004


async def test_only_short_names_on_the_wire(client, media):
    reply = await make_container(client, media)
    assert list(reply.body) == ["m2m:cnt"]
    assert all(SHORT_NAME.match(name) for name in reply.pc), reply.pc
    cse = await client.retrieve("/cse-in", originator="Capp", media=media)
    assert list(cse.body) == ["m2m:cb"]
    assert all(SHORT_NAME.match(name) for name in cse.pc), cse.pc


# -- XML as devices write it --------------------------------------------------------------------

CNT_XML = f'<m2m:cnt xmlns:m2m="{M2M_NS}" rn="c"><mni>3</mni><lbl>a b</lbl></m2m:cnt>'


async def create_raw(client: OneM2MClient, path: str, ty: int, body: bytes, media: str, **kw: Any) -> Reply:
    return await client.request("POST", path, body=body, content_type=f"{media};ty={ty}", media=media, **kw)


@pytest.mark.parametrize("xml_media", ["application/xml", "application/vnd.onem2m-res+xml"])
async def test_hand_written_xml_container_is_coerced_to_attribute_types(client, xml_media):
    await register(client, "json")
    reply = await create_raw(client, "/cse-in/app", 3, CNT_XML.encode(), xml_media, originator="Capp",
                             accept="application/json")
    assert reply.rsc == 2001, reply
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.pc["rn"] == "c" and reply.pc["mni"] == 3 and reply.pc["lbl"] == ["a", "b"]


async def test_hand_written_xml_ae_gets_a_boolean_rr(client):
    doc = (f'<m2m:ae xmlns:m2m="{M2M_NS}" rn="dev"><api>Ndev</api><rr>true</rr>'
           "<srv>3 4</srv><poa>http://10.0.0.1:80 coap://10.0.0.1</poa></m2m:ae>")
    reply = await create_raw(client, "/cse-in", 2, doc.encode(), "application/xml", originator="Cdev",
                             accept="application/json")
    assert reply.rsc == 2001, reply
    assert reply.pc["rr"] is True and reply.pc["srv"] == ["3", "4"]
    assert reply.pc["poa"] == ["http://10.0.0.1:80", "coap://10.0.0.1"]


async def test_hand_written_xml_with_pretty_printing_and_declaration(client):
    await register(client, "json")
    doc = (f'<?xml version="1.0" encoding="UTF-8"?>\n<m2m:cnt xmlns:m2m="{M2M_NS}"\n'
           '     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" rn="pretty">\n'
           "  <mni>\n    7\n  </mni>\n  <mbs>1000</mbs>\n</m2m:cnt>\n")
    reply = await create_raw(client, "/cse-in/app", 3, doc.encode(), "application/xml", originator="Capp",
                             accept="application/json")
    assert reply.rsc == 2001, reply
    assert reply.pc["mni"] == 7 and reply.pc["mbs"] == 1000


async def test_empty_xml_resource_element_creates_a_default_container(client):
    await register(client, "json")
    doc = f'<m2m:cnt xmlns:m2m="{M2M_NS}"/>'
    reply = await create_raw(client, "/cse-in/app", 3, doc.encode(), "application/xml", originator="Capp",
                             accept="application/json")
    assert reply.rsc == 2001, reply
    assert reply.pc["cni"] == 0 and reply.pc["ri"] == reply.pc["rn"]


async def test_empty_xml_element_is_an_empty_structure(client):
    # An accessControlPolicy that grants nobody anything: <pv/> is a privileges structure without rules.
    doc = (f'<m2m:acp xmlns:m2m="{M2M_NS}" rn="closed"><pv/>'
           "<pvs><acr><acor>CAdmin</acor><acop>63</acop></acr></pvs></m2m:acp>")
    reply = await create_raw(client, "/cse-in", 1, doc.encode(), "application/xml", originator="CAdmin",
                             accept="application/json")
    assert reply.rsc == 2001, reply
    assert reply.pc["pv"] == {} and reply.pc["pvs"] == {"acr": [{"acor": ["CAdmin"], "acop": 63}]}


async def test_xml_string_content_keeps_its_whitespace(client):
    await register(client, "json")
    await client.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "box"}}, originator="Capp")
    doc = f'<m2m:cin xmlns:m2m="{M2M_NS}"><con>  two  spaces </con></m2m:cin>'
    reply = await create_raw(client, "/cse-in/app/box", 4, doc.encode(), "application/xml", originator="Capp",
                             accept="application/json")
    assert reply.rsc == 2001, reply
    assert reply.pc["con"] == "  two  spaces " and reply.pc["cs"] == 14


@pytest.mark.parametrize("text, expected", [("true", True), ("false", False), ("1", True), ("0", False)])
async def test_xml_booleans(client, text, expected):
    doc = f'<m2m:ae xmlns:m2m="{M2M_NS}" rn="b"><api>Nb</api><rr>{text}</rr><srv>3</srv></m2m:ae>'
    reply = await create_raw(client, "/cse-in", 2, doc.encode(), "application/xml", originator="Cb",
                             accept="application/json")
    assert reply.rsc == 2001 and reply.pc["rr"] is expected


async def test_xml_update_with_hand_written_document(client):
    await register(client, "json")
    await create_raw(client, "/cse-in/app", 3, CNT_XML.encode(), "application/xml", originator="Capp")
    doc = f'<m2m:cnt xmlns:m2m="{M2M_NS}"><mni>9</mni><lbl>x</lbl></m2m:cnt>'
    reply = await client.request("PUT", "/cse-in/app/c", body=doc.encode(), content_type="application/xml",
                                 originator="Capp", accept="application/json")
    assert reply.rsc == 2004, reply
    assert reply.pc["mni"] == 9 and reply.pc["lbl"] == ["x"]


async def test_xml_answer_puts_rn_in_an_attribute_and_space_separates_lists(client):
    await register(client, "json")
    reply = await create_raw(client, "/cse-in/app", 3, CNT_XML.encode(), "application/xml", originator="Capp")
    assert reply.headers["Content-Type"] == "application/xml"
    root = parse_xml(reply.raw)
    assert root.tag == m2m("cnt")
    assert root.get("rn") == "c" and root.find("rn") is None
    assert root.findtext("mni") == "3"
    assert root.findtext("lbl") == "a b"
    assert root.findtext("ri") and root.findtext("ct")
    # Attribute elements are unqualified, as in the oneM2M XSD.
    assert all(not child.tag.startswith("{") for child in root)


async def test_xml_answer_for_child_resources_and_references(client):
    await register(client, "json")
    await create_raw(client, "/cse-in/app", 3, CNT_XML.encode(), "application/xml", originator="Capp")
    await client.create("/cse-in/app/c", 4, {"m2m:cin": {"rn": "one", "con": "1"}}, originator="Capp")
    nested = await client.retrieve("/cse-in/app/c?rcn=4", originator="Capp", accept="application/xml")
    children = parse_xml(nested.raw).findall(m2m("cin"))
    assert [child.get("rn") for child in children] == ["one"]
    assert children[0].findtext("con") == "1"
    refs = await client.retrieve("/cse-in/app/c?rcn=6", originator="Capp", accept="application/xml")
    root = parse_xml(refs.raw)
    assert root.tag == m2m("rrl")
    rrf = root.find("rrf")
    assert rrf.get("nm") == "one" and rrf.get("typ") == "4" and rrf.text == "cse-in/app/c/one"


async def test_xml_discovery_result_is_space_separated(client):
    await register(client, "json")
    for name in ("a", "b"):
        await client.create("/cse-in/app", 3, {"m2m:cnt": {"rn": name}}, originator="Capp")
    reply = await client.retrieve("/cse-in/app?fu=1&ty=3", originator="Capp", accept="application/xml")
    root = parse_xml(reply.raw)
    assert root.tag == m2m("uril")
    assert sorted(root.text.split()) == ["cse-in/app/a", "cse-in/app/b"]


async def test_xml_dbg_error_is_well_formed(client):
    reply = await client.retrieve("/cse-in/nothing<&>here", originator="CAdmin", accept="application/xml")
    assert reply.rsc == 4004
    root = parse_xml(reply.raw)
    assert root.tag == m2m("dbg") and "nothing<&>here" in root.text


@pytest.mark.parametrize(
    "content",
    [
        {"a b": 1},  # not an XML element name
        {"1st": 1},
        {"x:y": 1},  # an undeclared namespace prefix
        "bell\x07",  # XML 1.0 cannot carry this character at all
    ],
    ids=["space-in-key", "digit-first-key", "prefixed-key", "control-char"],
)
async def test_content_without_xml_form_is_not_acceptable_as_xml_but_fine_as_json(client, content):
    await register(client, "json")
    await client.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "box"}}, originator="Capp")
    assert (await client.create("/cse-in/app/box", 4, {"m2m:cin": {"con": content}}, originator="Capp")).rsc == 2001
    as_xml = await client.retrieve("/cse-in/app/box/la", originator="Capp", accept="application/xml")
    # Never malformed XML, never a 500: the CSE says the representation is not available.
    assert as_xml.status == 406 and as_xml.rsc == 5207
    assert "m2m:dbg" in as_xml.body
    as_json = await client.retrieve("/cse-in/app/box/la", originator="Capp", accept="application/json")
    assert as_json.rsc == 2000 and as_json.pc["con"] == content


async def test_list_entries_with_spaces_travel_as_repeated_xml_elements(client):
    windows = ["* * * * * *", "0 0-30 8-17 * * 1-5"]
    rule = {"acor": ["Capp"], "acop": 2, "acco": [{"actw": windows}]}
    acp = {"m2m:acp": {"rn": "win", "pv": {"acr": [rule]}, "pvs": {"acr": [{"acor": ["CAdmin"], "acop": 63}]}}}
    assert (await client.create("/cse-in", 1, acp, originator="CAdmin")).rsc == 2001
    as_xml = await client.retrieve("/cse-in/win", originator="CAdmin", accept="application/xml")
    acco = parse_xml(as_xml.raw).find("pv/acr/acco")
    assert [window.text for window in acco.findall("actw")] == windows
    # The XML answer, sent back as a new resource, means the same windows again.
    again = as_xml.raw.replace(b'rn="win"', b'rn="again"')
    for name in (b"ri", b"ct", b"lt", b"et", b"pi", b"ty"):
        again = _without_element(again, name)
    created = await create_raw(client, "/cse-in", 1, again, "application/xml", originator="CAdmin",
                               accept="application/json")
    assert created.rsc == 2001, created
    assert created.pc["pv"]["acr"][0]["acco"][0]["actw"] == windows


def _without_element(document: bytes, name: bytes) -> bytes:
    start = document.find(b"<" + name + b">")
    end = document.find(b"</" + name + b">", start)
    return document if start < 0 else document[:start] + document[end + len(name) + 3:]


async def test_write_whose_result_has_no_xml_form_still_reports_success(client):
    await register(client, "json")
    await client.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "box"}}, originator="Capp")
    created = await client.create("/cse-in/app/box", 4, {"m2m:cin": {"rn": "odd", "con": {"a b": 1}}},
                                  originator="Capp", accept="application/xml")
    # The instance exists, so the answer must say so; it comes as JSON since XML cannot carry it.
    assert created.status == 201 and created.rsc == 2001
    assert created.headers["Content-Type"] == "application/json"
    assert created.headers["Content-Location"] == "/cse-in/app/box/odd"
    assert created.pc["con"] == {"a b": 1}
    updated = await client.update("/cse-in/app/box", {"m2m:cnt": {"lbl": ["bell\x07"]}}, originator="Capp",
                                  accept="application/xml")
    assert updated.rsc == 2004 and updated.pc["lbl"] == ["bell\x07"]
    deleted = await client.delete("/cse-in/app/box/odd", originator="Capp", accept="application/xml")
    assert deleted.rsc == 2002


async def test_json_list_content_with_structures_is_repeated_elements_in_xml(client):
    await register(client, "json")
    await client.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "box"}}, originator="Capp")
    content = {"items": [{"n": 1}, {"n": 2}]}
    await client.create("/cse-in/app/box", 4, {"m2m:cin": {"con": content}}, originator="Capp")
    reply = await client.retrieve("/cse-in/app/box/la", originator="Capp", accept="application/xml")
    con = parse_xml(reply.raw).find("con")
    assert [item.findtext("n") for item in con.findall("items")] == ["1", "2"]
    assert "{" not in reply.raw.decode()  # no Python or JSON syntax leaking into XML


# -- CBOR specifics ------------------------------------------------------------------------------


async def test_cbor_answer_is_real_cbor_with_native_types(client):
    reply = await make_container(client, "application/cbor")
    decoded = cbor2.loads(reply.raw)
    assert decoded["m2m:cnt"]["mni"] == 3 and decoded["m2m:cnt"]["lbl"] == ["room:kitchen", "kind:temp"]


async def test_cbor_self_describe_tag_is_accepted(client):
    await register(client, "json")
    body = b"\xd9\xd9\xf7" + cbor2.dumps({"m2m:cnt": {"rn": "tagged", "mni": 2}})
    reply = await create_raw(client, "/cse-in/app", 3, body, "application/cbor", originator="Capp")
    assert reply.rsc == 2001, reply
    assert reply.pc["mni"] == 2


# -- Accept negotiation --------------------------------------------------------------------------


@pytest.mark.parametrize("request_media", ["json", "cbor", "xml"])
@pytest.mark.parametrize("answer_media", ["application/json", "application/cbor", "application/xml"])
async def test_request_in_one_serialization_answered_in_another(client, request_media, answer_media):
    body = {"m2m:ae": {"rn": "x", "api": "Nx", "rr": True, "srv": ["3"]}}
    reply = await client.create("/cse-in", 2, body, originator="Cx", media=request_media, accept=answer_media)
    assert reply.rsc == 2001, reply
    assert reply.headers["Content-Type"] == answer_media
    assert reply.pc["rr"] == wire(True, answer_media)


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("application/xml;q=0.2, application/cbor;q=0.8", "application/cbor"),
        ("application/cbor;q=0.1, application/xml", "application/xml"),
        ("text/html, application/vnd.onem2m-res+json;q=0.5", "application/vnd.onem2m-res+json"),
        ("Application/JSON", "application/json"),
        ("application/json; charset=utf-8", "application/json"),
        ("application/xml;q=0, application/cbor;q=0.3", "application/cbor"),
        ("text/html;q=1.0, application/cbor;q=0.001", "application/cbor"),
    ],
)
async def test_accept_with_quality_values(client, accept, expected):
    reply = await client.retrieve("/cse-in", originator="CAdmin", accept=accept)
    assert reply.rsc == 2000, reply
    assert reply.headers["Content-Type"] == expected


@pytest.mark.parametrize("accept", ["*/*", "application/*", "*/*;q=0.1"])
async def test_wildcard_accept_answers_in_the_request_serialization(client, accept):
    body = cbor2.dumps({"m2m:ae": {"rn": "w", "api": "Nw", "rr": False, "srv": ["3"]}})
    reply = await create_raw(client, "/cse-in", 2, body, "application/cbor", originator="Cw", accept=accept)
    assert reply.rsc == 2001
    assert reply.headers["Content-Type"] == "application/cbor"


async def test_wildcard_accept_on_retrieve_answers_json(client):
    reply = await client.retrieve("/cse-in", originator="CAdmin", accept="*/*")
    assert reply.headers["Content-Type"] == "application/json"
    assert "m2m:cb" in orjson.loads(reply.raw)


async def test_wildcard_does_not_bring_back_an_excluded_type(client):
    reply = await client.retrieve("/cse-in", originator="CAdmin", accept="application/json;q=0, */*")
    assert reply.rsc == 2000
    assert reply.headers["Content-Type"] != "application/json"
    assert reply.body["m2m:cb"]["ri"] == "id-in"


@pytest.mark.parametrize("accept", ["text/html", "image/png, text/plain", "application/json;q=0", "*/*;q=0"])
async def test_unsupported_accept_is_not_acceptable(client, accept):
    reply = await client.retrieve("/cse-in", originator="CAdmin", accept=accept)
    assert reply.status == 406 and reply.rsc == 5207
    assert "Accept" in reply.body["m2m:dbg"]
    # Nothing was done, and the CSE keeps answering.
    assert (await client.retrieve("/cse-in", originator="CAdmin")).rsc == 2000


async def test_unsupported_accept_on_create_creates_nothing(client):
    body = {"m2m:ae": {"rn": "never", "api": "Nn", "rr": False, "srv": ["3"]}}
    reply = await client.create("/cse-in", 2, body, originator="Cnever", accept="text/html")
    assert reply.rsc == 5207
    assert (await client.retrieve("/cse-in/never", originator="CAdmin")).rsc == 4004
