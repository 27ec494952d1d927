"""`python -m OrderService`: serve the app with uvicorn on the configured host and port."""

import sys

from OrderService.settings import OrderSettings
from OrderService.web.app import create_app
from servicekit.runtime import serve

if __name__ == "__main__":
    sys.exit(serve(OrderSettings, create_app))
