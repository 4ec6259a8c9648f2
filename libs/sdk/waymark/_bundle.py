"""Build the `Bundle` the compiler needs from a module this process has imported.

The compiler never imports user code, so the process that did (a worker, `waymark check`, `run_in_vm`) sends it
everything it cannot see: the module's source, its workflow classes, and a manifest that says what every name (and
dotted path through modules) used inside those classes referred to at import time: actions with their signatures and
policies, child workflows, exception/model/dataclass/enum classes with their MROs and fields, modules, immutable
constants (as tagged JSON), plain functions, and anything else as an opaque entry.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime
import decimal
import enum
import inspect
import sys
import textwrap
import types
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from waymark_ir import pb, values

from waymark import _bundle_types
from waymark._action import ActionDefinition
from waymark._policy import Backoff, RetryPolicy
from waymark._registry import WORKFLOWS
from waymark._workflow import Workflow

__all__ = [
    "BundleError",
    "bundle_for_module",
    "bundles_for_modules",
    "bundles_for_workflows",
    "describe",
    "stable_filename",
    "workflows_in_module",
]

_PARAM_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: pb.ParamKind.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: pb.ParamKind.POSITIONAL_OR_KEYWORD,
    inspect.Parameter.VAR_POSITIONAL: pb.ParamKind.VAR_POSITIONAL,
    inspect.Parameter.KEYWORD_ONLY: pb.ParamKind.KEYWORD_ONLY,
    inspect.Parameter.VAR_KEYWORD: pb.ParamKind.VAR_KEYWORD,
}
_BACKOFF_KINDS = {
    "none": pb.BackoffKind.UNSPECIFIED,
    "fixed": pb.BackoffKind.FIXED,
    "exponential": pb.BackoffKind.EXPONENTIAL,
}
_VALUE_TYPES: tuple[type, ...] = (
    int,
    float,
    str,
    bool,
    bytes,
    list,
    dict,
    set,
    frozenset,
    tuple,
    type(None),
    datetime.datetime,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    datetime.timezone,
    decimal.Decimal,
    uuid.UUID,
)
_IMMUTABLE_LEAVES: tuple[type, ...] = (
    type(None),
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    decimal.Decimal,
    datetime.datetime,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
    enum.Enum,
)
_MUTABLE: tuple[type, ...] = (list, dict, set, bytearray)
#: module-level containers whose plain-data contents the bundle carries (`OpaqueEntry.data`)
_DATA_CONTAINERS: tuple[type, ...] = (list, dict, set)
_FACTORIES: dict[Any, Any] = {list: [], dict: {}, set: set(), tuple: (), frozenset: frozenset()}


class BundleError(Exception):
    """The module cannot be described to the compiler (for example, its source is not available)."""


# ---- public ----------------------------------------------------------------------------------------------------


def workflows_in_module(module: types.ModuleType) -> list[type[Workflow]]:
    """The `@workflow` classes defined in `module` (not those it imports), in definition order."""
    found: dict[str, type[Workflow]] = {}
    candidates = [*vars(module).values(), *WORKFLOWS.values()]
    for cls in candidates:
        if _is_workflow_class(cls) and cls.__module__ == module.__name__:
            found.setdefault(cls.__qualname__, cls)
    return sorted(found.values(), key=_definition_line)


def bundles_for_modules(modules: Iterable[types.ModuleType]) -> list[pb.Bundle]:
    """One bundle per module that defines workflows: the workflows found in `modules` (defined there or imported
    there) are grouped by the module that defines them, since a class's source lives in its own module."""
    classes: list[type[Workflow]] = []
    for module in modules:
        classes += workflows_in_module(module)
        classes += [v for v in vars(module).values() if _is_workflow_class(v)]
    return bundles_for_workflows(classes)


def bundles_for_workflows(classes: Iterable[type[Workflow]]) -> list[pb.Bundle]:
    by_module: dict[str, dict[str, type[Workflow]]] = {}
    for cls in classes:
        if not _is_workflow_class(cls):
            raise BundleError(f"{cls!r} is not a @workflow class")
        by_module.setdefault(cls.__module__, {}).setdefault(cls.__qualname__, cls)
    bundles = []
    for module_name, found in by_module.items():
        module = sys.modules.get(module_name)
        if module is None:
            raise BundleError(f"module {module_name!r} of workflow {next(iter(found))} is not imported")
        bundles.append(bundle_for_module(module, sorted(found.values(), key=_definition_line)))
    return bundles


def bundle_for_module(module: types.ModuleType, classes: Iterable[type[Workflow]] | None = None) -> pb.Bundle:
    workflows = list(classes) if classes is not None else workflows_in_module(module)
    filename = stable_filename(module)
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError) as exc:
        raise BundleError(
            f"cannot read the source of module {module.__name__!r} ({exc}); workflows must be defined in a .py file"
        ) from None
    manifest: dict[str, pb.ManifestEntry] = {}
    entries = []
    try:
        tree: ast.Module | None = ast.parse(source)
    except SyntaxError:
        tree = None
    exceptions: dict[int, type] = {}
    for cls in workflows:
        entries.append(pb.WorkflowEntry(name=cls.__waymark_name__, qualname=cls.__qualname__))
        namespace = _namespace(module, cls)
        pending = _paths_used(cls, tree)
        while pending:
            path = pending.pop(0)
            if path in manifest:
                continue
            found = _lookup(namespace, path)
            if found is not _MISSING:
                manifest[path] = _describe_safely(found, path)
                if isinstance(found, (RetryPolicy, Backoff)):
                    pending += _paths_assigned(tree, path)
        for path, value in _class_values(cls, tree):
            manifest.setdefault(path, _describe_safely(value, path))
        for path in _paths_constructed(cls, tree):
            found = _lookup(namespace, path)
            if isinstance(found, type) and issubclass(found, BaseException):
                exceptions[id(found)] = found
    modules = _exception_method_sources(module, tree, list(exceptions.values()), manifest)
    return pb.Bundle(
        module=module.__name__,
        filename=filename,
        source=source,
        workflows=entries,
        manifest=[manifest[p] for p in sorted(manifest)],
        modules=modules,
    )


def _exception_method_sources(
    module: types.ModuleType, tree: ast.Module | None, classes: list[type], manifest: dict[str, pb.ManifestEntry]
) -> list[pb.ModuleSource]:
    """What the compiler needs to compile the Python `__init__`/`__str__` of the exception classes the workflows
    name (and of their bases): the names those methods use, described in the manifest of the module that defines
    them (the bundle's own, or a `ModuleSource` with that module's source). A module whose source cannot be read
    is left out: the compiler refuses to construct its classes."""
    owners: dict[int, type] = {}
    for cls in classes:
        for method in ("__init__", "__str__"):
            for owner in _python_method_owners(cls, method):
                owners[id(owner)] = owner
    by_module: dict[str, list[type]] = {}
    for owner in owners.values():
        by_module.setdefault(owner.__module__, []).append(owner)
    out: list[pb.ModuleSource] = []
    for name in sorted(by_module):
        owner_module = sys.modules.get(name)
        if owner_module is None:
            continue
        if owner_module is module:
            owner_tree, target = tree, manifest
        else:
            try:
                owner_source = inspect.getsource(owner_module)
                owner_tree = ast.parse(owner_source)
            except (OSError, TypeError, SyntaxError):
                continue
            target = {}
        namespace = dict(vars(owner_module))
        for owner in by_module[name]:
            for path in _paths_in_methods(owner, owner_tree, ("__init__", "__str__")):
                if path not in target:
                    found = _lookup(namespace, path)
                    if found is not _MISSING:
                        target[path] = _describe_safely(found, path)
        if owner_module is not module:
            out.append(
                pb.ModuleSource(
                    module=name,
                    filename=stable_filename(owner_module),
                    source=owner_source,
                    manifest=[target[p] for p in sorted(target)],
                )
            )
    return out


def _paths_constructed(cls: type, tree: ast.Module | None) -> list[str]:
    """The dotted names the class body (and its bases' in the same module) calls or raises: the classes a workflow
    may construct, whose `__init__`/`__str__` the compiler then compiles (not those it only catches)."""
    found: dict[str, None] = {}
    for klass in cls.__mro__:
        if not (klass is cls or (klass.__module__ == cls.__module__ and klass not in (Workflow, object))):
            continue
        for statement in _class_node(klass, tree).body:
            for sub in ast.walk(statement):
                target = sub.func if isinstance(sub, ast.Call) else sub.exc if isinstance(sub, ast.Raise) else None
                parts = _dotted(target) if isinstance(target, (ast.Name, ast.Attribute)) else None
                if parts:
                    found.setdefault(".".join(parts), None)
    return list(found)


def _python_method_owners(cls: type, method: str) -> list[type]:
    """The classes of `cls.__mro__` that define `method` in Python (a function, not the interpreter's slot)."""
    return [klass for klass in cls.__mro__ if isinstance(vars(klass).get(method), types.FunctionType)]


def _paths_in_methods(cls: type, tree: ast.Module | None, names: tuple[str, ...]) -> list[str]:
    node = _find_class(tree, cls.__qualname__) if tree is not None else None
    if node is None:
        return []
    found: dict[str, None] = {}
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in names:
            for sub in ast.walk(statement):
                parts = _dotted(sub) if isinstance(sub, (ast.Name, ast.Attribute)) else None
                for count in range(1, len(parts or ()) + 1):
                    found.setdefault(".".join((parts or ())[:count]), None)
    return list(found)


def stable_filename(module: types.ModuleType) -> str:
    """The module's file named from its import path (`shop/checkout.py`), not where it is installed: the filename
    is part of the compiled program, and the same code must give the same version on every machine."""
    file = getattr(module, "__file__", None)
    if not file:
        return f"<{module.__name__}>"
    base = module.__name__.replace(".", "/")
    path = Path(file)
    return f"{base}/__init__.py" if path.name == "__init__.py" else base + (path.suffix or ".py")


def describe(value: Any, path: str = "") -> pb.ManifestEntry:
    """What a name refers to, as a manifest entry."""
    definition = getattr(value, "__waymark_action__", None)
    if isinstance(definition, ActionDefinition):
        return pb.ManifestEntry(path=path, action=action_ref(definition))
    if _is_workflow_class(value):
        return pb.ManifestEntry(path=path, workflow=workflow_ref(value))
    if isinstance(value, type):
        return pb.ManifestEntry(path=path, class_ref=class_ref(value))
    if isinstance(value, types.ModuleType):
        return pb.ManifestEntry(path=path, module=pb.ModuleEntry(name=value.__name__))
    if _is_immutable(value):
        try:
            return pb.ManifestEntry(path=path, constant=pb.Value(json=values.dumps(value)))
        except TypeError:
            pass
    if callable(value):
        return pb.ManifestEntry(
            path=path,
            function=pb.FunctionEntry(qualname=_callable_name(value), is_async=inspect.iscoroutinefunction(value)),
        )
    kind = type(value)
    mutable = isinstance(value, _MUTABLE) or (hasattr(value, "__dict__") and not isinstance(value, _IMMUTABLE_LEAVES))
    opaque = pb.OpaqueEntry(type_qualname=values.class_name_of(kind), mutable=mutable)
    if kind in _DATA_CONTAINERS and _is_plain_data(value):
        # a lookup table (`RATES = {"US": 7}`): the compiler freezes it into the version if the module never
        # changes it (docs/language.md, "Module constants")
        with contextlib.suppress(TypeError, ValueError):
            opaque.data = pb.Value(json=values.dumps(value))
    return pb.ManifestEntry(path=path, opaque=opaque)


def _describe_safely(value: Any, path: str) -> pb.ManifestEntry:
    """`describe`, but an object that breaks introspection becomes an opaque entry instead of failing the whole
    registration (the compiler refuses it only if the workflow actually uses it)."""
    try:
        return describe(value, path)
    except Exception:  # noqa: BLE001 - arbitrary user objects
        return pb.ManifestEntry(
            path=path, opaque=pb.OpaqueEntry(type_qualname=values.class_name_of(type(value)), mutable=True)
        )


# ---- references --------------------------------------------------------------------------------------------------


def action_ref(definition: ActionDefinition) -> pb.ActionRef:
    return pb.ActionRef(
        name=definition.name,
        module=definition.module,
        qualname=definition.qualname,
        params=_params(definition.signature),
        signature_hash=definition.signature_hash,
        policy=pb.ActionPolicy(
            retry=retry_policy(definition.retry) if definition.retry is not None else None,
            timeout_seconds=definition.timeout,
        ),
        at_most_once=definition.at_most_once,
        classes=_signature_classes(definition),
    )


def _signature_classes(definition: ActionDefinition) -> list[pb.ClassRef]:
    """The model, dataclass and enum classes the action's annotations name, and those their fields name."""
    try:
        hints = definition.hints
    except Exception:  # noqa: BLE001 - unresolvable hints fail the call itself, not the registration
        return []
    found: list[type] = []
    for hint in hints.values():
        _bundle_types.type_ref(hint, found)
    out: list[pb.ClassRef] = []
    seen: set[type] = set()
    for cls in found:
        if cls in seen:
            continue
        seen.add(cls)
        ref = class_ref(cls)
        out.append(ref)
    return out


def retry_policy(policy: RetryPolicy) -> pb.RetryPolicy:
    backoff = policy.backoff
    return pb.RetryPolicy(
        attempts=policy.attempts,
        backoff=pb.Backoff(
            kind=_BACKOFF_KINDS.get(backoff.kind, pb.BackoffKind.UNSPECIFIED),
            initial_seconds=backoff.initial,
            factor=backoff.factor,
            max_seconds=backoff.max,
            jitter=backoff.jitter,
        ),
        retry_on=[values.class_name_of(cls) for cls in policy.on],
    )


def workflow_ref(cls: type[Workflow]) -> pb.WorkflowRef:
    signature = inspect.signature(cls.__waymark_run__)
    return pb.WorkflowRef(name=cls.__waymark_name__, params=_params(signature, skip_self=True))


def class_ref(cls: type, *, nested: bool = True) -> pb.ClassRef:
    """The class as the compiler and the VM see it; models and dataclasses also carry their field annotations and
    (with `nested`) the classes those name, so the VM can validate a model built inside a workflow."""
    ref = pb.ClassRef(qualname=values.class_name_of(cls), mro=values.mro_names(cls))
    if issubclass(cls, BaseException):
        ref.kind = pb.ClassKind.EXCEPTION
        ref.init_owners = [values.class_name_of(k) for k in _python_method_owners(cls, "__init__")]
        ref.str_owners = [values.class_name_of(k) for k in _python_method_owners(cls, "__str__")]
        ref.class_attributes = _exception_class_attributes(cls)
        if nested:  # subclasses an action may raise though the workflow names only the base (`except PaymentError`)
            ref.field_classes = [
                class_ref(sub, nested=False) for sub in _subclasses(cls) if _exception_class_attributes(sub)
            ]
    elif _is_model_class(cls):
        ref.kind = pb.ClassKind.MODEL
        annotations = _bundle_types.field_annotations(cls)[0]
        for name, info in cls.model_fields.items():  # type: ignore[attr-defined]
            alias = info.alias if isinstance(info.alias, str) and info.alias != name else ""
            ref.fields.append(
                pb.FieldRef(name=name, default=_model_default(info), annotation=annotations.get(name), alias=alias)
            )
        config = getattr(cls, "model_config", {}) or {}
        ref.frozen = bool(config.get("frozen", False))
        ref.extra = str(config.get("extra") or "")
        ref.errors_url = _bundle_types.errors_url()
        ref.hash = _hash_kind(cls, model=True)
    elif dataclasses.is_dataclass(cls):
        ref.kind = pb.ClassKind.DATACLASS
        annotations = _bundle_types.field_annotations(cls)[0]
        for f in dataclasses.fields(cls):
            if f.init:
                ref.fields.append(
                    pb.FieldRef(name=f.name, default=_dataclass_default(f), annotation=annotations.get(f.name))
                )
        params = getattr(cls, "__dataclass_params__", None)
        ref.frozen = bool(getattr(params, "frozen", False))
        ref.hash = _hash_kind(cls, model=False)
        ref.identity_eq = not getattr(params, "eq", True)
        ref.unhashed = [f.name for f in dataclasses.fields(cls) if not (f.hash if f.hash is not None else f.compare)]
        ref.uncompared = [f.name for f in dataclasses.fields(cls) if not f.compare]
        ref.order = bool(getattr(params, "order", False))
    elif issubclass(cls, enum.Enum):
        ref.kind = pb.ClassKind.ENUM
        member_type = getattr(cls, "_member_type_", object)
        if member_type in (int, str, float):
            ref.enum_type = values.class_name_of(member_type)
        ref.enum_value_str = issubclass(cls, enum.ReprEnum)
        ref.enum_flag = issubclass(cls, enum.Flag)
        for name, member in cls.__members__.items():
            encoded = _encode(member.value)
            ref.members.append(pb.EnumMemberRef(name=name, value=encoded or pb.Value(json="null")))
    elif cls in _VALUE_TYPES:
        ref.kind = pb.ClassKind.BUILTIN_TYPE
    if nested and ref.kind in (pb.ClassKind.MODEL, pb.ClassKind.DATACLASS):
        ref.field_classes = _bundle_types.nested_classes(cls, lambda c: class_ref(c, nested=False))
    return ref


def _subclasses(cls: type) -> list[type]:
    """Every subclass of `cls` loaded in this process, depth first, each once."""
    out: list[type] = []
    stack: list[type] = list(reversed(type.__subclasses__(cls)))
    while stack:
        sub = stack.pop()
        if sub not in out:
            out.append(sub)
            stack += reversed(type.__subclasses__(sub))
    return out


def _exception_class_attributes(cls: type) -> list[pb.ClassAttributeRef]:
    """The immutable-data class attributes an instance of a user exception class reads through its class
    (`code = "declined"`), resolved through the MRO (the most derived wins); builtin bases add none."""
    seen: set[str] = set()
    out: list[pb.ClassAttributeRef] = []
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            continue
        for name, value in vars(klass).items():
            if name in seen or (name.startswith("__") and name.endswith("__")):
                continue
            seen.add(name)
            if _is_immutable(value) and not isinstance(value, type):
                encoded = _encode(value)
                if encoded is not None:
                    out.append(pb.ClassAttributeRef(name=name, value=encoded))
    return out


def _hash_kind(cls: type, *, model: bool) -> pb.HashKind:
    """What `hash()` of an instance does, from the class's `__hash__` as the decorators left it."""
    method = getattr(cls, "__hash__", None)
    if method is None:
        return pb.HashKind.UNHASHABLE
    if method is object.__hash__:
        return pb.HashKind.IDENTITY
    code = getattr(method, "__code__", None)
    if not model and code is not None and code.co_filename == "<string>":  # made by @dataclass (exec'd source)
        return pb.HashKind.FIELDS
    if model and str(getattr(method, "__module__", "")).startswith("pydantic."):  # pydantic's frozen hash
        return pb.HashKind.MODEL
    return pb.HashKind.CUSTOM


def _params(signature: inspect.Signature, skip_self: bool = False) -> list[pb.Param]:
    out = []
    parameters = list(signature.parameters.values())
    if skip_self and parameters:
        parameters = parameters[1:]
    for index, param in enumerate(parameters):
        default = None if param.default is inspect.Parameter.empty else _encode(param.default)
        out.append(
            pb.Param(
                name=param.name, slot=index + (1 if skip_self else 0), kind=_PARAM_KINDS[param.kind], default=default
            )
        )
    return out


def _model_default(info: Any) -> pb.Value | None:
    if info.is_required():
        return None
    factory = getattr(info, "default_factory", None)
    if factory is not None:
        return _encode(_FACTORIES[factory]) if factory in _FACTORIES else None
    return _encode(info.default)


def _dataclass_default(f: dataclasses.Field[Any]) -> pb.Value | None:
    if f.default is not dataclasses.MISSING:
        return _encode(f.default)
    if f.default_factory is not dataclasses.MISSING and f.default_factory in _FACTORIES:
        return _encode(_FACTORIES[f.default_factory])
    return None


def _encode(value: Any) -> pb.Value | None:
    try:
        return pb.Value(json=values.dumps(value))
    except TypeError:
        return None


# ---- what the classes use ----------------------------------------------------------------------------------------


class _Missing:
    pass


_MISSING = _Missing()


def _paths_used(cls: type, tree: ast.Module | None) -> list[str]:
    """Every name and dotted attribute path read inside the class body (and the bodies of its base classes defined
    in the same module, whose methods it inherits), e.g. `charge`, `datetime`, `datetime.now`, `waymark.RetryPolicy`."""
    found: dict[str, None] = {}
    for klass in cls.__mro__:
        if klass is cls or (klass.__module__ == cls.__module__ and klass not in (Workflow, object)):
            for path in _paths_in_class(klass, tree):
                found.setdefault(path, None)
    return list(found)


def _class_node(cls: type, tree: ast.Module | None) -> ast.ClassDef:
    """The class statement, found by qualname in the module's tree (parsed once per bundle; `inspect.getsource`
    would re-parse the module for every class), else through `inspect`."""
    node = _find_class(tree, cls.__qualname__) if tree is not None else None
    if node is not None:
        return node
    try:
        parsed = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError) as exc:
        raise BundleError(f"cannot read the source of workflow {cls.__qualname__} ({exc})") from None
    first = parsed.body[0] if parsed.body else None
    if not isinstance(first, ast.ClassDef):
        raise BundleError(f"cannot find the class statement of workflow {cls.__qualname__}")
    return first


def _find_class(tree: ast.Module, qualname: str) -> ast.ClassDef | None:
    scopes: list[list[ast.stmt]] = [tree.body]
    parts = [p for p in qualname.split(".") if p != "<locals>"]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        matches = [
            node
            for body in scopes
            for node in _nested_statements(body)
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == part
        ]
        if last:
            classes = [node for node in matches if isinstance(node, ast.ClassDef)]
            return classes[-1] if classes else None
        scopes = [node.body for node in matches]
    return None


def _nested_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for node in body:
        out.append(node)
        for child in ("body", "orelse", "finalbody"):
            if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                out += _nested_statements(getattr(node, child, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            out += _nested_statements(handler.body)
    return out


def _paths_in_class(cls: type, tree: ast.Module | None) -> list[str]:
    node = _class_node(cls, tree)
    found: dict[str, None] = {}
    for statement in node.body:
        for sub in ast.walk(statement):
            parts = _dotted(sub) if isinstance(sub, (ast.Name, ast.Attribute)) else None
            if parts is None:
                continue
            for count in range(1, len(parts) + 1):
                found.setdefault(".".join(parts[:count]), None)
    return list(found)


def _class_values(cls: type, tree: ast.Module | None) -> list[tuple[str, Any]]:
    """The immutable values of the attributes the class body (or a base's, in the same module) assigns, as the
    import computed them, under `<class qualname>.<name>`: a value computed at import (`started = time.time()`,
    `REGION = os.environ["REGION"]`) is configuration frozen into the version, like a module constant. Mutable
    values and objects are left out (the compiler refuses reading them)."""
    names: dict[str, None] = {}
    for klass in cls.__mro__:
        if klass is cls or (klass.__module__ == cls.__module__ and klass not in (Workflow, object)):
            for statement in _class_node(klass, tree).body:
                targets = (
                    statement.targets
                    if isinstance(statement, ast.Assign)
                    else [statement.target]
                    if isinstance(statement, ast.AnnAssign) and statement.value is not None
                    else []
                )
                names.update((t.id, None) for t in targets if isinstance(t, ast.Name))
    found = []
    for name in names:
        owner = next((k for k in cls.__mro__ if name in vars(k)), None)
        value = vars(owner)[name] if owner is not None else _MISSING
        if value is not _MISSING and _is_immutable(value):
            found.append((f"{cls.__qualname__}.{name}", value))
    return found


def _paths_assigned(tree: ast.Module | None, name: str) -> list[str]:
    """The names read by the module-level assignments of `name` (`POLICY = RetryPolicy(backoff=Backoff.fixed(5),
    on=[Declined])`): the compiler folds a policy object from its assignment, and needs what those names are."""
    found: dict[str, None] = {}
    for statement in tree.body if tree is not None else []:
        value: ast.expr | None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        else:
            continue
        if value is None or not any(isinstance(t, ast.Name) and t.id == name for t in targets):
            continue
        for sub in ast.walk(value):
            parts = _dotted(sub) if isinstance(sub, (ast.Name, ast.Attribute)) else None
            for count in range(1, len(parts or ()) + 1):
                found.setdefault(".".join((parts or ())[:count]), None)
    return list(found)


def _dotted(node: ast.expr) -> tuple[str, ...] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return tuple(reversed(parts))


def _namespace(module: types.ModuleType, cls: type) -> dict[str, Any]:
    """Module globals, overridden by the variables the class's methods close over (a workflow defined inside a
    function, as tests do)."""
    namespace = dict(vars(module))
    for member in vars(cls).values():
        fn = getattr(member, "__func__", member)
        fn = getattr(fn, "__wrapped__", fn)
        if inspect.isfunction(fn) and fn.__closure__:
            with contextlib.suppress(ValueError):  # an empty cell
                namespace.update(inspect.getclosurevars(fn).nonlocals)
    run = vars(cls).get("__waymark_run__")
    if inspect.isfunction(run) and run.__closure__:
        with contextlib.suppress(ValueError):
            namespace.update(inspect.getclosurevars(run).nonlocals)
    return namespace


def _lookup(namespace: dict[str, Any], path: str) -> Any:
    """Resolve `a.b.c`: the head in the namespace, then attributes only through modules (getattr on other objects
    could run user code, e.g. a property)."""
    head, *rest = path.split(".")
    if head not in namespace:
        return _MISSING
    value = namespace[head]
    for attr in rest:
        if not isinstance(value, types.ModuleType):
            return _MISSING
        value = getattr(value, attr, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value


# ---- small predicates --------------------------------------------------------------------------------------------


def _is_workflow_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, Workflow) and "__waymark_run__" in vars(value)


def _is_model_class(cls: type) -> bool:
    return isinstance(getattr(cls, "model_fields", None), dict) and hasattr(cls, "model_validate")


def _is_immutable(value: Any) -> bool:
    if isinstance(value, (tuple, frozenset)):
        return all(_is_immutable(item) for item in value)
    return isinstance(value, _IMMUTABLE_LEAVES)


def _is_plain_data(value: Any, depth: int = 0) -> bool:
    """Lists, dicts, sets, tuples and frozensets (exactly those types, nested) of immutable leaves."""
    if depth > 32:
        return False
    kind = type(value)
    if kind is dict:
        return all(_is_plain_data(k, depth + 1) and _is_plain_data(v, depth + 1) for k, v in value.items())
    if kind in (list, set, tuple, frozenset):
        return all(_is_plain_data(item, depth + 1) for item in value)
    return isinstance(value, _IMMUTABLE_LEAVES) and not isinstance(value, complex)


def _callable_name(value: Any) -> str:
    """`module.qualname` of a function, under its public path when the top-level package re-exports it
    (`asyncio.tasks.sleep` -> `asyncio.sleep`, `waymark._signals.wait_for_signal` -> `waymark.wait_for_signal`)."""
    qualname = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    module = getattr(value, "__module__", None)
    owner = getattr(value, "__self__", None)
    if module is None and owner is not None:  # a bound method of a builtin type or instance
        module = owner.__module__ if isinstance(owner, type) else type(owner).__module__
    if not qualname or not isinstance(module, str):
        return values.class_name_of(type(value))
    top = sys.modules.get(module.split(".")[0])
    if top is not None and top.__name__ != module:
        target: Any = top
        for part in qualname.split("."):
            target = getattr(target, part, _MISSING)
        if target is value or (
            getattr(target, "__func__", _MISSING) is getattr(value, "__func__", None)
            and target is not _MISSING
            and getattr(value, "__func__", None) is not None
        ):
            return f"{top.__name__}.{qualname}"
    return f"{module}.{qualname}"


def _definition_line(cls: type) -> int:
    """Where the class's run() starts: workflows are listed in the order they are defined."""
    code = getattr(vars(cls).get("__waymark_run__"), "__code__", None)
    return code.co_firstlineno if code is not None else 0
