"""Puts this folder (for `compiler_support`) and `fixtures/` on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE / "fixtures"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
