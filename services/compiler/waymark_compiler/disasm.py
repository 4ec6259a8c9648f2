"""A readable text form of a Program, for golden tests and debugging (`python -m waymark_compiler.disasm`)."""

from __future__ import annotations

import json

import betterproto2
from waymark_ir import pb, values

_BIN = {
    pb.BinOpKind.ADD: "+",
    pb.BinOpKind.SUB: "-",
    pb.BinOpKind.MULT: "*",
    pb.BinOpKind.DIV: "/",
    pb.BinOpKind.FLOOR_DIV: "//",
    pb.BinOpKind.MOD: "%",
    pb.BinOpKind.POW: "**",
    pb.BinOpKind.LSHIFT: "<<",
    pb.BinOpKind.RSHIFT: ">>",
    pb.BinOpKind.BIT_OR: "|",
    pb.BinOpKind.BIT_XOR: "^",
    pb.BinOpKind.BIT_AND: "&",
}
_UNARY = {pb.UnaryOpKind.NOT: "not ", pb.UnaryOpKind.NEG: "-", pb.UnaryOpKind.POS: "+", pb.UnaryOpKind.INVERT: "~"}
_CMP = {
    pb.CmpOpKind.EQ: "==",
    pb.CmpOpKind.NOT_EQ: "!=",
    pb.CmpOpKind.LT: "<",
    pb.CmpOpKind.LT_E: "<=",
    pb.CmpOpKind.GT: ">",
    pb.CmpOpKind.GT_E: ">=",
    pb.CmpOpKind.IS: "is",
    pb.CmpOpKind.IS_NOT: "is not",
    pb.CmpOpKind.IN: "in",
    pb.CmpOpKind.NOT_IN: "not in",
}
_KINDS = {
    pb.ParamKind.POSITIONAL_ONLY: "/",
    pb.ParamKind.KEYWORD_ONLY: "kw",
    pb.ParamKind.VAR_POSITIONAL: "*",
    pb.ParamKind.VAR_KEYWORD: "**",
}


def _which(message: betterproto2.Message, group: str) -> tuple[str, object]:
    return betterproto2.which_one_of(message, group)


class _Printer:
    def __init__(self, program: pb.Program, function: pb.Function | None = None) -> None:
        self.program = program
        self.function = function
        names = list(function.locals) if function else []
        self.names = [n if names.count(n) == 1 else f"{n}#{i}" for i, n in enumerate(names)]

    def const(self, value: pb.Value | None) -> str:
        text = value.json if value is not None else "null"
        try:
            return repr(values.loads(text))
        except Exception:  # noqa: BLE001 - a class-tagged value whose class is not importable here
            return text

    def args(self, args: list[pb.Arg]) -> str:
        out = []
        for arg in args:
            prefix = "*" if arg.star else "**" if arg.double_star else f"{arg.keyword}=" if arg.keyword else ""
            out.append(prefix + self.expr(arg.value))
        return ", ".join(out)

    def fstring(self, fs: pb.FString | None) -> str:
        out = []
        for part in fs.parts if fs else []:
            kind, value = _which(part, "kind")
            if kind == "literal":
                out.append(str(value).replace("{", "{{").replace("}", "}}"))
            elif isinstance(value, pb.FormattedValue):
                conv = f"!{value.conversion}" if value.conversion else ""
                spec = f":{self.fstring(value.format_spec)}" if value.format_spec is not None else ""
                out.append("{" + self.expr(value.value) + conv + spec + "}")
        return "".join(out)

    def policy(self, policy: pb.ActionPolicy | None) -> str:
        if policy is None:
            return ""
        return " policy=" + json.dumps(policy.to_dict(), sort_keys=True, separators=(",", ":"))

    def expr(self, e: pb.Expr | None) -> str:
        if e is None:
            return "<none>"
        kind, v = _which(e, "kind")
        match v:
            case pb.Value():
                return self.const(v)
            case int() if kind == "local":
                return self.names[v] if v < len(self.names) else f"${v}"
            case pb.BinOp():
                return f"({self.expr(v.left)} {_BIN[v.op]} {self.expr(v.right)})"
            case pb.UnaryOp():
                return f"{_UNARY[v.op]}{self.expr(v.operand)}"
            case pb.BoolOp():
                op = " and " if v.op == pb.BoolOpKind.AND else " or "
                return "(" + op.join(self.expr(x) for x in v.values) + ")"
            case pb.Compare():
                rest = " ".join(f"{_CMP[o]} {self.expr(c)}" for o, c in zip(v.ops, v.comparators, strict=False))
                return f"({self.expr(v.left)} {rest})"
            case pb.IfExp():
                return f"({self.expr(v.body)} if {self.expr(v.test)} else {self.expr(v.orelse)})"
            case pb.Subscript():
                return f"{self.expr(v.value)}[{self.expr(v.index)}]"
            case pb.Slice():
                parts = [self.expr(x) if x is not None else "" for x in (v.lower, v.upper)]
                return ":".join(parts) + (f":{self.expr(v.step)}" if v.step is not None else "")
            case pb.Attribute():
                return f"{self.expr(v.value)}.{v.attr}"
            case pb.Sequence():
                items = ", ".join(self.expr(x) for x in v.items)
                if kind == "list":
                    return f"[{items}]"
                if kind == "tuple":
                    return f"({items}{',' if len(v.items) == 1 else ''})"
                return f"{{{items}}}" if v.items else "set()"
            case pb.DictDisplay():
                return (
                    "{"
                    + ", ".join(
                        f"**{self.expr(i.value)}" if i.key is None else f"{self.expr(i.key)}: {self.expr(i.value)}"
                        for i in v.items
                    )
                    + "}"
                )
            case pb.FString():
                return 'f"' + self.fstring(v) + '"'
            case pb.BuiltinCall():
                return f"{v.name}({self.args(v.args)})"
            case pb.MethodCall():
                return f"{self.expr(v.receiver)}.{v.method}({self.args(v.args)})"
            case pb.Construct():
                return f"new {self.cls(v.class_index)}({self.args(v.args)})"
            case pb.ClassObject():
                return f"class {self.cls(v.class_index)}"
            case pb.CurrentException():
                return "<current exception>"
            case pb.Starred():
                return f"*{self.expr(v.value)}"
            case pb.ActionCall():
                name = self.program.actions[v.action].name if v.action < len(self.program.actions) else "?"
                return f"action {name}({self.args(v.args)}){self.policy(v.policy)}"
            case pb.SleepCall():
                return f"sleep({self.expr(v.seconds)})"
            case pb.GatherCall():
                flag = ", return_exceptions=True" if v.return_exceptions else ""
                return f"gather({self.args(v.items)}{flag})"
            case pb.SignalWait():
                timeout = f", timeout={self.expr(v.timeout)}" if v.timeout is not None else ""
                return f"signal({self.expr(v.name)}{timeout})"
            case pb.ChildWorkflowCall():
                name = self.program.workflows[v.workflow].name if v.workflow < len(self.program.workflows) else "?"
                wid = f", workflow_id={self.expr(v.workflow_id)}" if v.workflow_id is not None else ""
                return f"child {name}({self.args(v.args)}{wid})"
            case pb.CoroutineCall():
                return f"coroutine {self.fname(v.function)}({self.args(v.args)})"
        return f"<{kind}?>"

    def cls(self, index: int) -> str:
        return self.program.classes[index].qualname if index < len(self.program.classes) else f"?{index}"

    def fname(self, index: int) -> str:
        return self.program.functions[index].name if index < len(self.program.functions) else f"?{index}"

    def target(self, t: pb.Target | None) -> str:
        if t is None:
            return "_"
        kind, v = _which(t, "kind")
        match v:
            case int():
                return self.names[v] if v < len(self.names) else f"${v}"
            case pb.UnpackTarget():
                items = [("*" if i == v.starred else "") + self.target(x) for i, x in enumerate(v.items)]
                return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
            case pb.SubscriptTarget():
                return f"{self.expr(v.value)}[{self.expr(v.index)}]"
            case pb.AttributeTarget():
                return f"{self.expr(v.value)}.{v.attr}"
        return f"<{kind}?>"

    def instr(self, i: pb.Instr) -> str:
        kind, v = _which(i, "op")
        match v:
            case pb.Assign():
                return " = ".join(self.target(t) for t in v.targets) + f" = {self.expr(v.value)}"
            case pb.AugAssign():
                return f"{self.target(v.target)} {_BIN[v.op]}= {self.expr(v.value)}"
            case pb.ExprStmt():
                return f"eval {self.expr(v.value)}"
            case pb.Jump():
                return f"jump {v.target}"
            case pb.Branch():
                return f"branch {self.expr(v.cond)} ? {v.if_true} : {v.if_false}"
            case pb.Return():
                return "return" + (f" {self.expr(v.value)}" if v.value is not None else "")
            case pb.Raise():
                if v.exc is None:
                    return "reraise"
                cause = " from None" if v.cause_is_none else f" from {self.expr(v.cause)}" if v.cause else ""
                return f"raise {self.expr(v.exc)}{cause}"
            case pb.Await():
                target = f"{self.target(v.target)} = " if v.target is not None else ""
                return f"await {target}{self.expr(v.awaitable)}"
            case pb.Call():
                target = f"{self.target(v.target)} = " if v.target is not None else ""
                return f"call {target}{self.fname(v.function)}({self.args(v.args)})"
            case pb.GetIter():
                return f"get_iter {self.names[v.slot]} = iter({self.expr(v.value)})"
            case pb.ForIter():
                return f"for_iter {self.target(v.target)} = next({self.names[v.slot]}) else {v.exit}"
            case pb.EnterHandler():
                return "enter_handler"
            case pb.ExitHandler():
                return "exit_handler"
            case pb.ExcMatch():
                return f"exc_match ({', '.join(self.expr(c) for c in v.classes)}) else {v.no_match}"
            case pb.Delete():
                return f"del {self.target(v.target)}"
            case pb.Nop():
                return "nop"
        return f"<{kind}?>"


def disassemble(program: pb.Program) -> str:
    out = [f"workflow {program.workflow_name} = {program.module}.{program.qualname} (ir v{program.ir_version})"]
    for index, action in enumerate(program.actions):
        policy = (
            _Printer(program).policy(action.policy)
            if action.policy and (action.policy.retry is not None or action.policy.timeout_seconds is not None)
            else ""
        )
        names = ", ".join(p.name for p in action.params)
        once = " at_most_once" if action.at_most_once else ""
        out.append(f"action {index}: {action.name}({names}) = {action.module}.{action.qualname}{policy}{once}")
    for index, cls in enumerate(program.classes):
        kind = pb.ClassKind(cls.kind).name.lower()
        out.append(f"class {index}: {cls.qualname} [{kind}] mro={list(cls.mro)}")
    for index, child in enumerate(program.workflows):
        out.append(f"workflow {index}: {child.name}({', '.join(p.name for p in child.params)})")
    for index, function in enumerate(program.functions):
        printer = _Printer(program, function)
        params: list[str] = []
        for p in function.params:
            mark = _KINDS.get(p.kind, "")
            default = f"={printer.const(p.default)}" if p.default is not None else ""
            annotation = f": {p.annotation}" if p.annotation else ""
            params.append(f"{mark}{' ' if mark == 'kw' else ''}{p.name}{annotation}{default}")
        keyword = "async def" if function.is_async else "def"
        out.append("")
        out.append(f"function {index}: {keyword} {function.name}({', '.join(params)})  # line {function.line}")
        out.append("  locals: " + ", ".join(f"{i}={n}" for i, n in enumerate(printer.names)))
        for pc, instr in enumerate(function.code):
            out.append(f"  {pc:>4}  L{instr.line:<4} {printer.instr(instr)}")
        for h in function.handlers:
            out.append(f"  handler [{h.start}, {h.end}) -> {h.target} depth {h.depth}")
    return "\n".join(out) + "\n"


def main() -> None:
    import sys

    data = sys.stdin.buffer.read()
    sys.stdout.write(disassemble(pb.Program.parse(data)))


if __name__ == "__main__":
    main()
