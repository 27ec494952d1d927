"""Asking the card company, whose answer can be lost on the way: only a request that certainly
did not arrive is undone; one that may have arrived is kept, and the caller's retry sends it
again under the same caller_id (the card company's idempotency key)."""

from collections.abc import Awaitable, Callable

from loguru import logger

from PaymentService.business.errors import CardCompanyUnreachable


async def ask_card_company(
    request: Awaitable[str],
    undo: Callable[[], Awaitable[object]],
    order_id: str,
    not_arrived: str,
    unknown: str,
) -> str:
    """The transaction id `request` is answered with. Its error is raised again, after `undo`
    and the `not_arrived` log when it certainly did not arrive, the `unknown` log otherwise."""
    log = logger.bind(order_id=order_id)
    try:
        return await request
    except CardCompanyUnreachable as error:
        await undo()
        log.warning(not_arrived, error)
        raise
    except Exception as error:
        log.warning(unknown, error)
        raise
