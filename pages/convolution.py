"""Lesson: convolution filters (卷积) — edges, stride, padding, pooling, steps."""

import numpy as np
import streamlit as st

from components import conv_lab as lab
from components import conv_sections as sections
from components.i18n import t
from components.page_setup import setup_page
from components.share import share_ui
from core.convolution import normalise_kernel

setup_page()
st.title(t("lesson.convolution.title"))
st.markdown(t("conv.intro"))
lab.restore_settings()

# A new picture reruns every section; each section's own controls rerun only it
# (fragments), so moving the stride rebuilds three charts, not ten.
gray, rgb, source = lab.image_ui()
st.caption(t("conv.source", source=source, h=gray.shape[0], w=gray.shape[1]))


@st.fragment
def filter_section(gray: np.ndarray) -> None:
    """Any kernel on the picture: the feature map, its size, pooling, the code."""
    kernel = lab.kernel_ui()
    stride, padding, normalise, magnitude = sections.filter_controls_ui()
    feature_map = sections.draw_feature_map(gray, kernel, stride, padding, normalise,
                                            magnitude)
    if feature_map is not None:
        st.subheader(t("pool.header"))
        st.markdown(t("pool.intro"))
        sections.draw_pooling(feature_map)
        with st.expander(t("code.header"), icon=":material/code:"):
            used = normalise_kernel(kernel) if normalise else kernel
            sections.draw_code(used, stride, padding)
    lab.SETTINGS.publish()


@st.fragment
def channels_section(rgb: np.ndarray) -> None:
    """RGB × 3×3×3 → one map; K filters → K channels, as a shape table."""
    sections.draw_channels(rgb)
    lab.SETTINGS.publish()


@st.fragment
def step_section() -> None:
    """Slide the window by hand over a small grid."""
    sections.draw_step_through()
    lab.SETTINGS.publish()


filter_section(gray)
st.subheader(t("edges.header"))
st.markdown(t("edges.intro"))
sections.draw_both_edges(gray)
st.subheader(t("channels.header"))
st.markdown(t("channels.intro"))
channels_section(rgb)
st.subheader(t("step.header"))
st.markdown(t("step.intro"))
step_section()
share_ui()
