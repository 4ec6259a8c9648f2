"""Values whose behaviour depends on their class, found by the lead with a realistic workflow: an IntEnum returned
by an action compared and formatted as an int, frozen dataclasses hashed by their fields, an exception's instance
attributes read after an action raised it. Then variants: StrEnum, IntFlag, mixins, plain Enum refusals, dataclass
and model hashing (frozen, unsafe_hash, eq=False, unhashable), set order of hashed values, exceptions as keys."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from enum import Enum, IntEnum, IntFlag, StrEnum

from pydantic import BaseModel, ConfigDict
from waymark import Workflow, action, workflow

from .diffcase import case


class Tier(IntEnum):
    FREE = 0
    PRO = 2


class OutOfStock(Exception):
    def __init__(self, sku: str, left: int = 0):
        super().__init__(f"{sku} is out of stock ({left} left)")
        self.sku = sku
        self.left = left


@dataclass(frozen=True)
class Point:
    x: int
    y: int


@action(name="d_cls_reserve")
async def reserve(sku: str) -> str:
    raise OutOfStock(sku, left=1)


@action(name="d_cls_tier")
async def tier() -> Tier:
    return Tier.PRO


@workflow(name="d_cls_lead")
class Lead(Workflow):
    """The lead's module, as it was reported."""

    async def run(self) -> dict:
        out = {}
        t = await tier()
        out["t"] = [t > Tier.FREE, int(t) + 1, t == 2, str(t), f"{t}", t.value, t.name]
        out["h"] = len({Point(1, 2), Point(1, 2)})
        try:
            await reserve("A")
        except OutOfStock as e:
            out["e"] = [e.sku, e.left, str(e), e.args]
        return out


# ---- enums ----------------------------------------------------------------------------------------------------------


class Mode(StrEnum):
    FAST = "fast"
    SAFE = "safe"


class Perm(IntFlag):
    R = 4
    W = 2
    X = 1


class Color(Enum):
    RED = 1
    GREEN = 2


class Unit(str, Enum):  # noqa: UP042 - a str mixin, not a StrEnum, on purpose
    KG = "kg"
    LB = "lb"


class Level(int, Enum):
    LOW = 1
    HIGH = 3


@action(name="d_cls_mode")
async def current_mode(name: str) -> Mode:
    return Mode(name)


@action(name="d_cls_perms")
async def perms_of(user: str) -> Perm:
    return Perm.R | Perm.W if user == "ana" else Perm.R


@workflow(name="d_cls_int_enum")
class IntEnumOps(Workflow):
    async def run(self, n: int) -> list[object]:
        t = await tier()
        free = Tier.FREE
        table = {0: "zero", 2: "two"}
        return [
            t + n,
            t * 3,
            -t,
            abs(-t),
            t // 2,
            t / 4,
            t**2,
            t << 1,
            t & 3,
            divmod(t, 3),
            t == 2.0,
            t != Tier.FREE,
            t >= n,
            sorted([Tier.PRO, Tier.FREE, 1]),
            max(Tier.PRO, Tier.FREE),
            min([t, 1]),
            sum([t, t, 1]),
            table[t],
            {t: "pro"}[2],
            t in {2, 5},
            2 in {t},
            bool(free),
            isinstance(t, int),
            hex(t),
            round(t),
            [10, 20, 30][t],
            f"{t:03d}|{t!r}|{t!s}|{t:>4}",
            "%d items, %s, %r" % (t, t, t),
            "{} {:d}".format(t, t),  # noqa: UP032 - str.format on purpose
            repr(t),
            t.bit_length(),
            t.real,
            type(t).__name__,
            float(t),
            Tier(2) is t,
            Tier(t),
            list(Tier),
        ]


@workflow(name="d_cls_str_enum")
class StrEnumOps(Workflow):
    async def run(self, name: str) -> list[object]:
        m = await current_mode(name)
        return [
            m == name,
            m + "-mode",
            str(m),
            f"{m}",
            f"[{m:>6}]",
            repr(m),
            m.upper(),
            len(m),
            m[0],
            "a" in m,
            m in {"fast", "other"},
            sorted([Mode.SAFE, Mode.FAST]),
            isinstance(m, str),
            {"fast": 1, "safe": 2}[m],
            m * 2,
            m.value,
            m.name,
        ]


@workflow(name="d_cls_int_flag")
class IntFlagOps(Workflow):
    async def run(self, user: str) -> list[object]:
        p = await perms_of(user)
        both = Perm.R | Perm.W
        return [
            repr(p),
            str(p),
            f"{p}",
            int(p),
            p == 6,
            Perm.W in p,
            Perm.X in p,
            repr(p | Perm.X),
            repr(p & Perm.W),
            repr(p ^ Perm.R),
            repr(~Perm.R),
            repr(Perm.R | 8),
            repr(Perm(0)),
            Perm(0).name,
            both.name,
            repr(Perm(7)),
            bool(Perm(0)),
            p + 1,
            sorted([Perm.R, Perm.X, Perm.W]),
            both == Perm(6),
            both is Perm.R,
        ]


@workflow(name="d_cls_plain_and_mixins")
class PlainAndMixins(Workflow):
    async def run(self, n: int) -> list[object]:
        c = Color(n)
        return [
            str(c),
            f"{c}",
            repr(c),
            c == 1,
            c == Color.RED,
            Color(Color.GREEN),
            str(Unit.KG),
            f"{Unit.KG}",
            Unit.KG == "kg",
            Unit.KG + "/m",
            Unit("lb"),
            str(Level.HIGH),
            f"{Level.HIGH}",
            Level.HIGH + 1,
            Level.HIGH > Level.LOW,
            sorted([Level.HIGH, Level.LOW]),
            {Level.LOW: "x"}.get(1),
        ]


@workflow(name="d_cls_plain_order")
class PlainOrder(Workflow):
    async def run(self) -> bool:
        return Color.RED < Color.GREEN  # type: ignore[operator]


@workflow(name="d_cls_plain_add")
class PlainAdd(Workflow):
    async def run(self) -> object:
        return Color.RED + 1  # type: ignore[operator]


@workflow(name="d_cls_enum_format_spec")
class PlainFormatSpec(Workflow):
    async def run(self) -> list[str]:
        return [f"{Color.RED:>10}|", f"{Unit.KG:^8}|", f"{Tier.PRO:+d}|"]


# ---- hashing of user values -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sku:
    code: str
    size: int = 0


@dataclass(unsafe_hash=True)
class Slot:
    day: int
    hour: int
    note: str = field(default="", compare=False)


@dataclass
class Cart:
    items: list[str]


@dataclass(eq=False)
class Handle:
    n: int


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)
    amount: int
    currency: int = 978


class Code(BaseModel):
    model_config = ConfigDict(frozen=True)
    n: int


class Draft(BaseModel):
    text: str


@action(name="d_cls_points")
async def points() -> list[Point]:
    return [Point(3, 4), Point(1, 2), Point(3, 4)]


@workflow(name="d_cls_hash_dataclass")
class HashDataclass(Workflow):
    async def run(self, n: int) -> list[object]:
        ps = await points()
        seen = set(ps)
        grid = {Point(x, y): x * y for x in range(n) for y in range(n)}
        slots = {Slot(1, 9, "a"), Slot(1, 9, "b"), Slot(2, 9)}
        by_point = {}
        for p in ps:
            by_point[p] = by_point.get(p, 0) + 1
        return [
            len(seen),
            sorted((p.x, p.y) for p in seen),
            list({Point(i, i) for i in range(n)}),
            list({Point(i, 0): i for i in range(n)}),
            grid[Point(1, 1)],
            len(slots),
            Point(1, 2) in seen,
            by_point,
            frozenset({Point(5, 5)}) == frozenset({Point(5, 5)}),
            Sku("a") in {Sku("a", 0)},
            list({(Point(1, 2), 1), (Point(1, 2), 1)}),
            list(set(range(n)) | {Point(0, 0)}) if n < 3 else None,
        ]


@workflow(name="d_cls_hash_set_order")
class HashSetOrder(Workflow):
    async def run(self, n: int) -> list[object]:
        pts = {Point(i * 7 % 11, i) for i in range(n)}
        moneys = {Money(amount=a) for a in (5, 3, 5, 100, 17)}
        codes = {Code(n=i) for i in (9, 1, 33, 1)}
        return [
            [(p.x, p.y) for p in pts],
            [m.amount for m in moneys],
            [c.n for c in codes],
            list({Slot(d, 1) for d in range(n)}),
        ]


@workflow(name="d_cls_unhashable_dataclass")
class UnhashableDataclass(Workflow):
    async def run(self) -> object:
        return {Cart(["a"])}


@workflow(name="d_cls_unhashable_field")
class UnhashableField(Workflow):
    async def run(self) -> object:
        return {Sku("a", 1): 1, (1, [2]): 2}


@workflow(name="d_cls_unhashable_model")
class UnhashableModel(Workflow):
    async def run(self) -> object:
        return {Draft(text="x"): 1}


@workflow(name="d_cls_identity_dataclass")
class IdentityDataclass(Workflow):
    async def run(self) -> list[object]:
        a, b = Handle(1), Handle(1)
        d = {a: "a", b: "b"}
        return [a == b, a == a, len({a, b, a}), d[a], d[b], len(d)]


@workflow(name="d_cls_models_as_keys")
class ModelsAsKeys(Workflow):
    async def run(self) -> list[object]:
        prices = {Money(amount=1): "one", Money(amount=1, currency=840): "usd"}
        return [prices[Money(amount=1)], len({Money(amount=2), Money(amount=2)}), Money(amount=2) in prices]


@action(name="d_cls_fail")
async def fail(n: int) -> int:
    raise ValueError(f"failure {n}")


@workflow(name="d_cls_exceptions_as_keys")
class ExceptionsAsKeys(Workflow):
    async def run(self) -> list[object]:
        errors = []
        for i in range(3):
            try:
                await fail(i)
            except ValueError as e:
                errors.append(e)
        counts = {e: str(e) for e in errors}
        unique = {errors[0], errors[0], errors[1]}
        return [len(counts), counts[errors[1]], len(unique), errors[0] in unique, errors[2] in unique]


@workflow(name="d_cls_hashed_across_sleep")
class HashedAcrossSleep(Workflow):
    """Sets and dict keys of exceptions and frozen dataclasses kept in the snapshot: their hashes (identities,
    field tuples) must be the same when the run resumes."""

    async def run(self, n: int) -> list[object]:
        errors = []
        for i in range(n):
            try:
                await fail(i)
            except ValueError as e:
                errors.append(e)
        seen = set(errors)
        pts = {Point(i * 5 % 7, i) for i in range(n)}
        table = {Point(1, 1): "one", errors[0]: "first", Tier.PRO: "pro"}
        await asyncio.sleep(5)
        seen.add(errors[0])
        return [
            errors[0] in seen,
            errors[-1] in seen,
            len(seen),
            Point(5, 1) in pts,
            [(p.x, p.y) for p in pts],
            table[Point(1, 1)],
            table[errors[0]],
            table[2],
        ]


@workflow(name="d_cls_lead_in_workflow")
class LeadInWorkflow(Workflow):
    """The lead's exception, built and raised inside the workflow (its __init__ compiled)."""

    async def run(self, left: int) -> list[object]:
        try:
            raise OutOfStock("A", left=left)
        except OutOfStock as e:
            return [e.sku, e.left, str(e), e.args]


class Plan(BaseModel):
    tier: Tier
    mode: Mode = Mode.SAFE


@dataclass(frozen=True)
class Seat:
    row: int
    tier: Tier


@workflow(name="d_cls_enums_in_data")
class EnumsInData(Workflow):
    """Members inside models, dataclasses, containers and results; members as counts and indexes."""

    async def run(self, n: int) -> list[object]:
        t = await tier()
        plan = Plan(tier=2)
        seats = {Seat(r, t) for r in range(n)}
        counts: dict[object, int] = {}
        for member in [Tier.PRO, Tier.FREE, t, 2, 0]:
            counts[member] = counts.get(member, 0) + 1
        return [
            plan.tier == Tier.PRO,
            plan.tier + 1,
            repr(plan),
            plan.model_dump(),
            plan.model_dump(mode="json"),
            sorted((s.row, int(s.tier)) for s in seats),
            Seat(0, Tier.PRO) in seats,
            Seat(0, 2) in seats,  # type: ignore[arg-type]
            counts,
            {Tier.PRO, Tier.FREE, 2},
            "ab" * t,
            [0] * t,
            list(range(t)),
            {t: "pro"},
            (t, Mode.FAST, Perm.R | Perm.X),
        ]


# ---- ordering of dataclasses (found by the external review corpus) -------------------------------------------------


@dataclass(frozen=True, order=True)
class Release:
    major: int
    minor: int
    patch: int = 0
    label: str = field(default="", compare=False)


@dataclass(order=True)
class Parcel:
    weight: int
    dest: str


@dataclass(order=True)
class Crate:
    """Named only in `run()`'s annotation."""

    weight: int
    dest: str


@dataclass(order=True)
class OtherParcel:
    weight: int
    dest: str


@workflow(name="d_cls_ordered_dataclass")
class OrderedDataclass(Workflow):
    """`@dataclass(order=True)` instances sort, compare and min/max as their compared fields' tuples; instances that
    reach the workflow only as its input (the class named only in `run()`'s annotation) know their class too."""

    async def run(self, parcels: list[Crate], tags: list[str]) -> list[object]:
        releases = [Release(*(int(p) for p in t.split("."))) for t in tags]
        releases.append(Release(1, 2, 0, "rc"))
        releases.sort()
        heavier = sorted(parcels, reverse=True)
        light = min(parcels)
        renamed = [dataclasses.replace(p, dest=p.dest.upper()) for p in parcels]
        out: list[object] = [
            releases,
            heavier,
            light,
            renamed,
            Release(1, 2) <= Release(1, 2, 0, "x"),
            Release(1, 10) > Release(1, 9, 99),
            max(releases),
            parcels[0] < parcels[1],
            Parcel(1, "b") >= Parcel(1, "a"),
            sorted([Parcel(2, "b"), Parcel(2, "a"), Parcel(1, "z")]),
        ]
        try:
            out.append(Parcel(1, "a") < OtherParcel(2, "a"))
        except TypeError as e:
            out.append(str(e))
        try:
            out.append(Release(1, 0) < (1, 0))
        except TypeError as e:
            out.append(str(e))
        return out


CASES = [
    case("lead", Lead),
    case("int_enum", IntEnumOps, 1),
    case("str_enum", StrEnumOps, "fast"),
    case("int_flag", IntFlagOps, "ana"),
    case("int_flag_single", IntFlagOps, "bob"),
    case("plain_and_mixins", PlainAndMixins, 2),
    case("plain_order", PlainOrder, raises="builtins.TypeError"),
    case("plain_add", PlainAdd, raises="builtins.TypeError"),
    case("enum_format_spec", PlainFormatSpec),
    case("hash_dataclass", HashDataclass, 2),
    case("hash_dataclass_more", HashDataclass, 4),
    case("hash_set_order", HashSetOrder, 9),
    case("unhashable_dataclass", UnhashableDataclass, raises="builtins.TypeError"),
    case("unhashable_field", UnhashableField, raises="builtins.TypeError"),
    case("unhashable_model", UnhashableModel, raises="builtins.TypeError"),
    case("identity_dataclass", IdentityDataclass),
    case("models_as_keys", ModelsAsKeys),
    case("exceptions_as_keys", ExceptionsAsKeys),
    case("hashed_across_sleep", HashedAcrossSleep, 6),
    case("lead_in_workflow", LeadInWorkflow, 2),
    case("enums_in_data", EnumsInData, 3),
    case(
        "ordered_dataclass",
        OrderedDataclass,
        [Crate(5, "x"), Crate(2, "z"), Crate(5, "a")],
        ["1.10.1", "1.2", "0.9.9", "1.2.0"],
    ),
]
