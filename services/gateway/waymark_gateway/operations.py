"""What the GraphQL resolvers do, without GraphQL: reads through `waymark_store.dashboard`, writes through
`waymark_store.runs` exactly as the client (`waymark._client`) does them."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime, timedelta

from waymark_store import dashboard, runs, telemetry
from waymark_store.dashboard import RunPage, RunRow
from waymark_store.db import Database
from waymark_store.settings import Settings

from waymark_gateway.feed import RunFeed
from waymark_gateway.inputs import (
    UserError,
    check_workflow_id,
    encode_run_input,
    encode_signal_payload,
    parse_run_id,
    run_parameters,
)

MAX_FIRST = 200  # runs per page
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def encode_cursor(row: RunRow) -> str:
    """Opaque to clients: the keyset position (created_at in microseconds, run id) of the page's last run."""
    micros = (row.created_at - _EPOCH) // _MICRO
    return base64.urlsafe_b64encode(f"1:{micros}:{row.run_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, micros, run_id = text.split(":")
        if version != "1":
            raise ValueError(version)
        return _EPOCH + int(micros) * _MICRO, uuid.UUID(run_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise UserError(
            f"`after` cursor {cursor!r} is not one this API returned: pass a `nextCursor` from `runs`, or omit it"
        ) from None


class Gateway:
    """The state one gateway process shares between requests: settings, the database, the subscription feed."""

    def __init__(self, settings: Settings, db: Database, feed: RunFeed | None = None) -> None:
        self.settings = settings
        self.db = db
        self.feed = feed or RunFeed(db, recheck=settings.poll_seconds)

    async def close(self) -> None:
        await self.feed.close()

    async def runs_page(
        self,
        *,
        first: int,
        workflow_name: str | None,
        status: str | None,
        search: str | None,
        after: str | None,
    ) -> tuple[RunPage, str | None]:
        if first < 1 or first > MAX_FIRST:
            raise UserError(f"`first` is {first}; it must be between 1 and {MAX_FIRST}: page with `after` instead")
        page = await dashboard.runs_page(
            self.db.pool,
            first=first,
            workflow_name=workflow_name,
            status=status,
            search=search or None,
            after=decode_cursor(after) if after else None,
        )
        return page, encode_cursor(page.runs[-1]) if page.more and page.runs else None

    async def run(self, run_id: str | None, workflow_id: str | None) -> RunRow | None:
        if (run_id is None) == (workflow_id is None):
            raise UserError("pass exactly one of `runId` and `workflowId`")
        if run_id is not None:
            parsed = parse_run_id(run_id)
            return (await dashboard.runs_by_id(self.db.pool, [parsed])).get(parsed)
        assert workflow_id is not None
        return await dashboard.run_by_workflow_id(self.db.pool, workflow_id)

    async def existing_run(self, run_id: uuid.UUID) -> RunRow:
        row = (await dashboard.runs_by_id(self.db.pool, [run_id])).get(run_id)
        if row is None:
            raise UserError(f"run {run_id} does not exist: check the id (`runs` lists the runs)")
        return row

    async def start_run(self, workflow_name: str, input_text: str, workflow_id: str | None) -> RunRow:
        check_workflow_id(workflow_id)
        workflow = await dashboard.workflow(self.db.pool, workflow_name)
        if workflow is None:
            raise UserError(
                f"workflow {workflow_name!r} is not registered in this database: start a worker that imports its "
                "module (`waymark-start-workers MODULE`) first, or pick one of `workflows`"
            )
        params = run_parameters(workflow.program)
        encoded = encode_run_input(workflow_name, params, input_text, self.settings.max_payload_bytes)
        if workflow_id is not None:
            taken = await dashboard.run_by_workflow_id(self.db.pool, workflow_id)
            if taken is not None:
                raise _taken(workflow_id, taken)
        with telemetry.span(
            f"start {workflow_name}",
            kind=telemetry.SpanKind.PRODUCER,
            attributes={"waymark.workflow": workflow_name, "waymark.via": "gateway"},
        ) as span:
            request = runs.StartRequest(workflow_name, encoded, workflow_id, telemetry.traceparent_of(span))
            (started,) = await runs.start_runs(self.db.pool, [request])
            if isinstance(started, runs.UnknownWorkflow):
                raise UserError(f"workflow {workflow_name!r} is not registered in this database any more")
            if isinstance(started, Exception):
                raise UserError(f"{started}: choose another workflowId") from None
            span.set_attribute("waymark.run_id", str(started.run_id))
        if not started.created:  # the workflow_id was taken between the check and the insert
            raise _taken(workflow_id or str(started.run_id), await self.existing_run(started.run_id))
        return await self.existing_run(started.run_id)

    async def cancel_run(self, run_id: str) -> RunRow:
        parsed = parse_run_id(run_id)
        with telemetry.span("cancel run", attributes={"waymark.run_id": str(parsed), "waymark.via": "gateway"}):
            status, _ = await runs.add_event(self.db.pool, parsed, "cancel", '{"kind":"cancel"}')
        if status is None:
            raise UserError(f"run {parsed} does not exist: check the id (`runs` lists the runs)")
        return await self.existing_run(parsed)  # a finished run is returned as it is, like the client's cancel()

    async def signal_run(self, run_id: str, name: str, value: str | None) -> RunRow:
        parsed = parse_run_id(run_id)
        payload = encode_signal_payload(name, value, self.settings.max_payload_bytes)
        with telemetry.span(f"signal {name}", attributes={"waymark.run_id": str(parsed), "waymark.via": "gateway"}):
            status, added = await runs.add_event(self.db.pool, parsed, "signal", payload)
        if status is None:
            raise UserError(f"run {parsed} does not exist: check the id (`runs` lists the runs)")
        if not added:
            raise UserError(f"cannot signal run {parsed}: it is {status}; only a run that has not finished can be")
        return await self.existing_run(parsed)


def _taken(workflow_id: str, run: RunRow) -> UserError:
    return UserError(
        f"workflowId {workflow_id!r} is already used by run {run.run_id} ({run.workflow_name}, {run.status}): "
        "choose another workflowId, or omit it to use the new run's id"
    )
