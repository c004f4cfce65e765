"""Hardened XML reading: expat with line numbers, no DTDs, local-only XInclude.

ElementTree drops line numbers and the stock parsers accept DTDs, so this module
drives expat directly.  Any ``<!DOCTYPE``, entity declaration or external
entity reference aborts parsing at once: refusing the DTD before its body is read
means entity bombs (billion laughs) and external entities (XXE) can never expand.

``xi:include`` is resolved here rather than by a generic XInclude processor so
that the rules are ours: relative local paths only, resolved against the
including file, confined to the allowed directories after following symlinks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import unquote, urlsplit
from xml.parsers import expat

from .diagnostics import Diagnostic, SDTParseError, SDTSecurityError
from .model import NS_XINCLUDE

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 256
MAX_INCLUDED_FILES = 512

_NS_SEPARATOR = "\x1f"  # expat joins "namespace<sep>local"; a control char cannot occur in a URI


@dataclass(eq=False)
class XmlNode:
    """A parsed element with its origin; ``include_href`` is set on roots pulled in by XInclude."""

    namespace: str
    name: str
    attributes: dict[str, str]
    file: str
    line: int
    children: list[XmlNode] = field(default_factory=list)
    text: str = ""
    tail: str = ""
    # Set on the root of an included file: the href and where the xi:include was written.
    include_href: str | None = None
    include_file: str | None = None
    include_line: int | None = None
    # Identifies the parsed file, so a file included twice is recognised as one document.
    document_key: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{{{self.namespace}}}{self.name}" if self.namespace else self.name


def _split(name: str) -> tuple[str, str]:
    namespace, sep, local = name.rpartition(_NS_SEPARATOR)
    return (namespace, local) if sep else ("", name)


def _attribute_key(name: str) -> str:
    namespace, local = _split(name)
    return f"{{{namespace}}}{local}" if namespace else local


class _TreeBuilder:
    def __init__(self, parser: expat.XMLParserType, file: str) -> None:
        self._parser = parser
        self._file = file
        self._stack: list[XmlNode] = []
        self.root: XmlNode | None = None

    def _refuse(self, what: str) -> None:
        raise SDTSecurityError(
            Diagnostic(
                self._file,
                self._parser.CurrentLineNumber,
                "",
                f"{what} are not allowed in SDT files and were refused without being "
                "processed; they can declare entities that expand to enormous sizes or "
                "read other files. Remove the declaration.",
            )
        )

    def doctype(self, name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        self._refuse(f"document type declarations (<!DOCTYPE {name} ...>)")

    def entity_decl(self, *args: object) -> None:
        self._refuse("entity declarations (<!ENTITY ...>)")

    def external_entity(
        self, context: str | None, base: str | None, system_id: str | None, public_id: str | None
    ) -> int:
        self._refuse(f"external entity references (to {system_id!r})")
        return 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if len(self._stack) >= MAX_DEPTH:
            raise SDTParseError(
                Diagnostic(
                    self._file,
                    self._parser.CurrentLineNumber,
                    "",
                    f"elements are nested more than {MAX_DEPTH} levels deep; refusing to parse further.",
                )
            )
        namespace, local = _split(name)
        node = XmlNode(
            namespace=namespace,
            name=local,
            attributes={_attribute_key(k): v for k, v in attributes.items()},
            file=self._file,
            line=self._parser.CurrentLineNumber,
        )
        if self._stack:
            self._stack[-1].children.append(node)
        else:
            self.root = node
        self._stack.append(node)

    def end(self, name: str) -> None:
        self._stack.pop()

    def data(self, text: str) -> None:
        if not self._stack:
            return
        parent = self._stack[-1]
        if parent.children:
            parent.children[-1].tail += text
        else:
            parent.text += text


def parse_xml_bytes(data: bytes | str, file: str) -> XmlNode:
    """Parse one document without resolving includes; DTDs and entities are refused."""
    if len(data) > MAX_FILE_BYTES:
        raise SDTParseError(
            Diagnostic(file, 1, "", f"the file is larger than {MAX_FILE_BYTES} bytes; refusing to parse it.")
        )
    parser = expat.ParserCreate(namespace_separator=_NS_SEPARATOR)
    # Belt and braces: even if a DTD slipped through, never read external parameter entities.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    builder = _TreeBuilder(parser, file)
    parser.StartDoctypeDeclHandler = builder.doctype
    parser.EntityDeclHandler = builder.entity_decl
    parser.UnparsedEntityDeclHandler = builder.entity_decl
    parser.ExternalEntityRefHandler = builder.external_entity
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise SDTParseError(
            Diagnostic(
                file,
                exc.lineno,
                "",
                f"the file is not well-formed XML: {expat.ErrorString(exc.code)} (column {exc.offset + 1}).",
            )
        ) from None
    if builder.root is None:  # pragma: no cover - expat reports "no element found" first
        raise SDTParseError(Diagnostic(file, 1, "", "the file contains no XML element."))
    return builder.root


class IncludeResolver:
    """Expands ``xi:include`` elements, refusing anything that is not a confined local file."""

    def __init__(self, allowed_dirs: Sequence[Path]) -> None:
        self._allowed = [Path(d).resolve() for d in allowed_dirs]
        self._cache: dict[Path, XmlNode] = {}
        self._active: list[Path] = []
        self.files: list[str] = []

    def read_file(self, path: Path, display: str) -> XmlNode:
        real = path.resolve()
        if real in self._cache:
            return self._cache[real]
        if real in self._active:
            chain = " -> ".join(str(p) for p in [*self._active, real])
            raise SDTParseError(Diagnostic(display, 1, "", f"the files include each other in a cycle: {chain}."))
        if len(self._cache) >= MAX_INCLUDED_FILES:
            raise SDTParseError(
                Diagnostic(display, 1, "", f"more than {MAX_INCLUDED_FILES} files are included; refusing to continue.")
            )
        try:
            size = real.stat().st_size
            if size > MAX_FILE_BYTES:
                raise SDTParseError(
                    Diagnostic(display, 1, "", f"the file is larger than {MAX_FILE_BYTES} bytes; refusing to parse it.")
                )
            data = real.read_bytes()
        except OSError as exc:
            raise SDTParseError(Diagnostic(display, 1, "", f"cannot read the file: {exc.strerror or exc}.")) from None
        self.files.append(display)
        self._active.append(real)
        try:
            root = parse_xml_bytes(data, display)
            root.document_key = str(real)
            self.expand(root, Path(display).parent, real.parent)
        finally:
            self._active.pop()
        self._cache[real] = root
        return root

    def expand(self, node: XmlNode, display_dir: Path, real_dir: Path | None) -> None:
        """Replace every ``xi:include`` below ``node`` by the root element of the included file."""
        for index, child in enumerate(node.children):
            if child.namespace == NS_XINCLUDE and child.name == "include":
                node.children[index] = self._include(child, display_dir, real_dir)
            elif child.namespace == NS_XINCLUDE:
                raise SDTParseError(
                    Diagnostic(child.file, child.line, "", f"<xi:{child.name}> is only allowed inside <xi:include>.")
                )
            else:
                self.expand(child, display_dir, real_dir)

    def _include(self, include: XmlNode, display_dir: Path, real_dir: Path | None) -> XmlNode:
        def fail(message: str, error: type[SDTParseError] = SDTParseError) -> SDTParseError:
            return error(Diagnostic(include.file, include.line, "", f"xi:include: {message}"))

        href = include.attributes.get("href")
        if href is None or not href.strip():
            raise fail("the 'href' attribute naming the file to include is missing.")
        href = href.strip()
        parse = include.attributes.get("parse", "xml").strip()
        if parse != "xml":
            raise fail(f"parse={parse!r} is not supported; only parse=\"xml\" can include SDT definitions.")
        if "xpointer" in include.attributes:
            raise fail("the 'xpointer' attribute is not supported; include whole files.")
        for child in include.children:
            raise fail(
                f"<{child.name}> inside xi:include is not supported (no fallback content); "
                "the included file must exist."
            )
        if real_dir is None:
            raise fail(
                f"cannot include {href!r} because the document was given as a string without a "
                "base directory; pass base_dir to resolve includes."
            )
        relative = self._relative_path(href, fail)
        target_real = (real_dir / relative).resolve()
        if not any(target_real.is_relative_to(root) for root in self._allowed):
            allowed = ", ".join(str(d) for d in self._allowed)
            raise fail(
                f"{href!r} resolves to {str(target_real)!r}, which is outside the allowed "
                f"directories ({allowed}); refusing to read it.",
                SDTSecurityError,
            )
        if not target_real.is_file():
            raise fail(f"the included file {href!r} does not exist (looked for {str(target_real)!r}).")
        display = os.path.normpath(display_dir / relative)
        root = self.read_file(target_real, display)
        # A file included twice shares one parsed tree; each include gets its own wrapper
        # so it can remember where it was written.
        return replace(root, include_href=href, include_file=include.file, include_line=include.line)

    @staticmethod
    def _relative_path(href: str, fail: Callable[..., SDTParseError]) -> Path:
        parts = urlsplit(href)
        if parts.scheme:
            raise fail(
                f"{href!r} is a '{parts.scheme}:' URL; only relative paths to local files are "
                "allowed and nothing is ever fetched from a network.",
                SDTSecurityError,
            )
        if parts.netloc:
            raise fail(f"{href!r} names a network location; only relative local paths are allowed.", SDTSecurityError)
        if parts.query or parts.fragment:
            raise fail(f"{href!r} has a query or fragment; give a plain relative file path.")
        path_text = unquote(parts.path)
        if not path_text or "\x00" in path_text:
            raise fail(f"{href!r} is not a usable file path.")
        relative = Path(path_text)
        if relative.is_absolute():
            raise fail(
                f"{href!r} is an absolute path; give a path relative to the including file.",
                SDTSecurityError,
            )
        return relative


def read_document(
    *,
    path: Path | None = None,
    text: bytes | str | None = None,
    source_name: str = "<string>",
    base_dir: Path | None = None,
    allowed_dirs: Sequence[Path] | None = None,
) -> tuple[XmlNode, list[str]]:
    """Read a file or string, expand includes, and return the root plus every file read."""
    if path is not None:
        display = str(path)
        default_dir = Path(path).resolve().parent
        resolver = IncludeResolver(allowed_dirs if allowed_dirs is not None else [default_dir])
        try:
            if not Path(path).is_file():
                raise SDTParseError(Diagnostic(display, 1, "", "the file does not exist."))
        except OSError as exc:  # pragma: no cover - e.g. permission problems on stat
            raise SDTParseError(Diagnostic(display, 1, "", f"cannot read the file: {exc}.")) from None
        root = resolver.read_file(Path(path), display)
        return root, resolver.files
    if text is None:
        raise ValueError("either path or text must be given")
    real_dir = Path(base_dir).resolve() if base_dir is not None else None
    roots = allowed_dirs if allowed_dirs is not None else ([real_dir] if real_dir is not None else [])
    resolver = IncludeResolver(roots)
    root = parse_xml_bytes(text, source_name)
    display_dir = Path(base_dir) if base_dir is not None else Path(".")
    resolver.expand(root, display_dir, real_dir)
    return root, [source_name, *resolver.files]
