"""PaymentService: credit-card payments, reimbursements and the card company's callbacks."""
