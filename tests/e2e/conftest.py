"""Browser tests: the real Streamlit server and the system Chromium.

The recipe is the one in ``TESTING.md``: start ``streamlit run app.py`` on a free
port, poll ``/_stcore/health``, drive Debian's Chromium through pytest-playwright,
and wait on Streamlit's own ``data-test-*`` attributes (never ``networkidle``: the
websocket stays open). Every test here is marked ``e2e``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = REPO_ROOT / "artifacts"
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"
SERVER_LOG = ARTIFACTS_DIR / "e2e_server.log"

VIEWPORT = {"width": 1400, "height": 1000}
TALL_VIEWPORT = {"width": 1400, "height": 2600}
HEALTH_TIMEOUT_S = 60.0
APP_TIMEOUT_MS = 45_000
PLOT_TIMEOUT_MS = 45_000
EXPECT_TIMEOUT_MS = 20_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

APP_CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
SCRIPT_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SCRIPT_STATE = "[data-testid='stApp']"
PLOT_DRAWN = ".js-plotly-plot .main-svg"


def find_chromium() -> str | None:
    """The system Chromium (Playwright cannot download its own offline)."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(port: int) -> list[str]:
    """``streamlit run app.py`` as Streamlit's own e2e suite starts it."""
    return [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
    ]


def wait_for_health(url: str, process: subprocess.Popen, timeout: float) -> float:
    """Poll ``/_stcore/health`` until it answers ``ok``; return seconds waited.

    Raises:
        RuntimeError: the server exited or was not healthy within ``timeout``.
    """
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().decode().strip() == "ok":
                    return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not healthy after {timeout:.0f} s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


# --- pytest wiring -------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an ``e2e`` test."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@contextlib.contextmanager
def running_server(log_path: Path) -> Iterator[str]:
    """Start the real app on a free port; yield its base URL (no trailing slash)."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PLAYGROUND_WARM_KERAS": "0"}
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(server_command(port), cwd=REPO_ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_health(url, process, HEALTH_TIMEOUT_S)
        except RuntimeError as error:
            pytest.fail(f"Streamlit server did not start: {error}\n"
                        f"--- {log_path} ---\n{_log_tail(log_path)}",
                        pytrace=False)
        yield url
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    """The real app, shared by the tests of a session."""
    with running_server(SERVER_LOG) as url:
        yield url


@pytest.fixture
def fresh_server() -> Iterator[str]:
    """A server no session has visited yet (for first-request behaviour)."""
    with running_server(ARTIFACTS_DIR / "e2e_fresh_server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict:
    """Launch the system Chromium; fail loudly (never skip) when it is missing."""
    executable = find_chromium()
    if executable is None:
        pytest.fail("Chromium was not found (looked for /usr/bin/chromium and "
                    "`chromium` on PATH). The browser tests need the system "
                    "Chromium and CJK fonts: run `make test`, which installs them "
                    "(scripts/ensure_chromium.sh).", pytrace=False)
    return {**browser_type_launch_args, "executable_path": executable,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(app_server: str) -> str:
    """``page.goto("/activations")`` goes to the test server."""
    return app_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict:
    """Every page: a 1400×1000 viewport and an English browser locale."""
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "en-US"}


@pytest.fixture(autouse=True)
def _patient_page(page: Page) -> Page:
    """Shared 2-core machines are slow: give actions and assertions time."""
    page.set_default_timeout(APP_TIMEOUT_MS)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return page


# --- helpers for the tests -----------------------------------------------------


def script_state(page: Page) -> str | None:
    return page.locator(SCRIPT_STATE).first.get_attribute("data-test-script-state")


def wait_for_app(page: Page, timeout_ms: int = APP_TIMEOUT_MS,
                 settle_ms: int = 400) -> None:
    """Wait until the app is connected and its script has finished running.

    The script state can read ``notRunning`` for a moment before a (re)run starts,
    so after it does we wait ``settle_ms`` and check again, until it holds.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    page.wait_for_selector(APP_CONNECTED, timeout=timeout_ms)
    while True:
        remaining = max(1, int((deadline - time.monotonic()) * 1000))
        page.wait_for_selector(SCRIPT_IDLE, timeout=remaining)
        page.wait_for_timeout(settle_ms)
        if script_state(page) == "notRunning":
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"script still running after {timeout_ms} ms")


def wait_for_plot(page: Page, timeout_ms: int = PLOT_TIMEOUT_MS) -> None:
    """Wait until the first plotly chart has drawn its SVG."""
    page.locator(PLOT_DRAWN).first.wait_for(state="visible", timeout=timeout_ms)


def screenshot(page: Page, name: str, tall: bool = False) -> Path:
    """Save a viewport screenshot as ``artifacts/screenshots/<name>.png``.

    Streamlit scrolls inside its own container, so ``full_page`` would not show
    more; with ``tall`` a second, 1400×2600 shot ``<name>_tall.png`` is taken too.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path))
    if tall:
        page.set_viewport_size(TALL_VIEWPORT)
        page.wait_for_timeout(600)  # let plotly and the layout follow the resize
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}_tall.png"))
        page.set_viewport_size(VIEWPORT)
        page.wait_for_timeout(300)
    return path


# The first chart's traces as plain arrays. Plotly keeps what Streamlit sent in
# ``gd.data``; NumPy arrays arrive base64-encoded as ``{dtype, bdata}``.
_CHART_DATA_JS = """
() => {
  const gd = document.querySelector('.js-plotly-plot');
  if (!gd || !Array.isArray(gd.data)) return null;
  const types = {f8: Float64Array, f4: Float32Array, i4: Int32Array,
                 u4: Uint32Array, i2: Int16Array, u2: Uint16Array,
                 i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray};
  const plain = (v) => {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.map(Number);
    if (ArrayBuffer.isView(v)) return Array.from(v);
    if (typeof v === 'object' && typeof v.bdata === 'string' && types[v.dtype]) {
      const raw = atob(v.bdata);
      const bytes = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return Array.from(new types[v.dtype](bytes.buffer));
    }
    return [];
  };
  return gd.data.map((t) => ({name: String(t.name ?? ''), x: plain(t.x),
                              y: plain(t.y)}));
}
"""


def chart_data(page: Page) -> list[dict[str, Any]]:
    """The first plotly chart's traces: ``[{name, x: [...], y: [...]}, ...]``."""
    data = page.evaluate(_CHART_DATA_JS)
    assert data, "no plotly chart with data on the page"
    return data


def wait_for_chart_change(page: Page, before: list[dict[str, Any]],
                          timeout_ms: int = APP_TIMEOUT_MS) -> list[dict[str, Any]]:
    """Wait until the first chart's data differs from ``before``; return it."""
    page.wait_for_function(
        f"(before) => JSON.stringify(({_CHART_DATA_JS})()) !== JSON.stringify(before)",
        arg=before, timeout=timeout_ms)
    wait_for_app(page)
    return chart_data(page)


def assert_no_exception(page: Page) -> None:
    """No Python traceback element anywhere on the page."""
    expect(page.get_by_test_id("stException")).to_have_count(0)


def draw_stroke(page: Page, canvas_key: str, points: list[tuple[int, int]]) -> None:
    """Drag the mouse through ``points`` (canvas pixels) on the drawing canvas
    whose Streamlit key is ``canvas_key`` (e.g. "conv_canvas")."""
    canvas = page.locator(f".st-key-{canvas_key} canvas").last
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x0, y0 = points[0]
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
    page.mouse.up()
