"""Speed of the shape & parameter calculator (not a test).

Targets (issue 4): ``summarize()`` of VGG-16 ≤ 5 ms; a page rerun ≤ 300 ms
without TensorFlow.

Measures, each as the median of ``--repeats`` runs:

1. ``summarize`` of VGG-16 (22 layers) and of the documents' full CNN; reading
   VGG-16's generated code back with ``parse_keras_code``; ``to_keras_code``.
2. The page script through ``streamlit.testing.v1.AppTest`` (server side, all
   elements, no browser): a rerun after changing the one-layer calculator's
   input size (the page's lightest change) and after switching the preset
   between the small CNN and VGG-16 (the heaviest table and charts).
3. Whether TensorFlow was imported by any of that.

Writes ``bench/results/architecture.json``.

Usage: ``.venv/bin/python bench/architecture.py [--repeats 200] [--reruns 15]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("PLAYGROUND_WARM_KERAS", "0")

from core.architecture import summarize  # noqa: E402
from core.keras_build import to_keras_code  # noqa: E402
from core.keras_parser import parse_keras_code  # noqa: E402
from core.presets import PRESETS  # noqa: E402


def median_ms(function, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), times


def core_timings(repeats: int) -> dict:
    vgg, cnn = PRESETS["vgg16"], PRESETS["full_cnn"]
    code = to_keras_code(vgg.input_shape, vgg.layers)
    results = {}
    for name, function in {
        "summarize_vgg16": lambda: summarize(vgg.input_shape, vgg.layers),
        "summarize_full_cnn": lambda: summarize(cnn.input_shape, cnn.layers),
        "parse_vgg16_code": lambda: parse_keras_code(code),
        "to_keras_code_vgg16": lambda: to_keras_code(vgg.input_shape, vgg.layers),
    }.items():
        median, _ = median_ms(function, repeats)
        results[name] = round(median, 3)
    return results


def page_timings(reruns: int) -> dict:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO / "pages/architecture.py"), default_timeout=60)
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception, app.exception
    one_layer, presets = [], []
    for index in range(reruns):
        start = time.perf_counter()
        app.number_input(key="arch_n").set_value(7 + (index % 2)).run()
        one_layer.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        app.selectbox(key="arch_preset").set_value(
            "vgg16" if index % 2 == 0 else "small_cnn").run()
        presets.append((time.perf_counter() - start) * 1000)
        assert not app.exception, app.exception
    return {"rerun_one_layer_ms": round(statistics.median(one_layer), 1),
            "rerun_preset_switch_ms": round(statistics.median(presets), 1),
            "raw_one_layer_ms": [round(t, 1) for t in one_layer],
            "raw_preset_switch_ms": [round(t, 1) for t in presets]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--reruns", type=int, default=15)
    args = parser.parse_args()
    results = {"core_ms": core_timings(args.repeats),
               "page": page_timings(args.reruns),
               "tensorflow_imported": "tensorflow" in sys.modules,
               "machine": {"python": platform.python_version(),
                           "cpus": os.cpu_count(), "platform": platform.platform()},
               "load_average": os.getloadavg()}
    results["targets"] = {
        "summarize_vgg16_ms": 5.0,
        "ratio_summarize_vgg16": round(results["core_ms"]["summarize_vgg16"] / 5.0, 3),
        "page_rerun_ms": 300.0,
        "ratio_page_rerun_heaviest": round(
            results["page"]["rerun_preset_switch_ms"] / 300.0, 3)}
    out = REPO / "bench/results/architecture.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
