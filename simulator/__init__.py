"""The lifecycle simulator: plays the customer, the card company, the transport company and the
restaurant against a running stack (Prism cannot send their asynchronous answers)."""
