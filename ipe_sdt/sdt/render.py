"""Templates for people: the model as a tree (``cse sdt show``) and as Markdown (``cse sdt docs``)."""

from __future__ import annotations

from typing import Iterable

from cse.model.specializations import Kind

from .mapping import Mapping, MappedSpecialization, NamedAttribute
from .model import (
    Action,
    ArrayType,
    DataType,
    DataTypeRef,
    DeviceClass,
    Domain,
    EnumType,
    ModuleClass,
    Occurrence,
    Property,
    SDTDocument,
    SimpleType,
    StructType,
    SubDevice,
)
from .names import domain_naming
from .rules import ACTION_RESULT

# -- shared -----------------------------------------------------------------------------------


def describe_type(data_type: DataType | None) -> str:
    if data_type is None:
        return "?"
    match data_type.type:
        case SimpleType(type=name):
            text = name
        case ArrayType(element=element):
            text = f"array of {describe_type(element)}"
        case EnumType(values=values):
            text = "enum {" + ", ".join(f"{v.name}={v.value}" for v in values) + "}"
        case StructType(fields=fields):
            text = "struct {" + ", ".join(f"{f.name}: {describe_type(f)}" for f in fields) + "}"
        case DataTypeRef(extend=extend):
            text = f"{extend.domain}:{extend.entity}"
        case _:
            text = "?"
    bounds = {c.name: c.value for c in data_type.constraints if c.name in ("minValue", "maxValue")}
    if bounds:
        text += f" [{bounds.get('minValue', '')}..{bounds.get('maxValue', '')}]"
    if data_type.unit_of_measure:
        text += f" ({data_type.unit_of_measure})"
    return text


def multiplicity(item: Occurrence) -> str:
    low = 0 if getattr(item, "optional", False) else item.min_occurs
    high = "*" if item.max_occurs is None else str(item.max_occurs)
    return str(low) if str(low) == high else f"{low}..{high}"


def _extends(module: ModuleClass | SubDevice) -> str:
    return f" extends {module.extend.domain}:{module.extend.entity}" if module.extend else ""


# -- show -------------------------------------------------------------------------------------


class _Tree:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def node(self, prefix: str, last: bool, text: str) -> str:
        self.lines.append(f"{prefix}{'└── ' if last else '├── '}{text}")
        return prefix + ("    " if last else "│   ")

    def children(self, prefix: str, items: list[tuple[str, object]], render) -> None:
        for index, (text, item) in enumerate(items):
            inner = self.node(prefix, index == len(items) - 1, text)
            if item is not None:
                render(inner, item)


def show(document: SDTDocument) -> str:
    """The document's model as a tree, as written (inheritance shown as 'extends')."""
    domain = document.domain
    tree = _Tree()
    tree.lines.append(f"Domain {domain.id} (SDT {domain.version.value}, {domain.source.file})")
    _domain(tree, "", domain)
    return "\n".join(tree.lines) + "\n"


def _domain(tree: _Tree, prefix: str, domain: Domain) -> None:
    items: list[tuple[str, object]] = [(f"imports {i.domain.id} ({i.file})", None) for i in domain.imports]
    items += [(f"DataType {t.name}: {describe_type(t)}", None) for t in domain.data_types]
    items += [(f"ModuleClass {m.name}{_extends(m)}", m) for m in domain.module_classes]
    items += [(f"SubDevice {s.id}{_extends(s)}", s) for s in domain.sub_devices]
    items += [(f"DeviceClass {d.id}", d) for d in domain.device_classes]
    items += [(f"ProductClass {p.name}", None) for p in domain.product_classes]

    def render(prefix: str, item: object) -> None:
        match item:
            case ModuleClass():
                _module(tree, prefix, item)
            case SubDevice() | DeviceClass():
                _device(tree, prefix, item)

    tree.children(prefix, items, render)


def _property(prop: Property) -> str:
    kind = prop.type.type if prop.type else "string"
    value = f" = {prop.value!r}" if prop.value is not None else ""
    return f"Property {prop.name}: {kind}{value}" + (", optional" if prop.optional else "")


def _module(tree: _Tree, prefix: str, module: ModuleClass) -> None:
    items: list[tuple[str, object]] = [(_property(p), None) for p in module.properties]
    for point in module.data_points:
        flags = [f for f, on in (("optional", point.optional), ("read-only", not point.writable)) if on]
        items.append((f"DataPoint {point.name}: {describe_type(point.type)}" + "".join(f", {f}" for f in flags), None))
    items += [(f"Action {_signature(a)}", None) for a in module.actions]
    items += [(f"Event {e.name}", None) for e in module.events]
    tree.children(prefix, items, lambda *_: None)


def _signature(action: Action) -> str:
    args = ", ".join(f"{a.name}{'?' if a.optional else ''}: {describe_type(a.type)}" for a in action.args)
    returns = f" -> {describe_type(action.return_type)}" if action.return_type is not None else ""
    return f"{action.name}({args}){returns}"


def _device(tree: _Tree, prefix: str, device: DeviceClass | SubDevice) -> None:
    items: list[tuple[str, object]] = [(_property(p), None) for p in device.properties]
    items += [(f"ModuleClass {m.name} [{multiplicity(m)}]{_extends(m)}", m) for m in device.module_classes]
    sub_devices = device.sub_devices if isinstance(device, DeviceClass) else []
    items += [(f"SubDevice {s.id} [{multiplicity(s)}]{_extends(s)}", s) for s in sub_devices]

    def render(prefix: str, item: object) -> None:
        match item:
            case ModuleClass():
                _module(tree, prefix, item)
            case SubDevice():
                _device(tree, prefix, item)

    tree.children(prefix, items, render)


# -- docs -------------------------------------------------------------------------------------


def _text(doc) -> str | None:
    return doc.text if doc is not None else None


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|") or "–"


def _table(header: Iterable[str], rows: list[list[str]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def docs(document: SDTDocument, mapping: Mapping) -> str:
    """Markdown documentation of the document's own devices, sub-devices and module classes,
    with the type names and short names the CSE uses for them."""
    domain = document.domain
    naming = domain_naming(domain.id)
    by_cnd = {m.spec.cnd: m for m in mapping.specializations}
    out = [f"# {domain.id}", ""]
    if domain.doc:
        out += [domain.doc.text, ""]
    out += [f"SDT {domain.version.value} template `{domain.source.file}`. Type names use the prefix "
            f"`{naming.prefix}` ({naming.namespace}).", ""]
    if domain.imports:
        out += ["Imports: " + ", ".join(f"`{i.domain.id}` ({i.file})" for i in domain.imports), ""]

    for title, devices, kind in (("Devices", domain.device_classes, Kind.DEVICE),
                                 ("Sub-devices", domain.sub_devices, Kind.SUBDEVICE)):
        if devices:
            out += [f"## {title}", ""]
        for device in devices:
            mapped = by_cnd.get(naming.cnd(kind, device.id))
            out += [f"### {'Device' if kind is Kind.DEVICE else 'Sub-device'} {device.id}", ""]
            if device.doc:
                out += [device.doc.text, ""]
            if mapped is None:
                continue
            out += _type_line(mapped) + _attribute_table(mapped.attributes)
            children = dict(mapped.child_names)
            rows = [[m.name, (m.extend.entity if m.extend else m.name), f"`{children.get(m.name, '?')}`",
                     multiplicity(m), _doc_of(domain, m)] for m in device.module_classes]
            rows += [[s.id, "sub-device", f"`{children.get(s.id, '?')}`", multiplicity(s), _text(s.doc)]
                     for s in getattr(device, "sub_devices", [])]
            if rows:
                out += _table(["Module", "Class", "Type", "Multiplicity", "Description"], rows)

    modules = [(domain, m) for m in domain.module_classes] + _imported_modules(domain)
    if modules:
        out += ["## Module classes", ""]
    for owner, module in modules:
        owner_naming = domain_naming(owner.id)
        mapped = by_cnd.get(owner_naming.cnd(Kind.MODULECLASS, module.name))
        out += [f"### Module class {module.name}", ""]
        if owner is not domain:
            out += [f"From `{owner.id}` ({owner.source.file}).", ""]
        if module.doc:
            out += [module.doc.text, ""]
        if mapped is None:
            continue
        out += _type_line(mapped) + ["Data points and properties:", ""] + _attribute_table(mapped.attributes)
        rows = []
        for action in module.actions:
            action_mapped = by_cnd.get(owner_naming.cnd(Kind.ACTION, action.name))
            args = ", ".join(f"{a.attribute.ln} (`{a.attribute.sn}`)" for a in action_mapped.attributes
                             if a.source is not None and a.attribute.ln != ACTION_RESULT) if action_mapped else ""
            rows.append([action.name, f"`{action_mapped.spec.tpe}`" if action_mapped else "?", args,
                         describe_type(action.return_type) if action.return_type else None,
                         action.doc.text if action.doc else None])
        if rows:
            out += ["Actions (an Update of the action's resource invokes it; arguments are its attributes):", ""]
            out += _table(["Action", "Type", "Arguments", "Returns", "Description"], rows)
    return "\n".join(out).rstrip() + "\n"


def _doc_of(domain: Domain, module: ModuleClass) -> str | None:
    """A module's own Doc, else that of the class it names."""
    if module.doc is not None or module.extend is None:
        return module.doc.text if module.doc else None
    owner = next((d for d in domain.iter_domains() if d.id == module.extend.domain), None)
    target = next((m for m in owner.module_classes if m.name == module.extend.entity), None) if owner else None
    return target.doc.text if target is not None and target.doc else None


def _type_line(mapped: MappedSpecialization) -> list[str]:
    names = "official TS-0023 name" if mapped.official else "generated short name"
    return [f"Type `{mapped.spec.tpe}` ({names}), containerDefinition `{mapped.spec.cnd}`.", ""]


def _imported_modules(domain: Domain) -> list[tuple[Domain, ModuleClass]]:
    """Module classes of imported domains that this domain's devices use."""
    imported = {d.id: d for d in domain.iter_domains() if d is not domain}
    found: list[tuple[Domain, ModuleClass]] = []
    for device in [*domain.device_classes, *domain.sub_devices]:
        for module in device.module_classes:
            owner = imported.get(module.extend.domain) if module.extend else None
            target = next((m for m in owner.module_classes if m.name == module.extend.entity), None) if owner else None
            if target is not None and all(target is not m for _, m in found):
                found.append((owner, target))
    return found


def _attribute_table(attributes: tuple[NamedAttribute, ...]) -> list[str]:
    rows = []
    for named in attributes:
        a = named.attribute
        rows.append([
            a.ln, f"`{a.sn}`" + ("" if named.official else " (generated)"), a.dtype.name,
            "1" if a.mandatory else "0..1", "read-write" if a.writable else "read-only",
            named.doc if named.source is not None else "added to every specialization of this kind (TS-0023)",
        ])
    return _table(["Attribute", "Short name", "Type", "Cardinality", "Access", "Description"], rows)
