"""Parse SDT 3.0 and SDT 4.0 files into the typed model.

Reading is two-staged: :mod:`.xml_reader` turns bytes into a line-numbered tree
(refusing hostile XML and resolving includes), then :class:`_ModelBuilder` maps
that tree onto :mod:`.model`.  Only problems that make a model impossible raise
(:class:`SDTParseError`, :class:`SDTSecurityError`); structure problems are
collected as diagnostics so an author sees all of them in one run.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Iterator, Sequence

from .diagnostics import Diagnostic, SDTParseError, Severity, sort_diagnostics
from .model import (
    NS_SDT3,
    NS_SDT4,
    Action,
    Arg,
    ArrayType,
    Constraint,
    DataPoint,
    DataType,
    DataTypeRef,
    DeviceClass,
    Doc,
    Domain,
    EnumType,
    EnumValue,
    Event,
    Extend,
    ExtendFilter,
    Import,
    MemberKind,
    ModuleClass,
    ProductClass,
    Property,
    SDTDocument,
    SDTVersion,
    SimpleType,
    SourceLocation,
    StructType,
    SubDevice,
)
from .schema import (
    BASIC_TYPES,
    IGNORED_ATTRIBUTE_NAMESPACES,
    MEMBER_KINDS,
    RULES,
    AttrKind,
    ElementRule,
)
from .xml_reader import XmlNode, read_document

PathInput = str | os.PathLike[str]

# Element names of the other SDT version, so a mixed-up template gets a useful hint.
_HINTS: dict[tuple[SDTVersion, str], str] = {
    (SDTVersion.V4, "SimpleType"): 'SDT 4.0 writes simple types as <Simple type="..."/>',
    (SDTVersion.V4, "Modules"): "SDT 4.0 lists module classes in <ModuleClasses>",
    (SDTVersion.V4, "Module"): "SDT 4.0 uses <ModuleClass> here",
    (SDTVersion.V4, "extends"): 'SDT 4.0 uses <Extend domain="..." entity="..."/>',
    (SDTVersion.V4, "Devices"): "SDT 4.0 lists devices in <DeviceClasses>",
    (SDTVersion.V4, "Device"): "SDT 4.0 uses <DeviceClass>",
    (SDTVersion.V3, "Simple"): 'SDT 3.0 writes simple types as <SimpleType type="..."/>',
    (SDTVersion.V3, "ModuleClasses"): "SDT 3.0 lists module classes in <Modules>",
    (SDTVersion.V3, "Extend"): 'SDT 3.0 uses <extends domain="..." class="..."/>',
    (SDTVersion.V3, "DeviceClasses"): "SDT 3.0 lists devices in <Devices>",
    (SDTVersion.V3, "DeviceClass"): "SDT 3.0 uses <Device>",
}

_MISSING = object()


class _Attributes:
    """Converted attribute values of one element; missing or invalid ones fall back to defaults.

    Invalid values were already reported, so falling back lets parsing continue and
    report further problems instead of stopping at the first one.
    """

    def __init__(self, values: dict[str, object]) -> None:
        self._values = values

    def text(self, key: str) -> str | None:
        value = self._values.get(key)
        return None if value is None else str(value)

    def name(self, key: str) -> str:
        return self.text(key) or ""

    def flag(self, key: str, default: bool) -> bool:
        value = self._values.get(key)
        return value if isinstance(value, bool) else default

    def min_occurs(self) -> int:
        value = self._values.get("minOccurs")
        return value if isinstance(value, int) else 1

    def max_occurs(self) -> int | None:
        if "maxOccurs" not in self._values:
            return 1
        value = self._values["maxOccurs"]  # None means "unbounded"
        return value if isinstance(value, int) else None

    def member_kind(self) -> MemberKind:
        value = self._values.get("type")
        return value if isinstance(value, MemberKind) else MemberKind.DATAPOINT


def parse_file(path: PathInput, *, allowed_dirs: Sequence[PathInput] | None = None) -> SDTDocument:
    """Parse an SDT file; ``xi:include`` may only reach files under ``allowed_dirs``.

    ``allowed_dirs`` defaults to the directory of ``path``.
    """
    root, files = read_document(
        path=Path(path), allowed_dirs=[Path(d) for d in allowed_dirs] if allowed_dirs is not None else None
    )
    return _build(root, files)


def parse_string(
    text: str | bytes,
    *,
    source_name: str = "<string>",
    base_dir: PathInput | None = None,
    allowed_dirs: Sequence[PathInput] | None = None,
) -> SDTDocument:
    """Parse SDT XML given in memory.

    Includes are resolved relative to ``base_dir``; without it any ``xi:include``
    is an error.  ``allowed_dirs`` defaults to ``base_dir``.
    """
    root, files = read_document(
        text=text,
        source_name=source_name,
        base_dir=Path(base_dir) if base_dir is not None else None,
        allowed_dirs=[Path(d) for d in allowed_dirs] if allowed_dirs is not None else None,
    )
    return _build(root, files)


def _build(root: XmlNode, files: list[str]) -> SDTDocument:
    version = SDTVersion.from_namespace(root.namespace)
    if root.name != "Domain" or version is None:
        where = f" in namespace '{root.namespace}'" if root.namespace else " without a namespace"
        raise SDTParseError(
            Diagnostic(
                root.file,
                root.line,
                "",
                f"the root element is <{root.name}>{where}, but an SDT file must start with "
                f"<Domain> in namespace '{NS_SDT4}' (SDT 4.0) or '{NS_SDT3}' (SDT 3.0).",
            )
        )
    builder = _ModelBuilder()
    domain = builder.domain(root, _step("", root, [root]))
    return SDTDocument(domain=domain, diagnostics=sort_diagnostics(builder.diagnostics), files=tuple(files))


def _step(parent_path: str, child: XmlNode, siblings: list[XmlNode]) -> str:
    """Path of ``child``: its name plus a ``name``/``id`` predicate or a position among same-named siblings."""
    label = child.name if child.namespace in (NS_SDT3, NS_SDT4, "") else child.qualified_name
    for key in ("name", "id"):
        value = child.attributes.get(key)
        if value is not None and value.strip():
            label = f"{label}[@{key}={value.strip()}]"
            break
    else:
        same = [s for s in siblings if s.name == child.name and s.namespace == child.namespace]
        if len(same) > 1:
            label = f"{label}[{next(i for i, s in enumerate(same, 1) if s is child)}]"
    return f"{parent_path}/{label}" if parent_path else label


def _text_content(node: XmlNode) -> str:
    parts = [node.text]
    for child in node.children:
        parts.append(_text_content(child))
        parts.append(child.tail)
    return "".join(parts)


def _element_list(names: Sequence[str]) -> str:
    return ", ".join(f"<{n}>" for n in sorted(names)) or "no child elements"


class _ModelBuilder:
    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._domains: dict[object, Domain] = {}

    # ----------------------------------------------------------------- helpers

    def _report(self, node: XmlNode, path: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.diagnostics.append(Diagnostic(node.file, node.line, path, message, severity))

    @staticmethod
    def _source(node: XmlNode, path: str) -> SourceLocation:
        return SourceLocation(node.file, node.line, path)

    def _check(self, node: XmlNode, path: str, rule_key: str, version: SDTVersion) -> _Attributes:
        """Report attribute and child problems of ``node``; return its valid, converted attributes."""
        rule = RULES[version][rule_key]
        values = self._check_attributes(node, path, rule, version)
        self._check_children(node, path, rule, version)
        return _Attributes(values)

    def _check_attributes(
        self, node: XmlNode, path: str, rule: ElementRule, version: SDTVersion
    ) -> dict[str, object]:
        values: dict[str, object] = {}
        for key, raw in node.attributes.items():
            if key.startswith("{"):
                namespace = key[1 : key.index("}")]
                if namespace not in IGNORED_ATTRIBUTE_NAMESPACES:
                    self._report(node, path, f"<{node.name}> does not take the attribute '{key}'.")
                continue
            spec = rule.attributes.get(key)
            if spec is None:
                allowed = ", ".join(sorted(rule.attributes)) or "none"
                self._report(
                    node, path, f"<{node.name}> has no attribute '{key}'; the allowed attributes are: {allowed}."
                )
                continue
            value = self._convert(node, path, key, raw, spec.kind, version)
            if value is not _MISSING:
                values[key] = value
        for key, spec in rule.attributes.items():
            if spec.required and key not in node.attributes:
                self._report(node, path, f"<{node.name}> is missing the required attribute '{key}'.")
        return values

    def _convert(
        self, node: XmlNode, path: str, key: str, raw: str, kind: AttrKind, version: SDTVersion
    ) -> object:
        text = raw.strip()
        problem: str
        if kind is AttrKind.TEXT:
            return raw
        if kind is AttrKind.NAME:
            if text:
                return text
            problem = "must not be empty"
        elif kind is AttrKind.URI:
            if text and not any(c.isspace() for c in text):
                return text
            problem = f"must be a URI without spaces, not {raw!r}"
        elif kind is AttrKind.BOOLEAN:
            # xs:boolean lexical space.
            if text in ("true", "1"):
                return True
            if text in ("false", "0"):
                return False
            problem = f"must be 'true' or 'false', not {raw!r}"
        elif kind is AttrKind.NON_NEGATIVE_INTEGER:
            if text.isascii() and text.isdigit():
                return int(text)
            problem = f"must be a whole number of 0 or more, not {raw!r}"
        elif kind is AttrKind.MAX_OCCURS:
            if text == "unbounded":
                return None
            if text.isascii() and text.isdigit():
                return int(text)
            problem = f"must be a whole number of 0 or more or 'unbounded', not {raw!r}"
        elif kind is AttrKind.BASIC_TYPE:
            if text in BASIC_TYPES[version]:
                return text
            known = ", ".join(sorted(BASIC_TYPES[version]))
            self._report(node, path, f"the simple type {raw!r} is unknown; SDT {version} simple types are: {known}.")
            return _MISSING
        elif kind is AttrKind.MEMBER_KIND:
            if text in MEMBER_KINDS:
                return MemberKind(text)
            problem = f"must be one of {', '.join(sorted(MEMBER_KINDS))}, not {raw!r}"
        else:  # pragma: no cover - exhaustive over AttrKind
            raise AssertionError(kind)
        self._report(node, path, f"the attribute '{key}' {problem}.")
        return _MISSING

    def _check_children(self, node: XmlNode, path: str, rule: ElementRule, version: SDTVersion) -> None:
        counts: Counter[str] = Counter()
        hinted = False
        for child in node.children:
            child_path = _step(path, child, node.children)
            if child.namespace != version.namespace:
                what = f"{{{child.namespace}}}{child.name}" if child.namespace else child.name
                self._report(
                    child,
                    child_path,
                    f"<{what}> is not an SDT {version} element and is not allowed inside <{node.name}>.",
                )
            elif child.name not in rule.children:
                hint = _HINTS.get((version, child.name))
                hinted = hinted or hint is not None
                allowed = _element_list(list(rule.children))
                self._report(
                    child,
                    child_path,
                    f"<{child.name}> is not allowed inside <{node.name}>"
                    + (f" ({hint})" if hint else "")
                    + f"; allowed here: {allowed}.",
                )
            else:
                counts[child.name] += 1
        for name, spec in rule.children.items():
            count = counts[name]
            if spec.max is not None and count > spec.max:
                self._report(node, path, f"<{node.name}> may contain at most {spec.max} <{name}>, but it has {count}.")
            if count < spec.min:
                if spec.max == 1:
                    self._report(node, path, f"<{node.name}> must contain a <{name}> element.")
                else:
                    self._report(
                        node,
                        path,
                        f"<{node.name}> must contain at least one <{name}>; add one or remove the empty <{node.name}>.",
                    )
        if rule.choice:
            present = sorted(n for n in rule.choice if counts[n])
            options = " or ".join(f"<{n}>" for n in sorted(rule.choice))
            # A hinted element (e.g. <SimpleType> in SDT 4.0) is the intended choice and
            # already has a better message.
            if not present and not hinted:
                self._report(node, path, f"<{node.name}> must say what kind of type it is with one of {options}.")
            elif len(present) > 1:
                self._report(
                    node,
                    path,
                    f"<{node.name}> may contain only one of {options}, but it has {_element_list(present)}.",
                )
        if not rule.mixed:
            stray = "".join([node.text, *(c.tail for c in node.children)]).strip()
            if stray:
                shown = stray if len(stray) <= 40 else stray[:37] + "..."
                self._report(
                    node, path, f"<{node.name}> contains the text {shown!r}, but only elements are allowed here."
                )

    def _children(self, node: XmlNode, path: str, version: SDTVersion, rule_key: str) -> Iterator[tuple[XmlNode, str]]:
        """Children that the rule allows, with their paths; the rest were reported by _check."""
        allowed = RULES[version][rule_key].children
        for child in node.children:
            if child.namespace == version.namespace and child.name in allowed:
                yield child, _step(path, child, node.children)

    def _items(
        self, container: XmlNode, path: str, version: SDTVersion, rule_key: str, item: str
    ) -> Iterator[tuple[XmlNode, str]]:
        """Check a list container such as <Data> and yield its items."""
        self._check(container, path, rule_key, version)
        for child, child_path in self._children(container, path, version, rule_key):
            if child.name == item:
                yield child, child_path

    # ---------------------------------------------------------------- elements

    def domain(self, node: XmlNode, path: str) -> Domain:
        version = SDTVersion.from_namespace(node.namespace)
        assert version is not None
        values = self._check(node, path, "Domain", version)
        domain = Domain(
            id=values.name("id"),
            version=version,
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "Domain"):
            match child.name:
                case "Doc":
                    domain.doc = self.doc(child, child_path, version)
                case "Imports":
                    domain.imports = self.imports(child, child_path, version)
                case "Modules":
                    for item, item_path in self._items(child, child_path, version, "Domain/Modules", "ModuleClass"):
                        domain.module_classes.append(self.module_class(item, item_path, version))
                case "ModuleClasses":
                    for item, item_path in self._items(child, child_path, version, "ModuleClasses", "ModuleClass"):
                        domain.module_classes.append(self.module_class(item, item_path, version))
                case "Devices":
                    for item, item_path in self._items(child, child_path, version, "Devices", "Device"):
                        domain.device_classes.append(self.device_class(item, item_path, version))
                case "DeviceClasses":
                    for item, item_path in self._items(child, child_path, version, "DeviceClasses", "DeviceClass"):
                        domain.device_classes.append(self.device_class(item, item_path, version))
                case "SubDevices":
                    domain.sub_devices = self.sub_devices(child, child_path, version)
                case "ProductClasses":
                    for item, item_path in self._items(child, child_path, version, "ProductClasses", "ProductClass"):
                        domain.product_classes.append(self.product_class(item, item_path, version))
                case "DataTypes":
                    for item, item_path in self._items(child, child_path, version, "DataTypes", "DataType"):
                        domain.data_types.append(self.data_type(item, item_path, version))
        return domain

    def imports(self, node: XmlNode, path: str, version: SDTVersion) -> list[Import]:
        # Imports is checked by hand: its Domain children may come from other files
        # and, if the author mixed versions, from the other SDT namespace.
        self._check_attributes(node, path, RULES[version]["Imports"], version)
        imports: list[Import] = []
        stray = "".join([node.text, *(c.tail for c in node.children)]).strip()
        if stray:
            self._report(
                node,
                path,
                f"<Imports> contains the text {stray[:40]!r}, but only <xi:include> or <Domain> are allowed.",
            )
        for child in node.children:
            child_path = _step(path, child, node.children)
            child_version = SDTVersion.from_namespace(child.namespace)
            if child.name != "Domain" or child_version is None:
                self._report(
                    child,
                    child_path,
                    f"<{child.name}> is not allowed inside <Imports>; import other domains with "
                    '<xi:include href="file.xml" parse="xml"/>.',
                )
                continue
            key = child.document_key or id(child)
            imported = self._domains.get(key)
            if imported is None:
                imported = self.domain(child, child_path)
                self._domains[key] = imported
            include_file = child.include_file or child.file
            include_line = child.include_line or child.line
            if child_version is not version:
                self.diagnostics.append(
                    Diagnostic(
                        include_file,
                        include_line,
                        path,
                        f"this SDT {version} domain imports the SDT {child_version} domain "
                        f"'{imported.id}' from {child.file}; imported domains must use the same SDT version.",
                    )
                )
            imports.append(
                Import(
                    href=child.include_href,
                    file=child.file,
                    domain=imported,
                    source=SourceLocation(include_file, include_line, child_path),
                )
            )
        if not node.children:
            self._report(node, path, "<Imports> must contain at least one <xi:include>; remove the empty <Imports>.")
        return imports

    def doc(self, node: XmlNode, path: str, version: SDTVersion) -> Doc:
        self._check_doc_markup(node, path, "Doc", version)
        return Doc(text=" ".join(_text_content(node).split()), source=self._source(node, path))

    def _check_doc_markup(self, node: XmlNode, path: str, rule_key: str, version: SDTVersion) -> None:
        self._check(node, path, rule_key, version)
        for child, child_path in self._children(node, path, version, rule_key):
            self._check_doc_markup(child, child_path, child.name, version)

    def extend(self, node: XmlNode, path: str, version: SDTVersion) -> Extend:
        if version is SDTVersion.V3:
            values = self._check(node, path, "extends", version)
            return Extend(
                domain=values.name("domain"),
                entity=values.name("class"),
                source=self._source(node, path),
            )
        values = self._check(node, path, "Extend", version)
        extend = Extend(
            domain=values.name("domain"),
            entity=values.name("entity"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "Extend"):
            child_values = self._check(child, child_path, child.name, version)
            item = ExtendFilter(
                name=child_values.name("name"),
                type=child_values.member_kind(),
                source=self._source(child, child_path),
            )
            (extend.includes if child.name == "Include" else extend.excludes).append(item)
        return extend

    def module_class(self, node: XmlNode, path: str, version: SDTVersion) -> ModuleClass:
        element = node.name  # "ModuleClass", or "Module" inside an SDT 3.0 device
        values = self._check(node, path, element, version)
        module = ModuleClass(
            name=values.name("name"),
            element=element,
            optional=values.flag("optional", False),
            min_occurs=values.min_occurs(),
            max_occurs=values.max_occurs(),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, element):
            match child.name:
                case "Doc":
                    module.doc = self.doc(child, child_path, version)
                case "extends" | "Extend":
                    module.extend = self.extend(child, child_path, version)
                case "Properties":
                    module.properties = self.properties(child, child_path, version)
                case "Actions":
                    for item, item_path in self._items(child, child_path, version, "Actions", "Action"):
                        module.actions.append(self.action(item, item_path, version))
                case "Data":
                    module.data_points = self.data(child, child_path, version)
                case "Events":
                    for item, item_path in self._items(child, child_path, version, "Events", "Event"):
                        module.events.append(self.event(item, item_path, version))
        return module

    def _module_list(self, node: XmlNode, path: str, version: SDTVersion) -> list[ModuleClass]:
        if version is SDTVersion.V3:
            items = self._items(node, path, version, "Device/Modules", "Module")
        else:
            items = self._items(node, path, version, "ModuleClasses", "ModuleClass")
        return [self.module_class(item, item_path, version) for item, item_path in items]

    def device_class(self, node: XmlNode, path: str, version: SDTVersion) -> DeviceClass:
        rule_key = "Device" if version is SDTVersion.V3 else "DeviceClass"
        values = self._check(node, path, rule_key, version)
        device = DeviceClass(
            id=values.name("id"),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, rule_key):
            match child.name:
                case "Doc":
                    device.doc = self.doc(child, child_path, version)
                case "Properties":
                    device.properties = self.properties(child, child_path, version)
                case "Modules" | "ModuleClasses":
                    device.module_classes = self._module_list(child, child_path, version)
                case "SubDevices":
                    device.sub_devices = self.sub_devices(child, child_path, version)
        return device

    def sub_devices(self, node: XmlNode, path: str, version: SDTVersion) -> list[SubDevice]:
        return [
            self.sub_device(item, item_path, version)
            for item, item_path in self._items(node, path, version, "SubDevices", "SubDevice")
        ]

    def sub_device(self, node: XmlNode, path: str, version: SDTVersion) -> SubDevice:
        values = self._check(node, path, "SubDevice", version)
        sub_device = SubDevice(
            id=values.name("id"),
            min_occurs=values.min_occurs(),
            max_occurs=values.max_occurs(),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "SubDevice"):
            match child.name:
                case "Doc":
                    sub_device.doc = self.doc(child, child_path, version)
                case "Extend":
                    sub_device.extend = self.extend(child, child_path, version)
                case "Properties":
                    sub_device.properties = self.properties(child, child_path, version)
                case "Modules" | "ModuleClasses":
                    sub_device.module_classes = self._module_list(child, child_path, version)
        return sub_device

    def product_class(self, node: XmlNode, path: str, version: SDTVersion) -> ProductClass:
        values = self._check(node, path, "ProductClass", version)
        product = ProductClass(
            name=values.name("name"),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "ProductClass"):
            match child.name:
                case "Doc":
                    product.doc = self.doc(child, child_path, version)
                case "Extend":
                    product.extend = self.extend(child, child_path, version)
                case "ExtendDevice":
                    self._check(child, child_path, "ExtendDevice", version)
                    for inner, inner_path in self._children(child, child_path, version, "ExtendDevice"):
                        product.extend = self.extend(inner, inner_path, version)
                case "Properties":
                    product.properties = self.properties(child, child_path, version)
                case "ModuleClasses":
                    product.module_classes = self._module_list(child, child_path, version)
                case "SubDevices":
                    product.sub_devices = self.sub_devices(child, child_path, version)
        if product.extend is not None and sum(c.name in ("Extend", "ExtendDevice") for c in node.children) > 1:
            self._report(node, path, "<ProductClass> may name the device class it extends only once.")
        return product

    def properties(self, node: XmlNode, path: str, version: SDTVersion) -> list[Property]:
        return [
            self.property(item, item_path, version)
            for item, item_path in self._items(node, path, version, "Properties", "Property")
        ]

    def property(self, node: XmlNode, path: str, version: SDTVersion) -> Property:
        values = self._check(node, path, "Property", version)
        prop = Property(
            name=values.name("name"),
            optional=values.flag("optional", False),
            value=values.text("value"),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "Property"):
            if child.name == "Doc":
                prop.doc = self.doc(child, child_path, version)
            elif prop.type is None:
                prop.type = self.simple_type(child, child_path, version)
        return prop

    def action(self, node: XmlNode, path: str, version: SDTVersion) -> Action:
        values = self._check(node, path, "Action", version)
        action = Action(
            name=values.name("name"),
            optional=values.flag("optional", False),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "Action"):
            match child.name:
                case "Doc":
                    action.doc = self.doc(child, child_path, version)
                case "DataType":
                    action.return_type = self.data_type(child, child_path, version)
                case "Args":
                    for item, item_path in self._items(child, child_path, version, "Args", "Arg"):
                        action.args.append(self.arg(item, item_path, version))
        return action

    def arg(self, node: XmlNode, path: str, version: SDTVersion) -> Arg:
        values = self._check(node, path, "Arg", version)
        arg = Arg(
            name=values.name("name"),
            optional=values.flag("optional", False),
            default=values.text("default"),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "Arg"):
            if child.name == "Doc":
                arg.doc = self.doc(child, child_path, version)
            elif arg.type is None:
                arg.type = self.data_type(child, child_path, version)
        return arg

    def data(self, node: XmlNode, path: str, version: SDTVersion) -> list[DataPoint]:
        return [
            self.data_point(item, item_path, version)
            for item, item_path in self._items(node, path, version, "Data", "DataPoint")
        ]

    def data_point(self, node: XmlNode, path: str, version: SDTVersion) -> DataPoint:
        values = self._check(node, path, "DataPoint", version)
        point = DataPoint(
            name=values.name("name"),
            optional=values.flag("optional", False),
            readable=values.flag("readable", True),
            writable=values.flag("writable", True),
            eventable=values.flag("eventable", False),
            default=values.text("default"),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "DataPoint"):
            if child.name == "Doc":
                point.doc = self.doc(child, child_path, version)
            elif point.type is None:
                point.type = self.data_type(child, child_path, version)
        return point

    def event(self, node: XmlNode, path: str, version: SDTVersion) -> Event:
        values = self._check(node, path, "Event", version)
        event = Event(
            name=values.name("name"),
            optional=values.flag("optional", False),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "Event"):
            if child.name == "Doc":
                event.doc = self.doc(child, child_path, version)
            else:
                event.data_points = self.data(child, child_path, version)
        return event

    def data_type(self, node: XmlNode, path: str, version: SDTVersion) -> DataType:
        values = self._check(node, path, "DataType", version)
        data_type = DataType(
            name=values.text("name"),
            unit_of_measure=values.text("unitOfMeasure"),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "DataType"):
            source = self._source(child, child_path)
            choice = None
            match child.name:
                case "Doc":
                    data_type.doc = self.doc(child, child_path, version)
                case "SimpleType" | "Simple":
                    choice = self.simple_type(child, child_path, version)
                case "Struct":
                    fields = [
                        self.data_type(item, item_path, version)
                        for item, item_path in self._items(child, child_path, version, "Struct", "DataType")
                    ]
                    choice = StructType(fields=fields, source=source)
                case "Array":
                    elements = [
                        self.data_type(item, item_path, version)
                        for item, item_path in self._items(child, child_path, version, "Array", "DataType")
                    ]
                    choice = ArrayType(element=elements[0] if elements else None, source=source)
                case "Enum":
                    values_ = [
                        self.enum_value(item, item_path, version)
                        for item, item_path in self._items(child, child_path, version, "Enum", "EnumValue")
                    ]
                    choice = EnumType(values=values_, source=source)
                case "Extend":
                    choice = DataTypeRef(extend=self.extend(child, child_path, version), source=source)
                case "Constraints":
                    for item, item_path in self._items(child, child_path, version, "Constraints", "Constraint"):
                        data_type.constraints.append(self.constraint(item, item_path, version))
            # More than one type choice was reported by _check; keep the first.
            if choice is not None and data_type.type is None:
                data_type.type = choice
        return data_type

    def simple_type(self, node: XmlNode, path: str, version: SDTVersion) -> SimpleType:
        values = self._check(node, path, node.name, version)
        return SimpleType(type=values.name("type"), source=self._source(node, path))

    def enum_value(self, node: XmlNode, path: str, version: SDTVersion) -> EnumValue:
        values = self._check(node, path, "EnumValue", version)
        value = EnumValue(
            name=values.name("name"),
            value=values.text("value"),
            type=values.text("type"),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "EnumValue"):
            value.doc = self.doc(child, child_path, version)
        return value

    def constraint(self, node: XmlNode, path: str, version: SDTVersion) -> Constraint:
        values = self._check(node, path, "Constraint", version)
        constraint = Constraint(
            name=values.name("name"),
            type=values.text("type"),
            value=values.text("value"),
            semantic_uri=values.text("semanticURI"),
            source=self._source(node, path),
        )
        for child, child_path in self._children(node, path, version, "Constraint"):
            constraint.doc = self.doc(child, child_path, version)
        return constraint
