"""OrderService's stuck-order thresholds: one for every status an order can wait in, none for
an ended one, and an override that names only some statuses keeps the others."""

from pathlib import Path

import pytest

from OrderService.business.state_machine import FINAL, OrderStatus
from OrderService.settings import STUCK_AFTER_S, OrderSettings
from servicekit.settings import ConfigError, load_settings

KEY = "unit-test-key-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("STUCK_AFTER_S", "STUCK_CHECK_INTERVAL_S"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's


def order_settings() -> OrderSettings:
    return load_settings(OrderSettings, service_api_key=KEY)


def test_every_status_an_order_can_wait_in_has_a_threshold_and_no_ended_one() -> None:
    settings = order_settings()
    assert set(settings.stuck_after_s) == set(OrderStatus) - FINAL
    assert settings.stuck_after_s[OrderStatus.CREATED] == 120
    assert settings.stuck_check_interval_s == 15


def test_an_override_keeps_the_defaults_of_the_statuses_it_leaves_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STUCK_AFTER_S", '{"created": 300, "inTransit": 60}')
    thresholds = order_settings().stuck_after_s
    assert thresholds[OrderStatus.CREATED] == 300 and thresholds[OrderStatus.IN_TRANSIT] == 60
    assert thresholds[OrderStatus.COOKING_MEAL] == STUCK_AFTER_S[OrderStatus.COOKING_MEAL]
    assert STUCK_AFTER_S[OrderStatus.CREATED] == 120  # the defaults themselves unchanged


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ('{"delivered": 60}', "has ended"),
        ('{"cooking": 60}', "Input should be"),
        ('{"created": 0}', "greater than 0"),
    ],
)
def test_a_threshold_for_an_ended_or_unknown_status_or_not_positive_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str, reason: str
) -> None:
    monkeypatch.setenv("STUCK_AFTER_S", value)
    with pytest.raises(ConfigError) as failure:
        order_settings()
    assert "STUCK_AFTER_S" in str(failure.value) and reason in str(failure.value)
