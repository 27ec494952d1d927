"""Settings: defaults, environment overrides, and a clear refusal of missing or invalid values."""

from pathlib import Path

import pytest

from servicekit.settings import ConfigError, ServiceSettings, load_settings

KEY = "unit-test-key-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SERVICE_API_KEY", "MONGO_URL", "REDIS_URL", "RABBIT_URL", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's


def test_missing_api_key_is_refused_with_its_name() -> None:
    with pytest.raises(ConfigError) as failure:
        load_settings(ServiceSettings)
    assert "SERVICE_API_KEY: is required" in str(failure.value)
    assert ".env.example" in str(failure.value)


def test_every_invalid_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_API_KEY", "short")
    monkeypatch.setenv("MONGO_URL", "postgres://db")
    monkeypatch.setenv("PREFETCH_COUNT", "1")
    with pytest.raises(ConfigError) as failure:
        load_settings(ServiceSettings)
    message = str(failure.value)
    assert "SERVICE_API_KEY" in message
    assert "MONGO_URL: Value error, must start with mongodb://" in message
    assert "PREFETCH_COUNT" in message


def test_environment_variables_override_the_env_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(f"SERVICE_API_KEY={KEY}\nREDIS_URL=redis://from-file:6379/0\n")
    assert load_settings(ServiceSettings).redis_url == "redis://from-file:6379/0"
    monkeypatch.setenv("REDIS_URL", "redis://from-env:6379/1")
    settings = load_settings(ServiceSettings)
    assert settings.redis_url == "redis://from-env:6379/1"
    assert settings.service_api_key.get_secret_value() == KEY
    assert KEY not in repr(settings)  # secrets never show in logs


def test_retry_delays_are_read_as_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_API_KEY", KEY)
    monkeypatch.setenv("RETRY_DELAYS_MS", "[50, 500]")
    assert load_settings(ServiceSettings).retry_delays_ms == [50, 500]


def test_production_refuses_the_development_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_API_KEY", "local-dev-key-change-me-in-production")
    assert load_settings(ServiceSettings).environment == "development"
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ConfigError, match="development key"):
        load_settings(ServiceSettings)


def test_tls_files_are_both_or_neither(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_API_KEY", KEY)
    monkeypatch.setenv("TLS_CERT_FILE", "/etc/ssl/service.crt")
    with pytest.raises(ConfigError, match="TLS_KEY_FILE"):
        load_settings(ServiceSettings)
    monkeypatch.setenv("TLS_KEY_FILE", "/etc/ssl/service.key")
    assert load_settings(ServiceSettings).tls_key_file == "/etc/ssl/service.key"
