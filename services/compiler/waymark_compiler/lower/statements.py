"""Statements: flat instructions with jumps, and try/except/finally through the exception table.

The layout follows CPython 3.11 (Python/compile.c): a `finally` body is emitted once for the normal exit, once on
the exceptional path (`EnterHandler`, body, bare `Raise`), and once more before every `return`/`break`/`continue`
that leaves the protected block; an except clause body is followed by `ExitHandler`; `except E as e` unbinds `e`
on every way out (`e = None; del e`), like CPython.
"""

from __future__ import annotations

import ast

from waymark_ir import pb

from waymark_compiler import constants
from waymark_compiler.builtins_table import BUILTIN_EXCEPTIONS
from waymark_compiler.lower.base import LowererBase, kind_of, local, slot_target
from waymark_compiler.lower.emitter import Block, BlockKind, HandlerDesc, Label
from waymark_compiler.lower.policy import LOCAL_POLICY_HELP
from waymark_compiler.rules import run_action_policy, unsupported_syntax

UNWINDS = (BlockKind.FINALLY_TRY, BlockKind.FINALLY_END, BlockKind.HANDLER_CLEANUP)
LOOPS = (BlockKind.WHILE_LOOP, BlockKind.FOR_LOOP)
_NOT_LOWERED_BODIES = (ast.With, ast.AsyncWith, ast.AsyncFor)


class StatementsMixin(LowererBase):
    def body(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            with self.temp_scope():
                self.stmt(statement)

    def stmt(self, node: ast.stmt) -> None:
        self.at(node)
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and self.policy_assignment(node):
            return
        method = getattr(self, f"stmt_{type(node).__name__}", None)
        if self.claimed(node) or method is None:
            if not self.claimed(node):
                self.report(
                    unsupported_syntax.RULE,
                    node,
                    what=f"`{type(node).__name__}` statement",
                    fix="rewrite it with the supported subset, or move it into an @action",
                )
            if isinstance(node, _NOT_LOWERED_BODIES):
                self.body(node.body)  # still look for problems inside
            return
        method(node)

    def policy_assignment(self, node: ast.Assign | ast.AnnAssign) -> bool:
        """`policy = RetryPolicy(...)`: nothing runs (each `self.run_action(..., retry=policy)` folds it); one that
        cannot be folded is reported here, once."""
        item = next((p for p in self.policy_vars.values() if p.statement is node), None)
        if item is None:
            return False
        if item.problem is not None and not item.silent and not self.claimed(node):
            finding = run_action_policy.RULE.finding(
                item.value, what=f"policy variable {item.problem}", fix=LOCAL_POLICY_HELP, claims=tuple(ast.walk(node))
            )
            self.reporter.add(run_action_policy.RULE, finding, claim=node)
        return True

    # ---- simple statements ----
    def stmt_Pass(self, node: ast.Pass) -> None:
        pass

    def stmt_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            return  # docstrings and `...`
        self.value_into(node.value, None)

    def value_into(self, node: ast.expr, targets: list[pb.Target] | None) -> None:
        """Evaluate `node` and store it into `targets` (None: discard), without a temporary when the value is an
        await or a helper call (their instructions take a target)."""
        single = targets is None or len(targets) == 1
        target = targets[0] if targets else None
        if isinstance(node, ast.Await) and single and not self.claimed(node):
            awaitable = self.awaitable(node.value)
            self.emit(node, "await", pb.Await(target=target, awaitable=awaitable))
            return
        if self.helper_call(node) == "sync" and single and not self.claimed(node):
            assert isinstance(node, ast.Call)
            value = self.call(node)  # emits the Call into a temporary ...
            last = self.em.instrs[-1]
            if last.call is not None and kind_of(value) == "local" and not self.claimed(node):
                last.call.target = target  # ... which we retarget
                return
            self.store(node, targets, value)
            return
        self.store(node, targets, self.expr(node))

    def store(self, node: ast.AST, targets: list[pb.Target] | None, value: pb.Expr) -> None:
        if targets is None:
            self.emit(node, "expr", pb.ExprStmt(value=value))
        else:
            self.emit(node, "assign", pb.Assign(targets=targets, value=value))

    def stmt_Assign(self, node: ast.Assign) -> None:
        if any(self.emits(t) for t in node.targets):
            # CPython evaluates the value first, then the target's subexpressions
            value = self.spill(self.expr(node.value), node.value)
            targets = [self.target(t) for t in node.targets]
            self.emit(node, "assign", pb.Assign(targets=targets, value=value))
            return
        self.value_into(node.value, [self.target(t) for t in node.targets])

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.stmt_Assign(
                ast.Assign(
                    targets=[node.target],
                    value=node.value,
                    lineno=node.lineno,
                    col_offset=node.col_offset,
                    end_lineno=node.end_lineno,
                    end_col_offset=node.end_col_offset,
                )
            )

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        from waymark_compiler.lower.expressions import BIN_OPS

        if type(node.op) not in BIN_OPS:
            self.report(unsupported_syntax.RULE, node, what="the `@=` operator", fix="multiply in an @action")
            return
        op = BIN_OPS[type(node.op)]
        target = node.target
        simple = isinstance(target, ast.Name) and not self.has_walrus([node.value])
        if simple or not (self.emits(node.value) or self.emits(target)):
            lowered_target = self.target(target)
            value = self.expr(node.value)
            self.emit(node, "aug_assign", pb.AugAssign(target=lowered_target, op=op, value=value))
            return
        # the target's container and key are evaluated once, and its old value is read before the value
        old = self.temp()
        if isinstance(target, ast.Subscript):
            container, key = self.operands([target.value, target.slice])
            container, key = self.spill(container, target.value), self.spill(key, target.slice)
            self.emit(
                node,
                "assign",
                pb.Assign(
                    targets=[slot_target(old)], value=pb.Expr(subscript=pb.Subscript(value=container, index=key))
                ),
            )
            store = pb.Target(subscript=pb.SubscriptTarget(value=container, index=key))
        elif isinstance(target, ast.Attribute):
            container = self.spill(self.expr(target.value), target.value)
            self.emit(
                node,
                "assign",
                pb.Assign(
                    targets=[slot_target(old)], value=pb.Expr(attribute=pb.Attribute(value=container, attr=target.attr))
                ),
            )
            store = pb.Target(attribute=pb.AttributeTarget(value=container, attr=target.attr))
        else:
            store = self.target(target)
            self.emit(node, "assign", pb.Assign(targets=[slot_target(old)], value=self.expr(target)))
        value = self.expr(node.value)
        self.emit(node, "aug_assign", pb.AugAssign(target=slot_target(old), op=op, value=value))
        self.emit(node, "assign", pb.Assign(targets=[store], value=local(old)))

    def stmt_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            items = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            for item in items:
                self.emit(node, "delete", pb.Delete(target=self.target(item)))

    def stmt_Assert(self, node: ast.Assert) -> None:
        ok, fail = Label(), Label()
        self.em.branch(self.expr(node.test), ok, fail)
        self.em.bind(fail)
        error = self.program.class_index(BUILTIN_EXCEPTIONS["AssertionError"])
        args = [pb.Arg(value=self.expr(node.msg))] if node.msg is not None else []
        self.emit(node, "raise", pb.Raise(exc=pb.Expr(construct=pb.Construct(class_index=error, args=args))))
        self.em.bind(ok)

    def stmt_Raise(self, node: ast.Raise) -> None:
        if node.exc is None:
            self.emit(node, "raise", pb.Raise())
            return
        cause_is_none = isinstance(node.cause, ast.Constant) and node.cause.value is None
        parts = [node.exc] + ([node.cause] if node.cause is not None and not cause_is_none else [])
        lowered = self.operands(parts)
        for part, value in zip(parts, lowered, strict=True):
            if value.class_object is not None:  # `raise OutOfStock`: the class is called with no arguments
                self.program.exception_methods(self.program.classes[value.class_object.class_index], part)
        self.emit(
            node,
            "raise",
            pb.Raise(exc=lowered[0], cause=lowered[1] if len(lowered) > 1 else None, cause_is_none=cause_is_none),
        )

    # ---- targets ----
    def target(self, node: ast.expr) -> pb.Target:
        if isinstance(node, ast.Name):
            slot = self.lookup_local(node.id)
            assert slot is not None, f"unbound store target {node.id}"
            return slot_target(slot)
        if isinstance(node, (ast.Tuple, ast.List)):
            starred = next((i for i, e in enumerate(node.elts) if isinstance(e, ast.Starred)), None)
            items = [self.target(e.value if isinstance(e, ast.Starred) else e) for e in node.elts]
            return pb.Target(unpack=pb.UnpackTarget(items=items, starred=starred))
        if isinstance(node, ast.Subscript):
            value, index = self.operands([node.value, node.slice])
            return pb.Target(subscript=pb.SubscriptTarget(value=value, index=index))
        if isinstance(node, ast.Attribute):
            return pb.Target(attribute=pb.AttributeTarget(value=self.expr(node.value), attr=node.attr))
        self.report(unsupported_syntax.RULE, node, what="this assignment target", fix="assign to a name")
        return slot_target(self.temp())

    # ---- control flow ----
    def stmt_If(self, node: ast.If) -> None:
        then, otherwise, end = Label(), Label(), Label()
        self.em.branch(self.expr(node.test), then, otherwise if node.orelse else end)
        self.em.bind(then)
        self.body(node.body)
        if node.orelse:
            if not _terminal(node.body):
                self.at(node.orelse[0])
                self.em.jump(end)
            self.em.bind(otherwise)
            self.body(node.orelse)
        self.em.bind(end)

    def stmt_While(self, node: ast.While) -> None:
        top, loop_body, otherwise, end = Label(), Label(), Label(), Label()
        self.em.bind(top)
        forever = isinstance(node.test, ast.Constant) and bool(node.test.value)
        if not forever:
            with self.temp_scope():
                self.em.branch(self.expr(node.test), loop_body, otherwise)
        self.em.bind(loop_body)
        self.em.blocks.append(Block(BlockKind.WHILE_LOOP, continue_label=top, break_label=end))
        self.body(node.body)
        self.em.blocks.pop()
        self.at(node)
        self.em.jump(top)
        self.em.bind(otherwise)
        self.body(node.orelse)
        self.em.bind(end)

    def stmt_For(self, node: ast.For) -> None:
        iterable = self.expr(node.iter)
        iterator = self.temp()
        self.emit(node, "get_iter", pb.GetIter(slot=iterator, value=iterable))
        top, otherwise, end = Label(), Label(), Label()
        self.em.bind(top)
        self.at(node.target)
        if self.emits(node.target):
            self.report(
                unsupported_syntax.RULE,
                node.target,
                what="a loop target that awaits or calls",
                fix="assign to a name, then use it in the body",
            )
        self.em.for_iter(iterator, self.target(node.target), otherwise)
        self.em.blocks.append(Block(BlockKind.FOR_LOOP, continue_label=top, break_label=end))
        self.body(node.body)
        self.em.blocks.pop()
        self.at(node)
        self.em.jump(top)
        self.em.bind(otherwise)
        self.body(node.orelse)
        self.em.bind(end)

    def stmt_Break(self, node: ast.Break) -> None:
        self.leave(node, to_loop="break")

    def stmt_Continue(self, node: ast.Continue) -> None:
        self.leave(node, to_loop="continue")

    def stmt_Return(self, node: ast.Return) -> None:
        unwinding = any(b.kind in UNWINDS for b in self.em.blocks)
        value: pb.Expr | None = None
        if node.value is not None:
            value = self.expr(node.value)
            if unwinding and kind_of(value) != "constant":
                value = self.spill(value, node.value)  # evaluated before the finally bodies run, like CPython
        if unwinding:
            self.leave(node, value=value)
        else:
            self.emit(node, "return", pb.Return(value=value))

    def leave(self, node: ast.stmt, *, to_loop: str = "", value: pb.Expr | None = None) -> None:
        """Emit the unwinding code of every block being left, then the jump or return (CPython's
        compiler_unwind_fblock_stack). Each block is popped while its unwinding code is emitted."""
        saved = list(self.em.blocks)
        loop: Block | None = None
        while self.em.blocks:
            block = self.em.blocks[-1]
            if to_loop and block.kind in LOOPS:
                loop = block
                break
            self.em.blocks.pop()
            self.unwind(node, block)
        if to_loop:
            if loop is None:
                self.report(unsupported_syntax.RULE, node, what=f"`{to_loop}` outside a loop", fix="remove it")
            else:
                label = loop.break_label if to_loop == "break" else loop.continue_label
                assert label is not None
                self.at(node)
                self.em.jump(label)
        else:
            self.emit(node, "return", pb.Return(value=value))
        self.em.blocks[:] = saved

    def unwind(self, node: ast.stmt, block: Block) -> None:
        if block.kind == BlockKind.FINALLY_TRY:
            self.body(block.finalbody)
        elif block.kind == BlockKind.FINALLY_END:
            self.emit(node, "exit_handler", pb.ExitHandler())
        elif block.kind == BlockKind.HANDLER_CLEANUP:
            self.emit(node, "exit_handler", pb.ExitHandler())
            if block.name_slot is not None:
                self.unbind(node, block.name_slot)

    def unbind(self, node: ast.AST, slot: int) -> None:
        self.emit(node, "assign", pb.Assign(targets=[slot_target(slot)], value=constants.none()))
        self.emit(node, "delete", pb.Delete(target=slot_target(slot)))

    # ---- try ----
    def stmt_Try(self, node: ast.Try) -> None:
        if node.finalbody:
            self.try_finally(node)
        else:
            self.try_except(node)

    def try_finally(self, node: ast.Try) -> None:
        end, exceptional = Label(), Label()
        self.em.blocks.append(
            Block(BlockKind.FINALLY_TRY, handler=HandlerDesc(exceptional, self.em.depth()), finalbody=node.finalbody)
        )
        if node.handlers:
            self.try_except(node)
        else:
            self.body(node.body)
        self.em.blocks.pop()
        self.body(node.finalbody)  # normal exit
        self.at(node.finalbody[-1])
        self.em.jump(end)
        self.em.bind(exceptional)  # exceptional exit: run the body with the exception handled, then re-raise
        self.at(node.finalbody[0])
        self.em.emit("enter_handler", pb.EnterHandler())
        self.em.blocks.append(Block(BlockKind.FINALLY_END))
        self.body(node.finalbody)
        self.em.blocks.pop()
        self.at(node.finalbody[-1])
        self.em.emit("raise", pb.Raise())
        self.em.bind(end)

    def try_except(self, node: ast.Try) -> None:
        dispatch, end = Label(), Label()
        depth = self.em.depth()
        self.em.blocks.append(Block(BlockKind.TRY_EXCEPT, handler=HandlerDesc(dispatch, depth)))
        self.body(node.body)
        self.em.blocks.pop()
        self.body(node.orelse)
        self.at(node.handlers[0])
        self.em.jump(end)
        self.em.bind(dispatch)
        self.em.emit("enter_handler", pb.EnterHandler())
        for index, handler in enumerate(node.handlers):
            self.at(handler)
            no_match = Label()
            if handler.type is None and index < len(node.handlers) - 1:
                self.report(
                    unsupported_syntax.RULE,
                    handler,
                    what="a bare `except:` before other clauses",
                    fix="put the bare `except:` last",
                )
            if handler.type is not None:
                with self.temp_scope():
                    self.em.exc_match(self.exception_classes(handler.type), no_match)
            self.except_body(handler, depth, end)
            if handler.type is not None:
                self.em.bind(no_match)
        if node.handlers[-1].type is not None:
            self.at(node.handlers[-1])
            self.em.emit("raise", pb.Raise())  # no clause matched: re-raise (the outer handler pops it)
        self.em.bind(end)

    def exception_classes(self, node: ast.expr) -> list[pb.Expr]:
        items = node.elts if isinstance(node, ast.Tuple) else [node]
        return self.operands(items)

    def except_body(self, handler: ast.ExceptHandler, depth: int, end: Label) -> None:
        if handler.name is None:
            self.em.blocks.append(Block(BlockKind.HANDLER_CLEANUP))
            self.body(handler.body)
            self.em.blocks.pop()
            self.at(handler)
            self.em.emit("exit_handler", pb.ExitHandler())
            self.em.jump(end)
            return
        slot = self.slots[handler.name]
        self.emit(
            handler,
            "assign",
            pb.Assign(targets=[slot_target(slot)], value=pb.Expr(current_exception=pb.CurrentException())),
        )
        cleanup = Label()
        self.em.blocks.append(Block(BlockKind.HANDLER_CLEANUP, handler=HandlerDesc(cleanup, depth), name_slot=slot))
        self.body(handler.body)
        self.em.blocks.pop()
        self.unbind(handler, slot)
        self.em.emit("exit_handler", pb.ExitHandler())
        self.em.jump(end)
        # an exception inside the clause body: unbind the name, then let the new exception propagate
        self.em.bind(cleanup)
        self.em.emit("enter_handler", pb.EnterHandler())
        self.unbind(handler, slot)
        self.em.emit("raise", pb.Raise())


def _terminal(statements: list[ast.stmt]) -> bool:
    return bool(statements) and isinstance(statements[-1], (ast.Return, ast.Raise, ast.Break, ast.Continue))
