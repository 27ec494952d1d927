"""Swagger UI at /docs and ReDoc at /redoc, with their JS and CSS served by the service itself
(pinned in servicekit/docs_assets/package.json), so the pages work without internet."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

NODE_MODULES = Path(__file__).parent / "docs_assets" / "node_modules"
ASSETS_URL = "/docs-assets"
# URL folder -> the installed folder it serves: only what the pages load, not node_modules.
ASSET_FOLDERS = {"swagger-ui": Path("swagger-ui-dist"), "redoc": Path("redoc/bundles")}
REQUIRED_FILES = [
    Path("swagger-ui-dist/swagger-ui-bundle.js"),
    Path("swagger-ui-dist/swagger-ui.css"),
    Path("redoc/bundles/redoc.standalone.js"),
]
SWAGGER_JS = f"{ASSETS_URL}/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = f"{ASSETS_URL}/swagger-ui/swagger-ui.css"
FAVICON = f"{ASSETS_URL}/swagger-ui/favicon-32x32.png"
REDOC_JS = f"{ASSETS_URL}/redoc/redoc.standalone.js"

MISSING_ASSETS_PAGE = """<!doctype html>
<html><head><title>{title} - API docs not installed</title></head>
<body><h1>API docs not installed</h1>
<p>The Swagger UI and ReDoc files are not installed in <code>{folder}</code>.
Run <code>make install</code> (it runs <code>npm ci</code> there), then restart the service.</p>
<p>The API description itself is at <a href="{openapi_url}">{openapi_url}</a>.</p>
</body></html>"""


def assets_installed(node_modules: Path) -> bool:
    return all((node_modules / path).is_file() for path in REQUIRED_FILES)


def mount_api_docs(app: FastAPI, node_modules: Path = NODE_MODULES) -> None:
    """Serve /docs, /redoc and their assets under /docs-assets/ (open, like /openapi.json);
    without the assets both pages answer 503 with how to install them."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title
    installed = assets_installed(node_modules)
    if installed:
        for name, folder in ASSET_FOLDERS.items():
            files = StaticFiles(directory=node_modules / folder)
            app.mount(f"{ASSETS_URL}/{name}", files, name=f"docs-{name}")

    def missing() -> HTMLResponse:
        page = MISSING_ASSETS_PAGE.format(
            title=title, folder=node_modules.parent, openapi_url=openapi_url
        )
        return HTMLResponse(page, status_code=503)

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        if not installed:
            return missing()
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=SWAGGER_JS,
            swagger_css_url=SWAGGER_CSS,
            swagger_favicon_url=FAVICON,
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        if not installed:
            return missing()
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url=REDOC_JS,
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
