"""services/gateway/schema.graphql is the contract web/ is written against: the served schema must be it.

Only ordering and formatting are normalised (both are parsed and printed sorted by graphql-core); a type, field,
argument, default or description that differs fails."""

from __future__ import annotations

import difflib
from pathlib import Path

from graphql import build_schema, lexicographic_sort_schema, print_schema
from waymark_gateway.schema import make_schema

CONTRACT = Path(__file__).resolve().parents[1] / "schema.graphql"


def normalised(sdl: str) -> str:
    return print_schema(lexicographic_sort_schema(build_schema(sdl)))


def test_served_schema_is_the_contract() -> None:
    contract = normalised(CONTRACT.read_text(encoding="utf-8"))
    served = normalised(make_schema().as_str())
    lines = difflib.unified_diff(contract.splitlines(), served.splitlines(), "schema.graphql", "served", lineterm="")
    diff = "\n".join(lines)
    assert contract == served, f"the strawberry schema differs from {CONTRACT}:\n{diff}"


def test_the_check_sees_a_difference() -> None:
    """The normalisation must not hide real changes (a check that cannot fail is a defect)."""
    contract = CONTRACT.read_text(encoding="utf-8")
    changed = contract.replace("first: Int! = 50", "first: Int! = 51")
    assert changed != contract
    assert normalised(changed) != normalised(contract)
    described = contract.replace('"newest first"', '"oldest first"')
    assert normalised(described) != normalised(contract)
