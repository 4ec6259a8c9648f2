"""Crash points for tests: a process kills itself (SIGKILL, exactly like `kill -9`) at a named point.

    WAYMARK_FAILPOINT=scheduler.after_vm        # the 1st time the point is reached
    WAYMARK_FAILPOINT=scheduler.after_vm:3      # the 3rd time
    WAYMARK_FAILPOINT=worker.after_record:2,timer.before_fire   # several points

Points (each named where it is called; grep for `failpoints.hit`):

- `scheduler.after_claim`   runs locked and their events read, before the VM is called
- `scheduler.after_vm`      the VM decided a batch, nothing written yet
- `scheduler.before_commit` snapshots, actions and timers written, the transaction not committed
- `worker.after_claim`      a call claimed (leased), its attempt not started
- `worker.before_record`    an attempt finished, its outcome not written
- `worker.after_record`     an outcome committed

The variable is read once, at import. Unset (production), `hit` is one dictionary lookup on an empty dict. The
process writes one line to stderr before it dies, so a test can tell the point was reached.
"""

from __future__ import annotations

import os
import signal
import sys


def _parse(spec: str) -> dict[str, int]:
    armed: dict[str, int] = {}
    for item in spec.split(","):
        name, _, count = item.strip().partition(":")
        if name:
            armed[name] = int(count) if count.strip() else 1
    return armed


_ARMED: dict[str, int] = _parse(os.environ.get("WAYMARK_FAILPOINT", ""))


def hit(name: str) -> None:
    """Reaching point `name`: the Nth time it is armed for, the process dies at once (no clean-up, no COMMIT)."""
    remaining = _ARMED.get(name)
    if remaining is None:
        return
    if remaining > 1:
        _ARMED[name] = remaining - 1
        return
    sys.stderr.write(f"waymark: failpoint {name} reached: killing process {os.getpid()}\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)
