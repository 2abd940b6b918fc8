"""Page benchmark: how smoothly the playground draws while the server trains flat out.

    python bench/bench_page.py [--seconds 10] [--url http://127.0.0.1:8000] [--json out.json]

Starts the server (unless --url is given) and headless Chromium (/usr/bin/chromium), opens the
page at 1280x800 on a 2->8->8->1 network (circle, features x1 x2) with speed "max" (the server
trains as fast as it can), presses play, warms up, then measures for --seconds:

- animation frames per second: requestAnimationFrame callbacks (Performance API timestamps);
- frames drawn per second: distinct frames put on screen (the page draws the latest frame only,
  never a backlog; view_redraws_per_s also counts catch-up redraws of a frame already shown),
  and how many websocket frames arrived per second;
- main-thread JavaScript per frame: the page's own performance.now() timings of decoding
  frames, merging them and drawing every view, per animation frame (mean, p95 of the draws);
- all main-thread work per frame (cross-check, from Chromium's Performance.getMetrics:
  TaskDuration covers script, style, layout, paint and GC on the main thread);
- long tasks (> 50 ms, PerformanceObserver "longtask") during the window;
- the server's training throughput (steps/s from the frame headers).

Targets (the issue): >= 30 frames drawn per second and <= 10 ms main-thread work per frame.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from page_session import ms_per_redraw_by_view, percentile, playing_page, timed_window
from uvicorn_server import serving

QUERY = "?hidden=8,8&speed=max"
TARGET_FPS = 30.0
TARGET_MS = 10.0

INSTRUMENT = """
() => {
  const b = window.__bench = { rafTimes: [], longTasks: 0, longTaskMs: 0, running: true };
  const loop = (t) => { if (!b.running) return; b.rafTimes.push(t); requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { b.longTasks += 1; b.longTaskMs += e.duration; }
    }).observe({ type: "longtask", buffered: false });
  } catch (err) { b.longTasks = null; }
}
"""

SAMPLE = """
() => {
  const s = window.__nnp.stats, c = window.__nnp.connection.counters;
  return { t: performance.now(), draws: s.draws, viewDraws: s.viewDraws, framesDrawn: s.framesDrawn, network: s.renders.network ?? 0,
           boundary: s.renders.boundary ?? 0, surface: s.renders.surface ?? 0,
           drawMs: s.totals.drawMs, ingestMs: s.totals.ingestMs, decodeMs: c.decodeMs,
           framesReceived: c.framesReceived, bytes: c.bytesReceived,
           step: s.lastHeader.metrics.step, stepsPerSecond: s.lastHeader.steps_per_second,
           recentDrawMs: s.drawMs.slice(-400), recentIngestMs: s.ingestMs.slice(-400),
           viewMs: { ...s.viewMs }, renders: { ...s.renders } };
}
"""


def measure(url: str, seconds: float, warmup: float) -> dict:
    with playing_page(url, QUERY, warmup, ready_timeout_ms=20_000) as (page, errors):
        s0, s1, m0, m1 = timed_window(page, INSTRUMENT, SAMPLE, seconds)
        bench = page.evaluate("() => { window.__bench.running = false; return window.__bench; }")
        sizes = page.evaluate("window.__nnp.stats.lastHeader.layer_sizes")

    window = (s1["t"] - s0["t"]) / 1000
    raf = [t for t in bench["rafTimes"] if s0["t"] <= t <= s1["t"]]
    intervals = [b - a for a, b in zip(raf, raf[1:])]
    raf_frames = max(1, len(raf))
    js_ms = (s1["drawMs"] - s0["drawMs"]) + (s1["ingestMs"] - s0["ingestMs"]) + (s1["decodeMs"] - s0["decodeMs"])
    task_ms = (m1["TaskDuration"] - m0["TaskDuration"]) * 1000
    per_draw = [d + i for d, i in zip(s1["recentDrawMs"], s1["recentIngestMs"])]
    return {
        "network": "->".join(map(str, sizes)),
        "window_s": round(window, 2),
        "animation_frames_per_s": round(len(raf) / window, 1),
        "frame_interval_ms_p95": round(percentile(intervals, 0.95), 1),
        # distinct frames put on screen (the target); redraws count catch-up draws too
        "frames_drawn_per_s": round((s1["framesDrawn"] - s0["framesDrawn"]) / window, 1),
        "view_redraws_per_s": round((s1["viewDraws"] - s0["viewDraws"]) / window, 1),
        "network_redraws_per_s": round((s1["network"] - s0["network"]) / window, 1),
        "surface_redraws_per_s": round((s1["surface"] - s0["surface"]) / window, 1),
        "ws_frames_per_s": round((s1["framesReceived"] - s0["framesReceived"]) / window, 1),
        "ws_kib_per_s": round((s1["bytes"] - s0["bytes"]) / window / 1024, 1),
        "js_ms_per_frame_mean": round(js_ms / raf_frames, 2),
        "js_ms_draw_plus_ingest_p95": round(percentile(per_draw, 0.95), 2),
        "js_ms_draw_plus_ingest_max": round(max(per_draw) if per_draw else float("nan"), 2),
        "main_thread_ms_per_frame_mean": round(task_ms / raf_frames, 2),
        "script_ms_per_frame_mean": round((m1["ScriptDuration"] - m0["ScriptDuration"]) * 1000 / raf_frames, 2),
        "layout_style_ms_per_frame_mean": round(((m1["LayoutDuration"] - m0["LayoutDuration"]) + (m1["RecalcStyleDuration"] - m0["RecalcStyleDuration"])) * 1000 / raf_frames, 2),
        "long_tasks": bench["longTasks"],
        "ms_per_redraw_by_view": ms_per_redraw_by_view(s0, s1),
        "server_steps_per_s": s1["stepsPerSecond"],
        "steps_in_window": s1["step"] - s0["step"],
        "console_errors": errors,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--url", help="an already running server (default: start one)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    with serving(args.url) as url:
        r = measure(url, args.seconds, args.warmup)
    width = max(map(len, r))
    for k, v in r.items():
        print(f"{k:<{width}}  {v}")
    ok_fps = r["frames_drawn_per_s"] >= TARGET_FPS
    ok_ms = r["main_thread_ms_per_frame_mean"] <= TARGET_MS and r["js_ms_per_frame_mean"] <= TARGET_MS
    print(f"\nframes drawn/s >= {TARGET_FPS:g}: {'PASS' if ok_fps else 'FAIL'} ({r['frames_drawn_per_s']})")
    print(f"main-thread work/frame <= {TARGET_MS:g} ms: {'PASS' if ok_ms else 'FAIL'} "
          f"(all work {r['main_thread_ms_per_frame_mean']} ms, page JS {r['js_ms_per_frame_mean']} ms, "
          f"JS p95 {r['js_ms_draw_plus_ingest_p95']} ms)")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1))
    return 0 if ok_fps and ok_ms else 1


if __name__ == "__main__":
    sys.exit(main())
