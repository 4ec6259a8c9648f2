"""Module-level lists, dicts and sets a workflow only reads are frozen into the version (module_data.py); a table the
module changes after the import stays WM131, naming where it is changed."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from waymark import testing
from waymark._bundle import bundles_for_workflows, workflows_in_module
from waymark_compiler import check_bundle

HEADER = "from waymark import Workflow, action, workflow\n"


@pytest.fixture
def make_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []

    def make(name: str, body: str) -> ModuleType:
        body = textwrap.dedent(body).replace('name="tables_reader"', f'name="{name}"')
        (tmp_path / f"{name}.py").write_text(HEADER + body)
        made.append(name)
        importlib.invalidate_caches()
        return importlib.import_module(name)

    yield make
    for name in made:
        sys.modules.pop(name, None)


def check(module: ModuleType):  # type: ignore[no-untyped-def]
    (bundle,) = bundles_for_workflows(workflows_in_module(module))
    return check_bundle(bundle)


READER = """
@workflow(name="tables_reader")
class Reader(Workflow):
    async def run(self, c: str) -> list:
        return [RATES.get(c, 0), c in RATES, sorted(RATES)]
"""


def test_a_table_only_read_compiles_and_its_contents_are_in_the_version(make_module) -> None:  # type: ignore[no-untyped-def]
    module = make_module("tables_frozen", 'RATES = {"US": 7, "DE": 19}\n' + READER)
    first = check(module)
    assert not first.diagnostics, [d.rendered for d in first.diagnostics]
    again = check(module)
    assert again.workflows[0].version_id == first.workflows[0].version_id
    module.RATES["FR"] = 20  # another import computed another table: another version
    changed = check(module)
    assert not changed.diagnostics
    assert changed.workflows[0].version_id != first.workflows[0].version_id


@pytest.mark.parametrize(
    ("code", "where"),
    [
        ("def refresh(new):\n    RATES.update(new)\n", "`RATES.update(new)` in refresh()"),
        ("def reset():\n    del RATES['US']\n", "`del RATES['US']` in reset()"),
        ("def bump():\n    RATES['US'] += 1\n", "`RATES['US'] += 1` in bump()"),
        ("def load():\n    global RATES\n    RATES = {}\n", "`global RATES; RATES = {}` in load()"),
        ("@action\nasync def note(c: str) -> None:\n    RATES.setdefault(c, 0)\n", "in note()"),
        ("import heapq\ndef push():\n    heapq.heappush(RATES['q'], 1)\n", "in push()"),
        ("class Cache:\n    def put(self, k):\n        RATES[k] = 1\n", "in put()"),
        ("hook = lambda k: RATES.pop(k)\n", "in a lambda"),
    ],
)
def test_a_table_the_module_changes_is_refused_where_it_is_changed(make_module, code: str, where: str) -> None:  # type: ignore[no-untyped-def]
    name = f"tables_changed_{sum(map(ord, code))}"
    module = make_module(name, 'RATES = {"US": 7, "q": []}\n' + code + READER)
    response = check(module)
    assert not response.workflows
    assert {d.code for d in response.diagnostics} == {"WM131"}
    first = response.diagnostics[0]
    assert "that the module changes after the import" in first.message
    assert where in first.message
    assert "pass `RATES`" in first.help and "@action" in first.help


def test_changes_at_import_time_and_to_a_local_of_the_same_name_are_fine(make_module) -> None:  # type: ignore[no-untyped-def]
    module = make_module(
        "tables_import_time",
        """
RATES: dict[str, int] = {}
for code in ("US", "DE"):
    RATES[code] = len(code)
RATES.update({"FR": 20})

def other(RATES):
    RATES["US"] = 0

def also():
    RATES = {}
    RATES["x"] = 1
    return RATES
"""
        + READER,
    )
    response = check(module)
    assert not response.diagnostics, [d.rendered for d in response.diagnostics]


def test_a_table_defined_in_another_module_is_refused(make_module) -> None:  # type: ignore[no-untyped-def]
    make_module("tables_source", 'RATES = {"US": 7}\n')
    module = make_module("tables_importer", "from tables_source import RATES\n" + READER)
    response = check(module)
    assert [d.code for d in response.diagnostics] == ["WM131"] * 3
    assert "defined in another module" in response.diagnostics[0].message


def test_a_table_of_objects_stays_refused(make_module) -> None:  # type: ignore[no-untyped-def]
    module = make_module("tables_objects", "class C: ...\nRATES = {'US': C()}\n" + READER)
    response = check(module)
    assert {d.code for d in response.diagnostics} == {"WM131"}
    assert all("module-level" in d.message and "changes" not in d.message for d in response.diagnostics)


def test_a_table_is_not_a_parameter_default_or_class_constant(make_module) -> None:  # type: ignore[no-untyped-def]
    module = make_module(
        "tables_defaults",
        """
RATES = {"US": 7}

@workflow(name="tables_defaults")
class Defaults(Workflow):
    table = RATES

    async def run(self, rates: dict = RATES) -> int:
        return len(rates) + len(self.table)
""",
    )
    response = check(module)
    assert not response.workflows
    assert response.diagnostics


async def test_every_run_reads_the_registration_value(make_module) -> None:  # type: ignore[no-untyped-def]
    module = make_module(
        "tables_runs",
        """
RATES = {"US": [7]}

@workflow(name="tables_runs")
class Runs(Workflow):
    async def run(self) -> list:
        mine = list(RATES["US"])
        mine.append(len(mine))
        return [mine, RATES]
""",
    )
    for _ in range(2):
        assert await testing.run_in_vm(module.Runs) == [[7, 1], {"US": [7]}]
