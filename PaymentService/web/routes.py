"""`/v1/payments`: requests from OrderService and callbacks from the card company."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from PaymentService.business.payments import PaymentWorkflow
from PaymentService.web.schemas import (
    CallbackAccepted,
    CallbackRequest,
    PaymentAccepted,
    PaymentRequest,
)

router = APIRouter(prefix="/v1/payments", tags=["payments"])


def _workflow(request: Request) -> PaymentWorkflow:
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
