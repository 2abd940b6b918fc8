"""REST for the course: GET /api/lessons (course order), GET /api/lessons/{slug}, GET /api/panels."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from .lessons import load_lessons, panel_notes

router = APIRouter(prefix="/api", tags=["lessons"])


def lesson_by_slug(slug: str):
    for lesson in load_lessons():
        if lesson.slug == slug:
            return lesson
    known = ", ".join(lesson.slug for lesson in load_lessons())
    raise HTTPException(404, f"no lesson {slug[:40]!r}; the lessons are: {known}")


@router.get("/lessons", summary="The course: every lesson in order")
async def list_lessons() -> list[dict]:
    """`[{"slug", "title", "summary", "claim"}, ...]` in course order."""
    return [lesson.summary() for lesson in load_lessons()]


@router.get("/lessons/{slug}", summary="One lesson: text, preset, panels to look at, tasks",
            responses={404: {"description": "No lesson has this slug (the message lists them)"}})
async def get_lesson(slug: str) -> dict:
    """The lesson's summary fields plus `number`, `html` (TeX in `.math` elements), `preset`
    (`view`, `config` or `query`, and the `url` that opens it with the lesson panel), `look`
    (panels to highlight), `tasks` (`id`, `text`, `done_when` conditions, `why`), and `prev` /
    `next` slugs."""
    lessons = load_lessons()
    lesson = lesson_by_slug(slug)
    i = lessons.index(lesson)
    return {**lesson.detail(),
            "prev": lessons[i - 1].slug if i > 0 else None,
            "next": lessons[i + 1].slug if i + 1 < len(lessons) else None}


@router.get("/panels", summary="The '?' explanation of every playground panel")
async def get_panels() -> dict:
    """`{panel data-testid: {"title", "html"}}`: what the panel shows, its formula, what to look for."""
    return panel_notes()
