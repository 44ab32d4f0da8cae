"""Dates: the article's own date (header, dateline, or inferred) and time expressions resolved against it."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
ORDER = {"unknown": 0, "year": 1, "month": 2, "day": 3}


@dataclass(frozen=True)
class DateValue:
    """A date with the precision it really has; month and year dates sit on the period's first day."""

    date: dt.date | None
    precision: str = "day"  # day | month | year | unknown

    @classmethod
    def unknown(cls) -> DateValue:
        return cls(None, "unknown")

    @property
    def known_date(self) -> dt.date | None:
        """The date, when it is known (a precision other than unknown); else None."""
        return self.date if self.precision != "unknown" else None

    @property
    def known(self) -> bool:
        return self.known_date is not None

    def last_day(self) -> dt.date | None:
        d = self.known_date
        if d is None:
            return None
        if self.precision == "year":
            return dt.date(d.year, 12, 31)
        if self.precision == "month":
            return dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
        return d


@dataclass(frozen=True)
class TimeExpr:
    """A time expression found in a text: where it is and what it says (fields left None are not said)."""

    start: int
    end: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    relative: str | None = None  # last_month | this_month | last_year | this_year | last_week | yesterday |
    # today | weekday:N


_DAY_MONTH_YEAR = rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_MONTH_DAY_YEAR = rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_MONTH_YEAR = rf"(?:(?:early|mid|late|mid-)\s*)?{_MONTH}(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_PATTERNS = [re.compile(r"(?<![\w-])" + p) for p in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR)]
_MONTH_YEAR_RE = re.compile(r"(?<![\w-])" + _MONTH_YEAR + r"(?![\w])")
_IN_YEAR_RE = re.compile(r"\b(?:in|since|during|of|early|late)\s+(?P<year>(?:19|20)\d\d)(?!s|\d)")
_ISO_RE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
_RELATIVE_SOURCE = (
    r"\b(?:(?P<last_month>last month|a month ago)|(?P<this_month>(?:earlier |later )?this month)|"
    r"(?P<last_year>last year)|(?P<this_year>(?:earlier )?this year)|(?P<last_week>last week)|"
    r"(?P<yesterday>yesterday)|(?P<today>today))\b|"
    r"\bon (?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
_RELATIVE = re.compile(_RELATIVE_SOURCE, re.IGNORECASE)
# the same, case-sensitive, for lower-cased text: several times faster than IGNORECASE
_RELATIVE_LOWER = re.compile(_RELATIVE_SOURCE)
# American copy dates a statement with a bare weekday after the verb: "Trump said Tuesday", "vowed late Monday"
_VERB_WEEKDAY = re.compile(r"\b(?:said|says|vowed|announced|told|stated|added|wrote|confirmed|declared|insisted|warned|"
                           r"noted|argued|suggested|indicated|signaled|signalled|stressed|reiterated|pledged|promised|"
                           r"rejected|ruled out|dismissed|urged|proposed|offered|agreed)\s+(?:(?:late|early)\s+)?"
                           r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
# A month without a year or day ("May", "March") is also a verb or a name: it needs a preposition in front.
# What any match of a pattern contains: a text without it is not scanned for that pattern (each of these begins
# with a character or a class, which the regular-expression engine looks for quickly; the patterns above begin with
# a look-behind or a word boundary, which it tries at every position).
_MONTH_NAME = _MONTH.replace("(?P<month>", "(?:")
_HINTS = {
    _ISO_RE: re.compile(r"\d\d-\d\d-\d\d"),
    _PATTERNS[0]: re.compile(r"\d(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_NAME),  # day month
    _PATTERNS[1]: re.compile(_MONTH_NAME + r"\s+\d"),  # month day
    _MONTH_YEAR_RE: re.compile(_MONTH_NAME),
    _IN_YEAR_RE: re.compile(r"\s(?:19|20)\d\d"),
    _VERB_WEEKDAY: re.compile(r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"),
    _RELATIVE_LOWER: re.compile(r"month|year|week|day"),  # (on lower-cased text: "yesterday", "on monday")
}


def _found(pattern: re.Pattern[str], text: str):
    """pattern.finditer(text), or nothing when the text lacks what every match contains."""
    return pattern.finditer(text) if _HINTS[pattern].search(text) else ()


_BARE_MONTH_OK = re.compile(r"(?:\b(?:in|since|until|by|from|of|during|early|late|mid|last|next|this|and|or)\s+|mid-)$",
                            re.I)


def time_expressions(text: str) -> list[TimeExpr]:
    """Every date-like expression in a text, left to right, without overlaps."""
    found: list[TimeExpr] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(e: TimeExpr) -> None:
        if free(e.start, e.end):
            found.append(e)
            taken.append((e.start, e.end))

    for m in _found(_ISO_RE, text):
        try:
            dt.date(int(m["year"]), int(m["month"]), int(m["day"]))
        except ValueError:
            continue
        add(TimeExpr(m.start(), m.end(), m.group(), int(m["year"]), int(m["month"]), int(m["day"])))
    for pat in _PATTERNS:
        for m in _found(pat, text):
            day = int(m["day"])
            if not 1 <= day <= 31:
                continue
            year = int(m["year"]) if m["year"] else None
            add(TimeExpr(m.start(), m.end(), m.group(), year, MONTHS[m["month"].lower()], day))
    for m in _found(_MONTH_YEAR_RE, text):
        if not m["year"] and not _BARE_MONTH_OK.search(text[max(0, m.start() - 12):m.start()]):
            continue
        year = int(m["year"]) if m["year"] else None
        add(TimeExpr(m.start(), m.end(), m.group(), year, MONTHS[m["month"].lower()]))
    for m in _found(_IN_YEAR_RE, text):
        s = m.start("year")
        add(TimeExpr(s, m.end(), m["year"], int(m["year"])))
    lower = text.lower()
    # lower() keeps offsets unless a character changes length ("İ"): then read the text itself
    relative = _found(_RELATIVE_LOWER, lower) if len(lower) == len(text) else _RELATIVE.finditer(text)
    for m in relative:
        rel: str | None
        if m["wd"]:
            if not text[m.start("wd")].isupper():  # "on monday" in lower case is not a date
                continue
            rel = f"weekday:{WEEKDAYS[m['wd'].lower()]}"
        else:
            rel = m.lastgroup
        add(TimeExpr(m.start(), m.end(), text[m.start():m.end()], relative=rel))
    if "day" in text:
        for m in _found(_VERB_WEEKDAY, text):
            add(TimeExpr(m.start("wd"), m.end(), m["wd"], relative=f"weekday:{WEEKDAYS[m['wd'].lower()]}"))
    found.sort(key=lambda e: e.start)
    return found


def _month_shift(d: dt.date, months: int) -> dt.date:
    total = d.year * 12 + (d.month - 1) + months
    return dt.date(total // 12, total % 12 + 1, 1)


def resolve(expr: TimeExpr, ref: DateValue) -> DateValue:
    """What a time expression means, read on the article's date; never later than that date."""
    if expr.relative:
        r = ref.known_date
        if r is None:
            return DateValue.unknown()
        if expr.relative in ("last_month", "this_month"):
            if ORDER[ref.precision] < ORDER["month"]:
                return DateValue(dt.date(r.year, 1, 1), "year")
            return DateValue(_month_shift(r, -1 if expr.relative == "last_month" else 0), "month")
        if expr.relative in ("last_year", "this_year"):
            return DateValue(dt.date(r.year - (expr.relative == "last_year"), 1, 1), "year")
        if ref.precision != "day":
            # "last week" in an article known only to the month is still within (about) that month.
            return DateValue(dt.date(r.year, r.month, 1), "month") if ref.precision == "month" else ref
        if expr.relative == "yesterday":
            return DateValue(r - dt.timedelta(days=1), "day")
        if expr.relative == "today":
            return ref
        if expr.relative == "last_week":
            return DateValue(r - dt.timedelta(days=7), "day")
        if expr.relative.startswith("weekday:"):
            wd = int(expr.relative.split(":")[1])
            back = (r.weekday() - wd) % 7
            return DateValue(r - dt.timedelta(days=back), "day")
        return DateValue.unknown()
    year = expr.year
    if year is None:
        r = ref.known_date
        if r is None:
            return DateValue.unknown()
        year = r.year
        # A month or day without a year is the latest such one not after the article's date.
        if expr.month and (expr.month, expr.day or 1) > (r.month, r.day if ref.precision == "day" else 31):
            year -= 1
    if expr.month is None:
        value = DateValue(dt.date(year, 1, 1), "year")
    elif expr.day is None:
        value = DateValue(dt.date(year, expr.month, 1), "month")
    else:
        try:
            value = DateValue(dt.date(year, expr.month, expr.day), "day")
        except ValueError:
            value = DateValue(dt.date(year, expr.month, 1), "month")
    return not_after(value, ref)


def not_after(value: DateValue, ref: DateValue) -> DateValue:
    """A position cannot be expressed after the article reporting it: clamp a future date to the article's."""
    day, last = value.known_date, ref.last_day()
    if day is not None and last is not None and day > last:
        return ref
    return value


_CLOCK = re.compile(r"\d{1,2}:\d{2}\s*(?:[AP]\.?M\.?)?\s*(?:[A-Z]{2,5}\b)?|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_DATELINE_PATTERNS = [re.compile(rf"^{p}$") for p in (_MONTH_DAY_YEAR, _DAY_MONTH_YEAR)]


def parse_iso(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None


def find_dateline(body: str) -> DateValue | None:
    """A line that holds only a date (and maybe a time), like "6:22 AM EST, December 3, 2024"."""
    for line in body.splitlines():
        if len(line) > 60 or not line.strip():
            continue
        rest = _CLOCK.sub("", line).strip(" ,|-\u2013\u2014\t")
        m = next((m for p in _DATELINE_PATTERNS if (m := p.match(rest))), None)
        if m and m["year"]:
            try:
                return DateValue(dt.date(int(m["year"]), MONTHS[m["month"].lower()], int(m["day"])), "day")
            except ValueError:
                continue
    return None


_WEEKDAY_DATES = [re.compile(r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b[\s,(]{1,3}"
                             r"(?:the\s+)?" + p) for p in (_MONTH_DAY_YEAR, _DAY_MONTH_YEAR)]


def weekday_dates(text: str) -> list[tuple[int, int, int]]:
    """(weekday, month, day) of each date written with its weekday and without a year: "Monday (Feb 17)"."""
    return [(WEEKDAYS[m["wd"].lower()], MONTHS[m["month"].lower()], int(m["day"]))
            for pattern in _WEEKDAY_DATES for m in pattern.finditer(text)
            if m["year"] is None and 1 <= int(m["day"]) <= 31]


def _on(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def infer_date(body: str, bounds: tuple[dt.date, dt.date] | None = None) -> DateValue:
    """The article's date inferred from what it mentions, or unknown.

    The dates a text mentions only bound it from below: an article that says "In May ... Back in June ..." was
    written in June or later, not necessarily in June. So the latest date written out is a lower bound, and a
    date is given only as precisely as an upper bound closes the span. Upper bounds: the bounds (the span the
    text's office-holders held office together, see incumbents.py), and the year that months written without
    a year are read in ("on September 4" is written in the year it means). Within the span a weekday that
    agrees with one year only ("Monday (Feb 17)") pins the day; a span within one month or one calendar year
    gives that month or that year.

    Months without a year are read in the latest year the text writes out with months ("In August 2025 ...
    On September 4"), else in the one year of the bounds they fit. A year written alone ("the invasion it
    launched in 2022") is mostly the past: it places no yearless month; it is only a lower bound."""
    exprs = [e for e in time_expressions(body) if not e.relative]
    yearless = [(e.month, e.day) for e in exprs if e.month and e.year is None]  # (month, day or None)
    floor, read_in = _mentioned_floor(exprs, yearless)
    lo, hi = bounds if bounds is not None else (dt.date.min, dt.date.max)
    lo = max(lo, floor) if floor else lo
    if read_in is not None:
        hi = min(hi, dt.date(read_in, 12, 31))
    if lo > hi:
        return DateValue.unknown()
    if hi == dt.date.max:
        return DateValue.unknown()  # nothing closes the span
    pinned = {d for wd, month, day in weekday_dates(body) for y in range(lo.year, hi.year + 1)
              if (d := _on(y, month, day)) and lo <= d <= hi and d.weekday() == wd}
    if pinned:
        # every weekday date must fit one reading; two readings of the same text leave it unknown
        return DateValue(max(pinned), "day") if len({d.year for d in pinned}) == 1 else DateValue.unknown()
    if yearless and read_in is None:
        fits = [y for y in range(lo.year, hi.year + 1)
                if all((d := _on(y, month, day or 1)) and lo <= d <= hi for month, day in yearless)]
        if len(fits) != 1:
            return DateValue.unknown()
        lo = max(lo, dt.date(fits[0], max(month for month, _ in yearless), 1))
        hi = min(hi, dt.date(fits[0], 12, 31))
    return _span(lo, hi)


def _mentioned_floor(exprs: list[TimeExpr], yearless: list[tuple[int, int | None]]
                     ) -> tuple[dt.date | None, int | None]:
    """The earliest day the article can have been written on, by the latest date it writes out; and the year
    its yearless months are read in, when the text fixes it (None: the bounds may place them)."""
    years = [e.year for e in exprs if e.year]
    if not years:
        return None, None
    year = max(years)
    months = [e.month for e in exprs if e.month and e.year == year]
    if yearless and not months:
        return dt.date(year, 1, 1), None  # a year written alone dates no yearless month
    if yearless:
        return dt.date(year, max(months + [month for month, _ in yearless]), 1), year
    return dt.date(year, max(months) if months else 1, 1), None


def _span(lo: dt.date, hi: dt.date) -> DateValue:
    """A span of days as a date of the precision it supports: its month, its year, or unknown."""
    if (lo.year, lo.month) == (hi.year, hi.month):
        return DateValue(dt.date(lo.year, lo.month, 1), "month")
    if lo.year == hi.year:
        return DateValue(dt.date(lo.year, 1, 1), "year")
    return DateValue.unknown()


def article_date(published: dt.date | None, body: str, precision: str = "day",
                 bounds: tuple[dt.date, dt.date] | None = None) -> DateValue:
    """The article's date: its header if any, else a dateline in the body, else inferred (within bounds, the
    span its named office-holders held office together, when known); else unknown."""
    if published is not None:
        return DateValue(published, precision if precision in ORDER else "day")
    return find_dateline(body) or infer_date(body, bounds)
