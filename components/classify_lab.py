"""Settings, models and picture sources of the "classify an image" lesson."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from components.drawing import digit_canvas
from components.i18n import current_language, t
from components.url_state import LessonSettings
from core.classifiers import (
    CLASS_INDEX_URL,
    MOBILENET_URL,
    SHARED_CHOICES,
    SHARED_LIMIT,
    imagenet_class_names,
    load_mobilenet,
    mobilenet_available,
    mobilenet_files,
    shared_input_shape,
    start_classifier_training,
)
from core.classify import WORKING_SIDE
from core.datasets import DatasetUnavailable, ImageDataset, load_image_dataset
from core.imaging import MAX_BYTES, MIB, ImageError, read_image
from core.samples import SAMPLE_IMAGES, load_sample_image
from core.shared_training import SharedTraining

SOURCES = ("draw", "upload", "camera", "sample")
SHARED_MODELS = tuple(SHARED_CHOICES)  # mnist, fashion_mnist, cifar10
MAX_FILES = 20
MAX_ASPECT = 20  # a 20:1 strip has no square part worth classifying
TEST_SAMPLES = 10  # test images of the model's own dataset offered as samples


@dataclass(frozen=True)
class ClassifySettings:
    """The lesson's defaults; every field is also a URL parameter."""

    model: str = "mnist"
    source: str = "draw"
    sample: str = "test-0"
    top: int = 5
    pen: int = 20
    picked: int = 0  # which of several uploads is explained


DEFAULTS = ClassifySettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "top", "pen")
SETTINGS = LessonSettings("classify", DEFAULTS, ADVANCED)
key = SETTINGS.key
LIMITS = {"top": (1, 10), "pen": (6, 40), "picked": (0, MAX_FILES - 1)}


@dataclass(frozen=True)
class ModelSlot:
    """A model the student can pick, and what is needed to use it."""

    key: str
    dataset: str  # the look of its training data: mnist, fashion_mnist, cifar10…
    input_shape: tuple[int, ...]
    class_names: tuple[str, ...]
    model: Any  # a Keras model; None while it trains
    data: ImageDataset | None  # its training data (typical images), if any
    training: SharedTraining | None = None  # the shared training, if shared
    other_names: tuple[str, ...] = ()  # the class names in the other language


def restore_settings() -> None:
    models = (*SHARED_MODELS, "imagenet", *(f"run-{run.number}" for run in _runs()))
    SETTINGS.restore(LIMITS, {"source": SOURCES, "model": models})


@st.cache_resource(show_spinner=False)
def dataset(name: str) -> ImageDataset | None:
    """The dataset if it is on this machine (cache or shipped data), else None."""
    try:
        full = load_image_dataset(name, allow_download=False)
    except DatasetUnavailable:
        return None
    if len(full.x_train) <= SHARED_LIMIT:
        return full
    return load_image_dataset(name, subset=SHARED_LIMIT, allow_download=False)


@st.cache_resource(show_spinner=False)
def shared_classifier(name: str) -> SharedTraining:
    """The server's one CNN for this dataset, trained on first use."""
    return SharedTraining(lambda: start_classifier_training(dataset(name)))


@st.cache_resource(show_spinner=False)
def mobilenet() -> tuple[Any, tuple[str, ...]]:
    return load_mobilenet(), imagenet_class_names()


def _runs() -> list:
    """The Training lab's finished runs of this session."""
    return [run for run in st.session_state.get("train_runs", [])
            if run.job.snapshot().status in ("finished", "stopped")
            and run.job.model is not None]


def _names(data: ImageDataset) -> tuple[str, ...]:
    return data.class_names_zh if current_language() == "zh" else data.class_names


def _other_names(data: ImageDataset) -> tuple[str, ...]:
    return data.class_names if current_language() == "zh" else data.class_names_zh


def model_options() -> list[str]:
    return [*SHARED_MODELS, "imagenet", *(f"run-{run.number}" for run in _runs())]


def model_label(option: str) -> str:
    if option.startswith("run-"):
        run = next((r for r in _runs() if f"run-{r.number}" == option), None)
        return t("classify.model_run", label=run.label if run else option)
    return t(f"classify.model_{option}")


def model_ui() -> ModelSlot | None:
    """Pick a model; None (with a message saying why and what to do) if the
    chosen one cannot be used on this machine."""
    option = st.selectbox(t("classify.model"), model_options(), key=key("model"),
                          format_func=model_label)
    if option.startswith("run-"):
        run = next(r for r in _runs() if f"run-{r.number}" == option)
        return ModelSlot(option, run.dataset.name, tuple(run.input_shape),
                         _names(run.dataset), run.job.model, run.dataset,
                         other_names=_other_names(run.dataset))
    if option == "imagenet":
        if not mobilenet_available():
            files = mobilenet_files()
            st.warning(t("classify.no_mobilenet", weights=files["weights"],
                         classes=files["classes"], weights_url=MOBILENET_URL,
                         classes_url=CLASS_INDEX_URL), icon=":material/cloud_off:")
            return None
        try:
            with st.spinner(t("classify.loading_mobilenet")):
                model, names = mobilenet()
        except (OSError, ValueError, KeyError) as error:  # a damaged download
            mobilenet.clear()
            files = mobilenet_files()
            st.error(t("classify.broken_mobilenet", weights=files["weights"],
                       classes=files["classes"],
                       detail=f"{type(error).__name__}: {error}"),
                     icon=":material/error:")
            return None
        return ModelSlot(option, "imagenet", (224, 224, 3), names, model, None)
    data = dataset(option)
    if data is None:
        st.warning(t("classify.no_dataset", name=t(f"dataset.{option}")),
                   icon=":material/cloud_off:")
        return None
    holder = shared_classifier(option)
    holder.ensure_started()
    return ModelSlot(option, option, shared_input_shape(data.image_shape),
                     _names(data), holder.model(), data, holder, _other_names(data))


@st.cache_data(max_entries=64, show_spinner=False)
def _read(data: bytes) -> Image.Image:
    return read_image(data, max_aspect=MAX_ASPECT, max_side=WORKING_SIDE)


def _sample_ui(slot: ModelSlot) -> list[tuple[str, Image.Image]]:
    options = [f"test-{i}" for i in range(TEST_SAMPLES if slot.data else 0)]
    options += [f"photo-{name}" for name in SAMPLE_IMAGES]
    if SETTINGS.get("sample") not in options:
        SETTINGS.set("sample", options[0])

    def label(option: str) -> str:
        kind, name = option.split("-", 1)
        if kind == "photo":
            return t(f"conv.sample.{name}")
        number = int(name)
        truth = slot.class_names[int(slot.data.y_test[number])]
        return t("classify.test_image", number=number + 1, label=truth)

    option = st.selectbox(t("classify.sample"), options, key=key("sample"),
                          format_func=label)
    kind, name = option.split("-", 1)
    pixels = (slot.data.x_test[int(name)] if kind == "test"
              else load_sample_image(name))
    return [(label(option), Image.fromarray(pixels))]


def _upload_ui() -> list[tuple[str, Image.Image]]:
    files = st.file_uploader(t("classify.upload"), accept_multiple_files=True,
                             type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
                             key="classify_upload", help=t(
                                 "classify.upload_help", limit=f"{MAX_BYTES / MIB:g}"))
    if len(files) > MAX_FILES:
        st.warning(t("classify.too_many", count=len(files), limit=MAX_FILES),
                   icon=":material/filter_list:")
    pictures = []
    for file in files[:MAX_FILES]:
        try:
            pictures.append((file.name, _read(file.getvalue())))
        except ImageError as error:
            st.error(t("classify.bad_file", name=file.name,
                       reason=t(f"image_error.{error.code}", **error.details)),
                     icon=":material/block:")
    return pictures


def pictures_ui(slot: ModelSlot) -> list[tuple[str, Image.Image]]:
    """The pictures to classify, with a name each; empty until there is one."""
    source = st.segmented_control(
        t("classify.source"), SOURCES, key=key("source"),
        format_func=lambda s: t(f"classify.source_{s}")) or DEFAULTS.source
    if source == "sample":
        return _sample_ui(slot)
    if source == "upload":
        return _upload_ui()
    if source == "camera":
        shot = st.camera_input(t("classify.camera"), key="classify_camera")
        if shot is None:
            return []
        try:
            return [(t("classify.photo"), _read(shot.getvalue()))]
        except ImageError as error:
            st.error(t(f"image_error.{error.code}", **error.details),
                     icon=":material/block:")
            return []
    pixels = digit_canvas("classify_canvas", key("pen"), t("classify.draw_help"))
    if pixels is None:
        st.info(t("classify.draw_first"), icon=":material/draw:")
        return []
    return [(t("classify.your_drawing"), Image.fromarray(pixels))]


def typical_image(slot: ModelSlot, class_index: int) -> np.ndarray | None:
    """A training image of the predicted class, to compare with the input."""
    if slot.data is None:
        return None
    found = np.flatnonzero(slot.data.y_train == class_index)
    return slot.data.x_train[found[0]] if found.size else None
