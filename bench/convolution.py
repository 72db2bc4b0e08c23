"""Rerun cost of the convolution lesson (not a test).

The target: a rerun on a 256×256 image with a 5×5 kernel in ≤ 200 ms server-side.
Measures:

1. in-process, the work the page's sections do on the 256×256 "camera" picture
   (working size 256) with the ``gaussian_blur_5x5`` preset, stride 1, padding
   "same", max pooling 2/2 — the same functions the page calls, in its order:

   * compute: the cached picture (a ``st.cache_data`` hit: a copy of the arrays),
     ``conv2d``, ``pool2d`` and the generated code, the two edge convolutions and
     ``np.hypot``, the 3-channel convolution of the subsampled colour picture;
   * figures: every ``image_figure``/``grid_figure``, each turned into what
     ``st.plotly_chart`` sends, as Streamlit 1.67 does it
     (``plotly.tools.return_figure_from_figure_or_data(..., validate_figure=True)``,
     ``plotly.io.to_json(fig, validate=False)``, and hashing the JSON into the
     element id).

   Timed per section (filter + pooling + code; the two edge filters; channels;
   step-through grids), median of ``--repeats`` runs (default 20). A stride
   change reruns only the filter fragment; a new picture reruns them all. Beside
   it, the whole page script (every element, not only the charts) through
   ``streamlit.testing.v1.AppTest``, median of ``--apptest-runs`` reruns.
2. end to end in a real browser on a real server (``PLAYGROUND_WARM_KERAS=0``):
   ``/convolution?lang=en&image=camera&size=256&kernel=gaussian_blur_5x5``;
   change the stride 1→2→1 with the keyboard and the padding same→valid→same
   with clicks, timing each change until the feature map's data changed and the
   script is idle;
   ``--runs`` cycles (default 5). Each rerun is also split into "server"
   (rerun request sent → last message received) and the rest (the browser),
   twice: from the page's own clock (as ``bench/startup.py``) and from the
   websocket frames Chromium's network layer reports to Playwright (which the
   page's busy main thread cannot delay).
3. whether TensorFlow got loaded in that server process (``/proc/<pid>/maps``),
   and whether importing the page's modules imports it in-process.

Prints the figures and writes them with machine info to
``bench/results/convolution.json``. Timings on shared 2-core machines are noisy:
read the raw runs and the load averages next to the medians.

Usage: ``.venv/bin/python bench/convolution.py [--runs 5] [--repeats 20]
[--apptest-runs 5]``
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script: make the app importable
    sys.path.insert(0, str(REPO_ROOT))

import json  # noqa: E402

import numpy as np  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from bench.startup import (  # noqa: E402
    CHROMIUM_ARGS,
    PLOT_DRAWN,
    SERVER_SPLIT_JS,
    TF_LIBRARIES,
    TIMEOUT_MS,
    VIEWPORT,
    Server,
    machine_info,
    new_page,
    require_chromium,
    summary,
    wait_until_idle,
)

RESULTS = REPO_ROOT / "bench" / "results" / "convolution.json"
SIZE = 256
KERNEL = "gaussian_blur_5x5"
SAMPLE = "camera"  # 512×512: at working size 256 exactly 256×256
TARGET_S = 0.200
PAGE_QUERY = f"lang=en&image={SAMPLE}&size={SIZE}&kernel={KERNEL}"

# The feature map's heatmap data, as Streamlit sent it (base64 typed array).
FEATURE_MAP_JS = """
() => {
  const gd = document.querySelector('.st-key-conv_output .js-plotly-plot');
  if (!gd || !Array.isArray(gd.data) || !gd.data.length) return null;
  const z = gd.data[0].z;
  return z && typeof z.bdata === 'string' ? z.shape + '|' + z.bdata
                                          : JSON.stringify(z ?? null);
}
"""
FEATURE_MAP_SHAPE_JS = """
() => { const gd = document.querySelector('.st-key-conv_output .js-plotly-plot');
        return gd && gd.data && gd.data[0].z ? String(gd.data[0].z.shape) : null; }
"""
CHANGED_AND_IDLE_JS = f"""
(before) => {{
  const app = document.querySelector('[data-testid="stApp"]');
  return ({FEATURE_MAP_JS})() !== before
      && app && app.getAttribute('data-test-script-state') === 'notRunning';
}}
"""


# --- 1. in-process -------------------------------------------------------------


def _quiet_streamlit() -> None:
    """Outside ``streamlit run`` every ``st.*`` call warns of a missing context."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="streamlit")


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def in_process(repeats: int) -> dict[str, Any]:
    """Time each section's compute and figure work, as the page does it."""
    _quiet_streamlit()
    import plotly
    import plotly.io
    import plotly.tools

    # Importing st.plotly_chart's module installs Streamlit's plotly template as
    # the default, as in the server: figures are built and serialised with it.
    import streamlit.elements.plotly_chart  # noqa: F401
    from streamlit import util

    from components import conv_lab
    from components.conv_charts import grid_figure, image_figure
    from core.conv_codegen import keras_conv_code, numpy_conv_code
    from core.convolution import KERNELS, conv2d, convolution_step, pool2d
    from core.imaging import to_grayscale_array, to_rgb_array
    from core.samples import load_sample_image

    _quiet_streamlit()
    tf_imported = "tensorflow" in sys.modules

    # The page reads the picture through st.cache_data: the first call decodes and
    # resizes it (not timed), every full rerun after that is a cache hit (timed).
    cached = getattr(conv_lab, "_sample_arrays", None)
    cache_hit: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None
    try:
        if cached is None:
            raise RuntimeError("components.conv_lab._sample_arrays is gone")
        cached(SAMPLE, SIZE)
        cache_hit = lambda: cached(SAMPLE, SIZE)  # noqa: E731
        gray, rgb = cache_hit()
    except Exception as error:  # fall back to the plain functions
        print(f"(st.cache_data outside the server failed: {error!r}; "
              "the cache hit is not timed)", file=sys.stderr)
        from PIL import Image

        picture = Image.fromarray(load_sample_image(SAMPLE))
        gray, rgb = to_grayscale_array(picture, SIZE), to_rgb_array(picture, SIZE)
    kernel = KERNELS[KERNEL]
    edge = KERNELS["horizontal_edge"]

    # Each section: (compute → arrays, arrays → figures), as the page draws it.
    def filter_compute() -> dict:
        feature_map = conv2d(gray, kernel, 1, "same")
        keras_conv_code(SAMPLE, SIZE, kernel, 1, "same", "max", 2, 2)
        numpy_conv_code(SAMPLE, SIZE, kernel, 1, "same")
        return {"gray": gray, "feature_map": feature_map,
                "pooled": pool2d(feature_map, 2, 2, "valid", "max")}

    def filter_figures(a: dict) -> list:
        return [image_figure(a["gray"], "input"),
                image_figure(a["feature_map"], "feature map", diverging=True),
                image_figure(a["pooled"], "pooled", diverging=True)]

    def edges_compute() -> dict:
        horizontal = conv2d(gray, edge, 1, "same")
        vertical = conv2d(gray, KERNELS["vertical_edge"], 1, "same")
        return {"h": horizontal, "v": vertical, "m": np.hypot(horizontal, vertical)}

    def edges_figures(a: dict) -> list:
        return [image_figure(a["h"], "horizontal edges", True, 300),
                image_figure(a["v"], "vertical edges", True, 300),
                image_figure(a["m"], "combined", False, 300)]

    def channels_compute() -> dict:
        every = max(1, max(rgb.shape[:2]) // 64)
        small = rgb[::every, ::every]
        cube = np.repeat(edge[:, :, None], 3, axis=2)
        return {"small": small, "sum": conv2d(small, cube, 1, "same")}

    def channels_figures(a: dict) -> list:
        return [*(image_figure(a["small"][:, :, i], name, height=240)
                  for i, name in enumerate(("red", "green", "blue"))),
                image_figure(a["sum"], "one map", True, 240)]

    grid = np.array([[0.9, 0.8, 0.9, 0.8, 0.9, 0.8, 0.9]] * 3
                    + [[0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.1]] * 4)

    def step_compute() -> dict:
        return {"step": convolution_step(grid, edge, 0, 0, 1, "valid"),
                "map": conv2d(grid, edge, 1, "valid")}

    def step_figures(a: dict) -> list:
        step = a["step"]
        return [grid_figure(step.padded, "input (padded)", (step.rows, step.cols)),
                grid_figure(step.products, "patch × filter"),
                grid_figure(a["map"], "feature map", highlight=(0, 0))]

    sections = {"filter": (filter_compute, filter_figures),
                "edges": (edges_compute, edges_figures),
                "channels": (channels_compute, channels_figures),
                "step": (step_compute, step_figures)}

    def send(figure) -> int:
        """What ``st.plotly_chart`` does with a figure before it is sent."""
        figure = plotly.tools.return_figure_from_figure_or_data(
            figure, validate_figure=True)
        spec = plotly.io.to_json(figure, validate=False)
        config = json.dumps({})
        hasher = util.create_fast_hasher()  # the element id hashes the spec
        for part in ("plotly_chart", spec, config):
            hasher.update(part.encode("utf-8"))
        hasher.hexdigest()
        return len(spec)

    for _ in range(3):  # warm up imports, caches and plotly's validators
        for compute, figures in sections.values():
            [send(f) for f in figures(compute())]

    runs = {name: {"compute": [], "build_figures": [], "serialise": [], "total": []}
            for name in sections}
    cache_runs: list[float] = []
    spec_bytes: dict[str, list[int]] = {}
    for _ in range(repeats):
        if cache_hit:
            start = time.perf_counter()
            cache_hit()
            cache_runs.append(time.perf_counter() - start)
        for name, (compute, figures) in sections.items():
            start = time.perf_counter()
            arrays = compute()
            computed = time.perf_counter()
            built = figures(arrays)
            figured = time.perf_counter()
            spec_bytes[name] = [send(f) for f in built]
            done = time.perf_counter()
            runs[name]["compute"].append(computed - start)
            runs[name]["build_figures"].append(figured - computed)
            runs[name]["serialise"].append(done - figured)
            runs[name]["total"].append(done - start)

    per_section = {
        name: {"figures": len(spec_bytes[name]),
               "json_bytes": sum(spec_bytes[name]),
               **{f"{part}_median_ms": _median_ms(values)
                  for part, values in parts.items()}}
        for name, parts in runs.items()}
    every_rerun = [sum(runs[name]["total"][i] for name in sections)
                   + (cache_runs[i] if cache_runs else 0.0) for i in range(repeats)]
    filter_total = per_section["filter"]["total_median_ms"]
    return {
        "what": f"in-process, {SAMPLE} at working size {SIZE} "
                f"({'×'.join(map(str, gray.shape))}), {KERNEL}, stride 1, padding "
                f"same, max pool 2/2; every figure built with components.conv_charts "
                f"and serialised as st.plotly_chart does; medians of {repeats}",
        "image_shape": list(gray.shape),
        "feature_map_shape": list(filter_compute()["feature_map"].shape),
        "stride_change_is": "the filter_section fragment (input, feature map, "
                            "pooled + code) — pages/convolution.py at the time of "
                            "measuring",
        "stride_change_median_ms": filter_total,
        "stride_change_within_target": filter_total <= TARGET_S * 1000,
        "all_sections_median_ms": _median_ms(every_rerun),
        "all_sections_runs_ms": [round(v * 1000, 1) for v in every_rerun],
        "all_sections_within_target": _median_ms(every_rerun) <= TARGET_S * 1000,
        "all_sections_compute_median_ms": round(sum(
            per_section[n]["compute_median_ms"] for n in sections), 2),
        "all_sections_figures_and_serialise_median_ms": round(sum(
            per_section[n]["build_figures_median_ms"]
            + per_section[n]["serialise_median_ms"] for n in sections), 2),
        "cache_hit_median_ms": _median_ms(cache_runs) if cache_runs else None,
        "sections": per_section,
        "target_ms": TARGET_S * 1000,
        "tensorflow_imported_in_process": tf_imported,
        "plotly": plotly.__version__,
        "plotly_template": plotly.io.templates.default,
    }


def whole_page_apptest(runs: int) -> dict[str, Any]:
    """The whole page script (both fragments, every element) via AppTest."""
    _quiet_streamlit()
    from streamlit.testing.v1 import AppTest

    # Like the browser's server: no Keras warm-up thread competing for the CPU.
    os.environ["PLAYGROUND_WARM_KERAS"] = "0"
    # As tests/pages do: app.py builds the navigation, then go to the page.
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    for name, value in (("lang", "en"), ("image", SAMPLE), ("size", str(SIZE)),
                        ("kernel", KERNEL)):
        app.query_params[name] = value
    app.run()
    app.switch_page("pages/convolution.py").run()  # imports, picture, caches
    if app.exception:
        return {"error": [e.value for e in app.exception]}
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        app.run()
        samples.append(time.perf_counter() - start)
    charts = app.get("plotly_chart")
    shape = json.loads(charts[1].proto.spec)["data"][0]["z"].get("shape") \
        if len(charts) > 1 else None
    return {"what": "AppTest.run() of app.py on /convolution (a full rerun of "
                    "the script, not a fragment rerun), after one warm-up run",
            "feature_map_shape": shape,
            "median_ms": _median_ms(samples),
            "runs_ms": [round(v * 1000, 1) for v in samples],
            "exceptions": len(app.exception),
            "tensorflow_imported_after_running_page": "tensorflow" in sys.modules}


# --- 2. and 3. in the browser --------------------------------------------------


class FrameClock:
    """Websocket frames as Chromium's network layer reports them to Playwright."""

    def __init__(self, page: Page) -> None:
        self.frames: list[tuple[str, float, int]] = []
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        socket.on("framesent", lambda data: self._add("send", data))
        socket.on("framereceived", lambda data: self._add("recv", data))

    def _add(self, kind: str, data: str | bytes) -> None:
        self.frames.append((kind, time.perf_counter(), len(data)))

    def clear(self) -> None:
        self.frames.clear()

    def split(self) -> tuple[float, int] | None:
        """(first frame sent → last frame received, bytes received) since clear()."""
        sends = [f for f in self.frames if f[0] == "send"]
        recvs = [f for f in self.frames if f[0] == "recv"]
        if not sends or not recvs:
            return None
        return recvs[-1][1] - sends[0][1], sum(f[2] for f in recvs)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_change(page: Page, action: Callable[[], None], clock: FrameClock,
                record: dict[str, list], server_pid: int) -> None:
    """Time ``action()`` until the feature map changed and the script is idle.

    Appends to ``record``: "total" seconds, "server_js" (page clock), "server_net"
    (network frames), "server_cpu" (CPU seconds the server process used, which
    a busy machine does not inflate the way it does wall time) and "bytes"
    received.
    """
    before = page.evaluate(FEATURE_MAP_JS)
    page.evaluate("window.__ws = []")
    clock.clear()
    cpu_before = cpu_seconds(server_pid)
    start = time.perf_counter()
    action()
    page.wait_for_function(CHANGED_AND_IDLE_JS, arg=before, timeout=TIMEOUT_MS,
                           polling=20)
    record["total"].append(time.perf_counter() - start)
    record["server_cpu"].append(cpu_seconds(server_pid) - cpu_before)
    split = page.evaluate(SERVER_SPLIT_JS)
    if split is not None:
        record["server_js"].append(split)
    net = clock.split()
    if net is not None:
        record["server_net"].append(net[0])
        record["bytes"].append(net[1])
    wait_until_idle(page)


def in_browser(runs: int, log_dir: Path, browser) -> dict[str, Any]:
    server = Server(warm_keras=False, log_dir=log_dir)
    page = new_page(browser)
    clock = FrameClock(page)
    try:
        server.wait_healthy()
        start = time.perf_counter()
        page.goto(f"{server.url}/convolution?{PAGE_QUERY}")
        page.locator(f".st-key-conv_output {PLOT_DRAWN}").first.wait_for(
            state="visible", timeout=TIMEOUT_MS)
        first_drawn = time.perf_counter() - start
        wait_until_idle(page)
        shape_full = page.evaluate(FEATURE_MAP_SHAPE_JS)
        tf_after_visit = server.maps_mention(TF_LIBRARIES)

        # The filter section's controls, found by their widget keys.
        stride = page.locator(".st-key-conv_stride").get_by_role("slider")
        padding = page.locator(".st-key-conv_padding")
        names = ("stride_1_to_2", "stride_2_to_1", "padding_same_to_valid",
                 "padding_valid_to_same")
        records = {name: {"total": [], "server_js": [], "server_net": [],
                          "server_cpu": [], "bytes": []} for name in names}
        shapes = {}
        for _ in range(runs):
            for name, key in (("stride_1_to_2", "ArrowRight"),
                              ("stride_2_to_1", "ArrowLeft")):
                stride.focus()
                time_change(page, lambda k=key: stride.press(k), clock,
                            records[name], server.process.pid)
                shapes[name] = page.evaluate(FEATURE_MAP_SHAPE_JS)
            for name, choice in (("padding_same_to_valid", "valid"),
                                 ("padding_valid_to_same", "same")):
                button = padding.get_by_role("radio", name=choice, exact=True)
                time_change(page, lambda b=button: b.click(), clock, records[name],
                            server.process.pid)
                shapes[name] = page.evaluate(FEATURE_MAP_SHAPE_JS)

        changes = {}
        for name, record in records.items():
            changes[name] = {
                "total": summary(record["total"]),
                "server_js_clock": summary(record["server_js"])
                if record["server_js"] else None,
                "server_net_frames": summary(record["server_net"])
                if record["server_net"] else None,
                "server_cpu_s": summary(record["server_cpu"]),
                "bytes_received_median": int(statistics.median(record["bytes"]))
                if record["bytes"] else None,
                "feature_map_shape_after": shapes[name],
            }
        return {
            "what": "control changed → feature map data changed and script "
                    "notRunning; 'server' = rerun request sent → last websocket "
                    "message received; server_cpu_s = CPU seconds the server "
                    "process used meanwhile (one warm server, "
                    "PLAYGROUND_WARM_KERAS=0)",
            "url": f"/convolution?{PAGE_QUERY}",
            "first_visit_feature_map_drawn_s": round(first_drawn, 2),
            "feature_map_shape_at_stride_1": shape_full,
            "changes": changes,
            "tensorflow_loaded_after_first_visit": tf_after_visit,
            "tensorflow_loaded_after_reruns": server.maps_mention(TF_LIBRARIES),
            "server_rss_mb": server.rss_mb(),
        }
    finally:
        page.context.close()
        server.stop()


# --- main ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5,
                        help="browser change cycles (default 5)")
    parser.add_argument("--repeats", type=int, default=20,
                        help="in-process repetitions (default 20)")
    parser.add_argument("--apptest-runs", type=int, default=5,
                        help="whole-page AppTest reruns (default 5)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    executable = require_chromium()
    if executable is None:
        return 2

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    server_side = in_process(args.repeats)
    whole_page = whole_page_apptest(args.apptest_runs)
    with tempfile.TemporaryDirectory(prefix="bench_convolution_") as tmp, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=CHROMIUM_ARGS)
        info = machine_info(browser)
        browser_side = in_browser(args.runs, Path(tmp), browser)
        browser.close()
    info["load_average_at_start"] = load_at_start
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    results = {
        "machine": info,
        "config": {"size": SIZE, "kernel": KERNEL, "sample": SAMPLE,
                   "repeats": args.repeats, "browser_runs": args.runs,
                   "apptest_runs": args.apptest_runs,
                   "viewport": VIEWPORT, "chromium_args": CHROMIUM_ARGS},
        "target": "rerun on a 256×256 image with a 5×5 kernel ≤ 200 ms server-side",
        "server_side_in_process": server_side,
        "whole_page_script_in_process": whole_page,
        "browser_rerun": browser_side,
        "tensorflow_imported_serving_convolution": {
            "method": "/proc/<pid>/maps contains libtensorflow or _pywrap_tensorflow "
                      "(server with PLAYGROUND_WARM_KERAS=0)",
            "after_first_visit": browser_side["tensorflow_loaded_after_first_visit"],
            "after_reruns": browser_side["tensorflow_loaded_after_reruns"],
            "in_process_after_importing_page_modules":
                server_side["tensorflow_imported_in_process"],
            "in_process_after_running_page_with_apptest":
                whole_page.get("tensorflow_imported_after_running_page"),
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    report(results)
    print(f"wrote {args.output}")
    return 0


def report(results: dict[str, Any]) -> None:
    s = results["server_side_in_process"]
    w = results["whole_page_script_in_process"]
    b = results["browser_rerun"]
    m = results["machine"]
    print(f"machine: {m['cpu_count']} CPUs, load average {m['load_average_at_start']}"
          f" → {m['load_average_at_end']}, Chromium {m['chromium']}")
    print(f"\nin-process ({SAMPLE} {s['image_shape']}, {KERNEL}), medians in ms:")
    print(f"  {'section':10s} {'figs':>4s} {'compute':>8s} {'figures':>8s} "
          f"{'to_json':>8s} {'total':>8s}  JSON")
    for name, sec in s["sections"].items():
        print(f"  {name:10s} {sec['figures']:4d} {sec['compute_median_ms']:8.1f} "
              f"{sec['build_figures_median_ms']:8.1f} "
              f"{sec['serialise_median_ms']:8.1f} {sec['total_median_ms']:8.1f}  "
              f"{sec['json_bytes'] / 1e6:.2f} MB")
    target = s["target_ms"]
    for label, value, ok in (
            ("stride change (filter fragment)", s["stride_change_median_ms"],
             s["stride_change_within_target"]),
            ("all sections (new picture)", s["all_sections_median_ms"],
             s["all_sections_within_target"])):
        print(f"  {label:32s} {value:7.1f} ms  "
              f"({'within' if ok else 'OVER'} the {target:.0f} ms target)")
    print(f"  all sections: compute {s['all_sections_compute_median_ms']:.1f} ms, "
          f"figures + JSON {s['all_sections_figures_and_serialise_median_ms']:.1f}"
          f" ms, picture cache hit {s['cache_hit_median_ms']} ms")
    if "median_ms" in w:
        print(f"  whole page script (AppTest full rerun): {w['median_ms']:.0f} ms, "
              f"runs {w['runs_ms']}")
    else:
        print(f"  whole page script (AppTest): failed {w}")
    print(f"\nbrowser {b['url']} (feature map {b['feature_map_shape_at_stride_1']};"
          f" first visit drawn after {b['first_visit_feature_map_drawn_s']} s):")
    for name, change in b["changes"].items():
        net, js = change["server_net_frames"], change["server_js_clock"]
        print(f"  {name:22s} median {change['total']['median_s']:.3f} s; server "
              f"{net['median_s'] if net else float('nan'):.3f} s (frames) / "
              f"{js['median_s'] if js else float('nan'):.3f} s (page clock), "
              f"server CPU {change['server_cpu_s']['median_s']:.3f} s; "
              f"{change['bytes_received_median']} B received; "
              f"runs {change['total']['runs_s']}")
    t = results["tensorflow_imported_serving_convolution"]
    print(f"\ntensorflow loaded serving /convolution: {t['after_first_visit']} "
          f"(after reruns: {t['after_reruns']}; in-process import: "
          f"{t['in_process_after_importing_page_modules']})")


if __name__ == "__main__":
    sys.exit(main())
