"""`/v1/payments`: requests from OrderService and callbacks from the card company."""

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request

from PaymentService.bootstrap import PaymentPorts
from PaymentService.business import callbacks, charge, queries, reimburse
from PaymentService.business.commands import PaymentCommand
from PaymentService.business.models import Payment
from PaymentService.business.ports import CardCompany, CustomerBilling, Payments
from PaymentService.web.metrics import count_callback
from PaymentService.web.schemas import (
    CUSTOMER_ID,
    ORDER_ID,
    PAYMENT_ID,
    CallbackAccepted,
    PaymentAccepted,
    PaymentRequest,
    PaymentView,
)
from PaymentService.web.webhooks import (
    CALLBACK_BODY_DOC,
    SignedCallback,
    signed_callback,
)
from servicekit.openapi_responses import (
    BODY_ERRORS,
    BODY_TOO_LARGE,
    DATABASE_DOWN,
    error,
    invalid,
    not_found,
    upstream_errors,
)
from servicekit.tracing import tag_current_span

router = APIRouter(prefix="/v1/payments", tags=["payments"])
# The card company's callbacks: signed (Standard Webhooks), so without the X-API-Key check.
signed_router = APIRouter(prefix="/v1/payments", tags=["payments"])


async def _ports(request: Request) -> PaymentPorts:
    return request.app.state.ports


Ports = Annotated[PaymentPorts, Depends(_ports)]
OrderId = Annotated[UUID, Path(examples=[ORDER_ID])]

BAD_BODY = invalid(
    ["body", "metadata", "order_id"], "Input should be a valid UUID, invalid length", "uuid_parsing"
)
CARD_REQUEST = {
    **BAD_BODY,
    **BODY_ERRORS,
    **upstream_errors("CustomerService", "CreditCardService", example_path="/billings"),
}
CHARGE_ERRORS = {
    **not_found("such customer at CustomerService", f"customer {CUSTOMER_ID} not found"),
    **CARD_REQUEST,
}
REIMBURSE_ERRORS = {
    **not_found("payment for this order", f"no payment for order {ORDER_ID}"),
    **error(
        409,
        "The payment is not paid (yet): nothing to give back",
        f"payment of order {ORDER_ID} is pending, not paid",
    ),
    **CARD_REQUEST,
}
CALLBACK_ERRORS = {
    # This route is signed by the card company (Standard Webhooks), not called with a key.
    **error(
        401,
        "The webhook signature headers are missing, too old, or do not match the body",
        "missing webhook signature headers",
        headers={
            "WWW-Authenticate": {"description": "webhook-signature", "schema": {"type": "string"}}
        },
    ),
    **not_found("payment with this caller_id", f"no payment with caller_id {PAYMENT_ID}"),
    **error(
        409,
        "The result contradicts the payment's state (e.g. paid after reimbursed)",
        "callback paymentPaid contradicts payment status reimbursed",
    ),
    **invalid(
        ["body", "status"],
        "Input should be 'paymentPaid', 'paymentFailed' or 'reimbursed'",
        "enum",
    ),
    **BODY_TOO_LARGE,
    **DATABASE_DOWN,
}
LOOKUP_ERRORS = {
    **not_found(
        "payment for this order (or the path is not an order id)",
        f"no payment for order {ORDER_ID}",
    ),
    **DATABASE_DOWN,
}

CardRequest = Callable[
    [PaymentCommand, Payments, CustomerBilling, CardCompany, str], Awaitable[Payment]
]


async def _accepted(
    use_case: CardRequest, body: PaymentRequest, ports: PaymentPorts
) -> PaymentAccepted:
    """What a request to charge or reimburse answers: where the order's payment stands now."""
    payment = await use_case(
        body.command(), ports.payments, ports.customers, ports.card_company, ports.callback_url
    )
    tag_current_span(payment.order_id)
    return PaymentAccepted.of(payment)


@router.post("", status_code=202, response_model=PaymentAccepted, responses=CHARGE_ERRORS)
async def request_payment(body: PaymentRequest, ports: Ports) -> PaymentAccepted:
    """Charge the order once: amount and card from CustomerService, billing to the card company."""
    return await _accepted(charge.request_payment, body, ports)


@router.post(
    "/reimburse", status_code=202, response_model=PaymentAccepted, responses=REIMBURSE_ERRORS
)
async def request_reimbursement(body: PaymentRequest, ports: Ports) -> PaymentAccepted:
    """Give a paid order's money back once (409 when the payment is not paid)."""
    return await _accepted(reimburse.request_reimbursement, body, ports)


@signed_router.post(
    "/callback",
    status_code=201,
    response_model=CallbackAccepted,
    responses=CALLBACK_ERRORS,
    openapi_extra=CALLBACK_BODY_DOC,
)
async def card_company_callback(
    signed: Annotated[SignedCallback, Depends(signed_callback)], ports: Ports
) -> CallbackAccepted:
    """The card company's result, signed by it (Standard Webhooks headers, no API key);
    publishes the matching payment event once."""
    command, processed = signed.callback.command(), ports.processed_webhooks
    outcome = await callbacks.apply_callback_once(
        command, signed.webhook_id, ports.payments, processed
    )
    tag_current_span(outcome.payment.order_id)
    count_callback(signed.callback.status, outcome)
    return CallbackAccepted.of(outcome)


# Only a UUID matches, so that /callback and /reimburse answer other methods with 405.
@router.get("/{order_id:uuid}", response_model=PaymentView, responses=LOOKUP_ERRORS)
async def get_payment(order_id: OrderId, ports: Ports) -> PaymentView:
    """The payment of an order: status, amount, card company ids and history."""
    return PaymentView.of(await queries.payment_of_order(str(order_id), ports.payments))
