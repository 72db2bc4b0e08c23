"""The "classify an image" lesson through AppTest: the shared digit CNN training on
first use, a test digit with its answer, top-k bars, occlusion map and feature
maps checked against the model itself, drawings (fed in as the canvas would),
models that are not on this server, a Training lab run, and bad links.

The shared model is an ``st.cache_resource``: AppTest runs the page in this
process, so ``shared_classifier("mnist")`` here is the very object the page
trains, and one training (≈ 35 s on the 4,000 offline digits) serves every test.
Drawings and Training lab runs are put in ``session_state`` of the page opened
directly (through app.py's navigation AppTest would run app.py first).
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from components.classify_lab import dataset, shared_classifier
from core.classifiers import (
    CLASS_INDEX,
    MOBILENET_URL,
    MOBILENET_WEIGHTS,
    predict_probabilities,
)
from core.classify import occlusion_map, prepare_image, top_k
from core.datasets import load_image_dataset
from tests.drawings import drawn_seven, paper
from tests.pages.conftest import (
    REPO_ROOT,
    all_text,
    assert_no_exception,
    chart_data,
    open_lesson_page,
    run_page,
    texts,
)

PAGE = "pages/classify.py"
TITLE = {"en": "Classify an image", "zh": "图片分类"}
ANSWER = {"en": re.compile(r"The model says \*\*(?P<label>[^*]+)\*\*, with a "
                           r"probability of \*\*(?P<p>[\d.]+)%\*\*"),
          "zh": re.compile(r"模型认为这是 \*\*(?P<label>[^*]+)\*\*，概率为 "
                           r"\*\*(?P<p>[\d.]+)%\*\*")}
OCCLUSION = re.compile(r"a (?P<patch>\d+) × (?P=patch) patch .*?a step of "
                       r"(?P<stride>\d+) px")


# --- helpers -------------------------------------------------------------------


def open_page(lang: str = "en", pixels: np.ndarray | None = None,
              runs: list | None = None, **query: str) -> AppTest:
    """The page on its own, optionally with a drawing on the canvas (handed over
    as the page gets one back: the canvas' JSON with strokes, and its pixels) or
    with Training lab runs in the session."""
    app = open_lesson_page(PAGE, lang, "classify_canvas", pixels,
                           None if runs is None else {"train_runs": runs}, **query)
    assert_no_exception(app)
    return app


def charts(app: AppTest) -> dict[str, int]:
    """Plotly charts on the page: key → index (for ``chart_data``)."""
    return {chart.key: i for i, chart in enumerate(app.get("plotly_chart"))}


def chart_spec(app: AppTest, key: str) -> dict:
    return json.loads(app.get("plotly_chart")[charts(app)[key]].proto.spec)


def bars(app: AppTest) -> list[tuple[str, float]]:
    """The top-k chart's bars, most probable first, as (class name, probability)."""
    (bar,) = chart_data(app, charts(app)["classify_topk"])
    assert bar["type"] == "bar" and bar["orientation"] == "h"
    return list(zip(bar["y"], bar["x"], strict=True))[::-1]


def answer(app: AppTest, lang: str = "en") -> tuple[str, float]:
    found = [ANSWER[lang].search(element.value) for element in app.markdown]
    found = [match for match in found if match]
    assert len(found) == 1, all_text(app)
    return found[0]["label"], float(found[0]["p"]) / 100


def drawn_one() -> np.ndarray:
    canvas = paper()
    canvas[40:240, 130:152, :3] = 0
    return canvas


def expected_answer(holder, picture: Image.Image, k: int = 5):
    probabilities = predict_probabilities(
        holder.model(), prepare_image(picture, "mnist", (28, 28, 1)).x)[0]
    return top_k(probabilities, k)


# --- first view, while the model trains -----------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_first_view_starts_the_shared_model(lang):
    app = run_page(PAGE, lang, timeout=120)
    assert app.title[0].value == TITLE[lang]
    holder = shared_classifier("mnist")
    assert holder.job is not None, "the page and this test see different caches"
    status = holder.job.snapshot().status
    assert status in ("queued", "running", "finished"), holder.job.snapshot()
    text = all_text(app)
    training = {"en": "training for the first time on this server",
                "zh": "模型正在本服务器上进行首次训练"}[lang]
    ready = {"en": "Trained on 4,000 images", "zh": "在 4,000 张图像上训练了"}[lang]
    assert training in text or ready in text, text
    draw_first = {"en": "Draw a digit on the canvas",
                  "zh": "请在画布上画一个数字"}[lang]
    assert draw_first in texts(app.info)
    assert "keras.datasets.mnist.load_data()" in texts(app.code)


def test_a_picture_waits_while_the_model_trains():
    holder = shared_classifier("mnist")
    holder.ensure_started()
    app = open_page(source="sample", sample="test-3")
    if holder.job.snapshot().status == "finished":
        pytest.skip("the shared model was already trained in this process")
    assert "as soon as the model has finished training" in texts(app.info)
    assert "classify_topk" not in charts(app)


# --- with the trained model -----------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    """The shared digit CNN, trained once for the module (and the process)."""
    run_page(PAGE, "en", timeout=120)  # the first visit starts the training
    holder = shared_classifier("mnist")
    assert holder.job is not None
    assert holder.job.wait(300), "the shared model did not finish in time"
    snapshot = holder.job.snapshot()
    assert snapshot.status == "finished", snapshot
    assert snapshot.test_accuracy >= 0.95, snapshot.test_accuracy
    return holder


def test_test_digit_answer_bars_occlusion_and_feature_maps(trained):
    app = open_page(source="sample", sample="test-3")
    data = dataset("mnist")
    truth = int(data.y_test[3])
    header = f"3. The answer for test image #4 ({truth})"
    assert header in [element.value for element in app.subheader]
    # The caption is this very job's score (the cache is shared with the page).
    snapshot = trained.job.snapshot()
    assert (f"Trained on 4,000 images for 10 epochs: {snapshot.test_accuracy:.1%} "
            f"correct on 1,000 test images") in texts(app.caption)
    # The answer and the bars are the model's own top 5 for this digit.
    picture = Image.fromarray(data.x_test[3])
    expected = expected_answer(trained, picture)
    label, confidence = answer(app)
    assert label == str(expected[0][0]) and abs(confidence - expected[0][1]) < 6e-4
    shown = bars(app)
    assert [name for name, _ in shown] == [str(index) for index, _ in expected]
    np.testing.assert_allclose([p for _, p in shown], [p for _, p in expected],
                               atol=1e-6)
    assert "The 5 most probable classes" in json.dumps(chart_spec(app, "classify_topk"))
    # Preparation steps, with a training image of the predicted class.
    captions = texts(app.caption)
    for step in ("Grayscale: 28 × 28", "Ink made bright on black: 28 × 28",
                 "Fitted in 20 × 20, centred by centre of mass: 28 × 28",
                 f"A training image of “{label}”", "What the model sees"):
        assert step in captions, step
    # The occlusion map is occlusion_map's, with the patch and stride it states.
    stated = OCCLUSION.search(texts(app.markdown))
    assert stated, texts(app.markdown)
    patch, stride = int(stated["patch"]), int(stated["stride"])
    assert 1 <= stride <= patch <= 28
    (heatmap,) = chart_data(app, charts(app)["classify_occlusion"])
    drop = np.array(heatmap["z"], dtype=np.float64)
    x = prepare_image(picture, "mnist", (28, 28, 1)).x
    expected_drop = occlusion_map(lambda batch: predict_probabilities(
        trained.model(), batch), x, expected[0][0], patch, stride, 0.0)
    assert drop.shape == (28, 28)
    np.testing.assert_allclose(drop, expected_drop, atol=1e-4)
    assert drop[data.x_test[3] > 0].mean() > drop[:3].mean()  # the ink matters
    # The first convolution layer's 16 feature maps.
    assert "classify_maps" in charts(app)
    assert "16 feature maps" in json.dumps(chart_spec(app, "classify_maps"))
    assert not app.warning and not app.error


@pytest.mark.parametrize("top", ["3", "1", "10"])
def test_top_k_from_the_link(trained, top):
    app = open_page(source="sample", sample="test-3", top=top)
    assert len(bars(app)) == int(top)
    assert app.slider(key="classify_top").value == int(top)


def test_top_k_slider_changes_the_bars(trained):
    app = open_page(source="sample", sample="test-0")
    assert len(bars(app)) == 5
    app.slider(key="classify_top").set_value(2).run()
    assert_no_exception(app)
    assert len(bars(app)) == 2
    assert app.query_params["top"] == "2"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_drawn_seven_is_a_seven(trained, lang):
    app = open_page(lang, pixels=drawn_seven())
    assert answer(app, lang)[0] == "7"
    expected = expected_answer(trained, Image.fromarray(drawn_seven()))
    assert expected[0][0] == 7
    header = {"en": "3. The answer for your drawing",
              "zh": "3. 预测结果：你画的数字"}[lang]
    assert header in [element.value for element in app.subheader]
    assert [name for name, _ in bars(app)] == [str(i) for i, _ in expected]
    assert {"classify_topk", "classify_occlusion", "classify_maps"} <= set(charts(app))


def test_a_drawn_one_is_a_one(trained):
    assert answer(open_page(pixels=drawn_one()))[0] == "1"


def test_a_blank_drawing_says_there_is_nothing_to_classify(trained):
    canvas = paper()
    canvas[..., :3] = 255  # strokes in the JSON, but nothing visible
    app = open_page(pixels=canvas)
    assert "there is nothing on this picture to classify" in texts(app.info)
    assert "classify_topk" not in charts(app)


def test_sample_photo_with_the_digit_model_still_answers(trained):
    app = open_page(source="sample", sample="photo-coffee")
    label, confidence = answer(app)
    assert label in [str(digit) for digit in range(10)] and 0 < confidence <= 1
    if confidence < 0.5:
        assert "the model is unsure" in texts(app.caption)
    assert len(bars(app)) == 5


def test_every_test_sample_is_offered_and_classified(trained):
    app = open_page(source="sample")
    options = app.selectbox(key="classify_sample").options
    assert [option for option in options if option.startswith("test image #")] == [
        f"test image #{n + 1} ({dataset('mnist').y_test[n]})" for n in range(10)]
    assert len(options) > 10  # and the sample photos
    app.selectbox(key="classify_sample").set_value("test-9").run()
    assert_no_exception(app)
    assert "test image #10" in texts(app.subheader)
    assert len(bars(app)) == 5


# --- models that cannot be used here --------------------------------------------


@pytest.fixture
def empty_keras_home(tmp_path, monkeypatch):
    """No cached datasets or weights: as on an offline server."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("model, name", [
    ("fashion_mnist", "Fashion-MNIST clothes (28×28)"),
    ("cifar10", "CIFAR-10 colour photos (32×32×3)")])
def test_datasets_not_on_this_server_say_so(empty_keras_home, model, name):
    if dataset(model) is not None:
        pytest.skip(f"{model} was already loaded in this process")
    app = open_page(model=model)
    warning = texts(app.warning)
    assert f"{name} is not on this server" in warning
    assert "the digit model works everywhere" in warning
    assert "classify_topk" not in charts(app) and not app.code


def test_dataset_not_on_this_server_in_chinese(empty_keras_home):
    if dataset("cifar10") is not None:
        pytest.skip("cifar10 was already loaded in this process")
    app = open_page("zh", model="cifar10")
    assert "本服务器上没有" in texts(app.warning)


def test_switching_the_model_to_a_missing_dataset(empty_keras_home, trained):
    if dataset("fashion_mnist") is not None:
        pytest.skip("fashion_mnist was already loaded in this process")
    app = open_page(source="sample", sample="test-3")
    assert len(bars(app)) == 5
    app.selectbox(key="classify_model").set_value("fashion_mnist").run()
    assert_no_exception(app)
    assert "is not on this server" in texts(app.warning)
    assert "classify_topk" not in charts(app)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_imagenet_without_weights_says_where_to_put_them(empty_keras_home, lang):
    app = open_page(lang, model="imagenet")
    warning = texts(app.warning)
    models = empty_keras_home.resolve() / "models"
    assert str(models / MOBILENET_WEIGHTS) in warning
    assert str(models / CLASS_INDEX) in warning
    assert MOBILENET_URL in warning
    assert {"en": "does not download them", "zh": "不会下载"}[lang] in warning
    assert "classify_topk" not in charts(app)


def test_imagenet_with_a_damaged_weights_file_is_a_message(empty_keras_home):
    models = empty_keras_home / "models"
    models.mkdir()
    (models / MOBILENET_WEIGHTS).write_bytes(b"half a download")
    (models / CLASS_INDEX).write_text('{"0": ["n01440764", "tench"]}', "utf-8")
    app = AppTest.from_file(str(REPO_ROOT / PAGE), default_timeout=120)
    app.query_params["model"] = "imagenet"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "cannot be read" in " ".join(e.value for e in app.error)


# --- a Training lab run ---------------------------------------------------------


def test_a_training_lab_run_on_8x8_digits_classifies_a_drawing(trained):
    """A (fake, untrained) MLP run on scikit-learn's 8×8 digits: the picture is
    prepared to 8×8, the occlusion map is 8×8, and an MLP has no feature maps."""
    from core.models import ModelChoice, build_model, compile_model

    digits = load_image_dataset("digits", allow_download=False)
    model = compile_model(build_model(ModelChoice("mlp", hidden_sizes=(16,)),
                                      (8, 8, 1), 10))
    job = SimpleNamespace(model=model,
                          snapshot=lambda: SimpleNamespace(status="finished"))
    run = SimpleNamespace(number=1, label="#1 MLP · digits · adam 0.001",
                          dataset=digits, input_shape=(8, 8, 1), job=job)
    app = open_page(pixels=drawn_seven(), runs=[run], model="run-1")
    assert app.selectbox(key="classify_model").value == "run-1"
    assert "From the Training lab: #1 MLP · digits · adam 0.001" in app.selectbox(
        key="classify_model").options
    label, _ = answer(app)
    x = prepare_image(Image.fromarray(drawn_seven()), "digits", (8, 8, 1)).x
    assert label == str(top_k(predict_probabilities(model, x)[0], 1)[0][0])
    assert "Resized to 8 × 8: what the model sees" in texts(app.caption)
    (heatmap,) = chart_data(app, charts(app)["classify_occlusion"])
    assert np.array(heatmap["z"]).shape == (8, 8)
    assert "classify_maps" not in charts(app)
    assert 'load_model(' in texts(app.code)


# --- bad links ------------------------------------------------------------------


@pytest.mark.parametrize("query, warned", [
    ({"model": "bogus"}, "model"), ({"source": "bogus"}, "source"),
    ({"top": "99"}, "top"), ({"top": "lots"}, "top"), ({"pen": "1000"}, "pen"),
    ({"model": "run-7"}, "model")])
def test_bad_links_warn_and_the_page_works(trained, query, warned):
    app = run_page(PAGE, "en", timeout=120, **query)
    warning = texts(app.warning)
    assert warned in warning, warning
    assert app.title[0].value == TITLE["en"]
    assert app.selectbox(key="classify_model").value == "mnist"


def test_bad_sample_falls_back_to_the_first_test_digit(trained):
    app = open_page(source="sample", sample="test-9999")
    assert app.selectbox(key="classify_sample").value == "test-0"
    assert len(bars(app)) == 5
