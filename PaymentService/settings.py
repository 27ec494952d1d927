"""PaymentService's settings: the shared ones plus where the card company calls us back."""

from pydantic import Field

from servicekit.settings import ServiceSettings


class PaymentSettings(ServiceSettings):
    service_name: str = "PaymentService"
    host: str = "127.0.0.1"
    port: int = Field(8001, ge=1, le=65535)
    # Base URL the card company uses for callbacks (this service as seen from outside).
    public_url: str = "http://127.0.0.1:8001"
    currency: str = Field("SEK", pattern="^[A-Z]{3}$")
    # A payment stuck in "requested" this long (the process died mid-request) may be re-sent.
    stale_request_s: float = Field(60.0, gt=0)
