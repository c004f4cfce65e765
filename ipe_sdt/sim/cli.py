"""``cse sim <kind> ...``: the device simulators. Each kind has its own options and --help."""

from __future__ import annotations

import importlib
import sys

# kind -> (module with main(argv) -> int, summary). A kind whose module is not there is reported,
# not crashed on: simulators are added to this package one by one.
SIMULATORS = {
    "lwm2m": ("ipe_sdt.sim.lwm2m.cli", "simulated LwM2M devices (register with an LwM2M server)"),
    "usp": ("ipe_sdt.sim.usp.cli", "simulated USP agents"),
}


def usage() -> str:
    lines = ["usage: cse sim <kind> [options]", "", "kinds (each has its own --help):"]
    lines += [f"  {name:<6} {summary}" for name, (_, summary) in SIMULATORS.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv else 2
    kind, rest = argv[0], argv[1:]
    if kind not in SIMULATORS:
        print(f"cse sim: unknown simulator {kind!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, _ = SIMULATORS[kind]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        print(f"cse sim: the {kind} simulator is not available in this installation", file=sys.stderr)
        return 2
    return int(module.main(rest))
