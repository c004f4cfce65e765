"""Access control with <accessControlPolicy> (TS-0001 clause 9.6.2, TS-0004 clause 7.3.3.15).

An owner AE 'Cowner' holds the resources; other originators get exactly the operations its
policies grant and ORIGINATOR_HAS_NO_PRIVILEGE (4103, HTTP 403) for everything else.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cse.core.access import time_window_matches

CREATE, RETRIEVE, UPDATE, DELETE, NOTIFY, DISCOVERY = 1, 2, 4, 8, 16, 32
ALL_OPS = 63
OWNER = "Cowner"
AE = "/cse-in/owner"


def rule(acor: list[str], acop: int, acco: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"acor": acor, "acop": acop}
    if acco is not None:
        entry["acco"] = acco
    return entry


def acp(rn: str, pv: list[dict[str, Any]], pvs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    # The owner keeps every right on the policy itself unless a test says otherwise.
    return {"m2m:acp": {"rn": rn, "pv": {"acr": pv}, "pvs": {"acr": pvs or [rule([OWNER], ALL_OPS)]}}}


async def make_acp(client, rn: str, pv, pvs=None, parent: str = AE) -> str:
    reply = await client.create(parent, 1, acp(rn, pv, pvs), originator=OWNER)
    assert reply.rsc == 2001, reply
    return reply.pc["ri"]


async def make_cnt(client, rn: str, parent: str = AE, **attrs) -> dict[str, Any]:
    reply = await client.create(parent, 3, {"m2m:cnt": {"rn": rn, **attrs}}, originator=OWNER)
    assert reply.rsc == 2001, reply
    return reply.pc


async def make_cin(client, path: str, con: str = "v") -> dict[str, Any]:
    reply = await client.create(path, 4, {"m2m:cin": {"con": con}}, originator=OWNER)
    assert reply.rsc == 2001, reply
    return reply.pc


def denied(reply) -> bool:
    return reply.rsc == 4103 and reply.status == 403


@pytest.fixture
async def owner(client):
    assert (await client.register_ae("owner", originator=OWNER)).rsc == 2001
    return client


async def guarded_container(client, pv, pvs=None, rn: str = "box") -> str:
    """A container whose acpi names a policy with the rules ``pv``; returns its path."""
    acp_ri = await make_acp(client, f"{rn}Acp", pv, pvs)
    await make_cnt(client, rn, acpi=[acp_ri])
    return f"{AE}/{rn}"


# -- granting and denying operations ---------------------------------------------------------


async def test_acp_grants_exactly_the_listed_operations(owner):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE | CREATE)])
    assert (await owner.retrieve(box, originator="Cguest")).rsc == 2000
    created = await owner.create(box, 4, {"m2m:cin": {"con": "by guest"}}, originator="Cguest")
    assert created.rsc == 2001, created
    assert denied(await owner.update(box, {"m2m:cnt": {"lbl": ["x"]}}, originator="Cguest"))
    assert denied(await owner.delete(box, originator="Cguest"))
    # The resource is untouched by the refused requests.
    assert (await owner.retrieve(box, originator=OWNER)).pc.get("lbl") is None


async def test_originator_not_in_any_rule_is_denied_everything(owner):
    box = await guarded_container(owner, [rule(["Cguest"], ALL_OPS)])
    assert denied(await owner.retrieve(box, originator="Cstranger"))
    assert denied(await owner.create(box, 4, {"m2m:cin": {"con": "x"}}, originator="Cstranger"))
    assert denied(await owner.update(box, {"m2m:cnt": {"lbl": ["x"]}}, originator="Cstranger"))
    assert denied(await owner.delete(box, originator="Cstranger"))
    assert (await owner.retrieve(box, originator="Cguest")).rsc == 2000


@pytest.mark.parametrize(
    ("acop", "allowed"),
    [
        (UPDATE, {"update"}),
        (DELETE, {"delete"}),
        (NOTIFY, set()),
        (DISCOVERY, set()),
        (RETRIEVE | UPDATE | DELETE, {"retrieve", "update", "delete"}),
    ],
)
async def test_each_acop_bit_grants_its_own_operation(owner, acop, allowed):
    box = await guarded_container(owner, [rule(["Cguest"], acop)])
    outcomes = {
        "retrieve": (await owner.retrieve(box, originator="Cguest")).rsc,
        "update": (await owner.update(box, {"m2m:cnt": {"lbl": ["u"]}}, originator="Cguest")).rsc,
    }
    outcomes["delete"] = (await owner.delete(box, originator="Cguest")).rsc
    expected = {"retrieve": 2000, "update": 2004, "delete": 2002}
    for operation, rsc in outcomes.items():
        assert rsc == (expected[operation] if operation in allowed else 4103), (operation, outcomes)


async def test_acpi_on_an_ae_grants_other_originators(owner):
    acp_ri = await make_acp(owner, "aeAcp", [rule(["Cguest"], RETRIEVE)])
    assert (await owner.update(AE, {"m2m:ae": {"acpi": [acp_ri]}}, originator=OWNER)).rsc == 2004
    reply = await owner.retrieve(AE, originator="Cguest")
    assert reply.rsc == 2000 and reply.pc["aei"] == OWNER
    assert denied(await owner.update(AE, {"m2m:ae": {"lbl": ["x"]}}, originator="Cguest"))
    assert denied(await owner.delete(AE, originator="Cguest"))
    assert denied(await owner.retrieve(AE, originator="Cother"))


async def test_several_policies_in_acpi_add_up(owner):
    reader = await make_acp(owner, "reader", [rule(["Cguest"], RETRIEVE)])
    writer = await make_acp(owner, "writer", [rule(["Cguest"], UPDATE)])
    await make_cnt(owner, "box", acpi=[reader, writer])
    assert (await owner.retrieve(f"{AE}/box", originator="Cguest")).rsc == 2000
    assert (await owner.update(f"{AE}/box", {"m2m:cnt": {"lbl": ["y"]}}, originator="Cguest")).rsc == 2004
    assert denied(await owner.delete(f"{AE}/box", originator="Cguest"))


async def test_acpi_may_name_the_policy_by_structured_address(owner):
    await make_acp(owner, "named", [rule(["Cguest"], RETRIEVE)])
    await make_cnt(owner, "box", acpi=["cse-in/owner/named"])
    assert (await owner.retrieve(f"{AE}/box", originator="Cguest")).rsc == 2000
    assert denied(await owner.retrieve(f"{AE}/box", originator="Cother"))


async def test_changing_the_policy_takes_effect_at_once(owner):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE)])
    assert (await owner.retrieve(box, originator="Cguest")).rsc == 2000
    changed = await owner.update(f"{AE}/boxAcp", {"m2m:acp": {"pv": {"acr": [rule(["Cother"], RETRIEVE)]}}},
                                 originator=OWNER)
    assert changed.rsc == 2004, changed
    assert denied(await owner.retrieve(box, originator="Cguest"))
    assert (await owner.retrieve(box, originator="Cother")).rsc == 2000


async def test_removing_acpi_falls_back_to_the_parent(owner):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE)])
    assert (await owner.update(box, {"m2m:cnt": {"acpi": None}}, originator=OWNER)).rsc == 2004
    # Neither the container nor the AE has a policy now: only owner and admin remain.
    assert denied(await owner.retrieve(box, originator="Cguest"))
    assert (await owner.retrieve(box, originator=OWNER)).rsc == 2000


# -- accessControlOriginators -----------------------------------------------------------------


async def test_acor_all_grants_every_originator(owner):
    box = await guarded_container(owner, [rule(["all"], RETRIEVE)])
    for originator in ("Cguest", "Canyone", "Sservice", "/id-in/Cfar"):
        assert (await owner.retrieve(box, originator=originator)).rsc == 2000, originator
    assert denied(await owner.delete(box, originator="Canyone"))


@pytest.mark.parametrize(
    ("pattern", "granted", "refused"),
    [
        ("C*", ["Cguest", "Cx", "C"], ["Sguest", "guest"]),
        ("Cg*", ["Cguest", "Cg"], ["Cother", "Sguest"]),
        ("*guest", ["Cguest", "Sguest"], ["Cguests"]),
        ("C?uest", ["Cguest", "Cquest"], ["Cgguest"]),
    ],
)
async def test_acor_wildcards(owner, pattern, granted, refused):
    box = await guarded_container(owner, [rule([pattern], RETRIEVE)])
    for originator in granted:
        assert (await owner.retrieve(box, originator=originator)).rsc == 2000, originator
    for originator in refused:
        assert denied(await owner.retrieve(box, originator=originator)), originator


async def test_acor_with_sp_relative_id_matches_the_bare_originator(owner):
    box = await guarded_container(owner, [rule(["/id-in/Cguest"], RETRIEVE)])
    assert (await owner.retrieve(box, originator="Cguest")).rsc == 2000
    assert (await owner.retrieve(box, originator="/id-in/Cguest")).rsc == 2000
    assert denied(await owner.retrieve(box, originator="Cother"))


async def test_sp_relative_originator_matches_a_bare_acor(owner):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE)])
    assert (await owner.retrieve(box, originator="/id-in/Cguest")).rsc == 2000
    # An originator of another CSE is a different entity, even with the same AE-ID.
    assert denied(await owner.retrieve(box, originator="/id-other/Cguest"))


async def test_acor_wildcard_in_sp_relative_form(owner):
    box = await guarded_container(owner, [rule(["/id-in/Cg*"], RETRIEVE)])
    assert (await owner.retrieve(box, originator="Cguest")).rsc == 2000
    assert denied(await owner.retrieve(box, originator="Cother"))


# -- inheritance: contentInstances and the nearest acpi ---------------------------------------


async def test_content_instances_use_the_containers_policy(owner):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE)])
    cin = await make_cin(owner, box, "21.5")
    by_name = await owner.retrieve(f"{box}/{cin['rn']}", originator="Cguest")
    assert by_name.rsc == 2000 and by_name.pc["con"] == "21.5"
    assert (await owner.retrieve(f"{box}/la", originator="Cguest")).pc["con"] == "21.5"
    assert (await owner.retrieve(f"{box}/ol", originator="Cguest")).pc["con"] == "21.5"
    assert denied(await owner.retrieve(f"{box}/{cin['rn']}", originator="Cstranger"))
    assert denied(await owner.delete(f"{box}/{cin['rn']}", originator="Cguest"))


async def test_unauthorised_latest_and_oldest_get_4103_not_4004(owner):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE)])
    # Even an empty container does not tell an outsider that it has no instances.
    for virtual in ("la", "ol"):
        assert denied(await owner.retrieve(f"{box}/{virtual}", originator="Cstranger")), virtual
        assert (await owner.retrieve(f"{box}/{virtual}", originator="Cguest")).rsc == 4004
    await make_cin(owner, box)
    for virtual in ("la", "ol"):
        assert denied(await owner.retrieve(f"{box}/{virtual}", originator="Cstranger")), virtual
        assert denied(await owner.delete(f"{box}/{virtual}", originator="Cstranger")), virtual
    assert (await owner.retrieve(box, originator=OWNER)).pc["cni"] == 1


async def test_nearest_acpi_up_the_tree_decides(owner):
    generous = await make_acp(owner, "generous", [rule(["Cguest"], ALL_OPS)])
    strict = await make_acp(owner, "strict", [rule(["Cother"], RETRIEVE)])
    assert (await owner.update(AE, {"m2m:ae": {"acpi": [generous]}}, originator=OWNER)).rsc == 2004
    await make_cnt(owner, "open")  # no acpi: the AE's policy applies
    await make_cnt(owner, "closed", acpi=[strict])  # its own policy overrides the AE's
    await make_cnt(owner, "inner", parent=f"{AE}/closed")  # nearest policy is 'strict'
    assert (await owner.retrieve(f"{AE}/open", originator="Cguest")).rsc == 2000
    assert denied(await owner.retrieve(f"{AE}/closed", originator="Cguest"))
    assert denied(await owner.retrieve(f"{AE}/closed/inner", originator="Cguest"))
    assert (await owner.retrieve(f"{AE}/closed/inner", originator="Cother")).rsc == 2000
    assert denied(await owner.retrieve(f"{AE}/open", originator="Cother"))


# -- default rights --------------------------------------------------------------------------


async def test_creator_has_full_rights_without_any_policy(owner):
    await make_cnt(owner, "mine")
    path = f"{AE}/mine"
    assert (await owner.retrieve(path, originator=OWNER)).rsc == 2000
    assert (await owner.update(path, {"m2m:cnt": {"lbl": ["a"]}}, originator=OWNER)).rsc == 2004
    assert (await owner.create(path, 4, {"m2m:cin": {"con": "1"}}, originator=OWNER)).rsc == 2001
    assert denied(await owner.retrieve(path, originator="Cother"))
    assert (await owner.delete(path, originator=OWNER)).rsc == 2002


async def test_owner_keeps_its_rights_when_the_policy_does_not_name_it(owner):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE)])
    assert (await owner.update(box, {"m2m:cnt": {"lbl": ["kept"]}}, originator=OWNER)).rsc == 2004
    assert (await owner.retrieve(box, originator=OWNER)).pc["lbl"] == ["kept"]


async def test_a_granted_creator_owns_what_it_creates(owner):
    box = await guarded_container(owner, [rule(["Cguest"], CREATE)])
    made = await owner.create(box, 3, {"m2m:cnt": {"rn": "guestBox"}}, originator="Cguest")
    assert made.rsc == 2001, made
    # Cguest may not read the parent, but the child it created is its own.
    assert denied(await owner.retrieve(box, originator="Cguest"))
    assert (await owner.retrieve(f"{box}/guestBox", originator="Cguest")).rsc == 2000
    assert (await owner.delete(f"{box}/guestBox", originator="Cguest")).rsc == 2002


async def test_admin_is_always_allowed(owner, admin):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE)], pvs=[rule([OWNER], RETRIEVE)])
    assert (await admin.retrieve(box)).rsc == 2000
    assert (await admin.update(box, {"m2m:cnt": {"lbl": ["adm"]}})).rsc == 2004
    assert (await admin.retrieve(f"{AE}/boxAcp")).rsc == 2000
    updated = await admin.update(f"{AE}/boxAcp", {"m2m:acp": {"pvs": {"acr": [rule(["CAdmin"], ALL_OPS)]}}})
    assert updated.rsc == 2004, updated
    assert (await admin.create(box, 4, {"m2m:cin": {"con": "a"}})).rsc == 2001
    assert (await admin.delete(box)).rsc == 2002


# -- selfPrivileges --------------------------------------------------------------------------


async def test_pvs_not_pv_governs_the_policy_itself(owner):
    acp_ri = await make_acp(owner, "selfish", [rule(["Cguest"], ALL_OPS)], pvs=[rule(["Creader"], RETRIEVE)])
    path = f"{AE}/selfish"
    # Cguest holds every privilege in pv, but pv is not about the policy resource.
    assert denied(await owner.retrieve(path, originator="Cguest"))
    assert denied(await owner.update(path, {"m2m:acp": {"pv": {"acr": [rule(["all"], ALL_OPS)]}}},
                                     originator="Cguest"))
    assert denied(await owner.delete(path, originator="Cguest"))
    reply = await owner.retrieve(path, originator="Creader")
    assert reply.rsc == 2000 and reply.pc["ri"] == acp_ri
    assert denied(await owner.update(path, {"m2m:acp": {"lbl": ["x"]}}, originator="Creader"))
    # The refused update did not open the policy up.
    assert (await owner.retrieve(path, originator=OWNER)).pc["pv"]["acr"][0]["acor"] == ["Cguest"]


async def test_pvs_can_hand_over_administration_of_the_policy(owner):
    await make_acp(owner, "shared", [rule(["Cguest"], RETRIEVE)],
                   pvs=[rule([OWNER], ALL_OPS), rule(["Cadmin2"], RETRIEVE | UPDATE)])
    box_acp = (await owner.retrieve(f"{AE}/shared", originator=OWNER)).pc["ri"]
    await make_cnt(owner, "box", acpi=[box_acp])
    update = {"m2m:acp": {"pv": {"acr": [rule(["Cnewcomer"], RETRIEVE)]}}}
    assert (await owner.update(f"{AE}/shared", update, originator="Cadmin2")).rsc == 2004
    assert (await owner.retrieve(f"{AE}/box", originator="Cnewcomer")).rsc == 2000
    assert denied(await owner.retrieve(f"{AE}/box", originator="Cguest"))
    assert denied(await owner.delete(f"{AE}/shared", originator="Cadmin2"))


# -- invalid policies and references ---------------------------------------------------------


async def test_acpi_naming_a_missing_policy_is_a_bad_request(owner):
    reply = await owner.create(AE, 3, {"m2m:cnt": {"rn": "x", "acpi": ["acp0000000000"]}}, originator=OWNER)
    assert reply.rsc == 4000 and reply.status == 400
    assert (await owner.retrieve(f"{AE}/x", originator=OWNER)).rsc == 4004
    await make_cnt(owner, "y")
    update = await owner.update(f"{AE}/y", {"m2m:cnt": {"acpi": ["cse-in/owner/nothing"]}}, originator=OWNER)
    assert update.rsc == 4000
    assert "acpi" not in (await owner.retrieve(f"{AE}/y", originator=OWNER)).pc


async def test_acpi_naming_a_resource_that_is_not_a_policy_is_a_bad_request(owner):
    cnt = await make_cnt(owner, "plain")
    reply = await owner.create(AE, 3, {"m2m:cnt": {"rn": "x", "acpi": [cnt["ri"]]}}, originator=OWNER)
    assert reply.rsc == 4000


@pytest.mark.parametrize("acop", [0, 64, -1, 255])
async def test_invalid_acop_is_a_bad_request(owner, acop):
    reply = await owner.create(AE, 1, acp("bad", [rule(["Cguest"], acop)]), originator=OWNER)
    assert reply.rsc == 4000 and reply.status == 400, reply
    assert (await owner.retrieve(f"{AE}/bad", originator=OWNER)).rsc == 4004


async def test_invalid_acop_in_pvs_or_update_is_a_bad_request(owner):
    reply = await owner.create(AE, 1, acp("bad", [rule(["Cguest"], 2)], pvs=[rule([OWNER], 64)]),
                               originator=OWNER)
    assert reply.rsc == 4000
    await make_acp(owner, "good", [rule(["Cguest"], 2)])
    update = await owner.update(f"{AE}/good", {"m2m:acp": {"pv": {"acr": [rule(["Cguest"], 0)]}}},
                                originator=OWNER)
    assert update.rsc == 4000
    assert (await owner.retrieve(f"{AE}/good", originator=OWNER)).pc["pv"]["acr"][0]["acop"] == 2


async def test_rule_without_originators_is_a_bad_request(owner):
    reply = await owner.create(AE, 1, acp("bad", [rule([], RETRIEVE)]), originator=OWNER)
    assert reply.rsc == 4000


# -- accessControlContexts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "granted"),
    [
        ("* * * * * *", True),
        ("* * * * * * *", True),
        ("0 0 0 31 2 *", False),  # there is no 31 February
        ("* * * 30 2 * *", False),
        ("* * * * * * 2001", False),  # a year long past
    ],
)
async def test_time_window_context(owner, window, granted):
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE, acco=[{"actw": [window]}])])
    reply = await owner.retrieve(box, originator="Cguest")
    assert reply.rsc == (2000 if granted else 4103), reply


async def test_any_of_several_time_windows_suffices(owner):
    windows = ["0 0 0 31 2 *", "* * * * * *"]
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE, acco=[{"actw": windows}])])
    assert (await owner.retrieve(box, originator="Cguest")).rsc == 2000


@pytest.mark.parametrize(
    ("networks", "granted"),
    [
        (["127.0.0.1"], True),
        (["127.0.0.0/8"], True),
        (["10.0.0.0/8"], False),
        (["10.0.0.0/8", "127.0.0.1/32"], True),
        (["not-an-address"], False),
    ],
)
async def test_ipv4_address_context(owner, networks, granted):
    # The test client talks to the CSE over loopback, from 127.0.0.1.
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE, acco=[{"acip": {"ipv4": networks}}])])
    reply = await owner.retrieve(box, originator="Cguest")
    assert reply.rsc == (2000 if granted else 4103), reply


async def test_every_condition_of_one_context_must_hold(owner):
    context = {"actw": ["* * * * * *"], "acip": {"ipv4": ["10.0.0.0/8"]}}
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE, acco=[context])])
    assert denied(await owner.retrieve(box, originator="Cguest"))


async def test_any_of_several_contexts_suffices(owner):
    contexts = [{"acip": {"ipv4": ["10.0.0.0/8"]}}, {"acip": {"ipv4": ["127.0.0.1"]}}]
    box = await guarded_container(owner, [rule(["Cguest"], RETRIEVE, acco=contexts)])
    assert (await owner.retrieve(box, originator="Cguest")).rsc == 2000


async def test_a_context_limits_only_its_own_rule(owner):
    rules = [
        rule(["Cguest"], RETRIEVE, acco=[{"acip": {"ipv4": ["10.0.0.0/8"]}}]),
        rule(["Cguest"], UPDATE),
    ]
    box = await guarded_container(owner, rules)
    assert denied(await owner.retrieve(box, originator="Cguest"))
    assert (await owner.update(box, {"m2m:cnt": {"lbl": ["z"]}}, originator="Cguest")).rsc == 2004


async def test_time_window_sent_as_xml_keeps_its_spaces(owner):
    body = acp("xmlAcp", [rule(["Cguest"], RETRIEVE, acco=[{"actw": ["* * * * * *"]}])])
    reply = await owner.create(AE, 1, body, originator=OWNER, media="xml")
    assert reply.rsc == 2001, reply
    await make_cnt(owner, "box", acpi=[reply.pc["ri"]])
    assert (await owner.retrieve(f"{AE}/box", originator="Cguest")).rsc == 2000


# -- discovery -------------------------------------------------------------------------------


async def discover(client, path: str, originator: str, query: str = "") -> list[str]:
    reply = await client.retrieve(f"{path}?fu=1{query}", originator=originator)
    assert reply.rsc == 2000, reply
    return reply.body["m2m:uril"]


async def test_discovery_lists_only_what_the_originator_may_discover(owner):
    seen = await make_acp(owner, "seen", [rule(["Cguest"], DISCOVERY)])
    readable = await make_acp(owner, "readable", [rule(["Cguest"], RETRIEVE)])
    await make_cnt(owner, "visible", acpi=[seen])
    await make_cnt(owner, "hidden", acpi=[readable])
    await make_cin(owner, f"{AE}/visible")
    await make_cin(owner, f"{AE}/hidden")
    # Cguest may not discover the AE itself, yet it learns what below it is discoverable.
    found = await discover(owner, AE, "Cguest")
    assert "cse-in/owner/visible" in found and "cse-in/owner/hidden" not in found
    # The instance inherits 'visible's policy; the one in 'hidden' stays hidden.
    assert [uri for uri in found if uri.startswith("cse-in/owner/hidden")] == []
    assert len([uri for uri in found if uri.startswith("cse-in/owner/visible/")]) == 1
    assert len(found) == 2
    # RETRIEVE alone does not make a resource discoverable, DISCOVERY alone does not make it readable.
    assert (await owner.retrieve(f"{AE}/hidden", originator="Cguest")).rsc == 2000
    assert denied(await owner.retrieve(f"{AE}/visible", originator="Cguest"))


async def test_owner_and_admin_discover_everything(owner, admin):
    seen = await make_acp(owner, "seen", [rule(["Cguest"], DISCOVERY)])
    await make_cnt(owner, "a", acpi=[seen])
    await make_cnt(owner, "b")
    expected = {"cse-in/owner/seen", "cse-in/owner/a", "cse-in/owner/b"}
    assert set(await discover(owner, AE, OWNER)) == expected
    assert set(await discover(admin, AE, "CAdmin")) == expected
    assert await discover(owner, AE, "Cguest") == ["cse-in/owner/a"]


async def test_discovery_by_an_outsider_finds_nothing(owner):
    await make_cnt(owner, "private")
    # TS-0004 clause 7.3.3.14: discovery skips the check on the target and finds what the
    # originator may discover, which here is nothing.
    assert await discover(owner, AE, "Cstranger") == []
    assert await discover(owner, "/cse-in", "Cstranger", "&ty=3") == []


# -- time windows, unit level ----------------------------------------------------------------

# A Wednesday (weekday 3 counting Sunday as 0).
NOON = datetime(2024, 5, 15, 12, 30, 45, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("* * * * * *", True),
        ("45 30 12 15 5 3", True),
        ("45 30 12 15 5 3 2024", True),
        ("45 30 12 15 5 3 2025", False),
        ("44 30 12 15 5 3", False),
        # ranges are inclusive at both ends
        ("40-45 * * * * *", True),
        ("45-50 * * * * *", True),
        ("46-50 * * * * *", False),
        ("* * 8-11 * * *", False),
        ("* * 0-23 * * *", True),
        # steps count from the start of the range
        ("* */15 * * * *", True),
        ("* */20 * * * *", False),
        ("* 10-59/10 * * * *", True),
        ("* 5-59/10 * * * *", False),
        ("* 0-59/2 */2 * * *", True),
        ("* 0-23/2 * * * *", False),  # 30 lies outside the range
        ("* * 1/11 * * *", True),
        ("* * * * * * 2000-2030/4", True),
        # lists, also mixed with ranges and steps
        ("* * 6,12,18 * * *", True),
        ("* * 6,18 * * *", False),
        ("* * 1-3,11-13 * * *", True),
        ("* * 1-3,*/5 * * *", False),
        # day of week: Sunday is 0, Wednesday 3
        ("* * * * * 3", True),
        ("* * * * * 1-5", True),
        ("* * * * * 0,6", False),
        ("* * * * * */2", False),
        # day of month and month
        ("* * * 15 5 *", True),
        ("* * * 15 6 *", False),
        ("* * * 31 2 *", False),
        # malformed windows never match
        ("* * * * *", False),
        ("* * * * * * * *", False),
        ("", False),
        ("x * * * * *", False),
        ("* */0 * * * *", False),
        ("* 5- * * * *", False),
        ("* * x,12 * * *", False),  # one malformed element spoils the entry
        ("* * 12,13/0 * * *", False),
    ],
)
def test_time_window_matches(window, expected):
    assert time_window_matches(window, NOON) is expected


def test_time_window_uses_utc():
    # 02:00 in UTC+3 is 23:00 UTC on the previous day (a Tuesday, the 14th).
    local = datetime(2024, 5, 15, 2, 0, 0, tzinfo=timezone(timedelta(hours=3)))
    assert time_window_matches("* * 23 14 5 2", local)
    assert not time_window_matches("* * 2 15 5 3", local)


def test_sunday_is_day_zero():
    sunday = datetime(2024, 5, 19, 8, 0, 0, tzinfo=timezone.utc)
    assert time_window_matches("* * * * * 0", sunday)
    assert not time_window_matches("* * * * * 1-6", sunday)
    assert not time_window_matches("* * * * * 7", sunday)


@pytest.mark.parametrize("window", ["* * * *", "61 * * * * *", "* * * * * * * *", "a b c d e f", "*/0 * * * * *"])
async def test_malformed_time_windows_are_refused_when_the_policy_is_written(admin, window):
    rule = {"acor": ["all"], "acop": 2, "acco": [{"actw": [window]}]}
    body = {"m2m:acp": {"rn": "badwindow", "pv": {"acr": [rule]}, "pvs": {"acr": [{"acor": ["CAdmin"], "acop": 63}]}}}
    reply = await admin.create("/cse-in", 1, body)
    assert reply.rsc == 4000 and "actw" in reply.body["m2m:dbg"]
    assert (await admin.retrieve("/cse-in/badwindow")).rsc == 4004
