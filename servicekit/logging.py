"""One log format for our code, uvicorn and the libraries, through loguru; optional JSON lines.

Every line carries the ids of the current span (`extra` trace_id and span_id, empty outside a
span), so that a line leads to its trace and a trace to its lines.
"""

import inspect
import logging
import sys

from loguru import logger
from opentelemetry import trace

TEXT_FORMAT = (
    "<green>{time:YYYY-MM-DD HH:mm:ss.SSS}</green> | <level>{level: <8}</level> | "
    "{extra[service]} | {extra[trace_ref]}<cyan>{name}:{line}</cyan> | {extra[order_ref]}"
    "<level>{message}</level>"
)
# loguru's levels as the standard library knows them (TRACE: uvicorn's own 5).
_STDLIB_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "SUCCESS": 25, "WARNING": 30}
_STDLIB_LEVELS |= {"ERROR": 40, "CRITICAL": 50}
LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "aio_pika", "aiormq", "pymongo")


# What aio-pika and aiormq log, as errors and warnings, each time the broker goes away and while
# they reconnect; servicekit.broker.connection says it once, clearly, so these go to DEBUG.
BROKER_RECONNECT_LINES = (
    "Unexpected connection close from remote",
    "Cancelling cause reader exited abnormally",
    "RobustChannel._on_close",
    "error when creating transport",
    "Reconnecting after",
    "Connection attempt to",
)


def _is_reconnect_noise(record: logging.LogRecord) -> bool:
    if not record.name.startswith(("aio_pika", "aiormq")):
        return False
    message = record.getMessage()
    return any(line in message for line in BROKER_RECONNECT_LINES)


class _InterceptHandler(logging.Handler):
    """Send standard-library log records to loguru, keeping the caller's location."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        if _is_reconnect_noise(record):
            level = "DEBUG"
        frame, depth = inspect.currentframe(), 0
        while frame is not None and (depth == 0 or frame.f_code.co_filename == logging.__file__):
            frame, depth = frame.f_back, depth + 1
        logger.opt(depth=depth, exception=record.exc_info).log(level, record.getMessage())


def _add_refs(record: dict) -> None:
    """The order's and the current span's ids, as fields and as text for the line."""
    extra = record["extra"]
    order_id = extra.get("order_id")
    extra["order_ref"] = f"order={order_id} | " if order_id else ""
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        trace_id, span_id = format(span.trace_id, "032x"), format(span.span_id, "016x")
        extra["trace_ref"] = f"trace={trace_id} span={span_id} | "
    else:
        trace_id = span_id = extra["trace_ref"] = ""
    extra["trace_id"], extra["span_id"] = trace_id, span_id


def setup_logging(service: str, level: str = "INFO", json: bool = False) -> None:
    """Configure loguru once per process and route the standard `logging` module into it."""
    logger.remove()
    defaults = {"service": service, "order_ref": "", "trace_ref": "", "trace_id": "", "span_id": ""}
    logger.configure(extra=defaults, patcher=_add_refs)
    if json:
        logger.add(sys.stderr, level=level, serialize=True, backtrace=False, diagnose=False)
    else:
        logger.add(sys.stderr, level=level, format=TEXT_FORMAT, backtrace=False, diagnose=False)

    logging.basicConfig(handlers=[_InterceptHandler()], level=0, force=True)
    for name in LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        library_logger.handlers = [_InterceptHandler()]
        library_logger.propagate = False
        # At level 0 uvicorn believes TRACE is on and wraps every request in its message
        # logger (about a tenth of a request's CPU, and lines nobody asked for).
        library_logger.setLevel(_STDLIB_LEVELS.get(level.upper(), logging.INFO))
    # The libraries log every frame and query at DEBUG and every request at INFO: keep them to
    # warnings, so that DEBUG means our own details.
    for name in ("pymongo", "aiormq", "aio_pika", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
