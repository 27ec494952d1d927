"""What the tracing tests share: settings of a service, and a tracer provider of the test's own
(the process's global provider is never set by these tests)."""

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter

from servicekit.settings import ServiceSettings, load_settings
from tests.conftest import TEST_API_KEY


def tracing_settings(**overrides: object) -> ServiceSettings:
    return load_settings(
        ServiceSettings,
        _env_file=None,
        service_name="OrderService",
        service_api_key=TEST_API_KEY,
        **overrides,
    )


def provider_into(exporter: SpanExporter) -> TracerProvider:
    """A provider that hands each span to `exporter` as it ends."""
    provider = TracerProvider(resource=Resource.create({"service.name": "OrderService"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider
