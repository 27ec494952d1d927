"""`/v1/payments`: requests from OrderService and callbacks from the card company."""

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from PaymentService.bootstrap import PaymentPorts
from PaymentService.business import callbacks, charge, queries, reimburse
from PaymentService.business.commands import PaymentCommand
from PaymentService.business.models import Payment
from PaymentService.business.ports import CardCompany, CustomerBilling, Payments
from PaymentService.web.metrics import count_callback
from PaymentService.web.schemas import (
    CallbackAccepted,
    CallbackRequest,
    PaymentAccepted,
    PaymentRequest,
    PaymentView,
)
from servicekit.tracing import tag_current_span

router = APIRouter(prefix="/v1/payments", tags=["payments"])


async def _ports(request: Request) -> PaymentPorts:
    return request.app.state.ports


Ports = Annotated[PaymentPorts, Depends(_ports)]

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


@router.post("", status_code=202, response_model=PaymentAccepted)
async def request_payment(body: PaymentRequest, ports: Ports) -> PaymentAccepted:
    """Charge the order once: amount and card from CustomerService, billing to the card company."""
    return await _accepted(charge.request_payment, body, ports)


@router.post("/reimburse", status_code=202, response_model=PaymentAccepted)
async def request_reimbursement(body: PaymentRequest, ports: Ports) -> PaymentAccepted:
    """Give a paid order's money back once (409 when the payment is not paid)."""
    return await _accepted(reimburse.request_reimbursement, body, ports)


@router.post("/callback", status_code=201, response_model=CallbackAccepted)
async def card_company_callback(body: CallbackRequest, ports: Ports) -> CallbackAccepted:
    """The card company's result; publishes the matching payment event once."""
    outcome = await callbacks.apply_callback(body.command(), ports.payments)
    tag_current_span(outcome.payment.order_id)
    count_callback(body.status, outcome)
    return CallbackAccepted.of(outcome)


@router.get("/{order_id}", response_model=PaymentView, responses={404: {"description": "None"}})
async def get_payment(order_id: UUID, ports: Ports) -> PaymentView:
    """The payment of an order: status, amount, card company ids and history."""
    return PaymentView.of(await queries.payment_of_order(str(order_id), ports.payments))
