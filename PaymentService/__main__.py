"""`python -m PaymentService`: serve the app with uvicorn on the configured host and port."""

import sys

import uvicorn

from PaymentService.settings import PaymentSettings
from PaymentService.web.app import create_app
from servicekit.settings import ConfigError, load_settings


def main() -> int:
    try:
        settings = load_settings(PaymentSettings)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,  # our loguru setup handles uvicorn's loggers
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
