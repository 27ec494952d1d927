"""The order life against the outside companies' original contracts, as they publish them.

Prism serves CustomerService, DeliveryService and KitchenService from
../shared/contracts/original (beside the repository, in CI too) with request validation, and
logs every request that violates them. The original address has no coordinates and the
original DeliveryService no cancel: orders get no distance (recorded with the reason) and a
cancelled order keeps its booking (said on the order) and is reimbursed all the same."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from devstack.parts import ROOT, Prism
from devstack.stack import Stack
from servicekit.service_urls import ServiceUrlCache
from tests.conftest import TEST_API_KEY
from tests.e2e.conftest import System
from tests.e2e.test_simulator import row, simulate
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration

# The reference beside the repository (as in CI), else the repository's exact copy of it.
SHARED_ORIGINALS = ROOT.parent / "shared" / "contracts" / "original"
ORIGINALS = SHARED_ORIGINALS if SHARED_ORIGINALS.is_dir() else ROOT / "contracts" / "original"
COMPANIES = {
    "CustomerService": "customers.yaml",
    "DeliveryService": "deliveries.yaml",
    "KitchenService": "kitchen.yaml",
}
# What Prism logs for a request that breaks the document, or for a path it does not have.
VIOLATION_MARK = "✖"


@pytest.fixture(scope="module")
def original_mocks(tmp_path_factory) -> Iterator[dict[str, Prism]]:
    state = tmp_path_factory.mktemp("original-contracts")
    mocks = {
        company: Prism(
            name=f"original-{company}", port=free_port(), state=state, spec=str(ORIGINALS / spec)
        )
        for company, spec in COMPANIES.items()
    }
    stack = Stack(list(mocks.values()), quiet=True)
    started = stack.up()
    yield mocks
    stack.down(started)


@pytest.fixture(scope="module")
async def system_env(
    original_mocks: dict[str, Prism], service_urls: ServiceUrlCache
) -> dict[str, str]:
    """The services call the original mocks, and know the DeliveryService has no cancel."""
    for company, mock in original_mocks.items():
        await service_urls.register(company, f"http://127.0.0.1:{mock.port}")
    return {"DELIVERY_CAN_CANCEL": "false"}


def violations(mocks: dict[str, Prism]) -> list[str]:
    return [
        f"{mock.name}: {line.strip()}"
        for mock in mocks.values()
        for line in Path(mock.log_file).read_text(errors="replace").splitlines()
        if VIOLATION_MARK in line
    ]


@pytest.mark.timeout(400)
async def test_every_order_ends_as_expected_with_no_request_violating_the_originals(
    system: System, original_mocks: dict[str, Prism]
) -> None:
    since = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    result = simulate(
        system, "--orders", "30", "--concurrency", "10", "--fail-share", "0.2",
        "--cancel-share", "0.3", "--seed", "7", "--timeout", "120", "--distance-wait", "15",
        timeout_s=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert row(result.stdout, "delivered")[1:] == ["15", "15"]
    assert row(result.stdout, "paymentFailed")[1:] == ["6", "6"]
    assert row(result.stdout, "reimbursed")[1:] == ["9", "9"]
    # No coordinates in the original address: no distance, and every order says why.
    assert row(result.stdout, "orders with a distance")[-1] == "0/30"
    assert row(result.stdout, "orders with no distance (unavailable)")[-1] == "30/30"
    assert violations(original_mocks) == []

    async with httpx.AsyncClient(
        base_url=system.order_url, headers={"X-API-Key": TEST_API_KEY}, timeout=10
    ) as client:
        params = {"status": "reimbursed", "limit": 100}
        listed = (await client.get("/v1/orders", params=params)).json()["items"]
    # The test database is shared by the session's modules: this run's orders only.
    reimbursed = [order for order in listed if order["created"] >= since]
    assert len(reimbursed) == 9, listed
    booked = [order for order in reimbursed if order["delivery_id"]]
    assert booked, "no cancelled order had a delivery booked: the scenario mix changed"
    for order in booked:
        assert order["delivery_not_cancelled"].startswith("DeliveryService offers no cancel")
    assert all("no usable coordinates" in order["distance_unavailable"] for order in reimbursed)
