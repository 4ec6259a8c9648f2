"""The committed betterproto2 code matches libs/ir/proto (regenerate with `make gen`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GEN = Path(__file__).resolve().parents[1] / "scripts" / "gen.py"


def test_generated_code_is_fresh() -> None:
    proc = subprocess.run([sys.executable, str(GEN), "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr + proc.stdout
