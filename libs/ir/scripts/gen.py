"""Regenerate the betterproto2 Python code from libs/ir/proto (the source of truth).

    uv run python libs/ir/scripts/gen.py           # rewrite libs/ir/waymark_ir/_proto
    uv run python libs/ir/scripts/gen.py --check   # exit 1 if the committed code is stale (CI)

Rust reads the same .proto files at build time (services/scheduler/crates/vm-core/build.rs), so it cannot go stale.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

IR = Path(__file__).resolve().parents[1]
PROTO_ROOT = IR / "proto"
OUT = IR / "waymark_ir" / "_proto"
OPTIONS = "client_generation=async,server_generation=async"


def generate(into: Path) -> None:
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"--python_betterproto2_out={into}",
        f"--python_betterproto2_opt={OPTIONS}",
        *protos,
    ]
    # The plugin (betterproto2-compiler) and the ruff it formats with live beside this interpreter.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(cmd, check=True, cwd=PROTO_ROOT, stdout=subprocess.DEVNULL, env=env)


def differences(left: Path, right: Path) -> list[str]:
    found: list[str] = []
    cmp = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found += [f"only in committed: {n}" for n in cmp.left_only] + [f"missing: {n}" for n in cmp.right_only]
    found += [f"stale: {n}" for n in cmp.diff_files]
    for name in cmp.common_files:  # dircmp compares shallowly; be exact
        if (left / name).read_bytes() != (right / name).read_bytes() and f"stale: {name}" not in found:
            found.append(f"stale: {name}")
    for sub in cmp.common_dirs:
        found += [f"{sub}/{d}" for d in differences(left / sub, right / sub)]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the committed generated code is stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_proto"
        fresh.mkdir()
        generate(fresh)
        if args.check:
            diff = differences(OUT, fresh) if OUT.exists() else ["libs/ir/waymark_ir/_proto is missing"]
            if diff:
                print("generated IR code is stale; run `make gen`:\n  " + "\n  ".join(diff), file=sys.stderr)
                return 1
            print("generated IR code is up to date")
            return 0
        shutil.rmtree(OUT, ignore_errors=True)
        shutil.copytree(fresh, OUT)
    print(f"wrote {OUT.relative_to(IR.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
