"""Raw input (a posted form, a query string, a JSON field) read into Python values, once for every module.

Each returns a value or a marker the caller turns into its Chinese field message: ``as_id`` None, ``parse_day``
None (empty) or False (malformed), ``parse_moment`` None (malformed), ``parse_int`` None (out of range).
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def as_id(value):
    """A posted id as an int, or None when it is not a plain positive number a database id can be."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number < 2**63 else None


def parse_day(value):
    """A date: None when empty, False when malformed or impossible (2026-02-30)."""
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return parse_date(str(value).strip()) or False
    except ValueError:
        return False


def parse_moment(value, default=None):
    """An aware datetime (naive input is Asia/Shanghai): ``default`` when empty, None when malformed."""
    if not value:
        return default
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:  # well formed but impossible, e.g. 2026-13-45T10:00
            return None
    if parsed is None:
        return None
    try:
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    except (ValueError, OverflowError):
        return None


def parse_int(value, low, high, default=None):
    """A whole number in [low, high]: ``default`` (else ``low``) when empty, None when not a number or outside."""
    text = str(value if value is not None else "").strip()
    if text == "":
        return default if default is not None else low
    if not (text.isascii() and text.lstrip("-").isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None
