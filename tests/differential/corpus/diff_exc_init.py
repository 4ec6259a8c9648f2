"""User exception classes constructed inside a workflow: their Python `__init__` and `__str__` run compiled from
source (attributes, `super().__init__(...)`, `Exception.__init__(self, ...)`, chains of them across modules, f-strings,
validation that raises), so `e.sku`, `e.args` and `str(e)` are CPython's, in the workflow and in its result."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow

from .diffcase import case
from .shop_errors import PaymentDeclined, ShopError


class OutOfStock(Exception):
    def __init__(self, sku: str, left: int = 0):
        super().__init__(f"{sku} is out of stock ({left} left)")
        self.sku = sku
        self.left = left


class NoSuper(Exception):
    """An __init__ that never calls super(): args are what the class was called with."""

    def __init__(self, a: int, b: int = 2) -> None:
        self.total = a + b


class Explicit(LookupError):
    def __init__(self, key: str, *extra: object) -> None:
        LookupError.__init__(self, key, *extra)
        self.key = key
        self.extra = list(extra)


class Described(Exception):
    def __init__(self, what: str, count: int) -> None:
        super().__init__(what, count)
        self.what = what
        self.count = count

    def __str__(self) -> str:
        return f"{self.count} x {self.what}" if self.count != 1 else self.what


class Validated(ValueError):
    LIMIT = 10

    def __init__(self, value: int) -> None:
        if value > self.LIMIT:
            raise TypeError(f"{value} is over {self.LIMIT}")
        super().__init__(value)
        self.value = value
        self.squares = [i * i for i in range(value)]
        self.add_note(f"value {value}")


class KeyedMissing(KeyError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class Plain(Exception):
    pass


@action(name="d_init_noop")
async def noop(n: int) -> int:
    return n


@workflow(name="d_init_caught")
class Caught(Workflow):
    async def run(self, left: int) -> list[object]:
        out: list[object] = []
        try:
            raise OutOfStock("A", left=left)
        except OutOfStock as e:
            out.append([e.sku, e.left, str(e), e.args, repr(e)])
        e2 = OutOfStock("B")
        await noop(1)  # kept across a suspension
        out.append([e2.sku, e2.left, str(e2), f"{e2}", e2.args])
        n = NoSuper(1)
        out.append([n.args, n.total, str(n)])
        x = Explicit("k", 1, "z")
        out.append([x.args, x.key, x.extra, str(x)])
        d = Described("apple", 3)
        out.append([str(d), f"{d}", d.args, repr(d), str(Described("pear", 1))])
        v = Validated(3)
        out.append([v.args, v.value, v.squares, v.__notes__, str(v)])
        k = KeyedMissing("sku-1")
        out.append([str(k), k.key, k.args])
        p = PaymentDeclined(7, 120)
        out.append([str(p), p.args, p.code, p.order_id, p.amount, isinstance(p, ShopError)])
        s = ShopError("plain", code=1)
        out.append([str(s), s.code])
        return out


@workflow(name="d_init_raised_out")
class RaisedOut(Workflow):
    async def run(self, left: int) -> None:
        await noop(left)
        raise OutOfStock("C", left=left)


@workflow(name="d_init_custom_str_out")
class CustomStrOut(Workflow):
    async def run(self, amount: int) -> None:
        raise PaymentDeclined(1, amount)


@workflow(name="d_init_bare_class")
class BareClass(Workflow):
    async def run(self) -> list[object]:
        try:
            raise NoSuper  # type: ignore[call-arg]
        except TypeError as e:
            return [str(e)]


@workflow(name="d_init_bad_call")
class BadCall(Workflow):
    async def run(self, which: int) -> str:
        try:
            if which == 0:
                raise OutOfStock()  # type: ignore[call-arg]
            if which == 1:
                raise OutOfStock("a", 1, 2)  # type: ignore[call-arg]
            if which == 2:
                raise OutOfStock("a", lft=2)  # type: ignore[call-arg]
            if which == 3:
                raise Plain("x", code=1)  # type: ignore[call-arg]
            raise Validated(50)
        except TypeError as e:
            return str(e)


@workflow(name="d_init_from_action_and_workflow")
class BothSides(Workflow):
    async def run(self, n: int) -> list[object]:
        made = OutOfStock("W", left=n)
        errors = [made, ShopError("s", code=n)]
        return [[type(e).__name__, str(e), e.args] for e in errors] + [made.sku]


class Passthrough(Exception):
    def __init__(self, *args: object, **info: object) -> None:
        super().__init__(*args)
        self.info = dict(info)
        self.args = tuple(reversed(self.args))


class Retry(Exception):
    DEFAULT_DELAY = 30

    def __init__(self, reason: str, delay: int | None = None) -> None:
        super().__init__(reason)
        self.delay = self.DEFAULT_DELAY if delay is None else delay
        self.reason = reason.upper()


@action(name="d_init_flaky")
async def flaky(n: int) -> int:
    if n % 2:
        raise Retry("odd", delay=n)
    return n


@workflow(name="d_init_more")
class More(Workflow):
    async def run(self, n: int) -> list[object]:
        out: list[object] = []
        p = Passthrough(1, 2, 3, source="api", n=n)
        out.append([p.args, p.info, str(p)])
        r = Retry("slow")
        out.append([r.delay, r.reason, r.args, isinstance(r, Exception), r.__class__.__name__])
        results = await asyncio.gather(flaky(1), flaky(2), flaky(3), return_exceptions=True)
        out.append([str(x) for x in results])
        out.append([x.delay for x in results if isinstance(x, Retry)])
        try:
            try:
                raise Retry("inner", 1)
            except Retry as e:
                raise OutOfStock(e.reason, left=e.delay) from None
        except OutOfStock as outer:
            out.append([outer.sku, outer.left, outer.__cause__ is None, outer.__suppress_context__])
        out.append(self.build(n).args)
        return out

    def build(self, n: int) -> Exception:
        return Described("helper", n)


CASES = [
    case("caught", Caught, 2),
    case("raised_out", RaisedOut, 4, raises="corpus.diff_exc_init.OutOfStock"),
    case("custom_str_out", CustomStrOut, 99, raises="corpus.shop_errors.PaymentDeclined"),
    case("bare_class", BareClass),
    case("missing_arg", BadCall, 0),
    case("too_many", BadCall, 1),
    case("bad_keyword", BadCall, 2),
    case("no_init_keyword", BadCall, 3),
    case("validation", BadCall, 4),
    case("both_sides", BothSides, 5),
    case("more", More, 4),
]
