"""Prism mock servers standing in for the outside parties (specs in mocks/)."""

from dataclasses import dataclass

from devstack.parts.part import ROOT, Part, http_ok

PRISM = ROOT / "mocks" / "node_modules" / ".bin" / "prism"

MOCKS = {
    "CustomerService": ("customers.yaml", 8002),
    "DeliveryService": ("deliveries.yaml", 8003),
    "KitchenService": ("kitchen.yaml", 8004),
    "CreditCardService": ("creditcard.yaml", 8006),
}


@dataclass
class Prism(Part):
    """A Prism mock server for one spec in mocks/, validating our requests against it."""

    spec: str = ""

    def command(self) -> list[str]:
        return [
            str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(self.port),
            str(ROOT / "mocks" / self.spec),
        ]  # fmt: skip

    @property
    def marker(self) -> str:
        return "prism"

    def ready(self) -> bool:
        return http_ok(f"http://127.0.0.1:{self.port}/health")

    def where(self) -> str:
        return f"http://127.0.0.1:{self.port} ({self.spec})"
