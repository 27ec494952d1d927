"""The local stack: RabbitMQ, Redis, the MongoDB server, Prism mocks, our services, Prometheus.

Every part runs on 127.0.0.1 as a child process with its state and log under `.state/`, is found
again by its pid file, and is stopped by pid. Used by `make up/down/run`, and by the tests, which
start what is not running and stop only what they started.
"""
