"""Run every benchmark and write ``bench/results/REPORT.md`` (not a test).

Runs the scripts in ``bench/`` one after another (each with its own defaults,
each bounded by ``--timeout``), then reads their JSON results — every script
writes its own shape, so a small extractor per bench picks the measures: the
median, the target, and the ratio to the target — and writes one Markdown
report: the machine (cores, RAM, Python, platform, date, load) and one table
per bench. A ratio that misses its target is flagged ⚠ (for a "≤" target a
ratio above 1, for a "≥" target a ratio below 1).

Usage::

    .venv/bin/python bench/report.py                      # run all, then report
    .venv/bin/python bench/report.py --only load,startup  # run only these
    .venv/bin/python bench/report.py --from-results       # report from the JSON

``nginx_tour`` runs only if an ``nginx`` binary is on the PATH. A bench that
fails or times out keeps its previous JSON (the report says which and when).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
REPORT = RESULTS / "REPORT.md"

# A row: (measure, value, unit, target, direction) — direction "≤" or "≥";
# target None when the bench reports a figure without a target.
Row = tuple[str, Any, str, Any, str]


def get(data: Any, path: str) -> Any:
    """``data["a"]["b"][0]`` for ``"a.b.0"``; None when any step is missing."""
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _startup(d: dict) -> list[Row]:
    return [
        ("cold start → home page ready", get(d, "cold_start.median_s"), "s", None, "≤"),
        ("cold start → /_stcore/health ok", get(d, "cold_start.healthy_median_s"), "s",
         None, "≤"),
        ("activations: x max changed → chart (browser)",
         get(d, "rerun_activations.x_max_enter.median_s"), "s", None, "≤"),
        ("activations rerun ÷ minimal app rerun",
         get(d, "rerun_activations.ratio_page_to_baseline"), "×", None, "≤"),
    ]


def _convolution(d: dict) -> list[Row]:
    target = get(d, "server_side_in_process.target_ms") or 200.0
    rows = [
        ("stride change (fragment), server side",
         get(d, "server_side_in_process.stride_change_median_ms"), "ms", target, "≤"),
        ("all sections, server side",
         get(d, "server_side_in_process.all_sections_median_ms"), "ms", target, "≤"),
        ("whole page script (AppTest)",
         get(d, "whole_page_script_in_process.median_ms"), "ms", None, "≤"),
    ]
    for name, change in (get(d, "browser_rerun.changes") or {}).items():
        rows.append((f"browser: {name.replace('_', ' ')}",
                     get(change, "total.median_s"), "s", None, "≤"))
    return rows


def _architecture(d: dict) -> list[Row]:
    return [
        ("summarize VGG16 (core)", get(d, "core_ms.summarize_vgg16"), "ms",
         get(d, "targets.summarize_vgg16_ms"), "≤"),
        ("page rerun: one layer", get(d, "page.rerun_one_layer_ms"), "ms",
         get(d, "targets.page_rerun_ms"), "≤"),
        ("page rerun: preset switch", get(d, "page.rerun_preset_switch_ms"), "ms",
         get(d, "targets.page_rerun_ms"), "≤"),
    ]


def _training(d: dict) -> list[Row]:
    robust = "throughput.robust.ratio_live_over_plain"
    return [
        ("throughput live ÷ plain fit (robust)", get(d, robust), "×",
         get(d, "throughput.target_ratio"), "≥"),
        ("throughput live ÷ plain fit (wall)",
         get(d, "throughput.ratio_live_over_plain"), "×",
         get(d, "throughput.target_ratio"), "≥"),
        ("MLP: time to test accuracy", get(d, "time_to_accuracy.mlp.wall_seconds"), "s",
         get(d, "time_to_accuracy.targets.wall_seconds"), "≤"),
        ("MLP: test accuracy", get(d, "time_to_accuracy.mlp.test_accuracy"), "",
         get(d, "time_to_accuracy.targets.test_accuracy"), "≥"),
        ("CNN: time to test accuracy", get(d, "time_to_accuracy.cnn.wall_seconds"), "s",
         get(d, "time_to_accuracy.targets.wall_seconds"), "≤"),
        ("CNN: test accuracy", get(d, "time_to_accuracy.cnn.test_accuracy"), "",
         get(d, "time_to_accuracy.targets.test_accuracy"), "≥"),
        ("import Keras + TensorFlow", get(d, "import_keras_tensorflow_seconds"), "s",
         None, "≤"),
    ]


def _denoising(d: dict) -> list[Row]:
    return [
        ("stroke → restored picture", get(d, "draw_to_restored.stroke_median_ms"), "ms",
         get(d, "draw_to_restored.stroke_target_ms"), "≤"),
        ("first-use training", get(d, "first_use_training.train_median_s"), "s",
         get(d, "first_use_training.target_s"), "≤"),
        ("first-use training incl. Keras import",
         get(d, "first_use_training.train_with_import_median_s"), "s",
         get(d, "first_use_training.target_s"), "≤"),
    ]


def _classify(d: dict) -> list[Row]:
    rows = [(f"upload → prediction: {name.replace('_', ' ')}",
             get(item, "median_ms"), "ms", get(d, "target_ms"), "≤")
            for name, item in (get(d, "upload_to_prediction") or {}).items()]
    rows += [("occlusion map", get(d, "occlusion_median_ms"), "ms", None, "≤"),
             ("digit model training", get(d, "digit_model.training_s"), "s", None, "≤"),
             ("digit model test accuracy", get(d, "digit_model.test_accuracy"), "",
              None, "≥")]
    return rows


def _playground(d: dict) -> list[Row]:
    return [
        ("visible updates in the browser", get(d, "browser.visible_updates_per_s"),
         "/s", get(d, "target_updates_per_s"), "≥"),
        ("server frame (paced)", get(d, "server_paced.frame_ms_median"), "ms",
         None, "≤"),
        ("training steps (paced)", get(d, "server_paced.steps_per_s"), "/s",
         None, "≥"),
    ]


def _optimizers(d: dict) -> list[Row]:
    return [
        ("first view (AppTest)", get(d, "first_view.page_s_median"), "s",
         get(d, "first_view.target_s"), "≤"),
        ("Keras race speed", get(d, "keras_race.keras_steps_per_s"), "steps/s",
         get(d, "keras_race.target_keras_steps_per_s"), "≥"),
    ]


def _overfitting(d: dict) -> list[Row]:
    return [
        ("first view", get(d, "first_view.median_ms"), "ms",
         get(d, "targets.first_view_ms"), "≤"),
        ("live frame", get(d, "live_frame.median_ms"), "ms",
         get(d, "targets.live_frame_ms"), "≤"),
        ("training speed (page)", get(d, "training.page_epochs_per_s_median"),
         "epochs/s", get(d, "targets.epochs_per_s"), "≥"),
    ]


def _recurrent(d: dict) -> list[Row]:
    return [
        ("first view", get(d, "first_view.median_s"), "s",
         get(d, "target_first_view_s"), "≤"),
        ("training (3 models)", get(d, "training.median_s"), "s",
         get(d, "target_training_s"), "≤"),
    ]


def _load(d: dict) -> list[Row]:
    server = d.get("server") or {}
    return [
        ("errors (client, page exceptions, failed runs, server tracebacks)",
         d.get("errors"), "", 0, "≤"),
        ("refusals (st.error messages for impossible settings)",
         d.get("refusals"), "", None, "≤"),
        ("sessions that got their results", d.get("sessions_with_results"), "",
         d.get("sessions"), "≥"),
        ("NumPy lesson rerun under load, median", get(d, "numpy_rerun.median_s"), "s",
         None, "≤"),
        ("NumPy lesson rerun under load, p95", get(d, "numpy_rerun.p95_s"), "s",
         d.get("target_numpy_rerun_p95_s"), "≤"),
        ("NumPy lesson first view under load, median",
         get(d, "numpy_first_view.median_s"), "s", None, "≤"),
        ("drawing on the canvas → page uses it, median",
         get(d, "drawing_to_result.median_s"), "s", None, "≤"),
        ("upload → page shows it, median", get(d, "upload_to_result.median_s"), "s",
         None, "≤"),
        ("training: Train → finished, median",
         get(d, "training_press_to_finished.median_s"), "s", None, "≤"),
        ("server RSS before → max during → after",
         _arrow(get(server, "before.rss_mb"), get(server, "during.rss_mb_max"),
                get(server, "after.rss_mb")), "MB", None, "≤"),
        ("server threads before → max during → after",
         _arrow(get(server, "before.threads"), get(server, "during.threads_max"),
                get(server, "after.threads")), "", None, "≤"),
        ("CPU time taken by other guests (steal) during the run",
         get(d, "machine.cpu_steal_share"), "", None, "≤"),
    ]


def _nginx_tour(d: dict) -> list[Row]:
    if "error" in d:
        return [("error", d["error"], "", None, "≤")]
    return [
        ("page ready via nginx ÷ direct", get(d, "timing_activations.ready."
                                               "ratio_nginx_to_direct"), "×",
         get(d, "target_ratio_max"), "≤"),
        ("rerun via nginx ÷ direct", get(d, "timing_activations.rerun."
                                          "ratio_nginx_to_direct"), "×",
         get(d, "target_ratio_max"), "≤"),
        ("page ready via nginx", get(d, "timing_activations.ready.nginx_median_s"),
         "s", None, "≤"),
        ("page ready direct", get(d, "timing_activations.ready.direct_median_s"),
         "s", None, "≤"),
        ("sticky: whole tour on one replica",
         get(d, "stickiness_tour_and_timing.one_replica"), "", None, "≤"),
        ("websockets upgraded (101) / opened",
         _arrow(get(d, "stickiness_tour.websockets_upgraded_101"),
                get(d, "stickiness_tour.websockets")).replace(" → ", " / ")
         if get(d, "stickiness_tour.websockets") is not None else None, "", None, "≤"),
        ("failover to the other replica", get(d, "failover.moved_to_other_replica"),
         "", None, "≤"),
        ("processes left over", d.get("processes_left_over"), "", 0, "≤"),
    ]


def _arrow(*values: Any) -> str | None:
    if any(v is None for v in values):
        return None
    return " → ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


# name → (extractor, extra command-line arguments, time limit in seconds)
BENCHES: dict[str, tuple[Callable[[dict], list[Row]], list[str], int]] = {
    "startup": (_startup, [], 900),
    "convolution": (_convolution, [], 900),
    "architecture": (_architecture, [], 900),
    "training": (_training, [], 1200),
    "denoising": (_denoising, [], 900),
    "classify": (_classify, [], 900),
    "playground": (_playground, [], 600),
    "optimizers": (_optimizers, [], 600),
    "overfitting": (_overfitting, [], 600),
    "recurrent": (_recurrent, [], 900),
    "load": (_load, [], 600),
    "load_2replicas": (_load, ["--replicas", "2"], 900),
    "nginx_tour": (_nginx_tour, [], 600),
}
# Benches that are another run of a script (results in bench/results/<name>.json).
SCRIPTS = {"load_2replicas": "load"}


def run_bench(name: str, extra: list[str], limit: int) -> dict[str, Any]:
    """Run ``bench/<name>.py``; how it went (seconds, exit code or timeout)."""
    script = REPO / "bench" / f"{SCRIPTS.get(name, name)}.py"
    if not script.exists():
        return {"status": "no script"}
    if name == "nginx_tour" and shutil.which("nginx") is None:
        return {"status": "skipped: no nginx binary"}
    started = time.perf_counter()
    print(f"--- {name}", flush=True)
    try:
        done = subprocess.run([sys.executable, str(script), *extra], cwd=REPO,
                              timeout=limit, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        status = "ok" if done.returncode == 0 else f"exit code {done.returncode}"
        tail = done.stderr.strip().splitlines()[-3:] if done.returncode else []
    except subprocess.TimeoutExpired:
        status, tail = f"timed out after {limit} s", []
    seconds = round(time.perf_counter() - started, 1)
    print(f"    {status} in {seconds} s", flush=True)
    return {"status": status, "seconds": seconds, "stderr_tail": tail}


def machine() -> dict[str, Any]:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "ram_gb": memory,
            "python": platform.python_version(), "platform": platform.platform(),
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load": [round(x, 2) for x in os.getloadavg()]}


def _format(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio_cell(value: Any, target: Any, direction: str) -> str:
    """The ratio to the target, flagged ⚠ when it misses."""
    if not isinstance(value, int | float) or isinstance(value, bool) \
            or not isinstance(target, int | float):
        return "–"
    if target == 0:
        return "✓" if value <= 0 else "⚠ missed"
    ratio = value / target
    missed = ratio > 1 if direction == "≤" else ratio < 1
    return f"⚠ {ratio:.2f}" if missed else f"{ratio:.2f}"


# Where the benches keep the load average they saw (the first one found is shown).
LOAD_KEYS = ("machine.load_average_at_start", "machine.load_average", "load_average",
             "load_average_at_end", "machine.load_average_at_end")


def bench_date(data: dict) -> str | None:
    """When the bench says it ran (its own "date"), not the file's time: a fresh
    clone gives every file the time of the checkout.

    >>> bench_date({"date": "2026-11-23T00:37:44+00:00"})
    '2026-11-23 00:37 UTC'
    >>> bench_date({"machine": {"date": "2026-11-22"}}), bench_date({})
    ('2026-11-22', None)
    """
    raw = data.get("date") or get(data, "machine.date")
    if not isinstance(raw, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if len(raw) <= 10:
        return raw
    return f"{stamp:%Y-%m-%d %H:%M}" + (" UTC" if stamp.tzinfo else "")


def bench_section(name: str, runs: dict[str, dict]) -> tuple[list[str], int]:
    """The Markdown of one bench; and how many ratios missed their target."""
    extractor = BENCHES[name][0]
    path = RESULTS / f"{name}.json"
    lines = [f"## {name}", ""]
    run = runs.get(name)
    if run is not None:
        lines.append(f"Run now: {run['status']}"
                     + (f" in {run['seconds']} s" if "seconds" in run else "") + ".")
        lines.extend(f"    {line}" for line in run.get("stderr_tail", []))
        lines.append("")
    if not path.exists():
        return lines + ["No results yet (`bench/results/" + name + ".json` missing).",
                        ""], 0
    try:
        data = json.loads(path.read_text("utf-8"))
        rows = extractor(data)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        return lines + [f"Could not read `{path.name}`: {error}", ""], 0
    written = bench_date(data) or dt.datetime.fromtimestamp(
        path.stat().st_mtime, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = next((get(data, key) for key in LOAD_KEYS if get(data, key) is not None),
                None)
    if isinstance(load, list):
        load = ", ".join(f"{x:.2f}" for x in load if isinstance(x, int | float))
    elif isinstance(load, int | float):
        load = f"{load:.2f}"
    load_text = f", load average then {load}" if load is not None else ""
    lines += [f"From `bench/results/{path.name}`, written {written}{load_text}.", "",
              "| measure | median | target | ratio |", "|---|---|---|---|"]
    missed = 0
    for measure, value, unit, target, direction in rows:
        cell = ratio_cell(value, target, direction)
        missed += cell.startswith("⚠")
        shown = _format(value) + (f" {unit}" if unit and value is not None else "")
        aim = "–" if target is None else f"{direction} {_format(target)} {unit}".strip()
        lines.append(f"| {measure} | {shown} | {aim} | {cell} |")
    return lines + [""], missed


def write_report(runs: dict[str, dict], names: list[str]) -> Path:
    info = machine()
    sections, missed_total = [], 0
    for name in names:
        lines, missed = bench_section(name, runs)
        sections += lines
        missed_total += missed
    head = [
        "# Neural Playground — benchmark report", "",
        "Written by `bench/report.py`. Medians unless a row says otherwise; ratio = "
        "median ÷ target; ⚠ marks a ratio that misses its target (above 1 for a "
        "“≤” target, below 1 for a “≥” target). Timings on a shared 2-core machine "
        "are noisy: read them with the load average.", "",
        "## Machine", "",
        f"- cores: {info['cores']}, RAM: {_format(info['ram_gb'])} GB",
        f"- Python {info['python']} on {info['platform']}",
        f"- report written {info['date']}, load average {info['load']}",
    ]
    if runs:
        total = sum(r.get("seconds", 0) for r in runs.values())
        head.append(f"- benches run now: {', '.join(runs)} — {total:.0f} s in all")
    else:
        head.append("- built from the existing results (`--from-results`)")
    head += [f"- targets missed: {missed_total}", ""]
    REPORT.write_text("\n".join(head + sections), "utf-8")
    return REPORT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="",
                        help="comma-separated benches, e.g. load,startup")
    parser.add_argument("--from-results", action="store_true",
                        help="do not run anything; rebuild the report from the JSON")
    parser.add_argument("--timeout", type=int, default=0,
                        help="time limit per bench in s (default: each bench's own)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown bench(es): {', '.join(unknown)}; "
                     f"known: {', '.join(BENCHES)}")
    runs: dict[str, dict] = {}
    if not args.from_results:
        for name in names:
            _, extra, limit = BENCHES[name]
            runs[name] = run_bench(name, extra, args.timeout or limit)
    path = write_report(runs, list(BENCHES))  # the others from their JSON
    print(f"wrote {path.relative_to(REPO)}")
    return 0 if all(r["status"] in ("ok", "no script") or r["status"].startswith(
        "skipped") for r in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
