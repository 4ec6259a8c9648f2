"""Expressions. The IR's expressions cannot suspend, so awaits and helper calls are hoisted into their own
instructions (into temporaries), comprehensions become loops, and `and`/`or`/`x if c else y`/chained comparisons
whose later operands emit instructions become branches, which keeps Python's evaluation order and short-circuits."""

from __future__ import annotations

import ast
import dis
import json
from collections.abc import Iterator

from waymark_ir import pb

from waymark_compiler import constants
from waymark_compiler.builtins_table import (
    BUILTIN_EXCEPTIONS,
    BUILTIN_TYPES,
    CLASS_CONSTANTS,
    METHODS_BY_TYPE,
    PURE_FUNCTIONS,
    class_value,
)
from waymark_compiler.lower.base import HIDDEN, LowererBase, kind_of, local, slot_target
from waymark_compiler.lower.emitter import Label
from waymark_compiler.manifest import Ref
from waymark_compiler.rules import exception_method, undefined_name, unsupported_reference, unsupported_syntax
from waymark_compiler.scope import target_names

BIN_OPS: dict[type[ast.operator], pb.BinOpKind] = {
    ast.Add: pb.BinOpKind.ADD,
    ast.Sub: pb.BinOpKind.SUB,
    ast.Mult: pb.BinOpKind.MULT,
    ast.Div: pb.BinOpKind.DIV,
    ast.FloorDiv: pb.BinOpKind.FLOOR_DIV,
    ast.Mod: pb.BinOpKind.MOD,
    ast.Pow: pb.BinOpKind.POW,
    ast.LShift: pb.BinOpKind.LSHIFT,
    ast.RShift: pb.BinOpKind.RSHIFT,
    ast.BitOr: pb.BinOpKind.BIT_OR,
    ast.BitXor: pb.BinOpKind.BIT_XOR,
    ast.BitAnd: pb.BinOpKind.BIT_AND,
}
UNARY_OPS: dict[type[ast.unaryop], pb.UnaryOpKind] = {
    ast.Not: pb.UnaryOpKind.NOT,
    ast.USub: pb.UnaryOpKind.NEG,
    ast.UAdd: pb.UnaryOpKind.POS,
    ast.Invert: pb.UnaryOpKind.INVERT,
}
CMP_OPS: dict[type[ast.cmpop], pb.CmpOpKind] = {
    ast.Eq: pb.CmpOpKind.EQ,
    ast.NotEq: pb.CmpOpKind.NOT_EQ,
    ast.Lt: pb.CmpOpKind.LT,
    ast.LtE: pb.CmpOpKind.LT_E,
    ast.Gt: pb.CmpOpKind.GT,
    ast.GtE: pb.CmpOpKind.GT_E,
    ast.Is: pb.CmpOpKind.IS,
    ast.IsNot: pb.CmpOpKind.IS_NOT,
    ast.In: pb.CmpOpKind.IN,
    ast.NotIn: pb.CmpOpKind.NOT_IN,
}
CONVERSIONS = {-1: "", 115: "s", 114: "r", 97: "a"}
CLASS_ATTRIBUTES = frozenset({"__name__", "__qualname__", "__module__"})  # of a class object, besides enum members
#: the dunder attributes the VM reads on data (classes, any value's `__class__`, exceptions); any other
#: (`counts.__getitem__`, `xs.__len__`) is a method the VM has no bound form of: refused at registration
DATA_DUNDERS = CLASS_ATTRIBUTES | {"__class__", "__cause__", "__context__", "__suppress_context__", "__notes__"}
LITERAL_TYPES = (str, bytes, int, float, bool, type(None))


class ExpressionsMixin(LowererBase):
    def expr(self, node: ast.expr) -> pb.Expr:
        if self.claimed(node):
            return self.placeholder()
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method is None:
            self.report(
                unsupported_syntax.RULE,
                node,
                what=f"`{type(node).__name__}` expression",
                fix="rewrite it with the supported subset, or move it into an @action",
            )
            return self.placeholder()
        result: pb.Expr = method(node)
        return result

    # ---- operands in evaluation order ----
    def operands(self, nodes: list[ast.expr]) -> list[pb.Expr]:
        """Lower sibling operands left to right. When a later one emits instructions, an earlier result that could
        change meanwhile is saved in a temporary first (CPython evaluates it first)."""
        later_emits = [False] * len(nodes)
        for index in range(len(nodes) - 2, -1, -1):
            later_emits[index] = later_emits[index + 1] or self.emits(nodes[index + 1])
        out: list[pb.Expr] = []
        for index, node in enumerate(nodes):
            value = self.expr(node)
            if later_emits[index] and not self.stable(value, nodes[index + 1 :]):
                value = self.spill(value, node)
            out.append(value)
        return out

    def stable(self, value: pb.Expr, later: list[ast.expr]) -> bool:
        kind = kind_of(value)
        if kind in ("constant", "class_object"):
            return True
        if kind == "local":
            assert value.local is not None
            return self.slot_names[value.local].startswith(HIDDEN) or not self.has_walrus(later)
        if kind == "starred" and value.starred is not None and value.starred.value is not None:
            return self.stable(value.starred.value, later)
        return False

    def spill(self, value: pb.Expr, node: ast.AST | None) -> pb.Expr:
        if kind_of(value) == "starred" and value.starred is not None and value.starred.value is not None:
            return pb.Expr(starred=pb.Starred(value=self.spill(value.starred.value, node)))
        slot = self.temp()
        self.emit(node, "assign", pb.Assign(targets=[slot_target(slot)], value=value))
        return local(slot)

    # ---- leaves ----
    def expr_Constant(self, node: ast.Constant) -> pb.Expr:
        if isinstance(node.value, LITERAL_TYPES):
            return constants.const(node.value)
        self.report(
            unsupported_syntax.RULE,
            node,
            what=f"a {type(node.value).__name__} literal",
            fix="use int, float, str, bytes, bool or None",
        )
        return self.placeholder()

    def expr_Name(self, node: ast.Name) -> pb.Expr:
        slot = self.lookup_local(node.id)
        if slot is not None:
            return local(slot)
        ref = self.resolve(node)
        assert ref is not None
        return self.global_value(ref, node)

    def expr_Attribute(self, node: ast.Attribute) -> pb.Expr:
        ref = self.resolve(node)
        if ref is not None:
            return self.global_value(ref, node)
        if self.is_self(node.value):
            owner = self.owner
            if node.attr in owner.class_constants and node.attr not in owner.assigned_on_self:
                if self.exception_owner is None:
                    self.program.class_constant_read(node.attr)
                return pb.Expr(constant=owner.class_constants[node.attr])
            if (
                node.attr in owner.class_constants
                and self.exception_owner is not None
                and isinstance(node.ctx, ast.Load)
            ):
                self.report(
                    exception_method.RULE,
                    node,
                    what=f"`{self.segment(node)}` is both a class attribute and set on the instance",
                    fix="give the attribute its value in __init__ only",
                )
                return self.placeholder()
            if node.attr in owner.class_constants:
                owner.instance_attribute(node.attr)  # read back through the instance, the class as fallback
            if node.attr in owner.class_attributes and isinstance(node.ctx, ast.Load):
                # reported where the value is computed (`started = time.time()` in the class body), once
                value = getattr(owner, "class_attribute_values", {}).get(node.attr)
                what = f"class attribute `{node.attr}` is not a constant"
                if value is not None:
                    what += f": `{_short(self.segment(value))}` is not immutable data"
                fix = (
                    "give it an immutable value (str, number, tuple ...; computed at import is fine), or set it on self"
                )
                if not self.claimed(node):  # the read is claimed: what it is used for is not reported again
                    finding = unsupported_reference.RULE.finding(node if value is None else value, what=what, fix=fix)
                    self.reporter.add(unsupported_reference.RULE, finding, claim=node)
                return self.placeholder()
            if self.exception_owner is not None and node.attr in self.exception_owner.methods:
                self.report(
                    exception_method.RULE,
                    node,
                    what=f"`{self.segment(node)}`: other methods of an exception do not run in a workflow",
                    fix="inline what the method computes",
                )
                return self.placeholder()
            if owner.helper_kind(node.attr) == "sync" and isinstance(node.ctx, ast.Load):
                index = self.program.function_index(node.attr)
                return pb.Expr(function_ref=pb.FunctionRef(function=index))
            if owner.helper_kind(node.attr) is not None:
                self.report(
                    unsupported_reference.RULE,
                    node,
                    what=f"method `{self.segment(node)}` used as a value",
                    fix=f"call it: {self.segment(node)}(...)",
                )
                return self.placeholder()
        if (
            isinstance(node.ctx, ast.Load)
            and node.attr.startswith("__")
            and node.attr.endswith("__")
            and node.attr not in DATA_DUNDERS
        ):
            self.expr(node.value)
            if not any(self.claimed(sub) for sub in ast.walk(node.value)):  # else the receiver is the problem
                self.report(
                    unsupported_reference.RULE,
                    node,
                    what=f"`{self.segment(node)}`: the special method `{node.attr}` is not available in a workflow",
                    fix="use the operation itself (`d[k]`, `len(xs)`); where a function is expected, pass a method "
                    "of the data (`key=counts.get`) or of the workflow (`key=self.count_of`)",
                )
            return self.placeholder()
        return pb.Expr(attribute=pb.Attribute(value=self.expr(node.value), attr=node.attr))

    def global_value(self, ref: Ref, node: ast.expr) -> pb.Expr:
        """A global or builtin name chain used as a value (not called)."""
        text = ".".join(ref.parts)
        if ref.kind == "undefined":
            self.report(undefined_name.RULE, node, name=ref.parts[0])
            return self.placeholder()
        if ref.kind == "builtin":
            name = ref.parts[0]
            ref_class = BUILTIN_EXCEPTIONS.get(name) or BUILTIN_TYPES.get(name)
            if ref_class is not None and not ref.attrs:
                return pb.Expr(class_object=pb.ClassObject(class_index=self.program.class_index(ref_class)))
            if not ref.attrs and name in PURE_FUNCTIONS:
                return pb.Expr(function_ref=pb.FunctionRef(builtin=name))
            if len(ref.attrs) == 1 and ref.attrs[0] in METHODS_BY_TYPE.get(name, ()):
                return pb.Expr(function_ref=pb.FunctionRef(method=f"{name}.{ref.attrs[0]}"))
            self.report(
                unsupported_reference.RULE,
                node,
                what=f"builtin `{text}` used as a value",
                fix="call it, or use a value instead",
            )
            return self.placeholder()
        entry = ref.entry
        assert entry is not None
        kind = ref.entry_kind
        own = self.own_method(ref) if self.exception_owner is None else None
        if own is not None and self.program.bindings.get(own) in ("static", "class"):
            if self.program.helper_kind(own) == "sync":  # `key=Checkout.norm`
                return pb.Expr(function_ref=pb.FunctionRef(function=self.program.function_index(own)))
            self.report(
                unsupported_reference.RULE,
                node,
                what=f"method `{text}` used as a value",
                fix=f"call it: {text}(...)",
            )
            return self.placeholder()
        attrs = list(ref.attrs)
        base: pb.Expr | None = None
        if kind == "constant" and entry.constant is not None:
            base = pb.Expr(constant=entry.constant)
        elif kind == "class_ref" and entry.class_ref is not None and class_value(entry.class_ref, attrs) is not None:
            base = constants.const(class_value(entry.class_ref, attrs))
            attrs.pop(0)
        elif kind == "class_ref" and ref.qualname in CLASS_CONSTANTS:
            return pb.Expr(builtin=pb.BuiltinCall(name=ref.qualname or ""))
        elif kind == "class_ref" and entry.class_ref is not None:
            cls = entry.class_ref
            if attrs and cls.kind == pb.ClassKind.ENUM:
                member = next((m for m in cls.members if m.name == attrs[0]), None)
                if member is not None:
                    attrs.pop(0)
                    base = pb.Expr(constant=pb.Value(json=enum_member_json(cls.qualname, member)))
            if base is None and (not attrs or attrs[0] in CLASS_ATTRIBUTES):
                base = pb.Expr(class_object=pb.ClassObject(class_index=self.program.class_index(cls)))
            if base is None:
                self.report(
                    unsupported_reference.RULE,
                    node,
                    what=f"class attribute `{text}` is not supported",
                    fix="use enum members, or read attributes of instances",
                )
                return self.placeholder()
        if base is None:
            what, fix = _REFERENCE_PROBLEMS.get(kind or "", ("`{text}` cannot be used as a value", "use data"))
            if kind == "module" and attrs:
                what, fix = "`{text}` is not something the worker could resolve", "check the name"
            self.report(unsupported_reference.RULE, node, what=what.format(text=text), fix=fix.format(text=text))
            return self.placeholder()
        for attr in attrs:
            base = pb.Expr(attribute=pb.Attribute(value=base, attr=attr))
        return base

    # ---- operators ----
    def expr_BinOp(self, node: ast.BinOp) -> pb.Expr:
        left, right = self.operands([node.left, node.right])
        if type(node.op) not in BIN_OPS:
            self.report(unsupported_syntax.RULE, node, what="the `@` operator", fix="multiply in an @action")
            return self.placeholder()
        return pb.Expr(bin_op=pb.BinOp(op=BIN_OPS[type(node.op)], left=left, right=right))

    def expr_UnaryOp(self, node: ast.UnaryOp) -> pb.Expr:
        operand = node.operand
        if (
            isinstance(node.op, (ast.USub, ast.UAdd))
            and isinstance(operand, ast.Constant)
            and isinstance(operand.value, (int, float))
            and not isinstance(operand.value, bool)
        ):
            return constants.const(-operand.value if isinstance(node.op, ast.USub) else operand.value)
        return pb.Expr(unary_op=pb.UnaryOp(op=UNARY_OPS[type(node.op)], operand=self.expr(operand)))

    def expr_BoolOp(self, node: ast.BoolOp) -> pb.Expr:
        op = pb.BoolOpKind.AND if isinstance(node.op, ast.And) else pb.BoolOpKind.OR
        if not any(self.emits(v) for v in node.values[1:]):
            return pb.Expr(bool_op=pb.BoolOp(op=op, values=[self.expr(v) for v in node.values]))
        # a later operand suspends or calls a helper: it must run only when reached
        result, end = self.temp(), Label()
        for index, value_node in enumerate(node.values):
            value = self.expr(value_node)
            self.emit(value_node, "assign", pb.Assign(targets=[slot_target(result)], value=value))
            if index < len(node.values) - 1:
                more = Label()
                if op == pb.BoolOpKind.AND:
                    self.em.branch(local(result), more, end)
                else:
                    self.em.branch(local(result), end, more)
                self.em.bind(more)
        self.em.bind(end)
        return local(result)

    def expr_IfExp(self, node: ast.IfExp) -> pb.Expr:
        if not (self.emits(node.body) or self.emits(node.orelse)):
            test = self.expr(node.test)
            return pb.Expr(if_exp=pb.IfExp(test=test, body=self.expr(node.body), orelse=self.expr(node.orelse)))
        result, yes, no, end = self.temp(), Label(), Label(), Label()
        self.em.branch(self.expr(node.test), yes, no)
        self.em.bind(yes)
        self.emit(node.body, "assign", pb.Assign(targets=[slot_target(result)], value=self.expr(node.body)))
        self.em.jump(end)
        self.em.bind(no)
        self.emit(node.orelse, "assign", pb.Assign(targets=[slot_target(result)], value=self.expr(node.orelse)))
        self.em.bind(end)
        return local(result)

    def expr_Compare(self, node: ast.Compare) -> pb.Expr:
        ops = [CMP_OPS[type(op)] for op in node.ops]
        if not any(self.emits(c) for c in node.comparators[1:]):
            values = self.operands([node.left, *node.comparators[:1]]) + [self.expr(c) for c in node.comparators[1:]]
            return pb.Expr(compare=pb.Compare(left=values[0], ops=ops, comparators=values[1:]))
        # chained, with a later comparand that emits: evaluate each only if the previous comparison held
        result, end = self.temp(), Label()
        left, first = self.operands([node.left, node.comparators[0]])
        for index, (op, comparator) in enumerate(zip(ops, node.comparators, strict=True)):
            right = first if index == 0 else self.expr(comparator)
            last = index == len(ops) - 1
            if not last and kind_of(right) not in ("constant", "local"):
                right = self.spill(right, comparator)
            compare = pb.Expr(compare=pb.Compare(left=left, ops=[op], comparators=[right]))
            self.emit(comparator, "assign", pb.Assign(targets=[slot_target(result)], value=compare))
            if not last:
                more = Label()
                self.em.branch(local(result), more, end)
                self.em.bind(more)
            left = right
        self.em.bind(end)
        return local(result)

    # ---- containers ----
    def expr_Subscript(self, node: ast.Subscript) -> pb.Expr:
        value, index = self.operands([node.value, node.slice])
        return pb.Expr(subscript=pb.Subscript(value=value, index=index))

    def expr_Slice(self, node: ast.Slice) -> pb.Expr:
        present = [part for part in (node.lower, node.upper, node.step) if part is not None]
        lowered = iter(self.operands(present))
        lower = next(lowered) if node.lower is not None else None
        upper = next(lowered) if node.upper is not None else None
        step = next(lowered) if node.step is not None else None
        return pb.Expr(slice=pb.Slice(lower=lower, upper=upper, step=step))

    def expr_Starred(self, node: ast.Starred) -> pb.Expr:
        return pb.Expr(starred=pb.Starred(value=self.expr(node.value)))

    def expr_List(self, node: ast.List) -> pb.Expr:
        return pb.Expr(list=pb.Sequence(items=self.operands(node.elts)))

    def expr_Tuple(self, node: ast.Tuple) -> pb.Expr:
        if all(isinstance(e, ast.Constant) and isinstance(e.value, LITERAL_TYPES) for e in node.elts):
            return constants.const(tuple(e.value for e in node.elts if isinstance(e, ast.Constant)))
        return pb.Expr(tuple=pb.Sequence(items=self.operands(node.elts)))

    def expr_Set(self, node: ast.Set) -> pb.Expr:
        # CPython folds a display of 3+ constant expressions (`{1, -2, 2**61}`) into a frozenset constant, which
        # gives the set another table order than adding the items one by one: the VM needs to know
        folded = [_folded_constant(e) for e in node.elts] if len(node.elts) > 2 else []
        if folded and all(f is not None for f in folded):
            return pb.Expr(set=pb.Sequence(items=[f for f in folded if f is not None]))
        return pb.Expr(set=pb.Sequence(items=self.operands(node.elts)))

    def expr_Dict(self, node: ast.Dict) -> pb.Expr:
        flat: list[ast.expr] = []
        for key, value in zip(node.keys, node.values, strict=True):
            flat += [value] if key is None else [key, value]
        lowered = iter(self.operands(flat))
        items = [
            pb.DictItem(value=next(lowered)) if key is None else pb.DictItem(key=next(lowered), value=next(lowered))
            for key in node.keys
        ]
        return pb.Expr(dict=pb.DictDisplay(items=items))

    # ---- f-strings ----
    def expr_JoinedStr(self, node: ast.JoinedStr) -> pb.Expr:
        return pb.Expr(fstring=self.fstring(node))

    def fstring(self, node: ast.JoinedStr) -> pb.FString:
        formatted = [v for v in node.values if isinstance(v, ast.FormattedValue)]
        # every formatted value and its (possibly nested) spec, in evaluation order
        flat: list[ast.expr] = []
        for value in formatted:
            flat.append(value.value)
            if isinstance(value.format_spec, ast.JoinedStr):
                flat += [v.value for v in value.format_spec.values if isinstance(v, ast.FormattedValue)]
        lowered = iter(self.operands(flat))
        return self._fstring_parts(node, lowered)

    def _fstring_parts(self, node: ast.JoinedStr, lowered: Iterator[pb.Expr]) -> pb.FString:
        parts: list[pb.FStringPart] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(pb.FStringPart(literal=str(value.value)))
            elif isinstance(value, ast.FormattedValue):
                inner = next(lowered)
                spec = None
                if isinstance(value.format_spec, ast.JoinedStr):
                    spec = self._fstring_parts(value.format_spec, lowered)
                parts.append(
                    pb.FStringPart(
                        formatted=pb.FormattedValue(
                            value=inner, conversion=CONVERSIONS.get(value.conversion, ""), format_spec=spec
                        )
                    )
                )
        return pb.FString(parts=parts)

    # ---- suspension points ----
    def expr_Await(self, node: ast.Await) -> pb.Expr:
        awaitable = self.awaitable(node.value)
        slot = self.temp()
        self.emit(node, "await", pb.Await(target=slot_target(slot), awaitable=awaitable))
        return local(slot)

    def expr_Call(self, node: ast.Call) -> pb.Expr:
        return self.call(node)

    def expr_NamedExpr(self, node: ast.NamedExpr) -> pb.Expr:
        value = self.expr(node.value)
        assert isinstance(node.target, ast.Name)
        slot = self.slots[node.target.id]  # a walrus binds in the function, even inside a comprehension
        self.emit(node, "assign", pb.Assign(targets=[slot_target(slot)], value=value))
        return local(slot)

    # ---- comprehensions: loops over hidden locals in their own scope ----
    def expr_ListComp(self, node: ast.ListComp) -> pb.Expr:
        return self.comprehension(node, pb.Expr(list=pb.Sequence()))

    def expr_GeneratorExp(self, node: ast.GeneratorExp) -> pb.Expr:
        # evaluated eagerly into a list (the same result for the pure code a workflow may contain), handed out as an
        # iterator over it, as a generator is one: `next(x for x in xs if ...)`, `next(gen, default)`
        items = self.comprehension(node, pb.Expr(list=pb.Sequence()))
        iterator = self.temp()
        self.emit(node, "get_iter", pb.GetIter(slot=iterator, value=items))
        return local(iterator)

    def expr_SetComp(self, node: ast.SetComp) -> pb.Expr:
        return self.comprehension(node, pb.Expr(set=pb.Sequence()))

    def expr_DictComp(self, node: ast.DictComp) -> pb.Expr:
        return self.comprehension(node, pb.Expr(dict=pb.DictDisplay()))

    def comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, empty: pb.Expr
    ) -> pb.Expr:
        result = self.temp()
        self.emit(node, "assign", pb.Assign(targets=[slot_target(result)], value=empty))
        scope: dict[str, int] = {}
        self._generator(node, 0, result, scope)
        return local(result)

    def _generator(
        self,
        node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
        index: int,
        result: int,
        scope: dict[str, int],
    ) -> None:
        gen = node.generators[index]
        if gen.is_async:
            self.report(
                unsupported_syntax.RULE,
                gen.iter,
                what="`async for` in a comprehension",
                fix="gather the awaitables: await asyncio.gather(*[...])",
            )
        iterable = self.expr(gen.iter)  # the first one in the enclosing scope (scope not pushed yet)
        if index == 0:
            self.comp_scopes.append(scope)
        iterator = self.temp()
        self.emit(gen.iter, "get_iter", pb.GetIter(slot=iterator, value=iterable))
        for name in target_names(gen.target):
            if name not in scope:
                scope[name] = self.new_slot(name)
        top, done = Label(), Label()
        self.em.bind(top)
        self.at(gen.target)
        self.em.for_iter(iterator, self.target(gen.target), done)
        for cond in gen.ifs:
            keep = Label()
            self.em.branch(self.expr(cond), keep, top)
            self.em.bind(keep)
        if index + 1 < len(node.generators):
            self._generator(node, index + 1, result, scope)
        elif isinstance(node, ast.DictComp):
            key, value = self.operands([node.key, node.value])
            if kind_of(key) not in ("constant", "local"):
                key = self.spill(key, node.key)
            self.emit(
                node.key,
                "assign",
                pb.Assign(
                    targets=[pb.Target(subscript=pb.SubscriptTarget(value=local(result), index=key))], value=value
                ),
            )
        else:
            element = self.expr(node.elt)
            method = "add" if isinstance(node, ast.SetComp) else "append"
            self.emit(
                node.elt,
                "expr",
                pb.ExprStmt(
                    value=pb.Expr(
                        method=pb.MethodCall(receiver=local(result), method=method, args=[pb.Arg(value=element)])
                    )
                ),
            )
        self.em.jump(top)
        self.em.bind(done)
        if index == 0:
            self.comp_scopes.pop()


_FOLDABLE = (ast.Constant, ast.UnaryOp, ast.BinOp, ast.Tuple, ast.operator, ast.unaryop, ast.expr_context)


def _folded_constant(node: ast.expr) -> pb.Expr | None:
    """The constant CPython's AST optimizer folds `node` into (`-1`, `2**61`, `(1, 2)`), or None."""
    if not all(isinstance(sub, _FOLDABLE) for sub in ast.walk(node)):
        return None
    try:
        code = compile(ast.fix_missing_locations(ast.Expression(body=node)), "<fold>", "eval", dont_inherit=True)
    except (SyntaxError, ValueError, TypeError):
        return None
    names = [ins.opname for ins in dis.get_instructions(code)]
    if names not in (["RESUME", "LOAD_CONST", "RETURN_VALUE"], ["RESUME", "RETURN_CONST"]) or not code.co_consts:
        return None
    value = code.co_consts[0]
    if not isinstance(value, (*LITERAL_TYPES, tuple)):
        return None
    try:
        return constants.const(value)
    except TypeError:
        return None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def enum_member_json(qualname: str, member: pb.EnumMemberRef) -> str:
    value = member.value.json if member.value is not None else "null"
    return f'{{"$enum":{{"class":{json.dumps(qualname)},"name":{json.dumps(member.name)},"value":{value}}}}}'


_REFERENCE_PROBLEMS: dict[str, tuple[str, str]] = {
    "action": ("action `{text}` used as a value", "call it: await {text}(...)"),
    "function": ("function `{text}` used as a value", "call actions and methods directly"),
    "module": ("module `{text}` used as a value", "use its attributes"),
    "workflow": ("workflow `{text}` used as a value", "start it as a child: await {text}().run(...)"),
    "opaque": ("`{text}` is a module-level object", "use it inside an @action"),
}
