"""Dates as a hulpverlener types them: 3-4-2008, 03-04-2008, 3 apr 2008, 2008-04-03,
and the words vandaag, gisteren, eergisteren, morgen and overmorgen.

Day first, as in the Netherlands. Two-digit years are read as the most
recent year that is not in the future (08 -> 2008, 95 -> 1995). The parser
only reads the day; each field keeps its own rules (a talk or a birth date
in the future is refused by its form or its domain object).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from jongerenteam.domain import ValidationError
from storage import clock

MONTHS = {
    "jan": 1, "januari": 1,
    "feb": 2, "februari": 2,
    "mrt": 3, "maa": 3, "maart": 3, "mar": 3,
    "apr": 4, "april": 4,
    "mei": 5,
    "jun": 6, "juni": 6,
    "jul": 7, "juli": 7,
    "aug": 8, "augustus": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}

_NUMERIC = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s*([a-z]+)\.?\s*(\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})$")
_DAY_MONTH_WORDS = re.compile(r"^(\d{1,2})\s*([a-z]+)\.?$")

# Words for a day near today, as days from today.
RELATIVE_DAYS = {"eergisteren": -2, "gisteren": -1, "vandaag": 0, "morgen": 1, "overmorgen": 2}

EXAMPLE = "bijvoorbeeld 3-4-2008 of 3 apr 2008"
_SHORT_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _example(today: date, upcoming: bool, field: str) -> str:
    """An example that fits the field: a birth date for a birth date; for a date ahead
    one two weeks from today; for any other day (a talk, a score, a period) one two weeks back."""
    if upcoming:
        ahead = today + timedelta(days=14)
        return f"bijvoorbeeld {ahead.day}-{ahead.month} of {ahead.day} {_SHORT_MONTHS[ahead.month - 1]} {ahead.year}"
    if field == "birth_date":
        return EXAMPLE
    back = today - timedelta(days=14)
    return f"bijvoorbeeld gisteren, {back.day}-{back.month}-{back.year} of {back.day} {_SHORT_MONTHS[back.month - 1]} {back.year}"
RECENT_DAYS = 60  # a day-month without a year up to this many days back is this year's


def _year(text: str, today: date) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000
        if y > today.year:
            y -= 100
    return y


def parse_date(
    text: str, *, today: date | None = None, field: str = "birth_date", upcoming: bool = False
) -> date:
    """Parse a Dutch-style date; raise ValidationError with a Dutch message.

    "vandaag", "gisteren", "eergisteren", "morgen" and "overmorgen" are days
    from ``today`` (by default today on the store's clock); whether such a
    day is allowed is the field's rule, not the parser's.

    With ``upcoming`` (an appointment, a deadline, a follow-up date) a day
    and month without a year also work: "30-11" or "30 nov" is the nearest
    such day, looking ahead: up to ``RECENT_DAYS`` back it is this one (a
    follow-up date of last week stays last week, and an appointment there
    is refused as past by its form), otherwise the next one.
    """
    today = today or local_today()
    example = _example(today, upcoming, field)
    s = text.strip().lower()
    if not s:
        raise ValidationError(field, f"Vul een datum in, {example}.")
    if s.rstrip(".") in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[s.rstrip(".")])
    parts: tuple[int, int, int] | None = None
    if upcoming and ((m := _DAY_MONTH.match(s)) or (m := _DAY_MONTH_WORDS.match(s))):
        month = int(m[2]) if m[2].isdecimal() else MONTHS.get(m[2])
        if month is None:
            raise ValidationError(field, f"Onbekende maand '{m[2]}'. Gebruik {example}.")
        try:
            when = date(today.year, month, int(m[1]))
            if (today - when).days > RECENT_DAYS:
                when = date(today.year + 1, month, int(m[1]))
            elif (when - today).days > 366 - RECENT_DAYS:  # in January, "20-12" was last month
                when = date(today.year - 1, month, int(m[1]))
            return when
        except ValueError:
            raise ValidationError(field, f"Deze datum bestaat niet. Gebruik {example}.") from None
    if m := _ISO.match(s):
        parts = (int(m[3]), int(m[2]), int(m[1]))
    elif m := _NUMERIC.match(s):
        parts = (int(m[1]), int(m[2]), _year(m[3], today))
    elif m := _COMPACT.match(s):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    elif m := _WORDS.match(s):
        month = MONTHS.get(m[2])
        if month is None:
            raise ValidationError(field, f"Onbekende maand '{m[2]}'. Gebruik {example}.")
        parts = (int(m[1]), month, _year(m[3], today))
    if parts is None:
        raise ValidationError(field, f"Dit is geen datum die ik herken. Gebruik {example}.")
    day, month, year = parts
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(field, f"Deze datum bestaat niet. Gebruik {example}.") from None


def format_date(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def local_today() -> date:
    """Today on this laptop, by the store's clock (which tests can fix)."""
    return clock.local_time(clock.now()).date()


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` on this laptop, in UTC (as stored)."""
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


def clock_time(moment: datetime) -> str:
    """HH:MM of a stored (UTC) moment on this laptop's clock."""
    return clock.local_time(moment).strftime("%H:%M")


# The store's clock, for screens (which never import storage): tests can fix it.
now = clock.now
local_time = clock.local_time


def local_now() -> datetime:
    """Now on this laptop's clock, without a time zone (as a screen shows it)."""
    return clock.local_time(clock.now()).replace(tzinfo=None)


# -- what a worker types for a moment ---------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")
TIME_BAD = "Vul de tijd in als uu:mm, bijvoorbeeld 14:30."
MOMENT_BAD = "Vul datum en tijd in, bijvoorbeeld 14-03-2026 10:00."


def parse_time(text: str, *, field: str = "time") -> time:
    """'14:30', '14.30' or '14' to a time of day; ValidationError with a Dutch message."""
    m = _TIME.match(text.strip())
    if not m or int(m[1]) > 23 or int(m[2] or 0) > 59:
        raise ValidationError(field, TIME_BAD)
    return time(int(m[1]), int(m[2] or 0))


def parse_past_date(text: str, *, today: date, field: str) -> date:
    """A day that has happened: 3-4-2026, 3 apr 2026, gisteren, or 3-4 for the last such day up to today.

    A word for a day ahead ("morgen") is read as that day: the form refuses it with its own message.
    """
    try:
        return parse_date(text, today=today, field=field)
    except ValidationError as first:
        try:
            when = parse_date(text, today=today, field=field, upcoming=True)
        except ValidationError:
            raise first from None
        return when if when <= today else when.replace(year=when.year - 1)


def parse_moment(text: str, *, today: date, field: str = "at") -> datetime:
    """'14-03-2026 10:00' (or only a date: midnight) to a local moment; ValidationError(field) if not."""
    words = text.strip().split()
    if not words:
        raise ValidationError(field, MOMENT_BAD)
    clock = time(0, 0)
    if ":" in words[-1] or "." in words[-1]:
        clock = parse_time(words[-1], field=field)
        words = words[:-1]
    if not words:
        raise ValidationError(field, MOMENT_BAD)
    return datetime.combine(parse_date(" ".join(words), today=today, field=field), clock)


def moment_text(moment: datetime) -> str:
    """A stored (UTC) moment as a worker reads it: "14:02" today, else "05-12 14:02"."""
    local = clock.local_time(moment)
    return f"{local:%H:%M}" if local.date() == local_today() else f"{local:%d-%m %H:%M}"
