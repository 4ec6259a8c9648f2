"""The Python `__init__`/`__str__` of user exception classes a workflow constructs, compiled like workflow methods.

CPython runs them when `OutOfStock("A", left=2)` is built and whenever it is printed; the VM cannot run arbitrary
Python, so the compiler lowers them from source (the bundle's module, or `Bundle.modules` for a class defined
elsewhere) into functions whose slot 0 is the exception itself, and the class's `ClassRef` names them
(`init_function`, `str_function`). What such a method may contain is the language of workflow methods, plus
`super().__init__(...)` / `Base.__init__(self, ...)` (and `__str__`), which go to the next class of the
constructed class's MRO that defines the method in Python (`ClassRef.init_owners`), else to
`BaseException.__init__` (the args) / `BaseException.__str__`. Anything else is WM144 (`rules/exception_method.py`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from waymark_ir import pb

from waymark_compiler.checker import FunctionChecker
from waymark_compiler.lower.function import FunctionLowerer, constant_default
from waymark_compiler.manifest import Manifest
from waymark_compiler.report import Reporter
from waymark_compiler.scope import FunctionNode, local_names
from waymark_compiler.source import SourceFile

if TYPE_CHECKING:
    from waymark_compiler.lower.program import WorkflowCompiler

#: Builtin exceptions whose own `__init__` does more than set `args` (errno, name, value ...): a Python `__init__`
#: that ends in theirs is not compiled.
SPECIAL_INITS = frozenset(
    {
        "builtins.OSError",
        "builtins.ImportError",
        "builtins.SyntaxError",
        "builtins.UnicodeDecodeError",
        "builtins.UnicodeEncodeError",
        "builtins.UnicodeTranslateError",
        "builtins.StopIteration",
        "builtins.SystemExit",
        "builtins.BaseExceptionGroup",
    }
)


@dataclass
class ModuleContext:
    """A module whose source the compiler reads: the bundle's own, or one of `Bundle.modules`."""

    module: str
    source: SourceFile
    tree: ast.Module
    manifest: Manifest
    reporter: Reporter


@dataclass
class ExceptionOwner:
    """What a lowering of an exception method asks its class (`LowererBase.owner`): there are no workflow helpers,
    `self` is the exception, class constants of the defining class fold like a workflow's."""

    compiled: pb.ClassRef  # the class being constructed (its MRO decides where super() goes)
    owner: str  # qualified name of the class that defines the method
    method: str  # "__init__" or "__str__"
    next_owners: list[str]  # the classes super().<method> reaches next, in MRO order
    class_node: ast.ClassDef
    class_constants: dict[str, pb.Value] = field(default_factory=dict)
    class_attributes: set[str] = field(default_factory=set)
    assigned_on_self: set[str] = field(default_factory=set)
    methods: dict[str, FunctionNode] = field(default_factory=dict)
    exception: bool = True

    @property
    def class_name(self) -> str:
        return self.class_node.name

    def helper_kind(self, name: str) -> None:
        return None

    def helper_params(self, name: str) -> list[pb.Param]:
        return []

    def instance_attribute(self, name: str) -> None:
        return None


def owner_for(
    compiled: pb.ClassRef, owner: str, method: str, next_owners: list[str], class_node: ast.ClassDef, func: FunctionNode
) -> ExceptionOwner:
    found = ExceptionOwner(compiled, owner, method, next_owners, class_node)
    for statement in class_node.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            value = constant_default(statement.value)
            for target in targets:
                if isinstance(target, ast.Name):
                    if value is not None:
                        found.class_constants[target.id] = value
                    else:
                        found.class_attributes.add(target.id)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.methods[statement.name] = statement
    self_name = func.args.args[0].arg if func.args.args else "self"
    for sub in ast.walk(func):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.ctx, (ast.Store, ast.Del))
            and isinstance(sub.value, ast.Name)
            and sub.value.id == self_name
        ):
            found.assigned_on_self.add(sub.attr)
    return found


@dataclass
class ExceptionMethodJob:
    """One exception method to compile (queued with the workflow's methods)."""

    context: ModuleContext
    owner: ExceptionOwner
    func: FunctionNode

    def compile(self, program: WorkflowCompiler) -> pb.Function:
        func = self.func
        checker = FunctionChecker(
            func, set(local_names(func)), self.context.manifest, self.owner.helper_kind, self.context.reporter
        )
        checker.exception_method = True  # super() is the lowering's to judge
        checker.run()
        lowered = FunctionLowerer(program, func, owner=self.owner, context=self.context).lower()
        lowered.name = f"{self.owner.class_name}.{self.owner.method}"
        return lowered


def find_method(context: ModuleContext, qualname: str, method: str) -> tuple[ast.ClassDef, FunctionNode] | None:
    """The class statement of `qualname` (module-qualified) in the module's tree, and its `def method`."""
    from waymark_compiler.source import find_class

    inner = qualname[len(context.module) + 1 :] if qualname.startswith(context.module + ".") else qualname
    class_node = find_class(context.tree, inner)
    if class_node is None:
        return None
    for statement in class_node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == method:
            return class_node, statement
    return None
