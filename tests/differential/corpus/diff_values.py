"""Values built and read inside run(): float and int text, models, dataclasses and enums (construction, fields,
comparison), nested containers, rich values from and to actions."""

from __future__ import annotations

import dataclasses
import enum
from decimal import Decimal

from pydantic import BaseModel
from waymark import Workflow, action, workflow

from .diffcase import case


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Size(enum.IntEnum):
    S = 1
    L = 3


class Line(BaseModel):
    sku: str
    qty: int = 1


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int = 0


@action(name="d_values_echo")
async def echo(value: object) -> object:
    return value


@workflow(name="d_values_floats")
class Floats(Workflow):
    async def run(self, x: float) -> list[object]:
        return [
            str(x),
            repr(x),
            f"{x}",
            str(x * 3),
            str(0.1 + 0.2),
            str(1e16),
            str(1e-7),
            str(x / 3),
            str(-0.0),
            3 / 1,
            2**0.5,
            round(2.675, 2),
            str(float("nan")),
            str(float("-inf")),
            10 / 4,
        ]


@workflow(name="d_values_rich")
class Rich(Workflow):
    async def run(self, color: Color, size: Size) -> list[object]:
        line = Line(sku="A", qty=2)
        point = Point(3)
        moved = Point(point.x + 1, point.y - 1)
        return [
            color,
            color.value,
            color.name,
            color == Color.RED,
            color is Color.BLUE,
            size,
            size.value,
            line,
            line.qty * 2,
            point,
            moved,
            moved.x,
            point == Point(3, 0),
            Color("blue"),
        ]


@workflow(name="d_values_roundtrip")
class Roundtrip(Workflow):
    async def run(self) -> list[object]:
        sent = [
            (1, 2),
            {3, 4},
            {5: "five", (6, 7): None},
            Decimal("1.10"),
            b"bytes",
            Line(sku="B"),
            Point(1, 2),
            Color.RED,
            2**70,
            float("inf"),
        ]
        received = await echo(sent)
        return [received, received == sent, len(received)]


@workflow(name="d_values_dict_order")
class DictOrder(Workflow):
    async def run(self) -> list[object]:
        data = {"b": 1, "a": 2}
        data["c"] = 3
        del data["b"]
        data["b"] = 4
        keys: dict[object, str] = {}
        keys[2] = "two"
        keys[1] = "one"
        keys["x"] = "ex"
        return [data, list(data), keys, {"$not_a_tag": 1}]


@workflow(name="d_values_model_methods")
class ModelMethods(Workflow):
    async def run(self) -> list[object]:
        line = Line(sku="a")
        return [line.model_dump(), line.model_copy(update={"qty": 3})]


CASES = [
    case("floats", Floats, 1.5),
    case("floats_tiny", Floats, 1e-9),
    case("rich", Rich, Color.RED, Size.L),
    case("rich_blue", Rich, Color.BLUE, Size.S),
    case("roundtrip", Roundtrip),
    case("dict_order", DictOrder),
    case(
        "model_methods",
        ModelMethods,
    ),
]
