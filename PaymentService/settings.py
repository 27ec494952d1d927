"""PaymentService's settings: the shared ones, the card company's webhook secret, and where the
card company calls us back."""

from pydantic import Field

from servicekit.webhooks import CardWebhookSettings


class PaymentSettings(CardWebhookSettings):
    service_name: str = "PaymentService"
    host: str = "127.0.0.1"
    port: int = Field(8001, ge=1, le=65535)
    # Base URL the card company uses for callbacks (this service as seen from outside).
    public_url: str = "http://127.0.0.1:8001"
