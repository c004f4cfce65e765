"""Bad input of every kind: the right status code, a readable m2m:dbg, never a 500, and the CSE
keeps serving afterwards.

The body limit is set small here so that over-limit bodies are cheap to send.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
from typing import Any
from xml.etree import ElementTree

import cbor2
import orjson
import pytest

from cse.config import Settings
from cse.serialization import xml_codec
from tests.onem2m_client import OneM2MClient, Reply

BODY_LIMIT = 4096
M2M_NS = "http://www.onem2m.org/xml/protocols"
JSON, CBOR, XML = "application/json", "application/cbor", "application/xml"

_names = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings (from conftest) with a small body limit."""
    return dataclasses.replace(settings, max_body_size=BODY_LIMIT)


@pytest.fixture(autouse=True)
async def keeps_serving(client: OneM2MClient):
    """Every test here ends with a good request: no bad input may leave the CSE broken."""
    yield


@pytest.fixture
async def box(client: OneM2MClient) -> str:
    """An AE 'Cbad' with a container 'box' holding one contentInstance 'first'."""
    assert (await client.register_ae("bad", originator="Cbad")).rsc == 2001
    assert (await client.create("/cse-in/bad", 3, {"m2m:cnt": {"rn": "box"}}, originator="Cbad")).rsc == 2001
    first = await client.create("/cse-in/bad/box", 4, {"m2m:cin": {"rn": "first", "con": "1"}}, originator="Cbad")
    assert first.rsc == 2001
    return "/cse-in/bad/box"


def encode(body: Any, media: str) -> bytes:
    if "cbor" in media:
        return cbor2.dumps(body)
    if "xml" in media:
        return xml_codec.encode(body)
    return orjson.dumps(body)


def assert_refused(reply: Reply, rsc: int = 4000, status: int = 400, mentions: str | None = None) -> None:
    """The request failed as expected, with a readable explanation."""
    assert reply.rsc == rsc and reply.status == status, reply
    assert isinstance(reply.body, dict) and list(reply.body) == ["m2m:dbg"], reply
    dbg = reply.body["m2m:dbg"]
    assert isinstance(dbg, str) and len(dbg) > 10, dbg
    if mentions is not None:
        assert mentions.lower() in dbg.lower(), dbg


async def assert_still_serving(client: OneM2MClient) -> None:
    """A good request right after a bad one: create and read back a fresh container."""
    name = f"ok{next(_names)}"
    created = await client.create("/cse-in", 3, {"m2m:cnt": {"rn": name}}, originator="CAdmin")
    assert created.rsc == 2001, created
    assert (await client.retrieve(f"/cse-in/{name}", originator="CAdmin")).rsc == 2000


async def post_raw(client: OneM2MClient, path: str, ty: int | str, body: bytes, media: str = JSON,
                   originator: str = "Cbad") -> Reply:
    return await client.request("POST", path, body=body, content_type=f"{media};ty={ty}", originator=originator,
                                accept=JSON)


async def put_raw(client: OneM2MClient, path: str, body: bytes, media: str = JSON, originator: str = "Cbad") -> Reply:
    return await client.request("PUT", path, body=body, content_type=media, originator=originator, accept=JSON)


# -- bodies that do not parse ---------------------------------------------------------------------

MALFORMED = [
    (JSON, b"{"),
    (JSON, b'{"m2m:cnt": {"rn": }}'),
    (JSON, b'{"m2m:cnt": {"rn": "x"}} trailing'),
    (JSON, b"\xff\xfe{\x00}\x00"),
    (JSON, b"{'m2m:cnt': {}}"),
    (JSON, b'{"m2m:cnt": {"mni": NaN}}'),
    (CBOR, b"\xa1"),
    (CBOR, b"\xff"),
    (CBOR, b"\x1f"),
    (CBOR, cbor2.dumps({"m2m:cnt": {}}) + b"\x00"),
    (CBOR, b"\x7b\xff\xff\xff\xff\xff\xff\xff\xff"),  # a text string claiming 2**64 bytes
    (XML, b"<m2m:cnt"),
    (XML, b"<a><b></a>"),
    (XML, b"not xml at all"),
    (XML, b"<m2m:cnt><mni>1</mni></m2m:cnt>"),  # unbound prefix
    (XML, b'<?xml version="1.0" encoding="no-such-encoding"?><a/>'),
    (XML, f'<m2m:cnt xmlns:m2m="{M2M_NS}"><lbl>\xff</lbl></m2m:cnt>'.encode("latin-1")),
]


@pytest.mark.parametrize("media, body", MALFORMED, ids=[f"{m.split('/')[1]}-{i}" for i, (m, _) in enumerate(MALFORMED)])
async def test_malformed_body_is_a_bad_request(client, box, media, body):
    reply = await post_raw(client, "/cse-in/bad", 3, body, media)
    assert_refused(reply, mentions="malformed")


@pytest.mark.parametrize("body", [b"null", b"[]", b'"m2m:cnt"', b"42", b'{"m2m:cnt": {}, "m2m:ae": {}}',
                                  b'{"m2m:cnt": "x"}', b'{"m2m:cnt": [1]}'])
async def test_json_that_is_not_one_resource_representation(client, box, body):
    assert_refused(await post_raw(client, "/cse-in/bad", 3, body))


@pytest.mark.parametrize("media", [JSON, CBOR, XML])
async def test_truncated_bodies_are_bad_requests(client, box, media):
    whole = encode({"m2m:cnt": {"rn": "cut", "mni": 5, "lbl": ["a", "b"], "mbs": 1000}}, media)
    for length in sorted({1, 2, len(whole) // 3, len(whole) // 2, len(whole) - 2, len(whole) - 1}):
        reply = await post_raw(client, "/cse-in/bad", 3, whole[:length], media)
        assert_refused(reply)
    # Nothing half-created under the name.
    assert (await client.retrieve("/cse-in/bad/cut", originator="Cbad")).rsc == 4004


async def raw_exchange(client: OneM2MClient, head: bytes, *parts: bytes, half_close: bool = False,
                       pause: float = 0.0) -> bytes:
    """Send bytes on a fresh connection and return whatever the CSE answers within 5 s."""
    host, port = client.base_url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)
        for part in parts:
            await writer.drain()
            await asyncio.sleep(pause)
            writer.write(part)
        await writer.drain()
        if half_close:
            writer.write_eof()
        return await asyncio.wait_for(reader.read(65536), 5)
    finally:
        writer.close()


def request_head(extra: str, path: str = "/cse-in/bad", ty: int = 3) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: cse\r\nX-M2M-Origin: Cbad\r\nX-M2M-RI: raw\r\nX-M2M-RVI: 3\r\n"
            f"Content-Type: application/json;ty={ty}\r\nConnection: close\r\n{extra}\r\n").encode()


async def test_body_cut_off_by_the_client_does_not_hurt_the_server(client, box):
    answer = await raw_exchange(client, request_head("Content-Length: 200\r\n"), b'{"m2m:cnt": {"rn"',
                                half_close=True)
    # The client left before its body was complete: an answer is optional, a 500 is not.
    assert b" 500 " not in answer.split(b"\r\n", 1)[0]
    assert (await client.retrieve("/cse-in/bad/box", originator="Cbad")).rsc == 2000


# -- wrong types, unknown and missing attributes ---------------------------------------------------

WRONG_TYPES = [
    ("json", 3, {"m2m:cnt": {"mni": "lots"}}, "mni"),
    ("json", 3, {"m2m:cnt": {"mni": True}}, "mni"),
    ("json", 3, {"m2m:cnt": {"mni": 1.5}}, "mni"),
    ("json", 3, {"m2m:cnt": {"mni": -1}}, "mni"),
    ("json", 3, {"m2m:cnt": {"mni": [3]}}, "mni"),
    ("json", 3, {"m2m:cnt": {"lbl": {"a": 1}}}, "lbl"),
    ("json", 3, {"m2m:cnt": {"lbl": "a b"}}, "lbl"),
    ("json", 3, {"m2m:cnt": {"lbl": [1, 2]}}, "lbl"),
    ("json", 3, {"m2m:cnt": {"rn": 5}}, "rn"),
    ("json", 3, {"m2m:cnt": {"et": "tomorrow"}}, "et"),
    ("json", 3, {"m2m:cnt": {"acpi": "acp1"}}, "acpi"),
    ("json", 2, {"m2m:ae": {"api": "Nx", "rr": ["yes"], "srv": ["3"]}}, "rr"),
    ("json", 2, {"m2m:ae": {"api": "Nx", "rr": "true", "srv": ["3"]}}, "rr"),
    ("json", 2, {"m2m:ae": {"api": 7, "rr": False, "srv": ["3"]}}, "api"),
    ("json", 2, {"m2m:ae": {"api": "Nx", "rr": False, "srv": "3"}}, "srv"),
    ("cbor", 3, {"m2m:cnt": {"mni": 2**70}}, "mni"),
    ("cbor", 3, {"m2m:cnt": {"mni": b"\x03"}}, "mni"),
    ("cbor", 3, {"m2m:cnt": {"lbl": [b"a"]}}, "lbl"),
    ("xml", 3, {"m2m:cnt": {"mni": "three"}}, "mni"),
    ("xml", 3, {"m2m:cnt": {"mbs": "1e3"}}, "mbs"),
    ("xml", 2, {"m2m:ae": {"api": "Nx", "rr": "yes", "srv": ["3"]}}, "rr"),
]


@pytest.mark.parametrize("media, ty, body, attribute", WRONG_TYPES,
                         ids=[f"{m}-{a}-{i}" for i, (m, _, _, a) in enumerate(WRONG_TYPES)])
async def test_wrong_attribute_types(client, box, media, ty, body, attribute):
    parent = "/cse-in" if ty == 2 else "/cse-in/bad"
    reply = await client.create(parent, ty, body, originator="Cwrongtype" if ty == 2 else "Cbad", media=media,
                                accept=JSON)
    assert_refused(reply, mentions=attribute)


@pytest.mark.parametrize("media", ["json", "cbor", "xml"])
async def test_unknown_attribute_is_named_in_the_answer(client, box, media):
    reply = await client.create("/cse-in/bad", 3, {"m2m:cnt": {"rn": "u", "colour": "red"}}, originator="Cbad",
                                media=media, accept=JSON)
    assert_refused(reply, mentions="colour")
    assert (await client.retrieve("/cse-in/bad/u", originator="Cbad")).rsc == 4004


@pytest.mark.parametrize("body", [{"m2m:cnt": {"resourceName": "long"}}, {"cnt": {"rn": "x"}},
                                  {"m2m:container": {"rn": "x"}}, {"m2m:ae": {"rn": "x"}}])
async def test_long_names_and_wrong_roots_are_refused(client, box, body):
    assert_refused(await client.create("/cse-in/bad", 3, body, originator="Cbad"))


@pytest.mark.parametrize(
    "ty, parent, body, missing",
    [
        (2, "/cse-in", {"m2m:ae": {"rr": False, "srv": ["3"]}}, "api"),
        (2, "/cse-in", {"m2m:ae": {"api": "Nm", "srv": ["3"]}}, "rr"),
        (4, "/cse-in/bad/box", {"m2m:cin": {"cnf": "text/plain:0"}}, "con"),
        (1, "/cse-in/bad", {"m2m:acp": {"pv": {"acr": []}}}, "pvs"),
    ],
)
async def test_missing_mandatory_attributes(client, box, ty, parent, body, missing):
    reply = await client.create(parent, ty, body, originator="Cmissing" if ty == 2 else "Cbad")
    assert_refused(reply, mentions=missing)


@pytest.mark.parametrize(
    "ty, parent, attribute, value",
    [
        (3, "/cse-in/bad", "ri", "mine"),
        (3, "/cse-in/bad", "ct", "20200101T000000"),
        (3, "/cse-in/bad", "lt", "20200101T000000"),
        (3, "/cse-in/bad", "cni", 0),
        (3, "/cse-in/bad", "cbs", 0),
        (3, "/cse-in/bad", "st", 0),
        (3, "/cse-in/bad", "pi", "id-in"),
        (3, "/cse-in/bad", "ty", 3),
        (4, "/cse-in/bad/box", "cs", 1),
        (2, "/cse-in", "aei", "Cx"),
    ],
)
async def test_not_permitted_attributes_on_create(client, box, ty, parent, attribute, value):
    tpe = {2: "m2m:ae", 3: "m2m:cnt", 4: "m2m:cin"}[ty]
    base = {2: {"api": "Nnp", "rr": False, "srv": ["3"]}, 3: {}, 4: {"con": "x"}}[ty]
    reply = await client.create(parent, ty, {tpe: {**base, attribute: value}},
                                originator="Cnp" if ty == 2 else "Cbad")
    assert_refused(reply, mentions=attribute)


async def test_creator_must_be_null_on_create(client, box):
    reply = await client.create("/cse-in/bad", 3, {"m2m:cnt": {"cr": "Csomeoneelse"}}, originator="Cbad")
    assert_refused(reply, mentions="cr")
    made = await client.create("/cse-in/bad", 3, {"m2m:cnt": {"rn": "mine", "cr": None}}, originator="Cbad")
    assert made.rsc == 2001 and made.pc["cr"] == "Cbad"


@pytest.mark.parametrize(
    "path, body, attribute",
    [
        ("/cse-in/bad/box", {"m2m:cnt": {"rn": "renamed"}}, "rn"),
        ("/cse-in/bad/box", {"m2m:cnt": {"ri": "x"}}, "ri"),
        ("/cse-in/bad/box", {"m2m:cnt": {"ct": "20200101T000000"}}, "ct"),
        ("/cse-in/bad/box", {"m2m:cnt": {"cni": 9}}, "cni"),
        ("/cse-in/bad/box", {"m2m:cnt": {"cr": None}}, "cr"),
        ("/cse-in/bad", {"m2m:ae": {"api": "Nother"}}, "api"),
        ("/cse-in/bad", {"m2m:ae": {"aei": "Cother"}}, "aei"),
    ],
)
async def test_not_permitted_attributes_on_update_change_nothing(client, box, path, body, attribute):
    before = await client.retrieve(path, originator="Cbad")
    assert_refused(await client.update(path, body, originator="Cbad"), mentions=attribute)
    after = await client.retrieve(path, originator="Cbad")
    assert after.pc == before.pc


@pytest.mark.parametrize("body", [{"m2m:cnt": {}}, {"m2m:cnt": {"mni": None, "colour": 1}}, {"m2m:ae": {"lbl": ["x"]}}])
async def test_useless_or_wrong_updates(client, box, body):
    assert_refused(await client.update("/cse-in/bad/box", body, originator="Cbad"))


async def test_mandatory_attribute_cannot_be_removed(client, box):
    assert_refused(await client.update("/cse-in/bad", {"m2m:ae": {"rr": None}}, originator="Cbad"), mentions="rr")


# -- types, parents and names ---------------------------------------------------------------------


@pytest.mark.parametrize("ty", ["999", "abc", "-1", "", "3.0", "0x3"])
async def test_invalid_resource_type(client, box, ty):
    reply = await post_raw(client, "/cse-in/bad", ty, b'{"m2m:cnt": {}}')
    assert_refused(reply, mentions="ty" if ty != "999" else "999")


@pytest.mark.parametrize(
    "parent, ty, body",
    [
        ("/cse-in/bad/box/first", 3, {"m2m:cnt": {"rn": "inner"}}),
        ("/cse-in/bad/box", 2, {"m2m:ae": {"rn": "inner", "api": "Ninner", "rr": False, "srv": ["3"]}}),
        ("/cse-in/bad", 4, {"m2m:cin": {"con": "x"}}),
        ("/cse-in", 4, {"m2m:cin": {"con": "x"}}),
        ("/cse-in", 5, {"m2m:cb": {}}),
    ],
)
async def test_child_type_not_allowed_under_parent(client, box, parent, ty, body):
    reply = await client.create(parent, ty, body, originator="CAdmin")
    assert_refused(reply, rsc=4108, status=403)


async def test_duplicate_resource_name_is_a_conflict(client, box):
    again = await client.create("/cse-in/bad", 3, {"m2m:cnt": {"rn": "box", "mni": 1}}, originator="Cbad")
    assert_refused(again, rsc=4105, status=409, mentions="box")
    # The original is untouched.
    assert "mni" not in (await client.retrieve("/cse-in/bad/box", originator="Cbad")).pc
    instance = await client.create("/cse-in/bad/box", 4, {"m2m:cin": {"rn": "first", "con": "2"}}, originator="Cbad")
    assert_refused(instance, rsc=4105, status=409)


async def test_ae_name_taken_by_another_ae_is_a_conflict(client, box):
    body = {"m2m:ae": {"rn": "bad", "api": "Nthief", "rr": False, "srv": ["3"]}}
    assert_refused(await client.create("/cse-in", 2, body, originator="Cthief"), rsc=4105, status=409)


@pytest.mark.parametrize("name", ["a/b", "../x", "sp ace", "la", "ol", "a?b", "ä", "x" * 256])
async def test_bad_or_reserved_resource_names(client, box, name):
    reply = await client.create("/cse-in/bad/box", 3, {"m2m:cnt": {"rn": name}}, originator="Cbad")
    assert_refused(reply)


async def test_reserved_names_are_free_outside_containers(client, box):
    # 'la' is only reserved where it names a virtual child: under an AE it is an ordinary name.
    assert (await client.create("/cse-in/bad", 3, {"m2m:cnt": {"rn": "la"}}, originator="Cbad")).rsc == 2001


@pytest.mark.parametrize("when", ["20000101T000000", "19991231T235959,5"])
async def test_expiration_time_in_the_past(client, box, when):
    assert_refused(await client.create("/cse-in/bad", 3, {"m2m:cnt": {"et": when}}, originator="Cbad"), mentions="et")
    assert_refused(await client.update("/cse-in/bad/box", {"m2m:cnt": {"et": when}}, originator="Cbad"), mentions="et")
    assert (await client.retrieve("/cse-in/bad/box", originator="Cbad")).rsc == 2000


# -- query parameters and headers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query, mentions",
    [
        ("rcn=99", "rcn"), ("rcn=abc", "rcn"), ("rcn=2", "rcn"), ("fu=9", "fu"), ("lim=-1", "lim"),
        ("lim=ten", "lim"), ("ty=x", "ty"), ("crb=yesterday", "crb"), ("colour=red", "colour"),
        ("fo=3", "fo"), ("drt=5", "drt"), ("lvl=1.5", "lvl"), ("ofst=0", "ofst"), ("rt=9", "rt"),
        ("sts=-3", "sts"),
    ],
)
async def test_bad_query_parameters(client, box, query, mentions):
    reply = await client.retrieve(f"/cse-in/bad/box?{query}", originator="Cbad")
    assert_refused(reply, mentions=mentions)


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/cse-in/bad/box", None),
    ("POST", "/cse-in/bad/box", {"m2m:cin": {"con": "x"}}),
    ("PUT", "/cse-in/bad/box", {"m2m:cnt": {"mni": 1}}),
    ("DELETE", "/cse-in/bad/box", None),
])
async def test_missing_originator(client, box, method, path, body):
    reply = await client.request(method, path, body=body, ty=4 if method == "POST" else None, originator=None)
    assert_refused(reply, mentions="originator")
    assert (await client.retrieve("/cse-in/bad/box", originator="Cbad")).pc.get("mni") is None


async def test_missing_originator_is_fine_for_ae_registration(client):
    body = {"m2m:ae": {"rn": "anon", "api": "Nanon", "rr": False, "srv": ["3"]}}
    reply = await client.create("/cse-in", 2, body, originator=None)
    assert reply.rsc == 2001 and reply.pc["aei"].startswith("C")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
async def test_missing_request_identifier(client, box, method):
    body = {"POST": {"m2m:cin": {"con": "x"}}, "PUT": {"m2m:cnt": {"mni": 1}}}.get(method)
    reply = await client.request(method, "/cse-in/bad/box", body=body, ty=4 if method == "POST" else None,
                                 originator="Cbad", rqi=None)
    assert_refused(reply, mentions="X-M2M-RI")
    # Neither deleted nor changed.
    after = await client.retrieve("/cse-in/bad/box", originator="Cbad")
    assert after.rsc == 2000 and after.pc["cni"] == 1 and "mni" not in after.pc


async def test_event_category_must_be_a_number(client, box):
    reply = await client.retrieve("/cse-in/bad/box", originator="Cbad", headers={"X-M2M-EC": "urgent"})
    assert_refused(reply, mentions="X-M2M-EC")


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "application/json-patch+json",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
async def test_unsupported_content_type(client, box, content_type):
    reply = await client.request("POST", "/cse-in/bad/box", body=b'{"m2m:cin": {"con": "x"}}',
                                 content_type=content_type, originator="Cbad", accept=JSON)
    assert_refused(reply, rsc=4015, status=415, mentions="Content-Type")


async def test_body_without_content_type(client, box):
    reply = await client.request("PUT", "/cse-in/bad/box", body=b'{"m2m:cnt": {"mni": 1}}',
                                 headers={"Content-Type": ""}, originator="Cbad", accept=JSON)
    assert_refused(reply, rsc=4015, status=415)


@pytest.mark.parametrize("method, body", [("GET", b'{"m2m:cnt": {}}'), ("DELETE", b"{}"), ("POST", b""), ("PUT", b"")])
async def test_content_where_none_belongs_or_none_where_needed(client, box, method, body):
    reply = await client.request(method, "/cse-in/bad/box", body=body or None,
                                 content_type="application/json;ty=4", originator="Cbad", accept=JSON)
    assert_refused(reply, mentions="content")
    assert (await client.retrieve("/cse-in/bad/box", originator="Cbad")).rsc == 2000


async def test_post_without_ty_is_not_a_create(client, box):
    reply = await client.request("POST", "/cse-in/bad/box", body=b'{"m2m:cin": {"con": "x"}}',
                                 content_type="application/json", originator="Cbad", accept=JSON)
    assert_refused(reply, mentions="ty")


@pytest.mark.parametrize("method", ["PATCH", "OPTIONS"])
async def test_methods_without_onem2m_meaning(client, box, method):
    reply = await client.request(method, "/cse-in/bad/box", body=b'{"m2m:cnt": {"mni": 1}}',
                                 content_type="application/json", originator="Cbad", accept=JSON)
    assert_refused(reply, rsc=4005, status=405, mentions=method)
    assert "mni" not in (await client.retrieve("/cse-in/bad/box", originator="Cbad")).pc


@pytest.mark.parametrize("body", [{"m2m:cin": {"lbl": ["changed"]}}, {"m2m:cin": {"con": "changed"}}],
                         ids=["lbl", "con"])
async def test_update_of_a_content_instance_is_not_allowed(client, box, body):
    reply = await client.update("/cse-in/bad/box/first", body, originator="Cbad")
    assert_refused(reply, rsc=4005, status=405)


async def test_update_of_a_content_instance_never_changes_its_content(client, box):
    await client.update("/cse-in/bad/box/first", {"m2m:cin": {"con": "changed"}}, originator="Cbad")
    assert (await client.retrieve("/cse-in/bad/box/first", originator="Cbad")).pc["con"] == "1"


@pytest.mark.parametrize("virtual", ["la", "ol"])
async def test_create_or_update_on_a_virtual_child(client, box, virtual):
    update = await client.update(f"/cse-in/bad/box/{virtual}", {"m2m:cin": {"lbl": ["x"]}}, originator="Cbad")
    assert_refused(update, rsc=4005, status=405)
    create = await client.create(f"/cse-in/bad/box/{virtual}", 4, {"m2m:cin": {"con": "x"}}, originator="Cbad")
    assert_refused(create, rsc=4005, status=405)


# -- size limits ----------------------------------------------------------------------------------


async def test_declared_body_over_the_limit(client, box):
    huge = orjson.dumps({"m2m:cin": {"con": "x" * (BODY_LIMIT * 4)}})
    reply = await post_raw(client, "/cse-in/bad/box", 4, huge)
    assert_refused(reply, mentions="limit")


async def test_body_of_exactly_the_limit_is_read_whole(client, box):
    filler = "x" * BODY_LIMIT
    body = orjson.dumps({"m2m:cin": {"con": filler}})
    body = orjson.dumps({"m2m:cin": {"con": filler[: BODY_LIMIT - (len(body) - BODY_LIMIT)]}})
    assert len(body) == BODY_LIMIT
    reply = await post_raw(client, "/cse-in/bad/box", 4, body)
    assert reply.rsc == 2001 and reply.pc["cs"] == BODY_LIMIT - len(b'{"m2m:cin":{"con":""}}')


async def test_over_limit_is_refused_without_reading_the_body(client, box):
    # Announce a gigabyte and send a few bytes: the answer must come without waiting for the rest.
    answer = await raw_exchange(client, request_head("Content-Length: 1000000000\r\n"), b'{"m2m:cin"')
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 400 " in status_line
    assert b"X-M2M-RSC: 4000" in rest and b"limit" in rest


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


async def test_chunked_body_over_the_limit_is_cut_off(client, box):
    # Never send the final chunk: the CSE must stop at the limit, not wait for the end.
    parts = [chunk(b"y" * 1024) for _ in range(BODY_LIMIT // 1024 + 2)]
    answer = await raw_exchange(client, request_head("Transfer-Encoding: chunked\r\n", "/cse-in/bad/box", 4), *parts)
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 400 " in status_line and b"X-M2M-RSC: 4000" in rest and b"limit" in rest


async def test_chunked_body_arriving_slowly_is_read_whole(client, box):
    body = orjson.dumps({"m2m:cin": {"rn": "slow", "con": "z" * 2000}})
    pieces = [chunk(body[i:i + 500]) for i in range(0, len(body), 500)] + [b"0\r\n\r\n"]
    answer = await raw_exchange(client, request_head("Transfer-Encoding: chunked\r\n", "/cse-in/bad/box", 4),
                                *pieces, pause=0.02)
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    slow = await client.retrieve("/cse-in/bad/box/slow", originator="Cbad")
    assert slow.pc["con"] == "z" * 2000


async def test_broken_chunked_framing_is_a_bad_request(client, box):
    answer = await raw_exchange(client, request_head("Transfer-Encoding: chunked\r\n", "/cse-in/bad/box", 4),
                                b"zz\r\nabc\r\n")
    # Framing errors are answered by the HTTP layer before any oneM2M processing; still a 400.
    assert answer.split(b"\r\n", 1)[0].split()[1] == b"400"


# -- XML attacks ----------------------------------------------------------------------------------

XML_ATTACKS = {
    "dtd": f'<!DOCTYPE m2m:cnt><m2m:cnt xmlns:m2m="{M2M_NS}" rn="dtd"/>',
    "internal-entity": (f'<!DOCTYPE m2m:cnt [<!ENTITY e "expanded">]>'
                        f'<m2m:cnt xmlns:m2m="{M2M_NS}" rn="ent"><lbl>&e;</lbl></m2m:cnt>'),
    "billion-laughs": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
        '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
        '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
        '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
        '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
        '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
        f'<m2m:cnt xmlns:m2m="{M2M_NS}" rn="lol"><lbl>&lol9;</lbl></m2m:cnt>'
    ),
    "external-entity": (f'<!DOCTYPE m2m:cnt [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                        f'<m2m:cnt xmlns:m2m="{M2M_NS}" rn="xxe"><lbl>&xxe;</lbl></m2m:cnt>'),
    "external-dtd": (f'<!DOCTYPE m2m:cnt SYSTEM "http://127.0.0.1:9/evil.dtd">'
                     f'<m2m:cnt xmlns:m2m="{M2M_NS}" rn="ext"/>'),
    "parameter-entity": (f'<!DOCTYPE m2m:cnt [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
                         f'<m2m:cnt xmlns:m2m="{M2M_NS}" rn="pe"/>'),
}


@pytest.mark.parametrize("attack", list(XML_ATTACKS))
async def test_xml_dtds_and_entities_are_refused_never_expanded(client, box, attack):
    reply = await post_raw(client, "/cse-in/bad", 3, XML_ATTACKS[attack].encode(), XML)
    assert_refused(reply, mentions="refused")
    assert b"root:" not in reply.raw and b"expanded" not in reply.raw and b"lollol" not in reply.raw
    children = await client.retrieve("/cse-in/bad?fu=1&ty=3", originator="Cbad")
    assert children.body["m2m:uril"] == ["cse-in/bad/box"]


# -- content that JSON cannot hold ----------------------------------------------------------------


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = {"n": value} if level % 2 else [value]
    return value


@pytest.mark.parametrize("depth", [40, 500, 5000])
async def test_deeply_nested_json_content(client, box, depth):
    body = b'{"m2m:cin": {"con": ' + b"[" * depth + b"1" + b"]" * depth + b"}}"
    assert_refused(await post_raw(client, "/cse-in/bad/box", 4, body))


@pytest.mark.parametrize("media", [CBOR, XML])
async def test_deeply_nested_content_in_other_serializations(client, box, media):
    if media == CBOR:
        body = cbor2.dumps({"m2m:cin": {"con": nested(300)}})
    else:
        body = (f'<m2m:cin xmlns:m2m="{M2M_NS}"><con>' + "<n>" * 300 + "x" + "</n>" * 300 + "</con></m2m:cin>").encode()
    assert_refused(await post_raw(client, "/cse-in/bad/box", 4, body, media), mentions="deep")


async def test_moderately_nested_content_is_fine(client, box):
    reply = await client.create("/cse-in/bad/box", 4, {"m2m:cin": {"con": nested(20)}}, originator="Cbad")
    assert reply.rsc == 2001 and reply.pc["con"] == nested(20)


CBOR_CONTENT = {
    "byte-string": b"\x00\x01",
    "bytes-in-list": ["ok", b"\x02"],
    "epoch-datetime-tag": cbor2.CBORTag(1, 1_700_000_000),
    "unknown-tag": cbor2.CBORTag(999, "x"),
    "bignum": 2**70,
    "negative-bignum": -(2**70),
    "nan": float("nan"),
    "infinity": float("inf"),
    "undefined": cbor2.undefined,
    "integer-keys": {1: "one"},
    "simple-value": cbor2.CBORSimpleValue(99),
}


@pytest.mark.parametrize("name", list(CBOR_CONTENT))
async def test_cbor_content_without_a_json_form_is_refused(client, box, name):
    body = cbor2.dumps({"m2m:cin": {"con": CBOR_CONTENT[name]}})
    assert_refused(await post_raw(client, "/cse-in/bad/box", 4, body, CBOR), mentions="con")
    # Nothing stored that a JSON or XML reader would choke on.
    latest = await client.retrieve("/cse-in/bad/box/la", originator="Cbad")
    assert latest.rsc == 2000 and latest.pc["rn"] == "first"


async def test_cbor_byte_strings_in_open_structures_are_refused(client):
    body = cbor2.dumps({"m2m:ae": {"api": "Nesi", "rr": False, "srv": ["3"], "esi": {"key": b"\x00"}}})
    assert_refused(await post_raw(client, "/cse-in", 2, body, CBOR, originator="Cesi"), mentions="esi")


# -- fuzz ----------------------------------------------------------------------------------------


def mutate(rng: random.Random, valid: bytes) -> bytes:
    data = bytearray(valid)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(4)
        position = rng.randrange(len(data) + 1)
        if kind == 0 and data:
            data[position % len(data)] = rng.randrange(256)
        elif kind == 1:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == 2:
            del data[position:position + rng.randint(1, 8)]
        else:
            data = data[:position]
    return bytes(data)


# Values only CBOR can carry (no JSON form), and content keys that XML cannot carry as names.
CBOR_ONLY = [2**70, -(2**64), float("nan"), float("-inf"), b"\x00", cbor2.CBORTag(1, 0), {1: "x"}, cbor2.undefined]
ODD_KEYS = ["a b", "1st", "x:y", "", "\x07"]


def random_value(rng: random.Random, media: str, depth: int = 0) -> Any:
    choices: list[Any] = [None, True, 0, -1, 2**40, 1.5, "", "text", "bell\x07", "20300101T000000", ["a", "b"],
                          [1, "x"]]
    if media == CBOR:
        choices += CBOR_ONLY
    if depth < 3:
        choices += [{rng.choice(["k", *ODD_KEYS]): random_value(rng, media, depth + 1)},
                    [random_value(rng, media, depth + 1)]]
    return rng.choice(choices)


ATTRIBUTES = ["rn", "mni", "mbs", "mia", "lbl", "et", "con", "cnf", "api", "rr", "srv", "poa", "acpi", "esi", "ri", "x"]


def random_body(rng: random.Random, media: str, ty: int | None) -> bytes:
    if rng.random() < 0.15:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    if rng.random() < 0.5:
        # Plausible: the right root and one interesting attribute, so that odd values get stored.
        root, name = {4: ("m2m:cin", "con"), 2: ("m2m:ae", "esi")}.get(ty or 3, ("m2m:cnt", "lbl"))
        attrs = {name: random_value(rng, media)}
        if ty == 2:
            attrs.update(api="Nfuzz", rr=False, srv=["3"])
    else:
        root = rng.choice(["m2m:cin", "m2m:cnt", "m2m:ae", "m2m:x", "cin"])
        attrs = {name: random_value(rng, media) for name in rng.sample(ATTRIBUTES, rng.randint(0, 5))}
    try:
        valid = encode({root: attrs}, media)
    except Exception:  # noqa: BLE001 - XML has no form for some random shapes; send JSON text instead
        valid = orjson.dumps({root: attrs}, default=repr)
    return mutate(rng, valid) if rng.random() < 0.3 else valid


@pytest.mark.parametrize("media", [JSON, CBOR, XML])
async def test_fuzzed_bodies_never_break_the_server(client, box, media):
    rng = random.Random(f"onem2m-{media}")
    targets = [("POST", "/cse-in/bad/box", 4), ("POST", "/cse-in/bad/box", 4), ("POST", "/cse-in/bad", 3),
               ("POST", "/cse-in", 2), ("PUT", "/cse-in/bad/box", 3), ("PUT", "/cse-in/bad", 2)]
    for _ in range(200):
        method, path, ty = rng.choice(targets)
        content_type = media + (f";ty={ty}" if method == "POST" else "")
        reply = await client.request(method, path, body=random_body(rng, media, ty), content_type=content_type,
                                     originator=rng.choice(["Cbad", "CAdmin", "Cfuzz"]), accept=JSON)
        assert reply.status < 500 and reply.rsc not in (5000, None), reply
        if reply.rsc >= 4000:
            assert isinstance(reply.body.get("m2m:dbg"), str), reply
    await assert_still_serving(client)
    await assert_tree_serializable(client)


async def assert_tree_serializable(client: OneM2MClient) -> None:
    """Whatever got stored can be served: as JSON and CBOR always, as XML or else a clear 406."""
    for accept in (JSON, CBOR):
        tree = await client.retrieve("/cse-in?rcn=4", originator="CAdmin", accept=accept)
        assert tree.rsc == 2000, tree
    listing = await client.retrieve("/cse-in/bad/box?rcn=6", originator="CAdmin")
    for reference in listing.body["m2m:rrl"].get("rrf", []):
        as_xml = await client.retrieve("/" + reference["val"], originator="CAdmin", accept=XML)
        assert as_xml.rsc in (2000, 5207), as_xml
        ElementTree.fromstring(as_xml.raw)  # well-formed either way
