"""Dates as citizens state them in a form conversation: a year and month without a day ("1990年7月参加工作",
"84年12月"), and a full date kept as said when it does not exist, so that validation can say so.

Hand-written: the two-digit years and the keep-what-was-said rule are the form's own; text/values.py parses
the dates themselves."""

from __future__ import annotations

import re
from datetime import date

from assistant.text.numerals import to_digits
from assistant.text.values import Unparsed, parse_date

YEAR_MONTH = re.compile(r"(?<!\d)(\d{4}|\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")


def year_month(m: re.Match[str]) -> str:
    """YYYY-MM of a YEAR_MONTH match; a two-digit year after 30 is in the 1900s."""
    y = int(m.group(1))
    y = y if y >= 1000 else (1900 + y if y > 30 else 2000 + y)
    return f"{y:04d}-{int(m.group(2)):02d}"


def stated_date(text: str, today: date | None) -> str:
    """The date a text states, as YYYY-MM-DD; a date that does not exist ("2021年2月29日") is kept as said, so
    that validation tells the citizen, rather than dropped."""
    try:
        return parse_date(text, today)
    except Unparsed:
        t = to_digits(text)
        m = re.search(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})", t)
        if m:
            y, mo, d = map(int, m.groups())
            return f"{y:04d}-{mo:02d}-{d:02d}"
        # "11月31号": no year said; the year is the latest one in which that month has begun (as parse_date's)
        m = re.search(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", t)
        if not m:
            raise
        mo, d = map(int, m.groups())
        now = today or date.today()
        if not 1 <= mo <= 12:
            raise
        y = now.year if mo <= now.month else now.year - 1
        return f"{y:04d}-{mo:02d}-{d:02d}"
