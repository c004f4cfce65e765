"""Hostile XML is refused with a clear error, before anything is expanded or fetched."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Callable

import pytest

from ipe_sdt.sdt import SDTParseError, SDTSecurityError, parse_file, parse_string, validate_file

WriteFile = Callable[[str, str], Path]

SDT4 = 'xmlns="http://www.onem2m.org/xml/sdt/4.0" xmlns:xi="http://www.w3.org/2001/XInclude"'


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test instead of silently reaching out."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the SDT parser tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE Domain [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Domain {SDT4} id="bomb"><Doc>&lol9;</Doc></Domain>
"""


def test_billion_laughs_is_refused_without_expansion(write: WriteFile) -> None:
    path = write("bomb.xml", BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(SDTSecurityError) as caught:
        parse_file(path)
    assert time.monotonic() - started < 2
    diagnostic = caught.value.diagnostic
    assert (diagnostic.file, diagnostic.line) == (str(path), 2)
    assert "document type declarations (<!DOCTYPE Domain ...>) are not allowed" in str(caught.value)
    assert "lollol" not in str(caught.value)


def test_external_entity_is_refused_and_file_not_read(write: WriteFile, tmp_path: Path) -> None:
    secret = write("secret.txt", "TOP-SECRET-CONTENT")
    text = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE Domain [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f'<Domain {SDT4} id="x"><Doc>&xxe;</Doc></Domain>\n'
    )
    with pytest.raises(SDTSecurityError) as caught:
        parse_string(text, source_name="xxe.xml")
    assert str(caught.value).startswith("xxe.xml:2: error: document type declarations")
    assert "TOP-SECRET-CONTENT" not in str(caught.value)


def test_external_dtd_is_refused_without_fetching() -> None:
    text = f'<!DOCTYPE Domain SYSTEM "http://127.0.0.1:9/evil.dtd">\n<Domain {SDT4} id="x"/>'
    with pytest.raises(SDTSecurityError, match="DOCTYPE"):
        parse_string(text)


def test_parameter_entities_are_refused() -> None:
    text = (
        '<!DOCTYPE Domain [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>\n'
        f'<Domain {SDT4} id="x"/>'
    )
    with pytest.raises(SDTSecurityError):
        parse_string(text)


def test_entity_reference_without_declaration_is_a_plain_xml_error() -> None:
    with pytest.raises(SDTParseError) as caught:
        parse_string(f'<Domain {SDT4} id="x">\n<Doc>&xxe;</Doc></Domain>', source_name="e.xml")
    assert not isinstance(caught.value, SDTSecurityError)
    assert str(caught.value).startswith("e.xml:2: error: the file is not well-formed XML: undefined entity")


def test_dtd_inside_an_included_file_is_refused(write: WriteFile) -> None:
    write("inner.xml", BILLION_LAUGHS)
    outer = write("outer.xml", f'<Domain {SDT4} id="o">\n<Imports><xi:include href="inner.xml"/></Imports></Domain>')
    with pytest.raises(SDTSecurityError) as caught:
        parse_file(outer)
    assert caught.value.diagnostic.file == str(outer.parent / "inner.xml")
    assert caught.value.diagnostic.line == 2


def _including(href: str) -> str:
    return f'<Domain {SDT4} id="main">\n  <Imports>\n    <xi:include href="{href}" parse="xml"/>\n  </Imports>\n</Domain>\n'


@pytest.mark.parametrize(
    "href, fragment",
    [
        ("http://example.org/dal-core.xml", "is a 'http:' URL; only relative paths to local files are allowed"),
        ("https://example.org/x.xml", "is a 'https:' URL"),
        ("file:///etc/passwd", "is a 'file:' URL"),
        ("ftp://example.org/x.xml", "is a 'ftp:' URL"),
        ("//example.org/x.xml", "names a network location"),
        ("/etc/passwd", "is an absolute path"),
        ("../../etc/passwd", "which is outside the allowed directories"),
        ("sub/../../outside.xml", "which is outside the allowed directories"),
        ("%2e%2e/%2e%2e/etc/passwd", "which is outside the allowed directories"),
    ],
)
def test_xinclude_outside_local_allowed_files_is_refused(write: WriteFile, href: str, fragment: str) -> None:
    path = write("main/main.xml", _including(href))
    with pytest.raises(SDTSecurityError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:3: error: xi:include: ")
    assert fragment in message
    assert "root:" not in message  # nothing of /etc/passwd was read


def test_symlink_escaping_the_allowed_directory_is_refused(write: WriteFile, tmp_path: Path) -> None:
    outside = write("outside/secret.xml", f'<Domain {SDT4} id="secret"/>')
    main = write("main/main.xml", _including("link.xml"))
    os.symlink(outside, main.parent / "link.xml")
    with pytest.raises(SDTSecurityError, match="outside the allowed directories"):
        parse_file(main)


def test_allowed_dirs_can_widen_the_include_area(write: WriteFile, tmp_path: Path) -> None:
    write("common/core.xml", f'<Domain {SDT4} id="core"/>')
    main = write("app/main.xml", _including("../common/core.xml"))
    with pytest.raises(SDTSecurityError):
        parse_file(main)
    document = parse_file(main, allowed_dirs=[tmp_path])
    assert document.domain.imports[0].domain.id == "core"
    assert document.domain.imports[0].file == os.path.normpath(tmp_path / "common" / "core.xml")


def test_missing_include_is_a_clear_parse_error(write: WriteFile) -> None:
    path = write("main.xml", _including("absent.xml"))
    with pytest.raises(SDTParseError) as caught:
        parse_file(path)
    assert not isinstance(caught.value, SDTSecurityError)
    assert "xi:include: the included file 'absent.xml' does not exist" in str(caught.value)


def test_include_cycle_is_detected(write: WriteFile) -> None:
    write("a.xml", _including("b.xml"))
    write("b.xml", _including("a.xml"))
    with pytest.raises(SDTParseError, match="include each other in a cycle"):
        validate_file(Path(write("start.xml", _including("a.xml"))))


@pytest.mark.parametrize(
    "include, fragment",
    [
        ('<xi:include href="x.xml" parse="text"/>', "parse='text' is not supported"),
        ('<xi:include href="x.xml" xpointer="xpointer(/)"/>', "'xpointer' attribute is not supported"),
        ("<xi:include/>", "'href' attribute naming the file to include is missing"),
        ('<xi:include href="x.xml"><xi:fallback/></xi:include>', "<fallback> inside xi:include is not supported"),
        ('<xi:include href="x.xml?a=1"/>', "has a query or fragment"),
    ],
)
def test_unsupported_xinclude_features_are_refused(write: WriteFile, include: str, fragment: str) -> None:
    write("x.xml", f'<Domain {SDT4} id="x"/>')
    path = write("main.xml", f'<Domain {SDT4} id="main"><Imports>{include}</Imports></Domain>')
    with pytest.raises(SDTParseError, match="xi:include") as caught:
        parse_file(path)
    assert fragment in str(caught.value)


def test_include_from_a_string_needs_a_base_directory(write: WriteFile, tmp_path: Path) -> None:
    write("core.xml", f'<Domain {SDT4} id="core"/>')
    with pytest.raises(SDTParseError, match="without a base directory"):
        parse_string(_including("core.xml"))
    document = parse_string(_including("core.xml"), base_dir=tmp_path)
    assert document.domain.imports[0].domain.id == "core"


def test_diamond_include_is_parsed_once(write: WriteFile) -> None:
    write("core.xml", f'<Domain {SDT4} id="core"><ModuleClasses><ModuleClass name="m"/></ModuleClasses></Domain>')
    write("left.xml", _including("core.xml").replace('id="main"', 'id="left"'))
    write("right.xml", _including("core.xml").replace('id="main"', 'id="right"'))
    main = write(
        "main.xml",
        f'<Domain {SDT4} id="main"><Imports><xi:include href="left.xml"/><xi:include href="right.xml"/>'
        "</Imports></Domain>",
    )
    document = parse_file(main)
    left, right = (imp.domain for imp in document.domain.imports)
    assert left.imports[0].domain is right.imports[0].domain
    assert [d.id for d in document.domain.iter_domains()] == ["main", "left", "right", "core"]
    assert validate_file(main) == []
