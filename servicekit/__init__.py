"""Infrastructure every service shares: settings, logging, MongoDB, Redis, RabbitMQ, HTTP, health.

It imports none of the services; each service builds what it needs from it in one composition
root (its FastAPI lifespan).
"""

__version__ = "0.1.0"
