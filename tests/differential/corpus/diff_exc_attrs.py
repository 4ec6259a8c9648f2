"""Exception instance attributes (`self.sku = sku` in `__init__`): raised by actions (they travel in the encoding's
`attrs`), read with `e.sku`, kept across suspensions, re-raised, set and deleted inside the workflow, notes."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow

from .diffcase import case


class OutOfStock(Exception):
    def __init__(self, sku: str, left: int = 0):
        super().__init__(f"{sku} is out of stock ({left} left)")
        self.sku = sku
        self.left = left


class Throttled(Exception):
    """Private attributes travel too; a value that cannot travel arrives as its repr()."""

    def __init__(self, retry_after: float, *, scope: tuple[str, ...]) -> None:
        super().__init__("throttled")
        self._retry_after = retry_after
        self.scope = scope
        self.handle = object.__new__(Opaque)


class Opaque:
    def __repr__(self) -> str:
        return "<opaque handle>"


@action(name="d_attrs_reserve")
async def reserve(sku: str, left: int) -> str:
    if left < 5:
        raise OutOfStock(sku, left=left)
    return sku


@action(name="d_attrs_call_api")
async def call_api(n: int) -> int:
    if n > 2:
        err = Throttled(1.5, scope=("orders", "read"))
        err.add_note(f"attempt {n}")
        raise err
    return n


@workflow(name="d_attrs_read")
class ReadAttrs(Workflow):
    async def run(self, left: int) -> list[object]:
        try:
            return [await reserve("A", left)]
        except OutOfStock as e:
            return [e.sku, e.left, str(e), e.args, repr(e), type(e).__name__]


@workflow(name="d_attrs_survive_sleep")
class SurviveSleep(Workflow):
    async def run(self, left: int) -> list[object]:
        errors = []
        for sku in ("A", "B"):
            try:
                await reserve(sku, left)
            except OutOfStock as e:
                errors.append(e)
        await asyncio.sleep(10)  # the exceptions and their attributes live in the snapshot meanwhile
        return [(e.sku, e.left) for e in errors] + [errors[0] is errors[0], errors[0] == errors[1]]


@workflow(name="d_attrs_reraise")
class Reraise(Workflow):
    async def run(self, left: int) -> str:
        try:
            await reserve("C", left)
        except OutOfStock as e:
            e.left = e.left + 100  # set in the workflow: the result carries it
            e.note = "seen by the workflow"
            raise
        return "ok"


@workflow(name="d_attrs_in_result")
class InResult(Workflow):
    async def run(self, left: int) -> object:
        try:
            await reserve("D", left)
        except OutOfStock as e:
            e.extra = {"k": (1, 2)}
            return {"error": e, "sku": e.sku}
        return None


@workflow(name="d_attrs_private_and_notes")
class PrivateAndNotes(Workflow):
    async def run(self, n: int) -> list[object]:
        try:
            await call_api(n)
        except Throttled as e:
            e.add_note("seen")
            del e.handle
            missing = ""
            try:
                missing = str(e.handle)
            except AttributeError as again:
                missing = str(again)
            return [e._retry_after, e.scope, e.__notes__, missing]
        return []


@workflow(name="d_attrs_missing")
class Missing(Workflow):
    async def run(self, left: int) -> str:
        try:
            await reserve("E", left)
        except OutOfStock as e:
            return str(e.nope)
        return "ok"


@workflow(name="d_attrs_raised_then_caught_by_parent")
class NewAttrsOnBuiltin(Workflow):
    async def run(self, key: str) -> list[object]:
        try:
            {"a": 1}[key]
        except KeyError as e:
            e.key = key
            e.add_note("looked up")
            try:
                e.add_note(5)
            except TypeError as bad:
                e.add_note(str(bad))
            return [e.key, e.__notes__, str(e)]
        return []


CASES = [
    case("read", ReadAttrs, 1),
    case("read_ok", ReadAttrs, 9),
    case("survive_sleep", SurviveSleep, 2),
    case("reraise", Reraise, 3, raises="corpus.diff_exc_attrs.OutOfStock"),
    case("in_result", InResult, 0),
    case("private_and_notes", PrivateAndNotes, 3),
    case("missing", Missing, 1, raises="builtins.AttributeError"),
    case("builtin_attrs", NewAttrsOnBuiltin, "zz"),
]
