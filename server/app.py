"""create_app(settings): the FastAPI application (REST API, websocket, page); `app` for uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from engine.compiled_loop import warm_up

from . import client_errors_log, openapi_bounds
from .frames import FrameEncoder
from .landscape_worker import LandscapeWorker
from .stream import StreamRegistry
from .pages import REPO, pages_router
from .body_limit import BodyLimit
from .request_guard import RequestGuard
from .security_headers import SecurityHeaders
from .session_bound import SessionCookie
from .validation_errors import malformed_json, short_errors
from .lesson_pages import lesson_pages_router
from .routes_api import router as api_router
from .routes_comparisons import router as comparisons_router
from .routes_params import router as params_router
from .routes_lessons import router as lessons_router
from .routes_datasets import router as datasets_router
from .routes_races import router as races_router
from .routes_custom_datasets import router as custom_datasets_router
from .routes_export import router as export_router
from .routes_saved import router as saved_router
from .routes_graph import router as graph_router
from .routes_docs import router as docs_router
from .runs import RunRegistry
from .settings import Settings
from .store import Store
from .websocket import router as ws_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    client_errors_log.install()
    store = Store(settings)
    registry = RunRegistry(settings, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        warm_up(background=True)  # compile or load the training kernels off the event loop
        sweeper = asyncio.get_running_loop().create_task(registry.sweep_forever())
        try:
            yield
        finally:
            sweeper.cancel()
            registry.close()
            store.close()

    app = FastAPI(title="nn-playground", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,   # /docs: server/routes_docs.py, offline
                  description="Watch a neural network learn. Runs train live on the server; "
                              "`WS /ws/runs/{id}` streams them (docs/protocol.md); this REST API "
                              "is for scripts. Watching and controlling are different rights: "
                              "creating a run (or comparison group, or race) returns its "
                              "`control_token`; every request that changes it needs the header "
                              "`X-Run-Token: <token>` (403 without it). Reads need only the id.")
    app.state.settings = settings
    openapi_bounds.install(app, settings)
    app.state.registry = registry
    app.state.store = store
    app.state.encoder = FrameEncoder()
    app.state.landscapes = LandscapeWorker(settings)
    app.state.streams = StreamRegistry(settings, app.state.encoder, app.state.landscapes)
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422, JSON-safe and short (server/validation_errors.py); a body that is
        not JSON at all is a 400, as the docs say (`BAD_BODY`)."""
        not_json = malformed_json(exc.errors())
        if not_json is not None:
            return JSONResponse(status_code=400, content={"detail": not_json})
        return JSONResponse(status_code=422, content={"detail": short_errors(exc.errors())})

    app.add_middleware(RequestGuard, settings=settings)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(SessionCookie)
    app.include_router(api_router)
    app.include_router(params_router)
    app.include_router(datasets_router)
    app.include_router(custom_datasets_router)
    app.include_router(saved_router)
    app.include_router(export_router)
    app.include_router(graph_router)
    app.include_router(docs_router)
    app.include_router(ws_router)
    app.include_router(comparisons_router)
    app.include_router(races_router)
    app.include_router(pages_router(Path(settings.templates_dir or REPO / "templates")))
    app.include_router(lessons_router)
    app.include_router(lesson_pages_router(Path(settings.templates_dir or REPO / "templates")))
    static_dir = Path(settings.static_dir or REPO / "static")
    if static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    return app


app = create_app()
