"""Random workflows in the supported subset (for differential tests): loops with break/continue/else,
try/except/else/finally, raise, awaits and helper calls inside conditions and operands, comprehensions."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

VARS = ("x", "y", "z")


@dataclass
class Gen:
    rng: random.Random
    lines: list[str] = field(default_factory=list)
    loop_vars: list[str] = field(default_factory=list)
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # ---- expressions ----
    def expr(self, depth: int = 0) -> str:
        r = self.rng.random()
        leaves = [str(self.rng.randint(-3, 9)), *VARS, *self.loop_vars]
        if depth >= 3 or r < 0.3:
            return self.rng.choice(leaves)
        choice = self.rng.randint(0, 14)
        a, b = self.expr(depth + 1), self.expr(depth + 1)
        if choice == 12:
            return f"(await asyncio.gather(gen_step({a}), self.ah({b})))[{self.rng.randint(0, 1)}]"
        if choice == 13:
            return f"({self.rng.choice(VARS)} := {a})"
        if choice == 14:
            v = self.fresh("c")
            return f"len([await gen_step({v}) for {v} in range({self.rng.randint(0, 3)}) if {v} < {a}])"
        if choice <= 2:
            return f"({a} {self.rng.choice(['+', '-', '+'])} {b})"
        if choice == 3:
            return f"({a} % {self.rng.randint(2, 7)})"
        if choice == 4:
            return f"({a} if {self.cond(depth + 1)} else {b})"
        if choice == 5:
            return f"(await gen_step({a}))"
        if choice == 6:
            return f"self.h({a})"
        if choice == 7:
            return f"(await self.ah({a}))"
        if choice == 8:
            return "len(acc)"
        if choice == 9:
            return f"[{a}, {b}][{self.rng.randint(0, 1)}]"
        if choice == 10:
            v = self.fresh("c")
            return f"sum([{v} for {v} in range({self.rng.randint(0, 4)}) if {v} != {a}])"
        return f"({a} and {b})"

    def cond(self, depth: int = 0) -> str:
        choice = self.rng.randint(0, 5)
        if depth >= 3 or choice <= 2:
            op = self.rng.choice(["<", "<=", "==", "!=", ">"])
            return f"{self.expr(depth + 1)} {op} {self.expr(depth + 1)}"
        if choice == 3:
            return f"({self.cond(depth + 1)} and {self.cond(depth + 1)})"
        if choice == 4:
            return f"({self.cond(depth + 1)} or {self.cond(depth + 1)})"
        return f"not ({self.cond(depth + 1)})"

    # ---- statements ----
    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def block(self, indent: int, depth: int, in_loop: bool, size: int | None = None) -> None:
        for _ in range(size or self.rng.randint(1, 3)):
            self.statement(indent, depth, in_loop)

    def statement(self, indent: int, depth: int, in_loop: bool) -> None:
        choice = self.rng.randint(0, 17 if depth < 3 else 5)
        if choice <= 1:
            self.emit(indent, f"{self.rng.choice(VARS)} = {self.expr()}")
        elif choice == 2:
            self.emit(indent, f"{self.rng.choice(VARS)} += {self.expr()}")
        elif choice == 3:
            self.emit(indent, f"acc.append({self.expr()})")
        elif choice == 4 and in_loop:
            self.emit(indent, f"if {self.cond()}:")
            self.emit(indent + 1, self.rng.choice(["break", "continue"]))
        elif choice == 5:
            self.emit(indent, f"if {self.cond()}:")
            self.emit(indent + 1, f"raise ValueError({self.expr()})")
        elif choice in (6, 7):
            self.emit(indent, f"if {self.cond()}:")
            self.block(indent + 1, depth + 1, in_loop)
            if self.rng.random() < 0.6:
                self.emit(indent, "else:")
                self.block(indent + 1, depth + 1, in_loop)
        elif choice == 8:
            var = self.fresh("i")
            self.emit(indent, f"for {var} in range({self.rng.randint(0, 4)}):")
            self.loop_vars.append(var)
            self.block(indent + 1, depth + 1, True)
            self.loop_vars.pop()
            if self.rng.random() < 0.3:
                self.emit(indent, "else:")
                self.block(indent + 1, depth + 1, in_loop)
        elif choice == 9:
            var = self.fresh("w")
            self.emit(indent, f"{var} = 0")
            self.emit(indent, f"while {var} < {self.rng.randint(0, 4)}:")
            self.emit(indent + 1, f"{var} += 1")
            self.block(indent + 1, depth + 1, True)
        elif choice in (10, 11, 12):
            self.try_statement(indent, depth, in_loop)
        elif choice == 13:
            self.emit(indent, f"if {self.cond()}:")
            self.emit(indent + 1, f"return acc, {self.expr()}")
        elif choice == 15:
            first, second = self.rng.sample(VARS, 2)
            self.emit(indent, f"{first}, {second} = {self.expr()}, {first}")
        elif choice == 16:
            self.emit(indent, f"acc.append(f'{{{self.expr()}}}-{{{self.expr()}!r:>4}}')")
        elif choice == 17:
            key = self.rng.choice(VARS)
            self.emit(indent, f"d = {{{key}: {self.expr()}}}")
            self.emit(indent, f"d[{self.expr()}] = {self.expr()}")
            self.emit(indent, "acc.append(sorted(d.items()))")
        else:
            self.emit(indent, f"acc.append([{self.expr()}, {self.expr()}])")

    def try_statement(self, indent: int, depth: int, in_loop: bool) -> None:
        self.emit(indent, "try:")
        self.block(indent + 1, depth + 1, in_loop)
        shape = self.rng.randint(0, 2)  # 0: except, 1: finally, 2: both
        if shape in (0, 2):
            name = self.fresh("e")
            kind = self.rng.choice(["ValueError", "LookupError", "(KeyError, ValueError)", "Exception"])
            self.emit(indent, f"except {kind} as {name}:")
            self.emit(indent + 1, f"acc.append(str({name}))")
            if self.rng.random() < 0.5:
                self.block(indent + 1, depth + 1, in_loop)
            if self.rng.random() < 0.2:
                self.emit(indent + 1, "raise")
            if self.rng.random() < 0.3:
                self.emit(indent, "else:")
                self.block(indent + 1, depth + 1, in_loop)
        if shape in (1, 2):
            self.emit(indent, "finally:")
            self.emit(indent + 1, f"acc.append('f{self.counter}')")
            if self.rng.random() < 0.5:
                self.block(indent + 1, depth + 1, in_loop)


def workflow_source(seed: int, name: str) -> str:
    gen = Gen(random.Random(seed))
    gen.block(2, 0, False, size=gen.rng.randint(2, 6))
    body = "\n".join(gen.lines)
    return f'''
@workflow(name="{name}")
class {name}(Workflow):
    async def run(self, x: int, y: int) -> object:
        acc = []
        z = x - y
{body}
        return acc, x, y, z

    def h(self, v: int) -> int:
        return v * 2 + 1

    async def ah(self, v: int) -> int:
        return await gen_step(v) - 1
'''


def module_source(seeds: list[int], prefix: str) -> str:
    header = "import asyncio\n\nfrom gen_support import gen_step\nfrom waymark import Workflow, workflow\n"
    return header + "".join(workflow_source(seed, f"{prefix}{seed}") for seed in seeds)
