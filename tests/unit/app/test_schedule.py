"""EventBridge schedule expressions: what is accepted, what is refused with a reason, and when the next tick is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devserver.app.schedule import ScheduleError, parse_schedule

NOW = datetime(2026, 12, 2, 15, 0, 7, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "next_tick"),
    [
        ("rate(1 minute)", datetime(2026, 12, 2, 15, 1, 7, tzinfo=UTC)),
        ("rate(5 minutes)", datetime(2026, 12, 2, 15, 5, 7, tzinfo=UTC)),
        ("rate(2 hours)", datetime(2026, 12, 2, 17, 0, 7, tzinfo=UTC)),
        ("rate(1 day)", datetime(2026, 12, 3, 15, 0, 7, tzinfo=UTC)),
        ("cron(0 3 * * ? *)", datetime(2026, 12, 3, 3, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", datetime(2026, 12, 2, 15, 15, tzinfo=UTC)),
        ("cron(0 3 ? * MON-FRI *)", datetime(2026, 12, 3, 3, 0, tzinfo=UTC)),
        ("cron(0 3 ? * 2-6 *)", datetime(2026, 12, 3, 3, 0, tzinfo=UTC)),  # 2-6 is Monday to Friday
        ("cron(0 3 ? * 1 *)", datetime(2026, 12, 6, 3, 0, tzinfo=UTC)),  # 1 is Sunday
        ("cron(0 3 ? * 6L *)", datetime(2026, 12, 25, 3, 0, tzinfo=UTC)),  # the last Friday
        ("cron(15 10 ? * 6#3 *)", datetime(2026, 12, 18, 10, 15, tzinfo=UTC)),  # the third Friday
        ("cron(0 3 L * ? *)", datetime(2026, 12, 31, 3, 0, tzinfo=UTC)),  # the last day of the month
        ("cron(0 3 5W * ? *)", datetime(2026, 12, 4, 3, 0, tzinfo=UTC)),  # the 5th is a Saturday: Friday the 4th
        ("cron(0 0 1 1 ? 2030)", datetime(2030, 1, 1, 0, 0, tzinfo=UTC)),
        ("cron(0 0 1 1 ? 2028-2030/2)", datetime(2028, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_the_next_tick_follows_eventbridge_s_grammar(expression: str, next_tick: datetime) -> None:
    assert parse_schedule(expression).next_after(NOW) == next_tick


def test_a_cron_whose_years_are_past_never_fires_again() -> None:
    assert parse_schedule("cron(0 0 1 1 ? 2020)").next_after(NOW) is None


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("every day", "expected"),
        ("rate(1 minutes)", "write 'rate(1 minute)'"),
        ("rate(5 minute)", "write 'rate(5 minutes)'"),
        ("rate(0 minutes)", "positive"),
        ("rate(5 weeks)", "expected"),
        ("cron(0 3 * * ?)", "6 fields"),
        ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 3 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 3 ? * 8 *)", "day-of-week '8' must be 1-7"),
        ("cron(0 25 * * ? *)", "not a valid cron expression"),
        ("cron(0 3 * * ? 20x)", "year field"),
        (5, "must be"),
    ],
)
def test_bad_expressions_are_refused_naming_the_problem(expression: object, reason: str) -> None:
    with pytest.raises(ScheduleError, match=reason.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse_schedule(expression)


@settings(max_examples=60, deadline=None)
@given(minute=st.integers(0, 59), hour=st.integers(0, 23), moment=st.datetimes(timezones=st.just(UTC)))
def test_a_daily_cron_fires_within_a_day_at_its_minute(minute: int, hour: int, moment: datetime) -> None:
    tick = parse_schedule(f"cron({minute} {hour} * * ? *)").next_after(moment)
    assert tick is not None
    assert moment < tick <= moment + timedelta(days=1)
    assert (tick.hour, tick.minute) == (hour, minute)
