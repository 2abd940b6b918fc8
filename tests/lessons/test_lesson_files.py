"""Every lesson file is valid (front matter, preset accepted by TrainConfig, tasks naming known
state fields, panels that exist), and a bad file is refused with a message naming it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from server.lessons import (LESSONS_DIR, LessonError, TASK_FIELDS, load_lessons, panel_notes,
                            parse_lesson, render_markdown)

REPO = Path(__file__).resolve().parents[2]
TOPICS = ["perceptron", "sigmoid", "forward", "derivative", "chain", "backprop", "loss",
          "learning-rate", "batch", "decay", "momentum", "minima", "vanishing", "clipping",
          "regulari"]


def playground_testids() -> set[str]:
    html = (REPO / "templates" / "index.html").read_text()
    return set(re.findall(r'data-testid="([^"]+)"', html))


def test_the_course_has_fifteen_lessons_in_the_order_of_the_topics():
    lessons = load_lessons()
    assert [l.number for l in lessons] == list(range(1, 16))
    for lesson, topic in zip(lessons, TOPICS):
        assert topic in lesson.slug, (lesson.slug, topic)


def test_every_lesson_has_formulas_tasks_and_a_preset_url():
    for lesson in load_lessons():
        assert 'class="math' in lesson.body_html, f"{lesson.slug}: no formula"
        assert 1 <= len(lesson.front.tasks) <= 3
        url = lesson.front.preset.url(lesson.slug)
        assert url.endswith(f"#lesson={lesson.slug}")


def test_playground_lessons_look_at_panels_that_exist():
    ids = playground_testids()
    for lesson in load_lessons():
        if lesson.front.preset.view == "playground":
            missing = set(lesson.front.look) - ids
            assert not missing, f"{lesson.slug}: no panel {missing} in templates/index.html"


def test_panel_notes_exist_for_every_panel_of_the_playground():
    notes = panel_notes()
    panels = {"network-view", "output-view", "loss-view", "surface-view", "activation-view",
              "diagnostics-view", "controls"}
    assert panels <= set(notes)
    assert set(notes) <= playground_testids()
    assert all(n["html"].strip() and n["title"] for n in notes.values())


def test_playground_preset_urls_write_settings_as_the_page_reads_them():
    lesson = next(l for l in load_lessons() if l.slug == "vanishing-exploding")
    url = lesson.front.preset.url(lesson.slug)
    assert url.startswith("/?") and "hidden=8%2C8%2C8%2C8%2C8%2C8" in url and "activation=sigmoid" in url
    plane = next(l for l in load_lessons() if l.slug == "learning-rate")
    assert "hidden=-" in plane.front.preset.url(plane.slug)          # no hidden layer


def test_markdown_keeps_tex_intact():
    html = render_markdown("Weights $w_{ij}$ and *emphasis* and $$a_1 * b_2$$ stay.")
    assert '<span class="math">w_{ij}</span>' in html
    assert '<div class="math display">a_1 * b_2</div>' in html
    assert "<em>emphasis</em>" in html


def test_raw_html_in_a_lesson_is_escaped():
    assert "<script>" not in render_markdown("<script>alert(1)</script>")


GOOD = (LESSONS_DIR / "08-learning-rate.md").read_text()


@pytest.mark.parametrize("name, text, message", [
    ("08-lr.md", GOOD.replace("dataset: plane", "dataset: nowhere"), "dataset"),
    ("08-lr.md", GOOD.replace("metrics.train_loss", "metrics.train_lost"), "metrics.train_lost"),
    ("08-lr.md", GOOD.replace("op: \"<\"", "op: \"~\"", 1), "op"),
    ("08-lr.md", GOOD.replace("title:", "titel:"), "titel"),
    ("08-lr.md", "no front matter\n", "front matter"),
    ("lesson.md", GOOD, "NN-slug.md"),
])
def test_a_bad_lesson_file_is_refused_naming_the_file_and_problem(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(LessonError) as err:
        parse_lesson(path)
    assert name in str(err.value) and message in str(err.value)


def test_repeated_numbers_are_refused(tmp_path):
    shutil.copy(LESSONS_DIR / "08-learning-rate.md", tmp_path / "08-learning-rate.md")
    shutil.copy(LESSONS_DIR / "09-batch-size.md", tmp_path / "08-batch-size.md")
    with pytest.raises(LessonError, match="numbers repeat"):
        load_lessons(tmp_path)


def test_task_fields_cover_every_metric_the_engine_reports():
    from engine import Trainer, TrainConfig
    metrics = Trainer(TrainConfig(n_samples=20)).metrics()
    known = {f.removeprefix("metrics.") for f in TASK_FIELDS["playground"] if f.startswith("metrics.")}
    assert known <= set(metrics), known - set(metrics)
