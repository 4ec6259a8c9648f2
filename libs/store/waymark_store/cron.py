"""A small 5-field cron parser: `minute hour day-of-month month day-of-week`, evaluated in an IANA time zone.

Both the client (`waymark.schedule` validates the expression and computes the first fire) and the timer (the next
fire after each one) use it, so it lives in the shared library. Pure Python, no I/O: the caller passes the time
(always Postgres' clock, never the host's).

Syntax per field: `*`, a number, `a-b`, lists `a,b,c`, steps `*/n`, `a-b/n`, `a/n` (from a to the end); months
`jan`-`dec` and weekdays `sun`-`sat` by name (any case); day of week 0-7 with 0 and 7 both Sunday. Macros:
`@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`), `@hourly`. As in Vixie cron, when both
day-of-month and day-of-week are restricted (neither starts with `*`), a day matches if EITHER matches.

Time zones (docs/policies.md): fire times are wall-clock times in the schedule's zone. A time that does not exist
(skipped by a daylight-saving jump forward) does not fire that day; a time that exists twice (the hour repeated when
clocks go back) fires once, at its first occurrence.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIELDS = (  # name, low, high
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th")
MONTHS = {
    name: i + 1
    for i, name in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
}
WEEKDAYS = {name: i for i, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
SEARCH_DAYS = 8 * 366  # far enough for Feb 29 on a given weekday-or-day rule; beyond it the expression never fires


class CronError(ValueError):
    """An invalid cron expression or time zone; the message names the bad field."""


@dataclass(frozen=True)
class Cron:
    expression: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week
        return in_month and in_week

    def next_after(self, after: datetime, tz: str | ZoneInfo = "UTC") -> datetime | None:
        """The first fire time strictly after `after` (an aware datetime), as an aware UTC datetime; None when the
        expression never fires (e.g. `0 0 30 2 *`)."""
        if after.tzinfo is None:
            raise ValueError("next_after() needs an aware datetime")
        zone = zone_of(tz) if isinstance(tz, str) else tz
        # Candidates from an hour before `after` (local wall time, to the minute): an `after` inside a repeated hour
        # maps back to the first occurrence of its wall time; the strict comparison below picks the right one.
        start = after.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) - timedelta(hours=1)
        day = start.date()
        for _ in range(SEARCH_DAYS):
            if self.day_matches(day):
                for hour in self.hours:
                    for minute in self.minutes:
                        naive = datetime(day.year, day.month, day.day, hour, minute)
                        if naive < start:
                            continue
                        aware = naive.replace(tzinfo=zone, fold=0)
                        as_utc = aware.astimezone(UTC)
                        if as_utc.astimezone(zone).replace(tzinfo=None) != naive:
                            continue  # skipped by a jump forward: this time does not exist today
                        if as_utc > after:
                            return as_utc
            day += timedelta(days=1)
        return None


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise CronError(f"unknown time zone {name!r}: use an IANA name such as 'UTC' or 'Europe/Paris'") from None


@functools.lru_cache(maxsize=256)
def parse(expression: str) -> Cron:
    """Parse a cron expression; a CronError names the field that is wrong."""
    if not isinstance(expression, str):
        raise CronError(f"a cron expression is a str, got {type(expression).__name__}")
    text = expression.strip()
    text = MACROS.get(text.lower(), text)
    if text.startswith("@"):
        raise CronError(f"unknown cron macro {expression!r}; known: {', '.join(sorted(MACROS))}")
    parts = text.split()
    if len(parts) != 5:
        raise CronError(
            f"cron expression {expression!r} has {len(parts)} fields; it needs 5: minute hour day-of-month month "
            "day-of-week"
        )
    values = [_field(part, index) for index, part in enumerate(parts)]
    weekdays = frozenset(0 if d == 7 else d for d in values[4])
    return Cron(
        expression=expression,
        minutes=tuple(sorted(values[0])),
        hours=tuple(sorted(values[1])),
        days=frozenset(values[2]),
        months=frozenset(values[3]),
        weekdays=weekdays,
        days_restricted=not parts[2].startswith("*"),
        weekdays_restricted=not parts[4].startswith("*"),
    )


def _field(text: str, index: int) -> set[int]:
    name, low, high = FIELDS[index]
    where = f"cron field {ORDINALS[index]} ({name}) {text!r}"
    names = MONTHS if index == 3 else WEEKDAYS if index == 4 else {}
    result: set[int] = set()
    for item in text.split(","):
        if not item:
            raise CronError(f"{where}: empty list item")
        body, _, step_text = item.partition("/")
        step = 1
        if _:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"{where}: the step {step_text!r} must be a whole number of at least 1")
            step = int(step_text)
        if body == "*":
            first, last = low, high
        elif "-" in body:
            a, _, b = body.partition("-")
            first, last = _number(a, names, where, low, high), _number(b, names, where, low, high)
            if first > last:
                raise CronError(f"{where}: the range {body!r} runs backwards")
        else:
            first = _number(body, names, where, low, high)
            last = high if _ else first
        result.update(range(first, last + 1, step))
    return result


def _number(text: str, names: dict[str, int], where: str, low: int, high: int) -> int:
    key = text.lower()
    if key in names:
        return names[key]
    if not text.isdigit():
        hint = f" or a name ({', '.join(names)})" if names else ""
        raise CronError(f"{where}: {text!r} is not a number{hint}")
    value = int(text)
    if not low <= value <= high:
        raise CronError(f"{where}: {value} is out of range {low}-{high}")
    return value


def validate(expression: str, timezone: str) -> Cron:
    """Parse and check that the expression fires at all (in that zone); the error says what is wrong."""
    cron = parse(expression)
    zone_of(timezone)
    if cron.next_after(datetime(2000, 1, 1, tzinfo=UTC), timezone) is None:
        raise CronError(f"cron expression {expression!r} never fires (no date matches its day and month fields)")
    return cron
