"""Calls: actions, workflow methods, child workflows, the workflow primitives (sleep, gather, signals,
run_action), pure builtins, constructors of data classes, and methods of plain data."""

from __future__ import annotations

import ast
from collections.abc import Callable

from waymark_ir import pb

from waymark_compiler import constants
from waymark_compiler.builtins_table import (
    BUILTIN_EXCEPTIONS,
    CLASS_METHODS,
    CONVERSIONS,
    DATA_METHODS,
    METHODS_BY_TYPE,
    MODEL_CLASS_METHODS,
    MODULE_FUNCTIONS,
    PURE_FUNCTIONS,
    STDLIB_VALUE_TYPES,
    VM_CONSTRUCTIBLE,
    class_value,
)
from waymark_compiler.lower.base import LowererBase, kind_of, local, slot_target
from waymark_compiler.lower.policy import (
    POLICY_BUILDERS,
    AlreadyReported,
    NotStatic,
    RetryValue,
    StaticEvaluator,
    seconds_of,
)
from waymark_compiler.manifest import Ref
from waymark_compiler.rules import (
    bad_arguments,
    exception_method,
    impure_builtin,
    run_action_policy,
    static_argument,
    undefined_name,
    unsupported_call,
    unsupported_method,
)

AWAITABLE_KINDS = frozenset({"action", "sleep", "gather", "signal", "child", "coroutine"})
NOT_AWAITABLE_KINDS = frozenset(
    {
        "constant",
        "bin_op",
        "unary_op",
        "compare",
        "list",
        "tuple",
        "set",
        "dict",
        "fstring",
        "builtin",
        "construct",
        "class_object",
    }
)
CONSTRUCTIBLE = frozenset({pb.ClassKind.EXCEPTION, pb.ClassKind.MODEL, pb.ClassKind.DATACLASS, pb.ClassKind.ENUM})


class CallsMixin(LowererBase):
    def call(self, node: ast.Call) -> pb.Expr:
        func = node.func
        if any(self.claimed(sub) for sub in ast.walk(func)):
            self.lower_args_for_diagnostics(node)  # the callee is already reported
            return self.placeholder()
        if self.exception_owner is not None:
            special = self.exception_call(node)
            if special is not None:
                return special
        if isinstance(func, ast.Attribute) and self.is_self(func.value):
            return self.self_call(node, func.attr)
        if isinstance(func, ast.Attribute) and func.attr == "run" and isinstance(func.value, ast.Call):
            ref = self.resolve(func.value.func)
            if ref is not None and ref.entry_kind == "workflow" and not ref.attrs:
                return self.child_call(node, func.value, ref)
        ref = self.resolve(func)
        if ref is not None:
            return self.global_call(node, ref)
        if isinstance(func, ast.Attribute):
            return self.method_call(node, func)
        self.lower_args_for_diagnostics(node)
        self.report(
            unsupported_call.RULE,
            node,
            what=f"cannot call `{self.segment(func)}`",
            fix="call actions, workflow methods (self.name(...)) and pure builtins directly",
        )
        return self.placeholder()

    def awaitable(self, node: ast.expr) -> pb.Expr:
        if self.helper_call(node) == "sync" and not self.claimed(node):
            assert isinstance(node, ast.Call)
            self.lower_args_for_diagnostics(node)
            self.report(
                unsupported_call.RULE,
                node,
                what=f"`{self.segment(node.func)}()` is not async",
                fix="call it without await, or make it `async def`",
            )
            return self.placeholder()
        value = self.expr(node)
        kind = kind_of(value)
        # a problem already reported inside (`await httpx.AsyncClient().get(url)`: WM113) is the one diagnostic
        if kind in NOT_AWAITABLE_KINDS and not any(self.claimed(sub) for sub in ast.walk(node)):
            self.report(
                unsupported_call.RULE,
                node,
                what=f"`{self.segment(node)}` is not awaitable",
                fix="await actions, workflow methods, asyncio.sleep/gather, signals and child workflows",
            )
        return value

    # ---- arguments ----
    def call_args(self, node: ast.Call, skip_keywords: frozenset[str] = frozenset()) -> list[pb.Arg]:
        """Arguments in CPython's evaluation order (positional, then keywords), hoisting as needed."""
        nodes: list[ast.expr] = []
        shapes: list[tuple[str, bool, bool]] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                nodes.append(arg.value)
                shapes.append(("", True, False))
            else:
                nodes.append(arg)
                shapes.append(("", False, False))
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg in skip_keywords:
                continue
            nodes.append(keyword.value)
            shapes.append((keyword.arg or "", False, keyword.arg is None))
        values = self.operands(nodes)
        return [
            pb.Arg(value=value, keyword=kw, star=star, double_star=double)
            for value, (kw, star, double) in zip(values, shapes, strict=True)
        ]

    def lower_args_for_diagnostics(self, node: ast.Call) -> None:
        """Lower the arguments of a call that is refused anyway, so problems inside them are reported too."""
        self.call_args(node)

    def check_binding(
        self,
        node: ast.Call,
        name: str,
        params: list[pb.Param],
        *,
        skip: frozenset[str] = frozenset(),
        check_missing: bool = True,
    ) -> None:
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return
        positional = [
            p
            for p in params
            if p.kind in (pb.ParamKind.POSITIONAL_ONLY, pb.ParamKind.POSITIONAL_OR_KEYWORD, pb.ParamKind.UNSPECIFIED)
        ]
        var_positional = any(p.kind == pb.ParamKind.VAR_POSITIONAL for p in params)
        var_keyword = any(p.kind == pb.ParamKind.VAR_KEYWORD for p in params)
        problem = ""
        bound = {p.name for p in positional[: len(node.args)]}
        if len(node.args) > len(positional) and not var_positional:
            problem = (
                f"{name}() takes {len(positional)} positional argument{'s' * (len(positional) != 1)} "
                f"but {len(node.args)} were given"
            )
        by_keyword = {
            p.name: p
            for p in params
            if p.kind in (pb.ParamKind.POSITIONAL_OR_KEYWORD, pb.ParamKind.KEYWORD_ONLY, pb.ParamKind.UNSPECIFIED)
        }
        for keyword in node.keywords:
            if problem or keyword.arg is None or keyword.arg in skip:
                continue
            if keyword.arg in bound:
                problem = f"{name}() got multiple values for argument '{keyword.arg}'"
            elif keyword.arg not in by_keyword and not var_keyword:
                problem = f"{name}() got an unexpected keyword argument '{keyword.arg}'"
            bound.add(keyword.arg)
        if not problem and check_missing:
            missing = [
                p.name
                for p in params
                if p.default is None
                and p.name not in bound
                and p.kind not in (pb.ParamKind.VAR_POSITIONAL, pb.ParamKind.VAR_KEYWORD)
            ]
            if missing:
                problem = f"{name}() is missing required argument{'s' * (len(missing) > 1)}: " + ", ".join(
                    f"'{m}'" for m in missing
                )
        if problem:
            signature = ", ".join(p.name for p in params)
            self.report(bad_arguments.RULE, node, what=problem, fix=f"call it as {name}({signature})")

    # ---- inside an exception's __init__ / __str__ ----
    def exception_call(self, node: ast.Call) -> pb.Expr | None:
        """`super().__init__(...)`, `Base.__init__(self, ...)` (and `__str__`), or a refused call of another method
        of the exception; None for any other call."""
        owner = self.exception_owner
        assert owner is not None
        func = node.func
        if not isinstance(func, ast.Attribute):
            return None
        if self.is_self(func.value):
            if func.attr not in owner.methods:  # a method of exceptions themselves: self.add_note(...)
                return self.method_call(node, func)
            self.lower_args_for_diagnostics(node)
            self.report(
                exception_method.RULE,
                node,
                what=f"`{owner.class_name}.{owner.method}` calls `{self.segment(func)}()`: other methods of an "
                "exception do not run in a workflow",
                fix="inline what the method computes",
            )
            return self.placeholder()
        target: str | None = None  # the class whose method is called: "" for super()
        args = list(node.args)
        value = func.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "super":
            if (
                self.lookup_local("super") is None
                and not value.keywords
                and (
                    not value.args
                    or (
                        len(value.args) == 2
                        and isinstance(value.args[0], ast.Name)
                        and value.args[0].id == owner.class_name
                        and self.is_self(value.args[1])
                    )
                )
            ):
                target = ""
            else:
                self.report(
                    exception_method.RULE,
                    value,
                    what="only `super()` / `super(Class, self)` are compiled in an exception's methods",
                    fix="write super().__init__(...)",
                )
                self.lower_args_for_diagnostics(node)
                return self.placeholder()
        elif func.attr in ("__init__", "__str__") and args and self.is_self(args[0]):
            ref = self.resolve(value)
            if ref is not None and ref.kind in ("global", "builtin") and not ref.attrs:
                cls = ref.entry.class_ref if ref.entry is not None else None
                if ref.kind == "builtin" and ref.parts[0] in BUILTIN_EXCEPTIONS:
                    target = f"builtins.{ref.parts[0]}"
                elif cls is not None and cls.kind == pb.ClassKind.EXCEPTION:
                    target = cls.qualname
            if target is None:
                return None
            args = args[1:]
        if target is None:
            return None
        if func.attr != owner.method:
            self.lower_args_for_diagnostics(node)
            self.report(
                exception_method.RULE,
                node,
                what=f"`{owner.class_name}.{owner.method}` calls `{self.segment(func)}()`",
                fix=f"only the base class's own {owner.method} can be called: super().{owner.method}(...)",
            )
            return self.placeholder()
        # where the call goes: the next class (after `target`, or after this one for super()) of the MRO that
        # defines the method in Python, else the builtin one
        rest = owner.next_owners
        if target:
            mro = list(owner.compiled.mro)
            every = owner.compiled.init_owners if owner.method == "__init__" else owner.compiled.str_owners
            rest = [o for o in every if target in mro and o in mro and mro.index(o) >= mro.index(target)]
        shape = ast.Call(func=node.func, args=args, keywords=node.keywords)
        ast.copy_location(shape, node)
        call_args = self.call_args(shape)
        if rest:
            index = self.program.exception_function(owner.compiled, owner.method, rest, node)
            if index is None:
                return self.placeholder()
            slot = self.temp()
            self.emit(node, "call", pb.Call(target=slot_target(slot), function=index, args=call_args))
            return local(slot)
        name = f"BaseException.{owner.method}"
        return pb.Expr(builtin=pb.BuiltinCall(name=name, args=[pb.Arg(value=local(0)), *call_args]))

    # ---- self.<...>(...) ----
    def self_call(self, node: ast.Call, name: str) -> pb.Expr:
        if name == "run_action":
            return self.run_action(node)
        kind = self.owner.helper_kind(name)
        if kind is None:
            self.lower_args_for_diagnostics(node)
            what, fix = (
                f"`{self.owner.class_name}` has no method `{name}`",
                f"define `def {name}(self, ...)` in the workflow class",
            )
            if name in self.owner.methods and name != "run":
                what, fix = self.program.decorated_problem(name)
            elif name == "run":
                what, fix = "run() cannot call itself", "loop inside run(), or move the body into a method"
            self.report(unsupported_call.RULE, node, what=what, fix=fix)
            return self.placeholder()
        index = self.program.function_index(name)
        args = self.call_args(node)
        self.check_binding(node, f"self.{name}", self.program.helper_params(name))
        if kind == "async":
            return pb.Expr(coroutine=pb.CoroutineCall(function=index, args=args))
        slot = self.temp()
        self.emit(node, "call", pb.Call(target=slot_target(slot), function=index, args=args))
        return local(slot)

    def class_call(self, node: ast.Call, ref: Ref) -> pb.Expr:
        """`Checkout.norm(x)` inside Checkout: a static or class method, called like `self.norm(x)`."""
        name = ref.attrs[0]
        if self.program.bindings.get(name) in ("static", "class"):
            return self.self_call(node, name)
        self.lower_args_for_diagnostics(node)
        what, fix = f"`{self.segment(node.func)}` is not a static or class method", f"call it as self.{name}(...)"
        if self.program.bindings.get(name) == "decorated":
            what, fix = self.program.decorated_problem(name)
        self.report(unsupported_call.RULE, node, what=what, fix=fix)
        return self.placeholder()

    def run_action(self, node: ast.Call) -> pb.Expr:
        inner = node.args[0] if len(node.args) == 1 and not isinstance(node.args[0], ast.Starred) else None
        ref = self.resolve(inner.func) if isinstance(inner, ast.Call) else None
        if inner is None or ref is None or ref.entry_kind != "action" or ref.attrs:
            self.lower_args_for_diagnostics(node)
            self.report(
                run_action_policy.RULE,
                node,
                what="self.run_action() takes one direct action call",
                fix="write self.run_action(charge(order_id), retry=..., timeout=...)",
            )
            return self.placeholder()
        assert isinstance(inner, ast.Call)
        assert ref.entry is not None
        assert ref.entry.action is not None
        action = ref.entry.action
        args = self.call_args(inner)
        self.check_binding(inner, action.name, action.params, check_missing=False)
        policy = pb.ActionPolicy()
        evaluator = self.policy_evaluator(self.policy_local_value)
        for keyword in node.keywords:
            try:
                if keyword.arg == "retry":
                    value = evaluator.eval(keyword.value)
                    if value is not None and not isinstance(value, RetryValue):
                        raise NotStatic(keyword.value, "retry= takes a RetryPolicy(...)")
                    policy.retry = None if value is None else value.to_pb()
                elif keyword.arg == "timeout":
                    value = evaluator.eval(keyword.value)
                    policy.timeout_seconds = None if value is None else seconds_of(value, keyword.value, "timeout=")
                else:
                    raise NotStatic(
                        keyword.value if keyword.arg is None else keyword,
                        f"self.run_action() has no argument {keyword.arg or '**'!s}",
                    )
            except AlreadyReported:
                pass  # a local policy variable that cannot be folded: reported where it is assigned
            except NotStatic as problem:
                local_name = (
                    problem.node.id
                    if isinstance(problem.node, ast.Name)
                    and problem.node is keyword.value
                    and self.lookup_local(problem.node.id) is not None
                    else None
                )
                self.report(
                    run_action_policy.RULE,
                    problem.node,
                    what=problem.why
                    if local_name is None
                    else f"`{local_name}` is a local variable the compiler cannot evaluate at registration",
                    fix="write the policy literally: retry=RetryPolicy(attempts=3, backoff=Backoff."
                    "exponential(initial=1)), timeout=timedelta(seconds=30)"
                    if local_name is None
                    else f"assign `{local_name} = RetryPolicy(...)` once in this method, with literal arguments, "
                    "use a module-level POLICY = RetryPolicy(...), or write the policy in the call",
                )
        has_policy = policy.retry is not None or policy.timeout_seconds is not None
        return pb.Expr(
            action=pb.ActionCall(
                action=self.program.action_index(action), args=args, policy=policy if has_policy else None
            )
        )

    def is_policy_builder(self, func: ast.expr) -> bool:
        ref = self.resolve(func)
        return ref is not None and ref.kind == "global" and ref.qualname in POLICY_BUILDERS

    def policy_evaluator(self, local_value: Callable[[ast.Name], ast.expr | None] | None = None) -> StaticEvaluator:
        module_value = self.program.module_value if self.manifest is self.program.manifest else None
        return StaticEvaluator(self.resolve, module_value, local_value)

    def policy_local_value(self, node: ast.Name) -> ast.expr | None:
        """The value of a local policy variable (`retry=policy`), or AlreadyReported when it cannot be folded."""
        item = self.policy_vars.get(node.id)
        if item is None or self.lookup_local(node.id) is None:
            return None
        if item.problem is not None:
            raise AlreadyReported(node, item.problem)
        return item.value

    # ---- Child().run(...) ----
    def child_call(self, node: ast.Call, construct: ast.Call, ref: Ref) -> pb.Expr:
        assert ref.entry is not None
        assert ref.entry.workflow is not None
        workflow = ref.entry.workflow
        if construct.args or construct.keywords:
            self.report(
                static_argument.RULE,
                construct,
                what=f"workflow `{ref.parts[-1]}` is constructed with arguments",
                fix=f"pass inputs to run(): await {ref.parts[-1]}().run(...)",
            )
        workflow_id = next((k.value for k in node.keywords if k.arg == "workflow_id"), None)
        args = self.call_args(node, skip_keywords=frozenset({"workflow_id"}))
        wid = self.expr(workflow_id) if workflow_id is not None else None
        self.check_binding(node, f"{ref.parts[-1]}().run", workflow.params, skip=frozenset({"workflow_id"}))
        return pb.Expr(
            child=pb.ChildWorkflowCall(workflow=self.program.workflow_index(workflow), args=args, workflow_id=wid)
        )

    # ---- globals and builtins ----
    def global_call(self, node: ast.Call, ref: Ref) -> pb.Expr:
        if ref.kind == "builtin":
            return self.builtin_call(node, ref)
        if ref.kind == "undefined":
            self.lower_args_for_diagnostics(node)
            self.report(undefined_name.RULE, node.func, name=ref.parts[0])
            return self.placeholder()
        special = _PRIMITIVES.get(ref.qualname or "")
        if special is not None:
            return special(self, node)
        entry = ref.entry
        assert entry is not None
        if self.own_method(ref) is not None and self.exception_owner is None:
            return self.class_call(node, ref)
        if ref.entry_kind == "action" and not ref.attrs and entry.action is not None:
            args = self.call_args(node)
            self.check_binding(node, entry.action.name, entry.action.params, check_missing=False)
            return pb.Expr(action=pb.ActionCall(action=self.program.action_index(entry.action), args=args))
        if ref.qualname in MODULE_FUNCTIONS and ref.entry_kind in ("function", "module", "class_ref"):
            return pb.Expr(builtin=pb.BuiltinCall(name=ref.qualname, args=self.call_args(node)))
        if ref.entry_kind == "class_ref" and not ref.attrs and entry.class_ref is not None:
            return self.construct(node, entry.class_ref, ref)
        if (
            ref.entry_kind == "class_ref"
            and entry.class_ref is not None
            and entry.class_ref.kind == pb.ClassKind.MODEL
            and len(ref.attrs) == 1
            and ref.attrs[0] in MODEL_CLASS_METHODS
        ):
            cls_arg = pb.Arg(
                value=pb.Expr(class_object=pb.ClassObject(class_index=self.program.class_index(entry.class_ref)))
            )
            name = f"pydantic.{ref.attrs[0]}"
            return pb.Expr(builtin=pb.BuiltinCall(name=name, args=[cls_arg, *self.call_args(node)]))
        if ref.entry_kind == "class_ref" and ref.qualname in CLASS_METHODS:
            try:  # literal arguments: folded like the constructors
                return constants.const(StaticEvaluator(self.resolve).eval(node))
            except NotStatic:
                return pb.Expr(builtin=pb.BuiltinCall(name=ref.qualname, args=self.call_args(node)))
        if isinstance(node.func, ast.Attribute) and self.is_value_ref(self.resolve(node.func.value)):
            return self.method_call(node, node.func)  # a method of a constant: `PREFIX.upper()`, `datetime.min.time()`
        self.lower_args_for_diagnostics(node)
        what, fix = f"cannot call `{self.segment(node.func)}` in a workflow", "call it inside an @action"
        if ref.entry_kind == "workflow":
            shown = ref.parts[ref.consumed - 1]
            what, fix = (
                f"workflow `{shown}` must be started with .run()",
                f"await {shown}().run(...) starts it as a child workflow",
            )
        elif ref.entry_kind == "module":
            what = f"`{self.segment(node.func)}` is not something the worker could resolve"
        self.report(unsupported_call.RULE, node, what=what, fix=fix)
        return self.placeholder()

    @staticmethod
    def is_value_ref(ref: Ref | None) -> bool:
        """Whether a global name chain is data: a module constant (or an attribute of one), an enum member, a stdlib
        class constant (`datetime.min`)."""
        if ref is None or ref.entry is None:
            return False
        if ref.entry_kind == "constant":
            return True
        cls = ref.entry.class_ref
        if ref.entry_kind != "class_ref" or cls is None or not ref.attrs:
            return False
        if cls.kind == pb.ClassKind.ENUM:
            return any(m.name == ref.attrs[0] for m in cls.members)
        return class_value(cls, ref.attrs) is not None

    def builtin_call(self, node: ast.Call, ref: Ref) -> pb.Expr:
        name = ref.parts[0]
        if ".".join(ref.parts) in CLASS_METHODS:  # dict.fromkeys(...)
            return pb.Expr(builtin=pb.BuiltinCall(name=".".join(ref.parts), args=self.call_args(node)))
        if ref.attrs:
            self.lower_args_for_diagnostics(node)
            self.report(
                unsupported_call.RULE, node, what=f"cannot call `{'.'.join(ref.parts)}`", fix="call builtins directly"
            )
            return self.placeholder()
        if name in PURE_FUNCTIONS or name in CONVERSIONS:
            return pb.Expr(builtin=pb.BuiltinCall(name=name, args=self.call_args(node)))
        exc = BUILTIN_EXCEPTIONS.get(name)
        if exc is not None:
            return pb.Expr(construct=pb.Construct(class_index=self.program.class_index(exc), args=self.call_args(node)))
        self.lower_args_for_diagnostics(node)
        self.report(impure_builtin.RULE, node, name=name)
        return self.placeholder()

    def construct(self, node: ast.Call, cls: pb.ClassRef, ref: Ref) -> pb.Expr:
        qualname = ref.qualname or cls.qualname
        if cls.kind == pb.ClassKind.BUILTIN_TYPE and cls.qualname.startswith("builtins."):
            name = cls.qualname.removeprefix("builtins.")
            if name in CONVERSIONS:
                return pb.Expr(builtin=pb.BuiltinCall(name=name, args=self.call_args(node)))
        if cls.qualname == "datetime.timezone":  # not a wire value: always built by the VM
            index = self.program.class_index(cls)
            return pb.Expr(construct=pb.Construct(class_index=index, args=self.call_args(node)))
        if cls.kind == pb.ClassKind.BUILTIN_TYPE and cls.qualname in STDLIB_VALUE_TYPES:
            try:
                return constants.const(StaticEvaluator(self.resolve).eval(node))
            except NotStatic as problem:
                if cls.qualname in VM_CONSTRUCTIBLE:
                    index = self.program.class_index(cls)
                    return pb.Expr(construct=pb.Construct(class_index=index, args=self.call_args(node)))
                self.lower_args_for_diagnostics(node)
                fix = (
                    "pass seconds as a number (asyncio.sleep(minutes * 60))"
                    if cls.qualname == "datetime.timedelta"
                    else "build the value in an @action"
                )
                self.report(
                    unsupported_call.RULE,
                    node,
                    what=f"`{ref.parts[-1]}(...)` is built only from literal arguments in a workflow ({problem.why})",
                    fix=fix,
                )
                return self.placeholder()
        if cls.kind in CONSTRUCTIBLE:
            self.program.exception_methods(cls, node)  # its Python __init__/__str__, compiled
            return pb.Expr(construct=pb.Construct(class_index=self.program.class_index(cls), args=self.call_args(node)))
        self.lower_args_for_diagnostics(node)
        if qualname in ("waymark.RetryPolicy", "waymark.Backoff"):
            what, fix = (
                f"`{ref.parts[-1]}(...)` is only meaningful as a policy",
                "pass it to self.run_action(call, retry=...) or @action(retry=...)",
            )
        else:
            what, fix = (
                f"`{ref.parts[-1]}` is not a model, dataclass, enum or exception class",
                "construct it inside an @action, or make it a pydantic model or dataclass",
            )
        self.report(unsupported_call.RULE, node, what=what, fix=fix)
        return self.placeholder()

    # ---- methods of data ----
    def static_type(self, node: ast.expr) -> str | None:
        """The type of a value known without running the code: a str/bytes literal or f-string, `.encode()` /
        `.decode()` of one, `str(...)` / `bytes(...)`; None when it is not known."""
        if isinstance(node, ast.Constant) and type(node.value) in (str, bytes):
            return type(node.value).__name__
        if isinstance(node, ast.JoinedStr):
            return "str"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = self.static_type(node.func.value)
            method = node.func.attr
            # `x.encode()` compiles only where x is a str (the only type with encode), so its result is bytes
            produces = {"encode": ("str", "bytes"), "decode": ("bytes", "str")}.get(method)
            if produces is not None and (
                receiver == produces[0] or (receiver is None and _only_type_with(method) == produces[0])
            ):
                return produces[1]
            if receiver in ("str", "bytes") and method in _SAME_TYPE_METHODS:
                return receiver
        if isinstance(node, ast.Call) and not node.keywords:
            ref = self.resolve(node.func)
            if ref is not None and ref.kind == "builtin" and not ref.attrs and ref.parts[0] in ("str", "bytes"):
                return ref.parts[0]
        return None

    def method_call(self, node: ast.Call, func: ast.Attribute) -> pb.Expr:
        known = self.static_type(func.value)
        if known is not None and func.attr in DATA_METHODS and func.attr not in METHODS_BY_TYPE.get(known, ()):
            self.expr(func.value)
            self.lower_args_for_diagnostics(node)
            if not any(self.claimed(sub) for sub in ast.walk(func.value)):
                self.report(
                    unsupported_method.RULE,
                    node,
                    method=func.attr,
                    receiver=f"`{known}` in a workflow",
                    fix=f"use a method of {known} that the VM implements (docs/language.md), or do it in an @action",
                )
            return self.placeholder()
        if func.attr not in DATA_METHODS:
            self.expr(func.value)
            self.lower_args_for_diagnostics(node)
            if not any(self.claimed(sub) for sub in ast.walk(func.value)):  # else the receiver is the problem
                self.report(unsupported_method.RULE, node, method=func.attr)
            return self.placeholder()
        # the receiver is evaluated before the arguments: save it if an argument emits instructions
        receiver = self.expr(func.value)
        if self.emits_any(node) and not self.stable(receiver, _arg_values(node)):
            receiver = self.spill(receiver, func.value)
        args = self.call_args(node)
        return pb.Expr(method=pb.MethodCall(receiver=receiver, method=func.attr, args=args))

    def emits_any(self, node: ast.Call) -> bool:
        return any(self.emits(a) for a in _arg_values(node))

    # ---- primitives ----
    def sleep_call(self, node: ast.Call) -> pb.Expr:
        values = [*node.args, *[k.value for k in node.keywords if k.arg == "delay"]]
        extra = [k for k in node.keywords if k.arg != "delay"]
        if len(values) != 1 or extra or isinstance(values[0], ast.Starred):
            self.report(
                static_argument.RULE,
                node,
                what="asyncio.sleep() takes exactly one argument, the delay",
                fix="await asyncio.sleep(seconds) or asyncio.sleep(timedelta(...))",
            )
            return self.placeholder()
        return pb.Expr(sleep=pb.SleepCall(seconds=self.expr(values[0])))

    def gather_call(self, node: ast.Call) -> pb.Expr:
        return_exceptions = False
        for keyword in node.keywords:
            if (
                keyword.arg == "return_exceptions"
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, bool)
            ):
                return_exceptions = keyword.value.value
            else:
                self.report(
                    static_argument.RULE,
                    keyword,
                    what="asyncio.gather() takes only a literal return_exceptions=True/False",
                    fix="write return_exceptions=True or leave it out",
                )
        items = self.call_args(node, skip_keywords=frozenset({"return_exceptions"}))
        items = [i for i in items if not i.keyword and not i.double_star]
        return pb.Expr(gather=pb.GatherCall(items=items, return_exceptions=return_exceptions))

    def signal_call(self, node: ast.Call) -> pb.Expr:
        names = ["name", "timeout"]
        given: dict[str, ast.expr] = {}
        problem = any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) > 2
        for name, arg in zip(names, node.args, strict=False):
            given[name] = arg
        for keyword in node.keywords:
            if keyword.arg not in names or keyword.arg in given:
                problem = True
            else:
                given[keyword.arg] = keyword.value
        if problem or "name" not in given:
            self.report(
                static_argument.RULE,
                node,
                what="wait_for_signal() takes a name and an optional timeout",
                fix='await waymark.wait_for_signal("approved", timeout=3600)',
            )
            return self.placeholder()
        name_value, *rest = self.operands([given["name"], *([given["timeout"]] if "timeout" in given else [])])
        return pb.Expr(signal=pb.SignalWait(name=name_value, timeout=rest[0] if rest else None))


#: str/bytes methods that return a value of the receiver's type
_SAME_TYPE_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "replace", "title", "capitalize", "casefold", "swapcase"}
)


def _only_type_with(method: str) -> str | None:
    """The one type whose methods include `method`, if only one has it."""
    owners = [name for name, methods in METHODS_BY_TYPE.items() if method in methods]
    return owners[0] if len(owners) == 1 else None


def _arg_values(node: ast.Call) -> list[ast.expr]:
    return [a.value if isinstance(a, ast.Starred) else a for a in node.args] + [k.value for k in node.keywords]


_PRIMITIVES = {
    "asyncio.sleep": CallsMixin.sleep_call,
    "asyncio.gather": CallsMixin.gather_call,
    "waymark.wait_for_signal": CallsMixin.signal_call,
}
