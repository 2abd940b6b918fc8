"""Where the large page's long tasks go: a Chromium trace of the page on the largest network.

    python bench/trace_page_large.py [--seconds 6] [--pauses 0] [--url ...] [--query '?...']
                                     [--top 8] [--save trace.json]

Not a benchmark (bench_page_large.py measures the targets): a diagnostic. Opens the page as
bench_page_large.py does (8 hidden layers of 64 on 2,000 points, speed "max", playing), records
a Chromium trace (devtools.timeline, blink, cc, v8) for --seconds, then prints, for the
renderer's main thread:

- every task over 50 ms: its length and the events inside it that took the most time (self
  time: an event's duration less its children's), e.g. FunctionCall 18 ms, Commit 22 ms;
- over all tasks, the events with the most self time, and how many tasks there were over 16,
  33 and 50 ms.

Figures depend on the machine's load: print `uptime` beside them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_page_large import PAUSE, QUERY  # noqa: E402
from page_session import PLAYING, playing_page  # noqa: E402
from uvicorn_server import serving  # noqa: E402

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "cc", "v8",
              "toplevel", "disabled-by-default-devtools.timeline.frame"]
TASK_NAMES = {"RunTask", "ThreadControllerImpl::RunTask"}


def main_thread(events: list[dict]) -> tuple[int, int] | None:
    """(pid, tid) of the page's renderer main thread (the CrRendererMain with the most events)."""
    names = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    counts = defaultdict(int)
    for e in events:
        if (e.get("pid"), e.get("tid")) in names:
            counts[(e["pid"], e["tid"])] += 1
    return max(counts, key=counts.get) if counts else None


def complete_events(events: list[dict], thread: tuple[int, int]) -> list[dict]:
    """The thread's events as {name, ts, dur} (ms), from X events and B/E pairs, sorted by start."""
    out, stack = [], []
    for e in events:
        if (e.get("pid"), e.get("tid")) != thread:
            continue
        ph = e.get("ph")
        if ph == "X" and "dur" in e:
            out.append({"name": e["name"], "ts": e["ts"] / 1000, "dur": e["dur"] / 1000})
        elif ph == "B":
            stack.append(e)
        elif ph == "E" and stack:
            b = stack.pop()
            out.append({"name": b["name"], "ts": b["ts"] / 1000, "dur": (e["ts"] - b["ts"]) / 1000})
    out.sort(key=lambda q: (q["ts"], -q["dur"]))
    return out


def self_times(inside: list[dict]) -> dict[str, float]:
    """Self time per event name over a task's nested events (sorted by start, longest first)."""
    totals: dict[str, float] = defaultdict(float)
    stack: list[dict] = []
    for ev in inside:
        while stack and ev["ts"] >= stack[-1]["ts"] + stack[-1]["dur"] - 1e-6:
            stack.pop()
        if stack:
            totals[stack[-1]["name"]] -= ev["dur"]
        totals[ev["name"]] += ev["dur"]
        stack.append(ev)
    return totals


def analyse(events: list[dict], top: int) -> dict:
    thread = main_thread(events)
    if thread is None:
        return {"error": "no renderer main thread in the trace"}
    evs = complete_events(events, thread)
    tasks = [e for e in evs if e["name"] in TASK_NAMES]
    # keep outermost tasks only
    outer, end = [], -1.0
    for t in tasks:
        if t["ts"] >= end:
            outer.append(t)
            end = t["ts"] + t["dur"]
    overall: dict[str, float] = defaultdict(float)
    long_tasks = []
    j = 0
    for t in outer:
        t_end = t["ts"] + t["dur"]
        while j < len(evs) and evs[j]["ts"] < t["ts"]:
            j += 1
        k = j
        inside = []
        while k < len(evs) and evs[k]["ts"] < t_end:
            if evs[k] is not t:
                inside.append(evs[k])
            k += 1
        st = self_times(inside)
        for name, ms in st.items():
            overall[name] += ms
        if t["dur"] > 50:
            parts = sorted(st.items(), key=lambda kv: -kv[1])[:top]
            long_tasks.append({"at_ms": round(t["ts"] - outer[0]["ts"]), "ms": round(t["dur"], 1),
                               "top": {n: round(ms, 1) for n, ms in parts if ms >= 0.5}})
    span = (outer[-1]["ts"] + outer[-1]["dur"] - outer[0]["ts"]) / 1000 if outer else 0
    return {
        "window_s": round(span, 2),
        "tasks": len(outer),
        "tasks_over_16_33_50_ms": [sum(t["dur"] > x for t in outer) for x in (16, 33, 50)],
        "busy_ms_per_s": round(sum(t["dur"] for t in outer) / max(span, 1e-9), 1),
        "self_ms_per_s": {n: round(ms / max(span, 1e-9), 1)
                          for n, ms in sorted(overall.items(), key=lambda kv: -kv[1])[:top * 2]},
        "long_tasks": long_tasks,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--query", default=QUERY)
    ap.add_argument("--url")
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--save", help="also write the raw trace here")
    ap.add_argument("--pauses", type=int, default=0,
                    help="after --seconds, pause and play again this many times (as "
                         "bench_page_large.py does), still tracing")
    args = ap.parse_args()
    with serving(args.url) as url, playing_page(url, args.query, args.warmup, ready_timeout_ms=60_000) as (page, _):
        browser = page.context.browser
        browser.start_tracing(page=page, categories=CATEGORIES)
        time.sleep(args.seconds)
        for _ in range(args.pauses):
            page.evaluate(PAUSE)
            time.sleep(0.3)
            page.get_by_test_id("play").click()
            page.wait_for_function(PLAYING)
            time.sleep(1.0)
        raw = browser.stop_tracing()
    if args.save:
        Path(args.save).write_bytes(raw)
    data = json.loads(raw)
    events = data["traceEvents"] if isinstance(data, dict) else data
    print(json.dumps(analyse(events, args.top), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
