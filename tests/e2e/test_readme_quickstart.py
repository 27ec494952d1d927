"""The README's Quick start, steps 2-4, run as written: each of its bash blocks in a fresh bash,
one after the other as a person would, against this module's own services. Only the services'
addresses and the API key are put in; nothing else of the commands is changed. Between blocks
the test waits for what a person would see before going on (the payment stored, the order
scheduled, delivered)."""

import re
import subprocess
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import ujson

from tests.conftest import TEST_API_KEY
from tests.e2e.conftest import System
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
README_KEY = "local-dev-key-change-me-in-production"
README_URLS = {"order": "http://127.0.0.1:8000", "payment": "http://127.0.0.1:8001"}
BLOCK = re.compile(r"```bash\n(.*?)```", re.S)
ASSIGNED = re.compile(r"^\s*([A-Za-z_]\w*)=", re.M)
DEFINED = re.compile(r"^\s*([A-Za-z_]\w*)\(\)\s*\{", re.M)
STEPS = ("place", "pay", "look", "report", "timeline")


def quick_start_blocks(readme: str) -> list[str]:
    """The bash blocks of the Quick start's steps 2 onwards (step 1 is `make run`)."""
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(block) for block in BLOCK.findall(section)]


def step_of(block: str) -> str:
    """What a block does for the order, by the commands it runs."""
    if "ops.timeline" in block:
        return "timeline"
    if "ops.send_status" in block:
        return "report"
    if "card_callback" in block or "/v1/payments/callback" in block:
        return "pay"
    if f"-X POST {README_URLS['order']}/v1/orders" in block:
        return "place"
    if f"{README_URLS['order']}/v1/orders/$ID" in block:
        return "look"
    return "setup"


def card_webhook_secret() -> str:
    """The secret the README's commands sign with: the one in `.env` (`make` copies it from
    `.env.example`), so this module's PaymentService verifies with it too."""
    for path in (ROOT / ".env", ROOT / ".env.example"):
        found = path.exists() and re.search(r"^CARD_WEBHOOK_SECRET=(.+)$", path.read_text(), re.M)
        if found:
            return found[1].strip()
    raise AssertionError("no CARD_WEBHOOK_SECRET in .env or .env.example")


@pytest.fixture(scope="module")
def system_env() -> dict[str, str]:
    return {"CARD_WEBHOOK_SECRET": card_webhook_secret()}


class Shell:
    """Runs blocks each in a fresh bash; what a block assigns or defines is kept for the next,
    as a person's terminal keeps it."""

    def __init__(self, system: System, state: Path) -> None:
        self.system, self.state = system, state / "shell-state.sh"
        self.state.write_text("")
        urls = {"OrderService": system.order_url, "PaymentService": system.payment_url}
        self.env = {
            **system.env,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "SPANS_DIR": str(Path(system.order.log_file).parent),
            "SERVICE_URLS": ujson.dumps(urls),  # where the ops scripts find this system
        }

    def localised(self, block: str) -> str:
        block = block.replace(README_KEY, TEST_API_KEY)
        block = block.replace(README_URLS["order"], self.system.order_url)
        return block.replace(README_URLS["payment"], self.system.payment_url)

    def run(self, block: str) -> str:
        keep = "".join(f"declare -p {name}\n" for name in sorted(set(ASSIGNED.findall(block))))
        keep += "".join(f"declare -f {name}\n" for name in sorted(set(DEFINED.findall(block))))
        script = f"source {self.state}\n{self.localised(block)}\n"
        if keep:
            script += f"{{\n{keep}}} >> {self.state}\n"
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        assert done.returncode == 0, f"{block}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        return done.stdout

    def variable(self, name: str) -> str:
        return self.run(f'echo "${name}"').strip()


def test_the_quick_start_has_every_step_and_no_placeholder() -> None:
    blocks = quick_start_blocks((ROOT / "README.md").read_text())
    assert set(STEPS) <= {step_of(block) for block in blocks}, blocks
    joined = "\n".join(blocks)
    assert README_KEY in joined and all(url in joined for url in README_URLS.values())
    assert not re.search(r"<\w+>", joined), "a <placeholder> is not copy-pasteable"


async def test_the_quick_start_takes_an_order_from_placed_to_delivered_as_written(
    system: System, tmp_path: Path
) -> None:
    shell = Shell(system, tmp_path)
    client = httpx.AsyncClient(headers={"X-API-Key": TEST_API_KEY}, timeout=10)

    async def answers(url: str) -> bool:
        return (await client.get(url)).status_code == 200

    def order_is(url: str, status: str, *fields: str) -> Callable[[], Awaitable[bool]]:
        async def reached() -> bool:
            order = (await client.get(url)).json()
            return order["status"] == status and all(order.get(f) for f in fields)

        return reached

    async def before(step: str, earlier: str) -> None:
        """Wait for what a person sees before going on to this step."""
        if step not in ("pay", "look", "report", "timeline"):
            return
        order_id = shell.variable("ID")  # the README keeps the placed order's id in $ID
        order_url = f"{system.order_url}/v1/orders/{order_id}"
        if step == "pay":
            payment = f"{system.payment_url}/v1/payments/{order_id}"
            await wait_for(lambda: answers(payment), timeout_s=30, what="the payment stored")
        elif step == "timeline":
            delivered = order_is(order_url, "delivered")
            await wait_for(delivered, timeout_s=30, what="the order delivered")
        else:
            ready = order_is(order_url, "deliveryScheduled", "delivery_id", "distance_km")
            await wait_for(ready, timeout_s=30, what=f"deliveryScheduled after: {earlier}")

    try:
        earlier = ""
        for block in quick_start_blocks((ROOT / "README.md").read_text()):
            step = step_of(block)
            await before(step, earlier)
            earlier = shell.run(block)
            assert SHOWS[step](earlier), f"{step}: {block}\nprinted: {earlier}"
    finally:
        await client.aclose()


# What each step prints when it worked.
SHOWS: dict[str, Callable[[str], bool]] = {
    "setup": lambda _: True,
    "place": lambda out: '"status":"created"' in out,
    "pay": lambda out: '"caller_id"' in out,  # PaymentService's 201; a 401 has only `detail`
    "look": lambda out: '"status":"deliveryScheduled"' in out,
    "report": lambda out: out.count("Sent ") == 6,
    "timeline": lambda out: "order -> created" in out and "order -> delivered" in out,
}
