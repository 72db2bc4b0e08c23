"""Teacher mode: every lesson hides its advanced settings' widgets — and only
those — while the settings keep their values, and the mode travels in links."""

import doctest
import importlib

import pytest

from components import share, teacher
from components.i18n import load_catalog
from components.lessons import LESSONS
from components.url_state import LessonSettings
from tests.pages.conftest import open_lesson_page, run_page

# Which lab module holds each lesson's settings.
LABS = {"perceptron": "perceptron_lab", "activations": "activation_lab",
        "smallest": "smallest_lab", "playground": "playground_lab",
        "optimizers": "optimizers_lab", "overfitting": "overfit_lab",
        "convolution": "conv_lab", "architecture": "arch_lab",
        "training": "train_lab", "classify": "classify_lab",
        "denoising": "denoise_lab", "recurrent": "recurrent_lab"}
# The calculator is the lesson itself: nothing on it is advanced.
NOTHING_ADVANCED = {"architecture"}
WIDGETS = ("slider", "select_slider", "selectbox", "toggle", "checkbox",
           "number_input", "text_input", "text_area", "radio", "multiselect",
           "button_group")


def settings_of(lesson_key: str) -> LessonSettings:
    return importlib.import_module(f"components.{LABS[lesson_key]}").SETTINGS


def setting_widget_keys(app, settings: LessonSettings) -> set[str]:
    """Keys of the widgets on screen that hold one of the lesson's settings."""
    names = {settings.key(name) for name in
             settings.defaults.__dataclass_fields__}
    return {w.key for kind in WIDGETS for w in app.get(kind)} & names


def hiding_rules(app) -> str:
    return "".join(str(e.proto.body) for e in app.get("html")
                   if "display: none" in str(e.proto.body))


@pytest.mark.parametrize("module", [share, teacher])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


def test_every_lesson_is_listed_here():
    assert set(LABS) == {lesson.key for lesson in LESSONS}


def test_an_advanced_name_that_is_not_a_setting_is_refused():
    defaults = settings_of("smallest").defaults
    with pytest.raises(ValueError, match="seeed"):
        LessonSettings("typo_check", defaults, ("seed", "seeed"))


@pytest.mark.parametrize("lesson", [x for x in LESSONS
                                    if x.key not in NOTHING_ADVANCED],
                         ids=lambda x: x.key)
def test_teacher_mode_hides_advanced_widgets_and_keeps_the_lesson_controls(lesson):
    settings = settings_of(lesson.key)
    app = run_page(lesson.script, teacher="1")
    on_screen = setting_widget_keys(app, settings)
    advanced = {settings.key(name) for name in settings.advanced}
    rules = hiding_rules(app)
    for key in advanced:
        assert f".{teacher.css_class(key)}" in rules, key
    # The rules hit widgets that are really there, and nothing else is hidden.
    assert on_screen & advanced, (lesson.key, sorted(on_screen))
    shown = on_screen - advanced
    assert shown, f"{lesson.key}: teacher mode would leave no control"
    for key in shown:
        assert f".{teacher.css_class(key)} " not in rules + " " and \
            f".{teacher.css_class(key)}," not in rules, key
    assert app.query_params["teacher"] == "1"
    toggle = next(w for w in app.sidebar.toggle if w.key == "_teacher_mode_widget")
    assert toggle.value is True
    assert load_catalog("en")["teacher.hidden_note"] in \
        [c.value for c in app.sidebar.caption]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_without_teacher_mode_nothing_is_hidden(lang):
    app = open_lesson_page("pages/overfitting.py", lang)
    assert not hiding_rules(app)
    assert "teacher" not in app.query_params
    assert load_catalog(lang)["teacher.hidden_note"] not in \
        [c.value for c in app.sidebar.caption]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_toggle_switches_the_mode_and_the_link(lang):
    app = open_lesson_page("pages/activations.py", lang)
    toggle = next(w for w in app.sidebar.toggle if w.key == "_teacher_mode_widget")
    assert toggle.label == load_catalog(lang)["sidebar.teacher"]
    toggle.set_value(True).run()
    assert app.query_params["teacher"] == "1"
    assert ".st-key-act_x_min" in hiding_rules(app)
    next(w for w in app.sidebar.toggle
         if w.key == "_teacher_mode_widget").set_value(False).run()
    assert "teacher" not in app.query_params and not hiding_rules(app)
    assert not app.exception


def test_hidden_settings_keep_the_teachers_values_and_go_into_the_shared_link():
    app = open_lesson_page("pages/overfitting.py", "en", teacher="1", seed="5",
                           patience="7", degree="4")
    assert app.session_state["overfit_seed"] == 5
    assert app.session_state["overfit_patience"] == 7
    app.slider(key="overfit_degree").set_value(6).run()  # a student's change
    assert app.session_state["overfit_seed"] == 5
    assert app.query_params["seed"] == "5" and app.query_params["degree"] == "6"
    next(w for w in app.sidebar.toggle if w.key == "_share_open").set_value(True).run()
    link = app.sidebar.code[0].value
    assert "teacher=1" in link and "seed=5" in link and "patience=7" in link
    assert not app.exception
