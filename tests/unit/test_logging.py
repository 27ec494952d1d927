"""Library logs (uvicorn, aio-pika) come out through loguru in our format, with the order id."""

import logging

from loguru import logger

from servicekit.logging import setup_logging


def test_standard_logging_and_order_ids_go_through_loguru() -> None:
    setup_logging("OrderService", level="INFO")
    lines: list[str] = []
    sink = logger.add(lines.append, format="{extra[service]} | {extra[order_ref]}{message}")
    try:
        logging.getLogger("uvicorn.error").info("Started server process")
        logger.bind(order_id="o-1").info("order placed")
        logging.getLogger("aiormq").debug("frame noise")  # below WARNING: dropped
    finally:
        logger.remove(sink)
    assert lines == [
        "OrderService | Started server process\n",
        "OrderService | order=o-1 | order placed\n",
    ]


def test_the_broker_libraries_reconnect_errors_are_kept_at_debug() -> None:
    setup_logging("OrderService", level="INFO")
    lines: list[str] = []
    sink = logger.add(lines.append, format="{level} | {message}", level="DEBUG")
    try:
        logging.getLogger("aiormq.connection").error(
            'Unexpected connection close from remote "amqp://guest:******@127.0.0.1:5672/"'
        )
        logging.getLogger("aio_pika.tools").error(
            "Callback <OneShotCallback: cb=<bound method RobustChannel._on_close of x>> error"
        )
        logging.getLogger("aio_pika.queue").error("Something else went wrong")
    finally:
        logger.remove(sink)
    assert [line.split(" | ")[0] for line in lines] == ["DEBUG", "DEBUG", "ERROR"]
