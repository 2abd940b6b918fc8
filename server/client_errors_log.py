"""Clients' protocol errors are logged in one line, not as a traceback.

uvicorn logs a websocket text frame that is not valid UTF-8 with `logger.exception(...)` on
"uvicorn.error" (a full traceback of its own decode call) before closing the connection with
1007. That is the client's mistake, not the server's: `OneLineClientErrors` turns such records
into one warning line that says what happened."""

from __future__ import annotations

import logging

INVALID_UTF8 = "Invalid UTF-8 sequence received from client."


class OneLineClientErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() == INVALID_UTF8 and record.exc_info:
            error = record.exc_info[1]
            record.msg = ("websocket: a client sent a text frame that is not valid UTF-8 (%s); "
                          "the connection was closed with 1007")
            record.args = (error,)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def install() -> None:
    """Add the filter to uvicorn's error logger (once)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, OneLineClientErrors) for f in logger.filters):
        logger.addFilter(OneLineClientErrors())
