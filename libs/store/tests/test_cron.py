"""The cron parser (waymark_store.cron): fields, errors naming the field, next fire times incl. DST edges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from waymark_store.cron import CronError, parse, validate


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def nexts(expression: str, after: datetime, n: int, tz: str = "UTC") -> list[str]:
    cron = parse(expression)
    out = []
    for _ in range(n):
        found = cron.next_after(after, tz)
        assert found is not None
        out.append(found.strftime("%Y-%m-%d %H:%M"))
        after = found
    return out


def test_fields_steps_ranges_lists_and_names() -> None:
    cron = parse("*/15 9-17/4 1,15 jan-MAR mon-fri")
    assert cron.minutes == (0, 15, 30, 45)
    assert cron.hours == (9, 13, 17)
    assert cron.days == {1, 15}
    assert cron.months == {1, 2, 3}
    assert cron.weekdays == {1, 2, 3, 4, 5}
    assert parse("5/20 * * * 7").minutes == (5, 25, 45)
    assert parse("0 0 * * 7").weekdays == {0}  # 7 is Sunday too
    hourly = parse("@hourly")
    assert (hourly.minutes, hourly.hours, hourly.months) == ((0,), tuple(range(24)), frozenset(range(1, 13)))


def test_next_fire_times() -> None:
    assert nexts("*/5 * * * *", utc(2026, 1, 1, 10, 2, 30), 3) == [
        "2026-01-01 10:05",
        "2026-01-01 10:10",
        "2026-01-01 10:15",
    ]
    assert nexts("*/5 * * * *", utc(2026, 1, 1, 10, 5), 1) == ["2026-01-01 10:10"]  # strictly after
    assert nexts("0 0 1 * *", utc(2026, 1, 31, 12), 2) == ["2026-02-01 00:00", "2026-03-01 00:00"]
    assert nexts("30 23 31 12 *", utc(2026, 6, 1), 1) == ["2026-12-31 23:30"]
    assert nexts("0 0 29 2 *", utc(2026, 3, 1), 1) == ["2028-02-29 00:00"]  # leap day


def test_day_of_month_or_day_of_week_when_both_are_restricted() -> None:
    # the 13th OR a Friday (Vixie cron); with a `*` in one of them, only the other counts
    assert nexts("0 12 13 * fri", utc(2026, 2, 1), 3) == ["2026-02-06 12:00", "2026-02-13 12:00", "2026-02-20 12:00"]
    assert nexts("0 12 * * fri", utc(2026, 2, 1), 1) == ["2026-02-06 12:00"]
    assert nexts("0 12 13 * *", utc(2026, 2, 1), 1) == ["2026-02-13 12:00"]


def test_time_zones_and_daylight_saving() -> None:
    # 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer
    assert nexts("0 9 * * *", utc(2026, 3, 27, 12), 3, "Europe/Paris") == [
        "2026-03-28 08:00",
        "2026-03-29 07:00",
        "2026-03-30 07:00",
    ]
    # 02:30 does not exist on 2026-03-29 in Paris (02:00 -> 03:00): no fire that day
    assert nexts("30 2 * * *", utc(2026, 3, 28, 12), 2, "Europe/Paris") == ["2026-03-30 00:30", "2026-03-31 00:30"]
    # 02:30 exists twice on 2026-10-25 (03:00 -> 02:00): it fires once, at the first occurrence (00:30 UTC)
    assert nexts("30 2 * * *", utc(2026, 10, 24, 12), 2, "Europe/Paris") == ["2026-10-25 00:30", "2026-10-26 01:30"]
    # every 30 minutes through the repeated hour: each wall time once, none repeated, none skipped wrongly
    fires = nexts("*/30 * * * *", utc(2026, 10, 24, 23, 45), 6, "Europe/Paris")
    assert fires == [
        "2026-10-25 00:00",  # 02:00 CEST
        "2026-10-25 00:30",  # 02:30 CEST
        "2026-10-25 02:00",  # 03:00 CET (02:00 and 02:30 CET are the same wall times: not repeated)
        "2026-10-25 02:30",
        "2026-10-25 03:00",
        "2026-10-25 03:30",
    ]
    # from inside the repeated hour (second occurrence), the next fire is after it
    assert nexts("*/30 * * * *", utc(2026, 10, 25, 1, 10), 1, "Europe/Paris") == ["2026-10-25 02:00"]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("* * * *", "has 4 fields; it needs 5"),
        ("60 * * * *", r"1st \(minute\) '60': 60 is out of range 0-59"),
        ("* 24 * * *", r"2nd \(hour\) '24': 24 is out of range 0-23"),
        ("* * 0 * *", r"3rd \(day of month\) '0': 0 is out of range 1-31"),
        ("* * * foo *", r"4th \(month\) 'foo': 'foo' is not a number or a name \(jan"),
        ("* * * * 8", r"5th \(day of week\) '8': 8 is out of range 0-7"),
        ("*/0 * * * *", "the step '0' must be a whole number of at least 1"),
        ("5-1 * * * *", "the range '5-1' runs backwards"),
        ("1,,2 * * * *", "empty list item"),
        ("@often", "unknown cron macro"),
    ],
)
def test_errors_name_the_bad_field(expression: str, message: str) -> None:
    with pytest.raises(CronError, match=message):
        parse(expression)


def test_validate_checks_the_zone_and_that_it_ever_fires() -> None:
    validate("0 0 29 2 *", "UTC")
    with pytest.raises(CronError, match="never fires"):
        validate("0 0 30 2 *", "UTC")
    with pytest.raises(CronError, match="unknown time zone 'Mars/Olympus'"):
        validate("* * * * *", "Mars/Olympus")
