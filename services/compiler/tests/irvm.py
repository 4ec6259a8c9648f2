"""A small reference interpreter of the IR, for tests only: it runs a compiled Program with Python's own objects
(actions are called directly, sleeps are skipped), so lowering can be checked against CPython running the same
`run()`. It is not resumable and not the product's VM (that is vm-core, in Rust); it exists to pin down the
semantics the compiler's output must have."""

from __future__ import annotations

import asyncio
import builtins
import inspect
import operator
from collections.abc import Callable
from typing import Any

import betterproto2
from waymark_ir import pb, values

UNBOUND = object()

BIN: dict[int, Callable[[Any, Any], Any]] = {
    pb.BinOpKind.ADD: operator.add,
    pb.BinOpKind.SUB: operator.sub,
    pb.BinOpKind.MULT: operator.mul,
    pb.BinOpKind.DIV: operator.truediv,
    pb.BinOpKind.FLOOR_DIV: operator.floordiv,
    pb.BinOpKind.MOD: operator.mod,
    pb.BinOpKind.POW: operator.pow,
    pb.BinOpKind.LSHIFT: operator.lshift,
    pb.BinOpKind.RSHIFT: operator.rshift,
    pb.BinOpKind.BIT_OR: operator.or_,
    pb.BinOpKind.BIT_XOR: operator.xor,
    pb.BinOpKind.BIT_AND: operator.and_,
}
INPLACE: dict[int, Callable[[Any, Any], Any]] = {
    pb.BinOpKind.ADD: operator.iadd,
    pb.BinOpKind.SUB: operator.isub,
    pb.BinOpKind.MULT: operator.imul,
    pb.BinOpKind.DIV: operator.itruediv,
    pb.BinOpKind.FLOOR_DIV: operator.ifloordiv,
    pb.BinOpKind.MOD: operator.imod,
    pb.BinOpKind.POW: operator.ipow,
    pb.BinOpKind.LSHIFT: operator.ilshift,
    pb.BinOpKind.RSHIFT: operator.irshift,
    pb.BinOpKind.BIT_OR: operator.ior,
    pb.BinOpKind.BIT_XOR: operator.ixor,
    pb.BinOpKind.BIT_AND: operator.iand,
}
UNARY: dict[int, Callable[[Any], Any]] = {
    pb.UnaryOpKind.NOT: operator.not_,
    pb.UnaryOpKind.NEG: operator.neg,
    pb.UnaryOpKind.POS: operator.pos,
    pb.UnaryOpKind.INVERT: operator.invert,
}
CMP: dict[int, Callable[[Any, Any], Any]] = {
    pb.CmpOpKind.EQ: operator.eq,
    pb.CmpOpKind.NOT_EQ: operator.ne,
    pb.CmpOpKind.LT: operator.lt,
    pb.CmpOpKind.LT_E: operator.le,
    pb.CmpOpKind.GT: operator.gt,
    pb.CmpOpKind.GT_E: operator.ge,
    pb.CmpOpKind.IS: operator.is_,
    pb.CmpOpKind.IS_NOT: operator.is_not,
    pb.CmpOpKind.IN: lambda a, b: a in b,
    pb.CmpOpKind.NOT_IN: lambda a, b: a not in b,
}
KINDS = {
    pb.ParamKind.POSITIONAL_ONLY: inspect.Parameter.POSITIONAL_ONLY,
    pb.ParamKind.POSITIONAL_OR_KEYWORD: inspect.Parameter.POSITIONAL_OR_KEYWORD,
    pb.ParamKind.VAR_POSITIONAL: inspect.Parameter.VAR_POSITIONAL,
    pb.ParamKind.KEYWORD_ONLY: inspect.Parameter.KEYWORD_ONLY,
    pb.ParamKind.VAR_KEYWORD: inspect.Parameter.VAR_KEYWORD,
}


CONVERT: dict[str, Callable[[Any], str]] = {"s": str, "r": repr, "a": ascii}


class Awaitable:
    def __init__(self, thunk: Callable[[], Any]) -> None:
        self.thunk = thunk

    async def run(self) -> Any:
        return await self.thunk()


class Interpreter:
    def __init__(
        self,
        program: pb.Program,
        *,
        signals: dict[str, Any] | None = None,
        children: dict[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.program = program
        self.signals = signals or {}
        self.children = children or {}
        self.steps = 0

    async def run_with(self, this: Any, *args: Any, **kwargs: Any) -> Any:
        """Run `run()` with `this` as `self`."""
        return await self.call(0, this, list(args), kwargs)

    async def call(self, index: int, this: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        function = self.program.functions[index]
        params = [
            inspect.Parameter(
                p.name,
                KINDS[p.kind],
                default=inspect.Parameter.empty if p.default is None else values.loads(p.default.json),
            )
            for p in function.params
        ]
        bound = inspect.Signature(params).bind(*args, **kwargs)
        bound.apply_defaults()
        slots: list[Any] = [UNBOUND] * len(function.locals)
        slots[0] = this
        for param in function.params:
            slots[param.slot] = bound.arguments[param.name]
        return await Frame(self, function, slots).execute()

    def cls(self, index: int) -> Any:
        qualname = self.program.classes[index].qualname
        return values.import_qualified(qualname)


class Frame:
    def __init__(self, vm: Interpreter, function: pb.Function, slots: list[Any]) -> None:
        self.vm, self.function, self.slots = vm, function, slots
        self.handled: list[BaseException] = []
        self.pending: BaseException | None = None

    async def execute(self) -> Any:
        pc = 0
        code = self.function.code
        while True:
            self.vm.steps += 1
            if self.vm.steps > 200_000:
                raise RuntimeError("interpreter step limit")
            instr = code[pc]
            try:
                outcome = await self.step(instr, pc)
            except Exception as exc:  # dispatch through the exception table
                handler = next((h for h in self.function.handlers if h.start <= pc < h.end), None)
                if handler is None:
                    raise
                del self.handled[handler.depth :]
                self.pending = exc
                pc = handler.target
                continue
            if isinstance(outcome, Return):
                return outcome.value
            pc = outcome

    async def step(self, instr: pb.Instr, pc: int) -> Any:
        kind, op = betterproto2.which_one_of(instr, "op")
        nxt = pc + 1
        if isinstance(op, pb.Assign):
            value = await self.eval(op.value)
            for target in op.targets:
                await self.store(target, value)
        elif isinstance(op, pb.AugAssign):
            await self.aug(op)
        elif isinstance(op, pb.ExprStmt):
            await self.eval(op.value)
        elif isinstance(op, pb.Jump):
            return op.target
        elif isinstance(op, pb.Branch):
            return op.if_true if await self.eval(op.cond) else op.if_false
        elif isinstance(op, pb.Return):
            return Return(await self.eval(op.value) if op.value is not None else None)
        elif isinstance(op, pb.Raise):
            await self.raise_(op)
        elif isinstance(op, pb.Await):
            awaitable = await self.eval(op.awaitable)
            if not isinstance(awaitable, Awaitable):
                raise TypeError(f"object {type(awaitable).__name__} can't be used in 'await' expression")
            value = await awaitable.run()
            if op.target is not None:
                await self.store(op.target, value)
        elif isinstance(op, pb.Call):
            args, kwargs = await self.args(op.args)
            value = await self.vm.call(op.function, self.slots[0], args, kwargs)
            if op.target is not None:
                await self.store(op.target, value)
        elif isinstance(op, pb.GetIter):
            self.slots[op.slot] = iter(await self.eval(op.value))
        elif isinstance(op, pb.ForIter):
            try:
                item = next(self.slots[op.slot])
            except StopIteration:
                return op.exit
            assert op.target is not None
            await self.store(op.target, item)
        elif isinstance(op, pb.EnterHandler):
            assert self.pending is not None
            self.handled.append(self.pending)
            self.pending = None
        elif isinstance(op, pb.ExitHandler):
            self.handled.pop()
        elif isinstance(op, pb.ExcMatch):
            classes: list[Any] = []
            for expr in op.classes:
                found = await self.eval(expr)
                classes += list(found) if isinstance(found, tuple) else [found]
            if not isinstance(self.handled[-1], tuple(classes)):
                return op.no_match
        elif isinstance(op, pb.Delete):
            assert op.target is not None
            await self.delete(op.target)
        elif isinstance(op, pb.Nop):
            pass
        else:
            raise NotImplementedError(kind)
        return nxt

    async def raise_(self, op: pb.Raise) -> None:
        if op.exc is None:
            exc = self.handled[-1] if self.handled else self.pending
            if exc is None:
                raise RuntimeError("No active exception to reraise")
            raise exc
        exc = await self.eval(op.exc)
        if isinstance(exc, type):
            exc = exc()
        if op.cause_is_none:
            raise exc from None
        if op.cause is not None:
            cause = await self.eval(op.cause)
            raise exc from (cause() if isinstance(cause, type) else cause)
        raise exc

    # ---- targets ----
    async def store(self, target: pb.Target, value: Any) -> None:
        _, t = betterproto2.which_one_of(target, "kind")
        if isinstance(t, int):
            self.slots[t] = value
        elif isinstance(t, pb.UnpackTarget):
            items = list(value)
            if t.starred is None:
                if len(items) != len(t.items):
                    raise ValueError(f"expected {len(t.items)} values to unpack, got {len(items)}")
                parts = items
            else:
                after = len(t.items) - t.starred - 1
                if len(items) < len(t.items) - 1:
                    raise ValueError("not enough values to unpack")
                parts = [*items[: t.starred], items[t.starred : len(items) - after], *items[len(items) - after :]]
            for sub, item in zip(t.items, parts, strict=True):
                await self.store(sub, item)
        elif isinstance(t, pb.SubscriptTarget):
            container = await self.eval(t.value)
            container[await self.eval(t.index)] = value
        elif isinstance(t, pb.AttributeTarget):
            setattr(await self.eval(t.value), t.attr, value)

    async def delete(self, target: pb.Target) -> None:
        _, t = betterproto2.which_one_of(target, "kind")
        if isinstance(t, int):
            if self.slots[t] is UNBOUND:
                raise UnboundLocalError(f"cannot access local variable '{self.function.locals[t]}'")
            self.slots[t] = UNBOUND
        elif isinstance(t, pb.SubscriptTarget):
            del (await self.eval(t.value))[await self.eval(t.index)]
        elif isinstance(t, pb.AttributeTarget):
            delattr(await self.eval(t.value), t.attr)

    async def aug(self, op: pb.AugAssign) -> None:
        fn = INPLACE[op.op]
        assert op.target is not None
        _, t = betterproto2.which_one_of(op.target, "kind")
        if isinstance(t, int):
            old = self.load(t)
            self.slots[t] = fn(old, await self.eval(op.value))
        elif isinstance(t, pb.SubscriptTarget):
            container, key = await self.eval(t.value), await self.eval(t.index)
            container[key] = fn(container[key], await self.eval(op.value))
        elif isinstance(t, pb.AttributeTarget):
            owner = await self.eval(t.value)
            setattr(owner, t.attr, fn(getattr(owner, t.attr), await self.eval(op.value)))

    def load(self, slot: int) -> Any:
        value = self.slots[slot]
        if value is UNBOUND:
            raise UnboundLocalError(
                f"cannot access local variable '{self.function.locals[slot]}' where it is not associated with a value"
            )
        return value

    # ---- expressions ----
    async def args(self, args: list[pb.Arg]) -> tuple[list[Any], dict[str, Any]]:
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        for arg in args:
            value = await self.eval(arg.value)
            if arg.star:
                positional += list(value)
            elif arg.double_star:
                keywords.update(value)
            elif arg.keyword:
                keywords[arg.keyword] = value
            else:
                positional.append(value)
        return positional, keywords

    async def eval(self, e: pb.Expr | None) -> Any:
        assert e is not None
        kind, v = betterproto2.which_one_of(e, "kind")
        vm = self.vm
        if isinstance(v, pb.Value):
            return values.loads(v.json)
        if isinstance(v, int):
            return self.load(v)
        if isinstance(v, pb.BinOp):
            left = await self.eval(v.left)
            return BIN[v.op](left, await self.eval(v.right))
        if isinstance(v, pb.UnaryOp):
            return UNARY[v.op](await self.eval(v.operand))
        if isinstance(v, pb.BoolOp):
            result = None
            for item in v.values:
                result = await self.eval(item)
                if (v.op == pb.BoolOpKind.AND) != bool(result):
                    return result
            return result
        if isinstance(v, pb.Compare):
            left = await self.eval(v.left)
            for op, comparator in zip(v.ops, v.comparators, strict=True):
                right = await self.eval(comparator)
                if not CMP[op](left, right):
                    return False
                left = right
            return True
        if isinstance(v, pb.IfExp):
            return await self.eval(v.body) if await self.eval(v.test) else await self.eval(v.orelse)
        if isinstance(v, pb.Subscript):
            container = await self.eval(v.value)
            return container[await self.eval(v.index)]
        if isinstance(v, pb.Slice):
            parts = [await self.eval(x) if x is not None else None for x in (v.lower, v.upper, v.step)]
            return slice(*parts)
        if isinstance(v, pb.Attribute):
            return getattr(await self.eval(v.value), v.attr)
        if isinstance(v, pb.Sequence):
            items: list[Any] = []
            for item in v.items:
                if item.starred is not None:
                    items += list(await self.eval(item.starred.value))
                else:
                    items.append(await self.eval(item))
            return {"list": list, "tuple": tuple, "set": set}[kind](items)
        if isinstance(v, pb.DictDisplay):
            out: dict[Any, Any] = {}
            for entry in v.items:
                if entry.key is None:
                    out.update(await self.eval(entry.value))
                else:
                    key = await self.eval(entry.key)
                    out[key] = await self.eval(entry.value)
            return out
        if isinstance(v, pb.FString):
            return await self.fstring(v)
        if isinstance(v, pb.BuiltinCall):
            args, kwargs = await self.args(v.args)
            return getattr(builtins, v.name)(*args, **kwargs)
        if isinstance(v, pb.MethodCall):
            receiver = await self.eval(v.receiver)
            args, kwargs = await self.args(v.args)
            return getattr(receiver, v.method)(*args, **kwargs)
        if isinstance(v, pb.Construct):
            args, kwargs = await self.args(v.args)
            return vm.cls(v.class_index)(*args, **kwargs)
        if isinstance(v, pb.ClassObject):
            return vm.cls(v.class_index)
        if isinstance(v, pb.CurrentException):
            return self.handled[-1]
        if isinstance(v, pb.ActionCall):
            action = vm.program.actions[v.action]
            args, kwargs = await self.args(v.args)
            fn = values.import_qualified(f"{action.module}.{action.qualname}").fn

            async def run_action() -> Any:
                result = fn(*args, **kwargs)
                return await result if inspect.isawaitable(result) else result

            return Awaitable(run_action)
        if isinstance(v, pb.SleepCall):
            await self.eval(v.seconds)

            async def nothing() -> None:
                return None

            return Awaitable(nothing)
        if isinstance(v, pb.GatherCall):
            arms, _ = await self.args(v.items)

            async def gather() -> Any:
                return list(await asyncio.gather(*(a.run() for a in arms), return_exceptions=v.return_exceptions))

            return Awaitable(gather)
        if isinstance(v, pb.SignalWait):
            name = await self.eval(v.name)

            async def signal() -> Any:
                if name not in vm.signals:
                    raise TimeoutError(name)
                return vm.signals[name]

            return Awaitable(signal)
        if isinstance(v, pb.ChildWorkflowCall):
            workflow = vm.program.workflows[v.workflow]
            args, kwargs = await self.args(v.args)

            async def child() -> Any:
                return await vm.children[workflow.name](*args, **kwargs)

            return Awaitable(child)
        if isinstance(v, pb.CoroutineCall):
            args, kwargs = await self.args(v.args)
            this = self.slots[0]

            async def coroutine() -> Any:
                return await vm.call(v.function, this, args, kwargs)

            return Awaitable(coroutine)
        raise NotImplementedError(kind)

    async def fstring(self, v: pb.FString) -> str:
        out: list[str] = []
        for part in v.parts:
            _, p = betterproto2.which_one_of(part, "kind")
            if isinstance(p, str):
                out.append(p)
            elif isinstance(p, pb.FormattedValue):
                value = await self.eval(p.value)
                value = CONVERT[p.conversion](value) if p.conversion else value
                spec = await self.fstring(p.format_spec) if p.format_spec is not None else ""
                out.append(format(value, spec))
        return "".join(out)


class Return:
    def __init__(self, value: Any) -> None:
        self.value = value
