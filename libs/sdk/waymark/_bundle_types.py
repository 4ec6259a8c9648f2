"""Field annotations of models and dataclasses as `pb.TypeRef`s, so the VM can validate a model built inside a
workflow the way pydantic does (lax mode), and the classes those annotations name (`field_classes`)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import decimal
import enum
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any

from waymark_ir import pb, values

_SCALARS: dict[Any, pb.TypeKind] = {
    type(None): pb.TypeKind.NONE,
    None: pb.TypeKind.NONE,
    bool: pb.TypeKind.BOOL,
    int: pb.TypeKind.INT,
    float: pb.TypeKind.FLOAT,
    str: pb.TypeKind.STR,
    bytes: pb.TypeKind.BYTES,
    datetime.datetime: pb.TypeKind.DATETIME,
    datetime.date: pb.TypeKind.DATE,
    datetime.time: pb.TypeKind.TIME,
    datetime.timedelta: pb.TypeKind.TIMEDELTA,
    decimal.Decimal: pb.TypeKind.DECIMAL,
    uuid.UUID: pb.TypeKind.UUID,
}
_CONTAINERS: dict[Any, pb.TypeKind] = {
    list: pb.TypeKind.LIST,
    tuple: pb.TypeKind.TUPLE,
    dict: pb.TypeKind.DICT,
    set: pb.TypeKind.SET,
    frozenset: pb.TypeKind.FROZENSET,
}


def is_model_class(cls: Any) -> bool:
    return (
        isinstance(cls, type)
        and isinstance(getattr(cls, "model_fields", None), dict)
        and hasattr(cls, "model_validate")
    )


_CONSTRAINTS = ("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length")


def constraints(metadata: list[Any]) -> list[pb.Constraint]:
    """pydantic/annotated-types constraints (`Gt(gt=0)`, `MaxLen(3)`, a FieldInfo's own metadata) as Constraints."""
    out: list[pb.Constraint] = []
    for item in metadata:
        inner = getattr(item, "metadata", None)
        if isinstance(inner, list):  # a FieldInfo inside Annotated[...]
            out += constraints(inner)
            continue
        for kind in _CONSTRAINTS:
            value = getattr(item, kind, None)
            if value is not None:
                with contextlib.suppress(TypeError):  # a constraint value the codec cannot carry: not checked
                    out.append(pb.Constraint(kind=kind, value=pb.Value(json=values.dumps(value))))
    return out


def type_ref(annotation: Any, found: list[type]) -> pb.TypeRef:
    """`annotation` as a TypeRef; the model, dataclass and enum classes it names are appended to `found`."""
    if annotation in _SCALARS:
        return pb.TypeRef(kind=_SCALARS[annotation])
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner = type_ref(args[0], found)
        inner.constraints += constraints(list(args[1:]))
        return inner
    if origin is typing.Union or origin is types.UnionType:
        return pb.TypeRef(kind=pb.TypeKind.UNION, args=[type_ref(a, found) for a in args])
    if origin is typing.Literal:
        try:
            literals = [pb.Value(json=values.dumps(a)) for a in args]
        except TypeError:
            return pb.TypeRef()
        return pb.TypeRef(kind=pb.TypeKind.LITERAL, literals=literals)
    container = _CONTAINERS.get(origin if origin is not None else annotation)
    if container is not None:
        if container == pb.TypeKind.TUPLE and len(args) == 2 and args[1] is Ellipsis:
            return pb.TypeRef(kind=container, args=[type_ref(args[0], found)], variadic=True)
        return pb.TypeRef(kind=container, args=[type_ref(a, found) for a in args])
    if isinstance(annotation, type):
        kind = None
        if is_model_class(annotation):
            kind = pb.TypeKind.MODEL
        elif dataclasses.is_dataclass(annotation):
            kind = pb.TypeKind.DATACLASS
        elif issubclass(annotation, enum.Enum):
            kind = pb.TypeKind.ENUM
        if kind is not None:
            if annotation not in found:
                found.append(annotation)
            return pb.TypeRef(kind=kind, qualname=values.class_name_of(annotation))
    return pb.TypeRef()  # anything else: not validated


def field_annotations(cls: type) -> tuple[dict[str, pb.TypeRef], list[type]]:
    """TypeRefs of the fields of a model or dataclass, and the classes they name."""
    found: list[type] = []
    out: dict[str, pb.TypeRef] = {}
    if is_model_class(cls):
        for name, info in cls.model_fields.items():  # type: ignore[attr-defined]
            ref = type_ref(info.annotation, found)
            ref.constraints += constraints(list(info.metadata))
            out[name] = ref
    elif dataclasses.is_dataclass(cls):
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # noqa: BLE001 - unresolvable annotations: no validation
            hints = {}
        for f in dataclasses.fields(cls):
            out[f.name] = type_ref(hints.get(f.name, Any), found)
    return out, found


def nested_classes(cls: type, flat_ref: Callable[[type], pb.ClassRef]) -> list[pb.ClassRef]:
    """Every model, dataclass and enum class the fields of `cls` name, transitively (not `cls` itself)."""
    seen: list[type] = [cls]
    queue = list(field_annotations(cls)[1])
    out: list[pb.ClassRef] = []
    while queue:
        nested = queue.pop(0)
        if nested in seen:
            continue
        seen.append(nested)
        out.append(flat_ref(nested))
        if not issubclass(nested, enum.Enum):
            queue += field_annotations(nested)[1]
    return out


def errors_url() -> str:
    try:
        import pydantic.version

        return f"https://errors.pydantic.dev/{pydantic.version.version_short()}/v/"
    except ImportError:  # pragma: no cover - pydantic is a dependency
        return ""
