"""What the manifest says about classes whose behaviour depends on their kind (enum mixins, dataclass and model
hashing, the Python `__init__`/`__str__` of exceptions), and how the compiler uses it."""

from __future__ import annotations

import dataclasses
import enum

import pytest
from compiler_support import load
from pydantic import BaseModel, ConfigDict
from waymark._bundle import bundles_for_modules, class_ref
from waymark_compiler import check_bundle, compile_bundle
from waymark_ir import pb


class Tier(enum.IntEnum):
    FREE = 0


class Mode(enum.StrEnum):
    FAST = "fast"


class Perm(enum.IntFlag):
    R = 4


class Unit(str, enum.Enum):  # noqa: UP042 - a str mixin on purpose
    KG = "kg"


class Color(enum.Enum):
    RED = 1


@pytest.mark.parametrize(
    ("cls", "enum_type", "value_str", "flag"),
    [
        (Tier, "builtins.int", True, False),
        (Mode, "builtins.str", True, False),
        (Perm, "builtins.int", True, True),
        (Unit, "builtins.str", False, False),
        (Color, "", False, False),
    ],
)
def test_enum_kinds(cls: type, enum_type: str, value_str: bool, flag: bool) -> None:
    ref = class_ref(cls)
    assert (ref.kind, ref.enum_type, ref.enum_value_str, ref.enum_flag) == (
        pb.ClassKind.ENUM,
        enum_type,
        value_str,
        flag,
    )


@dataclasses.dataclass(frozen=True)
class Frozen:
    x: int
    y: int = dataclasses.field(default=0, hash=False)
    z: int = dataclasses.field(default=0, compare=False)


@dataclasses.dataclass(unsafe_hash=True)
class UnsafeHash:
    x: int


@dataclasses.dataclass
class Mutable:
    x: int


@dataclasses.dataclass(eq=False)
class Identity:
    x: int


@dataclasses.dataclass(frozen=True)
class OwnHash:
    x: int

    def __hash__(self) -> int:
        return 1


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True)
    a: int


class MutableModel(BaseModel):
    a: int


@pytest.mark.parametrize(
    ("cls", "kind"),
    [
        (Frozen, pb.HashKind.FIELDS),
        (UnsafeHash, pb.HashKind.FIELDS),
        (Mutable, pb.HashKind.UNHASHABLE),
        (Identity, pb.HashKind.IDENTITY),
        (OwnHash, pb.HashKind.CUSTOM),
        (FrozenModel, pb.HashKind.MODEL),
        (MutableModel, pb.HashKind.UNHASHABLE),
    ],
)
def test_hash_kinds(cls: type, kind: pb.HashKind) -> None:
    assert class_ref(cls).hash == kind


def test_dataclass_fields_left_out_of_hash_and_eq() -> None:
    ref = class_ref(Frozen)
    assert (ref.unhashed, ref.uncompared, ref.identity_eq) == (["y", "z"], ["z"], False)
    assert class_ref(Identity).identity_eq


def test_exception_method_owners() -> None:
    errors = load("bundle_errors")
    declined = class_ref(errors.Declined)
    assert declined.init_owners == ["bundle_errors.Declined", "bundle_errors.ShopError"]
    assert declined.str_owners == ["bundle_errors.Declined"]
    assert class_ref(ValueError).init_owners == []


@pytest.fixture(scope="module")
def raises() -> pb.Bundle:
    (bundle,) = bundles_for_modules([load("bundle_raises")])
    return bundle


def test_the_source_of_constructed_exceptions_travels(raises: pb.Bundle) -> None:
    (module,) = raises.modules  # bundle_errors, for Declined (built); Caught is only caught
    assert module.module == "bundle_errors"
    assert "class Declined(ShopError)" in module.source
    assert [e.path for e in module.manifest] == ["CURRENCY"]
    assert module.manifest[0].constant == pb.Value(json='"EUR"')


def test_action_signature_classes(raises: pb.Bundle) -> None:
    action = next(e.action for e in raises.manifest if e.action is not None)
    assert [c.qualname for c in action.classes] == ["bundle_raises.Level"]


def test_exception_methods_compile_into_the_program(raises: pb.Bundle) -> None:
    response = check_bundle(raises)
    assert not response.diagnostics, [d.rendered for d in response.diagnostics]
    (compiled,) = response.workflows
    program = compiled.program
    assert program is not None
    names = [f.name for f in program.functions]
    assert names == ["run", "Declined.__init__", "Declined.__str__", "ShopError.__init__"]
    classes = {c.qualname: c for c in program.classes}
    declined = classes["bundle_errors.Declined"]
    assert (declined.init_function, declined.str_function) == (1, 2)
    assert classes["bundle_errors.Caught"].init_function is None  # caught, not built: not compiled
    assert classes["bundle_raises.Level"].enum_type == "builtins.int"  # from the action's signature
    assert not program.actions[0].classes  # moved into the class table


def test_a_constructed_exception_without_source_is_refused(raises: pb.Bundle) -> None:
    bundle = pb.Bundle().parse(bytes(raises))
    bundle.modules = []
    diagnostics = compile_bundle(bundle).diagnostics
    assert [(d.code, d.span.line) for d in diagnostics] == [("WM144", 26)]  # raise Declined(amount)
    assert "source is not available" in diagnostics[0].message
