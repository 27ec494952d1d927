"""RabbitMQ on aio-pika: one robust connection, a topic exchange, one routed queue per service."""

from servicekit.broker.connection import BrokerConnection
from servicekit.broker.consumer import MessageHandler, QueueConsumer
from servicekit.broker.errors import BrokerUnavailable, MalformedMessage, UnroutableMessage
from servicekit.broker.messages import InboundMessage, Metadata, StatusMessage
from servicekit.broker.publisher import EventPublisher
from servicekit.broker.routing import route_key
from servicekit.broker.subscriber import Route, Routes, subscriber
from servicekit.broker.topology import ServiceQueue

__all__ = [
    "BrokerConnection",
    "BrokerUnavailable",
    "EventPublisher",
    "InboundMessage",
    "MalformedMessage",
    "MessageHandler",
    "Metadata",
    "QueueConsumer",
    "Route",
    "Routes",
    "ServiceQueue",
    "StatusMessage",
    "UnroutableMessage",
    "route_key",
    "subscriber",
]
