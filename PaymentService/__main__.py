"""`python -m PaymentService`: serve the app with uvicorn on the configured host and port."""

import sys

from PaymentService.settings import PaymentSettings
from PaymentService.web.app import create_app
from servicekit.runtime import serve

if __name__ == "__main__":
    sys.exit(serve(PaymentSettings, create_app))
