"""Retry policies and backoff: what `@action(retry=...)` and `self.run_action(..., retry=...)` accept."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta


def seconds_of(value: float | int | timedelta, what: str) -> float:
    """A duration given as seconds or a timedelta, as a float; negative or non-numeric is a clear error."""
    if isinstance(value, timedelta):
        result = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise TypeError(f"{what} must be a number of seconds or a datetime.timedelta, got {type(value).__name__}")
    if result < 0 or result != result:  # also rejects nan
        raise ValueError(f"{what} must be zero or more seconds, got {value!r}")
    return result


MAX_WORKFLOW_TIMEOUT = 100 * 365 * 86400.0  # seconds; beyond it a timestamp could overflow


def workflow_timeout_of(value: float | int | timedelta | None, what: str) -> float | None:
    """A workflow timeout in seconds (None: no timeout); it must be more than zero and finite."""
    if value is None:
        return None
    seconds = seconds_of(value, what)
    if seconds <= 0 or seconds > MAX_WORKFLOW_TIMEOUT:
        raise ValueError(f"{what} must be more than 0 seconds and at most 100 years, got {value!r}")
    return seconds


@dataclass(frozen=True)
class Backoff:
    """How long to wait before attempt n+1. Build with `Backoff.fixed(...)` or `Backoff.exponential(...)`."""

    kind: str = "none"  # "none" | "fixed" | "exponential"
    initial: float = 0.0
    factor: float = 1.0
    max: float = 0.0
    jitter: bool = False

    @classmethod
    def none(cls) -> Backoff:
        return cls()

    @classmethod
    def fixed(cls, seconds: float | timedelta, *, jitter: bool = False) -> Backoff:
        delay = seconds_of(seconds, "Backoff.fixed(seconds)")
        return cls("fixed", delay, 1.0, delay, jitter)

    @classmethod
    def exponential(
        cls,
        *,
        initial: float | timedelta = 1.0,
        factor: float = 2.0,
        max: float | timedelta = 60.0,
        jitter: bool = False,
    ) -> Backoff:
        first = seconds_of(initial, "Backoff.exponential(initial=)")
        ceiling = seconds_of(max, "Backoff.exponential(max=)")
        if factor < 1:
            raise ValueError(f"Backoff.exponential(factor=) must be at least 1, got {factor}")
        if ceiling < first:
            raise ValueError(f"Backoff.exponential(max=) ({ceiling}s) must not be below initial= ({first}s)")
        return cls("exponential", first, float(factor), ceiling, jitter)

    def delay(self, failed_attempt: int) -> float:
        """Seconds to wait after attempt number `failed_attempt` (1-based) failed."""
        if self.kind == "none":
            return 0.0
        base = self.initial if self.kind == "fixed" else self.initial * self.factor ** (failed_attempt - 1)
        base = min(base, self.max)
        return random.uniform(0, base) if self.jitter else base


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` counts attempts, not retries (1 means no retry). `on` lists the exception classes that are retried;
    empty means every `Exception` except `ActionTimeout`, which is retried only when named."""

    attempts: int = 1
    backoff: Backoff = field(default_factory=Backoff)
    on: Sequence[type[BaseException]] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or isinstance(self.attempts, bool) or self.attempts < 1:
            raise ValueError(f"RetryPolicy(attempts=) counts attempts and must be an int >= 1, got {self.attempts!r}")
        for cls in self.on:
            if not (isinstance(cls, type) and issubclass(cls, BaseException)):
                raise TypeError(f"RetryPolicy(on=) takes exception classes, got {cls!r}")
        object.__setattr__(self, "on", tuple(self.on))
