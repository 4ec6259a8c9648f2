"""`waymark._bundle`: what a worker sends the compiler, built from real imported modules."""

from __future__ import annotations

import betterproto2
import pytest
from compiler_support import FIXTURES, load
from waymark import Workflow, action, workflow
from waymark._bundle import BundleError, bundle_for_module, bundles_for_modules, bundles_for_workflows, describe
from waymark_compiler import check_bundle
from waymark_ir import pb, values


def kind(entry: pb.ManifestEntry) -> str:
    return betterproto2.which_one_of(entry, "kind")[0]


@pytest.fixture(scope="module")
def shop() -> pb.Bundle:
    bundles = bundles_for_modules([load("bundle_shop")])
    by_module = {b.module: b for b in bundles}
    assert "bundle_child" not in by_module or by_module["bundle_child"].workflows  # imported workflows group apart
    return by_module["bundle_shop"]


def entries(bundle: pb.Bundle) -> dict[str, pb.ManifestEntry]:
    return {e.path: e for e in bundle.manifest}


def test_module_source_and_workflows(shop: pb.Bundle) -> None:
    assert shop.module == "bundle_shop"
    assert shop.filename == "bundle_shop.py"  # from the import path: the same on every machine
    assert shop.source == (FIXTURES / "bundle_shop.py").read_text()
    assert [(w.name, w.qualname) for w in shop.workflows] == [("Shop", "Shop")]
    assert [e.path for e in shop.manifest] == sorted(e.path for e in shop.manifest)


def test_actions(shop: pb.Bundle) -> None:
    found = entries(shop)
    charge = found["bundle_payments.charge"].action
    assert charge is not None
    assert (charge.name, charge.module, charge.qualname) == ("bundle-charge", "bundle_payments", "charge")
    assert [(p.name, p.kind) for p in charge.params] == [
        ("order_id", pb.ParamKind.POSITIONAL_OR_KEYWORD),
        ("amount", pb.ParamKind.POSITIONAL_OR_KEYWORD),
        ("note", pb.ParamKind.KEYWORD_ONLY),
    ]
    assert charge.params[0].default is None
    assert charge.params[1].default == pb.Value(json="1.5")
    assert charge.params[2].default == pb.Value(json="null")
    definition = load("bundle_payments").charge.__waymark_action__
    assert charge.signature_hash == definition.signature_hash
    assert charge.at_most_once
    assert charge.policy is not None
    assert charge.policy.timeout_seconds == 15
    retry = charge.policy.retry
    assert retry is not None
    assert retry.attempts == 4
    assert retry.retry_on == ["bundle_payments.CardDeclined"]
    assert retry.backoff == pb.Backoff(kind=pb.BackoffKind.EXPONENTIAL, initial_seconds=2, factor=2, max_seconds=30)
    reserve = found["reserve"].action
    assert reserve is not None
    assert reserve.policy == pb.ActionPolicy()
    assert kind(found["bundle_payments"]) == "module"


def test_classes(shop: pb.Bundle) -> None:
    found = entries(shop)
    declined = found["CardDeclined"].class_ref
    assert declined is not None
    assert declined.kind == pb.ClassKind.EXCEPTION
    assert declined.mro == [
        "bundle_payments.CardDeclined",
        "bundle_payments.PaymentError",
        "builtins.ValueError",
        "builtins.Exception",
        "builtins.BaseException",
    ]
    size = found["Size"].class_ref
    assert size is not None
    assert size.kind == pb.ClassKind.ENUM
    assert [(m.name, m.value.json if m.value else None) for m in size.members] == [("SMALL", '"s"'), ("LARGE", '"l"')]
    address = found["Address"].class_ref
    assert address is not None
    assert address.kind == pb.ClassKind.DATACLASS
    assert [(f.name, f.default.json if f.default else None) for f in address.fields] == [
        ("street", None),
        ("city", '"Paris"'),
        ("notes", "[]"),
    ]
    timedelta = found["timedelta"].class_ref
    assert timedelta is not None
    assert (timedelta.qualname, timedelta.kind) == ("datetime.timedelta", pb.ClassKind.BUILTIN_TYPE)
    assert found["dt.datetime"].class_ref is not None
    assert kind(found["dt"]) == "module"
    assert found["dt"].module == pb.ModuleEntry(name="datetime")


def test_model_fields() -> None:
    line = describe(load("bundle_shop").Line).class_ref
    assert line is not None
    assert line.kind == pb.ClassKind.MODEL
    assert [(f.name, f.default.json if f.default else None) for f in line.fields] == [
        ("sku", None),
        ("qty", "1"),
        ("tags", "[]"),
    ]
    assert line.mro[0] == "bundle_shop.Line"
    assert "pydantic.main.BaseModel" in line.mro


def test_constants_and_opaque(shop: pb.Bundle) -> None:
    found = entries(shop)
    assert found["MAX_TRIES"].constant == pb.Value(json="3")
    assert values.loads(found["CODES"].constant.json) == ("a", "b")  # type: ignore[union-attr]
    assert values.loads(found["FROZEN"].constant.json) == frozenset({1, 2})  # type: ignore[union-attr]
    assert values.loads(found["BIG"].constant.json) == 10**30  # type: ignore[union-attr]
    assert values.loads(found["DEFAULT_SIZE"].constant.json) is load("bundle_shop").Size.SMALL  # type: ignore[union-attr]
    # a list of plain data carries its value: the compiler freezes it when the module never changes it
    assert found["PENDING"].opaque == pb.OpaqueEntry(
        type_qualname="builtins.list", mutable=True, data=pb.Value(json="[]")
    )
    lock = found["LOCK"].opaque
    assert lock is not None
    assert lock.type_qualname.endswith("lock")


def test_functions_use_public_names(shop: pb.Bundle) -> None:
    found = entries(shop)
    assert found["sleep"].function == pb.FunctionEntry(qualname="asyncio.sleep", is_async=True)
    assert found["asyncio.sleep"].function == pb.FunctionEntry(qualname="asyncio.sleep", is_async=True)
    assert found["wait_for_signal"].function == pb.FunctionEntry(qualname="waymark.wait_for_signal", is_async=True)
    assert found["plain_helper"].function == pb.FunctionEntry(qualname="bundle_shop.plain_helper")
    assert found["plain_async"].function == pb.FunctionEntry(qualname="bundle_shop.plain_async", is_async=True)
    assert found["waymark.RetryPolicy"].class_ref is not None


def test_child_workflow_ref(shop: pb.Bundle) -> None:
    child = entries(shop)["BundleChild"].workflow
    assert child is not None
    assert child.name == "bundle-child"
    assert [(p.name, p.slot, p.default.json if p.default else None) for p in child.params] == [
        ("n", 1, None),
        ("label", 2, '"x"'),
    ]


def test_shop_compiles(shop: pb.Bundle) -> None:
    response = check_bundle(shop)
    assert not response.diagnostics, "\n\n".join(d.rendered for d in response.diagnostics)
    assert [w.workflow_name for w in response.workflows] == ["Shop"]


def test_bundles_group_by_defining_module() -> None:
    bundles = bundles_for_modules([load("bundle_shop")])
    assert sorted((b.module, [w.name for w in b.workflows]) for b in bundles) == [
        ("bundle_child", ["bundle-child"]),
        ("bundle_shop", ["Shop"]),
    ]
    again = bundles_for_workflows([load("bundle_child").BundleChild])
    assert [b.module for b in again] == ["bundle_child"]


def test_version_id_is_stable() -> None:
    first = check_bundle(bundle_for_module(load("bundle_shop"))).workflows
    second = check_bundle(bundle_for_module(load("bundle_shop"))).workflows
    assert [w.version_id for w in first] == [w.version_id for w in second]
    assert len(first[0].version_id) == 64


@action
async def closure_step(n: int) -> int:
    return n + 0


def test_workflow_defined_inside_a_function() -> None:
    local_offset = 10

    @workflow(name="bundle-test-closure")
    class Closure(Workflow):
        async def run(self, n: int) -> int:
            total: int = await closure_step(n) + local_offset
            return total

    [bundle] = bundles_for_workflows([Closure])
    assert bundle.workflows[0].qualname == "test_workflow_defined_inside_a_function.<locals>.Closure"
    found = entries(bundle)
    assert found["local_offset"].constant == pb.Value(json="10")
    assert found["closure_step"].action is not None
    response = check_bundle(bundle)
    assert not response.diagnostics, "\n\n".join(d.rendered for d in response.diagnostics)


def test_not_a_workflow() -> None:
    with pytest.raises(BundleError):
        bundles_for_workflows([int])  # type: ignore[list-item]


def test_filename_comes_from_the_import_path() -> None:
    [bundle] = bundles_for_modules([load("conformance.seedflows")])
    assert bundle.filename == "conformance/seedflows.py"


class Hostile:
    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"no introspection of {name}")


def test_objects_that_break_introspection_become_opaque() -> None:
    hostile = Hostile()

    @workflow(name="bundle-test-hostile")
    class UsesHostile(Workflow):
        async def run(self) -> object:
            return hostile

    [bundle] = bundles_for_workflows([UsesHostile])
    entry = entries(bundle)["hostile"]
    assert entry.opaque is not None
    assert entry.opaque.type_qualname.endswith("Hostile")
    assert [d.code for d in check_bundle(bundle).diagnostics] == ["WM131"]
