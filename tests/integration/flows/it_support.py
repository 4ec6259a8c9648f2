"""What the integration flows share: an append-only log of action executions, kept in a file because the workers
that write it are killed with -9 (a line is appended under flock and flushed before the action goes on)."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from typing import Any

import waymark


def state_dir() -> str:
    folder = os.environ.get("WAYMARK_IT_STATE") or tempfile.gettempdir()
    os.makedirs(folder, exist_ok=True)
    return folder


def append(name: str, record: dict[str, Any]) -> None:
    with open(os.path.join(state_dir(), name), "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(json.dumps(record) + "\n")
        handle.flush()


def log_execution(phase: str, **extra: Any) -> None:
    """One line per execution phase (`start` / `end`) of the current call: run id, seq, attempt, worker pid."""
    call = waymark.current_call()
    record = {
        "phase": phase,
        "pid": os.getpid(),
        "t": time.time(),
        "run_id": call.run_id,
        "workflow_id": call.workflow_id,
        "seq": int(call.idempotency_key.rsplit(":", 1)[1]),
        "attempt": call.attempt,
        "action": call.action,
        **extra,
    }
    append("executions.jsonl", record)
