"""/docs works offline: Swagger UI comes from the vendored swagger-ui-dist, nothing from a CDN."""

from __future__ import annotations


def test_docs_render_with_every_foreign_request_blocked(chromium_browser, server_url, artifacts):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 800})
    foreign = []

    def only_local(route):
        if route.request.url.startswith(server_url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server_url}/docs")
    page.wait_for_selector(".swagger-ui .opblock-summary-path", timeout=20_000)
    paths = page.evaluate("[...document.querySelectorAll('.opblock-summary-path')]"
                          ".map(e => e.textContent.replace(/\\u200b/g, ''))")
    assert "/api/schema" in paths and "/api/runs/{run_id}/step" in paths
    page.screenshot(path=str(artifacts / "docs-offline.png"))
    context.close()
    assert foreign == [] and errors == []
