"""Regenerate the checked-in USP protobuf modules from ``proto/*.proto``.

Development tool only: the product imports the generated ``*_pb2.py`` files and
never needs a protobuf compiler. Run from the repository root::

    pip install grpcio-tools==1.85.1     # bundles protoc 35.1 -> gencode 7.35.1
    python -m ipe_sdt.usp.generate           # rewrite the modules
    python -m ipe_sdt.usp.generate --check   # exit 1 if they are stale

The grpcio-tools version is pinned because the generated code embeds the protoc
version and refuses to load on an older ``protobuf`` runtime; 1.85.1 writes
gencode 7.35.1, which the project's protobuf 7.x runtime accepts.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROTO_DIR = PACKAGE_DIR / "proto"
PROTO_FILES = ("usp-msg-1-4.proto", "usp-record-1-4.proto")
GRPCIO_TOOLS = "1.85.1"


def generated_names() -> list[str]:
    """File names protoc writes for PROTO_FILES (dashes become underscores)."""
    names = []
    for proto in PROTO_FILES:
        stem = proto.removesuffix(".proto").replace("-", "_")
        names += [f"{stem}_pb2.py", f"{stem}_pb2.pyi"]
    return names


def run_protoc(out_dir: Path) -> None:
    from grpc_tools import protoc  # dev-only dependency, checked by check_tool_version

    # protoc names the descriptor after the path relative to -I, so keeping
    # -I at proto/ registers plain "usp-msg-1-4.proto" like other USP stacks do.
    args = [
        "protoc",
        f"-I{PROTO_DIR}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        *(str(PROTO_DIR / name) for name in PROTO_FILES),
    ]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")


def check_tool_version(allow_other: bool) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("grpcio-tools")
    except PackageNotFoundError:
        sys.exit(f"grpcio-tools is not installed: pip install grpcio-tools=={GRPCIO_TOOLS}")
    # A different protoc writes different bytes (and a different minimum
    # runtime), so an unpinned run would make --check and reviews noisy.
    if found != GRPCIO_TOOLS and not allow_other:
        sys.exit(
            f"grpcio-tools {found} found, {GRPCIO_TOOLS} expected "
            "(pass --allow-other-version to generate anyway)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare freshly generated modules with the checked-in ones",
    )
    parser.add_argument(
        "--allow-other-version",
        action="store_true",
        help=f"run with a grpcio-tools other than {GRPCIO_TOOLS}",
    )
    opts = parser.parse_args(argv)
    check_tool_version(opts.allow_other_version)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        run_protoc(out)
        if opts.check:
            stale = [
                name
                for name in generated_names()
                if not (PACKAGE_DIR / name).exists()
                or not filecmp.cmp(out / name, PACKAGE_DIR / name, shallow=False)
            ]
            for name in stale:
                print(f"stale: {name}")
            return 1 if stale else 0
        for name in generated_names():
            (PACKAGE_DIR / name).write_bytes((out / name).read_bytes())
            print(f"wrote {PACKAGE_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
