"""Neural network playground: visible updates per second while a network trains
(not a test).

Target (the playground issue), measured and reported, never asserted: at least 10
visible updates per second of the boundary and the curves for a 2×8 network on
500 points on this machine, with the training speed (optimizer steps per second)
beside it.

1. Server side, in one process: a 2×8 tanh network on the 500-point spiral plays
   (batch 10, 250 training points: 25 steps an epoch) in its background thread
   while the main thread renders frames as the page does — snapshot, the network,
   boundary and curve figures, and the two conversions ``st.plotly_chart`` makes
   (``to_dict`` and ``plotly.io.to_json``). Reported: frame time (median, p95),
   the frames per second that allows, and steps per second meanwhile — at the
   page's pace (60 epochs/s at most) and flat out.
2. In a browser: a real server and Chromium open the page with the same network,
   press Play and watch the boundary picture and the epoch counter for 10 s.
   A visible update is a change of the boundary picture seen in the page. The
   steps per second are read from the page's own metric.

Writes ``bench/results/playground.json``.

Usage: ``.venv/bin/python bench/playground.py [--seconds 10]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the app importable
    sys.path.insert(0, str(REPO))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

RESULTS = REPO / "bench" / "results" / "playground.json"
TARGET_UPDATES = 10.0
QUERY = "?data=spiral&hidden=8,8&acts=tanh,tanh&points=500"

# While playing, the frame is one <img> holding the SVG (its src changes per frame).
BOUNDARY = "[data-testid=stImage] img"
WATCH_JS = """async (ms) => {
  const BOUNDARY = '""" + BOUNDARY + """';
  const frames = []; let last = null; const start = performance.now();
  while (performance.now() - start < ms) {
    const image = document.querySelector(BOUNDARY);
    const href = image ? image.getAttribute('src') || '' : null;
    const key = href === null ? null : href.length + href.slice(200, 600);
    if (key !== null && key !== last) {
      frames.push(performance.now() - start); last = key;
    }
    await new Promise(r => requestAnimationFrame(r));
  }
  return frames;
}"""


def _frame(spec, data, snapshot) -> str:
    from components.playground_svg import frame_svgs

    return "".join(frame_svgs(spec, data, snapshot.weights, snapshot.history,
                              data.task, False, False))


def server_side(seconds: float, pace: float | None) -> dict:
    from components import playground_svg
    from core.playground import PlaygroundSpec, make_data
    from core.playground_train import PlaygroundJob
    from core.training_slots import TrainingSlots

    playground_svg.t = lambda key, **fmt: key  # no Streamlit session here
    spec = PlaygroundSpec(dataset="spiral", points=500, hidden=(8, 8),
                          activations=("tanh", "tanh"))
    data = make_data(spec)
    job = PlaygroundJob(spec, data, slots=TrainingSlots(1), pace=pace)
    job.wait_until_ready()
    job.play()
    job.wait_for_epoch(5)
    times, epochs_seen = [], set()
    first = job.snapshot()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        began = time.perf_counter()
        snapshot = job.snapshot()
        _frame(spec, data, snapshot)
        times.append(time.perf_counter() - began)
        epochs_seen.add(snapshot.epoch)
    elapsed = time.perf_counter() - start
    last = job.snapshot()
    job.stop()
    times.sort()
    median = statistics.median(times)
    return {"pace_epochs_per_s": pace, "frames": len(times),
            "frame_ms_median": round(1000 * median, 1),
            "frame_ms_p95": round(1000 * times[int(0.95 * (len(times) - 1))], 1),
            "frames_per_s_possible": round(1 / median, 1),
            "distinct_epochs_per_s": round(len(epochs_seen) / elapsed, 1),
            "steps_per_s": round((last.steps - first.steps) / elapsed),
            "epochs_per_s": round((last.epoch - first.epoch) / elapsed, 1)}


def in_browser(seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.startup import Server, new_page

    log_dir = Path(tempfile.mkdtemp(prefix="bench_playground_"))
    server = Server(warm_keras=True, log_dir=log_dir)
    try:
        server.wait_healthy()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = new_page(browser)
            page.goto(server.url + "/playground" + QUERY)
            play = page.get_by_role("button", name="Play")
            play.wait_for(timeout=120_000)
            page.wait_for_function(
                "() => document.querySelector('[data-testid=stBaseButton-primary]')"
                "?.disabled === false", timeout=120_000)
            page.wait_for_selector("image[data-role=boundary]",
                                   state="attached",
                                   timeout=120_000)
            play.click()
            page.get_by_role("button", name="Pause").wait_for(timeout=30_000)
            page.wait_for_selector(BOUNDARY, state="attached", timeout=30_000)
            page.wait_for_timeout(1500)
            epoch_before = _shown(page, "Epoch")
            sent_before = page.evaluate(COUNT_SENT)
            frames = page.evaluate(WATCH_JS, int(seconds * 1000))
            sent = page.evaluate(COUNT_SENT)
            epoch_after = _shown(page, "Epoch")
            steps = _shown(page, "Steps per second")
            browser.close()
        gaps = [b - a for a, b in zip(frames, frames[1:], strict=False)]
        return {"visible_updates_per_s": round(len(frames) / seconds, 1),
                "reruns_requested_per_s": round((sent - sent_before) / seconds, 1),
                "update_gap_ms_median": (round(statistics.median(gaps)) if gaps
                                         else None),
                "epochs_per_s": round((epoch_after - epoch_before) / seconds, 1),
                "steps_per_s_shown": steps,
                "server_rss_mb": server.rss_mb()}
    finally:
        server.stop()


COUNT_SENT = "() => window.__ws.filter(m => m[0] == 'send').length"


def _shown(page, name: str) -> float:
    """A number from the live frame's status line, e.g. "Epoch **1,234**"."""
    import re

    text = page.locator("[data-testid=stMarkdown]").filter(has_text=name).first
    match = re.search(re.escape(name) + r" ([\d,.]+|–)", text.inner_text())
    return float(match.group(1).replace(",", "")) if match and match.group(1) != "–" \
        else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    from core.keras_import import load_keras

    load_keras()
    paced = server_side(args.seconds, pace=60)
    flat_out = server_side(args.seconds, pace=None)
    browser = in_browser(args.seconds)
    result = {
        "date": dt.date.today().isoformat(), "machine": platform.platform(),
        "cpus": os.cpu_count(), "network": "2×8 tanh, spiral, 500 points, batch 10",
        "target_updates_per_s": TARGET_UPDATES,
        "server_paced": paced, "server_flat_out": flat_out, "browser": browser,
        "ratio_updates_to_target": round(browser["visible_updates_per_s"]
                                         / TARGET_UPDATES, 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
