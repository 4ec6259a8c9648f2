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
        "type",
        "map",
        "filter",
    }
)
#: Builtin types that convert their argument when called: also `BuiltinCall`s (`str(e)`, `int("3")`, `list(xs)`).
CONVERSIONS: frozenset[str] = frozenset(
    {"str", "int", "float", "bool", "list", "dict", "set", "frozenset", "tuple", "bytes"}
)

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

#: Stdlib types the VM also constructs from run-time values (`timedelta(days=n)`, `Decimal(text)`).
VM_CONSTRUCTIBLE: frozenset[str] = frozenset(
    {
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "datetime.timezone",
        "decimal.Decimal",
    }
)
#: Class methods of stdlib value types the VM implements (a `BuiltinCall` named by the qualified name).
CLASS_METHODS: frozenset[str] = frozenset(
    {
        "datetime.datetime.fromisoformat",
        "datetime.datetime.combine",
        "datetime.datetime.strptime",
        "datetime.datetime.fromordinal",
        "datetime.date.fromisoformat",
        "datetime.date.fromordinal",
        "datetime.time.fromisoformat",
        "dict.fromkeys",
    }
)
#: Class attributes of stdlib types that are values (a `BuiltinCall` without arguments named by the qualified name).
CLASS_CONSTANTS: frozenset[str] = frozenset({"datetime.timezone.utc"})
#: Class attributes of stdlib types that are immutable values the compiler folds into constants (`datetime.min`,
#: `timedelta.max`, `date.resolution`).
CLASS_VALUES: dict[str, object] = {
    f"{values.class_name_of(cls)}.{name}": getattr(cls, name)
    for cls in (datetime.datetime, datetime.date, datetime.time, datetime.timedelta)
    for name in ("min", "max", "resolution")
}


def class_value(cls: pb.ClassRef, attrs: list[str] | tuple[str, ...]) -> object | None:
    """The value of the stdlib class attribute `attrs[0]` when it is a constant (`datetime.min`), else None."""
    return CLASS_VALUES.get(f"{cls.qualname}.{attrs[0]}") if attrs else None


#: Class methods of every pydantic model the VM implements (`Order.model_validate(data)`).
MODEL_CLASS_METHODS: frozenset[str] = frozenset({"model_validate"})
#: Functions of stdlib modules the VM implements (a `BuiltinCall` named by the qualified name).
MODULE_FUNCTIONS: frozenset[str] = frozenset(
    {
        "dataclasses.replace",
        "dataclasses.asdict",
        "dataclasses.astuple",
        "operator.itemgetter",
        "operator.attrgetter",
        "math.ceil",
        "math.floor",
        "math.trunc",
        "math.sqrt",
        "math.isqrt",
        "math.fabs",
        "math.isclose",
        "math.gcd",
        "math.isnan",
        "math.isinf",
        "math.isfinite",
        "math.copysign",
        "math.prod",
        "typing.cast",
    }
)

#: The methods the VM implements, by the receiver's `type(x).__name__` ("model" stands for pydantic models,
#: "exception" for every exception class). Mirrors `METHODS` in services/scheduler/crates/vm-core/src/methods.rs;
#: tests/differential/test_language_doc.py checks that both agree and that docs/language.md lists them.
METHODS_BY_TYPE: dict[str, frozenset[str]] = {
    "str": frozenset(
        {
            "capitalize",
            "casefold",
            "center",
            "count",
            "encode",
            "endswith",
            "expandtabs",
            "find",
            "format",
            "format_map",
            "index",
            "isalnum",
            "isalpha",
            "isascii",
            "isdecimal",
            "isdigit",
            "isidentifier",
            "islower",
            "isnumeric",
            "isprintable",
            "isspace",
            "istitle",
            "isupper",
            "join",
            "ljust",
            "lower",
            "lstrip",
            "partition",
            "removeprefix",
            "removesuffix",
            "replace",
            "rfind",
            "rindex",
            "rjust",
            "rpartition",
            "rsplit",
            "rstrip",
            "split",
            "splitlines",
            "startswith",
            "strip",
            "swapcase",
            "title",
            "upper",
            "zfill",
        }
    ),
    "list": frozenset(
        {"append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"}
    ),
    "tuple": frozenset({"count", "index"}),
    "bytes": frozenset(
        {
            "count",
            "decode",
            "endswith",
            "find",
            "hex",
            "index",
            "join",
            "lower",
            "lstrip",
            "replace",
            "rfind",
            "rstrip",
            "split",
            "startswith",
            "strip",
            "upper",
        }
    ),
    "dict": frozenset({"clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"}),
    "set": frozenset(
        {
            "add",
            "clear",
            "copy",
            "difference",
            "difference_update",
            "discard",
            "intersection",
            "intersection_update",
            "isdisjoint",
            "issubset",
            "issuperset",
            "pop",
            "remove",
            "symmetric_difference",
            "symmetric_difference_update",
            "union",
            "update",
        }
    ),
    "frozenset": frozenset(
        {"copy", "difference", "intersection", "isdisjoint", "issubset", "issuperset", "symmetric_difference", "union"}
    ),
    "int": frozenset({"bit_length", "is_integer"}),
    "float": frozenset({"is_integer"}),
    "timedelta": frozenset({"total_seconds"}),
    "timezone": frozenset({"tzname", "utcoffset"}),
    "Decimal": frozenset(
        {
            "adjusted",
            "copy_abs",
            "copy_negate",
            "is_finite",
            "is_infinite",
            "is_nan",
            "is_signed",
            "is_zero",
            "normalize",
            "quantize",
            "to_integral",
            "to_integral_value",
        }
    ),
    "datetime": frozenset(
        {
            "astimezone",
            "ctime",
            "date",
            "isocalendar",
            "isoformat",
            "isoweekday",
            "replace",
            "strftime",
            "time",
            "timestamp",
            "timetz",
            "toordinal",
            "tzname",
            "utcoffset",
            "weekday",
        }
    ),
    "date": frozenset(
        {"ctime", "isocalendar", "isoformat", "isoweekday", "replace", "strftime", "toordinal", "weekday"}
    ),
    "time": frozenset({"isoformat", "replace", "strftime", "tzname", "utcoffset"}),
    "model": frozenset({"copy", "dict", "model_copy", "model_dump", "model_dump_json"}),
    "exception": frozenset({"add_note", "error_count", "with_traceback"}),
}

#: Methods of plain data a workflow may call (`xs.append(1)`, `d.get(k, 0)`, `s.upper()` ...): `MethodCall`. The
#: receiver's type is known only at run time, so the compiler checks the name; the VM checks the type.
DATA_METHODS: frozenset[str] = frozenset(name for names in METHODS_BY_TYPE.values() for name in names)
