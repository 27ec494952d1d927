"""What can go wrong when talking to the broker, as our own exception types."""


class BrokerUnavailable(RuntimeError):
    """The broker could not take the message (connection down, nack, confirm timeout)."""


class UnroutableMessage(RuntimeError):
    """The broker returned a mandatory message: no queue is bound to its routing key."""

    def __init__(self, exchange: str, routing_key: str) -> None:
        where = repr(exchange) if exchange else "the default exchange"
        super().__init__(f"no queue is bound to {routing_key!r} on {where}")
        self.exchange = exchange
        self.routing_key = routing_key


class MalformedMessage(ValueError):
    """A message that can never be handled: it goes to the dead-letter queue without retries."""


def short_reason(error: BaseException, limit: int = 300) -> str:
    """The error's text on one line, cut to `limit` characters (its type when it has none)."""
    text = str(error).replace("\n", " ")
    return text[:limit] if text else type(error).__name__
