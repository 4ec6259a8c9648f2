"""Errors raised by operations on data, uncaught: the class and the exact CPython message must come out of the VM."""

from __future__ import annotations

from typing import Any

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_errors_ops")
class Ops(Workflow):
    async def run(self, op: str, x: Any = None) -> Any:
        if op == "key":
            return {"a": 1}[x]
        if op == "index":
            return [1, 2][x]
        if op == "tuple_index":
            return (1, 2)[x]
        if op == "str_index":
            return "ab"[x]
        if op == "int":
            return int(x)
        if op == "float":
            return float(x)
        if op == "div":
            return 1 / x
        if op == "floordiv":
            return 1 // x
        if op == "mod":
            return 1 % x
        if op == "float_div":
            return 1.5 / x
        if op == "add":
            return x + 1
        if op == "radd":
            return 1 + x
        if op == "concat":
            return "a" + x
        if op == "mul":
            return [1] * x
        if op == "lt":
            return x < 1
        if op == "sort":
            return sorted(x)
        if op == "min":
            return min(x)
        if op == "max":
            return max(x)
        if op == "len":
            return len(x)
        if op == "list_index":
            return [1, 2].index(x)
        if op == "remove":
            items = [1, 2]
            items.remove(x)
            return items
        if op == "pop":
            return {"a": 1}.pop(x)
        if op == "list_pop":
            items = []
            return items.pop()
        if op == "unpack":
            a, b = x
            return [a, b]
        if op == "iter":
            return [(item,) for item in x]
        if op == "call_kwargs":
            return int(x, base=2)
        if op == "neg":
            return -x
        if op == "pow":
            return 2**x
        if op == "round":
            return round(x)
        if op == "dict_key":
            return {x: 1}
        if op == "set_item":
            return {x}
        raise ValueError(f"unknown op {op!r}")


def raising(label: str, op: str, x: object, error: str) -> Any:
    """A case that must raise `error` (qualified class name); the message is compared too."""
    return case(label, Ops, op, x, raises=error)


CASES = [
    raising("key", "key", "b", "builtins.KeyError"),
    raising("key_int", "key", 3, "builtins.KeyError"),
    raising("index", "index", 5, "builtins.IndexError"),
    raising("index_negative", "index", -3, "builtins.IndexError"),
    raising("tuple_index", "tuple_index", 2, "builtins.IndexError"),
    raising("str_index", "str_index", 9, "builtins.IndexError"),
    raising("index_type", "index", "a", "builtins.TypeError"),
    raising("int_literal", "int", "abc", "builtins.ValueError"),
    raising("int_float_text", "int", "1.5", "builtins.ValueError"),
    raising("int_none", "int", None, "builtins.TypeError"),
    raising("float_literal", "float", "abc", "builtins.ValueError"),
    raising("div_zero", "div", 0, "builtins.ZeroDivisionError"),
    raising("floordiv_zero", "floordiv", 0, "builtins.ZeroDivisionError"),
    raising("mod_zero", "mod", 0, "builtins.ZeroDivisionError"),
    raising("float_div_zero", "float_div", 0.0, "builtins.ZeroDivisionError"),
    raising("add_str", "add", "a", "builtins.TypeError"),
    raising("add_none", "add", None, "builtins.TypeError"),
    raising("radd_str", "radd", "a", "builtins.TypeError"),
    raising("concat_int", "concat", 1, "builtins.TypeError"),
    raising("mul_float", "mul", 1.5, "builtins.TypeError"),
    raising("lt_str", "lt", "a", "builtins.TypeError"),
    case(
        "sort_mixed",
        Ops,
        "sort",
        [1, "a"],
        raises="builtins.TypeError",
    ),
    raising("min_empty", "min", [], "builtins.ValueError"),
    raising("max_empty", "max", [], "builtins.ValueError"),
    raising("len_int", "len", 5, "builtins.TypeError"),
    raising("list_index", "list_index", 5, "builtins.ValueError"),
    raising("remove", "remove", 5, "builtins.ValueError"),
    raising("pop", "pop", "b", "builtins.KeyError"),
    raising("list_pop", "list_pop", None, "builtins.IndexError"),
    raising("unpack_many", "unpack", [1, 2, 3], "builtins.ValueError"),
    raising("unpack_few", "unpack", [1], "builtins.ValueError"),
    raising("unpack_int", "unpack", 1, "builtins.TypeError"),
    raising("iter_int", "iter", 1, "builtins.TypeError"),
    raising("int_base", "call_kwargs", "102", "builtins.ValueError"),
    raising("neg_str", "neg", "a", "builtins.TypeError"),
    raising("pow_str", "pow", "a", "builtins.TypeError"),
    raising("round_str", "round", "a", "builtins.TypeError"),
    raising("unhashable_key", "dict_key", [1], "builtins.TypeError"),
    raising("unhashable_item", "set_item", {"a": 1}, "builtins.TypeError"),
    raising("unknown", "nope", None, "builtins.ValueError"),
    case("ok_pow_negative", Ops, "pow", -1),
    case("ok_round_half", Ops, "round", 2.5),
    case("ok_int_text", Ops, "int", " 42 "),
    case("ok_float_text", Ops, "float", "1e3"),
    case("ok_mod_float", Ops, "mod", -0.75),
]
