"""Drive orders through a running stack, playing the customer, the card company, the transport
company and the restaurant; then show which end state each order reached and how fast.

Exit status 0 when every order reached its expected end state in time, 1 otherwise.
"""

import argparse
import asyncio
import random
import sys
import time

from loguru import logger
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from servicekit.settings import ConfigError, load_settings
from servicekit.webhooks import CardWebhookSettings
from simulator.parties import CardCompany, Customer, StatusReporter
from simulator.report import summary_table
from simulator.scenarios import Outcome, Parties, Scenario, pick_scenarios, play


def share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def parse(argv: list[str] | None, settings: CardWebhookSettings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--orders", type=int, default=50, help="orders to place (default 50)")
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds: start no new order after this long (--orders is then the most placed)",
    )
    parser.add_argument("--concurrency", type=int, default=10, help="orders in flight (default 10)")
    parser.add_argument(
        "--fail-share", type=share, default=0.1, help="share of failed payments (0.1)"
    )
    parser.add_argument(
        "--cancel-share", type=share, default=0.1, help="share cancelled before a driver (0.1)"
    )
    parser.add_argument(
        "--step-delay-ms", type=int, default=20, help="pause between kitchen/delivery events (20)"
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds per order (default 60)")
    parser.add_argument("--seed", type=int, default=7, help="random seed for the scenario mix")
    parser.add_argument(
        "--distance-wait", type=float, default=10, help="seconds to wait for late distances (10)"
    )
    urls = settings.service_urls
    parser.add_argument("--order-url", default=urls.get("OrderService", "http://127.0.0.1:8000"))
    parser.add_argument(
        "--payment-url", default=urls.get("PaymentService", "http://127.0.0.1:8001")
    )
    parser.add_argument("--rabbit-url", default=settings.rabbit_url)
    parser.add_argument("--exchange", default=settings.exchange_name)
    parser.add_argument("--api-key", default=settings.service_api_key.get_secret_value())
    parser.add_argument(
        "--webhook-secret",
        default=settings.card_webhook_secret.get_secret_value(),
        help="the card company signs its callbacks with it (default: CARD_WEBHOOK_SECRET)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.orders <= 100_000:
        parser.error("--orders must be between 1 and 100000")
    if args.duration is not None and not 0 < args.duration <= 86_400:
        parser.error("--duration must be between 0 and 86400 seconds")
    if not 1 <= args.concurrency <= 500:
        parser.error("--concurrency must be between 1 and 500")
    if args.fail_share + args.cancel_share > 1:
        parser.error("--fail-share + --cancel-share must not exceed 1")
    return args


async def run(args: argparse.Namespace, console: Console) -> list[Outcome]:
    customer = Customer(args.order_url, args.api_key)
    card_company = CardCompany(args.payment_url, args.api_key, args.webhook_secret)
    reporter = StatusReporter(args.rabbit_url, args.exchange)
    try:
        await _check_reachable(customer, card_company, reporter)
        scenarios = pick_scenarios(args.orders, args.fail_share, args.cancel_share, args.seed)
        parties = Parties(
            customer,
            card_company,
            reporter,
            step_delay_s=args.step_delay_ms / 1000,
            timeout_s=args.timeout,
            rng=random.Random(args.seed),
        )
        gate = asyncio.Semaphore(args.concurrency)
        columns = (
            TextColumn("[bold]orders"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} not as expected"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("orders", total=len(scenarios), failed=0)
            failed = 0

            stop_at = time.monotonic() + args.duration if args.duration else None

            async def one(scenario: Scenario) -> Outcome | None:
                nonlocal failed
                async with gate:
                    if stop_at is not None and time.monotonic() >= stop_at:
                        return None  # the run's time is up: not placed
                    outcome = await play(scenario, parties)
                failed += not outcome.ok
                progress.update(task, advance=1, failed=failed)
                return outcome

            played = await asyncio.gather(*(one(scenario) for scenario in scenarios))
            outcomes = [outcome for outcome in played if outcome is not None]
        await _await_distances(customer, outcomes, args.distance_wait)
        return outcomes
    finally:
        await customer.close()
        await card_company.close()
        await reporter.close()


async def _await_distances(customer: Customer, outcomes: list[Outcome], wait_s: float) -> None:
    """An order can end before its distance arrives (a failed payment is quick): give the
    distances still missing a moment, then count them again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    missing = [o for o in outcomes if o.ok and not o.distance_decided and o.order_id]
    while missing and loop.time() < deadline:
        await asyncio.sleep(0.2)
        for outcome in missing:
            outcome.note_distance(await customer.get(outcome.order_id or ""))
        missing = [o for o in missing if not o.distance_decided]


async def _check_reachable(customer: Customer, card: CardCompany, reporter: StatusReporter) -> None:
    for name, client in (("OrderService", customer.http), ("PaymentService", card.http)):
        try:
            answer = await client.get("/health/live")
            answer.raise_for_status()
        except Exception as error:
            raise SystemExit(
                f"error: {name} is not reachable at {client.base_url} ({error!r}); "
                "is the stack running? (make up)"
            ) from None
    try:
        await reporter.connect()
    except Exception as error:
        raise SystemExit(
            f"error: RabbitMQ is not reachable ({error!r}); is the stack running?"
        ) from None


def main(argv: list[str] | None = None) -> int:
    try:
        settings = load_settings(CardWebhookSettings, service_name="simulator")
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    args = parse(argv, settings)
    logger.remove()  # the broker client's own lines: only its warnings (a lost node, say)
    logger.add(sys.stderr, level="WARNING")
    console = Console()
    began = time.perf_counter()
    outcomes = asyncio.run(run(args, console))
    elapsed = time.perf_counter() - began
    console.print(summary_table(outcomes, elapsed))
    wrong = [outcome for outcome in outcomes if not outcome.ok]
    for outcome in wrong[:10]:
        console.print(
            f"[red]order {outcome.order_id}: expected {outcome.scenario.expected_status}, "
            f"reached {outcome.reached}: {outcome.error}"
        )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
