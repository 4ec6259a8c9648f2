"""OpenTelemetry end to end (DESIGN §2, "tracing"): every span of a run, from every service process, lands in one
trace, linked through the traceparent stored on run, action and timer rows. The services export over OTLP/HTTP to an
in-process receiver, as they would to Jaeger."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from harness import OtlpReceiver, ReceivedSpan, clean_env, eventually, fetch
from it_traced import Traced

OTEL = {"OTEL_BSP_SCHEDULE_DELAY": "50"}  # export every 50 ms, so the test does not wait for the 5 s default


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    received = OtlpReceiver()
    try:
        yield received
    finally:
        received.close()


def run_spans(spans: list[ReceivedSpan], run_ids: set[str]) -> list[ReceivedSpan]:
    return [s for s in spans if s.attributes.get("waymark.run_id") in run_ids]


def assert_one_connected_trace(spans: list[ReceivedSpan], root_name: str) -> None:
    """One trace id; exactly one root, named `root_name`; every other span's parent is a span of the trace."""
    assert len({s.trace_id for s in spans}) == 1, sorted({(s.trace_id, s.name) for s in spans})
    ids = {s.span_id for s in spans}
    roots = [s for s in spans if not s.parent_span_id]
    assert [r.name for r in roots] == [root_name], roots
    orphans = [(s.service, s.name) for s in spans if s.parent_span_id and s.parent_span_id not in ids]
    assert not orphans, f"spans whose parent is not in the trace: {orphans}"


async def traced_run_ids(url: str) -> dict[str, str | None]:
    rows = await fetch(url, "SELECT run_id::text AS run_id, traceparent FROM waymark.runs")
    return {r["run_id"]: r["traceparent"] for r in rows}


@pytest.mark.slow
async def test_an_untraced_client_s_run_is_one_trace_across_every_service(make_cluster, client, receiver) -> None:
    cluster = make_cluster(["it_traced"], env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, **OTEL})
    cluster.start_all()

    # The test process has no OpenTelemetry SDK: the client's start records nothing, so the run's first advance
    # becomes the root of its trace.
    assert await Traced().run(order_id=4) == [40, "ok-4", 401]
    stored = await traced_run_ids(client)
    assert len(stored) == 2 and all(stored.values()), stored  # the parent run and its child both carry a context

    expected = {
        ("waymark-scheduler", "advance Traced"),
        ("waymark-scheduler", "advance TracedChild"),
        ("waymark-worker", "action lookup"),
        ("waymark-worker", "action flaky"),
        ("waymark-timer", "timer sleep"),
    }

    async def all_exported() -> list[ReceivedSpan] | None:
        spans = run_spans(receiver.snapshot(), set(stored))
        seen = {(s.service, s.name) for s in spans}
        done = any(s.name == "advance Traced" and s.attributes.get("waymark.status") == "completed" for s in spans)
        return spans if done and expected <= seen and sum(s.name == "action flaky" for s in spans) == 2 else None

    spans = await eventually(all_exported, timeout=60, what="the run's spans from every service")
    trace_id = spans[0].trace_id
    inner = [s for s in receiver.snapshot() if s.name == "lookup.inner"]
    assert len(inner) == 2 and {s.trace_id for s in inner} == {trace_id}  # the actions' own spans join the trace
    assert_one_connected_trace(spans + inner, "advance Traced")
    assert all(tp is not None and tp.split("-")[1] == trace_id for tp in stored.values())

    flaky = sorted((s for s in spans if s.name == "action flaky"), key=lambda s: s.attributes["waymark.attempt"])
    assert [(s.attributes["waymark.attempt"], s.attributes["waymark.outcome"], s.error) for s in flaky] == [
        (1, "retry_waiting", True),
        (2, "succeeded", False),
    ]
    statuses = [s.attributes["waymark.status"] for s in spans if s.name == "advance Traced"]
    assert statuses.count("completed") == 1 and set(statuses) <= {"running", "waiting", "completed"}, statuses
    registered = [s for s in receiver.snapshot() if s.service == "waymark-compiler" and s.name == "register it_traced"]
    assert registered and not registered[0].error


@pytest.mark.slow
async def test_a_traced_client_s_start_span_is_the_root_of_the_run_s_trace(make_cluster, client, receiver) -> None:
    cluster = make_cluster(["it_traced"], env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, **OTEL})
    cluster.start_all()
    # A client application with tracing set up, in a process of its own; its start span is in a trace of its own.
    script = textwrap.dedent(
        """
        import asyncio
        from opentelemetry import trace
        from waymark_store import telemetry
        from it_traced import Traced

        assert telemetry.setup("shop-api")

        async def main():
            with trace.get_tracer("shop").start_as_current_span("POST /orders"):
                print(await Traced().run(order_id=7))

        asyncio.run(main())
        """
    )
    env = clean_env({"WAYMARK_DATABASE_URL": client, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, **OTEL})
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, cwd=os.getcwd()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[70, 'ok-7', 701]"

    stored = await traced_run_ids(client)

    async def all_exported() -> list[ReceivedSpan] | None:
        received = receiver.snapshot()
        starts = [s for s in received if s.service == "shop-api" and s.name == "start Traced"]
        if not starts:
            return None
        trace_spans = [s for s in received if s.trace_id == starts[0].trace_id]
        names = {s.name for s in trace_spans}
        wanted = {"POST /orders", "advance Traced", "advance TracedChild", "action lookup", "timer sleep"}
        return trace_spans if wanted <= names and len(run_spans(trace_spans, set(stored))) >= 9 else None

    spans = await eventually(all_exported, timeout=60, what="the run's spans under the client's start span")
    assert_one_connected_trace(spans, "POST /orders")
    start = next(s for s in spans if s.name == "start Traced")
    assert start.attributes["waymark.run_id"] in stored
    first_advance = next(s for s in spans if s.name == "advance Traced")
    assert first_advance.parent_span_id == start.span_id  # the run's parent is the client's start span
    assert all(s.trace_id == start.trace_id for s in run_spans(receiver.snapshot(), set(stored)))


def test_tracing_is_off_without_an_endpoint() -> None:
    """No OTEL endpoint: setup installs nothing (no exporter thread, no span work on the hot paths)."""
    from waymark_store import telemetry

    assert not telemetry._endpoint_configured({})
    assert not telemetry._endpoint_configured(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318", "OTEL_SDK_DISABLED": "true"}
    )
    assert not telemetry._endpoint_configured(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318", "OTEL_TRACES_EXPORTER": "none"}
    )
    assert telemetry._endpoint_configured({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://x:4318/v1/traces"})
    assert telemetry.context_of(None) is None and telemetry.context_of("garbage") is None
    assert telemetry.context_of("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") is not None
