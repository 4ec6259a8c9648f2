"""OpenTelemetry for every Waymark process: one setup, and trace context carried on rows (DESIGN §2, "tracing").

A run's trace is never held open across a sleep. Each piece of work is a short span (a client's start, each advance,
each action attempt, each timer fire, each registration), and its parent is the W3C `traceparent` stored on the row
that caused it: `runs.traceparent` (the client's start span, or the run's first advance when the client is not
traced), `actions.traceparent` and `timers.traceparent` (the advance that created them). So every span of a run
lands in one trace, whichever process, and however much later, does the work.

Services call `setup(service)`: it installs an OTLP/HTTP exporter when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, and nothing otherwise, so an untraced deployment pays for no spans.
The client never installs anything: a library must not; it joins whatever tracing the application configured.
"""

from __future__ import annotations

import atexit
import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACER = "waymark"
_PROPAGATOR = TraceContextTextMapPropagator()
_installed: str | None = None  # the service name this process set up tracing for, if it did

__all__ = [
    "SpanKind",
    "context_of",
    "enabled",
    "set_error",
    "setup",
    "span",
    "traceparent_of",
    "tracer",
]


def _endpoint_configured(env: Mapping[str, str]) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return bool(env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def setup(service: str, env: Mapping[str, str] | None = None) -> bool:
    """Install a tracer provider exporting over OTLP/HTTP when an endpoint is configured (the `OTEL_*` variables:
    endpoint, headers, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`). `service` names the process
    (`waymark-scheduler`, ...) unless OTEL_SERVICE_NAME says otherwise. Returns whether tracing is on. Once per
    process: `waymark dev` runs every service in one process and they share it."""
    global _installed
    if _installed is not None:
        return True
    if not _endpoint_configured(os.environ if env is None else env):
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes: dict[str, Any] = {}
    if not os.environ.get("OTEL_SERVICE_NAME"):
        attributes[SERVICE_NAME] = service
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    atexit.register(provider.shutdown)  # flush what is batched when the process ends normally (SIGTERM included)
    _installed = service
    return True


def enabled() -> bool:
    """Does this process record spans (its own setup, or an application's SDK that the client joins)?"""
    return _installed is not None or isinstance(trace.get_tracer_provider(), _sdk_provider_type())


def _sdk_provider_type() -> type:
    try:
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:  # pragma: no cover - the SDK is a dependency; an application may still strip it
        return type(None)
    return TracerProvider


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER)


def context_of(traceparent: str | None) -> otel_context.Context | None:
    """The context a stored `traceparent` names (None: no parent, or not a valid W3C value)."""
    if not traceparent:
        return None
    ctx = _PROPAGATOR.extract({"traceparent": traceparent})
    return ctx if trace.get_current_span(ctx).get_span_context().is_valid else None


def traceparent_of(span: Span | None = None) -> str | None:
    """The W3C `traceparent` of `span` (default: the current span), or None when it records nothing."""
    span_context = (span or trace.get_current_span()).get_span_context()
    if not span_context.is_valid:
        return None
    return f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{int(span_context.trace_flags):02x}"


@contextlib.contextmanager
def span(
    name: str,
    *,
    parent: str | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, Any] | None = None,
    current: bool = False,
) -> Iterator[Span]:
    """A short span, child of the stored `parent` traceparent when there is one (else of the current context, or a
    new trace). `current=True` also makes it the current span (for code that creates spans or reads the context
    inside). An exception escaping the block is recorded on it and re-raised."""
    ctx = context_of(parent)
    s = tracer().start_span(name, context=ctx, kind=kind, attributes=dict(attributes) if attributes else None)
    try:
        if current:
            with trace.use_span(s, end_on_exit=False, record_exception=False, set_status_on_exception=False):
                yield s
        else:
            yield s
    except BaseException as exc:
        s.record_exception(exc)
        s.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        s.end()


def set_error(s: Span, description: str) -> None:
    """Mark a span failed without an exception object in hand (an action's outcome, a run that failed)."""
    s.set_status(Status(StatusCode.ERROR, description))
