"""Lesson: optimizers and loss landscapes (优化器与损失曲面) — SGD, momentum,
RMSprop and Adam race down five test functions; the learning rate too small, good
and too large; batch vs mini-batch vs stochastic gradient descent on one neuron.

The first view is NumPy only (exact mirrors of Keras' update rules); Keras loads
when "Race with real Keras" is pressed (and is warmed in the background)."""

import streamlit as st

from components import optimizers_lab as lab
from components.code_panel import show_code
from components.i18n import t
from components.keras_loader import warm_keras_in_background
from components.optimizers_batch import batch_section
from components.optimizers_race import race_section
from components.page_setup import setup_page
from components.share import share_ui
from core.landscapes import LANDSCAPES
from core.optim_keras import SCRIPT_FILE_NAME, race_script

setup_page()
warm_keras_in_background()
st.title(t("lesson.optimizers.title"))
st.markdown(t("optimizers.intro"))
lab.restore_settings()


# The race and the mini-batch demo are fragments: a control reruns (and redraws)
# only its own part, which keeps reruns fast when a whole class uses one server.
@st.fragment
def race_part() -> None:
    """The landscape, the learning rate, the race, its update rules and code."""
    lab.race_ui()
    landscape = LANDSCAPES[lab.SETTINGS.get("fn")]
    st.latex(landscape.formula)
    st.caption(t(f"optimizers.fn_text.{landscape.key}"))
    st.markdown(f"**{t('optimizers.lr_header')}**")
    st.caption(t("optimizers.lr_intro"))
    lab.learning_rate_ui()
    race = race_section()
    with st.expander(t("optimizers.rules_header"), icon=":material/functions:"):
        st.markdown(t("optimizers.rules"))
    with st.expander(t("code.header"), icon=":material/code:"):
        st.markdown(t("optimizers.code_intro"))
        show_code(race_script(landscape, race.names, race.learning_rate,
                              race.num_steps, race.start),
                  SCRIPT_FILE_NAME, "optimizers_code")
    lab.SETTINGS.publish()


@st.fragment
def batch_part() -> None:
    """Batch, mini-batch and stochastic gradient descent on one neuron."""
    lab.batch_ui()
    batch_section()
    lab.SETTINGS.publish()


st.subheader(t("optimizers.race_header"))
st.markdown(t("optimizers.race_intro"))
race_part()
st.subheader(t("optimizers.batch_header"))
st.markdown(t("optimizers.batch_intro"))
batch_part()
share_ui()
