"""One workflow class -> one `pb.Program`: `run()` first, then every workflow method it reaches, plus the tables of
actions, classes and child workflows the instructions index."""

from __future__ import annotations

import ast
import contextlib
import copy
import re
from collections.abc import Iterable, Iterator
from typing import Literal

from waymark_ir import pb

from waymark_compiler import constants
from waymark_compiler.checker import FunctionChecker
from waymark_compiler.lower.exception_methods import (
    SPECIAL_INITS,
    ExceptionMethodJob,
    ModuleContext,
    find_method,
    owner_for,
)
from waymark_compiler.lower.function import FunctionLowerer, constant_default, params_of
from waymark_compiler.lower.policy import NotStatic, StaticEvaluator, module_assignments
from waymark_compiler.manifest import Manifest, Ref, dotted
from waymark_compiler.report import Reporter
from waymark_compiler.rules import exception_method, unsupported_call, workflow_not_found
from waymark_compiler.scope import FunctionNode, local_names
from waymark_compiler.source import SourceFile

IR_VERSION = 1
HelperKind = Literal["sync", "async"]
#: how a method of the workflow class is bound: `def m(self)`, `@staticmethod`, `@classmethod`, or another decorator
#: (refused: what it does to the function is not visible to the compiler)
MethodBinding = Literal["instance", "static", "class", "decorated"]
#: the hidden first slot of a static method (the VM passes the workflow instance there; the code never sees it)
HIDDEN_SELF = "$self"
#: the kinds of classes an annotation adds to the class table
_ANNOTATED_KINDS = (pb.ClassKind.MODEL, pb.ClassKind.DATACLASS, pb.ClassKind.ENUM)
#: the class of an enum member inside a constant's tagged JSON (orjson's compact output)
_ENUM_CLASS = re.compile(rb'\{"\$enum":\{"class":"((?:[^"\\]|\\.)*)"')


class WorkflowCompiler:
    def __init__(
        self,
        source: SourceFile,
        manifest: Manifest,
        workflow: pb.WorkflowEntry,
        module: str,
        class_node: ast.ClassDef,
        reporter: Reporter,
        tree: ast.Module | None = None,
        modules: list[pb.ModuleSource] | None = None,
    ) -> None:
        self.source = source
        self.manifest = manifest
        self.workflow = workflow
        self.module = module
        self.class_node = class_node
        self.class_name = class_node.name
        self.reporter = reporter
        self.tree = tree
        #: other modules' sources (exception methods), and the reporters of the ones read (their diagnostics)
        self.bundle_modules: dict[str, pb.ModuleSource] = {m.module: m for m in modules or []}
        self._contexts: dict[str, ModuleContext | None] = {}
        self.extra_reporters: list[Reporter] = []
        self._jobs: dict[str, ExceptionMethodJob] = {}
        self._exceptions_done: set[str] = set()
        self.methods: dict[str, FunctionNode] = {}
        self.class_constants: dict[str, pb.Value] = {}
        self.class_attributes: set[str] = set()  # assigned in a class body but not to a constant
        #: the value each of those is assigned in the class body (`started = time.time()`): what a read reports
        self.class_attribute_values: dict[str, ast.expr] = {}
        #: class constants whose value the import computed (the worker sent it): recorded in the version when read
        self.class_value_entries: dict[str, pb.ManifestEntry] = {}
        for statement in [s for cls in reversed(class_chain(class_node, tree)) for s in cls.body]:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.methods[statement.name] = statement
            elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                literal = self.class_constant(statement.value)
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.class_value_entries.pop(target.id, None)
                        value = literal if literal is not None else self.class_value(target.id)
                        if value is not None:
                            self.class_constants[target.id] = value
                            self.class_attributes.discard(target.id)
                        else:
                            self.class_attributes.add(target.id)
                            self.class_attribute_values[target.id] = statement.value
                            self.class_constants.pop(target.id, None)
        #: how each method is bound (`@staticmethod`, `@classmethod` ...), and the function compiled for it: a static
        #: method gets a hidden first parameter, so every method is called with the instance in slot 0
        self.bindings: dict[str, MethodBinding] = {name: self._binding(m) for name, m in self.methods.items()}
        self.compiled_methods: dict[str, FunctionNode] = {
            name: _with_hidden_self(m) if self.bindings[name] == "static" else m for name, m in self.methods.items()
        }
        #: attributes some method assigns on `self` (`self.count = 0`): never folded to the class constant
        self.assigned_on_self: set[str] = set()
        for method in self.methods.values():
            for sub in ast.walk(method):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.ctx, (ast.Store, ast.Del))
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == "self"
                ):
                    self.assigned_on_self.add(sub.attr)
        self.attributes: dict[str, pb.FieldRef] = {}
        self.actions: list[pb.ActionRef] = []
        self.classes: list[pb.ClassRef] = []
        self.workflows: list[pb.WorkflowRef] = []
        self.functions: list[pb.Function] = []
        self._action_index: dict[str, int] = {}
        self._class_index: dict[str, int] = {}
        self._workflow_index: dict[str, int] = {}
        self._function_index: dict[str, int] = {}
        self._queue: list[str] = []
        self._module_values: dict[str, ast.expr] | None = None

    def class_constant(self, node: ast.expr) -> pb.Value | None:
        """A literal, or a module-level constant named in the class body (`LIMIT = MAX_TRIES`)."""
        value = constant_default(node)
        if value is None and isinstance(node, ast.Name):
            entry = self.manifest.entries.get(node.id)
            if entry is not None and entry.constant is not None and node.id not in self.manifest.frozen_data:
                self.manifest.used[node.id] = entry
                value = entry.constant
        if value is None and any(isinstance(sub, ast.Call) for sub in ast.walk(node)):
            # stdlib values with literal arguments, as in run(): `RATE = Decimal("0.05")`, `(timedelta(days=1), ...)`
            def resolve(n: ast.expr) -> Ref | None:
                parts = dotted(n)
                return None if parts is None else self.manifest.resolve_global(parts)

            try:
                folded = StaticEvaluator(resolve).eval(node)
                value = constants.value(folded)
            except (NotStatic, TypeError, ValueError):
                value = None
        return value

    def class_value(self, name: str) -> pb.Value | None:
        """The value the import gave a class attribute computed in the class body (`started = time.time()`), as the
        worker sent it: configuration frozen into the version, like a module constant (docs/language.md)."""
        path = f"{self.workflow.qualname}.{name}"
        entry = self.manifest.entries.get(path)
        if entry is None or entry.constant is None:
            return None
        self.class_value_entries[name] = entry
        return entry.constant

    def class_constant_read(self, name: str) -> None:
        """The workflow reads the class constant `name`: a value computed at import joins the version's manifest (a
        different value is a different version)."""
        entry = self.class_value_entries.get(name)
        if entry is not None:
            self.manifest.used[entry.path] = entry

    def module_value(self, name: str) -> ast.expr | None:
        """The expression the workflow's module assigns once to a module-level name (see `module_assignments`)."""
        if self._module_values is None:
            self._module_values = module_assignments(self.tree)
        return self._module_values.get(name)

    # ---- tables ----
    def action_index(self, action: pb.ActionRef) -> int:
        key = f"{action.name}@{action.signature_hash}"
        if key not in self._action_index:
            self._action_index[key] = len(self.actions)
            classes = list(action.classes)
            if classes:  # the classes its values may be of: into the program's table, where the VM finds them
                action = pb.ActionRef().parse(bytes(action))
                action.classes = []
            self.actions.append(action)
            for cls in classes:
                self.class_index(cls)
        return self._action_index[key]

    def class_index(self, cls: pb.ClassRef) -> int:
        if cls.qualname not in self._class_index:
            self._class_index[cls.qualname] = len(self.classes)
            nested = list(cls.field_classes)
            if nested:  # the VM finds them by qualname in the program's table
                cls = pb.ClassRef().parse(bytes(cls))
                cls.field_classes = []
            self.classes.append(cls)
            for inner in nested:
                self.class_index(inner)
        return self._class_index[cls.qualname]

    def annotation_classes(self, func: FunctionNode) -> None:
        """The model, dataclass and enum classes the method's annotations name (`orders: list[Order]`, `-> Receipt`,
        `x: Tier = ...`) join the class table, as an action's signature classes do: values of them arrive as input
        or from untyped results, and `dataclasses.replace`, ordering, hashing and enum behaviour need their class."""
        a = func.args
        nodes = [arg.annotation for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if arg]
        nodes += [func.returns, *(sub.annotation for sub in ast.walk(func) if isinstance(sub, ast.AnnAssign))]
        for node in nodes:
            for sub in ast.walk(node) if node is not None else ():
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):  # a quoted annotation
                    with contextlib.suppress(SyntaxError, ValueError, RecursionError, MemoryError):
                        for inner in ast.walk(ast.parse(sub.value, mode="eval")):
                            self.annotation_class(inner)
                else:
                    self.annotation_class(sub)

    def annotation_class(self, node: ast.AST) -> None:
        parts = dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        found = None if parts is None else self.manifest.lookup(parts, record=False)
        if parts is None or found is None or found[1] != len(parts):
            return
        cls = found[0].class_ref
        if cls is not None and cls.kind in _ANNOTATED_KINDS:
            self.manifest.lookup(parts)  # recorded: the program depends on it
            self.class_index(cls)

    def instance_attribute(self, name: str) -> None:
        """A class constant that methods also assign on `self`: the VM reads the instance's, else this one."""
        if name not in self.attributes:
            self.class_constant_read(name)
            self.attributes[name] = pb.FieldRef(name=name, default=self.class_constants[name])

    def workflow_index(self, workflow: pb.WorkflowRef) -> int:
        if workflow.name not in self._workflow_index:
            self._workflow_index[workflow.name] = len(self.workflows)
            self.workflows.append(workflow)
        return self._workflow_index[workflow.name]

    # ---- methods ----
    def _binding(self, method: FunctionNode) -> MethodBinding:
        if not method.decorator_list:
            return "instance"
        if len(method.decorator_list) == 1:
            decorator = method.decorator_list[0]
            if isinstance(decorator, ast.Name) and decorator.id in ("staticmethod", "classmethod"):
                ref = self.manifest.resolve_global((decorator.id,), record=False)
                if ref.kind == "builtin":  # not a module-level name shadowing the builtin
                    return "static" if decorator.id == "staticmethod" else "class"
        return "decorated"

    def helper_kind(self, name: str) -> HelperKind | None:
        method = self.methods.get(name)
        if method is None or name == "run" or self.bindings.get(name) == "decorated":
            return None
        return "async" if isinstance(method, ast.AsyncFunctionDef) else "sync"

    def helper_params(self, name: str) -> list[pb.Param]:
        return params_of(self.compiled_methods[name], None)

    def decorated_problem(self, name: str) -> tuple[str, str]:
        """What to say about a call of a method whose decorator is refused."""
        method = self.methods[name]
        shown = ", ".join(f"@{ast.unparse(d)}" for d in method.decorator_list)
        return (
            f"method `{name}` is decorated with {shown}: only @staticmethod and @classmethod methods are compiled",
            "remove the decorator (workflow methods are plain `def`/`async def`, @staticmethod or @classmethod)",
        )

    def check_class_method(self, name: str) -> None:
        """In a `@classmethod`, `cls` stands for the class: it may call the class's static and class methods and read
        its constant attributes (both compiled); anything else (`cls(...)`, `cls.x = ...`, passing `cls`) is
        refused rather than run against the workflow instance."""
        func = self.methods[name]
        params = [*func.args.posonlyargs, *func.args.args]
        if not params:
            return
        cls_name = params[0].arg
        parents = {id(child): parent for parent in ast.walk(func) for child in ast.iter_child_nodes(parent)}
        for node in ast.walk(func):
            if not (isinstance(node, ast.Name) and node.id == cls_name):
                continue
            parent = parents.get(id(node))
            if isinstance(parent, ast.Attribute) and parent.value is node and isinstance(parent.ctx, ast.Load):
                called = parents.get(id(parent))
                if isinstance(called, ast.Call) and called.func is parent:
                    if self.bindings.get(parent.attr) in ("static", "class"):
                        continue
                elif parent.attr in self.class_constants and parent.attr not in self.assigned_on_self:
                    continue
            where = parent if isinstance(parent, ast.Attribute) else node
            self.reporter.report(
                unsupported_call.RULE,
                where,
                what=f"`{ast.unparse(where)}` in classmethod `{name}`: `{cls_name}` can only call the class's static "
                "and class methods and read its constant attributes",
                fix="make it a plain method (self) or a @staticmethod",
            )

    def function_index(self, name: str) -> int:
        if name not in self._function_index:
            self._function_index[name] = len(self._function_index)
            self._queue.append(name)
        return self._function_index[name]

    # ---- compile ----
    def compile(self) -> pb.Program | None:
        run = self.methods.get("run")
        if not isinstance(run, ast.AsyncFunctionDef):
            self.reporter.report(
                workflow_not_found.RULE,
                run or self.class_node,
                what=f"workflow `{self.class_name}` has no `async def run(self, ...)`",
                fix="define `async def run(self, ...)` in the class body",
            )
            return None
        self._function_index["run"] = 0
        self._queue.append("run")
        compiled: dict[int, pb.Function] = {}
        while self._queue:
            name = self._queue.pop(0)
            job = self._jobs.get(name)
            if job is not None:
                compiled[self._function_index[name]] = job.compile(self)
                continue
            func = self.compiled_methods[name]
            if self.bindings.get(name) == "class":
                self.check_class_method(name)
            self.annotation_classes(func)
            FunctionChecker(func, set(local_names(func)), self.manifest, self.helper_kind, self.reporter).run()
            function = FunctionLowerer(self, func).lower()
            function.is_static = self.bindings.get(name) == "static"
            compiled[self._function_index[name]] = function
        record_annotations(compiled[0], run)
        program = pb.Program(
            ir_version=IR_VERSION,
            workflow_name=self.workflow.name,
            module=self.module,
            qualname=self.workflow.qualname,
            filename=self.source.filename,
            functions=[compiled[i] for i in range(len(compiled))],
            actions=self.actions,
            classes=self.classes,
            workflows=self.workflows,
            attributes=[self.attributes[name] for name in sorted(self.attributes)],
        )
        self.enum_classes_of_constants(program)
        return program

    # ---- exception methods ----
    def exception_methods(self, cls: pb.ClassRef, node: ast.AST) -> None:
        """The workflow constructs `cls` (at `node`): compile its Python `__init__`/`__str__` once, and name them
        in its entry of the class table."""
        if cls.kind != pb.ClassKind.EXCEPTION or not (cls.init_owners or cls.str_owners):
            return
        index = self.class_index(cls)
        if cls.qualname in self._exceptions_done:
            return
        self._exceptions_done.add(cls.qualname)
        stored = pb.ClassRef().parse(bytes(self.classes[index]))  # its own copy: the manifest's is shared
        if cls.init_owners:
            stored.init_function = self.exception_function(cls, "__init__", list(cls.init_owners), node)
        if cls.str_owners:
            stored.str_function = self.exception_function(cls, "__str__", list(cls.str_owners), node)
        self.classes[index] = stored

    def exception_function(self, cls: pb.ClassRef, method: str, owners: list[str], node: ast.AST) -> int | None:
        """The function of `owners[0].<method>` for a `cls` instance (its super() reaching `owners[1:]`)."""
        key = f"<{method}> {' '.join(owners)}"
        if key in self._function_index:
            return self._function_index[key]
        owner = owners[0]
        short = owner.rsplit(".", 1)[-1]
        context = self.module_context(owner)
        found = find_method(context, owner, method) if context is not None else None
        if context is None or found is None:
            self.reporter.report(
                exception_method.RULE,
                node,
                what=f"`{short}.{method}` of {owner} runs when this exception is built, and its source is not "
                "available to the compiler",
                fix=f"define {short} in a module of your code, or build and raise it in an @action",
            )
            return None
        class_node, func = found
        if isinstance(func, ast.AsyncFunctionDef) or func.decorator_list:
            context.reporter.report(
                exception_method.RULE,
                func,
                what=f"`{short}.{method}` is {'async' if isinstance(func, ast.AsyncFunctionDef) else 'decorated'}",
                fix=f"make it a plain `def {method}(self, ...)`",
            )
            return None
        if method == "__init__" and len(owners) == 1:
            special = next((m for m in cls.mro if m in SPECIAL_INITS), None)
            if special is not None:
                context.reporter.report(
                    exception_method.RULE,
                    func,
                    what=f"`{short}.__init__` extends {special}, whose own __init__ does not run in a workflow",
                    fix="derive the exception from Exception (or ValueError ...), or raise it in an @action",
                )
                return None
        index = len(self._function_index)
        self._function_index[key] = index
        self._queue.append(key)
        self._jobs[key] = ExceptionMethodJob(context, owner_for(cls, owner, method, owners[1:], class_node, func), func)
        return index

    def module_context(self, qualname: str) -> ModuleContext | None:
        """The module that defines the class `qualname`: the bundle's own, or one the worker sent the source of."""
        candidates = [self.module, *self.bundle_modules]
        module = max((m for m in candidates if qualname.startswith(m + ".")), key=len, default=None)
        if module is None:
            return None
        if module not in self._contexts:
            self._contexts[module] = self._read_module(module)
        return self._contexts[module]

    def _read_module(self, module: str) -> ModuleContext | None:
        if module == self.module:
            if self.tree is None:
                return None
            return ModuleContext(module, self.source, self.tree, self.manifest, self.reporter)
        entry = self.bundle_modules[module]
        source = SourceFile(entry.filename or f"<{module}>", entry.source)
        try:
            tree = ast.parse(entry.source, filename=source.filename)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        reporter = Reporter(source, self.reporter.workflow, module)
        self.extra_reporters.append(reporter)
        return ModuleContext(module, source, tree, Manifest.of(entry.manifest), reporter)

    def enum_classes_of_constants(self, program: pb.Program) -> None:
        """Enum members folded into constants (`Tier.PRO`, a module constant) name their class only by qualname:
        an IntEnum/StrEnum/Flag class the manifest describes joins the class table, so the VM gives its members
        their int/str/flag behaviour (a plain Enum needs nothing)."""
        found = {m.group(1).decode() for m in _ENUM_CLASS.finditer(bytes(program))}
        if not found - set(self._class_index):
            return
        known = {c.qualname: c for c in _manifest_classes(self.manifest.entries.values())}
        added = False
        for qualname in sorted(found - set(self._class_index)):
            cls = known.get(qualname)
            if cls is not None and cls.kind == pb.ClassKind.ENUM and (cls.enum_type or cls.enum_flag):
                self.class_index(cls)
                added = True
        if added:
            program.classes = self.classes


def _with_hidden_self(func: FunctionNode) -> FunctionNode:
    """A static method as the compiler compiles it: the same function with a hidden positional-only first parameter
    (the instance the VM passes to every method), so its own parameters keep Python's binding."""
    args = copy.copy(func.args)
    args.posonlyargs = [ast.arg(arg=HIDDEN_SELF), *func.args.posonlyargs]
    compiled = copy.copy(func)
    compiled.args = args
    compiled.decorator_list = []
    return compiled


def _manifest_classes(entries: Iterable[pb.ManifestEntry]) -> Iterator[pb.ClassRef]:
    """Every class the manifest describes: class entries, the classes their fields name, those of actions."""
    for entry in entries:
        if entry.class_ref is not None:
            yield entry.class_ref
            yield from entry.class_ref.field_classes
        if entry.action is not None:
            for cls in entry.action.classes:
                yield cls
                yield from cls.field_classes


def record_annotations(function: pb.Function, func: ast.AsyncFunctionDef) -> None:
    """run()'s parameter annotations as written (`ast.unparse`: `int`, `list[Order]`, `Decimal | None`), for display
    (the gateway's `Workflow.parameters`, the dashboard's start form); the VM does not read them."""
    a = func.args
    written = {arg.arg: arg.annotation for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if arg}
    for param in function.params:
        annotation = written.get(param.name)
        if annotation is not None:
            param.annotation = ast.unparse(annotation)


def class_chain(class_node: ast.ClassDef, tree: ast.Module | None) -> list[ast.ClassDef]:
    """The class and the base classes defined at module level in the same source, most derived first (depth-first
    like a simple MRO), so methods and constants of a base are inherited and a subclass overrides them."""
    if tree is None:
        return [class_node]
    top = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    chain: list[ast.ClassDef] = []

    def visit(node: ast.ClassDef) -> None:
        if node in chain:
            return
        chain.append(node)
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in top and top[base.id] is not node:
                visit(top[base.id])

    visit(class_node)
    return chain
