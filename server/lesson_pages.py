"""The course's pages: GET /lessons (every lesson, with the learner's progress) and
GET /lessons/{slug} (one lesson's text, formulas, preset link, tasks, previous / next)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from .lessons import load_lessons
from .routes_lessons import lesson_by_slug


def lesson_pages_router(templates_dir: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(templates_dir))

    @router.get("/lessons", response_class=HTMLResponse)
    def course(request: Request):
        return templates.TemplateResponse(request, "lessons.html", {"lessons": load_lessons()})

    @router.get("/lessons/{slug}", response_class=HTMLResponse)
    def lesson(request: Request, slug: str):
        lessons = load_lessons()
        current = lesson_by_slug(slug)
        i = lessons.index(current)
        return templates.TemplateResponse(request, "lesson.html", {
            "lesson": current, "detail": current.detail(),
            "prev": lessons[i - 1] if i > 0 else None,
            "next": lessons[i + 1] if i + 1 < len(lessons) else None})

    return router
