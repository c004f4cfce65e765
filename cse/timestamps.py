"""oneM2M timestamps: ISO 8601 basic format 'YYYYMMDDThhmmss' with optional fraction, UTC."""

from datetime import datetime, timedelta, timezone

from cse.errors import bad_request

_FORMATS = ("%Y%m%dT%H%M%S,%f", "%Y%m%dT%H%M%S.%f", "%Y%m%dT%H%M%S")


def now() -> datetime:
    return datetime.now(timezone.utc)


def format_ts(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S,%f")


def parse(text: str) -> datetime:
    """Parse an absolute oneM2M timestamp; raises ValueError on anything else."""
    raw = text.strip()
    if raw.endswith("Z"):
        raw = raw[:-1]
    for fmt in _FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a oneM2M timestamp (expected YYYYMMDDThhmmss)")


def parse_request_time(text: str, name: str) -> datetime:
    """Timestamp-or-duration parameters (rqet, rset, oet): absolute time or milliseconds from now."""
    if text.isdigit():
        return now() + timedelta(milliseconds=int(text))
    try:
        return parse(text)
    except ValueError as exc:
        raise bad_request(f"{name}: {exc}") from None
