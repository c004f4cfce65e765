"""``cse sdt``: tools for template authors.

Exit codes: 0 when all is well, 1 when a template has errors (or the device asked for is
unknown), 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from .diagnostics import Diagnostic, SDTParseError, has_errors, sort_diagnostics
from .examples import example_requests
from .loader import read_template, shipped_directory
from .mapping import Mapping, MappedSpecialization, map_document
from .model import SDTDocument
from .names import releases
from .parser import parse_file
from .render import docs, show
from .standard import standard_specializations
from .validate import validate

OK, PROBLEMS = 0, 1  # argparse exits with 2 for a wrong command line

_EPILOG = "exit status: 0 all well, 1 the templates have errors, 2 wrong command line"


class _Failed(Exception):
    """Diagnostics that end a command: printed, exit status 1."""

    def __init__(self, diagnostics: Sequence[Diagnostic | str]) -> None:
        self.diagnostics = list(diagnostics)


def _load(path: Path, include_dirs: Sequence[Path]) -> tuple[SDTDocument, list[Diagnostic]]:
    allowed = [path.resolve().parent, *include_dirs]
    try:
        document = parse_file(path, allowed_dirs=allowed)
    except SDTParseError as error:
        raise _Failed([error.diagnostic]) from None
    return document, validate(document)


def _mapped(path: Path, include_dirs: Sequence[Path], release: str) -> tuple[SDTDocument, Mapping]:
    """A document that validates, and its mapping; anything wrong ends the command."""
    document, diagnostics = _load(path, include_dirs)
    if has_errors(diagnostics):
        raise _Failed(diagnostics)
    return document, map_document(document, release)


# -- commands ---------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    errors = warnings = 0
    for path in args.files:
        try:
            document, diagnostics = _load(path, args.include_dir)
            if not has_errors(diagnostics):
                diagnostics = sort_diagnostics([*diagnostics, *map_document(document, args.release).diagnostics])
        except _Failed as failed:
            diagnostics = failed.diagnostics
        for diagnostic in diagnostics:
            print(diagnostic)
        errors += sum(1 for d in diagnostics if d.is_error)
        warnings += sum(1 for d in diagnostics if not d.is_error)
    files = len(args.files)
    print(f"{files} file{'s' if files != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, "
          f"{warnings} warning{'s' if warnings != 1 else ''}")
    return PROBLEMS if errors else OK


def cmd_show(args: argparse.Namespace) -> int:
    document, diagnostics = _load(args.file, args.include_dir)
    sys.stdout.write(show(document))
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)
    return PROBLEMS if has_errors(diagnostics) else OK


def cmd_shortnames(args: argparse.Namespace) -> int:
    _, mapping = _mapped(args.file, args.include_dir, args.release)
    print(f"# {args.file}: TS-0023 release {args.release} names; 'official' from the TS-0023 table, "
          "'generated' by the rule of ipe_sdt/sdt/names.py")
    for mapped in mapping.specializations:
        spec = mapped.spec
        print(f"{spec.tpe:<16} {spec.name:<28} {spec.kind.value:<12} {spec.cnd}  "
              f"{'official' if mapped.official else 'generated'}")
        for named in mapped.attributes:
            a = named.attribute
            print(f"    {a.sn:<12} {a.ln:<32} {'official' if named.official else 'generated'}")
    if mapping.diagnostics:
        print("clashes and other problems:")
        for diagnostic in mapping.diagnostics:
            print(f"  {diagnostic}")
        return PROBLEMS
    return OK


def cmd_docs(args: argparse.Namespace) -> int:
    document, mapping = _mapped(args.file, args.include_dir, args.release)
    text = docs(document, mapping)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    for diagnostic in mapping.diagnostics:
        print(diagnostic, file=sys.stderr)
    return PROBLEMS if mapping.diagnostics else OK


def cmd_example(args: argparse.Namespace) -> int:
    catalogue: dict[str, MappedSpecialization] = {m.spec.cnd: m for m in standard_specializations(args.release)}
    paths = [shipped_directory(), *args.templates]
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.xml")) if path.is_dir() else [path]
    allowed = [shipped_directory(), *(p.resolve() if p.is_dir() else p.resolve().parent for p in args.templates)]
    problems: list[str] = []
    for file in files:
        read = read_template(file.resolve(), args.release, allowed)
        if read.broken:
            problems += read.problems
            continue
        for mapped in read.mapped or ():
            catalogue[mapped.spec.cnd] = mapped
    if problems:
        raise _Failed(problems)
    wanted = args.device
    matches = [m for m in catalogue.values() if wanted in (m.spec.tpe, m.spec.cnd)]
    matches = matches or [m for m in catalogue.values() if m.spec.name == wanted]
    if not matches:
        devices = sorted(m.spec.name for m in catalogue.values() if m.spec.kind.value == "device")
        raise _Failed([f"cse sdt example: no specialization is named {wanted!r}; devices: {', '.join(devices)}"])
    if len(matches) > 1:
        listed = ", ".join(f"{m.spec.tpe} ({m.spec.cnd})" for m in matches)
        raise _Failed([f"cse sdt example: {wanted!r} names several specializations: {listed}; "
                       "give the type name or the containerDefinition"])
    by_tpe = {m.spec.tpe: m for m in catalogue.values()}
    requests = example_requests(matches[0], by_tpe, args.parent, args.name)
    print(json.dumps(requests, indent=2))
    return OK


# -- command line -----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cse sdt",
        description="Tools for SDT (Smart Device Template) authors: check templates and see what the CSE "
        "makes of them.",
        epilog=_EPILOG,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=description, epilog=_EPILOG)
        return sub

    def template_options(sub: argparse.ArgumentParser, release: bool = True) -> None:
        sub.add_argument("-I", "--include-dir", type=Path, action="append", default=[], metavar="DIR",
                         help="another directory xi:include may read from (the file's own always)")
        if release:
            sub.add_argument("--release", choices=releases(), default=releases()[0],
                             help="TS-0023 release of the short names (default: %(default)s)")

    sub = command("validate", "check templates", "Check SDT 3.0/4.0 templates: structure, references, types and "
                  "the short names the CSE would give them. Every problem is reported as file:line.")
    sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
    template_options(sub)
    sub.set_defaults(run=cmd_validate)

    sub = command("show", "the model as a tree", "Print a template's model as a tree, as written.")
    sub.add_argument("file", type=Path, metavar="FILE")
    template_options(sub, release=False)
    sub.set_defaults(run=cmd_show)

    sub = command("shortnames", "the short names the CSE uses",
                  "List the type names and attribute short names the CSE gives a template's specializations: "
                  "official TS-0023 names where the table has them, generated ones otherwise, and any clash.")
    sub.add_argument("file", type=Path, metavar="FILE")
    template_options(sub)
    sub.set_defaults(run=cmd_shortnames)

    sub = command("docs", "Markdown documentation", "Write Markdown documentation of a template's devices, "
                  "modules, data points and actions, with their short names.")
    sub.add_argument("file", type=Path, metavar="FILE")
    sub.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of the standard output")
    template_options(sub)
    sub.set_defaults(run=cmd_docs)

    sub = command("example", "Create payloads for a device",
                  "Print ready-to-send Create requests (JSON: to, ty, pc) for a device and its modules, "
                  "sub-devices and actions, with values for the mandatory attributes. DEVICE is a long name "
                  "(deviceLight), a type name (cod:devLt) or a containerDefinition, of the TS-0023 set, the "
                  "shipped templates or the templates given with --templates.")
    sub.add_argument("device", metavar="DEVICE")
    sub.add_argument("-t", "--templates", type=Path, action="append", default=[], metavar="PATH",
                     help="a template file or directory to consider as well")
    sub.add_argument("--parent", default="/cse-in", help="where to create the device (default: %(default)s)")
    sub.add_argument("--name", help="the device resource's name (default: its long name)")
    sub.add_argument("--release", choices=releases(), default=releases()[0],
                     help="TS-0023 release of the short names (default: %(default)s)")
    sub.set_defaults(run=cmd_example)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return args.run(args)
    except _Failed as failed:
        for problem in failed.diagnostics:  # file:line diagnostics, or messages that name the command
            print(problem, file=sys.stderr)
        return PROBLEMS
    except OSError as error:
        print(f"cse sdt {args.command}: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
