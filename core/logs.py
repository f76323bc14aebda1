"""Logs as one JSON object a line, each carrying the id of the request it belongs to (the load
balancer's X-Request-ID, passed on in the answer). Imports nothing of Django: gunicorn's own
logging uses it before Django is set up."""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the load balancer is taken as it is, if it could not smuggle anything into a log.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; any other one was passed as `extra` and goes into the line.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, any `extra`, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _request_id.get()
        if request_id:
            line["request_id"] = request_id
        line.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)

    converter = time.gmtime


def begin_request(given: str) -> tuple[str, Token]:
    """The request's id (the load balancer's if it is a sane one, else a new one), now on every line."""
    request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
    return request_id, _request_id.set(request_id)


def end_request(token: Token) -> None:
    _request_id.reset(token)
