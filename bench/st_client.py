"""A light Streamlit client: one browser tab's websocket conversation, no browser.

The load bench (``bench/load.py``) opens many of these at once; 30 Chromium pages
on 2 cores would measure the browser, not the server. The client speaks the same
protocol as Streamlit's frontend (learnt from a real session's frames captured
with Playwright's ``page.on("websocket")``):

* ``GET /_stcore/health`` sets the ``_streamlit_xsrf`` cookie; the websocket
  ``/_stcore/stream`` is opened with that cookie, an ``Origin`` header and the
  subprotocols ``["streamlit", <xsrf token>]``.
* A run is a ``BackMsg.rerun_script`` (``ClientState``: query string, page name,
  widget states, and a ``fragment_id`` for a fragment rerun). The server answers
  with ``ForwardMsg`` deltas and ends each run with ``script_finished``.
* ``auto_rerun`` / ``stop_auto_rerun`` start and stop the timer of a
  ``st.fragment(run_every=...)``: the client then sends fragment reruns with
  ``is_auto_rerun`` set, as the browser does.
* An upload is a ``file_urls_request`` (answered by ``file_urls_response``), a
  multipart ``PUT`` to the upload URL (with the ``X-Xsrftoken`` header), then a
  rerun whose widget state is a ``file_uploader_state_value``.

Every element of every run is kept (``Run.elements``) so a caller can read what
a student would see; ``exception`` elements and ``st.error`` alerts are counted.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect as websocket_connect
from websockets.exceptions import ConnectionClosed

XSRF_COOKIE = "_streamlit_xsrf"
ERROR_FORMAT = 1  # Alert.Format.ERROR
EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
GOOD_ENDS = {ForwardMsg.FINISHED_SUCCESSFULLY,
             ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
_ids = itertools.count(1)


@dataclass
class Widget:
    """A widget as the last run drew it: its kind (proto field) and element."""

    kind: str
    proto: Any
    fragment_id: str

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "")


@dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float = 0.0
    status: str = ""
    elements: list[tuple[str, Any]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    error_alerts: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Markdown, alert, caption and metric texts of the run."""
        out = []
        for kind, element in self.elements:
            if kind in ("markdown", "alert", "heading"):
                out.append(element.body)
            elif kind == "metric":
                out.append(f"{element.label} {element.body}")
        return out


class StreamlitSession:
    """One tab: connect, run pages, change widgets, upload, follow fragments."""

    def __init__(self, base_url: str, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session_id = ""
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}  # what this user has set
        self.query = ""
        self.page = ""
        self.runs: list[Run] = []
        self.auto_reruns: dict[str, float] = {}
        self.messages = 0
        self.closed = False
        self._ws = None
        self._cookie = ""
        self._token = ""
        self._reader: asyncio.Task | None = None
        self._current: Run | None = None
        self._finished: asyncio.Queue = asyncio.Queue()
        self._file_urls: dict[str, asyncio.Future] = {}
        self._lock = asyncio.Lock()
        self._fragment_run = False
        self._starts = 0
        self.failure = ""  # why the reader stopped, if it failed

    # --- connection ---------------------------------------------------------

    def _http(self, url: str, method: str = "GET", body: bytes | None = None,
              headers: dict[str, str] | None = None):
        request = urllib.request.Request(url, data=body, method=method,
                                         headers=headers or {})
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            reply.read()
            return reply.headers

    async def connect(self) -> None:
        reply = await asyncio.to_thread(self._http, self.base_url + "/_stcore/health")
        cookie = SimpleCookie()
        for header in reply.get_all("Set-Cookie") or ():
            cookie.load(header)
        if XSRF_COOKIE in cookie:
            self._token = cookie[XSRF_COOKIE].value
            self._cookie = f"{XSRF_COOKIE}={self._token}"
        ws_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"Origin": self.base_url}
        if self._cookie:
            headers["Cookie"] = self._cookie
        protocols = ["streamlit", self._token] if self._token else ["streamlit"]
        self._ws = await websocket_connect(
            ws_url, additional_headers=headers, subprotocols=protocols,
            max_size=256 * 2**20, open_timeout=self.timeout, compression=None)
        self._reader = asyncio.ensure_future(self._read())

    async def close(self) -> None:
        self.closed = True
        self.auto_reruns.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - closing anyway
                self._reader.cancel()

    async def _read(self) -> None:
        while True:
            try:
                payload = await self._ws.recv()
            except ConnectionClosed:
                self.closed = True
                await self._finished.put(None)
                return
            if isinstance(payload, str):
                continue
            message = ForwardMsg()
            message.ParseFromString(payload)
            self.messages += 1
            try:
                self._handle(message)
            except Exception as error:  # a client bug: fail the run, say why
                self.failure = f"{type(error).__name__}: {error} in {message}"[:300]
                await self._finished.put(None)
                raise

    def _handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":  # a run starts
            self.session_id = message.new_session.initialize.session_id
            self._starts += 1
            if not self._fragment_run or self._starts > 1:
                # A full run (also one a fragment asked for with st.rerun): the
                # fragments' timers restart only if that run registers them again.
                self.auto_reruns.clear()
                self.widgets.clear()
        elif kind == "delta":
            self._delta(message.delta)
        elif kind == "auto_rerun":
            self.auto_reruns[message.auto_rerun.fragment_id] = \
                message.auto_rerun.interval
        elif kind == "stop_auto_rerun":  # a fragment's timer was switched off
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment_id, None)
        elif kind == "file_urls_response":
            future = self._file_urls.pop(message.file_urls_response.response_id, None)
            if future is not None and not future.done():
                future.set_result(message.file_urls_response)
        elif kind == "page_not_found":
            if self._current is not None:
                self._current.exceptions.append(
                    f"page not found: {message.page_not_found.page_name}")
        elif kind == "script_finished":
            self._finished.put_nowait(message.script_finished)

    def _delta(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element" or self._current is None:
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        self._current.elements.append((kind, proto))
        if kind == "exception":
            self._current.exceptions.append(f"{proto.type}: {proto.message}")
        elif kind == "alert" and proto.format == ERROR_FORMAT:
            self._current.error_alerts.append(proto.body)
        widget_id = getattr(proto, "id", "") if kind != "plotly_chart" else ""
        if widget_id.startswith("$$ID-"):
            self.widgets[widget_id] = Widget(kind, proto, delta.fragment_id)

    # --- runs ---------------------------------------------------------------

    async def _send(self, state: BackMsg) -> None:
        await self._ws.send(state.SerializeToString())

    async def run(self, page: str | None = None, query: str | None = None,
                  changed: list[WidgetState] = (), fragment_id: str = "",
                  auto: bool = False) -> Run:
        """Send one rerun and wait for its ``script_finished``; time it."""
        async with self._lock:
            if page is not None:
                self.page, self.states = page, {}
            if query is not None:
                self.query = query
            for state in changed:
                self.states[state.id] = state
            message = BackMsg()
            client = message.rerun_script
            client.query_string = self.query
            client.page_name = self.page
            client.fragment_id = fragment_id
            client.is_auto_rerun = auto
            client.context_info.timezone = "UTC"
            client.context_info.locale = "en-US"
            client.context_info.url = f"{self.base_url}/{self.page}"
            client.widget_states.widgets.extend(self.states.values())
            run = self._current = Run()
            self._fragment_run, self._starts = bool(fragment_id), 0
            started = time.perf_counter()
            await self._send(message)
            while True:
                status = await asyncio.wait_for(self._finished.get(), self.timeout)
                if status is None:
                    raise ConnectionError(self.failure
                                          or "the server closed the websocket")
                if status != EARLY:
                    break
            run.seconds = time.perf_counter() - started
            run.status = ForwardMsg.ScriptFinishedStatus.Name(status)
            self.runs.append(run)
            for state in changed:  # buttons are pressed once, not held
                if state.WhichOneof("value") == "trigger_value":
                    self.states.pop(state.id, None)
            return run

    async def follow_fragments(self, until, limit: float) -> bool:
        """Play the fragments' timers (as the browser does) until ``until(run)``.

        Returns whether ``until`` became true within ``limit`` seconds.
        """
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if not self.auto_reruns:
                return False
            fragment_id, interval = next(iter(self.auto_reruns.items()))
            await asyncio.sleep(interval)
            run = await self.run(fragment_id=fragment_id, auto=True)
            if until(run):
                return True
        return False

    # --- widgets ------------------------------------------------------------

    def find(self, kind: str, label: str = "", key: str = "") -> Widget | None:
        """The widget of ``kind``: label starts with ``label``, id ends with ``key``."""
        for widget_id, widget in self.widgets.items():
            if widget.kind == kind and widget.label.startswith(label) \
                    and widget_id.endswith(key):
                return widget
        return None

    @staticmethod
    def click(widget: Widget) -> WidgetState:
        return WidgetState(id=widget.proto.id, trigger_value=True)

    async def upload(self, widget: Widget, name: str, data: bytes,
                     mime: str = "image/png") -> WidgetState:
        """Upload ``data`` as the frontend does; the widget state to send next."""
        request_id = str(next(_ids))
        future = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = future
        message = BackMsg()
        message.file_urls_request.request_id = request_id
        message.file_urls_request.file_names.append(name)
        message.file_urls_request.session_id = self.session_id
        await self._send(message)
        reply = await asyncio.wait_for(future, self.timeout)
        if reply.error_msg:
            raise RuntimeError(f"file_urls_request refused: {reply.error_msg}")
        urls = reply.file_urls[0]
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: {mime}\r\n\r\n").encode() \
            + data + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "Origin": self.base_url}
        if self._token:
            headers["X-Xsrftoken"] = self._token
            headers["Cookie"] = self._cookie
        url = urls.upload_url
        if url.startswith("/"):
            url = self.base_url + url
        await asyncio.to_thread(self._http, url, "PUT", body, headers)
        state = WidgetState(id=widget.proto.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        return state
