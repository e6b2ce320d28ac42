"""The log file: the `boards` logger also writes to `<log dir>/boards.log`, rotated (5 MB x 5 files).

Secrets never reach a log: every handler of the `boards` logger formats through `RedactingFormatter`,
which blanks the secrets the app registered (the API token, the session secret, launch codes) and
anything shaped like a credential (`Authorization: Bearer ...`, a session cookie, `?code=`), in
messages and tracebacks alike. A request that fails unexpectedly is logged with its traceback.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boards_desktop.settings import Settings

LOG_FILE_NAME = "boards.log"
_MAX_BYTES = 5 * 1024 * 1024
_BACKUPS = 4  # boards.log and four older files: five in all
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"

# Recent launch codes are many over a long session; the token and session secret stay for good.
_lasting_secrets: set[str] = set()
_recent_secrets: deque[str] = deque(maxlen=64)
_CREDENTIAL_HINTS = ("bearer", "boards_session", "code=", "token")
_CREDENTIAL_SHAPES = re.compile(
    r"(?i)(bearer\s+|boards_session[_0-9]*=|[?&]code=|api[-_]token[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9_\-.~%]+"
)


def register_secret(value: str, *, lasting: bool = False) -> None:
    """Blank `value` wherever it would appear in a log line."""
    if len(value) >= 8:
        (_lasting_secrets.add if lasting else _recent_secrets.append)(value)


def redact(text: str) -> str:
    for secret in (*_lasting_secrets, *_recent_secrets):
        if secret in text:
            text = text.replace(secret, REDACTED)
    lowered = text.lower()
    if any(hint in lowered for hint in _CREDENTIAL_HINTS):  # substring scans are far cheaper than the pattern
        text = _CREDENTIAL_SHAPES.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_file_path(settings: Settings) -> Path:
    return (settings.log_dir or settings.data_dir / "logs") / LOG_FILE_NAME


def install_log_file(settings: Settings) -> Path:
    """Send the `boards` logger to the log file of these settings too; returns the file's path.

    One process may build several apps (tests, a second installation on one database): the logger
    keeps one file handler, moved to the newest app's folder.
    """
    logger = logging.getLogger("boards")
    sql_logger = logging.getLogger("sqlalchemy.engine")  # BOARDS_SQL_ECHO: statements go to the file too
    path = log_file_path(settings)
    for handler in list(logger.handlers):
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) != path:
            logger.removeHandler(handler)
            sql_logger.removeHandler(handler)
            handler.close()
    file_handlers = [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]
    if not file_handlers:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handlers = [RotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")]
        logger.addHandler(file_handlers[0])
    if settings.sql_echo and file_handlers[0] not in sql_logger.handlers:
        sql_logger.addHandler(file_handlers[0])
    elif not settings.sql_echo:
        sql_logger.removeHandler(file_handlers[0])
    for handler in logger.handlers:
        handler.setFormatter(RedactingFormatter(_FORMAT))
    return path


def log_unexpected_error(exception: Exception, scope: Any) -> None:
    """Litestar `after_exception` hook: an error that is not a deliberate HTTP answer, with its traceback."""
    status = getattr(exception, "status_code", 500)
    if isinstance(status, int) and status < 500:
        return
    # Imported here: the window's launcher writes the log before anything has imported Litestar.
    from litestar.exceptions import InternalServerException

    if isinstance(exception, InternalServerException) and "client disconnected" in str(exception.detail):
        # The client went away while its request was read (a closed tab, a cancelled script): nothing
        # failed here, and there is nobody to answer.
        logging.getLogger("boards").info("client left during %s %s", scope.get("method"), scope.get("path"))
        return
    logging.getLogger("boards").error(
        "unexpected error in %s %s", scope.get("method", scope.get("type")), scope.get("path"), exc_info=exception
    )
