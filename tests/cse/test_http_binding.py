"""TS-0009 HTTP binding: methods, status codes, headers, request targets and query strings."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

import cbor2
import pytest

from tests.onem2m_client import OneM2MClient, Reply

SP = "example.com"  # the default SP-ID is //example.com
CSE_ID = "id-in"


@pytest.fixture
async def tree(client: OneM2MClient) -> dict[str, str]:
    """AE 'web' (Cweb) with container 'data' holding contentInstance 'v1'; their resource IDs."""
    ae = await client.register_ae("web", originator="Cweb")
    cnt = await client.create("/cse-in/web", 3, {"m2m:cnt": {"rn": "data", "lbl": ["a", "x+y"], "mni": 3}},
                              originator="Cweb")
    cin = await client.create("/cse-in/web/data", 4, {"m2m:cin": {"rn": "v1", "con": "1"}}, originator="Cweb")
    assert ae.rsc == cnt.rsc == cin.rsc == 2001
    return {"ae": ae.pc["ri"], "cnt": cnt.pc["ri"], "cin": cin.pc["ri"]}


def stamp(delta_seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=delta_seconds)).strftime("%Y%m%dT%H%M%S")


async def raw_exchange(client: OneM2MClient, request: bytes) -> bytes:
    """Send one HTTP request exactly as given; return the raw answer."""
    host, port = client.base_url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), 5)
    finally:
        writer.close()


# -- methods --------------------------------------------------------------------------------------


async def test_methods_map_to_operations(client, tree):
    created = await client.request("POST", "/cse-in/web", body={"m2m:cnt": {"rn": "m"}}, ty=3, originator="Cweb")
    assert (created.status, created.rsc) == (201, 2001)
    retrieved = await client.request("GET", "/cse-in/web/m", originator="Cweb")
    assert (retrieved.status, retrieved.rsc) == (200, 2000) and retrieved.pc["rn"] == "m"
    updated = await client.request("PUT", "/cse-in/web/m", body={"m2m:cnt": {"mni": 7}}, originator="Cweb")
    assert (updated.status, updated.rsc) == (200, 2004) and updated.pc["mni"] == 7
    deleted = await client.request("DELETE", "/cse-in/web/m", originator="Cweb")
    assert (deleted.status, deleted.rsc) == (200, 2002)
    assert (await client.request("GET", "/cse-in/web/m", originator="Cweb")).rsc == 4004


@pytest.mark.parametrize("method", ["PATCH", "OPTIONS", "HEAD", "TRACE"])
async def test_other_methods_are_not_allowed(client, tree, method):
    reply = await client.request(method, "/cse-in/web/data", originator="Cweb")
    assert reply.status == 405
    assert reply.headers["X-M2M-RSC"] == "4005"


# -- status codes (TS-0009 table 6.3.2-1) ---------------------------------------------------------

Scenario = Callable[..., Awaitable[Reply]]


async def _created(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.create("/cse-in/web", 3, {"m2m:cnt": {"rn": "new"}}, originator="Cweb", **kw)


async def _ok(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.retrieve("/cse-in/web/data", originator="Cweb", **kw)


async def _updated(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.update("/cse-in/web/data", {"m2m:cnt": {"mni": 1}}, originator="Cweb", **kw)


async def _deleted(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.delete("/cse-in/web/data/v1", originator="Cweb", **kw)


async def _bad_request(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.create("/cse-in/web", 3, {"m2m:cnt": {"mni": "x"}}, originator="Cweb", **kw)


async def _release_not_supported(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.retrieve("/cse-in", originator="Cweb", rvi="7", **kw)


async def _not_found(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.retrieve("/cse-in/web/nothing", originator="Cweb", **kw)


async def _operation_not_allowed(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.delete("/cse-in", originator="CAdmin", **kw)


async def _request_timeout(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.retrieve("/cse-in/web", originator="Cweb", headers={"X-M2M-RET": stamp(-60)}, **kw)


async def _unsupported_media_type(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.request("PUT", "/cse-in/web/data", body=b"mni=1", content_type="text/plain", originator="Cweb", **kw)


async def _no_privilege(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.retrieve("/cse-in/web/data", originator="Cstranger", **kw)


async def _conflict(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.create("/cse-in/web", 3, {"m2m:cnt": {"rn": "data"}}, originator="Cweb", **kw)


async def _invalid_child(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.create("/cse-in/web/data/v1", 3, {"m2m:cnt": {}}, originator="Cweb", **kw)


async def _already_registered(c: OneM2MClient, **kw: Any) -> Reply:
    body = {"m2m:ae": {"rn": "web2", "api": "Nweb2", "rr": False, "srv": ["3"]}}
    return await c.create("/cse-in", 2, body, originator="Cweb", **kw)


async def _app_rule(c: OneM2MClient, **kw: Any) -> Reply:
    body = {"m2m:ae": {"rn": "nope", "api": "Nnope", "rr": False, "srv": ["3"]}}
    return await c.create("/cse-in", 2, body, originator="Znope", **kw)


async def _non_blocking(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.retrieve("/cse-in/web?rt=1", originator="Cweb", **kw)


async def _not_acceptable(c: OneM2MClient, **kw: Any) -> Reply:
    return await c.retrieve("/cse-in/web", originator="Cweb", accept="text/html", **kw)


STATUS_SCENARIOS: list[tuple[Scenario, int, int]] = [
    (_created, 2001, 201), (_ok, 2000, 200), (_updated, 2004, 200), (_deleted, 2002, 200),
    (_bad_request, 4000, 400), (_release_not_supported, 4001, 501), (_not_found, 4004, 404),
    (_operation_not_allowed, 4005, 405), (_request_timeout, 4008, 504), (_unsupported_media_type, 4015, 415),
    (_no_privilege, 4103, 403), (_conflict, 4105, 409), (_invalid_child, 4108, 403),
    (_already_registered, 4117, 403), (_app_rule, 4126, 403), (_non_blocking, 5206, 501),
    (_not_acceptable, 5207, 406),
]


@pytest.mark.parametrize("scenario, rsc, status", STATUS_SCENARIOS, ids=[str(r) for _, r, _ in STATUS_SCENARIOS])
async def test_response_status_code_maps_to_http_status(client, tree, scenario, rsc, status):
    reply = await scenario(client)
    assert reply.headers["X-M2M-RSC"] == str(rsc), reply
    assert reply.status == status
    if rsc >= 4000:
        assert isinstance(reply.body["m2m:dbg"], str)


async def test_reason_phrase_is_omitted(client, tree):
    answer = await raw_exchange(client, b"GET /cse-in HTTP/1.1\r\nHost: cse\r\nX-M2M-Origin: CAdmin\r\n"
                                        b"X-M2M-RI: r1\r\nX-M2M-RVI: 3\r\nConnection: close\r\n\r\n")
    # TS-0009 clause 6.3.3: "The Reason-Phrase shall be omitted in HTTP response messages."
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 200 "


# -- headers --------------------------------------------------------------------------------------


async def test_content_location_names_the_created_resource(client, tree):
    reply = await client.create("/cse-in/web/data", 4, {"m2m:cin": {"rn": "v2", "con": "2"}}, originator="Cweb")
    assert reply.headers["Content-Location"] == "/cse-in/web/data/v2"
    found = await client.retrieve(reply.headers["Content-Location"], originator="Cweb")
    assert found.pc["ri"] == reply.pc["ri"]


async def test_content_location_also_without_content(client, tree):
    nothing = await client.request("POST", "/cse-in/web?rcn=0", body={"m2m:cnt": {"rn": "none"}}, ty=3,
                                   originator="Cweb")
    assert nothing.rsc == 2001 and nothing.raw == b""
    assert nothing.headers["Content-Location"] == "/cse-in/web/none"


@pytest.mark.parametrize("rcn, key", [(1, "m2m:cnt"), (4, "m2m:cnt"), (5, "m2m:cnt"), (6, "m2m:rrl"),
                                      (8, "m2m:cnt")])
async def test_delete_can_answer_with_what_it_deleted(client, tree, rcn, key):
    reply = await client.delete(f"/cse-in/web/data?rcn={rcn}", originator="Cweb")
    assert (reply.status, reply.rsc) == (200, 2002), reply
    assert list(reply.body) == [key]
    assert (await client.retrieve("/cse-in/web/data", originator="Cweb")).rsc == 4004


async def test_delete_without_content_answers_nothing(client, tree):
    reply = await client.delete("/cse-in/web/data?rcn=0", originator="Cweb")
    assert (reply.status, reply.rsc) == (200, 2002) and reply.raw == b""


@pytest.mark.parametrize("scenario", [_ok, _updated, _not_found, _bad_request])
async def test_no_content_location_outside_create(client, tree, scenario):
    assert "Content-Location" not in (await scenario(client)).headers


@pytest.mark.parametrize("rqi", ["abc", "0002bf63", "req/with/slashes", "x" * 200])
@pytest.mark.parametrize("scenario", [_ok, _created, _not_found, _unsupported_media_type, _release_not_supported,
                                      _not_acceptable, _operation_not_allowed])
async def test_request_identifier_is_echoed(client, tree, scenario, rqi):
    reply = await scenario(client, rqi=rqi)
    assert reply.headers["X-M2M-RI"] == rqi


async def test_response_carries_a_timestamp(client, tree):
    for scenario in (_ok, _not_found, _unsupported_media_type):
        reply = await scenario(client)
        ot = reply.headers["X-M2M-OT"]
        assert len(ot) >= 15 and ot[8] == "T" and ot[:8].isdigit(), ot


class Offset(int):
    """A header value meaning 'now plus this many seconds', resolved when the test runs."""


def resolve(headers: dict[str, str | Offset]) -> dict[str, str]:
    return {name: stamp(value) if isinstance(value, Offset) else value for name, value in headers.items()}


@pytest.mark.parametrize(
    "headers",
    [
        {"X-M2M-OT": Offset(0)},
        {"X-M2M-RET": Offset(60)},
        {"X-M2M-RET": "60000"},
        {"X-M2M-RST": Offset(120)},
        {"X-M2M-OET": Offset(-5)},
        {"X-M2M-OET": "0", "X-M2M-RET": "5000"},
        {"X-M2M-EC": "2"},
        {"X-M2M-EC": "4", "X-M2M-OT": Offset(0), "X-M2M-RET": Offset(30)},
        {"X-M2M-GID": "group-req-1"},
        {"X-M2M-Unknown-Header": "ignored", "X-Forwarded-For": "10.0.0.1"},
    ],
)
async def test_optional_request_headers_are_accepted(client, tree, headers):
    created = await client.create("/cse-in/web", 3, {"m2m:cnt": {"rn": "h"}}, originator="Cweb",
                                  headers=resolve(headers))
    assert created.rsc == 2001, created
    assert (await client.retrieve("/cse-in/web/h", originator="Cweb", headers=resolve(headers))).rsc == 2000


async def test_event_category_that_is_no_number_is_refused(client, tree):
    reply = await client.retrieve("/cse-in/web", originator="Cweb", headers={"X-M2M-EC": "best-effort"})
    assert reply.rsc == 4000 and "X-M2M-EC" in reply.body["m2m:dbg"]


async def test_headers_are_case_insensitive(client, tree):
    reply = await client.request("GET", "/cse-in/web/data", originator=None, rqi=None,
                                 headers={"x-m2m-origin": "Cweb", "x-m2m-ri": "lower", "x-m2m-rvi": "3"})
    assert reply.rsc == 2000 and reply.headers["X-M2M-RI"] == "lower"


CREATE_CONTENT_TYPES = [
    "application/json;ty=3",
    "application/json; ty=3",
    "application/vnd.onem2m-res+json; ty=3",
    "application/json; charset=utf-8; ty=3",
    'application/json; ty="3"',
    "APPLICATION/JSON;TY=3",
]


async def test_content_type_carries_ty_with_or_without_spaces(client, tree):
    for index, content_type in enumerate(CREATE_CONTENT_TYPES):
        reply = await client.request("POST", "/cse-in/web", body={"m2m:cnt": {"rn": f"ct{index}"}},
                                     content_type=content_type, originator="Cweb")
        assert reply.rsc == 2001, (content_type, reply)


async def test_answer_without_accept_uses_the_request_serialization(client, tree):
    body = cbor2.dumps({"m2m:cnt": {"rn": "noaccept"}})
    head = (f"POST /cse-in/web HTTP/1.1\r\nHost: cse\r\nX-M2M-Origin: Cweb\r\nX-M2M-RI: na\r\nX-M2M-RVI: 3\r\n"
            f"Content-Type: application/cbor;ty=3\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    answer = await raw_exchange(client, head.encode() + body)
    head_part, _, payload = answer.partition(b"\r\n\r\n")
    assert b"X-M2M-RSC: 2001" in head_part and b"Content-Type: application/cbor" in head_part
    assert cbor2.loads(payload)["m2m:cnt"]["rn"] == "noaccept"


async def test_retrieve_without_accept_answers_json(client, tree):
    answer = await raw_exchange(client, b"GET /cse-in/web HTTP/1.1\r\nHost: cse\r\nX-M2M-Origin: Cweb\r\n"
                                        b"X-M2M-RI: na\r\nConnection: close\r\n\r\n")
    assert b"Content-Type: application/json" in answer and b'"m2m:ae"' in answer


# -- request targets (TS-0009 clause 6.2.2.1) ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/cse-in/web/data",  # structured CSE-relative
        "/cse-in/web/data/",  # with the trailing slash of TS-0009 table 6.2.2.1-1
        "/-/web/data",  # '-' for the CSEBase name
        f"/~/{CSE_ID}/cse-in/web/data",  # structured SP-relative
        f"/~/{CSE_ID}/-/web/data",
        f"/_/{SP}/{CSE_ID}/cse-in/web/data",  # structured absolute
        f"/_/{SP}/{CSE_ID}/-/web/data",
        "/{cnt}",  # unstructured CSE-relative
        f"/~/{CSE_ID}/{{cnt}}",  # unstructured SP-relative
        f"/_/{SP}/{CSE_ID}/{{cnt}}",  # unstructured absolute
        "/{ae}/data",  # unstructured ID, then structured names below it
        f"/~/{CSE_ID}/{{ae}}/data",
    ],
)
async def test_every_address_form_reaches_the_resource(client, tree, path):
    reply = await client.retrieve(path.format(**tree), originator="Cweb")
    assert reply.rsc == 2000, reply
    assert reply.pc["ri"] == tree["cnt"]


@pytest.mark.parametrize("path", ["/cse-in", "/-", f"/~/{CSE_ID}", f"/~/{CSE_ID}/cse-in", f"/_/{SP}/{CSE_ID}",
                                  f"/_/{SP}/{CSE_ID}/-", f"/{CSE_ID}"])
async def test_cse_base_address_forms(client, tree, path):
    reply = await client.retrieve(path, originator="Cweb")
    assert reply.rsc == 2000 and reply.pc["ri"] == CSE_ID, (path, reply)


@pytest.mark.parametrize("path", ["/_/other.example/id-in/cse-in/web", "/~/id-other/cse-in/web", "/other-cse/web",
                                  "/~/", "/_/", "/", "/cse-in/web/data/v1/deeper"])
async def test_addresses_elsewhere_are_not_found(client, tree, path):
    reply = await client.retrieve(path, originator="Cweb")
    assert reply.rsc == 4004 and reply.status == 404, (path, reply)


async def test_create_update_delete_through_sp_relative_and_absolute_paths(client, tree):
    created = await client.create(f"/~/{CSE_ID}/cse-in/web", 3, {"m2m:cnt": {"rn": "sp"}}, originator="Cweb")
    assert created.rsc == 2001 and created.headers["Content-Location"] == "/cse-in/web/sp"
    ri = created.pc["ri"]
    updated = await client.update(f"/_/{SP}/{CSE_ID}/{ri}", {"m2m:cnt": {"mni": 4}}, originator="Cweb")
    assert updated.rsc == 2004 and updated.pc["mni"] == 4
    assert (await client.delete(f"/~/{CSE_ID}/{ri}", originator="Cweb")).rsc == 2002
    assert (await client.retrieve("/cse-in/web/sp", originator="Cweb")).rsc == 4004


async def test_virtual_children_through_every_address_form(client, tree):
    for path in ("/cse-in/web/data/la", f"/~/{CSE_ID}/{tree['cnt']}/la", f"/_/{SP}/{CSE_ID}/-/web/data/ol"):
        reply = await client.retrieve(path, originator="Cweb")
        assert reply.rsc == 2000 and reply.pc["ri"] == tree["cin"], path


async def test_sp_relative_originator_is_the_same_ae(client, tree):
    reply = await client.retrieve("/cse-in/web/data", originator=f"/{CSE_ID}/Cweb")
    assert reply.rsc == 2000


@pytest.mark.parametrize("path", ["/cse-in/%77eb/data", "/cse%2Din/web/data", "/%7E/id-in/cse-in/web/data",
                                  "/cse-in/web/d%61t%61"])
async def test_percent_encoded_paths_are_decoded(client, tree, path):
    reply = await client.retrieve(path, originator="Cweb")
    assert reply.rsc == 2000 and reply.pc["ri"] == tree["cnt"], reply


async def test_unreserved_characters_in_names(client, tree):
    created = await client.create("/cse-in/web", 3, {"m2m:cnt": {"rn": "a.b_c-d~e"}}, originator="Cweb")
    assert created.rsc == 2001 and created.headers["Content-Location"] == "/cse-in/web/a.b_c-d~e"
    assert (await client.retrieve("/cse-in/web/a.b_c-d%7Ee", originator="Cweb")).rsc == 2000
    assert (await client.retrieve("/cse-in/web/a%2Eb_c-d~e", originator="Cweb")).rsc == 2000


# -- query strings (TS-0009 clause 6.2.2.2) ------------------------------------------------------


async def add_labelled(client: OneM2MClient) -> None:
    for name, labels in (("one", ["a"]), ("two", ["b"]), ("three", ["c"])):
        await client.create("/cse-in/web", 3, {"m2m:cnt": {"rn": name, "lbl": labels}}, originator="Cweb")


@pytest.mark.parametrize("query", ["lbl=a+b", "lbl=a&lbl=b", "lbl=b+a", "lbl=a%20b"])
async def test_multiple_values_with_plus_or_repetition(client, tree, query):
    await add_labelled(client)
    reply = await client.retrieve(f"/cse-in/web?fu=1&{query}", originator="Cweb")
    assert sorted(reply.body["m2m:uril"]) == ["cse-in/web/data", "cse-in/web/one", "cse-in/web/two"]


async def test_encoded_plus_is_part_of_a_value(client, tree):
    await add_labelled(client)
    reply = await client.retrieve("/cse-in/web?fu=1&lbl=x%2By", originator="Cweb")
    assert reply.body["m2m:uril"] == ["cse-in/web/data"]


@pytest.mark.parametrize("query, expected", [("ty=3+4", 5), ("ty=3&ty=4", 5), ("ty=4", 1), ("ty=3", 4), ("ty=2+9", 0)])
async def test_resource_type_lists(client, tree, query, expected):
    await add_labelled(client)
    reply = await client.retrieve(f"/cse-in/web?fu=1&{query}", originator="Cweb")
    assert len(reply.body["m2m:uril"]) == expected, reply


async def test_attribute_conditions_use_short_names(client, tree):
    await add_labelled(client)
    reply = await client.retrieve("/cse-in/web?fu=1&ty=3&mni=3", originator="Cweb")
    assert reply.body["m2m:uril"] == ["cse-in/web/data"]
    by_creator = await client.retrieve("/cse-in?fu=1&ty=2&api=Nweb", originator="CAdmin")
    assert by_creator.body["m2m:uril"] == ["cse-in/web"]


@pytest.mark.parametrize("query", ["rcn=1&rcn=4", "fu=1&fu=2", "lim=1&lim=2", "drt=1&drt=2"])
async def test_single_valued_parameters_may_not_repeat(client, tree, query):
    reply = await client.retrieve(f"/cse-in/web?{query}", originator="Cweb")
    assert reply.rsc == 4000 and "once" in reply.body["m2m:dbg"]


async def test_limit_offset_and_level_in_the_query(client, tree):
    await add_labelled(client)
    everything = (await client.retrieve("/cse-in/web?fu=1", originator="Cweb")).body["m2m:uril"]
    limited = (await client.retrieve("/cse-in/web?fu=1&lim=2", originator="Cweb")).body["m2m:uril"]
    shifted = (await client.retrieve("/cse-in/web?fu=1&lim=2&ofst=2", originator="Cweb")).body["m2m:uril"]
    level1 = (await client.retrieve("/cse-in/web?fu=1&lvl=1", originator="Cweb")).body["m2m:uril"]
    assert limited == everything[:2]
    # The offset skips from the start (how descendants count is retrieval's business, not the binding's).
    assert len(shifted) == 2 and set(shifted) <= set(everything) and shifted[0] != everything[0]
    assert "cse-in/web/data/v1" in everything and "cse-in/web/data/v1" not in level1


async def test_unstructured_discovery_results(client, tree):
    reply = await client.retrieve("/cse-in/web?fu=1&ty=4&drt=2", originator="Cweb")
    assert reply.body["m2m:uril"] == [tree["cin"]]
    assert (await client.retrieve(f"/~/{CSE_ID}/{tree['cin']}", originator="Cweb")).pc["con"] == "1"


async def test_ignored_parameters_are_accepted(client, tree):
    reply = await client.retrieve("/cse-in/web?rp=P1D&da=false&rt=3", originator="Cweb")
    assert reply.rsc == 2000
