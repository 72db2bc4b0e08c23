"""Lesson: neurons and perceptrons (神经元与感知机) — a threshold logic unit, the
perceptron learning rule on logic gates, XOR from two layers, scikit-learn's
Perceptron on iris, logistic regression, and why weights must not start at 0."""

import streamlit as st

from components import perceptron_iris as iris_sections
from components import perceptron_lab as lab
from components import perceptron_sections as sections
from components.i18n import t
from components.page_setup import setup_page
from components.share import share_ui

setup_page()
st.title(t("lesson.perceptron.title"))
st.markdown(t("perceptron.intro"))
lab.restore_settings()


# Each section is a fragment: moving one of its controls reruns only that
# section, so a click on "Step" does not retrain the MLPs below it.
@st.fragment
def tlu_section() -> None:
    """A TLU with hand-set weights over the four corners of a logic gate."""
    w, b = lab.tlu_ui()
    sections.draw_tlu(w, b)
    lab.SETTINGS.publish()


@st.fragment
def rule_section() -> None:
    """The perceptron learning rule, one training instance per click."""
    gate, rate, w_start, b_start = lab.rule_ui()
    run = lab.perceptron_run(gate, rate, *w_start.tolist(), b_start)
    done = lab.step_buttons_ui(run)
    sections.draw_rule(run, gate, done)
    sections.draw_rule_code(gate, rate, w_start, b_start)
    lab.SETTINGS.publish()


@st.fragment
def mlp_section() -> None:
    """A 2-2-1 sigmoid network trained on XOR by backpropagation."""
    seed, rate, steps = lab.mlp_ui()
    with st.spinner(t("perceptron.mlp.training")):
        history = lab.xor_mlp(seed, rate, steps)
    sections.draw_mlp(history, seed)
    lab.SETTINGS.publish()


@st.fragment
def iris_section() -> None:
    """scikit-learn's Perceptron() on petal length and width, setosa vs rest."""
    with st.spinner(t("perceptron.iris.loading")):
        model = lab.iris_perceptron()
    iris_sections.draw_iris_perceptron(model, lab.point_ui())
    lab.SETTINGS.publish()


@st.fragment
def logistic_section() -> None:
    """Sigmoid instead of step, cross-entropy, and gradient descent on J(w, b)."""
    iris_sections.draw_logistic(*lab.logistic_ui())
    lab.SETTINGS.publish()


@st.fragment
def symmetry_section() -> None:
    """The same small MLP started from zeros and from random weights."""
    steps, seed = lab.symmetry_ui()
    with st.spinner(t("perceptron.mlp.training")):
        zero, random = lab.symmetry_runs(steps, seed)
    iris_sections.draw_symmetry(zero, random)
    lab.SETTINGS.publish()


st.subheader(t("perceptron.tlu.header"))
st.markdown(t("perceptron.tlu.biology"))
st.markdown(t("perceptron.tlu.intro"))
tlu_section()

st.subheader(t("perceptron.rule.header"))
st.markdown(t("perceptron.rule.intro"))
rule_section()

st.subheader(t("perceptron.xor.header"))
st.markdown(t("perceptron.xor.intro"))
sections.draw_xor_network()
st.markdown(t("perceptron.mlp.intro"))
mlp_section()

st.subheader(t("perceptron.iris.header"))
st.markdown(t("perceptron.iris.intro"))
iris_section()

st.subheader(t("perceptron.lr.header"))
st.markdown(t("perceptron.lr.intro"))
logistic_section()

st.subheader(t("perceptron.sym.header"))
st.markdown(t("perceptron.sym.intro"))
symmetry_section()
lab.SETTINGS.publish()
share_ui()
