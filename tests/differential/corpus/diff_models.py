"""Pydantic models and dataclasses built inside a workflow: validation and coercion like pydantic (lax mode) for
common field types, defaults and default factories, missing fields, model_dump/model_copy, equality, repr;
dataclasses with defaults, field(default_factory=...), frozen instances, replace/asdict."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from waymark import Workflow, workflow

from .diffcase import case


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Item(BaseModel):
    sku: str
    qty: int = 1
    price: float = 0.0


class Cart(BaseModel):
    id: int
    items: list[Item] = Field(default_factory=list)
    tags: dict[str, str] = {}
    note: str | None = None
    color: Color = Color.RED
    created: datetime | None = None
    total: Decimal = Decimal("0")
    active: bool = True


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0
    labels: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "EUR"


@workflow(name="d_models_build")
class Build(Workflow):
    async def run(self, cart_id: str, qty: str) -> list[object]:
        cart = Cart(id=cart_id, items=[Item(sku="a", qty=qty), {"sku": "b", "price": 2}])
        cart.items.append(Item(sku="c"))
        other = Cart(id=int(cart_id), items=[Item(sku="a", qty=int(qty)), Item(sku="b", price=2.0), Item(sku="c")])
        copy = cart.model_copy(update={"note": "copied"})
        return [
            cart,
            cart.id,
            cart.items[0].qty,
            cart.items[1].price,
            cart.model_dump(),
            cart.model_dump(exclude_none=True),
            cart == other,
            copy.note,
            cart.note,
            repr(cart.items[0]),
            str(cart.items[1]),
            Cart(id=1, color="blue", created="2024-05-01T10:00:00", total="1.50", active="yes"),
            Item(sku="x", qty=3.0),
            Item(sku="x", qty=True),
        ]


class Everything(BaseModel):
    d: Decimal = Decimal("1.50")
    t: datetime = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    n: datetime = datetime(2024, 5, 1, 10, 0, 0, 5)
    dd: date = date(2024, 1, 2)
    td: timedelta = timedelta(days=1, hours=2, microseconds=5)
    c: Color = Color.BLUE
    s: set[int] = {3, 1, 9}
    tu: tuple[int, str] = (1, "x")
    f: float = 1e16
    nested: list[Item] = [Item(sku="n")]
    text: str = 'é "quoted"'


@workflow(name="d_models_json")
class JsonDump(Workflow):
    async def run(self, f: float) -> list[object]:
        e = Everything(f=f, td=timedelta(seconds=f))
        return [e.model_dump(mode="json"), e.model_dump_json(), e.model_dump(include={"d", "c"})]


@workflow(name="d_models_invalid")
class Invalid(Workflow):
    async def run(self, data: dict[str, object]) -> str:
        try:
            Item(**data)  # type: ignore[arg-type]
        except ValidationError as exc:
            return f"{type(exc).__name__}: {exc.error_count()} errors\n{exc}"
        return "valid"


@workflow(name="d_models_dataclasses")
class Dataclasses(Workflow):
    async def run(self, x: int) -> list[object]:
        p = Point(x)
        q = Point(x, 2, ["a"])
        p.labels.append("first")
        r = Point(x)
        m = Money(Decimal("9.99"))
        out: list[object] = [
            p,
            q,
            r,
            p == Point(x, 0, ["first"]),
            repr(m),
            m.amount,
            m == Money(Decimal("9.99"), "EUR"),
        ]
        try:
            m.currency = "USD"  # type: ignore[misc]
        except dataclasses.FrozenInstanceError as exc:
            out.append(f"frozen: {exc}")
        out.append(dataclasses.replace(q, y=5))
        out.append(dataclasses.asdict(q))
        return out


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["a", "b"]
    color: Color
    ref: int | str
    when: date | None = None


@workflow(name="d_models_nested_errors")
class NestedErrors(Workflow):
    async def run(self, payload: dict[str, object]) -> list[str]:
        out = []
        try:
            Cart(**payload)  # type: ignore[arg-type]
        except ValidationError as exc:
            out.append(str(exc))
        try:
            s = Strict(kind=payload.get("kind", "a"), color=payload.get("color", "red"), ref=payload.get("ref", 1))
            out.append(repr(s))
            s.ref = 5  # type: ignore[misc]
        except ValidationError as exc:
            out.append(str(exc))
        try:
            Strict(kind="a", color="red", ref=1.5, extra=1)  # type: ignore[call-arg]
        except ValidationError as exc:
            out.append(str(exc))
        return out


CASES = [
    case("json", JsonDump, 2.5),
    case("json_zero", JsonDump, 0.0),
    case(
        "nested_errors",
        NestedErrors,
        {"id": "x", "items": [{"sku": "a", "qty": "two"}, {"qty": 1}, "nope"], "tags": {"a": 1}, "color": "green"},
    ),
    case("nested_ok", NestedErrors, {"id": 3, "kind": "b", "color": "blue", "ref": "r1"}),
    case("build", Build, "7", "2"),
    case("invalid_qty", Invalid, {"sku": "a", "qty": "many"}),
    case("invalid_missing", Invalid, {"qty": 1}),
    case("invalid_types", Invalid, {"sku": 5, "qty": 1.5, "price": "x"}),
    case("valid", Invalid, {"sku": "a", "qty": "3"}),
    case("dataclasses", Dataclasses, 4),
]


class Constrained(BaseModel):
    a: int = Field(gt=0)
    b: float = Field(default=1.0, ge=0.5, le=10)
    c: str = Field(default="ab", min_length=2, max_length=3)
    d: list[int] = Field(default=[], max_length=1)
    e: Decimal = Field(default=Decimal("1"), gt=Decimal("0.5"), multiple_of=Decimal("0.25"))
    f: Annotated[int, Field(lt=5)] = 0
    g: list[Annotated[int, Field(ge=1)]] = []
    h: int | None = Field(default=None, gt=0)


@workflow(name="d_models_constraints")
class Constraints(Workflow):
    async def run(self, data: dict[str, object]) -> str:
        try:
            return repr(Constrained(**data))  # type: ignore[arg-type]
        except ValidationError as exc:
            return str(exc)


@workflow(name="d_models_validate")
class ModelValidate(Workflow):
    async def run(self, data: object) -> object:
        try:
            cart = Cart.model_validate(data)
        except ValidationError as exc:
            return str(exc)
        return [cart, Item.model_validate(cart.items[0]) if cart.items else None]


CASES += [
    case("constraints_ok", Constraints, {"a": 1, "d": [5], "e": "0.75", "g": [1, 2], "h": 3}),
    case(
        "constraints_bad",
        Constraints,
        {"a": 0, "b": 11, "c": "x", "d": [1, 2], "e": Decimal("0.6"), "f": 9, "g": [0], "h": -1},
    ),
    case("model_validate", ModelValidate, {"id": "5", "items": [{"sku": "q", "qty": "2"}]}),
    case("model_validate_bad", ModelValidate, {"id": "x"}),
    case("model_validate_type", ModelValidate, 5),
]


# ---- found by the external review corpus ----------------------------------------------------------------------------


class Account(BaseModel):
    id: uuid.UUID
    owner: str = Field(alias="ownerName")
    opened: date
    last_login: datetime | None = Field(default=None, alias="lastLogin")
    tags: list[str] = Field(default_factory=list)


class Branch(BaseModel):
    code: str = Field(alias="branchCode")
    accounts: list[Account] = Field(default_factory=list)


@workflow(name="d_models_by_alias")
class ByAlias(Workflow):
    """`model_dump(by_alias=True)` and `model_dump_json(by_alias=True)` name fields by their aliases, nested too."""

    async def run(self, raw: dict[str, object]) -> list[object]:
        branch = Branch.model_validate(raw)
        out: list[object] = [
            branch.model_dump(by_alias=True),
            branch.model_dump(by_alias=True, mode="json", exclude_none=True),
            branch.model_dump_json(by_alias=True),
            branch.model_dump(),
        ]
        try:
            branch.model_dump(round_trip_everything=True)
        except TypeError as e:
            out.append(str(e))
        return out


@workflow(name="d_models_parse_errors")
class ParseErrors(Workflow):
    """pydantic's messages for malformed UUID, date and datetime strings, and the date/datetime forms it accepts."""

    async def run(self, values: list[str]) -> list[object]:
        out: list[object] = []
        for text in values:
            for data in (
                {"id": text, "ownerName": "a", "opened": "2024-01-01"},
                {"id": UUID_A, "ownerName": "a", "opened": text, "lastLogin": text},
            ):
                try:
                    account = Account.model_validate(data)
                    out.append((account.id, account.opened, account.last_login))
                except ValidationError as e:
                    out.append(str(e))
        return out


UUID_A = "12345678-1234-5678-1234-567812345678"

CASES += [
    case(
        "by_alias",
        ByAlias,
        {
            "branchCode": "B1",
            "accounts": [
                {"id": UUID_A, "ownerName": "ana", "opened": "2024-01-31", "lastLogin": "2024-02-01T10:00:00Z"},
                {"id": "{12345678-1234-5678-1234-567812345679}", "ownerName": "bo", "opened": "2023-12-01"},
            ],
        },
    ),
    case(
        "parse_errors",
        ParseErrors,
        [
            "nope",
            "1234",
            "urn:uuid:12345678-1234-5678-1234-56781234567g",
            "12345678-1234-5678-1234-5678123456789",
            "123456781234567812345678123456-78",
            "URN:UUID:12345678-1234-5678-1234-567812345678",
            "12345678123456781234567812345678",
            "2024-02-30",
            "2024-13-01",
            "2024-1-5",
            "2024/02/29",
            "2024-02-29T25:00",
            "2024-01-01x",
            "2024-01-01T00:00:00",
            "2024-01-01T10:30",
            "2024-01-01T10",
            " 2024-01-01",
            "2024-01-01T00:00:00+25:00",
            "86400",
            "12345678901",
            "1234567890123456",
            ".5",
        ],
    ),
]
