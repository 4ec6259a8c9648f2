"""Fixtures of the multi-process tests: a `cluster` of service processes on the test's own database, and the
in-process client pointed at that database. When a test fails, the tail of every process log is printed."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE / "flows"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from harness import Cluster  # noqa: E402


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture
def make_cluster(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    """`make_cluster(modules, env={...})`: a Cluster on this test's database (call it once or several times)."""
    made: list[Cluster] = []

    def make(modules: list[str], env: dict[str, str] | None = None, url: str | None = None) -> Cluster:
        cluster = Cluster(url or database_url, tmp_path / f"cluster{len(made)}", modules, env)
        made.append(cluster)
        return cluster

    try:
        yield make
    finally:
        for cluster in made:
            cluster.stop()
        if _failed(request):
            for cluster in made:
                print(f"\n===== process logs of {cluster.root} =====\n{cluster.report()}")


@pytest.fixture
async def client(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The in-process client (`Workflow.start`, handles) talks to this test's database; closed afterwards."""
    import waymark._client

    monkeypatch.setenv("WAYMARK_DATABASE_URL", database_url)
    try:
        yield database_url
    finally:
        await waymark._client.close()


@pytest.fixture(scope="module")
def module_cluster(
    request: pytest.FixtureRequest, module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Cluster]]:
    """`module_cluster(modules, env=...)`: one Cluster for every test of a module (the module's tests must not
    depend on a database of their own). Logs are printed when any test of the module failed."""
    made: list[Cluster] = []
    failed_before = request.session.testsfailed

    def make(modules: list[str], env: dict[str, str] | None = None) -> Cluster:
        if not made:
            made.append(Cluster(module_database_url, tmp_path_factory.mktemp("cluster"), modules, env))
            made[0].start_all()
        return made[0]

    try:
        yield make
    finally:
        for cluster in made:
            cluster.stop()
        if request.session.testsfailed > failed_before:
            for cluster in made:
                print(f"\n===== process logs of {cluster.root} =====\n{cluster.report()}")
