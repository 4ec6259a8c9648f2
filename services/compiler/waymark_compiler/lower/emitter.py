"""The instruction buffer of one function: labels, the block stack, and the exception table.

Like CPython 3.11's compiler, every instruction records the innermost handler active when it was emitted (the top
of the block stack that has one); `finish()` turns runs of instructions with the same handler into non-overlapping
`Handler` ranges. Unwinding code (a `finally` copy emitted for a `return`) is emitted with the blocks it leaves
popped, so it is covered by the outer handlers only.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from waymark_ir import pb

_FIELD = {"return": "return_", "raise": "raise_", "await": "await_"}  # Python keywords get a trailing underscore


class Label:
    __slots__ = ("pc",)

    def __init__(self) -> None:
        self.pc: int | None = None


@dataclass(eq=False)
class HandlerDesc:
    target: Label
    depth: int  # handled-stack depth to truncate to before jumping to target


class BlockKind(enum.Enum):
    WHILE_LOOP = "while"
    FOR_LOOP = "for"
    TRY_EXCEPT = "try-except"  # the protected body of a try with except clauses
    FINALLY_TRY = "finally-try"  # the protected body of a try with finally: unwinding runs a copy of finalbody
    FINALLY_END = "finally-end"  # the exceptional-path finally body: one exception on the handled stack
    HANDLER_CLEANUP = "handler"  # an except clause body: one exception on the handled stack (+ the `as` name)


@dataclass(eq=False)
class Block:
    kind: BlockKind
    handler: HandlerDesc | None = None
    continue_label: Label | None = None
    break_label: Label | None = None
    finalbody: list[ast.stmt] = field(default_factory=list)
    name_slot: int | None = None  # HANDLER_CLEANUP with `as name`

    @property
    def holds_exception(self) -> bool:
        return self.kind in (BlockKind.FINALLY_END, BlockKind.HANDLER_CLEANUP)


class Emitter:
    def __init__(self) -> None:
        self.instrs: list[pb.Instr] = []
        self.owners: list[HandlerDesc | None] = []
        self.fixups: list[tuple[Label, Callable[[int], None]]] = []
        self.blocks: list[Block] = []
        self.line = 0
        self.col = 0

    # ---- positions ----
    def at(self, line: int, col: int) -> None:
        self.line, self.col = line, col

    # ---- emission ----
    def emit(self, op: str, message: Any) -> pb.Instr:
        instr = pb.Instr(line=self.line, col=self.col, **{_FIELD.get(op, op): message})
        self.instrs.append(instr)
        self.owners.append(self.current_handler())
        return instr

    def current_handler(self) -> HandlerDesc | None:
        for block in reversed(self.blocks):
            if block.handler is not None:
                return block.handler
        return None

    def depth(self) -> int:
        """How many exceptions are on the frame's handled stack at this point (known statically)."""
        return sum(1 for block in self.blocks if block.holds_exception)

    def bind(self, label: Label) -> None:
        assert label.pc is None, "label bound twice"
        label.pc = len(self.instrs)

    def refer(self, label: Label, setter: Callable[[int], None]) -> None:
        self.fixups.append((label, setter))

    # ---- control flow helpers ----
    def jump(self, label: Label) -> None:
        message = pb.Jump(target=0)
        self.emit("jump", message)
        self.refer(label, lambda pc: setattr(message, "target", pc))

    def branch(self, cond: pb.Expr, if_true: Label, if_false: Label) -> None:
        message = pb.Branch(cond=cond, if_true=0, if_false=0)
        self.emit("branch", message)
        self.refer(if_true, lambda pc: setattr(message, "if_true", pc))
        self.refer(if_false, lambda pc: setattr(message, "if_false", pc))

    def for_iter(self, slot: int, target: pb.Target, exit_label: Label) -> None:
        message = pb.ForIter(slot=slot, target=target, exit=0)
        self.emit("for_iter", message)
        self.refer(exit_label, lambda pc: setattr(message, "exit", pc))

    def exc_match(self, classes: list[pb.Expr], no_match: Label) -> None:
        message = pb.ExcMatch(classes=classes, no_match=0)
        self.emit("exc_match", message)
        self.refer(no_match, lambda pc: setattr(message, "no_match", pc))

    # ---- the end ----
    def finish(self) -> tuple[list[pb.Instr], list[pb.Handler]]:
        for label, setter in self.fixups:
            assert label.pc is not None, "jump to a label that was never bound"
            setter(label.pc)
        handlers: list[pb.Handler] = []
        start = 0
        for pc in range(1, len(self.owners) + 1):
            if pc == len(self.owners) or self.owners[pc] is not self.owners[start]:
                owner = self.owners[start]
                if owner is not None:
                    assert owner.target.pc is not None
                    handlers.append(pb.Handler(start=start, end=pc, target=owner.target.pc, depth=owner.depth))
                start = pc
        return self.instrs, handlers
