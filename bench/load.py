"""A class at once: 30 concurrent sessions against one app server (not a test).

Target (issue 10), measured and reported, never asserted: 30 students on one
small server — 0 errors, every session gets its results, and the NumPy lessons
rerun in ≤ 1 s at the 95th percentile while the others train and upload.

The client is ``bench/st_client.py``, a websocket client speaking Streamlit's
own protocol (BackMsg / ForwardMsg protobufs), not Chromium: 30 browser pages on
2 cores would measure the browser. The server does all the work a browser
session causes (script runs, fragments, uploads, trainings); the client only
skips drawing. One ``streamlit run app.py`` server, default configuration
(Keras warms in the background as in class), then, started over ``--ramp`` s:

* half **browse** NumPy lessons (activations, convolution, architecture,
  perceptron, optimizers): open a lesson, change a checkbox / slider / number
  input ``--changes`` times (a fragment rerun when the widget lives in a
  fragment, as the browser does), with a think time between changes; then the
  next lesson;
* a quarter **train**: the smallest network with ``--epochs`` epochs — press
  Train, then follow the live fragment's timer (``run_every``) until the page
  says "Finished all … epochs" (its numbers arrived);
* a quarter **draw and upload**: in one tab each draws a stroke on the
  convolution lesson's canvas (the canvas' state, a PNG data URL, sent as the
  browser sends it) and the page must say it shows "your drawing"; in a second
  tab "upload a picture", a different small PNG each, and the page must name
  it; then a few setting changes on it.

Counted as errors: client exceptions (connection, timeout), exceptions shown in
page deltas, runs that did not finish successfully, and tracebacks in the server
log. ``st.error`` alerts are counted apart as *refusals*: random changes can ask
for the impossible (a 3×3 window on a 2×2 input), and a clear message is the
right answer to that; they are listed so a reader can check each one. Server RSS
and thread count come from
``/proc/<pid>/status``: before (idle, after one visit), during (sampled every
0.5 s), and after (``--settle`` s after every session closed).

With ``--replicas n`` the same class is spread over n app processes on this
machine, as behind ``deploy/nginx.conf``: each process has its own interpreter
lock, so n processes can run n page scripts at the same moment.

Writes ``bench/results/load.json`` (``load_<n>replicas.json``) and prints a
summary.

Usage: ``.venv/bin/python bench/load.py [--sessions 30] [--port 8712] [--replicas 2]``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import io
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make bench importable
    sys.path.insert(0, str(REPO))

from bench.st_client import GOOD_ENDS, StreamlitSession  # noqa: E402

RESULTS = REPO / "bench" / "results" / "load.json"
TARGET_P95_S = 1.0
NUMPY_LESSONS = ("activations", "convolution", "architecture", "perceptron",
                 "optimizers")
SKIP_WIDGETS = ("_lang_widget", "_presentation_widget", "teacher")
FINISHED = "Finished all"


# --- server and resources ------------------------------------------------------


class Server:
    """One ``streamlit run app.py`` on 127.0.0.1, its log in a temp folder."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(tempfile.mkdtemp(prefix="bench_load_")) / "server.log"
        command = [sys.executable, "-m", "streamlit", "run", "app.py",
                   "--server.headless", "true", "--server.port", str(port),
                   "--server.address", "127.0.0.1",
                   "--server.fileWatcherType", "none",
                   "--browser.gatherUsageStats", "false",
                   "--global.developmentMode", "false"]
        env = dict(os.environ)
        env.pop("PLAYGROUND_WARM_KERAS", None)  # the app's default: warm Keras
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(command, cwd=REPO, env=env,
                                            stdout=log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health",
                                            timeout=2) as reply:
                    if reply.read().decode().strip() == "ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not healthy after {timeout:.0f} s")

    def thread_names(self) -> dict[str, int]:
        """How many of the server's threads carry each name (/proc/<pid>/task)."""
        names: dict[str, int] = {}
        for comm in Path(f"/proc/{self.process.pid}/task").glob("*/comm"):
            try:
                name = comm.read_text().strip()
            except OSError:
                continue
            names[name] = names.get(name, 0) + 1
        return dict(sorted(names.items()))

    def status(self) -> dict[str, float]:
        """RSS (MB) and thread count from /proc."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "Threads"):
                fields[name] = int(value.split()[0])
        return {"rss_mb": round(fields["VmRSS"] / 1024, 1),
                "threads": fields["Threads"]}

    def tracebacks(self) -> list[str]:
        lines = self.log_path.read_text("utf-8", "replace").splitlines()
        return [lines[i + 1] if i + 1 < len(lines) else line
                for i, line in enumerate(lines) if line.startswith("Traceback")]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


class Replicas:
    """``--replicas`` servers on consecutive ports, seen as one: RSS and threads
    summed, thread names merged, tracebacks from every log. Session i uses
    replica i mod n — what a sticky balancer (``deploy/nginx.conf``'s ip_hash)
    does for students on different addresses; nginx's own cost is measured by
    ``bench/nginx_tour.py``."""

    def __init__(self, port: int, count: int) -> None:
        self.members = [Server(port + i) for i in range(count)]

    def url_for(self, index: int) -> str:
        return self.members[index % len(self.members)].url

    def wait_healthy(self) -> None:
        for server in self.members:
            server.wait_healthy()

    def status(self) -> dict[str, float]:
        parts = [server.status() for server in self.members]
        return {"rss_mb": round(sum(p["rss_mb"] for p in parts), 1),
                "threads": sum(p["threads"] for p in parts)}

    def thread_names(self) -> dict[str, int]:
        names: dict[str, int] = {}
        for server in self.members:
            for name, count in server.thread_names().items():
                names[name] = names.get(name, 0) + count
        return dict(sorted(names.items()))

    def tracebacks(self) -> list[str]:
        return [line for server in self.members for line in server.tracebacks()]

    def stop(self) -> None:
        for server in self.members:
            server.stop()


class Sampler(threading.Thread):
    """Samples the server's RSS and threads every ``period`` s while running."""

    def __init__(self, server: Server | Replicas, period: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.server, self.period = server, period
        self.samples: list[dict[str, float]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.samples.append(self.server.status())
            except (OSError, KeyError):
                return
            self.halt.wait(self.period)


# --- what the students do --------------------------------------------------------


def tweak(session: StreamlitSession, rng: random.Random):
    """A change a student might make: (widget state, fragment id) or None."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    choices = [w for wid, w in session.widgets.items()
               if w.kind in ("checkbox", "slider", "number_input")
               and not w.proto.disabled and not any(s in wid for s in SKIP_WIDGETS)
               and not (w.kind == "slider" and (len(w.proto.default) != 1
                                              or len(w.proto.options)))]
    if not choices:
        return None
    widget = rng.choice(choices)
    proto, state = widget.proto, WidgetState(id=widget.proto.id)
    previous = session.states.get(proto.id)
    if widget.kind == "checkbox":
        current = previous.bool_value if previous else (
            proto.value if proto.set_value else proto.default)
        state.bool_value = not current
    elif widget.kind == "slider":
        values = (list(previous.double_array_value.data) if previous else
                  list(proto.value) if proto.set_value else []) or list(proto.default)
        current = values[0] if values else proto.min
        step = proto.step or 1
        value = current + rng.choice((-step, step))
        if not proto.min <= value <= proto.max:
            value = current - (value - current)
        state.double_array_value.data.append(value)
    else:
        current = previous.double_value if previous else (
            proto.value if proto.set_value else proto.default)
        step = proto.step or 1
        value = current + rng.choice((-step, step))
        if (proto.has_min and value < proto.min) or \
                (proto.has_max and value > proto.max):
            value = current - (value - current)
        state.double_value = value
    return state, widget.fragment_id


class Student:
    """One session's story: what it did, how long each run took, what went wrong."""

    def __init__(self, index: int, role: str, url: str, timeout: float) -> None:
        self.index, self.role = index, role
        self.session = StreamlitSession(url, timeout=timeout)
        self.rng = random.Random(index)
        self.first_views: list[float] = []
        self.reruns: list[float] = []
        self.rerun_pages: list[str] = []  # the lesson of each rerun
        self.fragment_polls: list[float] = []
        self.errors: list[str] = []
        self.refusals: list[str] = []
        self.got_results = False
        self.detail: dict[str, Any] = {}

    def check(self, run, what: str) -> None:
        for text in run.exceptions:
            self.errors.append(f"{what}: exception shown: {text[:200]}")
        for text in run.error_alerts:
            self.refusals.append(f"{what}: {text[:200]}")
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if ForwardMsg.ScriptFinishedStatus.Value(run.status) not in GOOD_ENDS:
            self.errors.append(f"{what}: run ended {run.status}")

    async def think(self, think: float) -> None:
        await asyncio.sleep(self.rng.uniform(0.5 * think, 1.5 * think))

    async def change_settings(self, count: int, think: float) -> None:
        for _ in range(count):
            await self.think(think)
            change = tweak(self.session, self.rng)
            if change is None:
                self.errors.append(f"{self.session.page}: nothing to change")
                return
            state, fragment_id = change
            run = await self.session.run(changed=[state], fragment_id=fragment_id)
            self.check(run, f"{self.session.page} change")
            self.reruns.append(run.seconds)
            self.rerun_pages.append(self.session.page)

    async def browse(self, lessons: int, changes: int, think: float) -> None:
        done = 0
        for step in range(lessons):
            page = NUMPY_LESSONS[(self.index + step) % len(NUMPY_LESSONS)]
            run = await self.session.run(page=page, query="lang=en")
            self.check(run, f"{page} open")
            self.first_views.append(run.seconds)
            await self.change_settings(changes, think)
            done += 1
        self.got_results = done == lessons and bool(self.reruns)
        self.detail["lessons"] = done

    async def train(self, epochs: int, think: float, limit: float) -> None:
        run = await self.session.run(page="smallest_network",
                                     query=f"lang=en&epochs={epochs}")
        self.check(run, "smallest open")
        self.first_views.append(run.seconds)
        await self.think(think)
        button = self.session.find("button", key="smallest_train")
        if button is None or button.proto.disabled:
            self.errors.append("smallest: no enabled Train button")
            return
        started = time.perf_counter()
        run = await self.session.run(changed=[self.session.click(button)])
        self.check(run, "smallest train")

        def finished(run) -> bool:
            self.check(run, "smallest live")
            self.fragment_polls.append(run.seconds)
            texts = [t for t in run.texts() if t.startswith(FINISHED)]
            if texts:
                self.detail["finished"] = texts[0]
            return bool(texts)

        deadline = started + limit
        while not self.got_results and time.perf_counter() < deadline:
            if self.session.auto_reruns:  # the live view's timer, as in a browser
                self.got_results = await self.session.follow_fragments(
                    finished, deadline - time.perf_counter())
            else:  # not (yet) live, e.g. queued or Keras still loading: look again
                await asyncio.sleep(1.0)
                self.got_results = finished(await self.session.run())
        self.detail["train_seconds"] = round(time.perf_counter() - started, 2)
        if not self.got_results:
            self.errors.append(f"smallest: no 'Finished' within {limit:.0f} s")

    async def draw(self, think: float) -> bool:
        """In a second tab (its own session), draw a stroke on the convolution
        lesson's canvas; True if the page then works on the drawing."""
        tab = StreamlitSession(self.session.base_url, timeout=self.session.timeout)
        try:
            await tab.connect()
            return await self._draw_in(tab, think)
        finally:
            await tab.close()

    async def _draw_in(self, tab: StreamlitSession, think: float) -> bool:
        import numpy as np
        from PIL import Image
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        run = await tab.run(page="convolution", query="lang=en&image=draw&size=64")
        self.check(run, "convolution (draw) open")
        self.first_views.append(run.seconds)
        await self.think(think)
        canvas = tab.find("bidi_component", key="conv_canvas")
        if canvas is None:
            self.errors.append("convolution: no drawing canvas")
            return False
        ink = np.full((280, 280, 4), 255, np.uint8)
        row = 60 + self.rng.randrange(160)
        ink[row:row + 20, 40:240, :3] = 0  # one thick horizontal stroke
        buffer = io.BytesIO()
        Image.fromarray(ink, "RGBA").save(buffer, "PNG")
        data_url = "data:image/png;base64," + base64.b64encode(
            buffer.getvalue()).decode()
        drawing = {"raw": {"version": "5.3.0", "objects": [{"type": "path"}]},
                   "data": data_url}
        state = WidgetState(id=canvas.proto.id,
                            json_value=json.dumps({"drawing": drawing}))
        started = time.perf_counter()
        run = await tab.run(changed=[state])
        self.detail["draw_to_result_s"] = round(time.perf_counter() - started, 3)
        self.check(run, "convolution drawing")
        if not any(text.startswith("Picture: your drawing") for text in run.texts()):
            self.errors.append("convolution: the page did not use the drawing")
            return False
        return True

    async def upload(self, changes: int, think: float) -> None:
        import numpy as np
        from PIL import Image

        if not await self.draw(think):
            return
        run = await self.session.run(page="convolution",
                                     query="lang=en&image=upload&size=64")
        self.check(run, "convolution open")
        self.first_views.append(run.seconds)
        await self.think(think)
        uploader = self.session.find("file_uploader")
        if uploader is None:
            self.errors.append("convolution: no file uploader")
            return
        pixels = np.random.default_rng(self.index).integers(0, 256, (80, 80, 3))
        buffer = io.BytesIO()
        Image.fromarray(pixels.astype(np.uint8)).save(buffer, "PNG")
        name = f"student_{self.index}.png"
        started = time.perf_counter()
        state = await self.session.upload(uploader, name, buffer.getvalue())
        run = await self.session.run(changed=[state])
        self.detail["upload_to_result_s"] = round(time.perf_counter() - started, 3)
        self.check(run, "convolution upload")
        self.got_results = any(name in text for text in run.texts())
        if not self.got_results:
            self.errors.append("convolution: the page did not show the upload")
        await self.change_settings(changes, think)

    async def play(self, args) -> None:
        try:
            await self.session.connect()
            if self.role == "browse":
                await self.browse(args.lessons, args.changes, args.think)
            elif self.role == "train":
                await self.train(args.epochs, args.think, args.train_limit)
            else:
                await self.upload(max(2, args.changes // 2), args.think)
        except Exception as error:  # noqa: BLE001 - every failure is a result
            self.errors.append(f"{type(error).__name__}: {error}"[:300])
        finally:
            await self.session.close()

    def summary(self) -> dict[str, Any]:
        return {"index": self.index, "role": self.role,
                "got_results": self.got_results, "errors": self.errors,
                "refusals": self.refusals,
                "runs": len(self.session.runs), "messages": self.session.messages,
                "first_view_s": [round(x, 3) for x in self.first_views],
                **self.detail}


# --- the bench ------------------------------------------------------------------


def stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {"count": len(values),
            "median_s": round(statistics.median(ordered), 3),
            "p95_s": round(ordered[min(len(ordered) - 1,
                                       int(round(0.95 * (len(ordered) - 1))))], 3),
            "max_s": round(ordered[-1], 3)}


def roles(count: int) -> list[str]:
    """Half browse, a quarter train, a quarter upload — interleaved."""
    trainers = count // 4
    uploaders = count // 4
    browsers = count - trainers - uploaders
    pool = ["browse"] * browsers + ["train"] * trainers + ["upload"] * uploaders
    random.Random(0).shuffle(pool)
    return pool


async def classroom(args, servers: Replicas) -> tuple[list[Student], float]:
    students = [Student(i, role, servers.url_for(i), args.timeout)
                for i, role in enumerate(roles(args.sessions))]

    async def join(student: Student) -> None:
        await asyncio.sleep(args.ramp * student.index / max(1, args.sessions - 1))
        await student.play(args)

    started = time.perf_counter()
    tasks = [asyncio.ensure_future(join(s)) for s in students]
    done, pending = await asyncio.wait(tasks, timeout=args.limit)
    for task in pending:
        task.cancel()
    for student, task in zip(students, tasks, strict=True):
        if task in pending:
            student.errors.append(f"still running after the {args.limit:.0f} s limit")
            await student.session.close()
    return students, time.perf_counter() - started


def _settled(server: Server, quiet: float = 3.0, limit: float = 60.0) -> None:
    """Wait until RSS and threads stop changing for ``quiet`` s (the import ends)."""
    started = last_change = time.perf_counter()
    last = server.status()
    while time.perf_counter() - started < limit:
        time.sleep(0.5)
        now = server.status()
        if abs(now["rss_mb"] - last["rss_mb"]) > 2 or now["threads"] != last["threads"]:
            last, last_change = now, time.perf_counter()
        elif time.perf_counter() - last_change >= quiet:
            break



def warm_visit(server: Server, limit: float = 90.0) -> float | None:
    """The teacher opens the home page and the smallest network before class.

    A training page starts warming Keras in the background; wait until
    TensorFlow is mapped so that "before" and "after" compare a warm server
    (TensorFlow keeps its own thread pools for the life of the process).
    Returns the seconds waited for TensorFlow (None if it never appeared).
    """
    async def visit() -> None:
        session = StreamlitSession(server.url)
        await session.connect()
        await session.run(page="", query="lang=en")
        await session.run(page="smallest_network", query="lang=en&epochs=20")
        await session.close()

    async def demo() -> None:  # one tiny training: TensorFlow's pools exist
        teacher = Student(-1, "train", server.url, limit)
        await teacher.session.connect()
        await teacher.train(20, 0.1, limit)
        await teacher.session.close()

    started = time.perf_counter()
    asyncio.run(visit())
    maps = Path(f"/proc/{server.process.pid}/maps")
    while time.perf_counter() - started < limit:
        if "_pywrap_tensorflow" in maps.read_text():
            _settled(server)
            asyncio.run(demo())
            _settled(server)
            return round(time.perf_counter() - started, 1)
        time.sleep(0.5)
    return None


def cpu_times() -> list[int]:
    """The machine's CPU time counters (/proc/stat's first line; [] elsewhere)."""
    try:
        first = Path("/proc/stat").read_text().split("\n")[0]
        return [int(x) for x in first.split()[1:]]
    except (OSError, ValueError):
        return []


def steal_share(before: list[int], after: list[int]) -> float | None:
    """The share of the machine's CPU time that the hypervisor gave to other
    guests meanwhile ("steal"): a noisy neighbour, which the figures include."""
    if len(before) < 8 or len(after) < 8:
        return None
    total = sum(after[:8]) - sum(before[:8])
    return round((after[7] - before[7]) / total, 3) if total > 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--port", type=int, default=8712)
    parser.add_argument("--ramp", type=float, default=5.0,
                        help="seconds over which the sessions join")
    parser.add_argument("--lessons", type=int, default=2,
                        help="NumPy lessons each browsing session opens")
    parser.add_argument("--changes", type=int, default=6,
                        help="setting changes per lesson")
    parser.add_argument("--think", type=float, default=3.0,
                        help="mean think time between actions (s)")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--train-limit", type=float, default=150.0)
    parser.add_argument("--timeout", type=float, default=90.0,
                        help="longest wait for one run (s)")
    parser.add_argument("--limit", type=float, default=240.0,
                        help="hard limit for the whole class (s)")
    parser.add_argument("--classes", type=int, default=1,
                        help="run the class this many times on the same server "
                             "(a leak check: 'after' is sampled after each)")
    parser.add_argument("--settle", type=float, default=20.0,
                        help="seconds after the class before the 'after' sample")
    parser.add_argument("--replicas", type=int, default=1,
                        help="app processes on this machine (ports --port, "
                             "--port+1, …); sessions are spread over them as a "
                             "sticky balancer would; results go to "
                             "load_<n>replicas.json")
    args = parser.parse_args(argv)

    load_before, cpu_before_class = os.getloadavg(), cpu_times()
    server = Replicas(args.port, max(1, args.replicas))
    sampler = None
    try:
        server.wait_healthy()
        cold = server.status()
        warmed_after = max((warm_visit(member) or math.inf)
                           for member in server.members)
        warmed_after = None if math.isinf(warmed_after) else warmed_after
        before = server.status()
        names_before = server.thread_names()
        cpu_before = time.process_time()
        sampler = Sampler(server)
        sampler.start()
        students, elapsed, afters = [], 0.0, []
        for _ in range(args.classes):  # the same class again: do leaks pile up?
            group, seconds = asyncio.run(classroom(args, server))
            students, elapsed = students + group, elapsed + seconds
            names_during = server.thread_names()
            time.sleep(args.settle)
            afters.append(server.status())
        sampler.halt.set()
        sampler.join()
        during = sampler.samples
        client_cpu = time.process_time() - cpu_before
        after = afters[-1]
        names_after = server.thread_names()
        tracebacks = server.tracebacks()
    finally:
        if sampler is not None:
            sampler.halt.set()
        server.stop()

    by_role = {role: [s for s in students if s.role == role]
               for role in ("browse", "train", "upload")}
    browse_reruns = [x for s in by_role["browse"] for x in s.reruns]
    errors = sum(len(s.errors) for s in students) + len(tracebacks)
    p95 = stats(browse_reruns).get("p95_s")
    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average_at_start": [round(x, 2) for x in load_before],
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
                    "cpu_steal_share": steal_share(cpu_before_class, cpu_times())},
        "client": "bench/st_client.py: websocket clients speaking Streamlit's "
                  "protocol (no browser)",
        "config": {k: v for k, v in vars(args).items()},
        "roles": {role: len(group) for role, group in by_role.items()},
        "class_seconds": round(elapsed, 1),
        "client_cpu_seconds": round(client_cpu, 1),
        "errors": errors,
        "refusals": sum(len(s.refusals) for s in students),
        "server_tracebacks": tracebacks[:20],
        "sessions_with_results": sum(s.got_results for s in students),
        "sessions": len(students),
        "every_session_got_results": all(s.got_results for s in students),
        "numpy_rerun": stats(browse_reruns),
        "numpy_rerun_by_lesson": {
            lesson: stats([x for s in by_role["browse"]
                           for x, page in zip(s.reruns, s.rerun_pages, strict=True)
                           if page == lesson]) for lesson in NUMPY_LESSONS},
        "numpy_first_view": stats([x for s in by_role["browse"]
                                   for x in s.first_views]),
        "upload_rerun": stats([x for s in by_role["upload"] for x in s.reruns]),
        "upload_to_result": stats([s.detail["upload_to_result_s"]
                                   for s in by_role["upload"]
                                   if "upload_to_result_s" in s.detail]),
        "drawing_to_result": stats([s.detail["draw_to_result_s"]
                                    for s in by_role["upload"]
                                    if "draw_to_result_s" in s.detail]),
        "training_press_to_finished": stats([s.detail["train_seconds"]
                                             for s in by_role["train"]
                                             if s.got_results]),
        "training_fragment_poll": stats([x for s in by_role["train"]
                                         for x in s.fragment_polls]),
        "target_numpy_rerun_p95_s": TARGET_P95_S,
        "ratio_numpy_rerun_p95_to_target": (round(p95 / TARGET_P95_S, 2)
                                            if p95 is not None else None),
        "server": {
            "what": "cold: just healthy; before: after the teacher's visit and a "
                    "20-epoch demo training (Keras imported, TensorFlow pools up); "
                    "after: settle seconds after every session closed"
                    + ("" if args.replicas <= 1 else
                       f"; RSS and threads summed over {args.replicas} replicas"),
            "replicas": max(1, args.replicas),
            "cold": cold,
            "keras_warm_after_s": warmed_after,
            "before": before,
            "during": {"samples": len(during),
                       "rss_mb_max": max((x["rss_mb"] for x in during), default=None),
                       "rss_mb_median": (statistics.median(x["rss_mb"] for x in during)
                                         if during else None),
                       "threads_max": max((x["threads"] for x in during),
                                          default=None),
                       "threads_median": (statistics.median(x["threads"]
                                                            for x in during)
                                          if during else None)},
            "after": after,
            "after_each_class": afters,
            "after_seconds": args.settle,
            "thread_names": {"before": names_before, "end_of_class": names_during,
                             "after": names_after},
            "threads_back_to_before": after["threads"] <= before["threads"],
            "rss_growth_mb": round(after["rss_mb"] - before["rss_mb"], 1),
        },
        "students": [s.summary() for s in students],
    }
    path = RESULTS if args.replicas <= 1 else \
        RESULTS.with_name(f"load_{args.replicas}replicas.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                       "utf-8")
    print_summary(result)
    return 0 if errors == 0 and result["every_session_got_results"] else 1


def print_summary(result: dict[str, Any]) -> None:
    server = result["server"]
    lines = [
        f"{result['sessions']} sessions {result['roles']} in "
        f"{result['class_seconds']} s (the client used {result['client_cpu_seconds']}"
        " CPU s)",
        f"CPU steal by other guests: {result['machine']['cpu_steal_share']}",
        f"errors: {result['errors']}   refusals (st.error messages): "
        f"{result['refusals']}   sessions with results: "
        f"{result['sessions_with_results']}/{result['sessions']}",
        f"NumPy reruns under load: {result['numpy_rerun']}  (target p95 ≤ "
        f"{result['target_numpy_rerun_p95_s']} s, ratio "
        f"{result['ratio_numpy_rerun_p95_to_target']})",
        "  by lesson (median / p95 s): " + ", ".join(
            f"{lesson} {found.get('median_s')} / {found.get('p95_s')}"
            for lesson, found in result["numpy_rerun_by_lesson"].items()),
        f"NumPy first views: {result['numpy_first_view']}",
        f"drawing → result: {result['drawing_to_result']}",
        f"upload → result: {result['upload_to_result']}",
        f"training press → finished: {result['training_press_to_finished']}",
        f"server cold {server['cold']}, before (Keras warm) {server['before']}, "
        f"during {server['during']}, "
        f"after {server['after_seconds']:.0f} s {server['after']}",
    ]
    for student in result["students"]:
        for error in student["errors"]:
            lines.append(f"  session {student['index']} ({student['role']}): {error}")
        for text in sorted(set(student["refusals"])):
            lines.append(f"  session {student['index']} refused (message shown): "
                         f"{text}")
    for line in result["server_tracebacks"]:
        lines.append(f"  server traceback: {line}")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
