"""Race page bar: a 6-optimizer race on Rosenbrock redraws at >= 30 frames/s in headless Chromium.

    python bench/bench_race_page.py [--seconds 8] [--speed 1] [--warmup 1]

Starts the server (python -m server.cli on a free port) and headless Chromium at 1280x800,
opens /race?function=rosenbrock, adds racers up to 6, clicks a start point (a new race that
plays at --speed steps per tick, ticks at up to 60 per second), warms up --warmup seconds, then
counts for --seconds: animation frames (requestAnimationFrame), race frames received, overlay
redraws (the page redraws on the animation frame after each new race frame, the latest only)
and the page's milliseconds per redraw. The peer in the same run is the browser's own
animation-frame rate. `--speed 50 --warmup 8` gives long paths (thousands of points each): the
redraw cost then shows whether paths are redrawn whole every frame. Exit status 1 when below
30 redraws/s. Takes about 15 s + seconds + warmup.
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
    parser.add_argument("--speed", choices=["1", "3", "10", "50"], default="1",
                        help="race steps per frame (the page's speed menu)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before counting")
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
            page.select_option("[data-testid=speed]", args.speed)
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
            time.sleep(args.warmup)
            sample = "() => ({t: performance.now(), raf: window.__raf.n, ...window.__nnpRace.stats})"
            a = page.evaluate(sample)
            time.sleep(args.seconds)
            b = page.evaluate(sample)
            steps = page.evaluate("window.__nnpRace.state.frame.step")
            page_points = page.evaluate("window.__nnpRace.state.paths.reduce((n, p) => n + p.length, 0)")
            browser.close()
    finally:
        server.stop()
    dt = (b["t"] - a["t"]) / 1000
    draws = (b["draws"] - a["draws"]) / dt
    frames = (b["frames"] - a["frames"]) / dt
    raf = (b["raf"] - a["raf"]) / dt
    ms = (b.get("drawMs", 0) - a.get("drawMs", 0)) / max(1, b["draws"] - a["draws"])
    points = page_points
    print(f"6-optimizer race on Rosenbrock, headless Chromium 1280x800, {args.speed} step(s) per frame")
    print(f"| overlay redraws per second | **{draws:.1f}** | >= 30 |")
    print(f"| page time per redraw | {ms:.2f} ms | |")
    print(f"| path points held at the end (all racers) | {points} | |")
    print(f"| race frames received per second | {frames:.1f} | |")
    print(f"| animation frames per second (the browser, same run) | {raf:.1f} | |")
    print(f"| race steps at the end | {steps} | |")
    return 0 if draws >= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
