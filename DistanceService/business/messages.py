"""The event DistanceService consumes; its handler gets it validated."""

from uuid import UUID

from servicekit.contracts import Metadata, StatusMessage


class OrderMetadata(Metadata):
    # Ids are UUIDs; anything else can never be calculated, so it is dead-lettered at once.
    order_id: UUID
    customer_id: UUID


class OrderCreated(StatusMessage):
    """`order.created` as OrderService publishes it; only the ids matter here."""

    metadata: OrderMetadata
