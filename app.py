"""Neural Playground (神经网络游乐场): entry point.

Sets the page config, builds the translated navigation from the lesson map and
starts warming Keras in the background for the pages that train.
"""

import streamlit as st

from components.i18n import t
from components.keras_loader import warm_keras_in_background
from components.lessons import run_app_shell

st.set_page_config(page_title=t("app.title"), page_icon="🧠", layout="wide")
warm_keras_in_background()
run_app_shell()
