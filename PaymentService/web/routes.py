"""`/v1/payments`: requests from OrderService and callbacks from the card company."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from PaymentService.business.payments import PaymentWorkflow
from PaymentService.web.schemas import (
    CallbackAccepted,
    CallbackRequest,
    PaymentAccepted,
    PaymentRequest,
    PaymentView,
)

router = APIRouter(prefix="/v1/payments", tags=["payments"])


async def _workflow(request: Request) -> PaymentWorkflow:
    return request.app.state.workflow


Workflow = Annotated[PaymentWorkflow, Depends(_workflow)]


@router.post("", status_code=202, response_model=PaymentAccepted)
async def request_payment(body: PaymentRequest, workflow: Workflow) -> PaymentAccepted:
    """Charge the order once: amount and card from CustomerService, billing to the card company."""
    payment = await workflow.request_payment(
        str(body.metadata.order_id),
        str(body.metadata.customer_id),
        body.metadata.receiver,
        [item.model_dump(mode="json") for item in body.items],
    )
    return PaymentAccepted(
        order_id=body.metadata.order_id, payment_id=payment.id, payment_status=payment.status
    )


@router.post("/reimburse", status_code=202, response_model=PaymentAccepted)
async def request_reimbursement(body: PaymentRequest, workflow: Workflow) -> PaymentAccepted:
    """Give a paid order's money back once (409 when the payment is not paid)."""
    payment = await workflow.request_reimbursement(
        str(body.metadata.order_id),
        str(body.metadata.customer_id),
        [item.model_dump(mode="json") for item in body.items],
    )
    return PaymentAccepted(
        order_id=body.metadata.order_id, payment_id=payment.id, payment_status=payment.status
    )


@router.post("/callback", status_code=201, response_model=CallbackAccepted)
async def card_company_callback(body: CallbackRequest, workflow: Workflow) -> CallbackAccepted:
    """The card company's result; publishes the matching payment event once."""
    outcome = await workflow.apply_callback(
        str(body.caller_id), body.status, str(body.transaction_id)
    )
    return CallbackAccepted(
        caller_id=body.caller_id,
        payment_status=outcome.payment.status,
        event_published=outcome.applied,
    )


@router.get("/{order_id}", response_model=PaymentView, responses={404: {"description": "None"}})
async def get_payment(order_id: UUID, workflow: Workflow) -> PaymentView:
    """The payment of an order: status, amount, card company ids and history."""
    payment = await workflow.get_for_order(str(order_id))
    return PaymentView(
        payment_id=payment.id,
        order_id=payment.order_id,
        customer_id=payment.customer_id,
        status=payment.status,
        amount=payment.amount,
        currency=payment.currency,
        card_last4=payment.card_last4,
        transaction_id=payment.transaction_id,
        reimbursement_transaction_id=payment.reimbursement_transaction_id,
        created=payment.created_at,
        updated=payment.updated_at,
        history=payment.history,
    )
