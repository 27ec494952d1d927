"""The card company's callbacks: each applied once, its event stored with the change."""

from dataclasses import dataclass

from loguru import logger

from PaymentService.business.commands import CardCallback
from PaymentService.business.errors import CallbackConflict, PaymentNotFound
from PaymentService.business.models import CALLBACK_RULES, CallbackRule, Payment, payment_event
from PaymentService.business.ports import Payments, ProcessedWebhooks


@dataclass(frozen=True)
class CallbackOutcome:
    payment: Payment
    applied: bool  # False for a duplicate: nothing changed, nothing published


async def apply_callback(callback: CardCallback, payments: Payments) -> CallbackOutcome:
    """Apply the card company's result once and publish its event with it."""
    payment = await payments.get(callback.caller_id)
    if payment is None:
        raise PaymentNotFound(f"no payment with caller_id {callback.caller_id}")
    rule = CALLBACK_RULES[callback.status]
    log = logger.bind(order_id=payment.order_id)
    if _is_duplicate(payment, callback, rule):
        log.info("Duplicate {} callback ignored", callback.status)
        return CallbackOutcome(payment, applied=False)
    if payment.status in rule.allowed_from:
        updated = await _apply(payment, callback, rule, payments)
        if updated is not None:
            log.info("Payment {} -> {}, {} queued", payment.status, rule.to, rule.event)
            return CallbackOutcome(updated, applied=True)
        # Lost a race with a concurrent callback: decide again on what is stored now.
        payment = await payments.get(callback.caller_id) or payment
        if payment.status == rule.to:
            return CallbackOutcome(payment, applied=False)
    log.warning("Callback {} refused: payment is {}", callback.status, payment.status)
    raise CallbackConflict(
        f"callback {callback.status} contradicts payment status {payment.status}"
    )


async def apply_callback_once(
    callback: CardCallback, webhook_id: str, payments: Payments, processed: ProcessedWebhooks
) -> CallbackOutcome:
    """Apply a callback unless its message (webhook-id) was processed before: a message sent
    again is answered as the duplicate it is, nothing applied, nothing published. The id is
    kept only once the callback is applied, so a retry of a failed one is applied."""
    if await processed.seen(webhook_id):
        payment = await payments.get(callback.caller_id)
        if payment is None:
            raise PaymentNotFound(f"no payment with caller_id {callback.caller_id}")
        logger.bind(order_id=payment.order_id).info(
            "Webhook {} processed before: answered again, nothing applied", webhook_id
        )
        return CallbackOutcome(payment, applied=False)
    outcome = await apply_callback(callback, payments)
    await processed.remember(webhook_id, callback.caller_id)
    return outcome


def _is_duplicate(payment: Payment, callback: CardCallback, rule: CallbackRule) -> bool:
    """Already where it leads, or this very callback (same transaction) was applied before."""
    seen = payment.callback_transactions.get(callback.status)
    return payment.status == rule.to or seen == callback.transaction_id


async def _apply(
    payment: Payment, callback: CardCallback, rule: CallbackRule, payments: Payments
) -> Payment | None:
    """The payment moved on by the rule, with its event; None when it moved on meanwhile."""
    event = payment_event(payment, rule.event, transaction_id=callback.transaction_id)
    seen = {**payment.callback_transactions, callback.status.value: callback.transaction_id}
    return await payments.transition(
        payment.id,
        rule.allowed_from,
        rule.to,
        {"callback_transactions": seen},
        events=[event],
    )
