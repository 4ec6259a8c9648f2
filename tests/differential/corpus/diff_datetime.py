"""datetime, date, time and timedelta: arithmetic, comparisons (naive vs aware), methods, attributes, constructors
from run-time values, fromisoformat/strptime/combine, strftime and formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_datetime_arith")
class Arith(Workflow):
    async def run(self, start: datetime, days: int, hours: float) -> list[object]:
        due = start + timedelta(days=days, hours=hours)
        before = start - timedelta(minutes=90)
        span = due - start
        day = start.date()
        out: list[object] = [
            due,
            before,
            span,
            span.total_seconds(),
            span.days,
            span.seconds,
            due > start,
            due == start + span,
            day,
            day + timedelta(days=40),
            day - timedelta(hours=1),
            (day + timedelta(days=1)) - day,
            start.time(),
            start.weekday(),
            start.isoweekday(),
            start.isocalendar(),
            start.toordinal(),
            start.isoformat(),
            start.isoformat(sep=" ", timespec="minutes"),
            str(start),
            repr(due),
            start.strftime("%Y-%m-%d %H:%M:%S %a %A %b %B %j %p %I %y %%"),
            f"{start:%d/%m/%Y}",
            start.replace(day=1, hour=0),
            start.year,
            start.month,
            start.day,
            start.hour,
            start.minute,
            start.second,
            start.microsecond,
            datetime(start.year, 12, 31, 23, 59),
            date(2024, 2, days % 28 + 1),
            time(int(hours), 30),
            datetime.combine(day, time(8, 15)),
            datetime.fromisoformat("2024-03-10T12:30:00"),
            date.fromisoformat("2024-03-10"),
            datetime.strptime("2024-03-10 07:05", "%Y-%m-%d %H:%M"),
            sorted([due, start, before]),
            max(due, before),
            timedelta(days=days) * 2,
            timedelta(hours=hours) / 2,
            timedelta(days=days) // timedelta(hours=5),
            abs(before - start),
            -span,
            str(span),
            str(before - start),
            timedelta(seconds=hours),
            timedelta(weeks=1, milliseconds=days),
        ]
        return out


@workflow(name="d_datetime_aware")
class Aware(Workflow):
    async def run(self, a: datetime, b: datetime) -> list[object]:
        out: list[object] = [a - b, a == b, a < b, a.utcoffset(), b.utcoffset(), a.tzname(), a.timestamp()]
        out.append(a.isoformat())
        out.append(a + timedelta(hours=30))
        utc = timezone.utc  # noqa: UP017 - `datetime.UTC` is an object the workflow cannot read (WM131)
        out.append([a.tzinfo is None, str(a.tzinfo), repr(b.tzinfo), a.tzinfo == utc])
        out.append(b.astimezone(utc))
        out.append(a.astimezone(timezone(timedelta(hours=-5))).isoformat())
        out.append(a.replace(tzinfo=None).isoformat())
        out.append(a.replace(tzinfo=None).replace(tzinfo=utc) == a)
        return out


@workflow(name="d_datetime_mixed")
class Mixed(Workflow):
    async def run(self, naive: datetime, aware: datetime, op: str) -> object:
        if op == "eq":
            return naive == aware
        if op == "lt":
            return naive < aware
        if op == "sub":
            return naive - aware
        if op == "date_cmp":
            return naive < naive.date()
        return None


@workflow(name="d_datetime_errors")
class Errors(Workflow):
    async def run(self, year: int, month: int, day: int, text: str) -> list[object]:
        out: list[object] = []
        try:
            out.append(date(year, month, day))
        except ValueError as exc:
            out.append(f"ValueError: {exc}")
        try:
            out.append(datetime.fromisoformat(text))
        except ValueError as exc:
            out.append(f"ValueError: {exc}")
        try:
            out.append(datetime.strptime(text, "%d.%m.%Y"))
        except ValueError as exc:
            out.append(f"ValueError: {exc}")
        return out


@workflow(name="d_datetime_class_constants")
class ClassConstants(Workflow):
    """`datetime.min`, `date.max`, `timedelta.max`, `time.min`, `.resolution` (found by the external review corpus)."""

    async def run(self, day: date) -> list[object]:
        midnight = datetime.combine(day, datetime.min.time())
        aware = datetime.combine(day, time(9, 30), tzinfo=timezone(timedelta(0)))
        shifted = datetime.combine(date=day, time=time(9, 30, tzinfo=timezone(timedelta(hours=2))))
        out: list[object] = [
            midnight,
            aware,
            shifted,
            aware - shifted,
            datetime.combine(day, time(1), None).tzinfo,
            datetime.combine(day, time.max),
            date.max.year - day.year,
            datetime.min.replace(year=day.year),
            timedelta.max.days,
            timedelta.resolution * 10,
            date.resolution,
            time.min.isoformat(),
        ]
        try:
            out.append(datetime.combine(day, time(), tzinfo=2))
        except TypeError as e:
            out.append(str(e))
        try:
            out.append(datetime.fromisoformat(date_string="2024-01-01"))
        except TypeError as e:
            out.append(str(e))
        for make in ("late", "early", "long"):
            try:
                if make == "late":
                    out.append(datetime.max + timedelta(days=1))
                elif make == "early":
                    out.append(date.min - date.resolution)
                else:
                    out.append(timedelta.max + timedelta.resolution)
            except OverflowError as e:
                out.append(f"{make}: {e}")
        return out


CASES = [
    case("class_constants", ClassConstants, date(2024, 2, 29)),
    case("arith", Arith, datetime(2024, 2, 27, 13, 45, 7, 250), 3, 10.5),
    case("arith_year_end", Arith, datetime(2023, 12, 31, 0, 0), 400, 0.25),
    case(
        "aware",
        Aware,
        datetime(2024, 5, 1, 12, tzinfo=UTC),
        datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))),
    ),
    case("mixed_eq", Mixed, datetime(2024, 1, 1), datetime(2024, 1, 1, tzinfo=UTC), "eq"),
    case(
        "mixed_lt",
        Mixed,
        datetime(2024, 1, 1),
        datetime(2024, 1, 1, tzinfo=UTC),
        "lt",
        raises="builtins.TypeError",
    ),
    case(
        "mixed_sub",
        Mixed,
        datetime(2024, 1, 1),
        datetime(2024, 1, 1, tzinfo=UTC),
        "sub",
        raises="builtins.TypeError",
    ),
    case(
        "date_cmp",
        Mixed,
        datetime(2024, 1, 1),
        datetime(2024, 1, 1, tzinfo=UTC),
        "date_cmp",
        raises="builtins.TypeError",
    ),
    case("errors", Errors, 2023, 2, 29, "10.03.2024"),
    case("errors_ok", Errors, 2024, 2, 29, "2024-03-10 10:00:00+01:00"),
]
