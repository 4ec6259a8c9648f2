"""Exception class attributes read through instances (`e.code`, resolved through the MRO, the instance's own
attribute first), for exceptions raised by actions and built in the workflow; `__suppress_context__` of exceptions
that cross a boundary (an action, a child workflow) as their `__cause__` says."""

from __future__ import annotations

from waymark import Workflow, action, workflow

from .diffcase import case


class PaymentError(Exception):
    code = "payment"
    retryable = False
    limits = (1, 2)


class CardDeclined(PaymentError):
    code = "declined"


class InsufficientFunds(CardDeclined):
    retryable = True


class Overridden(PaymentError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = "own"


class Blocked(Exception):
    pass


@action(name="d_eca_pay")
async def pay(kind: str) -> str:
    if kind == "nsf":
        raise InsufficientFunds("no money")
    if kind == "declined":
        raise CardDeclined("declined")
    if kind == "own":
        raise Overridden("overridden")
    if kind == "chained":
        try:
            raise ValueError("inner")
        except ValueError as exc:
            raise Blocked("blocked") from exc
    if kind == "plain":
        raise Blocked("plain")
    return "paid"


@workflow(name="d_eca_attrs")
class ClassAttrs(Workflow):
    async def run(self, kinds: list[str]) -> list[object]:
        out: list[object] = []
        for kind in kinds:
            try:
                out.append(await pay(kind))
            except PaymentError as e:
                out.append((type(e).__name__, e.code, e.retryable, e.limits, str(e)))
            except Blocked as e:
                out.append(("blocked", e.__cause__ is not None, e.__suppress_context__))
        built = [PaymentError("a"), InsufficientFunds("b"), Overridden("c")]
        out.append([(e.code, e.retryable) for e in built])
        return out


@workflow(name="d_eca_child")
class Child(Workflow):
    async def run(self, chained: bool) -> str:
        try:
            await pay("declined")
        except CardDeclined as e:
            if chained:
                raise Blocked("child blocked") from e
        raise Blocked("child plain")


@workflow(name="d_eca_parent")
class Parent(Workflow):
    async def run(self) -> list[object]:
        out: list[object] = []
        for chained in (True, False):
            try:
                await Child().run(chained)
            except Blocked as e:
                out.append((str(e), type(e.__cause__).__name__, e.__suppress_context__))
        return out


CASES = [
    case("from_actions_and_built", ClassAttrs, ["nsf", "declined", "own", "ok", "chained", "plain"]),
    case("suppress_context_across_child", Parent),
]
