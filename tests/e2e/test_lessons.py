"""The course end to end in headless Chromium: every lesson renders its formulas without console
errors; a playground lesson's task is completed by driving the page, marked done, and still
done after a reload; the lesson panel never covers the panels it points at; "?" notes open."""

from __future__ import annotations

import httpx
import pytest

from server.lessons import load_lessons

LESSONS = [l.slug for l in load_lessons()]


@pytest.fixture
def browser_page(chromium_browser, server_url):
    """A plain page (no playground readiness wait) whose console errors fail the test."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


def test_every_lesson_page_renders_its_formulas(browser_page, server_url):
    page = browser_page
    for slug in LESSONS:
        page.goto(f"{server_url}/lessons/{slug}")
        page.wait_for_function("window.__nnpLessonPage && window.__nnpLessonPage.ready")
        n_math = page.locator(".math").count()
        assert n_math > 0, slug
        assert page.locator(".math .katex").count() == n_math, f"{slug}: a formula was not typeset"
        assert page.locator(".katex-error").count() == 0, slug
        assert page.get_by_test_id("open-preset").get_attribute("href").endswith(f"#lesson={slug}")


def test_course_page_lists_every_lesson_in_order(browser_page, server_url):
    page = browser_page
    page.goto(f"{server_url}/lessons")
    hrefs = page.locator(".course-item a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [f"/lessons/{s}" for s in LESSONS]


def lesson_url(slug: str, server_url: str) -> str:
    return httpx.get(f"{server_url}/api/lessons/{slug}").json()["preset"]["url"]


def test_a_playground_task_is_detected_marked_done_and_kept_after_reload(open_page, server_url, artifacts):
    url = lesson_url("vanishing-exploding", server_url)
    page = open_page(url.lstrip("/"))
    panel = page.get_by_test_id("lesson-panel")
    panel.wait_for()
    assert page.locator("[data-testid=lesson-panel] .math .katex").count() > 0
    task = page.get_by_test_id("task-vanish")
    assert "done" not in (task.get_attribute("class") or "")
    page.get_by_test_id("play").click()
    page.wait_for_function("document.querySelector('[data-testid=task-vanish]').classList.contains('done')",
                           timeout=20_000)
    assert page.get_by_test_id("why-vanish").is_visible()
    page.screenshot(path=str(artifacts / "lesson-panel-1280.png"))
    page.get_by_test_id("play").click()        # pause
    # progress survives a reload: the lesson page and the course page show it
    page.goto(f"{server_url}/lessons/vanishing-exploding")
    page.wait_for_function("window.__nnpLessonPage && window.__nnpLessonPage.ready")
    assert "done" in page.get_by_test_id("task-vanish").get_attribute("class")
    assert "done" not in page.get_by_test_id("task-tanh-fix").get_attribute("class")
    page.goto(f"{server_url}/lessons")
    assert page.get_by_test_id("status-vanishing-exploding").inner_text() == "1 of 2 tasks"


def test_the_lesson_panel_does_not_cover_the_panels_it_points_at(open_page, server_url):
    for slug in ("momentum-adam", "vanishing-exploding", "regularization"):
        page = open_page(lesson_url(slug, server_url).lstrip("/"))
        panel = page.get_by_test_id("lesson-panel")
        panel.wait_for()
        page.wait_for_timeout(200)
        box = panel.bounding_box()
        looks = page.locator(".lesson-look")
        assert looks.count() >= 2, slug
        for i in range(looks.count()):
            b = looks.nth(i).bounding_box()
            assert b["x"] + b["width"] <= box["x"] + 1, f"{slug}: a highlighted panel runs under the lesson"


def test_a_panel_question_mark_opens_its_note_with_a_formula(open_page):
    page = open_page()
    button = page.get_by_test_id("help-network-view")
    button.click()
    note = page.locator("#help-network-view")
    assert note.is_visible() and note.locator(".katex").count() > 0
    assert button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert not note.is_visible()


def test_a_neuron_lab_task_is_detected_beside_the_lab(browser_page, server_url, artifacts):
    page = browser_page
    page.goto(server_url + lesson_url("sigmoid-neuron", server_url))
    page.get_by_test_id("lesson-panel").wait_for()
    assert "done" not in page.get_by_test_id("task-steepen").get_attribute("class")
    page.evaluate("""() => { const s = document.getElementById('scale');
                             s.value = '1.2'; s.dispatchEvent(new Event('input', {bubbles: true})); }""")
    page.wait_for_function("document.querySelector('[data-testid=task-steepen]').classList.contains('done')")
    page.screenshot(path=str(artifacts / "lesson-neuron-1280.png"))


def test_every_lesson_preset_opens_a_page_that_exists(server_url):
    for slug in LESSONS:
        url = lesson_url(slug, server_url).split("#")[0]
        assert httpx.get(server_url + url).status_code == 200, f"{slug}: {url}"


def test_a_backprop_lab_task_is_detected_beside_the_graph(browser_page, server_url, artifacts):
    page = browser_page
    page.goto(server_url + lesson_url("chain-rule", server_url))
    page.get_by_test_id("lesson-panel").wait_for()
    assert "done" not in page.get_by_test_id("task-step-backward").get_attribute("class")
    page.get_by_test_id("all").click()
    page.wait_for_function(
        "document.querySelector('[data-testid=task-step-backward]').classList.contains('done')")
    page.screenshot(path=str(artifacts / "lesson-graph-1280.png"))
