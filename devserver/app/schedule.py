"""EventBridge schedule expressions: `rate(5 minutes)` and `cron(0 3 * * ? *)`, checked and evaluated. Pure.

EventBridge's cron has six fields, `minutes hours day-of-month month day-of-week year`, always in UTC. It differs
from Unix cron in ways that matter: day-of-week counts 1-7 from Sunday (Unix: 0-6), exactly one of day-of-month
and day-of-week must be `?`, and there is a year field. `W` (nearest weekday), `L` (last) and `#` (nth weekday)
are allowed. The arithmetic of "when is the next tick" is croniter's; this module translates EventBridge's fields
into croniter's five and checks the year itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter

__all__ = ["ScheduleError", "Schedule", "parse_schedule"]

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_YEAR_FIELD = re.compile(r"^(\*|\d{4}(-\d{4})?(/\d+)?)(,(\d{4}(-\d{4})?(/\d+)?))*$")
_MAX_YEARS_AHEAD = 250


class ScheduleError(ValueError):
    """A schedule expression EventBridge would refuse; the message quotes it and says what is expected."""


@dataclass(frozen=True)
class Schedule:
    """A checked expression. `next_after(t)` is the first tick strictly after `t` (UTC), or None when none is left
    (a cron whose years are all past)."""

    expression: str
    rate_seconds: int | None = None
    cron_fields: str | None = None
    years: str = "*"

    def next_after(self, moment: datetime) -> datetime | None:
        if self.rate_seconds is not None:
            return moment + timedelta(seconds=self.rate_seconds)
        assert self.cron_fields is not None
        tick: datetime = croniter(self.cron_fields, moment).get_next(datetime)
        while not _year_matches(self.years, tick.year):
            year = next(
                (y for y in range(tick.year + 1, moment.year + _MAX_YEARS_AHEAD) if _year_matches(self.years, y)), None
            )
            if year is None:
                return None
            start_of_year = tick.replace(year=year, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
            tick = croniter(self.cron_fields, start_of_year - timedelta(seconds=1)).get_next(datetime)
        return tick


def parse_schedule(expression: object) -> Schedule:
    """Check `expression` against EventBridge's grammar; raises `ScheduleError` naming what is wrong."""
    if not isinstance(expression, str):
        raise ScheduleError(f'schedule must be "rate(...)" or "cron(...)", got {expression!r}')
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            raise ScheduleError(f"{expression!r}: the rate must be a positive whole number")
        singular = unit.rstrip("s")
        if (value == 1) != (unit == singular):
            written = f"rate(1 {singular})" if value == 1 else f"rate({value} {singular}s)"
            raise ScheduleError(f"{expression!r}: write {written!r} (the unit is singular for 1 only)")
        return Schedule(expression, rate_seconds=value * _UNIT_SECONDS[singular])
    cron = _CRON.match(expression)
    if cron is None:
        raise ScheduleError(
            f'{expression!r}: expected "rate(N minutes|hours|days)" or "cron(min hour day-of-month month '
            'day-of-week year)"'
        )
    return _parse_cron(expression, cron.group(1).split())


def _parse_cron(expression: str, fields: list[str]) -> Schedule:
    if len(fields) != 6:
        raise ScheduleError(f"{expression!r}: cron takes 6 fields (minutes hours day-of-month month day-of-week year)")
    minutes, hours, day_of_month, month, day_of_week, years = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleError(f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'")
    if not _YEAR_FIELD.match(years):
        raise ScheduleError(f"{expression!r}: the year field {years!r} must be *, a year, a range or a list")
    unix = " ".join((minutes, hours, day_of_month, month, _unix_day_of_week(expression, day_of_week)))
    if not croniter.is_valid(unix):
        raise ScheduleError(f"{expression!r}: not a valid cron expression")
    return Schedule(expression, cron_fields=unix, years=years)


def _unix_day_of_week(expression: str, field: str) -> str:
    """EventBridge's day-of-week (1-7 from Sunday, `6L`, `2#1`) in croniter's terms (0-6, `L5`, `1#1`)."""
    if field in ("?", "*"):
        return "*"

    def day(token: str) -> str:
        if token.upper() in _DAY_NAMES:
            return token.upper()
        if not token.isdigit() or not 1 <= int(token) <= 7:
            raise ScheduleError(f"{expression!r}: day-of-week {token!r} must be 1-7 (1 is Sunday) or SUN-SAT")
        return str(int(token) - 1)

    parts = []
    for part in field.split(","):
        if part.endswith("L") and len(part) > 1:
            parts.append(f"L{day(part[:-1])}")
        elif "#" in part:
            weekday, nth = part.split("#", 1)
            parts.append(f"{day(weekday)}#{nth}")
        else:
            step = ""
            if "/" in part:
                part, increment = part.split("/", 1)
                step = f"/{increment}"
            span = "-".join(day(end) for end in part.split("-")) if part != "*" else "*"
            parts.append(span + step)
    return ",".join(parts)


def _year_matches(field: str, year: int) -> bool:
    if field == "*":
        return True
    for part in field.split(","):
        span, _, step = part.partition("/")
        first, _, last = span.partition("-")
        low, high = int(first), int(last or (first if not step else 9999))
        if low <= year <= high and (year - low) % int(step or 1) == 0:
            return True
    return False
