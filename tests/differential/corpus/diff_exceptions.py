"""try/except/else/finally, matching by class hierarchy, `as e`, re-raise, raise from, builtin errors raised by
operations, custom exception classes, exceptions raised by actions."""

from __future__ import annotations

from waymark import Workflow, action, workflow

from .diffcase import case


class ShopError(Exception):
    pass


class PaymentDeclined(ShopError):
    pass


class FraudSuspected(PaymentDeclined):
    pass


@action(name="d_exc_charge")
async def charge(amount: int) -> int:
    if amount < 0:
        raise ValueError(f"bad amount {amount}")
    if amount > 1000:
        raise FraudSuspected("too much", amount)
    if amount > 100:
        raise PaymentDeclined("declined")
    return amount


@workflow(name="d_exc_hierarchy")
class Hierarchy(Workflow):
    async def run(self, amount: int) -> list[object]:
        log: list[object] = []
        try:
            log.append(await charge(amount))
        except FraudSuspected as exc:
            log.append(["fraud", exc.args, str(exc)])
        except (PaymentDeclined, KeyError) as exc:
            log.append(["declined", str(exc)])
        except Exception as exc:
            log.append(["other", str(exc), exc.args])
        else:
            log.append("no error")
        finally:
            log.append("finally")
        return log


@workflow(name="d_exc_builtin_errors")
class BuiltinErrors(Workflow):
    async def run(self, key: str, index: int) -> list[str]:
        out = []
        data = {"a": 1}
        items = [1, 2]
        try:
            out.append(str(data[key]))
        except KeyError as exc:
            out.append(f"KeyError {exc}")
        try:
            out.append(str(items[index]))
        except IndexError as exc:
            out.append(f"IndexError {exc}")
        try:
            out.append(str(1 // index))
        except ZeroDivisionError as exc:
            out.append(f"ZeroDivisionError {exc}")
        try:
            out.append(str(int(key)))
        except ValueError as exc:
            out.append(f"ValueError {exc}")
        try:
            out.append(str(items + key))  # type: ignore[operator]
        except TypeError as exc:
            out.append(f"TypeError {exc}")
        return out


@workflow(name="d_exc_reraise")
class Reraise(Workflow):
    async def run(self, amount: int) -> object:
        try:
            return await charge(amount)
        except PaymentDeclined:
            raise
        finally:
            amount = 0


@workflow(name="d_exc_raise_from")
class RaiseFrom(Workflow):
    async def run(self, amount: int) -> object:
        try:
            return await charge(amount)
        except ValueError as exc:
            raise ShopError(f"cannot charge: {exc}") from exc


@workflow(name="d_exc_finally_return")
class FinallyOrder(Workflow):
    async def run(self, fail: bool) -> list[str]:
        log = []
        for step in ("one", "two"):
            try:
                try:
                    if fail and step == "two":
                        raise RuntimeError(step)
                    log.append(f"ok {step}")
                finally:
                    log.append(f"inner finally {step}")
            except RuntimeError as exc:
                log.append(f"caught {exc}")
                continue
            finally:
                log.append(f"outer finally {step}")
        return log


@workflow(name="d_exc_custom_raise")
class CustomRaise(Workflow):
    async def run(self, n: int) -> int:
        if n > 5:
            raise FraudSuspected(f"n={n}")
        if n < 0:
            raise KeyError(n)
        return n


@workflow(name="d_exc_nested_handlers")
class NestedHandlers(Workflow):
    async def run(self, amount: int) -> str:
        try:
            try:
                await charge(amount)
            except ValueError:
                return "inner value error"
        except ShopError as exc:
            try:
                raise KeyError("while handling") from exc
            except KeyError as again:
                return f"outer {exc!r} then {again}"
        return "no error"


@workflow(name="d_exc_class_name")
class ClassName(Workflow):
    async def run(self, amount: int) -> list[object]:
        try:
            await charge(amount)
        except Exception as exc:
            return [exc.__class__.__name__, repr(exc)]
        return []


CASES = [
    case("ok", Hierarchy, 10),
    case("declined", Hierarchy, 500),
    case("fraud", Hierarchy, 5000),
    case("value_error", Hierarchy, -1),
    case("builtin_errors", BuiltinErrors, "zz", 0),
    case("builtin_ok", BuiltinErrors, "a", 1),
    case("reraise", Reraise, 500, raises="corpus.diff_exceptions.PaymentDeclined"),
    case("reraise_ok", Reraise, 5),
    case("raise_from", RaiseFrom, -3, raises="corpus.diff_exceptions.ShopError"),
    case("finally_order", FinallyOrder, False),
    case("finally_order_fail", FinallyOrder, True),
    case("custom_raise", CustomRaise, 9, raises="corpus.diff_exceptions.FraudSuspected"),
    case("key_error_raise", CustomRaise, -2, raises="builtins.KeyError"),
    case("custom_ok", CustomRaise, 3),
    case("nested_inner", NestedHandlers, -1),
    case("nested_outer", NestedHandlers, 200),
    case("nested_none", NestedHandlers, 1),
    case(
        "class_name",
        ClassName,
        500,
    ),
]
