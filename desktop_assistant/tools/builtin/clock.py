"""current_time: the date and time in any IANA time zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Now = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_current_time(now: Now = _utc_now) -> Callable[[str], dict[str, str]]:
    """The tool, reading the time from ``now`` (injectable so tests are exact)."""

    def current_time(timezone: str = "UTC") -> dict[str, str]:
        """The current date and time in a time zone.

        Args:
            timezone: An IANA time zone name such as "Europe/Berlin" or "America/New_York".
        """
        try:
            zone = ZoneInfo(timezone.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {timezone!r}; use an IANA name like 'Europe/Paris'"
            ) from None
        local = now().astimezone(zone)
        offset = local.strftime("%z")
        return {
            "timezone": zone.key,
            "iso": local.isoformat(timespec="seconds"),
            "date": local.strftime("%Y-%m-%d"),
            "time": local.strftime("%H:%M"),
            "weekday": local.strftime("%A"),
            "utc_offset": f"{offset[:3]}:{offset[3:]}",
        }

    return current_time
