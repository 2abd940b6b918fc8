"""The course over HTTP: GET /api/lessons, /api/lessons/{slug}, /api/panels, /lessons pages."""

from server.lessons import load_lessons


def test_lessons_are_listed_in_course_order_with_slug_title_summary_claim(client):
    r = client.get("/api/lessons")
    assert r.status_code == 200
    body = r.json()
    assert [l["slug"] for l in body] == [l.slug for l in load_lessons()]
    assert all(set(l) == {"slug", "title", "summary", "claim"} for l in body)


def test_one_lesson_has_its_preset_url_tasks_and_neighbours(client):
    body = client.get("/api/lessons/momentum-adam").json()
    assert body["number"] == 11 and body["prev"] == "learning-rate-decay"
    assert body["next"] == "local-minima-saddles"
    assert body["preset"]["url"].startswith("/?") and body["preset"]["url"].endswith("#lesson=momentum-adam")
    assert body["tasks"][0]["done_when"]
    first = client.get("/api/lessons/perceptron").json()
    assert first["prev"] is None and first["preset"]["url"] == "/neuron?preset=sweets#lesson=perceptron"


def test_unknown_lesson_is_a_404_that_lists_the_lessons(client):
    r = client.get("/api/lessons/" + "x" * 500)
    assert r.status_code == 404
    assert "perceptron" in r.json()["detail"] and len(r.json()["detail"]) < 600
    assert client.get("/lessons/nope").status_code == 404


def test_course_and_lesson_pages_render(client):
    page = client.get("/lessons")
    assert page.status_code == 200 and page.text.count('class="course-item"') == 15
    lesson = client.get("/lessons/chain-rule")
    assert lesson.status_code == 200
    assert 'class="math' in lesson.text and 'data-testid="open-preset"' in lesson.text
    assert "/graph?preset=chain#lesson=chain-rule" in lesson.text


def test_panels_api_has_notes_with_formulas(client):
    notes = client.get("/api/panels").json()
    assert 'class="math' in notes["network-view"]["html"]
