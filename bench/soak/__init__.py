"""The soak: the whole system under steady load for minutes, with a fault every few minutes
(a RabbitMQ node killed, the database stopped, Redis stopped), on a stack of its own."""
