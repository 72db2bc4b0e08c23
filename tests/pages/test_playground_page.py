"""The neural network playground through AppTest: a real Keras model that plays,
pauses, steps and resets; the boundary drawn from its weights; the network editor;
links in and out; bad input; the challenges; the code panel; no leaked threads.

AppTest runs the page in this process, so ``app.session_state["playground_job"]``
is the very job the page drives: tests wait on it (``wait_until_ready``,
``wait_for_epoch``) and run the page again to see the result. Buttons are clicked
on the page opened directly (through app.py's navigation AppTest drops clicks).
Every job a test starts is stopped after it (``_stop_jobs``).

The live frame is SVG: while the job is not training it is inline markup in one
``st.markdown`` (``frame_markup``, parsed with ElementTree); while it trains it is
one ``st.image`` of an SVG data URI (``playing_frame``). The numbers above it are
one markdown line (``status``).
"""

from __future__ import annotations

import base64
import gc
import io
import re
import subprocess
import sys
import threading
import time
import weakref
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from components import i18n
from components.playground_charts import NEURON_RESOLUTION, diverging_rgb, output_rgb
from components.playground_svg import (
    BACKGROUND_STRENGTH,
    BOUNDARY_RESOLUTION,
    _mix_with_white,
)
from core import playground_train
from core.playground import count_params, feature_matrix, grid, make_data, task_of
from tests.pages.conftest import (
    all_text,
    assert_no_exception,
    open_lesson_page,
    run_page,
    texts,
)

PAGE = "pages/playground.py"
JOB = "playground_job"  # components.playground_lab.JOB
PARAMS = re.compile(r"([\d,]+) (?:parameters|个参数)")
TITLE = {"en": "Neural network playground", "zh": "神经网络游乐场"}
# The status line's names, in their order (locales/playground/*.json).
STATUS_NAMES = {
    "en": ("Epoch", "Training loss", "Test loss", "Test accuracy", "Steps per second"),
    "zh": ("轮次（epoch）", "训练损失", "测试损失", "测试准确率", "每秒训练步数"),
}
EPOCH = {lang: names[0] for lang, names in STATUS_NAMES.items()}
STRAIGHT_LINE = "its boundary is a straight line in x₁ and x₂"
SVG = "{http://www.w3.org/2000/svg}"
PNG_URI = "data:image/png;base64,"
SVG_URI = "data:image/svg+xml;base64,"


def _playground_threads() -> set[str]:
    return {t.name for t in threading.enumerate()
            if t.name.startswith("playground-") and t.is_alive()}


_OPENED: list[AppTest] = []  # every app a test opened: its job is stopped after


@pytest.fixture(scope="module")
def _threads_before() -> set[str]:
    """Playground threads alive before this module's first test (other modules')."""
    return _playground_threads()


@pytest.fixture(autouse=True)
def _stop_jobs(_threads_before):
    yield
    while _OPENED:
        app = _OPENED.pop()
        job = app.session_state[JOB] if JOB in app.session_state else None
        if job is not None:
            job.stop()
            assert job.wait(30), f"{job.thread.name} did not end after stop()"


@pytest.fixture
def chinese_reruns(monkeypatch):
    """AppTest formats selectbox options for the next run in the test's own
    thread, where no session (and so no language) exists: English labels, then
    "'SGD' is not in list". Make that thread read Chinese too."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    real = i18n.current_language
    monkeypatch.setattr(i18n, "current_language",
                        lambda: real() if get_script_run_ctx() else "zh")


# --- helpers -------------------------------------------------------------------


def open_page(lang: str = "en", check: bool = True, **query: str) -> AppTest:
    """The page on its own (clicks work), its job registered for clean-up."""
    app = open_lesson_page(PAGE, lang, **query)
    _OPENED.append(app)
    if check:
        assert_no_exception(app)
    return app


def job_of(app: AppTest):
    return app.session_state[JOB]


def ready(app: AppTest):
    """Wait until the job has built its model, then draw the page again."""
    job = job_of(app)
    assert job.wait_until_ready(120), job.state
    app.run()
    assert_no_exception(app)
    return job


def settle(job, timeout: float = 20.0) -> None:
    """Wait until the worker has stopped moving (paused, diverged, finished…)."""
    deadline = time.monotonic() + timeout
    while job.active or job.state in ("playing", "waiting"):
        assert time.monotonic() < deadline, f"still {job.state} at epoch {job.epoch}"
        time.sleep(0.02)


def click(app: AppTest, key: str) -> AppTest:
    app.button(key=key).click().run()
    assert_no_exception(app)
    return app


def button_keys(app: AppTest) -> list[str]:
    return [b.key for b in app.button]


def params_shown(app: AppTest) -> int:
    """The parameter count in the caption next to Play/Step/Reset."""
    found = [PARAMS.search(caption.value) for caption in app.caption]
    found = [match for match in found if match]
    assert len(found) == 1, texts(app.caption)
    return int(found[0][1].replace(",", ""))


_STATUS_PART = re.compile(r"(.+) \*\*(.+)\*\*")


def status(app: AppTest, lang: str = "en") -> dict[str, str]:
    """The status line "Epoch **12** · Training loss **0.1234** · …" as
    {name: value}, in its order (the names are checked: all, in order)."""
    start = f"{EPOCH[lang]} **"
    lines = [str(m.value) for m in app.markdown if str(m.value).startswith(start)]
    assert len(lines) == 1, texts(app.markdown)[:2000]
    shown = {}
    for part in lines[0].split(" · "):
        match = _STATUS_PART.fullmatch(part)
        assert match, (part, lines[0])
        shown[match[1]] = match[2]
    names = STATUS_NAMES[lang]
    expected = names if "%" in shown.get(names[3], "") else names[:3] + names[4:]
    assert tuple(shown) == expected, lines[0]
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", shown[names[0]]), lines[0]
    for loss in names[1:3]:
        assert re.fullmatch(r"\d+\.\d{4}", shown[loss]), lines[0]
    assert re.fullmatch(r"\d{1,3}\.\d%", shown.get(names[3], "0.0%")), lines[0]
    assert re.fullmatch(r"–|\d{1,3}(,\d{3})*", shown[names[4]]), lines[0]
    return shown


def epoch_shown(app: AppTest, lang: str = "en") -> int:
    return int(status(app, lang)[EPOCH[lang]].replace(",", ""))


FRAME_MARK = 'data-testid="pg-'  # the frame's drawings are marked pg-frame, pg-…


def frame_markup(app: AppTest) -> str:
    """The inline frame (shown while the job is not training)."""
    found = [str(m.value) for m in app.markdown if FRAME_MARK in str(m.value)]
    assert len(found) == 1, f"{len(found)} frames; images: {len(app.image)}"
    assert not app.image  # not the picture as well
    return found[0]


def _parts(root: ET.Element) -> dict[str, ET.Element]:
    """A frame's drawings: network, boundary and (from two epochs on) curves.

    Either marked (pg-network, pg-boundary, pg-curves: the three side by side in
    the markup) or nested, unmarked, in one pg-frame drawing in that order.
    """
    marked = {svg.get("data-testid")[3:]: svg for svg in root.iter(f"{SVG}svg")
              if svg.get("data-testid") in ("pg-network", "pg-boundary", "pg-curves")}
    if marked:
        return marked
    assert root.get("data-testid") == "pg-frame", root.attrib
    nested = root.findall(f"{SVG}svg")
    assert len(nested) in (2, 3), len(nested)
    return dict(zip(("network", "boundary", "curves")[:len(nested)], nested,
                    strict=True))


def frame_svgs(app: AppTest) -> dict[str, ET.Element]:
    """The inline frame's drawings by name: network, boundary, curves."""
    return _parts(ET.fromstring(frame_markup(app)))


def playing_frame(app: AppTest) -> dict[str, ET.Element]:
    """The frame as one picture (shown while the job trains): its drawings."""
    assert not [m for m in app.markdown if FRAME_MARK in str(m.value)]
    (image,) = app.image
    (url,) = image.value
    assert url.startswith(SVG_URI), url[:80]
    root = ET.fromstring(base64.b64decode(url[len(SVG_URI):]))
    assert root.tag == f"{SVG}svg" and root.get("data-testid") == "pg-frame"
    return _parts(root)


def png_pixels(uri: str) -> np.ndarray:
    assert uri.startswith(PNG_URI), uri[:80]
    png = base64.b64decode(uri[len(PNG_URI):])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def boundary_pixels(drawing: ET.Element) -> np.ndarray:
    """The boundary picture (a PNG data URI) in a drawing, as (rows, columns, 3)."""
    images = [image for image in drawing.iter(f"{SVG}image")
              if image.get("data-role") == "boundary"]
    assert len(images) == 1, len(images)
    return png_pixels(images[0].get("href"))


def neuron_strip(network: ET.Element) -> np.ndarray:
    images = [i for i in network.iter(f"{SVG}image") if i.get("id") == "pg-neurons"]
    assert len(images) == 1, len(images)
    return png_pixels(images[0].get("href"))


def svg_texts(drawing: ET.Element) -> list[str]:
    return [text.text for text in drawing.iter(f"{SVG}text")]


def hover_titles(drawing: ET.Element, tag: str) -> list[str]:
    """The <title> texts of every ``tag`` element: a weight's or bias's value."""
    return [title.text for element in drawing.iter(f"{SVG}{tag}")
            for title in element.findall(f"{SVG}title")]


def keras_titles(weights: list[np.ndarray]) -> tuple[list[str], list[str]]:
    """The hover texts the network drawing should carry for these Keras weights:
    every kernel entry (layer by layer, from-neuron then to-neuron) and bias."""
    kernels, biases = weights[0::2], weights[1::2]
    return ([f"w = {float(w):.3f}" for kernel in kernels for w in kernel.ravel()],
            [f"b = {float(b):.3f}" for bias in biases for b in bias])


def keras_boundary(job, discrete: bool = False) -> np.ndarray:
    """What the boundary picture should show, from the Keras model itself:
    (rows, columns, 3), top row x₂ = +1.5."""
    inputs = feature_matrix(grid(BOUNDARY_RESOLUTION)[1], job.spec.features)
    predicted = job.model.predict(inputs, verbose=0, batch_size=len(inputs))
    rgb = _mix_with_white(output_rgb(predicted, task_of(job.spec.dataset), discrete),
                          BACKGROUND_STRENGTH)
    return np.flipud(rgb.reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, 3))


def assert_close_pixels(shown: np.ndarray, expected: np.ndarray) -> None:
    assert shown.shape == expected.shape, (shown.shape, expected.shape)
    difference = np.abs(shown.astype(int) - expected.astype(int))
    assert difference.max() <= 1, difference.max()


def pills(app: AppTest, key: str):
    matches = [group for group in app.get("button_group") if group.key == key]
    assert matches, [group.key for group in app.get("button_group")]
    return matches[0]


def play_until(app: AppTest, done, timeout: float = 60.0) -> None:
    """Press Play, wait until ``done(job)`` holds, press Pause, wait for the worker."""
    job = job_of(app)
    click(app, "pg_play")
    deadline = time.monotonic() + timeout
    while not done(job) and job.active:
        assert time.monotonic() < deadline, f"not done after epoch {job.epoch}"
        time.sleep(0.05)
    app.run()
    assert_no_exception(app)
    if job.active:
        click(app, "pg_pause")
    settle(job)
    app.run()
    assert_no_exception(app)


# --- first view ------------------------------------------------------------------


def test_first_view_shows_the_network_and_its_boundary(lang, request):
    if lang == "zh":
        request.getfixturevalue("chinese_reruns")
    app = run_page(PAGE, lang, timeout=120)
    _OPENED.append(app)
    assert app.title[0].value == TITLE[lang]
    intro = {"en": "Press **Play** to train a real Keras model",
             "zh": "Keras"}[lang]
    assert intro in all_text(app)
    job = ready(app)
    assert job.state == "paused" and job.epoch == 0
    assert params_shown(app) == job.model.count_params() == 25  # 2·4+4 + 4·2+2 + 2+1
    shown = status(app, lang)
    assert shown[EPOCH[lang]] == "0"
    assert shown[STATUS_NAMES[lang][4]] == "–"  # no speed while paused
    first = job.snapshot().history[0].scores
    assert shown[STATUS_NAMES[lang][1]] == f"{first.train_loss:.4f}"
    assert shown[STATUS_NAMES[lang][3]] == f"{first.test_accuracy:.1%}"
    # Paused: the frame is inline markup, not a picture; no curves at epoch 0.
    assert not app.image
    drawings = frame_svgs(app)
    assert set(drawings) == {"network", "boundary"}, set(drawings)
    # The boundary is a picture of the whole plane; the neurons one PNG strip.
    assert boundary_pixels(drawings["boundary"]).shape == (
        BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, 3)
    network = drawings["network"]
    side = NEURON_RESOLUTION
    assert neuron_strip(network).shape == (side, (2 + 4 + 2 + 1) * side, 3)
    titles = {"en": ["Inputs", "Layer 1", "4 · tanh", "Layer 2", "2 · tanh",
                     "Output"],
              "zh": ["输入", "第 1 层", "4 · tanh", "第 2 层", "2 · tanh", "输出"]}
    assert svg_texts(network) == [*titles[lang], "x₁", "x₂"]
    weights, biases = keras_titles(job.model.get_weights())
    assert len(weights) == 2 * 4 + 4 * 2 + 2 == len(hover_titles(network, "path"))
    assert hover_titles(network, "path") == weights
    assert hover_titles(network, "svg") == biases
    play = app.button(key="pg_play")
    assert play.label == {"en": "Play", "zh": "播放"}[lang] and not play.disabled
    # Play, Step and Reset come first, above the training settings.
    keys = [element.key for element in app.main if getattr(element, "key", None)]
    assert keys[:3] == ["pg_play", "pg_step", "pg_reset"], keys[:6]
    assert keys.index("pg_reset") < keys.index("pg_optimizer") < keys.index("pg_lr")


# --- Play, Pause, Step, Reset -------------------------------------------------------


def test_play_pause_step_and_reset():
    app = open_page()
    job = ready(app)
    assert app.button(key="pg_step").disabled is False
    click(app, "pg_play")
    assert job.active and "pg_pause" in button_keys(app)
    assert "pg_play" not in button_keys(app)
    assert app.button(key="pg_step").disabled  # Step only while paused
    assert job.wait_for_epoch(5, timeout=60)
    app.run()
    assert_no_exception(app)
    assert job.active
    assert epoch_shown(app) >= 5
    # Training: one picture holding the network, the boundary and the curves.
    frame = playing_frame(app)
    assert set(frame) == {"network", "boundary", "curves"}, set(frame)
    assert boundary_pixels(frame["boundary"]).shape == (BOUNDARY_RESOLUTION,
                                                        BOUNDARY_RESOLUTION, 3)
    assert len(hover_titles(frame["network"], "path")) == 2 * 4 + 4 * 2 + 2
    assert len(frame["curves"].findall(f".//{SVG}polyline")) == 3  # losses, accuracy

    click(app, "pg_pause")
    settle(job)
    paused_at = job.epoch
    time.sleep(0.5)
    assert job.epoch == paused_at and job.state == "paused"
    app.run()
    assert_no_exception(app)
    shown = status(app)
    assert shown["Epoch"] == f"{paused_at:,}" and shown["Steps per second"] == "–"
    last = job.snapshot().history[-1].scores
    assert shown["Training loss"] == f"{last.train_loss:.4f}"
    assert shown["Test loss"] == f"{last.test_loss:.4f}"
    assert shown["Test accuracy"] == f"{last.test_accuracy:.1%}"
    assert "pg_play" in button_keys(app) and "pg_pause" not in button_keys(app)
    assert not app.image
    assert set(frame_svgs(app)) == {"network", "boundary", "curves"}
    history = job.snapshot().history
    assert [h.epoch for h in history] == list(range(paused_at + 1))

    before = boundary_pixels(frame_svgs(app)["boundary"])
    click(app, "pg_step")
    settle(job)
    assert job.epoch == paused_at + 1 and job.state == "paused"
    time.sleep(0.3)
    assert job.epoch == paused_at + 1
    app.run()
    assert_no_exception(app)
    assert status(app)["Epoch"] == f"{paused_at + 1:,}"
    assert_close_pixels(boundary_pixels(frame_svgs(app)["boundary"]),
                        keras_boundary(job))
    assert not np.array_equal(boundary_pixels(frame_svgs(app)["boundary"]), before)

    click(app, "pg_reset")
    fresh = job_of(app)
    assert fresh is not job
    assert job.wait(30) and job.state == "stopped"
    ready(app)
    assert fresh.epoch == 0 and fresh.state == "paused"
    assert status(app)["Epoch"] == "0"
    assert "curves" not in frame_svgs(app)
    # The seed decides the initial weights: Reset starts from the same ones.
    assert fresh.snapshot().history[0].scores == history[0].scores


def test_pause_while_the_worker_finishes_an_epoch_leaves_play_enabled():
    app = open_page()
    job = ready(app)
    job.pace = 0.25  # 4 s after each epoch: Pause lands while the worker waits
    click(app, "pg_play")
    assert job.wait_for_epoch(1, timeout=60)
    click(app, "pg_pause")
    settle(job)  # the wait is cut short: the worker settles at once
    assert not job.active and job.state == "paused"
    app.run()
    assert "pg_play" in button_keys(app)
    assert not app.button(key="pg_play").disabled
    assert not app.button(key="pg_step").disabled
    assert job.epoch == 1
    # Step, pressed while the worker still sleeps, runs exactly one more epoch.
    click(app, "pg_step")
    # Asked to train: no second Step until that epoch is recorded.
    assert app.button(key="pg_step").disabled or job.epoch == 2
    job.pace = None  # no sleep after the next epoch
    assert job.wait_for_epoch(2, timeout=30)
    settle(job)
    assert job.epoch == 2 and job.state == "paused"
    app.run()
    assert_no_exception(app)
    assert status(app)["Epoch"] == "2"
    assert not app.button(key="pg_play").disabled


@pytest.mark.parametrize("stop_with", ["pause", "step"])
def test_the_frame_drawn_when_training_stops_is_the_final_one(monkeypatch, stop_with):
    app = open_page()
    job = ready(app)
    real_score = playground_train.score

    def slow_score(*args):  # every epoch ends slowly: the page looks meanwhile
        time.sleep(1.0)
        return real_score(*args)

    monkeypatch.setattr(playground_train, "score", slow_score)
    if stop_with == "pause":
        click(app, "pg_play")
        assert job.wait_for_epoch(1, timeout=60)  # counted; its scores on their way
        click(app, "pg_pause")
    else:
        click(app, "pg_step")
    # Redraw only as the browser would: while the page says it is training.
    deadline = time.monotonic() + 20
    while app.image and time.monotonic() < deadline:
        time.sleep(0.1)
        app.run()
        assert_no_exception(app)
    shown, picture = status(app), boundary_pixels(frame_svgs(app)["boundary"])
    settle(job)
    assert job.state == "paused" and job.epoch == 1
    app.run()  # what the page shows when drawn again, now the job is still
    assert_no_exception(app)
    assert status(app) == shown
    assert np.array_equal(boundary_pixels(frame_svgs(app)["boundary"]), picture)


@pytest.mark.parametrize("query", [{}, {"data": "spiral3", "hidden": "5",
                                        "acts": "relu",
                                        "features": "x1,x2,x1sq"}],
                         ids=["binary", "three-classes"])
def test_the_boundary_picture_is_the_keras_models_prediction(query):
    app = open_page(**query)
    job = ready(app)
    click(app, "pg_step")
    settle(job)
    app.run()
    assert_no_exception(app)
    assert job.epoch == 1
    drawings = frame_svgs(app)
    shown = boundary_pixels(drawings["boundary"])
    assert_close_pixels(shown, keras_boundary(job))
    # Not a blank picture: the network's doubt shows as shades (pale ones after
    # one epoch of the circle: about 60).
    assert len(np.unique(shown.reshape(-1, 3), axis=0)) >= 30

    # Every weight and bias line carries the Keras model's value (3 decimals).
    weights = job.model.get_weights()
    network = drawings["network"]
    kernels, biases = keras_titles(weights)
    assert hover_titles(network, "path") == kernels
    assert hover_titles(network, "svg") == biases
    assert len(kernels) == sum(k.size for k in weights[0::2])

    # The output neurons' squares (the strip's last columns) are Keras's output.
    side = NEURON_RESOLUTION
    outputs = weights[-1].size
    strip = neuron_strip(network)
    count = len(job.spec.features) + sum(job.spec.hidden) + outputs
    assert strip.shape == (side, count * side, 3)
    inputs = feature_matrix(grid(side)[1], job.spec.features)
    predicted = job.model.predict(inputs, verbose=0, batch_size=len(inputs))
    for index in range(outputs):
        column = count - outputs + index
        square = strip[:, column * side:(column + 1) * side]
        expected = diverging_rgb(2 * predicted[:, index] - 1)
        assert_close_pixels(square, np.flipud(expected.reshape(side, side, 3)))


# --- the network editor --------------------------------------------------------------


def test_the_network_editor_changes_layers_neurons_and_activations():
    app = open_page()
    assert app.session_state["pg_hidden"] == (4, 2)
    assert params_shown(app) == 25
    click(app, "pg_add_layer")  # a new layer copies the last one
    assert app.session_state["pg_hidden"] == (4, 2, 2)
    assert app.session_state["pg_acts"] == ("tanh", "tanh", "tanh")
    assert params_shown(app) == count_params(job_of(app).spec) == 31
    click(app, "pg_add_0")
    assert app.session_state["pg_hidden"] == (5, 2, 2)
    click(app, "pg_remove_2")
    assert app.session_state["pg_hidden"] == (5, 2, 1)
    assert app.button(key="pg_remove_2").disabled  # one neuron is the least
    assert params_shown(app) == 15 + 12 + 3 + 2
    app.selectbox(key="pg_act_1").set_value("relu").run()
    assert_no_exception(app)
    assert app.session_state["pg_acts"] == ("tanh", "relu", "tanh")
    assert app.selectbox(key="pg_act_1").value == "relu"
    job = ready(app)
    assert job.spec.hidden == (5, 2, 1)
    assert job.model.get_layer("hidden_2").activation.__name__ == "relu"
    assert job.model.get_layer("hidden_1").activation.__name__ == "tanh"
    assert params_shown(app) == job.model.count_params() == 32
    network = frame_svgs(app)["network"]
    assert svg_texts(network) == ["Inputs", "Layer 1", "5 · tanh", "Layer 2",
                                  "2 · relu", "Layer 3", "1 · tanh", "Output",
                                  "x₁", "x₂"]
    assert hover_titles(network, "path") == keras_titles(job.model.get_weights())[0]
    assert neuron_strip(network).shape[1] == (2 + 5 + 2 + 1 + 1) * NEURON_RESOLUTION
    assert app.query_params["hidden"] == "5,2,1"
    assert app.query_params["acts"] == "tanh,relu,tanh"

    for _ in range(3):
        click(app, "pg_remove_layer")
    assert app.session_state["pg_hidden"] == () and app.session_state["pg_acts"] == ()
    assert app.button(key="pg_remove_layer").disabled
    assert STRAIGHT_LINE in texts(app.info)
    job = ready(app)
    assert params_shown(app) == job.model.count_params() == 3
    network = frame_svgs(app)["network"]
    assert svg_texts(network) == ["Inputs", "Output", "x₁", "x₂"]
    assert hover_titles(network, "path") == keras_titles(job.model.get_weights())[0]
    click(app, "pg_add_layer")  # from nothing: 4 tanh neurons
    assert app.session_state["pg_hidden"] == (4,)
    assert app.session_state["pg_acts"] == ("tanh",)
    assert STRAIGHT_LINE not in texts(app.info)


def test_the_editor_stops_at_six_layers_of_eight_neurons():
    app = open_page(hidden="8,8,8,8,8", acts="relu,relu,relu,relu,relu")
    assert app.button(key="pg_add_0").disabled
    click(app, "pg_add_layer")
    assert app.session_state["pg_hidden"] == (8,) * 6
    assert app.session_state["pg_acts"] == ("relu",) * 6
    assert app.button(key="pg_add_layer").disabled
    job = ready(app)
    assert params_shown(app) == job.model.count_params() == 3 * 8 + 5 * 72 + 9
    network = frame_svgs(app)["network"]
    assert len(hover_titles(network, "path")) == 2 * 8 + 5 * 64 + 8
    assert [text for text in svg_texts(network) if text.startswith("Layer")] == [
        f"Layer {n}" for n in range(1, 7)]


def test_the_straight_line_note_in_chinese():
    app = open_page("zh", hidden="")
    assert "直线" in texts(app.info)
    assert app.session_state["pg_hidden"] == ()


# --- bad input -------------------------------------------------------------------


def test_no_features_is_a_clear_error():
    app = open_page()
    assert JOB in app.session_state
    old = job_of(app)
    pills(app, "pg_features").set_value([]).run()
    assert_no_exception(app)
    assert "Choose at least one input feature" in texts(app.error)
    assert JOB not in app.session_state
    assert old.wait(30) and old.state == "stopped"  # the old network is put away
    assert not {"pg_play", "pg_step", "pg_reset"} & set(button_keys(app))
    assert not app.image and not [m for m in app.markdown if FRAME_MARK in m.value]
    assert not app.code  # no script for a network without inputs
    # Choosing a feature again brings the network back.
    pills(app, "pg_features").set_value(["x1"]).run()
    assert_no_exception(app)
    assert not app.error
    job = ready(app)
    assert job.spec.features == ("x1",)
    assert params_shown(app) == job.model.count_params() == 1 * 4 + 4 + 10 + 3


def test_a_link_without_features_is_a_clear_error():
    app = open_page("zh", check=False, features="")
    assert_no_exception(app)
    assert "请至少选择一个输入特征" in texts(app.error)
    assert JOB not in app.session_state
    assert "pg_play" not in button_keys(app)


def _diverge(app: AppTest):
    job = ready(app)
    click(app, "pg_play")
    deadline = time.monotonic() + 60
    while job.state not in ("diverged", "finished") and time.monotonic() < deadline:
        time.sleep(0.05)
    settle(job)
    assert job.state == "diverged"
    app.run()
    assert_no_exception(app)
    return job


def test_learning_rate_10_with_linear_neurons_diverges():
    # tanh saturates and ReLU dies at lr 10 (the loss stays finite); linear
    # neurons blow up within the first epoch.
    app = open_page(data="spiral", lr="10", acts="linear,linear")
    assert "A learning rate of 10 takes very large steps" in texts(app.warning)
    job = _diverge(app)
    assert not job.wait_for_epoch(job.epoch + 1, timeout=1)
    assert "The loss became infinite at epoch" in texts(app.error)
    assert "pg_play" in button_keys(app)
    assert app.button(key="pg_play").disabled and app.button(key="pg_step").disabled
    # The last finite weights (epoch 0's) are still drawn.
    drawings = frame_svgs(app)
    assert {"network", "boundary"} <= set(drawings)
    last = job.snapshot().weights
    assert all(np.isfinite(w).all() for w in last)
    assert hover_titles(drawings["network"], "path") == keras_titles(list(last))[0]
    assert boundary_pixels(drawings["boundary"]).shape == (
        BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, 3)
    click(app, "pg_reset")
    assert job_of(app) is not job and job_of(app).epoch == 0


def test_the_diverged_message_names_the_epoch_that_blew_up():
    app = open_page(data="spiral", lr="10", acts="linear,linear")
    job = _diverge(app)
    assert job.epoch == 1
    assert status(app)["Epoch"] == "1"
    assert "The loss became infinite at epoch 1:" in texts(app.error)


@pytest.mark.parametrize(("name", "value", "default", "spec_value"), [
    ("lr", "7", 0.03, lambda s: s.learning_rate),
    ("points", "300", 500, lambda s: s.points),
    ("reg_rate", "0.5", 0.001, lambda s: s.l2),
    ("dropout", "0.15", 0.0, lambda s: s.dropout),
])
def test_a_value_that_is_not_offered_gets_a_warning(name, value, default, spec_value):
    app = open_page(**{name: value}, reg="l2")
    # The value is quoted as read ("7" as a float reads 7.0).
    warning = re.compile(rf"The link's value “{re.escape(value)}(\.0)?” for “{name}” "
                         "is not one of the choices; the default is used")
    assert warning.search(texts(app.warning)), texts(app.warning)
    assert app.selectbox(key=f"pg_{name}").value == default
    assert spec_value(job_of(app).spec) == default
    assert name not in app.query_params  # the default is not written back
    assert app.query_params["reg"] == "l2"


def test_unreadable_hidden_sizes_get_a_warning_and_the_default_network():
    app = open_page(hidden="99,abc", acts="relu,relu", lr="7")
    assert "The link's value for “hidden” could not be read" in texts(app.warning)
    assert "for “lr” is not one of the choices" in texts(app.warning)
    assert app.session_state["pg_hidden"] == (4, 2)
    assert app.session_state["pg_acts"] == ("tanh", "tanh")
    job = ready(app)
    assert job.spec.hidden == (4, 2) and job.spec.activations == ("tanh", "tanh")
    assert params_shown(app) == job.model.count_params() == 25
    assert "hidden" not in app.query_params and "acts" not in app.query_params


@pytest.mark.parametrize(("query", "name"), [
    ({"hidden": "99,3"}, "hidden"), ({"hidden": "0"}, "hidden"),
    ({"hidden": "1,1,1,1,1,1,1"}, "hidden"), ({"acts": "tanh,bogus"}, "acts"),
    ({"features": "x1,bogus"}, "features")])
def test_a_link_value_that_is_repaired_says_so(query, name):
    app = open_page(**query)
    warnings = texts(app.warning)
    assert f"The link's value for “{name}” could not be read" in warnings
    assert len(app.warning) == 1, warnings
    if name == "hidden":
        assert app.session_state["pg_hidden"] == (4, 2)


def test_repaired_link_values_give_a_working_network():
    app = open_page(hidden="3,5", acts="relu,bogus", features="x1,bogus")
    assert app.session_state["pg_hidden"] == (3, 5)
    assert app.session_state["pg_acts"] == ("relu", "tanh")
    assert list(app.session_state["pg_features"]) == ["x1"]
    assert app.query_params["acts"] == "relu,tanh"  # the link is repaired too
    assert app.query_params["features"] == "x1"
    job = ready(app)
    assert params_shown(app) == job.model.count_params() == 1 * 3 + 3 + 3 * 5 + 5 + 6


# --- links ---------------------------------------------------------------------------


def test_a_link_opens_its_network_and_changes_go_back_into_the_link():
    app = open_page(data="xor", hidden="8,8", acts="relu,relu",
                    features="x1,x2,x1x2", lr="0.1", points="200", dropout="0.2",
                    reg="l1", reg_rate="0.01")
    assert app.selectbox(key="pg_data").value == "xor"
    assert app.selectbox(key="pg_lr").value == 0.1
    assert app.selectbox(key="pg_points").value == 200
    assert app.selectbox(key="pg_dropout").value == 0.2
    assert app.selectbox(key="pg_reg_rate").value == 0.01
    assert app.session_state["pg_hidden"] == (8, 8)
    assert [app.selectbox(key=f"pg_act_{i}").value for i in (0, 1)] == ["relu", "relu"]
    assert list(pills(app, "pg_features").value) == ["x1", "x2", "x1x2"]
    layers = [c.value for c in app.caption if c.value.startswith("Layer ")]
    assert layers == ["Layer 1: 8 neurons", "Layer 2: 8 neurons"]
    spec = job_of(app).spec
    assert (spec.dataset, spec.hidden, spec.activations, spec.features,
            spec.learning_rate, spec.points, spec.dropout, spec.l1, spec.l2) == (
        "xor", (8, 8), ("relu", "relu"), ("x1", "x2", "x1x2"), 0.1, 200, 0.2,
        0.01, 0.0)

    app.selectbox(key="pg_lr").set_value(0.3).run()
    click(app, "pg_remove_1")
    pills(app, "pg_features").set_value(["x1", "x2"]).run()
    app.selectbox(key="pg_optimizer").set_value("adam").run()
    app.selectbox(key="pg_act_0").set_value("sigmoid").run()
    app.selectbox(key="pg_dropout").set_value(0.0).run()
    app.selectbox(key="pg_points").set_value(1000).run()
    assert_no_exception(app)
    params = app.query_params
    assert params["lr"] == "0.3" and params["hidden"] == "8,7"
    assert params["acts"] == "sigmoid,relu" and params["optimizer"] == "adam"
    assert params["points"] == "1000" and "dropout" not in params
    assert "features" not in params  # back to the default x1, x2
    assert params["data"] == "xor"
    spec = job_of(app).spec
    assert (spec.hidden, spec.activations, spec.optimizer, spec.learning_rate,
            spec.points, spec.dropout) == (
        (8, 7), ("sigmoid", "relu"), "adam", 0.3, 1000, 0.0)

    # The link just written reopens the same network in a new session.
    again = open_page(**{k: v for k, v in params.items() if k != "lang"})
    assert job_of(again).spec == spec


# --- challenges ----------------------------------------------------------------------


def test_the_circle_without_a_hidden_layer_challenge_is_met():
    app = open_page()
    app.selectbox(key="pg_challenge").set_value("circle_no_hidden").run()
    assert_no_exception(app)
    info = texts(app.info)
    assert "At most 0 hidden layers (now: 2)" in info
    click(app, "pg_remove_layer")
    click(app, "pg_remove_layer")
    pills(app, "pg_features").set_value(["x1sq", "x2sq"]).run()
    assert_no_exception(app)
    assert app.session_state["pg_hidden"] == ()
    assert STRAIGHT_LINE not in texts(app.info)  # x₁², x₂² bend it
    job = ready(app)
    assert not app.success

    def accurate(j) -> bool:
        history = j.snapshot().history
        return bool(history) and history[-1].scores.test_accuracy >= 0.95

    play_until(app, accurate)
    assert accurate(job)
    success = texts(app.success)
    assert "Challenge met! Copy the link to show your solution." in success
    assert "At most 0 hidden layers (now: 0)" in success
    assert app.query_params["challenge"] == "circle_no_hidden"
    assert app.query_params["features"] == "x1sq,x2sq"
    assert app.query_params["hidden"] == ""


def test_a_challenge_in_chinese_lists_its_conditions(chinese_reruns):
    app = open_page("zh", challenge="xor_small", data="xor", hidden="4,4",
                    acts="tanh,tanh")
    ready(app)
    assert "挑战" in [expander.label for expander in app.expander]
    info = texts(app.info)
    assert "只用 x₁ 和 x₂ 解决异或" in info
    assert "数据集：异或" in info or "数据集：" in info
    assert "参数不超过 17 个（当前：37）" in info  # 2·4+4 + 4·4+4 + 4+1
    assert "隐藏层不超过" not in info  # this challenge does not limit layers
    assert "测试准确率至少 95%" in info
    assert "now:" not in info and "Test accuracy" not in info
    assert not app.success


# --- show me the code ---------------------------------------------------------------


def test_the_code_panel_makes_the_pages_points_and_runs(tmp_path):
    app = open_page(data="moons", noise="0.2", seed="7", train="70",
                    features="x1,x2,x1x2,sinx1", hidden="3", acts="relu",
                    optimizer="adam", lr="0.01", reg="l2", reg_rate="0.01",
                    dropout="0.1", batch="16")
    (code,) = app.code
    script = code.value
    assert "EPOCHS = 300" in script
    assert 'layers.Dense(3, activation="relu"' in script
    assert "keras.optimizers.Adam(learning_rate=0.01)" in script
    spec = job_of(app).spec

    # Its data part, run here, gives the page's points and features.
    data_part = script.split("model = keras.Sequential")[0]
    scope: dict = {}
    exec(compile(data_part, "playground_keras.py", "exec"), scope)  # noqa: S102
    data = make_data(spec)
    np.testing.assert_array_equal(scope["X"][:len(data.x_train)], data.x_train)
    np.testing.assert_array_equal(scope["X"][len(data.x_train):], data.x_test)
    np.testing.assert_array_equal(scope["y_train"], data.y_train)
    np.testing.assert_allclose(scope["x_train"],
                               feature_matrix(data.x_train, spec.features), atol=1e-6)
    assert len(data.x_train) == 350

    # The whole script runs (2 epochs) and prints its losses.
    path = tmp_path / "playground_keras.py"
    path.write_text(script.replace("EPOCHS = 300", "EPOCHS = 2"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(path)], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    losses = dict(re.findall(r"^(train loss|test loss) ([\d.eE+-]+)$", result.stdout,
                             re.MULTILINE))
    assert set(losses) == {"train loss", "test loss"}, result.stdout[-2000:]
    assert all(np.isfinite(float(v)) for v in losses.values())
    assert "compile_metrics" in result.stdout or "accuracy" in result.stdout


def test_the_code_panel_in_chinese_is_the_same_script():
    english = open_page("en", data="spiral3", hidden="6", acts="tanh")
    chinese = open_page("zh", data="spiral3", hidden="6", acts="tanh")
    assert english.code[0].value == chinese.code[0].value
    assert "sparse_categorical_crossentropy" in chinese.code[0].value
    assert "给我看代码" in [expander.label for expander in chinese.expander]


# --- threads -------------------------------------------------------------------------


def test_a_stopped_job_leaves_no_thread():
    app = open_page()
    job = ready(app)
    name = job.thread.name
    assert name in _playground_threads()
    click(app, "pg_play")
    assert job.wait_for_epoch(3, timeout=60)
    job.stop()
    job.stop()  # twice: harmless
    assert job.wait(10)
    assert name not in _playground_threads()
    assert job.state == "stopped"
    app.run()  # the page notices and starts a new job, paused at epoch 0
    assert_no_exception(app)
    fresh = job_of(app)
    assert fresh is not job and fresh.thread.name in _playground_threads()
    fresh.stop()
    assert fresh.wait(10) and fresh.thread.name not in _playground_threads()


def test_a_playing_job_nobody_watches_pauses_itself(monkeypatch):
    monkeypatch.setattr(playground_train, "IDLE_PAUSE_SECONDS", 0.5)
    app = open_page()
    job = ready(app)
    click(app, "pg_play")
    time.sleep(1.5)  # nobody calls snapshot(): the page is not polling
    settle(job, timeout=10)
    assert job.state == "paused"
    assert not job.active


def test_a_job_whose_session_is_gone_ends_its_thread(monkeypatch):
    app = open_lesson_page(PAGE, "en")
    job = app.session_state[JOB]
    assert job.wait_until_ready(120)
    job.snapshot()
    monkeypatch.setattr(playground_train, "ABANDON_SECONDS", 0.5)
    thread, alive = job.thread, weakref.ref(job)
    try:
        # Watched (a snapshot every 0.1 s, as the page's frames take them): it stays.
        watched_until = time.monotonic() + 2.5
        while time.monotonic() < watched_until:
            assert job.snapshot().state == "paused"
            time.sleep(0.1)
        assert thread.is_alive()
        # The session goes: nobody asks for a snapshot any more.
        del app, job
        gc.collect()
        thread.join(5)
        assert not thread.is_alive()
        gone = alive()
        if gone is not None:  # kept alive by something else: it has let go of Keras
            assert gone.state == "stopped" and gone.model is None
    finally:
        leaked = alive()
        if leaked is not None:
            leaked.stop()
            leaked.wait(10)


def test_no_thread_of_this_module_is_left(_threads_before):
    """Runs last: every job the tests above started (and the page replaced or
    reset) has ended its thread once stopped."""
    app = open_page()
    ready(app)
    click(app, "pg_add_layer")  # the page stops the old job itself
    click(app, "pg_reset")
    job = job_of(app)
    _OPENED.remove(app)
    job.stop()
    assert job.wait(10)
    deadline = time.monotonic() + 10
    while _playground_threads() - _threads_before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _playground_threads() - _threads_before
