"""Typed settings from environment variables, a `.env` file and secret files, checked at start."""

from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRETS_DIR = Path("/run/secrets")
URL_SCHEMES = {  # the schemes each server's URL may start with
    "mongo_url": ("mongodb://", "mongodb+srv://"),
    "redis_url": ("redis://", "rediss://", "unix://"),
    "rabbit_url": ("amqp://", "amqps://"),
}


def url_list(text: str) -> list[str]:
    """The URLs of a comma-separated list (one URL is a list of one)."""
    return [url.strip() for url in text.split(",") if url.strip()]


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message names each one and why."""


class ServiceSettings(BaseSettings):
    """What every service needs; environment variables override `.env`, which overrides defaults."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        secrets_dir=str(SECRETS_DIR) if SECRETS_DIR.is_dir() else None,
    )

    service_name: str = "service"
    environment: str = Field("development", pattern="^(development|test|production)$")

    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_db: str = "food_delivery"
    # How long an operation waits for a reachable server (and a connection for its handshake):
    # while MongoDB is down, a request answers 503 after about this long (retried reads: 1.5x).
    mongo_timeout_ms: int = Field(2000, ge=100)
    # The Retry-After (seconds) of a 503 answered because MongoDB cannot be reached.
    database_retry_after_s: int = Field(5, ge=1, le=3600)
    # Retryable writes let a write survive a lost connection or a primary failover once. Keep
    # them on a real MongoDB; SecantusDB's Python server pays a scan per write for them.
    mongo_retry_writes: bool = True
    # MongoDB connections kept open ahead of need (a burst of 50 requests opening connections
    # one by one raised POST p99 from about 250 to 300-350 ms).
    mongo_min_pool_size: int = Field(16, ge=0, le=100)

    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_timeout_s: float = Field(0.5, gt=0)
    service_url_ttl_s: int = Field(24 * 3600, ge=1)

    # One broker URL, or the nodes of a cluster separated by commas: the services connect to the
    # first that answers and, after a loss, try the next one.
    rabbit_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    # The service's queue; every instance of a service must use the same one (default: its name).
    queue_name: str | None = Field(None, min_length=1, max_length=200)
    exchange_name: str = "food_delivery"
    queue_type: str = Field("classic", pattern="^(classic|quorum)$")
    prefetch_count: int = Field(32, ge=2, le=1000)
    retry_delays_ms: list[Annotated[int, Field(ge=1, le=24 * 3600 * 1000)]] = Field(
        default=[250, 1000, 5000, 30000], max_length=20
    )

    service_api_key: SecretStr = Field(min_length=16)
    # More keys accepted on incoming requests while a key is rotated (JSON list); the service
    # itself always sends SERVICE_API_KEY.
    accepted_api_keys: list[SecretStr] = Field(default_factory=list, max_length=10)
    http_timeout_s: float = Field(5.0, gt=0)
    http_connect_timeout_s: float = Field(2.0, gt=0)
    # How long an idle client connection is kept open by our server, and by our client pool.
    # A client must drop an idle connection before the server does, or a request sent on it as
    # the server closes it fails with "server disconnected": the pool gives up after 4 s (less
    # than the 5 s of uvicorn's and Node's defaults, which Prism uses), our servers wait 75 s
    # (longer than the 60 s idle timeout of common proxies and load balancers in front of them).
    http_keep_alive_s: float = Field(75.0, ge=5)
    # One log line per HTTP request answered (uvicorn's access log): off by default, it costs a
    # third of the CPU of reading a cached order, the request clients poll.
    access_log: bool = False
    http_pool_idle_s: float = Field(4.0, gt=0, lt=5)
    tls_verify: bool = True
    tls_ca_file: str | None = None
    # Serve HTTPS when both are set (otherwise plain HTTP, e.g. behind a TLS-terminating proxy).
    tls_cert_file: str | None = None
    tls_key_file: str | None = None

    # Seeded into the service-URL collection by `python -m ops.seed_service_urls` (JSON object).
    service_urls: dict[str, str] = Field(
        default={
            "OrderService": "http://127.0.0.1:8000",
            "PaymentService": "http://127.0.0.1:8001",
            "CustomerService": "http://127.0.0.1:8002",
            "DeliveryService": "http://127.0.0.1:8003",
            "KitchenService": "http://127.0.0.1:8004",
            "DistanceService": "http://127.0.0.1:8005",
            "CreditCardService": "http://127.0.0.1:8006",
        }
    )

    health_timeout_s: float = Field(1.0, gt=0)
    log_level: str = Field("INFO", pattern="^(TRACE|DEBUG|INFO|SUCCESS|WARNING|ERROR|CRITICAL)$")
    log_json: bool = False

    # Traces: spans go to an OTLP/HTTP collector at this base URL (e.g. http://127.0.0.1:4318)
    # when set, else one JSON line per span to <spans_dir>/spans-<service>.jsonl.
    tracing_enabled: bool = True
    otel_exporter_otlp_endpoint: str | None = Field(None, pattern="^(https?://.+)?$")
    spans_dir: str = ".state/logs"  # relative to the working directory (the repository root)
    spans_max_mb: int = Field(64, ge=1)  # then the file moves to spans-<service>.1.jsonl
    trace_sample_ratio: float = Field(1.0, ge=0, le=1)  # of the traces that start here
    # A span for each GET that continues no caller's trace (a client polling an order). Off saves
    # about half of the spans under polling clients; calls between services keep theirs.
    trace_reads: bool = False
    # A span per MongoDB command and Redis call: dozens more per order (and background polls).
    trace_database: bool = False

    @property
    def api_keys(self) -> list[str]:
        """Every key an incoming request may carry."""
        keys = [self.service_api_key, *self.accepted_api_keys]
        return [key.get_secret_value() for key in keys]

    @property
    def rabbit_urls(self) -> list[str]:
        return url_list(self.rabbit_url)

    @property
    def work_queue(self) -> str:
        return self.queue_name or self.service_name

    @model_validator(mode="after")
    def _no_placeholder_key_in_production(self) -> "ServiceSettings":
        if (
            self.environment == "production"
            and "change-me" in self.service_api_key.get_secret_value()
        ):
            raise ValueError("SERVICE_API_KEY is still the development key from .env.example")
        return self

    @model_validator(mode="after")
    def _tls_files_come_in_pairs(self) -> "ServiceSettings":
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise ValueError("set both TLS_CERT_FILE and TLS_KEY_FILE, or neither")
        return self

    @field_validator(*URL_SCHEMES)
    @classmethod
    def _url_scheme(cls, value: str, info: ValidationInfo) -> str:
        schemes = URL_SCHEMES[info.field_name]
        urls = url_list(value) if info.field_name == "rabbit_url" else [value]
        if not urls or not all(url.startswith(schemes) for url in urls):
            which = "each URL " if info.field_name == "rabbit_url" else ""
            raise ValueError(f"{which}must start with {', '.join(schemes[:-1])} or {schemes[-1]}")
        return value


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def load_settings(settings_class: type[SettingsT], **overrides: object) -> SettingsT:
    """Build the settings or raise ConfigError naming every missing or invalid value."""
    try:
        return settings_class(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"]).upper() or "settings"
            reason = "is required" if item["type"] == "missing" else item["msg"]
            problems.append(f"  {name}: {reason}")
        raise ConfigError(
            f"{settings_class.__name__} is not valid:\n"
            + "\n".join(problems)
            + "\nSet them as environment variables or in .env (see .env.example)."
        ) from None
