"""Exceptions across a boundary: `raise X from None` in an action or a child workflow keeps
`__suppress_context__` (with no `__cause__`); class attributes of an exception class the workflow does not name,
or that the worker loaded only when the action ran (`e.code`), come with the exception."""

from __future__ import annotations

import importlib

from waymark import Workflow, action, workflow

from .diffcase import case


class Declined(Exception):
    code = "declined"
    limit = 1


class NotFound(Exception):
    pass


class Unnamed(Exception):
    """Never named by a workflow: the program has no class entry for it."""

    code = "unnamed"
    tiers = ("a", "b")


@action(name="d_exb_lookup")
async def lookup(kind: str) -> str:
    table = {"a": "found"}
    try:
        return table[kind]
    except KeyError:
        if kind == "none":
            raise NotFound(kind) from None
        if kind == "cause":
            raise NotFound(kind) from ValueError("bad")
        raise NotFound(kind)  # noqa: B904 - implicit chaining on purpose


@action(name="d_exb_raise")
async def fail(kind: str) -> str:
    if kind == "late":
        late = importlib.import_module(f"{__package__}.exc_late_errors")
        raise late.LateDeclined("late")
    if kind == "unnamed":
        raise Unnamed("unnamed")
    raise Declined("declined")


@workflow(name="d_exb_from_none")
class FromNone(Workflow):
    async def run(self, kinds: list[str]) -> list[object]:
        out: list[object] = []
        for kind in kinds:
            try:
                out.append(await lookup(kind))
            except NotFound as e:
                out.append((str(e), e.__cause__ is None, type(e.__cause__).__name__, e.__suppress_context__))
        return out


@workflow(name="d_exb_child")
class Child(Workflow):
    async def run(self, kind: str) -> str:
        try:
            return await lookup(kind)
        except NotFound as e:
            if kind == "none":
                raise Declined("child") from None
            raise Declined("child") from e


@workflow(name="d_exb_parent")
class Parent(Workflow):
    async def run(self) -> list[object]:
        out: list[object] = []
        for kind in ("none", "cause"):
            try:
                await Child().run(kind)
            except Declined as e:
                out.append((str(e), type(e.__cause__).__name__, e.__suppress_context__, e.code))
        return out


@workflow(name="d_exb_class_attrs")
class ClassAttrs(Workflow):
    async def run(self, kinds: list[str]) -> list[object]:
        out: list[object] = []
        for kind in kinds:
            try:
                out.append(await fail(kind))
            except Declined as e:
                out.append((type(e).__name__, e.code, e.limit))
            except Exception as e:  # a class the workflow does not name
                out.append((type(e).__name__, e.code, e.tiers))
        return out


CASES = [
    case("from_none_in_action", FromNone, ["a", "none", "cause", "implicit"]),
    case("from_none_in_child", Parent),
    case("class_attrs_of_unnamed_and_late_classes", ClassAttrs, ["late", "unnamed", "declined"]),
]
