"""The lesson map: which lessons exist, their sections, and the class plan.

app.py builds navigation from LESSONS and the home page draws a card per lesson;
a new lesson appears everywhere by adding one entry here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from components.i18n import t
from components.warmup import warm_lessons_in_background

SECTIONS = ("basics", "convolution", "training", "generative", "sequences")


@dataclass(frozen=True)
class Lesson:
    """One lesson page.

    Args:
        key: short name; locale keys are ``lesson.<key>.title`` / ``.summary``.
        script: the page file.
        section: one of SECTIONS.
        icon: a Material icon.
        class_steps: (minutes, locale key) activities for the class plan.
    """

    key: str
    script: str
    section: str
    icon: str
    class_steps: tuple[tuple[int, str], ...]


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "perceptron", "pages/perceptron.py", "basics", ":material/device_hub:",
        ((6, "plan.perceptron.gates"),
         (5, "plan.perceptron.xor")),
    ),
    Lesson(
        "activations", "pages/activations.py", "basics", ":material/show_chart:",
        ((5, "plan.activations.step_vs_sigmoid"),
         (8, "plan.activations.derivatives"),
         (5, "plan.activations.softmax"),
         (4, "plan.activations.where")),
    ),
    Lesson(
        "smallest", "pages/smallest_network.py", "basics", ":material/timeline:",
        ((6, "plan.smallest.fit"),),
    ),
    Lesson(
        "playground", "pages/playground.py", "training", ":material/bubble_chart:",
        ((10, "plan.playground.spiral"),),
    ),
    Lesson(
        "optimizers", "pages/optimizers.py", "training", ":material/landscape:",
        ((8, "plan.optimizers.race"),),
    ),
    Lesson(
        "overfitting", "pages/overfitting.py", "training", ":material/tune:",
        ((8, "plan.overfitting.parting"),),
    ),
    Lesson(
        "convolution", "pages/convolution.py", "convolution", ":material/filter:",
        ((8, "plan.convolution.edges"),
         (5, "plan.convolution.step")),
    ),
    Lesson(
        "architecture", "pages/architecture.py", "convolution",
        ":material/calculate:",
        ((6, "plan.architecture.formula"),
         (6, "plan.architecture.summary")),
    ),
    Lesson(
        "training", "pages/training.py", "training", ":material/model_training:",
        ((8, "plan.training.mlp"),
         (8, "plan.training.cnn")),
    ),
    Lesson(
        "classify", "pages/classify.py", "training", ":material/image_search:",
        ((8, "plan.classify.draw"),
         (5, "plan.classify.photo")),
    ),
    Lesson(
        "denoising", "pages/denoising.py", "generative", ":material/auto_fix_high:",
        ((8, "plan.denoising.draw"),
         (5, "plan.denoising.code")),
    ),
    Lesson(
        "recurrent", "pages/recurrent.py", "sequences", ":material/repeat:",
        ((8, "plan.recurrent.forecast"),),
    ),
)

CLASS_MINUTES = 45
INTRO_MINUTES = 5


def class_plan() -> list[tuple[int, int, str]]:
    """A 45-minute path through the lessons: (start, end, text) rows.

    Starts with an introduction, walks the lessons in order while time remains,
    and ends with a wrap-up that fills the rest of the period.
    """
    rows, clock = [(0, INTRO_MINUTES, t("plan.intro"))], INTRO_MINUTES
    for lesson in LESSONS:
        for minutes, key in lesson.class_steps:
            if clock + minutes > CLASS_MINUTES - 5:
                break
            title = t(f"lesson.{lesson.key}.title")
            rows.append((clock, clock + minutes,
                         t("plan.lesson_step", title=title, text=t(key))))
            clock += minutes
    rows.append((clock, CLASS_MINUTES, t("plan.wrap_up")))
    return rows


def lesson_page(lesson: Lesson) -> st.Page:
    return st.Page(lesson.script, title=t(f"lesson.{lesson.key}.title"),
                   icon=lesson.icon)


_shell = threading.local()  # per script thread: is app.py running this page?


def run_app_shell() -> None:
    """Build the navigation and run the chosen page (app.py calls this)."""
    _shell.active = True
    warm_lessons_in_background()
    try:
        st.navigation(build_navigation(), position="sidebar", expanded=True).run()
    finally:
        _shell.active = False


def ensure_app_shell() -> None:
    """Route a page that was opened without app.py back through app.py.

    With a folder named ``pages/``, Streamlit starts every server in its legacy
    folder mode: until some session has run app.py's ``st.navigation``, a direct
    link such as /activations runs the page file alone — no translated menu, no
    page config. Registering our navigation switches the process to
    ``st.navigation`` for good; the rerun then goes through app.py.
    """
    legacy_mode = bool(PagesManager.uses_pages_directory)  # Streamlit 1.67 flag
    if legacy_mode and not getattr(_shell, "active", False):
        st.navigation(build_navigation(), position="hidden")
        st.rerun()


def build_navigation() -> dict[str, list[st.Page]]:
    """Pages grouped by translated section titles, the home page first."""
    pages: dict[str, list[st.Page]] = {
        "": [st.Page("pages/home.py", title=t("home.nav"), icon=":material/map:",
                     default=True)]}
    for section in SECTIONS:
        members = [lesson_page(x) for x in LESSONS if x.section == section]
        if members:
            pages[t(f"section.{section}")] = members
    return pages
