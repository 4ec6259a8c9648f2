"""Public exception types. Each carries the ids a person needs and survives pickling and the value codec."""

from __future__ import annotations

from typing import Any


class WaymarkError(Exception):
    """Base class of every error Waymark raises on purpose."""

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message)
        self.details = details

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), str(self), self.details))

    def __getattr__(self, name: str) -> Any:
        details = self.__dict__.get("details", {})
        if name in details:
            return details[name]
        raise AttributeError(name)


def _rebuild(cls: type[WaymarkError], message: str, details: dict[str, Any]) -> WaymarkError:
    error = cls.__new__(cls)
    WaymarkError.__init__(error, message, **details)
    return error


class ActionTimeout(WaymarkError):
    """An attempt of an action ran longer than its timeout. Raised inside the workflow (catchable); retried only when
    the retry policy names it."""


class ActionLost(WaymarkError):
    """An action call's worker vanished (its lease expired) and the call may not be delivered again: it is
    `at_most_once`, or it was redelivered the maximum number of times."""


class RemoteError(WaymarkError):
    """An exception from a workflow or action whose class cannot be imported here; keeps its class name, MRO and
    message."""


class WorkflowFailed(WaymarkError):
    """Raised by the client when a run ended in `failed` and its exception could not be rebuilt."""


class WorkflowCancelled(WaymarkError):
    """Raised by the client when the run it waits for was cancelled."""


class WorkflowTimedOut(WaymarkError):
    """Raised by the client when the run it waits for ended `timed_out`: its workflow timeout passed before it
    finished (`@workflow(timeout=...)`, `start(..., workflow_timeout=...)`). Not a `TimeoutError`, so it is never
    confused with `handle.result(timeout=)` giving up waiting on a run that goes on."""


class WorkflowNotRegistered(WaymarkError, LookupError):
    """A client asked for a workflow name that no worker has registered."""


class RegistrationError(WaymarkError):
    """The compiler refused a workflow; `diagnostics` holds every problem found."""


class ValueNotSupported(WaymarkError, TypeError):
    """A value cannot travel between processes (see docs/values.md for what can)."""


for _cls in (
    WaymarkError,
    ActionTimeout,
    ActionLost,
    RemoteError,
    WorkflowFailed,
    WorkflowCancelled,
    WorkflowTimedOut,
    WorkflowNotRegistered,
    RegistrationError,
    ValueNotSupported,
):
    _cls.__module__ = "waymark"  # the stable, importable name that travels in encoded exceptions
