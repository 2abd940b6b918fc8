"""Race page bar: a 6-optimizer race on Rosenbrock redraws at >= 30 frames/s in headless Chromium.

    python bench/bench_race_page.py [--seconds 8]

Starts the server (python -m server.cli on a free port) and headless Chromium at 1280x800,
opens /race?function=rosenbrock, adds racers up to 6, clicks a start point (a new race that
plays at 1 step per tick, ticks at up to 60 per second), warms up, then counts for --seconds:
animation frames (requestAnimationFrame), race frames received and overlay redraws (the page
redraws on the animation frame after each new race frame, the latest only). The peer in the
same run is the browser's own animation-frame rate. Exit status 1 when below 30 redraws/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_server import Server, free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    port = free_port()
    server = Server(port, max_runs=8)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"http://127.0.0.1:{port}/race?function=rosenbrock")
            page.wait_for_function("window.__nnpRace && window.__nnpRace.ready", timeout=30_000)
            page.select_option("[data-testid=speed]", "1")
            while page.locator("[data-testid=racers] .racer").count() < 6:
                n = page.locator("[data-testid=racers] .racer").count()
                page.click("[data-testid=add-racer]")
                page.wait_for_function(f"document.querySelectorAll('[data-testid=racers] .racer').length > {n}")
            box = page.locator("[data-testid=race-click]").bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.2)
            page.wait_for_function("window.__nnpRace.state.frame && window.__nnpRace.state.frame.racers.length === 6"
                                   " && window.__nnpRace.state.frame.playing", timeout=30_000)
            page.evaluate("""() => { const b = window.__raf = { n: 0, on: true };
                const loop = () => { if (!b.on) return; b.n += 1; requestAnimationFrame(loop); };
                requestAnimationFrame(loop); }""")
            time.sleep(1.0)
            sample = "() => ({t: performance.now(), raf: window.__raf.n, ...window.__nnpRace.stats})"
            a = page.evaluate(sample)
            time.sleep(args.seconds)
            b = page.evaluate(sample)
            steps = page.evaluate("window.__nnpRace.state.frame.step")
            browser.close()
    finally:
        server.stop()
    dt = (b["t"] - a["t"]) / 1000
    draws = (b["draws"] - a["draws"]) / dt
    frames = (b["frames"] - a["frames"]) / dt
    raf = (b["raf"] - a["raf"]) / dt
    print("6-optimizer race on Rosenbrock, headless Chromium 1280x800")
    print(f"| overlay redraws per second | **{draws:.1f}** | >= 30 |")
    print(f"| race frames received per second | {frames:.1f} | |")
    print(f"| animation frames per second (the browser, same run) | {raf:.1f} | |")
    print(f"| race steps at the end | {steps} | |")
    return 0 if draws >= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
