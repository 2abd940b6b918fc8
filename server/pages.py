"""The page: GET / renders templates/index.html; /static and /vendor/plotly.min.js serve assets."""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from .schema import published_schema

REPO = Path(__file__).resolve().parent.parent
PLOTLY_URL = "/vendor/plotly.min.js"
LONG_CACHE = {"Cache-Control": "public, max-age=31536000, immutable"}


def plotly_path() -> Path | None:
    """plotly.min.js from the installed plotly package, if it is installed."""
    try:
        import plotly
    except ImportError:
        return None
    path = Path(os.path.dirname(plotly.__file__)) / "package_data" / "plotly.min.js"
    return path if path.exists() else None


def pages_router(templates_dir: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(templates_dir))

    @router.get("/", response_class=HTMLResponse)
    def index(request: Request):
        schema = published_schema(request.app.state.settings)
        return templates.TemplateResponse(request, "index.html", {
            "schema": schema, "schema_json": json.dumps(schema), "plotly_url": PLOTLY_URL})

    @router.get("/neuron", response_class=HTMLResponse)
    def neuron(request: Request):
        """The neuron lab (?preset=sweets): static; its arithmetic is static/js/neuron/."""
        return templates.TemplateResponse(request, "neuron.html", {})

    @router.get("/compare", response_class=HTMLResponse)
    def compare(request: Request):
        return templates.TemplateResponse(request, "compare.html", {"plotly_url": PLOTLY_URL})

    @router.get("/race", response_class=HTMLResponse)
    def race(request: Request):
        return templates.TemplateResponse(request, "race.html", {"plotly_url": PLOTLY_URL})
    @router.get("/graph", response_class=HTMLResponse)
    def graph_lab(request: Request):
        """The backprop lab: ?preset=chain|neuron|neuron_exp|reuse or ?run=ID&example=i."""
        from engine.graph_presets import PRESETS
        return templates.TemplateResponse(request, "graph.html", {"presets": PRESETS})

    @router.get(PLOTLY_URL)
    def plotly_js():
        path = plotly_path()
        if path is None:
            return HTMLResponse("plotly is not installed (pip install plotly)", status_code=404)
        return FileResponse(path, media_type="text/javascript", headers=LONG_CACHE)

    return router
