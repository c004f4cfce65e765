"""The ``cse`` command: runs the CSE, or one of its tool commands (``cse sdt ...``, ``cse sim ...``)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys

from cse import __version__, config, logs
from cse.app import serve
from cse.plugins import PluginError


def _run_parser() -> argparse.ArgumentParser:
    tools = "\n".join(f"  cse {name:<5} {summary}" for name, (_, summary) in TOOLS.items())
    parser = argparse.ArgumentParser(
        prog="cse",
        description="Run a oneM2M IN-CSE. Every option can also be set in a TOML file (--config) "
        "or as an environment variable CSE_<OPTION> (e.g. CSE_HTTP_PORT=8081); the command line wins.",
        epilog=f"tool commands (each has its own --help):\n{tools}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", metavar="FILE", help="TOML file with settings")
    for f in config.fields():
        option = "--" + f.name.replace("_", "-")
        kind = str(f.type)
        default = f.default if f.default is not config.dataclasses.MISSING else f.default_factory()
        if kind == "list[str]":
            default = ",".join(default)
        parser.add_argument(
            option, dest=f.name, metavar=f.name.split("_")[-1].upper(), default=None,
            help=f"{f.metadata.get('help', '')} (default: {default})",
        )
    return parser


# Tool commands: 'cse <name> ...' runs '<module>.main(argv)'. Each tool owns its own options.
TOOLS = {
    "sdt": ("ipe_sdt.sdt.cli", "Smart Device Template tools: validate, show, shortnames, docs, example"),
    "sim": ("ipe_sdt.sim.cli", "device simulators: lwm2m, usp"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in TOOLS:
        module_name, _ = TOOLS[argv[0]]
        return importlib.import_module(module_name).main(argv[1:])
    args = _run_parser().parse_args(argv)
    overrides = {f.name: getattr(args, f.name) for f in config.fields()}
    try:
        settings = config.load(args.config, os.environ, overrides)
    except config.ConfigError as error:
        print(f"cse: {error}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    try:
        asyncio.run(serve(settings))
    except PluginError as error:
        print(f"cse: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"cse: cannot start: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
