"""Golden IR snapshots (`fixtures/ir_*.ir`, readable disassembly) for every supported construct."""

from __future__ import annotations

import itertools

import pytest
from compiler_support import FIXTURES, assert_snapshot, bundle_of
from waymark_compiler import check_bundle, disassemble
from waymark_ir import pb

JUMPS = {"jump": ("target",), "branch": ("if_true", "if_false"), "for_iter": ("exit",), "exc_match": ("no_match",)}
IR_FIXTURES = sorted(p.stem for p in FIXTURES.glob("ir_*.py"))


@pytest.mark.parametrize("stem", IR_FIXTURES)
def test_ir_snapshot(stem: str) -> None:
    response = check_bundle(bundle_of(stem))
    assert not response.diagnostics, "\n\n".join(d.rendered for d in response.diagnostics)
    text = "\n".join(disassemble(w.program) for w in response.workflows if w.program is not None)
    assert_snapshot(FIXTURES / f"{stem}.ir", text)


@pytest.mark.parametrize("stem", IR_FIXTURES)
def test_program_round_trips_through_protobuf(stem: str) -> None:
    for compiled in check_bundle(bundle_of(stem)).workflows:
        assert compiled.program is not None
        data = bytes(compiled.program)
        assert pb.Program.parse(data) == compiled.program
        assert bytes(pb.Program.parse(data)) == data


def test_jump_targets_and_handlers_are_in_range() -> None:
    for stem in IR_FIXTURES:
        for compiled in check_bundle(bundle_of(stem)).workflows:
            assert compiled.program is not None
            for function in compiled.program.functions:
                size = len(function.code)
                for instr in function.code:
                    for field, names in JUMPS.items():
                        op = getattr(instr, field)
                        for name in names if op is not None else ():
                            assert 0 <= getattr(op, name) < size
                ranges = sorted((h.start, h.end) for h in function.handlers)
                for (_, end), (start, _) in itertools.pairwise(ranges):
                    assert end <= start, "handler ranges never overlap (CPython 3.11 table)"
                assert all(h.target < size for h in function.handlers)
