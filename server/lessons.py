"""Lessons: Markdown files with YAML front matter in `lessons/`, validated and rendered once.

A lesson file is `lessons/NN-slug.md`: NN is its place in the course, slug its address
(`/lessons/{slug}`). The front matter states the title, a one-line summary, the lesson's claim
(one sentence that a test in tests/lessons/ shows with the engine), the preset that opens the view
in the right state, the panels to look at and 1 to 3 tasks. A task is done when every one of its
conditions holds on the page's live state; a condition names a state field (TASK_FIELDS) and
compares it with a value. The body is Markdown with TeX between $...$ (inline) or $$...$$
(display), typeset by KaTeX in the browser.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

import yaml
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine import TrainConfig
from engine.config import LIVE_FIELDS

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"
FILE_NAME = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")

# The views a preset can open, and the page address of each.
VIEW_PATHS = {"playground": "/", "graph": "/graph", "neuron": "/neuron", "compare": "/compare",
              "race": "/race"}

# The live state a task can test, per view. `metrics.*` are Trainer.metrics() keys (in every
# frame), `diagnostics.grad_norms[i]` a layer's gradient norm (i from 0, the first layer; -1 the
# output layer), `config.*` the run's settings, `network.*` derived from them; `graph.*` and
# `neuron.*` are what the backprop lab and the neuron lab publish (window.__nnpLessonState).
METRIC_FIELDS = ("step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
                 "status", "learning_rate", "batch_size")
TASK_FIELDS: dict[str, tuple[str, ...]] = {
    "playground": (*(f"metrics.{m}" for m in METRIC_FIELDS),
                   "diagnostics.grad_norms[i]", "diagnostics.update_ratios[i]",
                   "network.neurons", "network.hidden_layers",
                   *(f"config.{f}" for f in TrainConfig.model_fields)),
    "graph": ("graph.preset", "graph.output", "graph.nodes", "graph.backward_done",
              "graph.nudge_leaf", "graph.nudge_h", "graph.nudge_change"),
    "neuron": ("neuron.preset", "neuron.inputs", "neuron.scale", "neuron.bias"),
}
INDEXED = re.compile(r"^(diagnostics\.\w+)\[(-?\d+)\]$")
OPS = ("==", "!=", "<", "<=", ">", ">=")


def field_known(view: str, field: str) -> bool:
    """Whether `field` names a state field a task on `view` can test."""
    known = TASK_FIELDS.get(view, ())
    m = INDEXED.match(field)
    return (f"{m.group(1)}[i]" in known) if m else field in known


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str = Field(description="A state field, e.g. metrics.train_accuracy")
    op: Literal["==", "!=", "<", "<=", ">", ">="]
    value: float | int | str | bool


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_-]{1,40}$")
    text: str = Field(min_length=5, max_length=400)
    done_when: list[Condition] = Field(min_length=1, max_length=6)
    why: str = Field(min_length=10, max_length=800)


class Preset(BaseModel):
    """What the lesson opens: a view and its state (a playground run's settings, or the query of
    another view)."""
    model_config = ConfigDict(extra="forbid")
    view: Literal["playground", "graph", "neuron", "compare", "race"]
    config: dict[str, Any] = Field(default_factory=dict)
    query: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _config_fits_view(self) -> "Preset":
        if self.config and self.view != "playground":
            raise ValueError("preset.config is for the playground; other views take preset.query")
        if self.config:
            TrainConfig(**self.config)  # raises with pydantic's message if the setting is invalid
        return self

    def url(self, slug: str) -> str:
        """The address that opens this preset with the lesson's panel beside it."""
        if self.view == "playground":
            params = {k: _url_value(v) for k, v in self.config.items()}
        else:
            params = dict(self.query)
        q = urlencode(params)
        return f"{VIEW_PATHS[self.view]}{'?' + q if q else ''}#lesson={slug}"


def _url_value(v: Any) -> str:
    """A setting as the playground's URL writes it (static/js/state.js formatFieldValue)."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, list):
        return ",".join(str(x) for x in v) if v else "-"
    return str(v)


class LessonFront(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3, max_length=80)
    summary: str = Field(min_length=10, max_length=300)
    claim: str = Field(min_length=20, max_length=400)
    preset: Preset
    look: list[str] = Field(default_factory=list, max_length=6,
                            description="data-testid of the panels to highlight")
    tasks: list[Task] = Field(min_length=1, max_length=3)
    figure: Literal["loss-curves"] | None = Field(None, description="A figure the panel draws")

    @field_validator("tasks")
    @classmethod
    def _unique_ids(cls, tasks: list[Task]) -> list[Task]:
        ids = [t.id for t in tasks]
        if len(set(ids)) != len(ids):
            raise ValueError(f"task ids repeat: {ids}")
        return tasks

    @model_validator(mode="after")
    def _tasks_name_known_fields(self) -> "LessonFront":
        for task in self.tasks:
            for c in task.done_when:
                if not field_known(self.preset.view, c.field):
                    raise ValueError(f"task {task.id!r}: {c.field!r} is not a state field of the "
                                     f"{self.preset.view} view (known: "
                                     f"{', '.join(TASK_FIELDS.get(self.preset.view, ()))})")
        return self


class Lesson(BaseModel):
    slug: str
    number: int
    front: LessonFront
    body_html: str

    def summary(self) -> dict:
        """The course listing's entry (GET /api/lessons)."""
        f = self.front
        return {"slug": self.slug, "title": f.title, "summary": f.summary, "claim": f.claim}

    def detail(self) -> dict:
        """Everything the lesson page and the lesson panel show."""
        f = self.front
        return {**self.summary(), "number": self.number, "html": self.body_html,
                "preset": {**f.preset.model_dump(), "url": f.preset.url(self.slug)},
                "look": f.look, "figure": f.figure, "tasks": [t.model_dump() for t in f.tasks],
                "live_fields": sorted(LIVE_FIELDS)}


class LessonError(ValueError):
    """A lesson file that is not valid: the message names the file and what is wrong."""


FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str) -> str:
    """Markdown to HTML with TeX kept intact: each $...$ / $$...$$ becomes a span/div with class
    "math" holding the escaped TeX (KaTeX typesets it in the page), never parsed as Markdown."""
    pieces: list[str] = []

    def stash(m: re.Match) -> str:
        display = m.group(1) is not None
        tex = html.escape(m.group(1) if display else m.group(2))
        pieces.append(f'<div class="math display">{tex}</div>' if display
                      else f'<span class="math">{tex}</span>')
        return f"\ue000{len(pieces) - 1}\ue001"

    out = _markdown.render(MATH.sub(stash, text))
    return re.sub("\ue000(\\d+)\ue001", lambda m: pieces[int(m.group(1))], out)


def parse_lesson(path: Path) -> Lesson:
    """One lesson file, validated; LessonError names the file and the problem."""
    m = FILE_NAME.match(path.name)
    if not m:
        raise LessonError(f"{path.name}: a lesson file is named NN-slug.md (e.g. 01-perceptron.md)")
    text = path.read_text(encoding="utf-8")
    fm = FRONT.match(text)
    if not fm:
        raise LessonError(f"{path.name}: the file must start with front matter between '---' lines")
    try:
        data = yaml.safe_load(fm.group(1))
        front = LessonFront.model_validate(data)
    except (yaml.YAMLError, ValidationError, ValueError) as err:
        raise LessonError(f"{path.name}: {err}") from None
    return Lesson(slug=m.group(2), number=int(m.group(1)), front=front,
                  body_html=render_markdown(fm.group(2)))


@lru_cache(maxsize=4)
def load_lessons(directory: Path = LESSONS_DIR) -> tuple[Lesson, ...]:
    """Every lesson of the folder in course order (by NN). Raises LessonError on a bad file or
    a repeated number or slug."""
    lessons = tuple(sorted((parse_lesson(p) for p in directory.glob("*.md")),
                           key=lambda lesson: lesson.number))
    for what in ("number", "slug"):
        values = [getattr(lesson, what) for lesson in lessons]
        if len(set(values)) != len(values):
            raise LessonError(f"lesson {what}s repeat in {directory}: {values}")
    return lessons


def panel_notes(directory: Path = LESSONS_DIR) -> dict[str, dict]:
    """The "?" explanation of every panel of the playground (lessons/panels.yaml), keyed by the
    panel's data-testid: {"title", "html"}; lessons link to the same texts."""
    data = yaml.safe_load((directory / "panels.yaml").read_text(encoding="utf-8"))
    return {key: {"title": v["title"], "html": render_markdown(v["text"])} for key, v in data.items()}
