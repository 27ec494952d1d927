"""Settings shared by every test: a known API key and fast retries, never the developer's .env."""

import os

import pytest

from servicekit.settings import ServiceSettings, load_settings

TEST_API_KEY = "test-api-key-0123456789"
# The card company's Standard Webhooks secret in tests (base64 of "test-card-webhook-secret-...").
TEST_WEBHOOK_SECRET = "whsec_dGVzdC1jYXJkLXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3ODk="


@pytest.fixture(scope="session")
def settings() -> ServiceSettings:
    return load_settings(
        ServiceSettings,
        _env_file=None,
        service_name="tests",
        environment="test",
        service_api_key=TEST_API_KEY,
        mongo_url=os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017"),
        mongo_db=f"test_{os.getpid()}",
        retry_delays_ms=[100, 300],
    )
