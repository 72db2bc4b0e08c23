"""Two app replicas behind a real nginx, and a browser tour through it (not a test).

Checks that ``deploy/nginx.conf`` works as written, on 127.0.0.1:

1. Starts TWO ``streamlit run app.py`` processes (``PLAYGROUND_WARM_KERAS=0``) and
   one nginx (not a daemon, its own ``-p`` prefix in a temporary folder) whose
   configuration is ``deploy/nginx.conf`` with only the upstream's ``server`` lines,
   the ``listen`` line, the ``user`` line and the file paths changed; ``nginx -t``
   first. Waits for ``/_stcore/health`` through nginx.
2. A headless Chromium tour through nginx: the home page; /activations (English)
   where x max is changed and the chart must change; a second browser context
   (a second session) on /activations in Chinese, x max changed there too.
3. Reads nginx's access log (its format logs ``$upstream_addr``): every request of
   the tour went to ONE replica (``ip_hash``: one client IP, one replica), and
   the websocket ``/_stcore/stream`` was upgraded (status 101).
4. Page-ready time of /activations (fresh browser context: connected, chart drawn,
   script finished) and the rerun time after changing x max, through nginx and
   directly on the same replica, alternating; medians and the ratio.
   Target: nginx adds at most 10 % (ratio ≤ 1.10). On a busy machine fewer runs
   are made (none is started after 110 s); read the load averages beside them.
5. Failover: the replica the tour was pinned to is stopped; a new browser through
   nginx must get the page from the other one.

Always tears everything down (browser, nginx, both servers), also on errors and
after the time limit (3 minutes), and reports processes left over (must be 0).
Writes ``bench/results/nginx_tour.json``.

Needs an ``nginx`` binary (exit code 2 with the install line if it is missing).

Usage: ``.venv/bin/python bench/nginx_tour.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script: make bench importable
    sys.path.insert(0, str(REPO_ROOT))

from bench.startup import (  # noqa: E402
    CHART_SIGNATURE_JS,
    CHROMIUM_ARGS,
    PLOT_DRAWN,
    SCRIPT_IDLE,
    TIMEOUT_MS,
    Server,
    find_chromium,
    free_port,
    new_page,
    time_change,
    wait_until_idle,
)
from deploy.local_nginx import TEMPLATE, Nginx, render_config  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "nginx_tour.json"
INSTALL_LINE = "sudo apt-get install -y nginx"
BUDGET_S = 180
TIMING_UNTIL_S = 110  # no new timing run after this (failover and teardown follow)
TARGET_RATIO = 1.10


class Budget(Exception):
    """The bench ran past its time limit."""


# --- nginx ---------------------------------------------------------------------


def wait_health(url: str, processes: list[subprocess.Popen], timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[0]} exited ({process.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().decode().strip() == "ok":
                    return time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s")


# --- browser -------------------------------------------------------------------


def label(lang: str, key: str) -> str:
    """A UI string from the app's own catalog (the tour follows its wording)."""
    catalog = json.loads((REPO_ROOT / "locales" / f"{lang}.json").read_text("utf-8"))
    return catalog[key]


def open_activations(browser, url: str, lang: str = "en"):
    """A fresh context on /activations; (page, seconds until ready)."""
    page = new_page(browser)
    start = time.perf_counter()
    page.goto(f"{url}/activations?lang={lang}")
    page.locator(PLOT_DRAWN).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    page.wait_for_selector(SCRIPT_IDLE, timeout=TIMEOUT_MS)
    ready = time.perf_counter() - start
    wait_until_idle(page)  # confirmed finished (not timed)
    return page, ready


def change_x_max(page, lang: str, value: int) -> float:
    """Type a new x max + Enter; seconds until the chart changed and idle."""
    box = page.get_by_label(label(lang, "act.x_max"), exact=True)
    box.fill(str(value))
    return time_change(page, lambda: box.press("Enter"))


def tour(browser, url: str) -> dict[str, Any]:
    """Home, then /activations in two sessions (en, zh) with a setting changed."""
    page = new_page(browser)
    page.goto(f"{url}/?lang=en")
    page.locator("h1", has_text="Neural Playground").first.wait_for(
        state="visible", timeout=TIMEOUT_MS)
    wait_until_idle(page)
    home_ok = page.get_by_test_id("stException").count() == 0
    page.goto(f"{url}/activations?lang=en")
    page.locator(PLOT_DRAWN).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    wait_until_idle(page)
    before = page.evaluate(CHART_SIGNATURE_JS)
    rerun_en = change_x_max(page, "en", 9)
    changed_en = page.evaluate(CHART_SIGNATURE_JS) != before
    x_max_en = page.get_by_label(label("en", "act.x_max"), exact=True).input_value()

    second, _ = open_activations(browser, url, "zh")
    before = second.evaluate(CHART_SIGNATURE_JS)
    rerun_zh = change_x_max(second, "zh", 3)
    changed_zh = second.evaluate(CHART_SIGNATURE_JS) != before
    # The first session still has its own value: two sessions, not one.
    first_kept = page.get_by_label(label("en", "act.x_max"),
                                   exact=True).input_value() == x_max_en
    errors = sum(p.get_by_test_id("stException").count() for p in (page, second))
    for each in (page, second):
        each.context.close()
    return {"home_rendered": home_ok, "activations_en_chart_changed": changed_en,
            "activations_zh_chart_changed": changed_zh,
            "first_session_kept_its_setting": first_kept,
            "exceptions_on_page": errors,
            "rerun_en_s": round(rerun_en, 3), "rerun_zh_s": round(rerun_zh, 3)}


def compare(browser, via_nginx: str, direct: str, runs: int,
            deadline: float) -> dict[str, Any]:
    """Page-ready and rerun times, through nginx and direct, alternating.

    Stops after the first pair of runs that ends past ``deadline`` (a busy machine
    must not push the bench over its time limit); ``runs`` says how many were done.
    """
    times: dict[str, dict[str, list[float]]] = {
        "nginx": {"ready": [], "rerun": []}, "direct": {"ready": [], "rerun": []}}
    for index in range(runs):
        if index and time.perf_counter() > deadline:
            break
        order = [("nginx", via_nginx), ("direct", direct)]
        for name, url in order if index % 2 == 0 else reversed(order):
            page, ready = open_activations(browser, url)
            times[name]["ready"].append(ready)
            times[name]["rerun"].append(change_x_max(page, "en", 7 + index))
            page.context.close()
    result: dict[str, Any] = {"runs": len(times["nginx"]["ready"])}
    for measure in ("ready", "rerun"):
        nginx, plain = times["nginx"][measure], times["direct"][measure]
        result[measure] = {
            "nginx_median_s": round(statistics.median(nginx), 3),
            "direct_median_s": round(statistics.median(plain), 3),
            "ratio_nginx_to_direct": round(statistics.median(nginx)
                                           / statistics.median(plain), 2),
            "nginx_runs_s": [round(v, 3) for v in nginx],
            "direct_runs_s": [round(v, 3) for v in plain]}
    return result


# --- checks --------------------------------------------------------------------


def stickiness(entries: list[dict[str, Any]]) -> dict[str, Any]:
    replicas = sorted({entry["upstream"] for entry in entries})
    streams = [entry for entry in entries if entry["path"] == "/_stcore/stream"]
    return {"requests": len(entries), "replicas_used": replicas,
            "one_replica": len(replicas) == 1,
            "websockets": len(streams),
            "websockets_upgraded_101": sum(e["status"] == 101 for e in streams)}


def leftovers(pids: list[int], prefix: Path) -> list[int]:
    """Our processes still alive: the ones we started, and nginx workers (their
    command line names our private prefix folder)."""
    alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()
             and "zombie" not in _status(pid)]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(prefix).encode() in command and int(entry.name) not in alive:
                alive.append(int(entry.name))
    return alive


def _status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "zombie"  # gone meanwhile


def _on_alarm(signum, frame) -> None:
    raise Budget(f"over the {BUDGET_S} s limit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5,
                        help="page loads per route for the timing (default 5)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
         if os.access(p, os.X_OK)), None)
    if binary is None:
        print(f"nginx not found. Install it with:\n  {INSTALL_LINE}", file=sys.stderr)
        return 2
    chromium = find_chromium()
    if chromium is None:
        print("Chromium not found: run `make test` (or `make chromium`) first.",
              file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(BUDGET_S)
    prefix = Path(tempfile.mkdtemp(prefix="nginx_tour_"))
    servers: list[Server] = []
    nginx: Nginx | None = None
    result: dict[str, Any] = {}
    try:
        servers = [Server(warm_keras=False, log_dir=prefix) for _ in range(2)]
        for server in servers:
            server.wait_healthy()
        backends = [f"127.0.0.1:{server.port}" for server in servers]
        port = free_port()
        nginx = Nginx(binary, prefix, render_config(
            TEMPLATE.read_text("utf-8"), backends, f"127.0.0.1:{port}", prefix))
        via = f"http://127.0.0.1:{port}"
        healthy = wait_health(via, [nginx.process], 30)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium,
                                                 args=CHROMIUM_ARGS)
            checks = tour(browser, via)
            time.sleep(0.5)  # nginx logs a websocket when it closes
            sticky = stickiness(nginx.log())
            pinned = sticky["replicas_used"][0]
            pinned_server = servers[backends.index(pinned)]
            timing = compare(browser, via, pinned_server.url, args.runs,
                             deadline=started + TIMING_UNTIL_S)
            time.sleep(0.5)
            sticky_all = stickiness(nginx.log())

            # Failover: stop the pinned replica; a new browser gets the other one.
            seen = len(nginx.log())
            pinned_server.stop()
            page, ready = open_activations(browser, via)
            failover_ok = page.get_by_test_id("stException").count() == 0
            page.context.close()
            time.sleep(0.5)
            after = nginx.log()[seen:]
            browser.close()
        other = next(b for b in backends if b != pinned)
        served_after = sorted({entry["upstream"] for entry in after})
        rss = [server.rss_mb() for server in servers
               if server.process.poll() is None]
        result = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": platform.platform(), "cpus": os.cpu_count(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "nginx": subprocess.run([binary, "-v"], capture_output=True,
                                    text=True).stderr.strip(),
            "replicas": backends, "nginx_port": port,
            "nginx_healthy_after_s": round(healthy, 3),
            "tour": checks,
            "stickiness_tour": sticky,
            "stickiness_tour_and_timing": sticky_all,
            "timing_activations": {"runs_asked": args.runs,
                                   "what": "fresh context → chart drawn and script "
                                           "finished (ready); x max + Enter → chart "
                                           "changed and finished (rerun)",
                                   **timing},
            "target_ratio_max": TARGET_RATIO,
            "ratio_ready_to_target": round(
                timing["ready"]["ratio_nginx_to_direct"] / TARGET_RATIO, 2),
            "failover": {"stopped": pinned, "served_by": served_after,
                         "moved_to_other_replica": served_after == [other],
                         "page_ready_s": round(ready, 3),
                         "no_exception": failover_ok},
            "surviving_server_rss_mb": rss,
        }
    except Budget as error:
        result = {"error": str(error)}
    finally:
        signal.alarm(0)
        pids = [server.process.pid for server in servers]
        if nginx is not None:
            pids.append(nginx.process.pid)
            nginx.stop()
        for server in servers:
            server.stop()
        left = leftovers(pids, prefix)
        shutil.rmtree(prefix, ignore_errors=True)
    result["processes_left_over"] = len(left)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                           "utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    passed = ("error" not in result and not left
              and result["stickiness_tour_and_timing"]["one_replica"]
              and result["stickiness_tour_and_timing"]["websockets_upgraded_101"] > 0
              and result["failover"]["moved_to_other_replica"]
              and all(result["tour"][key] for key in (
                  "home_rendered", "activations_en_chart_changed",
                  "activations_zh_chart_changed", "first_session_kept_its_setting"))
              and result["tour"]["exceptions_on_page"] == 0)
    print("PASS" if passed else "FAIL", file=sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
