"""What the payment rules refuse; the web layer maps each to an HTTP status."""


class PaymentError(Exception):
    """Base of the business errors."""


class PaymentNotFound(PaymentError):
    pass


class CustomerNotFound(PaymentError):
    pass


class CallbackConflict(PaymentError):
    """The callback contradicts the payment's state (e.g. paid after reimbursed)."""


class CardCompanyUnreachable(PaymentError):
    """The request never reached the card company: nothing was charged or refunded."""


class NotReimbursable(PaymentError):
    """The payment is not in a state that can be reimbursed (not paid yet, or failed)."""
