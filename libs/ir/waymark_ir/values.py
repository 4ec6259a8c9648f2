"""The tagged-JSON value codec (docs/values.md): every value that crosses a process or VM boundary.

Plain JSON where plain JSON is exact; a one-key object `{"$tag": ...}` where it is not. `encode`/`decode` convert
between Python values and JSON-able structures; `dumps`/`loads` add the text step (orjson).

`dumps` is on the hot path of every action call, so both directions try a cheap fast path first: a value made only
of exact `str`/`int`/`float`/`bool`/`None`/`list`/`dict[str, ...]` is checked in one walk and handed to orjson as is,
and text with no `"$` in it cannot contain a tag, so `loads` is plain `orjson.loads` for it.

This module must not import the SDK (or pydantic): models are recognised by duck typing (`model_fields`,
`model_validate`), which is also how any pydantic 2 version is supported.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as _dt
import decimal
import enum
import importlib
import math
import sys
import types
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import orjson

__all__ = [
    "RemoteException",
    "ValueDecodingError",
    "ValueEncodingError",
    "class_name_of",
    "decode",
    "dumpb",
    "dumps",
    "encode",
    "import_qualified",
    "loads",
    "mro_names",
]

_INT_MIN = -(2**63)
_INT_MAX = 2**63  # exclusive
_MAX_DEPTH = 200  # deeper than any sane value; also how a self-containing list is caught


class ValueEncodingError(TypeError):
    """A value cannot be encoded. `type_name` is the offending type, `path` where it sits (`args['order'].items[2]`)."""

    def __init__(self, message: str, *, type_name: str = "", path: str = "") -> None:
        super().__init__(message)
        self.type_name = type_name
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_encoding_error, (str(self), self.type_name, self.path))


def _rebuild_encoding_error(message: str, type_name: str, path: str) -> ValueEncodingError:
    return ValueEncodingError(message, type_name=type_name, path=path)


class ValueDecodingError(ValueError):
    """Tagged JSON that does not describe a value: an unknown tag, a malformed payload, a class that cannot be
    imported (other than an exception's, which decodes to `RemoteException`)."""


class RemoteException(Exception):
    """An exception whose class cannot be imported here. Keeps the remote class name, its MRO names, its message
    (`str(exc)` is the remote message), its arguments and its instance attributes (`remote_attrs`; each is also set
    on this instance, so `exc.sku` reads it, unless it would hide one of this class's own attributes). Encoding it
    again reproduces the original tag, so an exception passing through a process that cannot import its class keeps
    its identity."""

    _OWN = frozenset({"message", "class_name", "mro", "remote_args", "remote_attrs", "remote_class_attrs"})

    def __init__(
        self,
        message: str,
        class_name: str,
        mro: Sequence[str],
        remote_args: Sequence[Any] = (),
        remote_attrs: dict[str, Any] | None = None,
        remote_class_attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.class_name = class_name
        self.mro = list(mro)
        self.remote_args = list(remote_args)
        self.remote_attrs = dict(remote_attrs or {})
        #: the remote class's attributes of immutable data (`code = "declined"`), read when the instance has no
        #: attribute of that name (`exc.code`), as through the class in CPython
        self.remote_class_attrs = dict(remote_class_attrs or {})
        for name, value in self.remote_attrs.items():
            if name not in self._OWN:
                self.__dict__[name] = value

    def __getattr__(self, name: str) -> Any:
        class_attrs = self.__dict__.get("remote_class_attrs") or {}
        if name in class_attrs and not (name.startswith("__") and name.endswith("__")):
            return class_attrs[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"RemoteException({self.class_name}: {self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            type(self),
            (self.message, self.class_name, self.mro, self.remote_args, self.remote_attrs, self.remote_class_attrs),
        )


# ---- names ---------------------------------------------------------------------------------------------------------


def class_name_of(cls: type) -> str:
    """`module.QualName`: what travels in `"class"` fields (`builtins.ValueError`, `waymark.ActionTimeout`)."""
    return f"{cls.__module__}.{cls.__qualname__}"


def mro_names(cls: type) -> list[str]:
    """Qualified names of the class and its bases in MRO order, `builtins.object` omitted."""
    return [class_name_of(base) for base in cls.__mro__ if base is not object]


def import_qualified(name: str) -> Any:
    """The object named `module.QualName`: imports the longest importable module prefix, then walks attributes.
    Raises ImportError (or AttributeError) when it cannot be found."""
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        module = sys.modules.get(module_name)
        if module is None:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
        target: Any = module
        for attr in parts[split:]:
            target = getattr(target, attr)
        return target
    raise ImportError(f"cannot import {name!r}: no importable module prefix")


# ---- encoding ------------------------------------------------------------------------------------------------------


class _Unsupported(Exception):
    """Raised deep inside the walk; each container on the way out prepends its path segment."""

    def __init__(self, type_name: str, reason: str) -> None:
        super().__init__(type_name)
        self.type_name = type_name
        self.reason = reason
        self.segments: list[str] = []  # innermost first


def encode(value: Any, *, path: str = "value") -> Any:
    """The tagged JSON structure of `value` (dicts, lists, str, int, float, bool, None). `path` names the value in
    error messages: `encode(kwargs, path="args")` reports `args['order'].items[2]`."""
    try:
        return _encode(value, 0)
    except _Unsupported as err:
        where = path + "".join(reversed(err.segments))
        raise ValueEncodingError(
            f"cannot encode a value of type {err.type_name} at {where}: {err.reason}",
            type_name=err.type_name,
            path=where,
        ) from None


def dumpb(value: Any, *, path: str = "value") -> bytes:
    """`encode` + orjson: UTF-8 JSON bytes."""
    if _is_plain(value, 0):
        try:
            text = orjson.dumps(value)
        except TypeError:  # a dict key that is not a str (orjson refuses it): the general path encodes it
            pass
        else:
            if b'"$' not in text:  # else a key may start with "$" (or a string does): let the general path decide
                return text
    return orjson.dumps(encode(value, path=path))


def dumps(value: Any, *, path: str = "value") -> str:
    """`encode` + orjson: JSON text."""
    return dumpb(value, path=path).decode()


_PLAIN_LEAVES = frozenset({str, bool, type(None)})


def _is_plain(value: Any, depth: int) -> bool:
    """True when orjson's output for `value` is its tagged encoding, provided that orjson accepts the dict keys
    (only str) and that no key starts with "$" (which `dumpb` checks on the text). Exact builtin types only; the
    checks of leaves are inlined because this walk is most of the cost of `dumps`."""
    t = type(value)
    if t is dict:
        items: Any = value.values()
    elif t is list:
        items = value
    elif t in _PLAIN_LEAVES:
        return True
    elif t is int:
        return bool(_INT_MIN <= value < _INT_MAX)
    elif t is float:
        return bool(value - value == 0.0)  # False for nan and +-inf
    else:
        return False
    if depth > _MAX_DEPTH:
        return False
    for item in items:
        t = type(item)
        if t in _PLAIN_LEAVES:
            continue
        if t is int:
            if not _INT_MIN <= item < _INT_MAX:
                return False
        elif t is float:
            if item - item != 0.0:
                return False
        elif not ((t is dict or t is list) and _is_plain(item, depth + 1)):
            return False
    return True


def _qualified_type(value: Any) -> str:
    return class_name_of(type(value))


def _encode(value: Any, depth: int) -> Any:
    t = type(value)
    if t is str or t is bool or value is None:
        return value
    if t is int:
        return value if _INT_MIN <= value < _INT_MAX else {"$int": _big_int_text(value)}
    if t is float:
        return value if value - value == 0.0 else {"$float": _float_text(value)}
    if depth > _MAX_DEPTH:
        raise _Unsupported(_qualified_type(value), f"nested more than {_MAX_DEPTH} levels deep (or circular)")
    if t is list:
        return _encode_items(value, depth, "[{}]")
    if t is dict:
        return _encode_dict(value, depth)
    handler = _BY_TYPE.get(t)
    if handler is not None:
        return handler(value, depth)
    return _encode_other(value, depth)


def _big_int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError as exc:  # longer than sys.get_int_max_str_digits()
        raise _Unsupported("builtins.int", str(exc)) from None


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def _encode_items(items: Sequence[Any], depth: int, segment: str) -> list[Any]:
    out: list[Any] = []
    append = out.append
    try:
        for item in items:
            append(_encode(item, depth + 1))
    except _Unsupported as err:
        err.segments.append(segment.format(len(out)))  # the item that failed is the next one
        raise
    return out


def _encode_dict(value: dict[Any, Any], depth: int) -> Any:
    if all(type(key) is str and key[:1] != "$" for key in value):
        out: dict[str, Any] = {}
        key: Any = None
        try:
            for key, item in value.items():
                out[key] = _encode(item, depth + 1)
        except _Unsupported as err:
            err.segments.append(f"[{key!r}]")
            raise
        return out
    pairs: list[list[Any]] = []
    try:
        for key, item in value.items():
            encoded_key = _encode_key(key, depth)
            pairs.append([encoded_key, _encode(item, depth + 1)])
    except _Unsupported as err:
        err.segments.append(f"[{key!r}]")
        raise
    return {"$dict": pairs}


def _encode_key(key: Any, depth: int) -> Any:
    try:
        return _encode(key, depth + 1)
    except _Unsupported as err:
        err.segments.append(" (a key)")
        raise


def _encode_set(value: set[Any] | frozenset[Any], depth: int) -> list[Any]:
    """Items in a stable order whatever the hash seed: numbers or strings sorted, anything else by encoded text
    (`<` on frozensets is a partial order, so sorting them would not be stable)."""
    numbers = all(type(item) in (int, float) for item in value)
    if numbers or all(type(item) is str for item in value):
        try:
            items = [_encode(item, depth + 1) for item in sorted(value)]
        except _Unsupported as err:  # an int too long for text
            err.segments.append("{<set item>}")
            raise
        return items
    try:
        items = [_encode(item, depth + 1) for item in value]
    except _Unsupported as err:
        err.segments.append("{<set item>}")
        raise
    items.sort(key=orjson.dumps)
    return items


def _encode_datetime(value: _dt.datetime, depth: int) -> Any:
    return {"$datetime": value.isoformat()}


def _encode_timedelta(value: _dt.timedelta, depth: int) -> Any:
    return {"$timedelta": [value.days, value.seconds, value.microseconds]}


def _encode_exception(exc: BaseException, depth: int, seen: set[int] | None = None) -> Any:
    seen = set() if seen is None else seen
    seen.add(id(exc))
    if isinstance(exc, RemoteException):
        class_name, mro = exc.class_name, list(exc.mro)
        raw_args: Sequence[Any] = exc.remote_args
    else:
        cls = type(exc)
        class_name, mro = class_name_of(cls), mro_names(cls)
        raw_args = exc.args if isinstance(exc.args, tuple) else ()
    args = []
    for arg in raw_args:
        # An exception must always be reportable: an argument that cannot travel travels as its repr().
        try:
            args.append(_encode(arg, depth + 1))
        except _Unsupported:
            args.append(_safe_repr(arg))
    cause = exc.__cause__
    encoded_cause = None
    if cause is not None and id(cause) not in seen and depth < _MAX_DEPTH:
        encoded_cause = _encode_exception(cause, depth + 1, seen)
    body = {"class": class_name, "mro": mro, "args": args, "message": _safe_str(exc), "cause": encoded_cause}
    # Setting a cause sets __suppress_context__, so decoding infers it from "cause"; only a value that differs from
    # that travels (`raise X from None`: no cause, suppressed), and existing encodings stay as they were.
    suppress = bool(exc.__suppress_context__)
    if suppress != (encoded_cause is not None):
        body["suppress_context"] = suppress
    attrs = _exception_attrs(exc, depth, seen)
    if attrs:
        body["attrs"] = attrs
    if isinstance(exc, RemoteException):
        class_attrs = {name: _encode_class_data(item, depth) for name, item in exc.remote_class_attrs.items()}
    else:
        class_attrs = _exception_class_attrs(type(exc), depth)
    if class_attrs:
        body["class_attrs"] = class_attrs
    return {"$exception": body}


def _encode_class_data(value: Any, depth: int) -> Any:
    try:
        return _encode(value, depth + 1)
    except (_Unsupported, RecursionError):
        return _safe_repr(value)


def _is_class_data(value: Any) -> bool:
    """Immutable data (what a workflow may read as a class attribute): scalars, dates, Decimal, UUID, enum members,
    and tuples and frozensets of those."""
    if type(value) in (tuple, frozenset):
        return all(_is_class_data(item) for item in value)
    return isinstance(value, _CLASS_DATA_LEAVES)


_CLASS_DATA_LEAVES: tuple[type, ...] = (
    type(None),
    bool,
    int,
    float,
    str,
    bytes,
    decimal.Decimal,
    _dt.datetime,
    _dt.date,
    _dt.time,
    _dt.timedelta,
    uuid.UUID,
    enum.Enum,
)


def _exception_class_attrs(cls: type, depth: int) -> dict[str, Any]:
    """The class attributes of immutable data an instance reads through its class (`code = "declined"` in the
    class body), each name resolved through the MRO (the most derived definition wins, also when it is not data);
    builtin classes add none. They travel so that a receiver that does not know the class (the VM, for a subclass
    the worker had not loaded at registration) reads them as CPython would."""
    seen: set[str] = set()
    out: dict[str, Any] = {}
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            continue
        for name, value in vars(klass).items():
            if name in seen or (name.startswith("__") and name.endswith("__")):
                continue
            seen.add(name)
            if _is_class_data(value):
                try:
                    out[name] = _encode(value, depth + 1)
                except (_Unsupported, RecursionError):
                    continue
    return out


def _exception_attrs(exc: BaseException, depth: int, seen: set[int]) -> dict[str, Any]:
    """The instance `__dict__` (`self.sku = sku` in `__init__`), private names included. Like an argument, a value
    that cannot travel travels as its repr(), and so does an exception already being encoded (a cycle)."""
    if isinstance(exc, RemoteException):
        items: Any = exc.remote_attrs.items()
    else:
        try:
            items = list(vars(exc).items())
        except TypeError:  # __slots__, no __dict__
            return {}
    out: dict[str, Any] = {}
    for name, item in items:
        if not isinstance(name, str):
            continue
        if isinstance(item, BaseException) and (id(item) in seen or depth >= _MAX_DEPTH):
            out[name] = _safe_repr(item)
            continue
        try:
            out[name] = _encode(item, depth + 1)
        except (_Unsupported, RecursionError):
            out[name] = _safe_repr(item)
    return out


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the error itself
        return _safe_repr(exc)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:  # noqa: BLE001 - nor a broken __repr__
        return f"<{_qualified_type(value)} object>"


def _model_fields(value: Any) -> dict[str, Any]:
    fields = {name: getattr(value, name) for name in type(value).model_fields}
    extra = getattr(value, "__pydantic_extra__", None)
    if extra:
        fields.update(extra)
    return fields


def _encode_fields(fields: dict[str, Any], depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name = ""
    try:
        for name, item in fields.items():
            out[name] = _encode(item, depth + 1)
    except _Unsupported as err:
        err.segments.append(f".{name}")
        raise
    return out


def _is_model(value: Any) -> bool:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(value, pydantic.BaseModel)


def _encode_other(value: Any, depth: int) -> Any:
    """Everything that is not an exact builtin type: enums, models, dataclasses, exceptions, subclasses."""
    if isinstance(value, enum.Enum):
        try:
            member_value = _encode(value.value, depth + 1)
        except _Unsupported as err:
            err.segments.append(".value")
            raise
        return {"$enum": {"class": _qualified_type(value), "name": value.name, "value": member_value}}
    if isinstance(value, BaseException):
        return _encode_exception(value, depth)
    if _is_model(value):
        return {"$model": {"class": _qualified_type(value), "fields": _encode_fields(_model_fields(value), depth)}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        return {"$dataclass": {"class": _qualified_type(value), "fields": _encode_fields(fields, depth)}}
    # Subclasses of builtin types travel as the builtin (OrderedDict -> dict, a NamedTuple -> tuple, ...).
    for base, handler in _BY_BASE:
        if isinstance(value, base):
            return handler(value, depth)
    raise _Unsupported(
        _qualified_type(value),
        "only the types listed in docs/values.md can travel (JSON types, "
        "tuples, sets, bytes, Decimal, datetime types, UUID, enums, pydantic models, dataclasses, "
        "exceptions)",
    )


_Handler = Callable[[Any, int], Any]

_BY_TYPE: dict[type, _Handler] = {
    tuple: lambda v, d: {"$tuple": _encode_items(v, d, "[{}]")},
    set: lambda v, d: {"$set": _encode_set(v, d)},
    frozenset: lambda v, d: {"$frozenset": _encode_set(v, d)},
    bytes: lambda v, d: {"$bytes": base64.b64encode(v).decode("ascii")},
    bytearray: lambda v, d: {"$bytes": base64.b64encode(v).decode("ascii")},
    decimal.Decimal: lambda v, d: {"$decimal": str(v)},
    _dt.datetime: _encode_datetime,
    _dt.date: lambda v, d: {"$date": v.isoformat()},
    _dt.time: lambda v, d: {"$time": v.isoformat()},
    _dt.timedelta: _encode_timedelta,
    uuid.UUID: lambda v, d: {"$uuid": str(v)},
}

# Checked in order (bool cannot be subclassed; datetime before date).
_BY_BASE: list[tuple[type, _Handler]] = [
    (str, lambda v, d: str.__str__(v)),
    (int, lambda v, d: _encode(int(v), d)),
    (float, lambda v, d: _encode(float(v), d)),
    (dict, lambda v, d: _encode_dict(dict(v), d)),
    (list, lambda v, d: _encode_items(list(v), d, "[{}]")),
    (tuple, _BY_TYPE[tuple]),
    (frozenset, _BY_TYPE[frozenset]),
    (set, _BY_TYPE[set]),
    (bytes, _BY_TYPE[bytes]),
    (decimal.Decimal, _BY_TYPE[decimal.Decimal]),
    (_dt.datetime, _encode_datetime),
    (_dt.date, _BY_TYPE[_dt.date]),
    (_dt.time, _BY_TYPE[_dt.time]),
    (_dt.timedelta, _encode_timedelta),
    (uuid.UUID, _BY_TYPE[uuid.UUID]),
]


# ---- decoding ------------------------------------------------------------------------------------------------------


def loads(text: str | bytes | bytearray | memoryview) -> Any:
    """Parse tagged JSON text and decode it."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueDecodingError(f"not JSON: {exc}") from None
    if isinstance(text, str):
        if '"$' not in text:
            return data
    elif b'"$' not in text:
        return data
    return decode(data)


def decode(data: Any) -> Any:
    """The Python value a tagged JSON structure describes."""
    t = type(data)
    if t is list:
        return [decode(item) for item in data]
    if t is dict:
        if len(data) == 1:
            key = next(iter(data))
            if key[:1] == "$":
                return _decode_tag(key, data[key])
        return {key: decode(item) for key, item in data.items()}
    return data


def _decode_tag(tag: str, payload: Any) -> Any:
    decoder = _TAGS.get(tag)
    if decoder is None:
        raise ValueDecodingError(f"unknown tag {tag!r} (see docs/values.md)")
    try:
        return decoder(payload)
    except (ValueDecodingError, RecursionError):
        raise
    except Exception as exc:
        raise ValueDecodingError(f"malformed {tag}: {type(exc).__name__}: {exc}") from exc


def _expect(payload: Any, kind: type, tag: str) -> Any:
    if not isinstance(payload, kind):
        raise ValueDecodingError(f"malformed {tag}: expected a JSON {kind.__name__}, got {type(payload).__name__}")
    return payload


def _decode_int(payload: Any) -> int:
    return int(_expect(payload, str, "$int"))


def _decode_float(payload: Any) -> float:
    if payload not in ("nan", "inf", "-inf"):
        raise ValueDecodingError(f"malformed $float: {payload!r} (expected 'nan', 'inf' or '-inf')")
    return float(payload)


def _decode_dict(payload: Any) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for pair in _expect(payload, list, "$dict"):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueDecodingError("malformed $dict: each entry must be a [key, value] pair")
        out[decode(pair[0])] = decode(pair[1])
    return out


def _decode_bytes(payload: Any) -> bytes:
    try:
        return base64.b64decode(_expect(payload, str, "$bytes"), validate=True)
    except binascii.Error as exc:
        raise ValueDecodingError(f"malformed $bytes: {exc}") from None


def _decode_timedelta(payload: Any) -> _dt.timedelta:
    days, seconds, microseconds = _expect(payload, list, "$timedelta")
    return _dt.timedelta(days=days, seconds=seconds, microseconds=microseconds)


def _import_class(name: Any, tag: str) -> Any:
    if not isinstance(name, str):
        raise ValueDecodingError(f'malformed {tag}: "class" must be a string')
    try:
        cls = import_qualified(name)
    except (ImportError, AttributeError) as exc:
        raise ValueDecodingError(f"{tag} names class {name!r}, which cannot be imported here: {exc}") from None
    if not isinstance(cls, type):
        raise ValueDecodingError(f"{tag} names {name!r}, which is not a class")
    return cls


def _decode_enum(payload: Any) -> enum.Enum:
    body = _expect(payload, dict, "$enum")
    cls = _import_class(body.get("class"), "$enum")
    if not issubclass(cls, enum.Enum):
        raise ValueDecodingError(f"$enum names {body.get('class')!r}, which is not an Enum")
    name = body.get("name")
    if isinstance(name, str) and name in cls.__members__:
        member: enum.Enum = cls.__members__[name]
        return member
    # a Flag value that is not a single member (`Perm.R | Perm.W` is named "R|W", `Perm(0)` has no name)
    if "value" not in body:
        raise ValueDecodingError(f"$enum: {body.get('class')!r} has no member {name!r}")
    composite: enum.Enum = cls(decode(body["value"]))
    return composite


def _decode_model(payload: Any) -> Any:
    body = _expect(payload, dict, "$model")
    cls = _import_class(body.get("class"), "$model")
    fields = {name: decode(item) for name, item in _expect(body.get("fields"), dict, "$model").items()}
    validate = getattr(cls, "model_validate", None)
    if validate is None:
        raise ValueDecodingError(f"$model names {body.get('class')!r}, which is not a pydantic model")
    try:
        return validate(fields, by_name=True)  # fields travel by attribute name, whatever their aliases
    except TypeError:  # pydantic before 2.11 has no by_name
        return validate(fields)


def _decode_dataclass(payload: Any) -> Any:
    body = _expect(payload, dict, "$dataclass")
    cls: Any = _import_class(body.get("class"), "$dataclass")
    if not hasattr(cls, "__dataclass_fields__"):
        raise ValueDecodingError(f"$dataclass names {body.get('class')!r}, which is not a dataclass")
    fields = {name: decode(item) for name, item in _expect(body.get("fields"), dict, "$dataclass").items()}
    init_names = {field.name for field in dataclasses.fields(cls) if field.init}
    instance: Any = cls(**{name: item for name, item in fields.items() if name in init_names})
    for name, item in fields.items():
        if name not in init_names:  # fields the constructor does not take: restore them as they were
            object.__setattr__(instance, name, item)
    return instance


def _decode_exception(payload: Any) -> BaseException:
    body = _expect(payload, dict, "$exception")
    class_name = body.get("class")
    if not isinstance(class_name, str):
        raise ValueDecodingError('malformed $exception: "class" must be a string')
    message = body.get("message")
    message = message if isinstance(message, str) else ""
    mro = body.get("mro") or [class_name]
    class_attrs: dict[str, Any] = {}
    for name, item in _expect(body.get("class_attrs") or {}, dict, "$exception class_attrs").items():
        try:
            class_attrs[name] = decode(item)
        except ValueDecodingError:
            class_attrs[name] = item
    args: list[Any] = []
    for arg in body.get("args") or []:
        try:
            args.append(decode(arg))
        except ValueDecodingError:
            args.append(arg)  # keep what we cannot rebuild as its tagged form rather than lose the exception
    attrs: dict[str, Any] = {}
    for name, item in _expect(body.get("attrs") or {}, dict, "$exception attrs").items():
        try:
            attrs[name] = decode(item)
        except ValueDecodingError:
            attrs[name] = item
    cause_data = body.get("cause")
    try:
        cls = import_qualified(class_name)
    except (ImportError, AttributeError):
        cls = None
    exc = None
    if isinstance(cls, type) and issubclass(cls, BaseException):
        exc = _rebuild_exception(cls, args, attrs)
    if exc is None:
        exc = RemoteException(message, class_name, mro, args, attrs, class_attrs)
    if cause_data is not None:
        cause = decode(cause_data)
        if isinstance(cause, BaseException):
            exc.__cause__ = cause  # also sets __suppress_context__, as "suppress_context" is absent then
    suppress = body.get("suppress_context")
    if isinstance(suppress, bool):
        exc.__suppress_context__ = suppress
    return exc


_C_METHODS = (types.BuiltinFunctionType, types.WrapperDescriptorType, types.MethodWrapperType)


def _resolved(cls: type, name: str) -> tuple[type, Any]:
    """The class of `cls.__mro__` that defines `name`, and what it defines."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass, vars(klass)[name]
    return object, None  # pragma: no cover - object defines both


def _rebuild_exception(cls: type[BaseException], args: list[Any], attrs: dict[str, Any]) -> BaseException | None:
    """The exception without running user code, as pickle would: a class whose `__init__` and `__new__` are the
    interpreter's own is called with its args (so `OSError(2, "x")` gets its errno); any other class is made with
    the nearest builtin `__new__`, then the nearest builtin `__init__` (`BaseException.__init__(obj, *args)`, or
    OSError's). The instance attributes are restored last. None when the class cannot be rebuilt either way (the
    caller makes a `RemoteException`)."""
    _, init = _resolved(cls, "__init__")
    _, new = _resolved(cls, "__new__")
    exc: BaseException | None = None
    if isinstance(init, _C_METHODS) and isinstance(new, _C_METHODS):
        try:
            exc = cls(*args)
        except Exception:  # noqa: BLE001 - a builtin that wants other arguments: build it bare below
            exc = None
    if exc is None:
        try:
            # the nearest `__new__` that is the interpreter's own (a user `__new__` is skipped)
            owner = next(k for k in cls.__mro__ if isinstance(vars(k).get("__new__"), _C_METHODS))
            exc = owner.__new__(cls)  # type: ignore[call-overload]
            # the nearest builtin __init__ (OSError's sets errno and strerror from the args), else BaseException's
            init_owner = next(k for k in cls.__mro__ if isinstance(vars(k).get("__init__"), _C_METHODS))
            try:
                init_owner.__init__(exc, *args)  # type: ignore[misc]
            except Exception:  # noqa: BLE001 - args it does not take (UnicodeDecodeError wants five)
                BaseException.__init__(exc, *args)
        except Exception:  # noqa: BLE001 - the class cannot be rebuilt: the caller falls back
            return None
    assert exc is not None
    try:
        exc.__dict__.update(attrs)
    except AttributeError:  # __slots__
        for name, value in attrs.items():
            try:
                setattr(exc, name, value)
            except Exception:  # noqa: BLE001, S112 - an attribute the class refuses stays behind
                continue
    return exc


_TAGS: dict[str, Callable[[Any], Any]] = {
    "$int": _decode_int,
    "$float": _decode_float,
    "$dict": _decode_dict,
    "$tuple": lambda p: tuple(decode(item) for item in _expect(p, list, "$tuple")),
    "$set": lambda p: {decode(item) for item in _expect(p, list, "$set")},
    "$frozenset": lambda p: frozenset(decode(item) for item in _expect(p, list, "$frozenset")),
    "$bytes": _decode_bytes,
    "$decimal": lambda p: decimal.Decimal(_expect(p, str, "$decimal")),
    "$datetime": lambda p: _dt.datetime.fromisoformat(_expect(p, str, "$datetime")),
    "$date": lambda p: _dt.date.fromisoformat(_expect(p, str, "$date")),
    "$time": lambda p: _dt.time.fromisoformat(_expect(p, str, "$time")),
    "$timedelta": _decode_timedelta,
    "$uuid": lambda p: uuid.UUID(_expect(p, str, "$uuid")),
    "$enum": _decode_enum,
    "$model": _decode_model,
    "$dataclass": _decode_dataclass,
    "$exception": _decode_exception,
}
