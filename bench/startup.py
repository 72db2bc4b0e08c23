"""Startup and rerun timings of the playground in a real browser (not a test).

Measures, with the real server and the system Chromium:

1. cold start — launch a fresh ``streamlit run app.py`` and time from process
   launch to the home page rendered (title visible, script finished); a new server
   each run, median of ``--runs``. Keras warming is left at its default (on)
   unless ``--no-warm`` is given.
2. rerun latency on /activations — change a control and time until the chart's
   data has changed and the script has finished; one warm server, median of
   ``--runs`` for two controls: typing x max + Enter, and ArrowRight on the probe
   slider (the slider may add its own debounce).
   Beside it, in the same run, a baseline: a minimal Streamlit app with one number
   input and one plotly line, changed the same way. The ratio page / baseline says
   how much our page adds to what Streamlit + plotly cost on this machine. Each
   rerun is also split, from websocket timestamps, into "server" (request sent →
   last message received) and the rest (the browser rendering).
3. whether TensorFlow was loaded in the server process while serving
   /activations, read from ``/proc/<pid>/maps`` (server started with
   ``PLAYGROUND_WARM_KERAS=0``, so only the page itself could have loaded it).

Prints the figures and writes them with machine info to
``bench/results/startup.json``. Timings on shared 2-core machines are noisy: read
the raw runs and the load average next to the medians.

Usage: ``.venv/bin/python bench/startup.py [--runs 5] [--no-warm]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "results" / "startup.json"
VIEWPORT = {"width": 1400, "height": 1000}
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000
TF_LIBRARIES = ("libtensorflow", "_pywrap_tensorflow")

APP_CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
SCRIPT_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PLOT_DRAWN = ".js-plotly-plot .main-svg"

# A signature of the first plotly chart's data (what Streamlit sent to plotly).
CHART_SIGNATURE_JS = """
() => {
  const gd = document.querySelector('.js-plotly-plot');
  return gd && Array.isArray(gd.data) ? JSON.stringify(gd.data) : null;
}
"""
CHANGED_AND_IDLE_JS = f"""
(before) => {{
  const app = document.querySelector('[data-testid="stApp"]');
  return ({CHART_SIGNATURE_JS})() !== before
      && app && app.getAttribute('data-test-script-state') === 'notRunning';
}}
"""


# Timestamps of websocket sends and receives, installed before the app loads.
WEBSOCKET_CLOCK_JS = """
window.__ws = [];
const _send = WebSocket.prototype.send;
WebSocket.prototype.send = function (d) {
  window.__ws.push(['send', performance.now()]); return _send.call(this, d); };
const _listen = WebSocket.prototype.addEventListener;
WebSocket.prototype.addEventListener = function (type, fn, options) {
  if (type === 'message') { const inner = fn; fn = function (event) {
    window.__ws.push(['recv', performance.now()]); return inner.call(this, event); }; }
  return _listen.call(this, type, fn, options); };
"""

BASELINE_APP = """
import numpy as np
import plotly.graph_objects as go
import streamlit as st

x_max = st.number_input("x max", value=6.0, step=1.0)
x = np.linspace(-6, x_max, 501)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.maximum(x, 0))), key="chart")
"""

# --- server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run app.py`` on a free port, as the e2e tests start it."""

    def __init__(self, warm_keras: bool, log_dir: Path, script: str = "app.py",
                 cwd: Path = REPO_ROOT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        if warm_keras:
            env.pop("PLAYGROUND_WARM_KERAS", None)  # the app's default: warm
        else:
            env["PLAYGROUND_WARM_KERAS"] = "0"
        command = [sys.executable, "-m", "streamlit", "run", script,
                   "--server.headless", "true", "--server.port", str(self.port),
                   "--server.address", "127.0.0.1",
                   "--server.fileWatcherType", "none",
                   "--browser.gatherUsageStats", "false",
                   "--global.developmentMode", "false"]
        self.log_path = log_dir / f"server_{self.port}.log"
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.started = time.perf_counter()
            self.process = subprocess.Popen(command, cwd=cwd, env=env,
                                            stdout=log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 60.0) -> float:
        """Seconds from process launch until ``/_stcore/health`` says ``ok``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}); "
                                   f"see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health",
                                            timeout=2) as reply:
                    if reply.read().decode().strip() == "ok":
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.02)
        raise RuntimeError(f"server not healthy after {timeout:.0f} s")

    def maps_mention(self, names: tuple[str, ...]) -> bool:
        """Whether any shared object whose path contains one of ``names`` is mapped."""
        maps = Path(f"/proc/{self.process.pid}/maps").read_text()
        return any(name in maps for name in names)

    def rss_mb(self) -> float | None:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# --- browser helpers -----------------------------------------------------------


def wait_until_idle(page: Page, settle_ms: int = 300) -> None:
    """Connected and the script finished — and still finished after ``settle_ms``."""
    page.wait_for_selector(APP_CONNECTED, timeout=TIMEOUT_MS)
    deadline = time.perf_counter() + TIMEOUT_MS / 1000
    while time.perf_counter() < deadline:
        page.wait_for_selector(SCRIPT_IDLE, timeout=TIMEOUT_MS)
        page.wait_for_timeout(settle_ms)
        if page.locator(SCRIPT_IDLE).count():
            return
    raise TimeoutError("script kept running")


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.add_init_script(WEBSOCKET_CLOCK_JS)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


# --- measurements --------------------------------------------------------------


def cold_start_once(browser: Browser, warm_keras: bool, log_dir: Path,
                    watch_tensorflow: bool = False) -> dict[str, Any]:
    """One fresh server: launch → healthy → home rendered in a fresh context."""
    page = new_page(browser)
    server = Server(warm_keras, log_dir)
    try:
        healthy = server.wait_healthy()
        page.goto(f"{server.url}/?lang=en")
        page.locator("h1", has_text="Neural Playground").first.wait_for(
            state="visible", timeout=TIMEOUT_MS)
        page.wait_for_selector(SCRIPT_IDLE, timeout=TIMEOUT_MS)
        rendered = time.perf_counter() - server.started
        wait_until_idle(page)  # confirm it stayed finished (not timed)
        run = {"healthy_s": round(healthy, 3), "rendered_s": round(rendered, 3)}
        if watch_tensorflow:
            run["tensorflow_mapped_after_s"] = wait_for_tensorflow(server, 60.0)
        return run
    finally:
        page.context.close()
        server.stop()


def wait_for_tensorflow(server: Server, timeout: float) -> float | None:
    """Seconds from launch until TF's libraries are mapped (None: not in time)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.maps_mention(TF_LIBRARIES):
            return round(time.perf_counter() - server.started, 2)
        time.sleep(0.2)
    return None


SERVER_SPLIT_JS = """
() => { const sends = window.__ws.filter(e => e[0] === 'send');
        const recvs = window.__ws.filter(e => e[0] === 'recv');
        if (!sends.length || !recvs.length) return null;
        return (recvs[recvs.length - 1][1] - sends[0][1]) / 1000; }
"""


def time_change(page: Page, action, server_times: list[float] | None = None) -> float:
    """Seconds from ``action()`` until the chart changed and the script is idle.

    If ``server_times`` is given, the seconds from the rerun request leaving the
    browser to the last message arriving are appended to it.
    """
    before = page.evaluate(CHART_SIGNATURE_JS)
    page.evaluate("window.__ws = []")
    start = time.perf_counter()
    action()
    page.wait_for_function(CHANGED_AND_IDLE_JS, arg=before, timeout=TIMEOUT_MS)
    elapsed = time.perf_counter() - start
    if server_times is not None:
        split = page.evaluate(SERVER_SPLIT_JS)
        if split is not None:
            server_times.append(split)
    wait_until_idle(page)
    return elapsed


def x_max_reruns(page: Page, runs: int) -> tuple[list[float], list[float]]:
    """Type a new x max and press Enter, ``runs`` times: (total, server) seconds."""
    box = page.get_by_label("x max", exact=True)
    totals: list[float] = []
    server: list[float] = []
    for value in range(7, 7 + runs):
        box.fill(str(value))
        totals.append(time_change(page, lambda b=box: b.press("Enter"), server))
    return totals, server


def baseline_rerun(browser: Browser, runs: int, log_dir: Path) -> dict:
    """The same x-max rerun on a minimal app (one input, one plotly line)."""
    app_dir = log_dir / "baseline"
    app_dir.mkdir(exist_ok=True)
    (app_dir / "baseline_app.py").write_text(BASELINE_APP, encoding="utf-8")
    server = Server(False, log_dir, script="baseline_app.py", cwd=app_dir)
    page = new_page(browser)
    try:
        server.wait_healthy()
        page.goto(server.url)
        wait_until_idle(page)
        page.locator(PLOT_DRAWN).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        totals, server_times = x_max_reruns(page, runs)
        return {"x_max_enter": summary(totals), "server": summary(server_times)}
    finally:
        page.context.close()
        server.stop()


def rerun_and_tensorflow(browser: Browser, runs: int, log_dir: Path) -> dict:
    """Rerun latencies on /activations and the TF check, on one server."""
    server = Server(warm_keras=False, log_dir=log_dir)
    page = new_page(browser)
    try:
        server.wait_healthy()
        page.goto(f"{server.url}/activations?lang=en")
        wait_until_idle(page)
        page.locator(PLOT_DRAWN).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        tf_after_visit = server.maps_mention(TF_LIBRARIES)

        enter_runs, enter_server = x_max_reruns(page, runs)

        slider = page.get_by_test_id("stSlider").filter(
            has=page.get_by_text("x", exact=True)).get_by_role("slider")
        slider_runs = []
        for _ in range(runs):
            slider.focus()
            slider_runs.append(
                time_change(page, lambda s=slider: s.press("ArrowRight")))

        return {
            "x_max_enter": summary(enter_runs),
            "x_max_enter_server": summary(enter_server),
            "slider_arrow_right": summary(slider_runs),
            "tensorflow_loaded_after_activations": tf_after_visit,
            "tensorflow_loaded_after_reruns": server.maps_mention(TF_LIBRARIES),
            "server_rss_mb": server.rss_mb(),
        }
    finally:
        page.context.close()
        server.stop()


def summary(values: list[float]) -> dict[str, Any]:
    return {"median_s": round(statistics.median(values), 3),
            "runs_s": [round(v, 3) for v in values]}


def machine_info(browser: Browser) -> dict[str, Any]:
    import streamlit

    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "streamlit": streamlit.__version__,
        "chromium": browser.version,
    }


def find_chromium() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def require_chromium() -> str | None:
    """The Chromium executable, or None after telling the user how to get it."""
    executable = find_chromium()
    if executable is None:
        print("Chromium not found: run `make test` (or `make chromium`) first.",
              file=sys.stderr)
    return executable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--no-warm", action="store_true",
                        help="cold starts with PLAYGROUND_WARM_KERAS=0")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    executable = require_chromium()
    if executable is None:
        return 2
    warm = not args.no_warm
    with tempfile.TemporaryDirectory(prefix="bench_startup_") as tmp, \
            sync_playwright() as playwright:
        log_dir = Path(tmp)
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=CHROMIUM_ARGS)
        info = machine_info(browser)
        cold = []
        for index in range(args.runs):
            # On the last run of a warming server, also see when TF gets loaded.
            watch = warm and index == args.runs - 1
            cold.append(cold_start_once(browser, warm, log_dir, watch))
            print(f"cold start {index + 1}/{args.runs}: {cold[-1]}", flush=True)
        rerun = rerun_and_tensorflow(browser, args.runs, log_dir)
        baseline = baseline_rerun(browser, args.runs, log_dir)
        browser.close()

    results = {
        "machine": info,
        "config": {"runs": args.runs, "cold_start_keras_warming": warm,
                   "rerun_server_keras_warming": False,
                   "viewport": VIEWPORT, "chromium_args": CHROMIUM_ARGS},
        "cold_start": {
            "what": "process launch → home title visible and script notRunning "
                    "(fresh server and fresh browser context each run)",
            **summary([r["rendered_s"] for r in cold]),
            "healthy_median_s": round(
                statistics.median(r["healthy_s"] for r in cold), 3),
            "healthy_runs_s": [r["healthy_s"] for r in cold],
            "tensorflow_mapped_after_s": cold[-1].get("tensorflow_mapped_after_s"),
        },
        "rerun_activations": {
            "what": "control changed → chart data changed and script notRunning "
                    "(one warm server, PLAYGROUND_WARM_KERAS=0)",
            "x_max_enter": rerun["x_max_enter"],
            "x_max_enter_server": rerun["x_max_enter_server"],
            "slider_arrow_right": rerun["slider_arrow_right"],
            "baseline_app_x_max_enter": baseline["x_max_enter"],
            "baseline_app_server": baseline["server"],
            "ratio_page_to_baseline": round(
                rerun["x_max_enter"]["median_s"]
                / baseline["x_max_enter"]["median_s"], 2),
            "server_rss_mb": rerun["server_rss_mb"],
        },
        "tensorflow_imported_serving_activations": {
            "method": "/proc/<pid>/maps contains libtensorflow or _pywrap_tensorflow "
                      "(server with PLAYGROUND_WARM_KERAS=0)",
            "after_first_visit": rerun["tensorflow_loaded_after_activations"],
            "after_reruns": rerun["tensorflow_loaded_after_reruns"],
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")

    print(f"\ncold start (launch → home rendered): median "
          f"{results['cold_start']['median_s']:.2f} s, runs "
          f"{results['cold_start']['runs_s']}  (healthy: median "
          f"{results['cold_start']['healthy_median_s']:.2f} s)")
    if warm:
        print(f"  keras warm-up mapped TensorFlow after "
              f"{results['cold_start']['tensorflow_mapped_after_s']} s")
    for name in ("x_max_enter", "x_max_enter_server", "slider_arrow_right"):
        figures = rerun[name]
        print(f"rerun /activations ({name}): median {figures['median_s']:.2f} s, "
              f"runs {figures['runs_s']}")
    print(f"baseline app (one input + one plotly line), x max + Enter: median "
          f"{baseline['x_max_enter']['median_s']:.2f} s (server "
          f"{baseline['server']['median_s']:.2f} s); page / baseline = "
          f"{results['rerun_activations']['ratio_page_to_baseline']}")
    print(f"tensorflow loaded serving /activations: "
          f"{rerun['tensorflow_loaded_after_activations']} (after reruns: "
          f"{rerun['tensorflow_loaded_after_reruns']})")
    print(f"wrote {args.output.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
