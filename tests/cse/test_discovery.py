"""Discovery (fu=1) and conditional retrieval (fu=2) with filter criteria (TS-0004 7.3.3.14, 7.3.3.17).

The tree below the AE 'disc', created in this order (contentSize in brackets):

    cntA      lbl a shared, et +1 day
      a1      cin "x" [1]      text/plain:0        lbl a1
      a2      cin "hello" [5]  application/json:0
      cntSub  lbl sub
        s1    cin "deep" [4]
    cntB      lbl b shared, mni 10, et +2 days
      b1      cin "0123456789" [10]  text/plain:0
    cntC      et +3 days
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import pytest

from cse.timestamps import format_ts

AE = "/cse-in/disc"
ORIGINATOR = "Cdisc"
ORDER = ["cntA", "a1", "a2", "cntSub", "s1", "cntB", "b1", "cntC"]
PATHS = {
    "cntA": "cntA", "a1": "cntA/a1", "a2": "cntA/a2", "cntSub": "cntA/cntSub", "s1": "cntA/cntSub/s1",
    "cntB": "cntB", "b1": "cntB/b1", "cntC": "cntC",
}
CONTAINERS = ["cntA", "cntSub", "cntB", "cntC"]
INSTANCES = ["a1", "a2", "s1", "b1"]


@dataclass
class Tree:
    created: dict[str, dict[str, Any]] = field(default_factory=dict)

    def ri(self, name: str) -> str:
        return self.created[name]["ri"]


def sid(name: str) -> str:
    """The structured ID a discovery reports for a resource of the tree."""
    return f"cse-in/disc/{PATHS[name]}"


def in_order(names) -> list[str]:
    return [sid(name) for name in ORDER if name in set(names)]


def days_from_now(days: int) -> str:
    return format_ts(datetime.now(timezone.utc) + timedelta(days=days))


@pytest.fixture
async def tree(client) -> Tree:
    assert (await client.register_ae("disc", originator=ORIGINATOR)).rsc == 2001
    client.originator = ORIGINATOR
    built = Tree()

    async def make(name: str, parent: str, ty: int, body: dict[str, Any]) -> None:
        reply = await client.create(f"{AE}/{parent}".rstrip("/"), ty, body)
        assert reply.rsc == 2001, reply
        built.created[name] = reply.pc

    await make("cntA", "", 3, {"m2m:cnt": {"rn": "cntA", "lbl": ["a", "shared"], "et": days_from_now(1)}})
    await make("a1", "cntA", 4, {"m2m:cin": {"rn": "a1", "con": "x", "cnf": "text/plain:0", "lbl": ["a1"]}})
    await make("a2", "cntA", 4, {"m2m:cin": {"rn": "a2", "con": "hello", "cnf": "application/json:0"}})
    await make("cntSub", "cntA", 3, {"m2m:cnt": {"rn": "cntSub", "lbl": ["sub"]}})
    await make("s1", "cntA/cntSub", 4, {"m2m:cin": {"rn": "s1", "con": "deep"}})
    await make("cntB", "", 3, {"m2m:cnt": {"rn": "cntB", "lbl": ["b", "shared"], "mni": 10, "et": days_from_now(2)}})
    await make("b1", "cntB", 4, {"m2m:cin": {"rn": "b1", "con": "0123456789", "cnf": "text/plain:0"}})
    await make("cntC", "", 3, {"m2m:cnt": {"rn": "cntC", "et": days_from_now(3)}})
    return built


async def discover(client, query: str = "", path: str = AE, **kw) -> list[str]:
    reply = await client.retrieve(f"{path}?fu=1{'&' + query if query else ''}", **kw)
    assert reply.rsc == 2000 and reply.status == 200, reply
    return reply.body["m2m:uril"]


async def current(client, name: str) -> dict[str, Any]:
    reply = await client.retrieve(f"{AE}/{PATHS[name]}")
    assert reply.rsc == 2000, reply
    return reply.pc


# -- the result --------------------------------------------------------------------------------


async def test_discovery_without_conditions_lists_every_descendant_parents_first(client, tree):
    assert await discover(client) == in_order(ORDER)


async def test_discovery_result_does_not_include_the_target(client, tree):
    found = await discover(client, path=f"{AE}/cntA")
    assert sid("cntA") not in found
    assert found == in_order(["a1", "a2", "cntSub", "s1"])


async def test_discovery_from_a_subtree_stays_inside_it(client, tree):
    assert await discover(client, path=f"{AE}/cntA/cntSub") == [sid("s1")]
    assert await discover(client, path=f"{AE}/cntB") == [sid("b1")]
    assert await discover(client, path=f"{AE}/cntC") == []
    assert await discover(client, path=f"{AE}/cntA/a1") == []


async def test_discovery_from_an_unstructured_address(client, tree):
    assert await discover(client, "ty=4", path=f"/{tree.ri('cntA')}") == in_order(["a1", "a2", "s1"])


async def test_discovery_from_the_cse_base_reaches_the_whole_tree(client, tree):
    found = await discover(client, "ty=2+3", path="/cse-in")
    assert found == ["cse-in/disc"] + in_order(CONTAINERS)


async def test_discovery_of_a_missing_target_is_not_found(client, tree):
    reply = await client.retrieve(f"{AE}/nothing?fu=1")
    assert reply.rsc == 4004 and reply.status == 404


async def test_drt_structured_is_the_default(client, tree):
    assert await discover(client, "ty=3&drt=1") == await discover(client, "ty=3")
    assert await discover(client, "ty=3") == in_order(CONTAINERS)


async def test_drt_unstructured_lists_resource_ids(client, tree):
    found = await discover(client, "ty=3&drt=2")
    assert found == [tree.ri(name) for name in ORDER if name in CONTAINERS]
    assert all("/" not in ri for ri in found)
    # Each ID addresses the resource it names.
    reply = await client.retrieve(f"/{found[0]}")
    assert reply.pc["rn"] == "cntA"


@pytest.mark.parametrize("media", ["json", "cbor", "xml"])
async def test_uril_in_each_serialization(client, tree, media):
    reply = await client.retrieve(f"{AE}?fu=1&ty=3", media=media)
    assert reply.rsc == 2000 and media in reply.headers["Content-Type"]
    uril = reply.body["m2m:uril"]
    if media == "xml":
        # An xs:list of URIs is one space-separated text in XML.
        assert isinstance(uril, str)
        assert b"<m2m:uril" in reply.raw and " ".join(in_order(CONTAINERS)).encode() in reply.raw
        uril = uril.split()
    assert uril == in_order(CONTAINERS)


@pytest.mark.parametrize("media", ["json", "cbor", "xml"])
async def test_empty_result_in_each_serialization(client, tree, media):
    reply = await client.retrieve(f"{AE}?fu=1&lbl=none", media=media)
    assert reply.rsc == 2000
    # JSON and CBOR carry an empty list; XML an empty m2m:uril element.
    assert not reply.body["m2m:uril"] and b"cse-in/" not in reply.raw


async def test_discovery_with_child_resource_references(client, tree):
    reply = await client.retrieve(f"{AE}?fu=1&ty=4&rcn=6")
    assert reply.rsc == 2000
    refs = reply.body["m2m:rrl"]["rrf"]
    assert [ref["val"] for ref in refs] == in_order(INSTANCES)
    assert all(ref["typ"] == 4 for ref in refs) and [ref["nm"] for ref in refs] == ["a1", "a2", "s1", "b1"]


@pytest.mark.parametrize("rcn", [0, 1, 2, 3, 7, 9])
async def test_discovery_refuses_result_contents_that_do_not_apply(client, tree, rcn):
    assert (await client.retrieve(f"{AE}?fu=1&rcn={rcn}")).rsc == 4000


# -- matching conditions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ty=3", CONTAINERS),
        ("ty=4", INSTANCES),
        ("ty=3+4", ORDER),
        ("ty=3&ty=4", ORDER),
        ("ty=1", []),
        ("ty=2", []),
    ],
)
async def test_resource_type(client, tree, query, expected):
    assert await discover(client, query) == in_order(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lbl=a", ["cntA"]),
        ("lbl=a1", ["a1"]),
        ("lbl=shared", ["cntA", "cntB"]),
        ("lbl=a+b", ["cntA", "cntB"]),
        ("lbl=sub+a1+none", ["a1", "cntSub"]),
        ("lbl=none", []),
        ("lbl=A", []),  # labels are case-sensitive
    ],
)
async def test_labels_any_of_them(client, tree, query, expected):
    assert await discover(client, query) == in_order(expected)


async def test_created_after_and_before(client, tree):
    a2_ct = quote(tree.created["a2"]["ct"])
    # createdAfter <= creationTime < createdBefore: the bound itself is "after", not "before".
    assert await discover(client, f"cra={a2_ct}") == in_order(["a2", "cntSub", "s1", "cntB", "b1", "cntC"])
    assert await discover(client, f"crb={a2_ct}") == in_order(["cntA", "a1"])
    b1_ct = quote(tree.created["b1"]["ct"])
    assert await discover(client, f"cra={a2_ct}&crb={b1_ct}") == in_order(["a2", "cntSub", "s1", "cntB"])


async def test_created_bounds_in_whole_seconds(client, tree):
    assert await discover(client, "cra=20000101T000000") == in_order(ORDER)
    assert await discover(client, "crb=20000101T000000") == []
    assert await discover(client, "cra=29991231T235959") == []


async def test_modified_since_and_unmodified_since(client, tree):
    updated = await client.update(f"{AE}/cntC", {"m2m:cnt": {"lbl": ["touched"]}})
    assert updated.rsc == 2004
    lt = quote(updated.pc["lt"])
    # modifiedSince <= lastModifiedTime < unmodifiedSince.
    assert await discover(client, f"ms={lt}") == [sid("cntC")]
    assert await discover(client, f"us={lt}") == in_order([name for name in ORDER if name != "cntC"])


async def test_state_tag_bigger_and_smaller(client, tree):
    tags = {name: (await current(client, name))["st"] for name in ORDER}
    # Each contentInstance added to a container advances the container's stateTag.
    assert tags["cntA"] == 2 and tags["cntSub"] == 1 and tags["cntB"] == 1 and tags["cntC"] == 0
    # stateTagBigger <= stateTag < stateTagSmaller.
    assert await discover(client, "ty=3&stb=2") == [sid("cntA")]
    assert await discover(client, "ty=3&sts=1") == [sid("cntC")]
    assert await discover(client, "ty=3&stb=1&sts=2") == in_order(["cntSub", "cntB"])
    assert await discover(client, "stb=0") == in_order(ORDER)


async def test_expire_after_and_before(client, tree):
    cnt_b_et = quote(tree.created["cntB"]["et"])
    # expireAfter <= expirationTime < expireBefore.
    assert await discover(client, f"ty=3&exb={cnt_b_et}") == [sid("cntA")]
    assert await discover(client, f"ty=3&exa={cnt_b_et}") == in_order(["cntSub", "cntB", "cntC"])
    assert await discover(client, f"exb={quote(days_from_now(100 * 365))}") == in_order(ORDER)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sza=5", ["a2", "b1"]),  # sizeAbove <= contentSize
        ("szb=5", ["a1", "s1"]),  # contentSize < sizeBelow
        ("sza=4&szb=10", ["a2", "s1"]),
        ("sza=0", INSTANCES),  # containers have no contentSize
        ("sza=11", []),
    ],
)
async def test_content_size(client, tree, query, expected):
    assert await discover(client, query) == in_order(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cty=text/plain", ["a1", "b1"]),
        ("cty=application/json", ["a2"]),
        ("cty=text/plain+application/json", ["a1", "a2", "b1"]),
        ("cty=text/plain&cty=application/json", ["a1", "a2", "b1"]),
        ("cty=image/png", []),
        ("cty=text/plain:0", []),  # only the media type part of contentInfo is compared
    ],
)
async def test_content_type(client, tree, query, expected):
    assert await discover(client, quote(query, safe="=&+")) == in_order(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rn=cntB", ["cntB"]),
        ("rn=b1", ["b1"]),
        ("cni=0", ["cntC"]),
        ("cni=2", ["cntA"]),
        ("mni=10", ["cntB"]),
        ("con=hello", ["a2"]),
        ("rn=cnt*", CONTAINERS),  # a wildcard in a discovery matches any characters
        ("rn=*1", ["a1", "s1", "b1"]),
        ("rn=nothing", []),
        ("rn=CNTB", []),
    ],
)
async def test_attribute_conditions(client, tree, query, expected):
    assert await discover(client, query) == in_order(expected)


async def test_several_attribute_conditions_are_alternatives(client, tree):
    # TS-0004 clause 7.3.3.17.9: satisfied if any of the attribute elements matches.
    assert await discover(client, "rn=cntC&mni=10") == in_order(["cntB", "cntC"])


async def test_attribute_condition_combines_with_other_conditions(client, tree):
    assert await discover(client, "rn=cnt*&lbl=shared") == in_order(["cntA", "cntB"])
    assert await discover(client, "rn=cnt*&lbl=shared&fo=2") == in_order(CONTAINERS)


@pytest.mark.parametrize("attribute", ["ct", "lt", "st", "et", "cs", "cnf"])
async def test_attributes_with_their_own_conditions_are_refused_as_attribute_conditions(client, tree, attribute):
    reply = await client.retrieve(f"{AE}?fu=1&{attribute}=1")
    assert reply.rsc == 4000 and attribute in reply.body["m2m:dbg"]


# -- filterOperation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "and_result", "or_result"),
    [
        ("lbl=a&ty=4", [], ["cntA"] + INSTANCES),
        ("lbl=b&cty=text/plain", [], ["a1", "cntB", "b1"]),
        ("lbl=shared&ty=3", ["cntA", "cntB"], CONTAINERS),
        ("sza=5&cty=text/plain", ["b1"], ["a1", "a2", "b1"]),
    ],
)
async def test_filter_operation_and_versus_or(client, tree, query, and_result, or_result):
    assert await discover(client, query) == in_order(and_result)
    assert await discover(client, query + "&fo=1") == in_order(and_result)
    assert await discover(client, query + "&fo=2") == in_order(or_result)


# -- limit, offset, level ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lim=1", ["cntA"]),
        ("lim=3", ["cntA", "a1", "a2"]),
        ("lim=100", ORDER),
        ("lim=0", []),
        ("ty=4&lim=2", ["a1", "a2"]),
    ],
)
async def test_limit(client, tree, query, expected):
    assert await discover(client, query) == in_order(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ofst=1", ["a1", "a2", "cntSub", "s1"]),
        # the offset counts direct children; a skipped child takes its descendants along
        ("ofst=2", ["a2", "cntSub", "s1"]),
        ("ofst=3", ["cntSub", "s1"]),
        ("ofst=4", []),
        ("ofst=2&lim=2", ["a2", "cntSub"]),
        ("ofst=2&ty=4", ["a2", "s1"]),
    ],
)
async def test_offset(client, tree, query, expected):
    assert await discover(client, query, path=f"{AE}/cntA") == in_order(expected)


async def test_offset_skips_whole_subtrees_of_direct_children(client, tree):
    # The AE's direct children are cntA, cntB and cntC; skipping one drops all of cntA.
    assert await discover(client, "ofst=2") == in_order(["cntB", "b1", "cntC"])
    assert await discover(client, "ofst=3&ty=3") == [sid("cntC")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lvl=1", ["cntA", "cntB", "cntC"]),
        ("lvl=2", ["cntA", "a1", "a2", "cntSub", "cntB", "b1", "cntC"]),
        ("lvl=3", ORDER),
        ("lvl=0", []),
        ("lvl=2&ty=4", ["a1", "a2", "b1"]),
        ("lvl=1&lim=2", ["cntA", "cntB"]),
    ],
)
async def test_level(client, tree, query, expected):
    assert await discover(client, query) == in_order(expected)


# -- bad requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "fu=9",
        "fu=x",
        "fu=1&lim=-1",
        "fu=1&lim=two",
        "fu=1&ofst=0",
        "fu=1&lvl=-1",
        "fu=1&cra=garbage",
        "fu=1&crb=2024-01-01",
        "fu=1&ms=yesterday",
        "fu=1&foo=1",
        "fu=1&fo=3",
        "fu=1&drt=3",
        "fu=1&ty=container",
        "fu=1&sza=-5",
        "fu=1&rcn=42",
    ],
)
async def test_bad_parameter_values_are_bad_requests(client, tree, query):
    reply = await client.retrieve(f"{AE}?{query}")
    assert reply.rsc == 4000 and reply.status == 400, reply
    assert reply.body["m2m:dbg"]


# -- conditional retrieval (fu=2) --------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["lbl=a", "ty=3", "lbl=a+b", "rn=cntA", "cni=2", "lbl=nope&ty=3&fo=2", "stb=2", "cra=20000101T000000"],
)
async def test_conditional_retrieve_of_a_matching_resource(client, tree, query):
    reply = await client.retrieve(f"{AE}/cntA?fu=2&{query}")
    assert reply.rsc == 2000, reply
    assert reply.pc["rn"] == "cntA" and reply.pc["ri"] == tree.ri("cntA")


@pytest.mark.parametrize(
    "query",
    ["lbl=b", "ty=4", "rn=cntB", "cni=1", "lbl=nope&ty=3", "sts=2", "cra=29991231T235959", "sza=1"],
)
async def test_conditional_retrieve_of_a_resource_that_does_not_match_is_not_found(client, tree, query):
    reply = await client.retrieve(f"{AE}/cntA?fu=2&{query}")
    assert reply.rsc == 4004 and reply.status == 404, reply


async def test_conditional_retrieve_of_a_content_instance(client, tree):
    assert (await client.retrieve(f"{AE}/cntA/a2?fu=2&sza=5&cty=application/json")).pc["con"] == "hello"
    assert (await client.retrieve(f"{AE}/cntA/a2?fu=2&szb=5")).rsc == 4004
    latest = await client.retrieve(f"{AE}/cntA/la?fu=2&ty=4")
    assert latest.rsc == 2000 and latest.pc["rn"] == "a2"


async def test_conditional_retrieve_still_needs_retrieve_privilege(client, tree):
    reply = await client.retrieve(f"{AE}/cntA?fu=2&lbl=a", originator="Cstranger")
    assert reply.rsc == 4103 and reply.status == 403


async def test_label_discovery_leaves_out_the_labelled_target_and_keeps_tree_order(admin):
    await admin.register_ae("lbltree", originator="Clbltree", lbl=["tag"])
    admin.originator = "Clbltree"
    await admin.create("/cse-in/lbltree", 3, {"m2m:cnt": {"rn": "b", "lbl": ["tag"]}})
    await admin.create("/cse-in/lbltree", 3, {"m2m:cnt": {"rn": "a", "lbl": ["other"]}})
    await admin.create("/cse-in/lbltree/a", 3, {"m2m:cnt": {"rn": "deep", "lbl": ["tag"]}})
    await admin.create("/cse-in/lbltree/b", 3, {"m2m:cnt": {"rn": "inner", "lbl": ["tag"]}})
    found = (await admin.request("GET", "/cse-in/lbltree?fu=1&lbl=tag")).body["m2m:uril"]
    # Depth first, oldest first: b, then b's child, then a's child; never the target itself.
    assert found == ["cse-in/lbltree/b", "cse-in/lbltree/b/inner", "cse-in/lbltree/a/deep"]
    relabelled = await admin.update("/cse-in/lbltree/b", {"m2m:cnt": {"lbl": ["gone"]}})
    assert relabelled.rsc == 2004
    found = (await admin.request("GET", "/cse-in/lbltree?fu=1&lbl=tag")).body["m2m:uril"]
    assert found == ["cse-in/lbltree/b/inner", "cse-in/lbltree/a/deep"]
