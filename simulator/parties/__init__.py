"""The outside parties, each a thin client of our APIs or the broker."""

from simulator.parties.calls import (
    API_KEY_HEADER,
    BROKER_RIDE_OUT_S,
    POOL,
    RIDE_OUT_S,
    Poll,
    Timeout,
    send,
)
from simulator.parties.card_company import CardCompany
from simulator.parties.customer import MENU, Customer
from simulator.parties.status_reporter import AFTER_DRIVER, StatusReporter, status_message

__all__ = [
    "AFTER_DRIVER",
    "API_KEY_HEADER",
    "BROKER_RIDE_OUT_S",
    "MENU",
    "POOL",
    "RIDE_OUT_S",
    "CardCompany",
    "Customer",
    "Poll",
    "StatusReporter",
    "Timeout",
    "send",
    "status_message",
]
