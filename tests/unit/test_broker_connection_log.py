"""A lost broker connection is said once, as a warning, and its return once, with the time."""

from loguru import logger

from servicekit.broker.connection import BrokerConnection


def test_a_lost_connection_is_one_warning_and_its_return_one_info_line() -> None:
    broker = BrokerConnection("amqp://127.0.0.1/", "exchange", "tests")
    broker._opened = object()  # type: ignore[assignment]  # as after connect()
    lines: list[str] = []
    sink = logger.add(lines.append, format="{level} | {message}", level="INFO")
    try:
        lost = ConnectionResetError("CONNECTION_FORCED - broker forced connection closure")
        broker._on_lost(None, lost)
        broker._on_lost(None, lost)  # each channel's close says it again: not repeated
        broker._on_back()
        broker._on_lost(None, None)  # closed on purpose: nothing to say
    finally:
        logger.remove(sink)
    assert len(lines) == 2
    assert lines[0].startswith("WARNING | Connection to RabbitMQ lost (CONNECTION_FORCED")
    assert lines[1].startswith("INFO | Reconnected to RabbitMQ after")
