"""Structured JSON logs on stdout, one object a line, shaped like the TypeScript services' pino logs
(numeric level, ISO time, service, version, pid, msg, then the fields)."""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from datetime import datetime, timezone
from typing import Any

from . import SERVICE_NAME, __version__

_PINO_LEVELS = {logging.DEBUG: 20, logging.INFO: 30, logging.WARNING: 40, logging.ERROR: 50, logging.CRITICAL: 60}
_NAMES = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": _PINO_LEVELS.get(record.levelno, 30),
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "service": SERVICE_NAME,
            "version": __version__,
            "pid": os.getpid(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        entry["msg"] = record.getMessage()
        if record.exc_info:
            exc_type, exc, tb = record.exc_info
            entry["err"] = {
                "type": exc_type.__name__ if exc_type else None,
                "message": str(exc),
                "stack": "".join(traceback.format_exception(exc_type, exc, tb)),
            }
        return json.dumps(entry, default=str)


def setup_logging(level: str = "info") -> None:
    """Routes every logger (ours, grpc's, diffusers') through one JSON handler on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(_NAMES.get(level, logging.INFO))
    # Libraries stay quiet unless they warn.
    for noisy in ("diffusers", "transformers", "accelerate", "urllib3", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Log:
    """A logger with bound fields: log.info("msg", step=3) -> {"msg": "msg", "step": 3, ...bound}."""

    def __init__(self, name: str = "f2f_worker", **bound: Any):
        self._logger = logging.getLogger(name)
        self._bound = bound

    def child(self, **fields: Any) -> Log:
        return Log(self._logger.name, **{**self._bound, **fields})

    def _log(self, level: int, msg: str, exc_info: bool, fields: dict[str, Any]) -> None:
        if self._logger.isEnabledFor(level):
            self._logger.log(level, msg, exc_info=exc_info, extra={"fields": {**self._bound, **fields}})

    def debug(self, msg: str, **fields: Any) -> None:
        self._log(logging.DEBUG, msg, False, fields)

    def info(self, msg: str, **fields: Any) -> None:
        self._log(logging.INFO, msg, False, fields)

    def warning(self, msg: str, **fields: Any) -> None:
        self._log(logging.WARNING, msg, False, fields)

    def error(self, msg: str, exc_info: bool = False, **fields: Any) -> None:
        self._log(logging.ERROR, msg, exc_info, fields)
