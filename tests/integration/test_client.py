"""The seed Checkout across separate processes, and what the client promises: idempotent starts, `result(timeout=)`,
clear errors for unknown workflows and bad input, with nothing written (DESIGN §1, §4.4)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import waymark
import waymark._client
from harness import Cluster, fetchval
from it_shop import BadArguments, BigArgument, BigResult, Echo, RetryingCheckout, SeedCheckout
from it_unregistered import NeverRegistered

LIMIT = 4096  # WAYMARK_MAX_PAYLOAD_BYTES for the services and the client of these tests


@pytest.fixture
def cluster(module_cluster) -> Cluster:
    """One cluster for the module (its tests only look at their own runs)."""
    return module_cluster(["it_shop"], env={"WAYMARK_MAX_PAYLOAD_BYTES": str(LIMIT)})


@pytest.fixture
async def client(module_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    monkeypatch.setenv("WAYMARK_DATABASE_URL", module_database_url)
    monkeypatch.setenv("WAYMARK_MAX_PAYLOAD_BYTES", str(LIMIT))  # the in-process client reads it at first use
    try:
        yield module_database_url
    finally:
        await waymark._client.close()


async def count_runs(url: str) -> int:
    return await fetchval(url, "SELECT count(*) FROM waymark.runs")


def attempts(cluster: Cluster, name: str) -> int:
    path = Path(cluster.state) / f"{name}.log"
    return len(path.read_text().splitlines()) if path.exists() else 0


async def test_seed_checkout_is_paid_across_processes(cluster, client) -> None:
    handle = await SeedCheckout.start(order_id=1, wait_seconds=0.5)
    assert await asyncio.wait_for(handle.result(), 90) == "paid"
    assert attempts(cluster, "charge-1") == 3
    fired = "SELECT count(*) FROM waymark.timers WHERE fired_at IS NOT NULL AND run_id = $1"
    assert await fetchval(client, fired, handle.run_id) == 2
    # a charge that raises twice, retried by its policy: three attempts of one call, one event
    assert await asyncio.wait_for(RetryingCheckout().run(order_id=2), 90) == "paid"
    assert attempts(cluster, "flaky-2") == 3
    row = await fetchval(client, "SELECT attempt FROM waymark.actions WHERE action_name = 'flaky_charge'")
    assert row == 3


async def test_two_starts_with_one_workflow_id_are_one_run(cluster, client) -> None:
    first, second = await asyncio.gather(
        SeedCheckout.start(order_id=3, wait_seconds=0.5, workflow_id="order-3"),
        SeedCheckout.start(order_id=3, wait_seconds=0.5, workflow_id="order-3"),
    )
    third = await SeedCheckout.start(order_id=3, wait_seconds=0.5, workflow_id="order-3")
    assert first.run_id == second.run_id == third.run_id
    assert sorted([first.created, second.created, third.created]) == [False, False, True]
    assert await asyncio.wait_for(asyncio.gather(first.result(), third.result()), 90) == ["paid", "paid"]
    assert await fetchval(client, "SELECT count(*) FROM waymark.runs WHERE workflow_id = 'order-3'") == 1
    assert attempts(cluster, "charge-3") == 3  # one run charged, not two


async def test_result_timeout_raises_while_the_run_goes_on(cluster, client) -> None:
    handle = await SeedCheckout.start(order_id=4, wait_seconds=2.0)
    with pytest.raises(TimeoutError, match=r"did not finish within 0\.5s"):
        await handle.result(timeout=0.5)
    assert await handle.status() in ("queued", "running", "waiting")
    assert await asyncio.wait_for(handle.result(), 90) == "paid"


async def test_unregistered_workflow_is_a_clear_error_and_writes_nothing(cluster, client) -> None:
    with pytest.raises(waymark.WorkflowNotRegistered, match="'NeverRegistered' is not registered"):
        await NeverRegistered.start(x=1)
    assert await fetchval(client, "SELECT count(*) FROM waymark.runs WHERE workflow_name = 'NeverRegistered'") == 0


async def test_bad_input_is_a_clear_error_and_writes_nothing(cluster, client) -> None:
    runs_before = await count_runs(client)
    starts = "SELECT count(*) FROM waymark.events WHERE kind = 'start'"
    starts_before = await fetchval(client, starts)
    with pytest.raises(TypeError, match="order_id"):
        await SeedCheckout.start(wait_seconds=1.0)  # missing argument
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        await SeedCheckout.start(order_id=1, colour="red")
    with pytest.raises(TypeError, match="argument 'order_id' is invalid: Input should be a valid integer"):
        await SeedCheckout.start(order_id="not a number")  # does not match run()'s annotation
    with pytest.raises(TypeError, match="argument 'order_id' is invalid"):
        await SeedCheckout.start(order_id=object())
    with pytest.raises(waymark.ValueNotSupported, match="WAYMARK_MAX_PAYLOAD_BYTES"):
        await Echo.start(text="z" * LIMIT * 2)
    with pytest.raises(ValueError, match="NUL"):
        await SeedCheckout.start(order_id=1, workflow_id="order\x001")
    assert await count_runs(client) == runs_before
    assert await fetchval(client, starts) == starts_before


async def test_a_bad_start_does_not_fail_the_starts_made_with_it(cluster, client) -> None:
    """Concurrent starts share one statement: one that Postgres would refuse must not take the others down."""
    starts = [Echo.start(text=str(i), workflow_id=f"echo-{i}") for i in range(5)]
    starts.insert(2, Echo.start(text="bad", workflow_id="echo\x00bad"))
    outcomes = await asyncio.gather(*starts, return_exceptions=True)
    assert isinstance(outcomes[2], ValueError)
    handles = [h for h in outcomes if not isinstance(h, BaseException)]
    assert len(handles) == 5
    assert await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 60) == [str(i) for i in range(5)]


async def test_invalid_action_arguments_fail_the_call_naming_the_field(cluster, client) -> None:
    with pytest.raises(TypeError, match="argument 'count' is invalid"):
        await asyncio.wait_for(BadArguments().run(value="twelve"), 60)
    # deterministic: never retried
    assert await fetchval(client, "SELECT attempt FROM waymark.actions WHERE action_name = 'typed_step'") == 1


async def test_oversized_values_are_refused(cluster, client) -> None:
    with pytest.raises(ValueError, match="WAYMARK_MAX_PAYLOAD_BYTES"):
        await asyncio.wait_for(BigResult().run(size=LIMIT * 2), 60)
    with pytest.raises(TypeError, match=r"bytes of encoded arguments.*WAYMARK_MAX_PAYLOAD_BYTES"):
        await asyncio.wait_for(BigArgument().run(size=LIMIT * 2), 60)
    assert await asyncio.wait_for(BigArgument().run(size=LIMIT // 2), 60) == LIMIT // 2
    handle = await SeedCheckout.start(order_id=5, wait_seconds=30.0)
    with pytest.raises(waymark.ValueNotSupported, match="WAYMARK_MAX_PAYLOAD_BYTES"):
        await handle.signal("note", "z" * LIMIT * 2)
    assert await fetchval(client, "SELECT count(*) FROM waymark.events WHERE kind = 'signal'") == 0
