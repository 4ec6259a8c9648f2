"""Fixtures of the browser tests: one database, one set of real service processes (compiler, scheduler, timer,
workers for tests/integration/flows, and `waymark gateway` serving the built dashboard) and one headless Chromium,
shared by the tests of a module. Process logs are printed when a test failed."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

INTEGRATION = Path(__file__).resolve().parent.parent / "integration"
if str(INTEGRATION) not in sys.path:
    sys.path.insert(0, str(INTEGRATION))

from harness import BIN, Cluster, Proc, free_port, port_open, wait_until  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
STATIC = Path(__file__).resolve().parents[2] / "services" / "gateway" / "waymark_gateway" / "static" / "index.html"


@dataclass
class Gateway:
    """The gateway process of a test module, and a tiny GraphQL client to act on it from outside the browser."""

    url: str
    proc: Proc
    cluster: Cluster

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url + "/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                document: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"HTTP {error.code}: {error.read().decode(errors='replace')}") from None
        return document

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        document = self.graphql(query, variables)
        assert not document.get("errors"), document["errors"]
        data: dict[str, Any] = document["data"]
        return data


def start_gateway(cluster: Cluster, name: str = "gateway", env: dict[str, str] | None = None) -> Gateway:
    """`waymark gateway` as one more process of the cluster (stopped and reported with it), on a free port."""
    port = free_port()
    proc = Proc(
        name,
        [str(BIN / "waymark"), "gateway"],
        {**cluster.env, "WAYMARK_GATEWAY_ADDR": f"127.0.0.1:{port}", **(env or {})},
        cluster.root,
        cluster.logs / f"{len(cluster.history):03d}-{name}.log",
    )
    cluster.history.append(proc)
    cluster.procs[name] = proc
    wait_until(lambda: port_open(port) or not proc.alive(), timeout=60, what=f"{name} to listen")
    assert proc.alive(), f"`waymark gateway` exited with status {proc.returncode}:\n{proc.tail()}"
    return Gateway(f"http://127.0.0.1:{port}", proc, cluster)


@pytest.fixture(scope="module")
def gateway(
    request: pytest.FixtureRequest, module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    """Every service as its own process, the gateway included, on a free port; the dashboard must be built."""
    assert STATIC.exists(), f"the dashboard is not built ({STATIC} is missing): run `make web`"
    cluster = Cluster(module_database_url, tmp_path_factory.mktemp("e2e"), ["it_shop", "it_links"])
    failed_before = request.session.testsfailed
    try:
        cluster.start_all()
        yield start_gateway(cluster)
    finally:
        cluster.stop()
        if request.session.testsfailed > failed_before:
            print(f"\n===== process logs of {cluster.root} =====\n{cluster.report()}")


@pytest.fixture(scope="module")
def browser(gateway: Gateway) -> Iterator[Any]:  # after the gateway: Playwright runs an event loop of its own
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # the system Chromium (make browser installs Debian's); Playwright's own download is never used
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(gateway: Gateway, browser: Any) -> Iterator[Any]:  # gateway first: its set-up uses asyncio.run
    context = browser.new_context(base_url=gateway.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
