"""Headless Chromium on the playground page for the page benchmarks (bench_page.py,
bench_page_large.py): open the page at 1280x800, press play, warm up, then time one window with
the page's own counters and Chromium's Performance.getMetrics; the figures both report."""

from __future__ import annotations

import contextlib
import time

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
READY = "window.__nnp && window.__nnp.ready && window.__nnp.stats.framesIngested > 0"
PLAYING = "window.__nnp.stats.lastHeader.status === 'playing'"


@contextlib.contextmanager
def playing_page(url: str, query: str, warmup: float, ready_timeout_ms: float):
    """Yields (page, console_errors): a page on `url`/`query` that has received its first frame
    (within `ready_timeout_ms`), whose play button was pressed, playing for `warmup` seconds; the
    browser is closed on leaving."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{url}/{query}")
            page.wait_for_function(READY, timeout=ready_timeout_ms)
            page.get_by_test_id("play").click()
            page.wait_for_function(PLAYING)
            time.sleep(warmup)
            yield page, errors
        finally:
            browser.close()


def chromium_metrics(cdp) -> dict:
    """Chromium's Performance.getMetrics as {name: value} (durations in seconds)."""
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def timed_window(page, instrument: str, sample: str, seconds: float) -> tuple[dict, dict, dict, dict]:
    """Run the `instrument` script, then sample the page (`sample`, a script returning its
    counters) and Chromium's metrics `seconds` apart; -> (s0, s1, m0, m1)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.evaluate(instrument)
    m0 = chromium_metrics(cdp)
    s0 = page.evaluate(sample)
    time.sleep(seconds)
    s1 = page.evaluate(sample)
    m1 = chromium_metrics(cdp)
    return s0, s1, m0, m1


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def ms_per_redraw_by_view(s0: dict, s1: dict) -> dict:
    """The page's own draw time per redraw of each view between two samples (their viewMs and
    renders counters)."""
    return {k: round((v - s0["viewMs"].get(k, 0)) / max(1, s1["renders"][k] - s0["renders"].get(k, 0)), 2)
            for k, v in s1["viewMs"].items()}
