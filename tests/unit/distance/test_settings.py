"""DistanceService's settings: Stockholm defaults, and a bad value stops the service at start."""

import pytest

from DistanceService.settings import DistanceSettings
from servicekit.settings import ConfigError, load_settings

KEY = "test-api-key-0123456789"


def test_defaults_put_the_restaurant_in_stockholm() -> None:
    settings = load_settings(DistanceSettings, _env_file=None, service_api_key=KEY)
    assert settings.service_name == "DistanceService"
    assert settings.port == 8005
    assert (settings.restaurant_latitude, settings.restaurant_longitude) == (59.3326, 18.0649)
    assert (settings.preparation_minutes, settings.travel_speed_kmh) == (15, 30.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("restaurant_latitude", 90.5),
        ("restaurant_latitude", float("nan")),
        ("restaurant_longitude", -180.5),
        ("preparation_minutes", -1),
        ("travel_speed_kmh", 0),
        ("travel_speed_kmh", float("inf")),
        ("port", 70000),
    ],
)
def test_invalid_value_is_refused_naming_the_setting(name: str, value: float) -> None:
    with pytest.raises(ConfigError, match=name.upper()):
        load_settings(DistanceSettings, _env_file=None, service_api_key=KEY, **{name: value})
