"""`python -m DistanceService`: serve the app with uvicorn on the configured host and port."""

import sys

from DistanceService.settings import DistanceSettings
from DistanceService.web.app import create_app
from servicekit.runtime import serve

if __name__ == "__main__":
    sys.exit(serve(DistanceSettings, create_app))
