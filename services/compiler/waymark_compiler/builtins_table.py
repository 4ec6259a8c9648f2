"""What the compiler knows about Python's builtins, computed from the running interpreter at import time.

This is data, not user code: the real MROs of builtin exception classes (so `except LookupError` catches a
`KeyError` raised in the VM), the builtin types usable in `isinstance` and conversions, the pure builtin functions a
workflow may call, and the methods of plain data it may call.
"""

from __future__ import annotations

import builtins
import datetime
import decimal
import uuid

from waymark_ir import pb, values


def _class_ref(cls: type, kind: pb.ClassKind) -> pb.ClassRef:
    return pb.ClassRef(qualname=values.class_name_of(cls), kind=kind, mro=values.mro_names(cls))


BUILTIN_EXCEPTIONS: dict[str, pb.ClassRef] = {
    name: _class_ref(obj, pb.ClassKind.EXCEPTION)
    for name, obj in sorted(vars(builtins).items())
    if isinstance(obj, type) and issubclass(obj, BaseException)
}

_TYPES: tuple[type, ...] = (int, float, str, bool, list, dict, set, frozenset, tuple, bytes, type(None), object)
BUILTIN_TYPES: dict[str, pb.ClassRef] = {
    cls.__name__: _class_ref(cls, pb.ClassKind.BUILTIN_TYPE) for cls in _TYPES if cls.__name__ != "NoneType"
}

#: Builtin functions a workflow may call: deterministic, no I/O, no hidden state. Each becomes a `BuiltinCall`.
PURE_FUNCTIONS: frozenset[str] = frozenset(
    {
        "len",
        "range",
        "enumerate",
        "zip",
        "min",
        "max",
        "sum",
        "abs",
        "round",
        "sorted",
        "reversed",
        "any",
        "all",
        "isinstance",
        "repr",
        "divmod",
        "pow",
        "chr",
        "ord",
        "hex",
        "oct",
        "bin",
        "format",
        "callable",
        "iter",
        "next",
    }
)
#: Builtin types that convert their argument when called: also `BuiltinCall`s (`str(e)`, `int("3")`, `list(xs)`).
CONVERSIONS: frozenset[str] = frozenset({"str", "int", "float", "bool", "list", "dict", "set", "frozenset", "tuple"})

#: Stdlib value types the VM knows (constructed with `Construct`, folded to constants when the arguments are).
STDLIB_VALUE_TYPES: frozenset[str] = frozenset(
    {
        values.class_name_of(cls)
        for cls in (
            datetime.datetime,
            datetime.date,
            datetime.time,
            datetime.timedelta,
            datetime.timezone,
            decimal.Decimal,
            uuid.UUID,
        )
    }
)

_DATA_TYPES: tuple[type, ...] = (str, list, dict, set, frozenset, tuple, bytes, int, float)
_UNSAFE_METHODS = frozenset({"fromhex", "maketrans", "mro"})  # class-level constructors, not data methods
#: Methods of plain data a workflow may call (`xs.append(1)`, `d.get(k, 0)`, `s.upper()` ...): `MethodCall`.
DATA_METHODS: frozenset[str] = frozenset(
    {
        name
        for cls in _DATA_TYPES
        for name in dir(cls)
        if not name.startswith("_") and callable(getattr(cls, name)) and name not in _UNSAFE_METHODS
    }
    | {
        # datetime / date / time / timedelta (local-time dependent ones like timestamp() and astimezone() are not)
        "isoformat",
        "strftime",
        "total_seconds",
        "date",
        "time",
        "replace",
        "weekday",
        "isoweekday",
        "isocalendar",
        "utcoffset",
        "tzname",
        # pydantic models
        "model_dump",
        "model_copy",
        "model_dump_json",
        # exceptions
        "with_traceback",
        "add_note",
    }
)
