"""CoRE link format: RFC 6690 syntax, registration payloads, Discover and Write-Attributes."""

from __future__ import annotations

import pytest

from ipe_sdt.lwm2m import (
    Attributes,
    CodecError,
    DiscoveredLink,
    Link,
    RegisteredObject,
    Registration,
    format_discover,
    format_links,
    format_registration,
    parse_discover,
    parse_links,
    parse_registration,
)
from ipe_sdt.lwm2m.registration import parse_content_formats


def test_rfc6690_syntax():
    links = parse_links(b'</sensors/temp>;rt="temperature-c";if="sensor";ct=0;obs,</a>;title="a, \\"b\\"; c"')
    assert links == [
        Link("/sensors/temp", {"rt": "temperature-c", "if": "sensor", "ct": "0", "obs": None}),
        Link("/a", {"title": 'a, "b"; c'}),
    ]
    assert format_links(links) == '</sensors/temp>;rt="temperature-c";if="sensor";ct=0;obs,</a>;title="a, \\"b\\"; c"'


def test_empty_document_has_no_links():
    assert parse_links(b"") == []
    assert parse_links("  \n ") == []


def test_whitespace_around_separators_is_tolerated():
    assert parse_links("</1/0> , </3/0> ;ver=1.1 ,\n</5>") == [
        Link("/1/0"), Link("/3/0", {"ver": "1.1"}), Link("/5"),
    ]


def test_first_occurrence_of_a_parameter_wins():
    assert parse_links("</3/0>;pmin=1;pmin=2")[0].params == {"pmin": "1"}


def test_values_are_quoted_only_when_needed():
    assert str(Link("/", {"rt": "oma.lwm2m", "ct": "110 112", "ver": "1.1", "x": ""})) == (
        '</>;rt="oma.lwm2m";ct="110 112";ver=1.1;x=""'
    )


@pytest.mark.parametrize(
    "payload",
    [
        b"/3/0",
        b"<",
        b"</3/0",
        b"</3/0>;",
        b"</3/0>;=1",
        b"</3/0>;pmin=",
        b"</3/0>;pmin=,</3/1>",
        b'</3/0>;rt="oma',
        b'</3/0>;rt="oma\\',
        b"</3/0> </3/1>",
        b"</3/0>,",
        b"</3/0>,,</3/1>",
        b"</3/0>x",
        b"<</3/0>",
        b"</3 0>",
        b'</3"0>',
        b"</3/0\x01>",
        b"</3/0>;a b",
        b"\xff\xfe",
        b"</3/0>;pm\xc3\xafn=1",
    ],
)
def test_malformed_link_format(payload):
    with pytest.raises(CodecError):
        parse_links(payload)


def test_bad_links_cannot_be_written():
    with pytest.raises(CodecError):
        format_links([Link("/a>b")])
    with pytest.raises(CodecError):
        format_links([Link("/a", {"bad name": "1"})])
    with pytest.raises(CodecError):
        format_links([Link("/a", {"x": "line\nbreak"})])


def test_registration_lwm2m_1_1_style():
    payload = b'</>;rt="oma.lwm2m";ct=11543, </1/0>, </3/0>, </5>;ver=1.1, </3311/0>'
    registration = parse_registration(payload)
    assert registration == Registration(
        root_path="/",
        content_formats=(11543,),
        objects={
            1: RegisteredObject(1, None, (0,)),
            3: RegisteredObject(3, None, (0,)),
            5: RegisteredObject(5, "1.1", ()),
            3311: RegisteredObject(3311, None, (0,)),
        },
    )
    assert registration.object_paths() == [(1, 0), (3, 0), (5,), (3311, 0)]


def test_registration_from_wakaama():
    payload = (
        b'</>;rt="oma.lwm2m";ct=110,</1>;ver=1.1,</1/0>,</2/0>,</3/0>,</4/0>,</5/0>,</6/0>,</7/0>,'
        b"</31024>;ver=1.0,</31024/10>,</31024/11>,</31024/12>"
    )
    registration = parse_registration(payload)
    assert registration.content_formats == (110,)
    assert list(registration.objects) == [1, 2, 3, 4, 5, 6, 7, 31024]
    assert registration.objects[1] == RegisteredObject(1, "1.1", (0,))
    assert registration.objects[31024] == RegisteredObject(31024, "1.0", (10, 11, 12))


def test_registration_with_alternate_root_path():
    # TS Core 1.0 section 5.3.1 style, and a link outside the LwM2M objects.
    payload = b'</lwm2m>;rt="oma.lwm2m",</lwm2m/1/101>,</lwm2m/1/102>,</lwm2m/2/0>,</lwm2m/3/0>,</lwm2m/5>,</temp>'
    registration = parse_registration(payload)
    assert registration.root_path == "/lwm2m"
    assert registration.content_formats == ()
    assert registration.objects[1].instances == (101, 102)
    assert registration.objects[5].instances == ()
    assert registration.other_links == (Link("/temp"),)


def test_registration_content_formats_list_and_quoted_version():
    registration = parse_registration(b'</>;rt="oma.lwm2m";ct="60 110 112 11542 11543",</1/0>;ver="1.2"')
    assert registration.content_formats == (60, 110, 112, 11542, 11543)
    assert registration.objects[1].version == "1.2"


def test_registration_without_root_link_and_relative_targets():
    registration = parse_registration(b"<1/0>, <3/0>, </3/0>")
    assert registration.root_path == "/"
    assert registration.objects == {1: RegisteredObject(1, None, (0,)), 3: RegisteredObject(3, None, (0,))}


def test_registration_keeps_unrelated_links_aside():
    registration = parse_registration(b"</3/0/1>,</a/b>,</70000/0>,</3/0>")
    assert [link.target for link in registration.other_links] == ["/3/0/1", "/a/b", "/70000/0"]
    assert list(registration.objects) == [3]


@pytest.mark.parametrize(
    "payload",
    [
        b'</>;rt="oma.lwm2m";ct=json,</3/0>',
        b'</>;rt="oma.lwm2m";ct="",</3/0>',
        b'</>;rt="oma.lwm2m";ct=99999999,</3/0>',
        b'</>;rt="oma.lwm2m",</a>;rt="oma.lwm2m"',
        b"</3/0",
    ],
)
def test_malformed_registrations(payload):
    with pytest.raises(CodecError):
        parse_registration(payload)


def test_format_registration_round_trip():
    objects = [
        RegisteredObject(3, None, (0,)),
        RegisteredObject(1, "1.1", (0,)),
        RegisteredObject(5, None, ()),
        RegisteredObject(3311, "1.0", (0, 1)),
    ]
    payload = format_registration(objects, content_formats=[110, 112])
    assert payload == (
        b'</>;rt="oma.lwm2m";ct="110 112",</1>;ver=1.1,</1/0>,</3/0>,</5>,</3311>;ver=1.0,</3311/0>,</3311/1>'
    )
    parsed = parse_registration(payload)
    assert parsed.objects == {o.id: o for o in objects}
    assert parsed.content_formats == (110, 112)


def test_format_registration_alternate_root_and_minimal_form():
    assert format_registration([RegisteredObject(3, None, (0,))]) == b"</3/0>"
    payload = format_registration([RegisteredObject(3, None, (0,))], root_path="/lwm2m/")
    assert payload == b'</lwm2m>;rt="oma.lwm2m",</lwm2m/3/0>'
    assert parse_registration(payload).objects == {3: RegisteredObject(3, None, (0,))}


def test_parse_content_formats():
    assert parse_content_formats(None) == ()
    assert parse_content_formats("11543") == (11543,)
    assert parse_content_formats("110  112") == (110, 112)


def test_discover_answer():
    # TS Core 1.1 section 5.4.1 style: attributes on the instance and on resources.
    payload = (
        b"</3/0>;pmin=10;pmax=60,</3/0/1>,</3/0/2>,</3/0/6>;dim=2,"
        b"</3/0/7>;dim=2;gt=50;lt=42.2;st=0.5,</3/0/13>;epmin=1;epmax=3600"
    )
    links = parse_discover(payload)
    assert [link.path for link in links] == [(3, 0), (3, 0, 1), (3, 0, 2), (3, 0, 6), (3, 0, 7), (3, 0, 13)]
    assert links[0].attributes == Attributes(pmin=10, pmax=60)
    assert links[1].attributes.is_empty()
    assert links[3].attributes == Attributes(dim=2)
    assert links[4].attributes == Attributes(gt=50.0, lt=42.2, st=0.5, dim=2)
    assert links[5].attributes == Attributes(epmin=1, epmax=3600)
    assert format_discover(links) == payload.replace(b"dim=2;gt=50;lt=42.2;st=0.5", b"gt=50;lt=42.2;st=0.5;dim=2")


def test_discover_object_version_and_unmodelled_attributes():
    links = parse_discover(b"</3>;ver=1.2,</3/0>;edge=1;con=0")
    assert links[0].attributes == Attributes(ver="1.2")
    assert links[1].attributes.is_empty()
    assert links[1].params == {"edge": "1", "con": "0"}
    assert format_discover(links) == b"</3>;ver=1.2,</3/0>;edge=1;con=0"


def test_discover_under_an_alternate_root():
    assert parse_discover(b"</lwm2m/3/0/1>", root_path="/lwm2m")[0].path == (3, 0, 1)


@pytest.mark.parametrize(
    "payload",
    [b"</>", b"</a>", b"</3/0>;pmin=-1", b"</3/0>;pmin=x", b"</3/0>;pmin", b"</3/0>;gt=abc", b"</3/0>;gt=1e999",
     b"</3/0>;dim=256", b"</3/0>;st=-1", b"</3>;ver", b"</3/0/1/2/3>"],
)
def test_malformed_discover(payload):
    with pytest.raises(CodecError):
        parse_discover(payload)


def test_write_attributes_query():
    attributes = Attributes(pmin=10, pmax=60, gt=20.5, st=1.0)
    assert attributes.to_query() == ["pmin=10", "pmax=60", "gt=20.5", "st=1"]
    assert attributes.to_query(unset=["lt", "epmin"]) == ["pmin=10", "pmax=60", "gt=20.5", "st=1", "lt", "epmin"]
    parsed, unset = Attributes.from_query(["pmin=10", "pmax=60", "gt=20.5", "st=1", "lt"])
    assert parsed == Attributes(pmin=10, pmax=60, gt=20.5, st=1.0)
    assert unset == {"lt"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Attributes(dim=2).to_query(), "read-only"),
        (lambda: Attributes(ver="1.1").to_query(), "read-only"),
        (lambda: Attributes().to_query(unset=["dim"]), "read-only"),
        (lambda: Attributes(pmin=1).to_query(unset=["pmin"]), "both set and unset"),
        (lambda: Attributes.from_query(["dim=1"]), "read-only"),
        (lambda: Attributes.from_query(["foo=1"]), "unknown"),
        (lambda: Attributes.from_query(["pmin=1", "pmin=2"]), "twice"),
        (lambda: Attributes.from_query(["pmin=1.5"]), "non-negative integer"),
        (lambda: Attributes(pmin=-1), "non-negative integer"),
        (lambda: Attributes(pmax=True), "non-negative integer"),
        (lambda: Attributes(gt=float("nan")), "finite"),
        (lambda: Attributes(lt="5"), "finite"),
        (lambda: Attributes(st=-0.5), "negative"),
        (lambda: Attributes(dim=300), "0..255"),
        (lambda: Attributes(ver=1.1), "string"),
    ],
)
def test_attribute_errors(make, message):
    with pytest.raises(CodecError, match=message):
        make()


def test_discovered_link_round_trip_with_explicit_attributes():
    links = [DiscoveredLink((3311, 0)), DiscoveredLink((3311, 0, 5850), Attributes(pmin=1, pmax=30))]
    assert format_discover(links) == b"</3311/0>,</3311/0/5850>;pmin=1;pmax=30"
    parsed = parse_discover(format_discover(links))
    assert [(link.path, link.attributes) for link in parsed] == [(link.path, link.attributes) for link in links]
