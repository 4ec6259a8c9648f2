"""The tagged-JSON value codec (docs/values.md).

`values_vectors.json` is shared with the Rust codec (`vm_core::value`): a list of `{"json": <tagged JSON>,
"python": "<expression>"}`. The expression is evaluated with `math`, `decimal`, `datetime`, `uuid`, `http`,
`fixtures` (waymark_values_fixtures.py, next to this file), `RemoteException` and `with_cause(exc, cause)` in scope.
Append cases; never delete another engineer's.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import decimal
import enum
import http
import math
import pickle
import sys
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from waymark_ir import values
from waymark_ir.values import (
    RemoteException,
    ValueDecodingError,
    ValueEncodingError,
    class_name_of,
    decode,
    dumpb,
    dumps,
    encode,
    loads,
    mro_names,
)

HERE = Path(__file__).parent
if str(HERE) not in sys.path:  # so that class-tagged vectors import waymark_values_fixtures by name
    sys.path.insert(0, str(HERE))

import waymark_values_fixtures as fixtures  # type: ignore[import-not-found]  # noqa: E402


def with_cause(exc: BaseException, cause: BaseException) -> BaseException:
    exc.__cause__ = cause
    return exc


NAMESPACE = {
    "math": math,
    "decimal": decimal,
    "datetime": datetime,
    "uuid": uuid,
    "http": http,
    "fixtures": fixtures,
    "RemoteException": RemoteException,
    "with_cause": with_cause,
}
VECTORS: list[dict[str, Any]] = orjson.loads((HERE / "values_vectors.json").read_bytes())


def same(a: Any, b: Any) -> bool:
    """Equality that also checks types, float sign and NaN, Decimal precision, dict order and exception contents."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a):
            return math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, decimal.Decimal):
        return str(a) == str(b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(ka, kb) and same(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
    if isinstance(a, (datetime.datetime, datetime.time)):
        return bool(a.isoformat() == b.isoformat())
    if isinstance(a, BaseException):
        if isinstance(a, RemoteException) and (a.class_name, a.mro) != (b.class_name, b.mro):
            return False
        # With several args the message is repr(args), whose set order may differ: args are compared instead.
        if isinstance(a, RemoteException) and not same(a.remote_attrs, b.remote_attrs):
            return False
        if isinstance(a, RemoteException) and not same(a.remote_class_attrs, b.remote_class_attrs):
            return False
        if a.__suppress_context__ != b.__suppress_context__:
            return False
        return (
            (len(a.args) > 1 or str(a) == str(b))
            and same(list(a.args), list(b.args))
            and (a.__cause__ is None) == (b.__cause__ is None)
            and (a.__cause__ is None or same(a.__cause__, b.__cause__))
            and same(dict(getattr(a, "__dict__", {})), dict(getattr(b, "__dict__", {})))
        )
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if hasattr(type(a), "model_fields"):
        return all(same(getattr(a, name), getattr(b, name)) for name in type(a).model_fields)
    return bool(a == b)


# ---- shared vectors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=[v["python"][:60] for v in VECTORS])
def test_vector_encodes_to_its_json(vector: dict[str, Any]) -> None:
    value = eval(vector["python"], dict(NAMESPACE))
    assert orjson.dumps(encode(value)) == orjson.dumps(vector["json"])
    assert dumpb(value) == orjson.dumps(vector["json"])


@pytest.mark.parametrize("vector", VECTORS, ids=[v["python"][:60] for v in VECTORS])
def test_vector_decodes_to_its_value(vector: dict[str, Any]) -> None:
    value = eval(vector["python"], dict(NAMESPACE))
    assert same(decode(vector["json"]), value)
    assert same(loads(orjson.dumps(vector["json"])), value)
    assert same(loads(orjson.dumps(vector["json"]).decode()), value)


def test_vectors_cover_every_tag() -> None:
    text = orjson.dumps([v["json"] for v in VECTORS]).decode()
    for tag in values._TAGS:
        assert f'"{tag}"' in text, f"no vector uses {tag}"


# ---- the encoding, case by case ------------------------------------------------------------------------------------


def test_floats_always_look_like_floats() -> None:
    for number in (1.0, -0.0, 1e16, 2.5e-7, 123456789.0):
        text = dumps(number)
        assert "." in text or "e" in text.lower(), text
        assert type(loads(text)) is float
    assert dumps([1, 1.0]) == "[1,1.0]"


def test_int_range_boundaries() -> None:
    assert dumps(2**63 - 1) == "9223372036854775807"
    assert dumps(2**63) == '{"$int":"9223372036854775808"}'
    assert dumps(-(2**63)) == "-9223372036854775808"
    assert dumps(-(2**63) - 1) == '{"$int":"-9223372036854775809"}'
    assert loads(dumps(2**200)) == 2**200


def test_dict_order_is_kept() -> None:
    value = {"z": 1, "a": 2, "m": 3}
    assert list(loads(dumps(value))) == ["z", "a", "m"]
    mixed = {3: "c", 1: "a", 2: "b"}
    assert list(loads(dumps(mixed))) == [3, 1, 2]


def test_dollar_keys_never_look_like_tags() -> None:
    for value in ({"$int": "5"}, {"$tuple": [1]}, {"$": 1}, {"a": 1, "$b": 2}):
        text = dumps(value)
        assert text.startswith('{"$dict"'), text
        assert same(loads(text), value)


def test_plain_objects_with_several_keys_are_dicts_when_decoding() -> None:
    assert decode({"$a": 1, "b": 2}) == {"$a": 1, "b": 2}


def test_subclasses_of_builtins_travel_as_the_builtin() -> None:
    class Name(str):
        def __str__(self) -> str:
            return "not used"

    point = collections.namedtuple("point", "x y")
    assert same(loads(dumps(collections.OrderedDict(a=1))), {"a": 1})
    assert same(loads(dumps(collections.defaultdict(list, {1: [2]}))), {1: [2]})
    assert same(loads(dumps(point(1, 2))), (1, 2))
    assert same(loads(dumps(Name("ana"))), "ana")
    assert same(loads(dumps(bytearray(b"ab"))), b"ab")


def test_str_enum_and_int_enum_are_enums_not_str_or_int() -> None:
    class Mode(enum.StrEnum):
        FAST = "fast"

    encoded = encode(fixtures.Size.SMALL)
    assert encoded == {"$enum": {"class": "waymark_values_fixtures.Size", "name": "SMALL", "value": 1}}
    assert encode(Mode.FAST)["$enum"]["value"] == "fast"


def test_sets_encode_in_a_stable_order() -> None:
    assert dumps({"b", "c", "a"}) == '{"$set":["a","b","c"]}'
    assert dumps({(2, "x"), (1, "y")}) == dumps({(1, "y"), (2, "x")})
    assert same(loads(dumps({(2, "x"), (1, "y")})), {(2, "x"), (1, "y")})


def test_naive_and_aware_datetimes_stay_so() -> None:
    naive = datetime.datetime(2026, 1, 1, 12, 30)
    aware = naive.replace(tzinfo=datetime.UTC)
    assert loads(dumps(naive)).tzinfo is None
    assert loads(dumps(aware)).utcoffset() == datetime.timedelta(0)


def test_zoneinfo_datetimes_travel_as_their_offset() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        paris = zoneinfo.ZoneInfo("Europe/Paris")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no tz database here")
    moment = datetime.datetime(2026, 7, 1, 12, tzinfo=paris)
    decoded = loads(dumps(moment))
    assert decoded == moment
    assert decoded.utcoffset() == datetime.timedelta(hours=2)


def test_dataclass_fields_not_in_init_are_restored() -> None:
    box = fixtures.Box("b", [fixtures.Point(1, 2)])
    box.count = 5
    assert same(loads(dumps(box)), box)
    assert loads(dumps(box)).count == 5


def test_model_fields_travel_by_name_whatever_their_alias() -> None:
    order = fixtures.Order(id=3, items=[], comment="hi")
    assert encode(order)["$model"]["fields"] == {"id": 3, "items": [], "note": "hi"}
    assert loads(dumps(order)) == order


# ---- exceptions ----------------------------------------------------------------------------------------------------


def test_exception_mro_and_message() -> None:
    encoded = encode(KeyError("k"))["$exception"]
    assert encoded["mro"] == [
        "builtins.KeyError",
        "builtins.LookupError",
        "builtins.Exception",
        "builtins.BaseException",
    ]
    assert encoded["message"] == "'k'"
    assert encoded["args"] == ["k"]


def test_exception_whose_init_formats_its_args_keeps_its_message() -> None:
    error = loads(dumps(fixtures.PaymentDeclined(7, "card expired")))
    assert type(error) is fixtures.PaymentDeclined
    assert str(error) == "order 7: card expired"


def test_exception_cause_chain_round_trips() -> None:
    inner = ValueError("inner")
    outer = RuntimeError("outer")
    outer.__cause__ = inner
    decoded = loads(dumps(outer))
    assert type(decoded) is RuntimeError
    assert type(decoded.__cause__) is ValueError
    assert str(decoded.__cause__) == "inner"


def test_exception_cause_cycle_terminates() -> None:
    a, b = ValueError("a"), ValueError("b")
    a.__cause__, b.__cause__ = b, a
    decoded = loads(dumps(a))
    assert str(decoded.__cause__) == "b"
    assert decoded.__cause__.__cause__ is None


def test_unencodable_exception_args_travel_as_repr() -> None:
    error = ValueError("bad", object)
    decoded = loads(dumps(error))
    assert type(decoded) is ValueError
    assert decoded.args == ("bad", repr(object))


def test_unknown_exception_class_decodes_to_remote_exception_and_reencodes_identically() -> None:
    data = {
        "$exception": {
            "class": "gone.module.ShopError",
            "mro": ["gone.module.ShopError", "builtins.Exception", "builtins.BaseException"],
            "args": [1, {"$tuple": [2]}],
            "message": "shop broke",
            "cause": None,
        }
    }
    error = decode(data)
    assert isinstance(error, RemoteException)
    assert isinstance(error, Exception)
    assert (error.class_name, error.message, str(error)) == ("gone.module.ShopError", "shop broke", "shop broke")
    assert error.mro[0] == "gone.module.ShopError"
    assert encode(error) == data
    assert pickle.loads(pickle.dumps(error)).class_name == "gone.module.ShopError"


def test_exception_class_that_is_not_an_exception_decodes_to_remote() -> None:
    data: dict[str, Any] = {
        "$exception": {"class": "builtins.dict", "mro": [], "args": [], "message": "m", "cause": None}
    }
    assert isinstance(decode(data), RemoteException)


def test_waymark_style_module_override_is_used() -> None:
    class ActionTimeout(Exception):
        pass

    ActionTimeout.__module__ = "waymark"
    assert class_name_of(ActionTimeout) == "waymark.test_waymark_style_module_override_is_used.<locals>.ActionTimeout"
    assert mro_names(ActionTimeout)[1:] == ["builtins.Exception", "builtins.BaseException"]
    assert class_name_of(ValueError) == "builtins.ValueError"


def test_exception_groups_round_trip() -> None:
    group = ExceptionGroup("several", [ValueError("a"), KeyError("b")])
    decoded = loads(dumps(group))
    assert type(decoded) is ExceptionGroup
    assert [type(e) for e in decoded.exceptions] == [ValueError, KeyError]


# ---- refusals ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "type_name", "where"),
    [
        (lambda: 1, "builtins.function", "args"),
        ({"order": {"items": [1, 2, object()]}}, "builtins.object", "args['order']['items'][2]"),
        (
            {"order": fixtures.Order.model_construct(id=1, items=[1, 2, open])},
            "builtins.builtin_function_or_method",
            "args['order'].items[2]",
        ),
        ([fixtures.Point(1, object())], "builtins.object", "args[0].y"),
        ((1, (2, print)), "builtins.builtin_function_or_method", "args[1][1]"),
        ({1: {1, sum}}, "builtins.builtin_function_or_method", "args[1]{<set item>}"),
        ({object(): 1}, "builtins.object", "args[<object object>] (a key)"),
        (memoryview(b"x"), "builtins.memoryview", "args"),
    ],
)
def test_unsupported_values_name_type_and_path(value: Any, type_name: str, where: str) -> None:
    with pytest.raises(ValueEncodingError) as info:
        dumps(value, path="args")
    assert isinstance(info.value, TypeError)
    assert info.value.type_name == type_name
    if "<object object>" in where:
        assert info.value.path.startswith("args[<object object at ")
    else:
        assert info.value.path == where
    assert type_name in str(info.value)
    assert info.value.path in str(info.value)
    restored = pickle.loads(pickle.dumps(info.value))
    assert (restored.path, str(restored)) == (info.value.path, str(info.value))


def test_circular_values_are_refused() -> None:
    looping: list[Any] = [1]
    looping.append(looping)
    with pytest.raises(ValueEncodingError, match="nested more than"):
        dumps(looping)


def test_ints_too_long_for_text_are_refused() -> None:
    with pytest.raises(ValueEncodingError, match=r"builtins\.int"):
        dumps(10 ** (sys.get_int_max_str_digits() + 10))


@pytest.mark.parametrize(
    "data",
    [
        {"$nope": 1},
        {"$int": 5},
        {"$int": "five"},
        {"$float": "1.5"},
        {"$dict": [[1]]},
        {"$tuple": "x"},
        {"$bytes": "***"},
        {"$timedelta": [1, 2]},
        {"$uuid": "not-a-uuid"},
        {"$datetime": "yesterday"},
        {"$set": [[1]]},
        {"$enum": {"class": "waymark_values_fixtures.Color", "name": "PURPLE", "value": 0}},
        {"$enum": {"class": "waymark_values_fixtures.Point", "name": "x", "value": 0}},
        {"$model": {"class": "nowhere.Model", "fields": {}}},
        {"$model": {"class": "waymark_values_fixtures.Item", "fields": {"quantity": 1}}},
        {"$dataclass": {"class": "waymark_values_fixtures.Item", "fields": {}}},
        {"$dataclass": {"class": "waymark_values_fixtures.Point", "fields": {"x": 1}}},
        {"$exception": {"class": 5}},
    ],
)
def test_malformed_tags_are_decoding_errors(data: Any) -> None:
    with pytest.raises(ValueDecodingError):
        decode(data)
    with pytest.raises(ValueDecodingError):
        loads(orjson.dumps([data]))


def test_not_json_is_a_decoding_error() -> None:
    with pytest.raises(ValueDecodingError):
        loads("{nope")


# ---- fast path and properties --------------------------------------------------------------------------------------


def test_fast_path_output_is_orjsons() -> None:
    value = {"a": [1, 2.5, None, True, "x"], "b": {"c": []}}
    assert dumpb(value) == orjson.dumps(value)
    assert values._is_plain(value, 0)
    assert not values._is_plain({"a": (1,)}, 0)
    assert dumpb({"$a": 1}) == b'{"$dict":[["$a",1]]}'  # the walk skips keys; the text check catches it
    assert dumpb({1: 2}) == b'{"$dict":[[1,2]]}'
    assert dumpb([2**63]) == b'[{"$int":"9223372036854775808"}]'
    assert not values._is_plain([float("nan")], 0)


# A ZoneInfo travels as its UTC offset at that instant (isoformat), so equal but not identical: see
# test_zoneinfo_datetimes_travel_as_their_offset.
FIXED_ZONES = [
    datetime.UTC,
    datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
    datetime.timezone(datetime.timedelta(hours=-8)),
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.binary(max_size=20)
    | st.decimals(allow_nan=False)
    # isoformat() does not carry `fold` (docs/values.md), so values with fold=1 are not generated
    | st.datetimes(timezones=st.none() | st.sampled_from(FIXED_ZONES)).map(lambda d: d.replace(fold=0))
    | st.dates()
    | st.times().map(lambda t: t.replace(fold=0))
    | st.timedeltas()
    | st.uuids()
    | st.sampled_from([*fixtures.Color, *fixtures.Size, http.HTTPStatus.OK])
)
hashables = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.binary(max_size=5),
    lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3),
    max_leaves=6,
)


def _containers(inner: st.SearchStrategy[Any], *, exceptions: bool = True) -> st.SearchStrategy[Any]:
    data = (
        st.lists(inner, max_size=4)
        | st.tuples(inner)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=4)
        | st.dictionaries(hashables, inner, max_size=4)
        | st.sets(hashables, max_size=4)
        | st.frozensets(hashables, max_size=4)
        | st.builds(fixtures.Point, inner, inner)
        | st.builds(lambda label, n: fixtures.Box(label, [fixtures.Point(n, n)]), st.text(max_size=3), st.integers())
        | st.builds(fixtures.Item, sku=st.text(max_size=5), quantity=st.integers(-5, 5))
    )
    if not exceptions:
        return data
    return data | st.builds(lambda text, arg: ValueError(text, arg), st.text(max_size=5), inner)


json_values = st.recursive(scalars, _containers, max_leaves=20)
# An exception with several args has message repr(args), where a set's order may change on the way: not stable text.
data_values = st.recursive(scalars, lambda inner: _containers(inner, exceptions=False), max_leaves=20)
plain_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_round_trip_keeps_every_value(value: Any) -> None:
    text = dumps(value)
    assert same(loads(text), value)
    assert same(decode(encode(value)), value)
    assert same(decode(orjson.loads(text)), value)


@settings(max_examples=200)
@given(data_values)
def test_encoding_is_plain_json_and_stable(value: Any) -> None:
    structure = encode(value)
    assert orjson.loads(orjson.dumps(structure)) == structure
    assert dumps(value) == dumps(loads(dumps(value)))


@settings(max_examples=200)
@given(plain_json)
def test_plain_json_encodes_to_itself(value: Any) -> None:
    assert dumpb(value) == orjson.dumps(value) or _has_dollar_key(value)
    assert same(loads(dumps(value)), value)


def _has_dollar_key(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_dollar_key(item) for item in value)
    if isinstance(value, dict):
        return any(key.startswith("$") or _has_dollar_key(item) for key, item in value.items())
    return False


def test_module_has_no_sdk_dependency() -> None:
    imports = [line for line in Path(values.__file__).read_text().splitlines() if line.startswith(("import", "from"))]
    assert not [line for line in imports if "waymark " in line + " " or "waymark." in line or "pydantic" in line]
