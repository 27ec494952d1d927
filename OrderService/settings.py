"""OrderService's settings: the shared ones plus its port and cache lifetime."""

from pydantic import Field

from servicekit.settings import ServiceSettings


class OrderSettings(ServiceSettings):
    service_name: str = "OrderService"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    order_cache_ttl_s: int = Field(3600, ge=1)
    # How long a freshly placed order waits before the sweep may charge it (the request's own
    # background task charges it at once; the sweep is for what that could not send).
    # Longer than one charge attempt can take (HTTP timeouts included), so that the sweep never
    # sends a charge the request's own task is still sending.
    charge_grace_s: float = Field(30.0, ge=0)
    # A charge that cannot be sent this many times (about 50 min at 30 s apart) ends the order
    # in paymentFailed instead of leaving it `created` for ever.
    charge_max_attempts: int = Field(100, ge=1)
