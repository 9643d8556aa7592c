"""Keep secrets out of logs: known secrets and anything shaped like a key or token is masked.

``install()`` puts a ``RedactingFilter`` on the root logger's handlers; ``remember()`` adds a
secret the app holds (the API key, a fetched token) so that even an unusual shape is masked.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

MASK = "[redacted]"

_SHAPES = re.compile(
    r"AIza[0-9A-Za-z_\-]{20,}"  # Google API keys
    r"|auth_tokens/[0-9A-Za-z_\-.]+"  # Gemini ephemeral tokens
    r"|ya29\.[0-9A-Za-z_\-.]+"  # OAuth access tokens
    r"|(?i:(?<=bearer )|(?<=token ))[0-9A-Za-z_\-.=/+]{12,}"  # Authorization header values
    r"|(?i:(?<=x-goog-api-key: )|(?<=x-goog-api-key=)|(?<=key=)|(?<=access_token=))[^\s&'\"]{6,}"
)

_known: set[str] = set()
_known_lock = threading.Lock()


def remember(secret: str) -> None:
    """Mask ``secret`` wherever it appears in a log line from now on (short ones are ignored)."""
    if len(secret) >= 6:
        with _known_lock:
            _known.add(secret)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    with _known_lock:
        known = sorted({*_known, *extra}, key=len, reverse=True)
    for secret in known:
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return _SHAPES.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets masked (formatting the args first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Exception texts (an SDK error quoting a header) are formatted later by the handler;
            # format them now, redacted, so the raw text never reaches a stream.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        return True


def install(logger: logging.Logger | None = None) -> RedactingFilter:
    """Attach one filter to every handler of ``logger`` (root by default) and to the logger."""
    target = logger or logging.getLogger()
    flt = RedactingFilter()
    target.addFilter(flt)
    for handler in target.handlers:
        handler.addFilter(flt)
    return flt
