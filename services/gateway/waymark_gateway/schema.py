"""The strawberry schema: exactly the contract in services/gateway/schema.graphql (a test compares the two).

Resolvers are thin: reads and writes are `operations.Gateway` methods; a run's actions, events, timers and children
are read for every run of a response at once (DataLoaders without a cache, so a subscription never sees stale rows).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import orjson
import strawberry
from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info
from waymark_store import dashboard
from waymark_store.dashboard import ActionRow, EventRow, RunRow, TimerRow, VersionInfo
from waymark_store.runs import TERMINAL
from waymark_store.schedules import ScheduleRow, workflow_id_of

from waymark_gateway.inputs import UserError, parse_run_id, run_parameters
from waymark_gateway.operations import Gateway

V = TypeVar("V")


def _loader(
    gateway: Gateway, read: Callable[[Any, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, list[V]]]]
) -> DataLoader[uuid.UUID, list[V]]:
    async def load(keys: list[uuid.UUID]) -> list[list[V]]:
        found = await read(gateway.db.pool, keys)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load, cache=False)


@dataclass
class Context:
    """What every resolver sees as `info.context` (one per HTTP request or websocket connection)."""

    gateway: Gateway
    request: Any = None
    response: Any = None
    connection_params: Any = None
    loaders: dict[str, DataLoader[uuid.UUID, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.loaders = {
            "actions": _loader(self.gateway, dashboard.actions_of),
            "events": _loader(self.gateway, dashboard.events_of),
            "timers": _loader(self.gateway, dashboard.timers_of),
            "children": _loader(self.gateway, dashboard.children_of),
        }


GatewayInfo = Info[Context, None]


@strawberry.enum
class RunStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    WAITING = "waiting"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


@strawberry.enum
class ActionStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRY_WAITING = "retry_waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@strawberry.type
class StatusCount:
    status: RunStatus
    count: int


def _counts(counts: dict[str, int]) -> list[StatusCount]:
    return [StatusCount(status=status, count=counts.get(status.value, 0)) for status in RunStatus]


@strawberry.type
class Overview:
    run_counts: list[StatusCount]
    workflows: int
    queued_actions: int
    running_actions: int
    pending_timers: int


@strawberry.type
class Version:
    version_id: str
    module: str
    qualname: str
    created_at: datetime

    @classmethod
    def of(cls, info: VersionInfo) -> Version:
        return cls(version_id=info.version_id, module=info.module, qualname=info.qualname, created_at=info.created_at)


@strawberry.type
class Parameter:
    name: str
    required: bool
    annotation: str | None = strawberry.field(
        description="the annotation as written, e.g. `int` or `list[Order]` (null when unannotated)"
    )


@strawberry.type
class Workflow:
    name: str
    current_version: Version
    program: strawberry.Private[bytes]

    @strawberry.field
    async def versions(self, info: GatewayInfo) -> list[Version]:
        found = await dashboard.versions_of(info.context.gateway.db.pool, [self.name])
        return [Version.of(v) for v in found.get(self.name, [])]

    @strawberry.field
    async def run_counts(self, info: GatewayInfo) -> list[StatusCount]:
        found = await dashboard.run_counts_by_workflow(info.context.gateway.db.pool, [self.name])
        return _counts(found.get(self.name, {}))

    @strawberry.field(description="run()'s parameters as the compiled program declares them, for the start form")
    def parameters(self) -> list[Parameter]:
        return [
            Parameter(name=p.name, required=p.required, annotation=p.annotation) for p in run_parameters(self.program)
        ]


@strawberry.type
class RunError:
    class_name: str = strawberry.field(description="the exception's qualified class, e.g. `builtins.ValueError`")
    message: str
    raw: str = strawberry.field(description="the tagged JSON of the exception")

    @classmethod
    def of(cls, raw: str | None) -> RunError | None:
        """From the stored tagged JSON (`{"$exception": {"class": ..., "message": ...}}`, docs/values.md)."""
        if raw is None:
            return None
        try:
            decoded = orjson.loads(raw)
        except orjson.JSONDecodeError:
            decoded = None
        exception = decoded.get("$exception") if isinstance(decoded, dict) else None
        if isinstance(exception, dict):
            return cls(class_name=str(exception.get("class", "")), message=str(exception.get("message", "")), raw=raw)
        return cls(class_name="", message=raw if decoded is None else str(decoded), raw=raw)


@strawberry.type
class ActionCall:
    call_id: strawberry.ID
    seq: int
    action_name: str
    status: ActionStatus
    attempt: int
    max_attempts: int
    redeliveries: int
    args: str
    result: str | None
    error: RunError | None
    worker_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: ActionRow) -> ActionCall:
        return cls(
            call_id=strawberry.ID(str(row.call_id)),
            seq=row.seq,
            action_name=row.action_name,
            status=ActionStatus(row.status),
            attempt=row.attempt,
            max_attempts=row.max_attempts,
            redeliveries=row.redeliveries,
            args=row.args,
            result=row.result,
            error=RunError.of(row.error),
            worker_id=row.worker_id,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


@strawberry.type
class Event:
    event_id: strawberry.ID
    kind: str = strawberry.field(description="start | action | timer | signal | cancel | child | timeout")
    payload: str
    created_at: datetime
    consumed_at: datetime | None

    @classmethod
    def of(cls, row: EventRow) -> Event:
        return cls(
            event_id=strawberry.ID(str(row.event_id)),
            kind=row.kind,
            payload=row.payload,
            created_at=row.created_at,
            consumed_at=row.consumed_at,
        )


@strawberry.type
class Timer:
    seq: int
    kind: str = strawberry.field(description="sleep | signal_timeout | workflow_timeout")
    due_at: datetime
    fired_at: datetime | None

    @classmethod
    def of(cls, row: TimerRow) -> Timer:
        return cls(seq=row.seq, kind=row.kind, due_at=row.due_at, fired_at=row.fired_at)


def _trace_id(traceparent: str | None) -> str | None:
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


@strawberry.type
class Run:
    run_id: strawberry.ID
    workflow_id: str
    workflow_name: str
    version_id: str
    status: RunStatus
    input: str
    result: str | None
    error: RunError | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    parent_run_id: strawberry.ID | None
    trace_id: str | None = strawberry.field(
        description="the W3C trace id of the run's trace (OpenTelemetry), when it has one"
    )
    key: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, row: RunRow) -> Run:
        return cls(
            run_id=strawberry.ID(str(row.run_id)),
            workflow_id=row.workflow_id,
            workflow_name=row.workflow_name,
            version_id=row.version_id,
            status=RunStatus(row.status),
            input=row.input,
            result=row.result,
            error=RunError.of(row.error),
            created_at=row.created_at,
            updated_at=row.updated_at,
            finished_at=row.finished_at,
            parent_run_id=None if row.parent_run_id is None else strawberry.ID(str(row.parent_run_id)),
            trace_id=_trace_id(row.traceparent),
            key=row.run_id,
        )

    @strawberry.field
    async def actions(self, info: GatewayInfo) -> list[ActionCall]:
        return [ActionCall.of(row) for row in await info.context.loaders["actions"].load(self.key)]

    @strawberry.field
    async def events(self, info: GatewayInfo) -> list[Event]:
        return [Event.of(row) for row in await info.context.loaders["events"].load(self.key)]

    @strawberry.field
    async def timers(self, info: GatewayInfo) -> list[Timer]:
        return [Timer.of(row) for row in await info.context.loaders["timers"].load(self.key)]

    @strawberry.field
    async def children(self, info: GatewayInfo) -> list[Run]:
        return [Run.of(row) for row in await info.context.loaders["children"].load(self.key)]


@strawberry.type(description="a cron schedule (docs/policies.md); read-only here, written by `waymark.schedule()`")
class Schedule:
    name: str
    workflow_name: str
    cron: str
    timezone: str
    input: str = strawberry.field(description="tagged JSON of run()'s arguments")
    paused: bool
    next_fire_at: datetime
    last_fire_at: datetime | None = strawberry.field(description="the fire time of the last fire")
    last_run_id: strawberry.ID | None
    last_workflow_id: str | None = strawberry.field(description="`schedule:<name>:<fire time>`, the last fire's run")
    last_error: str | None = strawberry.field(description="why the last fire started no run")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: ScheduleRow) -> Schedule:
        return cls(
            name=row.name,
            workflow_name=row.workflow_name,
            cron=row.cron,
            timezone=row.timezone,
            input=row.input,
            paused=row.paused,
            next_fire_at=row.next_fire_at,
            last_fire_at=row.last_fire_at,
            last_run_id=None if row.last_run_id is None else strawberry.ID(str(row.last_run_id)),
            last_workflow_id=None if row.last_fire_at is None else workflow_id_of(row.name, row.last_fire_at),
            last_error=row.last_error,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type
class RunConnection:
    items: list[Run]
    next_cursor: str | None = strawberry.field(description="pass as `after` for the next page; null on the last page")


@strawberry.type
class Query:
    @strawberry.field
    async def overview(self, info: GatewayInfo) -> Overview:
        found = await dashboard.overview(info.context.gateway.db.pool)
        return Overview(
            run_counts=_counts(found.run_counts),
            workflows=found.workflows,
            queued_actions=found.queued_actions,
            running_actions=found.running_actions,
            pending_timers=found.pending_timers,
        )

    @strawberry.field
    async def workflows(self, info: GatewayInfo) -> list[Workflow]:
        found = await dashboard.workflows(info.context.gateway.db.pool)
        return [Workflow(name=w.name, current_version=Version.of(w.current), program=w.program) for w in found]

    @strawberry.field(description="newest first")
    async def runs(
        self,
        info: GatewayInfo,
        workflow_name: str | None = None,
        status: RunStatus | None = None,
        search: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> RunConnection:
        page, cursor = await info.context.gateway.runs_page(
            first=first,
            workflow_name=workflow_name,
            status=status.value if status else None,
            search=search,
            after=after,
        )
        return RunConnection(items=[Run.of(row) for row in page.runs], next_cursor=cursor)

    @strawberry.field(description="by run id or by workflow id (exactly one of them)")
    async def run(
        self, info: GatewayInfo, run_id: strawberry.ID | None = None, workflow_id: str | None = None
    ) -> Run | None:
        row = await info.context.gateway.run(run_id, workflow_id)
        return None if row is None else Run.of(row)

    @strawberry.field(description="every cron schedule, by name")
    async def schedules(self, info: GatewayInfo) -> list[Schedule]:
        return [Schedule.of(row) for row in await dashboard.schedules(info.context.gateway.db.pool)]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="input: a JSON object of run()'s arguments by parameter name")
    async def start_run(
        self, info: GatewayInfo, workflow_name: str, input: str = "{}", workflow_id: str | None = None
    ) -> Run:
        return Run.of(await info.context.gateway.start_run(workflow_name, input, workflow_id))

    @strawberry.mutation
    async def cancel_run(self, info: GatewayInfo, run_id: strawberry.ID) -> Run:
        return Run.of(await info.context.gateway.cancel_run(run_id))

    @strawberry.mutation(description="value: JSON text (null when omitted)")
    async def signal_run(self, info: GatewayInfo, run_id: strawberry.ID, name: str, value: str | None = None) -> Run:
        return Run.of(await info.context.gateway.signal_run(run_id, name, value))


@strawberry.type
class Subscription:
    @strawberry.subscription(description="runs that changed (started, advanced, finished), in batches, newest first")
    async def runs_changed(
        self, info: GatewayInfo, workflow_name: str | None = None
    ) -> AsyncGenerator[list[Run], None]:
        feed = info.context.gateway.feed
        watch = await feed.watch(workflow_name=workflow_name)
        try:
            while True:
                yield [Run.of(row) for row in await watch.next()]
        finally:
            feed.unwatch(watch)

    @strawberry.subscription(
        description="the run now, then again whenever it may have changed; ends after its terminal state is sent"
    )
    async def run(self, info: GatewayInfo, run_id: strawberry.ID) -> AsyncGenerator[Run, None]:
        gateway = info.context.gateway
        key = parse_run_id(run_id)
        watch = await gateway.feed.watch(run_id=key)  # LISTEN first, then read: no change can fall in between
        try:
            row = (await dashboard.runs_by_id(gateway.db.pool, [key])).get(key)
            if row is None:
                raise UserError(f"run {key} does not exist: check the id (`runs` lists the runs)")
            watch.seen(row)
            yield Run.of(row)
            while row.status not in TERMINAL:
                (row,) = await watch.next()  # this watch wants one run: at most one row per batch
                yield Run.of(row)
        finally:
            gateway.feed.unwatch(watch)


# The contract's `scalar DateTime` has no description (strawberry's built-in one has): the same ISO 8601 text.
DateTime = strawberry.scalar(name="DateTime", serialize=datetime.isoformat, parse_value=datetime.fromisoformat)

MAX_DEPTH = 8  # deep enough for run { children { children { actions { error { ... } } } } }
MAX_TOKENS = 2000  # lexer tokens in one document
MASKED = "internal error (the gateway's log has details)"
MAX_ALIASES = 30  # aliases (the cheap way to ask for one expensive field many times)


def make_schema() -> strawberry.Schema:
    """The schema with its limits: depth, tokens, aliases; errors that are not the caller's are masked."""
    # factories: a fresh extension for every operation
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaskErrors(should_mask_error=_internal, error_message=MASKED),
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map={datetime: DateTime}),
        extensions=extensions,
    )


def _internal(error: GraphQLError) -> bool:
    """Mask errors that come from inside (a database error would show SQL); keep the caller's own mistakes."""
    original = error.original_error
    return original is not None and not isinstance(original, UserError | GraphQLError)


schema = make_schema()
