"""One run whose advance Postgres refuses to store must not hold back the runs advanced with it (DESIGN §4.1: every
started workflow reaches exactly one terminal state, this one too)."""

from __future__ import annotations

import asyncio

import pytest
import waymark
from harness import consistency_problems
from it_poison import Healthy, Oversleeper


async def test_a_run_postgres_refuses_to_store_fails_alone(make_cluster, client) -> None:
    cluster = make_cluster(["it_poison"])
    cluster.start_all()
    # the sleep's due time is beyond what a timestamp can hold: storing the timer fails with a data error
    poisoned = await Oversleeper.start(seconds=1e20)
    healthy = await asyncio.gather(*(Healthy.start(x=i) for i in range(10)))
    assert await asyncio.wait_for(asyncio.gather(*(h.result() for h in healthy)), 90) == list(range(10))
    with pytest.raises(waymark.WaymarkError, match="could not be stored"):
        await poisoned.result(timeout=90)
    assert not await consistency_problems(client)
    cluster.assert_alive()
