"""Running a service process: its settings checked, then uvicorn on its host and port."""

import sys
from collections.abc import Callable
from typing import Any

from servicekit.settings import ConfigError, SettingsT, load_settings


def serve(settings_class: type[SettingsT], create_app: Callable[[SettingsT], Any]) -> int:
    """Run a service with uvicorn on its configured host and port (`python -m <Service>`)."""
    import uvicorn

    try:
        settings = load_settings(settings_class)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    uvicorn.run(
        create_app(settings),
        host=getattr(settings, "host", "127.0.0.1"),
        port=getattr(settings, "port", 8000),
        log_config=None,  # our loguru setup routes uvicorn's loggers
        timeout_graceful_shutdown=10,
        timeout_keep_alive=int(settings.http_keep_alive_s),
        access_log=settings.access_log,
        ssl_certfile=settings.tls_cert_file,
        ssl_keyfile=settings.tls_key_file,
    )
    return 0
