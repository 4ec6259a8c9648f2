"""Constants in the IR are tagged-JSON text (docs/values.md), encoded by the shared codec."""

from __future__ import annotations

from typing import Any

from waymark_ir import pb, values

NONE_JSON = "null"


def value(python_value: Any) -> pb.Value:
    return pb.Value(json=values.dumps(python_value))


def const(python_value: Any) -> pb.Expr:
    return pb.Expr(constant=value(python_value))


def none() -> pb.Expr:
    return pb.Expr(constant=pb.Value(json=NONE_JSON))


def decode(v: pb.Value) -> Any:
    return values.loads(v.json)
